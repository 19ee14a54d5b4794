"""Rate limits that fit a workplace: keyed by account, username or invite, not by address.

A whole office shares one NAT address (and behind our reverse proxy every request comes
from 127.0.0.1), so an address is only ever a generous ceiling. Every key is an HMAC
under the pepper, never the value itself (A4).

Anonymity rules for what the limiter stores (in memory, or in Redis with REDIS_URL):
- Signing touches no key at all: the nullifier already allows one signature per member,
  and a per-account key written by signing would say "this account acted now".
- Every other member action (withdraw, co-sponsor, "me too", flag, post, start a
  petition, follow-up) counts into ONE shared bucket per account per UTC day, so a key
  says "this account took n actions today", never which one or on what.
- Windows are aligned to the clock (a minute, hour or day boundary), not started at the
  first hit: a key's time-to-live tells the end of the window, not when someone acted.
- The account hash also folds in the day, so keys of two days can't be linked.
"""

from __future__ import annotations

import ipaddress
import logging
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app, g, request
from flask_limiter import Limiter
from limits.storage import MemoryStorage, RedisStorage
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from voicebox.crypto import keyed_hash

# Each can be changed with app config RATELIMIT_<NAME> (upper case), e.g. in tests.
LIMITS = {
    # Failed guesses only (a "strike"), so members who get it right are never counted.
    "login_per_username": "3 per minute; 15 per hour",
    "login_per_address": "100 per minute; 1000 per hour",
    "invite_misses_per_address": "8 per minute; 100 per hour",
    "register_refusals_per_invite": "60 per minute; 1000 per hour",
    "receipt_misses_per_account": "5 per minute; 20 per hour",
    "receipt_misses_per_address": "30 per minute; 200 per hour",
    "password_failures_per_account": "5 per minute; 20 per hour",
    # Every POST counts here.
    "member_actions_per_account": "500 per day",
    "concern_posts_per_address": "60 per hour",
    "setup_per_address": "10 per minute",
    # Blind-token issuance: one request fetches every open petition's token at once.
    "token_issuance_per_account": "60 per hour",
    # Cookie-less token redemption and phrase withdrawal: only refusals count.
    "token_misses_per_address": "30 per minute; 300 per hour",
}

REDIS_TIMEOUT_SECONDS = 2.0
WARNING_INTERVAL_SECONDS = 60.0


def _pepper() -> bytes:
    return current_app.extensions["voicebox.secrets"].pepper


def address_key() -> str:
    """The client address (the proxy's view of it when trusted), hashed."""
    return keyed_hash(_pepper(), "rate-limit", request.remote_addr or "unknown")


def account_key() -> str:
    """Today's hash of the signed-in account; the address hash for anyone else."""
    from flask_login import current_user

    if not current_user.is_authenticated:
        return address_key()
    day = datetime.now(UTC).date().isoformat()
    return keyed_hash(_pepper(), "rate-limit-account", f"{day}:{current_user.id}")


def _form_value(name: str) -> str:
    # An oversized or malformed body must not break the limiter (Flask-Limiter would take
    # any error here for a dead storage); the view reports the real problem.
    try:
        return str(request.form.get(name, ""))
    except HTTPException:
        return ""


def username_key() -> str:
    """The username being tried, hashed; case and spaces don't give extra guesses."""
    return keyed_hash(_pepper(), "rate-limit-login", _form_value("username").strip().casefold())


def invite_key() -> str:
    """The invite code being used, hashed after the same normalisation as its lookup."""
    from voicebox.auth.invite_codes import normalize_invite_code

    return keyed_hash(_pepper(), "rate-limit-invite", normalize_invite_code(_form_value("invite_code")))


def strike(kind: str) -> None:
    """Record that this request was a failed guess of `kind`; only strikes are counted."""
    g.setdefault("rate_limit_strikes", set()).add(kind)


def struck(kind: str) -> Callable[[Response], bool]:
    """A deduct_when test: did this request record a strike of `kind`?"""
    return lambda _response: kind in g.get("rate_limit_strikes", ())


limiter = Limiter(key_func=address_key, key_prefix="voicebox")


def _limit(name: str) -> Callable[[], str]:
    default = LIMITS[name]
    return lambda: str(current_app.config.get(f"RATELIMIT_{name.upper()}", default))


def _limited(name: str, key_func: Callable[[], str], strike_kind: str | None) -> Callable[..., Any]:
    deduct = struck(strike_kind) if strike_kind else None
    return limiter.limit(_limit(name), key_func=key_func, methods=["POST"], deduct_when=deduct)


def per_address(name: str, *, strike_kind: str | None = None) -> Callable[..., Any]:
    """POSTs limited per client address (hashed), all of them or only strikes of a kind."""
    return _limited(name, address_key, strike_kind)


def per_account(name: str, *, strike_kind: str) -> Callable[..., Any]:
    """Failed guesses of `strike_kind` limited per account (today's hash)."""
    return _limited(name, account_key, strike_kind)


def token_issuance_limit(view: Callable[..., Any]) -> Callable[..., Any]:
    """Blind-token issuance requests per account (today's hash), all of them."""
    return _limited("token_issuance_per_account", account_key, None)(view)


def member_action(view: Callable[..., Any]) -> Callable[..., Any]:
    """Count a POST into the account's one shared bucket of member actions (never signing)."""
    shared = limiter.shared_limit(
        _limit("member_actions_per_account"), scope="member-actions", key_func=account_key, methods=["POST"]
    )
    return shared(view)


def login_limits(view: Callable[..., Any]) -> Callable[..., Any]:
    """Failed sign-ins per username (a lockout for that account only) and per address."""
    by_username = _limited("login_per_username", username_key, "login")
    return by_username(per_address("login_per_address", strike_kind="login")(view))


def register_limits(view: Callable[..., Any]) -> Callable[..., Any]:
    """Wrong invite codes per address; refused registrations (taken name...) per invite."""
    by_invite = _limited("register_refusals_per_invite", invite_key, "register")
    return by_invite(per_address("invite_misses_per_address", strike_kind="invite")(view))


def receipt_limits(view: Callable[..., Any]) -> Callable[..., Any]:
    """Receipt look-ups stay strict: misses per account and per address."""
    by_account = per_account("receipt_misses_per_account", strike_kind="receipt")
    return by_account(per_address("receipt_misses_per_address", strike_kind="receipt")(view))


# --- storage whose windows end on the clock, not at first hit + window -----------------


def _aligned(expiry: float) -> int:
    # Whole seconds: Redis's EXPIRE refuses a float.
    whole = max(1, int(expiry))
    return whole - int(time.time()) % whole


class AlignedRedisStorage(RedisStorage):
    """Redis storage whose fixed windows end on clock boundaries (TTL hides the hit time)."""

    STORAGE_SCHEME: list[str] = ["voicebox+redis", "voicebox+rediss", "voicebox+redis+unix"]  # noqa: RUF012

    def __init__(self, uri: str, **options: Any) -> None:
        super().__init__(uri.removeprefix("voicebox+"), **options)

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        return super().incr(key, _aligned(expiry), amount)


class AlignedMemoryStorage(MemoryStorage):
    """In-memory storage with the same clock-aligned windows as AlignedRedisStorage."""

    STORAGE_SCHEME: list[str] = ["voicebox+memory"]  # noqa: RUF012

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        return super().incr(key, _aligned(expiry), amount)


class OncePerInterval(logging.Filter):
    """Let one record per message through per interval, without its traceback.

    With Redis down every request would otherwise log the same stack trace.
    """

    def __init__(self, interval: float = WARNING_INTERVAL_SECONDS) -> None:
        super().__init__()
        self.interval = interval
        self.last: dict[str, float] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        now = time.monotonic()
        message = str(record.msg)
        if now - self.last.get(message, -self.interval) < self.interval:
            return False
        self.last[message] = now
        record.exc_info = None
        record.exc_text = None
        return True


_LIMITER_LOG_FILTER = OncePerInterval()


def _aligned_uri(uri: str) -> str:
    return uri if uri.startswith("voicebox+") else f"voicebox+{uri}"


def init_rate_limits(app: Flask) -> None:
    """Bind the limiter: aligned windows, short Redis timeouts, in-memory fallback."""
    uri = _aligned_uri(app.config.get("RATELIMIT_STORAGE_URI") or "memory://")
    app.config["RATELIMIT_STORAGE_URI"] = uri
    if "redis" in uri:
        timeout = float(app.config.get("RATELIMIT_REDIS_TIMEOUT", REDIS_TIMEOUT_SECONDS))
        # A blackholed Redis then costs a request seconds, once; afterwards the limiter
        # has switched to memory and only re-checks Redis with a growing back-off.
        app.config.setdefault(
            "RATELIMIT_STORAGE_OPTIONS", {"socket_timeout": timeout, "socket_connect_timeout": timeout}
        )
    # Redis down: keep limiting, per worker in memory, rather than failing every request.
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    limiter.init_app(app)
    _no_limiter_before_views(app)
    # One limiter object serves every app in a process (tests build many): a new app
    # starts with its storage presumed alive.
    limiter._storage_dead = False
    limiter.logger.addFilter(_LIMITER_LOG_FILTER)
    # Its INFO lines name the key of every breach: a hash, but still a trace of who tried.
    limiter.logger.setLevel(logging.WARNING)
    try:
        app.wsgi_app = trusted_proxy_middleware(app.wsgi_app, str(app.config.get("TRUSTED_PROXIES") or ""))  # type: ignore[method-assign]
    except ValueError as exc:
        from voicebox.config import ConfigError

        raise ConfigError(
            "VOICEBOX_TRUSTED_PROXIES must be a number of proxies or a comma-separated list of "
            f"their addresses ({exc})"
        ) from exc


def limits_every_request(app: Flask) -> bool:
    """Whether a default, application-wide or meta limit applies to every view."""
    return any(app.config.get(f"RATELIMIT_{name}") for name in ("DEFAULT", "APPLICATION", "META"))


def _no_limiter_before_views(app: Flask) -> None:
    """Drop Flask-Limiter's check that runs before every view, when it has nothing to check.

    That hook evaluates default, application-wide and meta limits; the limits voicebox
    declares on views are evaluated by their own decorators when the view runs. Without
    any of the former configured, the hook only spent a few percent of every request --
    each page view, poll and signature -- finding nothing.
    """
    if limits_every_request(app):
        return
    hooks = app.before_request_funcs.get(None, [])
    hooks[:] = [hook for hook in hooks if hook != limiter._check_request_limit]


def limiter_storage_status() -> str:
    """'redis', 'memory', or 'memory (redis unreachable)' for /healthz."""
    uri = str(current_app.config.get("RATELIMIT_STORAGE_URI", ""))
    if "redis" not in uri:
        return "memory"
    if limiter._storage_dead or not limiter.storage.check():
        return "memory (redis unreachable)"
    return "redis"


# --- trusted proxies ---------------------------------------------------------------------


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_trusted_proxies(setting: str) -> int | list[Network]:
    """VOICEBOX_TRUSTED_PROXIES: a count of proxies in front of us, or their addresses.

    Raises ValueError for anything else.
    """
    text = setting.strip()
    if not text:
        return 0
    if text.isascii() and text.isdigit():
        return int(text)
    return [ipaddress.ip_network(part.strip(), strict=False) for part in text.split(",") if part.strip()]


def _in(address: str, networks: Iterable[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


class _TrustedList:
    """X-Forwarded-For read only when the peer is a listed proxy: the client is the
    right-most address that is not one of ours."""

    def __init__(self, app: Any, networks: list[Network]) -> None:
        self.app = app
        self.networks = networks

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        peer = environ.get("REMOTE_ADDR", "")
        forwarded = environ.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded and _in(peer, self.networks):
            hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
            while hops and _in(hops[-1], self.networks):
                hops.pop()
            if hops:
                environ["REMOTE_ADDR"] = hops[-1]
        return self.app(environ, start_response)


def trusted_proxy_middleware(app: Any, setting: str) -> Any:
    """Wrap `app` so request.remote_addr is the client behind trusted proxies.

    Only X-Forwarded-For is read (never Host or Proto here), and only the rate limiter's
    per-address ceilings use the result: it is hashed there and stored nowhere else.
    """
    trusted = parse_trusted_proxies(setting)
    if isinstance(trusted, int):
        return ProxyFix(app, x_for=trusted, x_proto=0, x_host=0, x_port=0, x_prefix=0) if trusted else app
    return _TrustedList(app, trusted)
