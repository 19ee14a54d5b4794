"""The session cookie, read as Flask reads it, for the short paths in front of Flask.

Flask opens a session with the app's signing serializer: the cookie's HMAC under each
accepted secret key (newest first), then its timestamp (no older than the session lifetime,
not in the future), then the payload (zlib-compressed when it starts with "."), then tagged
JSON. `SessionTokens` takes the same steps with the serializer's own signers, derived keys,
separator, clock and JSON tags; it only works the keys out once instead of on every request
(two pure-Python HMACs of the three per cookie). Any cookie it accepts, Flask accepts with
the same contents; for anything else it answers None and the caller leaves the request to
Flask, which decides as it always has.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import zlib
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from itsdangerous import URLSafeTimedSerializer
from itsdangerous.encoding import base64_decode, bytes_to_int
from itsdangerous.signer import HMACAlgorithm
from itsdangerous.timed import TimestampSigner
from werkzeug.sansio.http import parse_cookie

# A header of plain `name=value` pairs, as browsers send ours: parsed with split() here,
# since for such a header werkzeug's parser (what Flask uses; slower) finds the same pairs.
# Anything else -- quotes, spaces, odd characters -- is parsed by werkzeug itself.
_PLAIN_COOKIES = re.compile(r"[\w.-]+=[\w.=-]*(?:; ?[\w.-]+=[\w.=-]*)*", re.ASCII)
VERIFIED_SIZE = 4096


def cookie_value(header: str, name: str) -> str | None:
    """The first cookie called `name` in a (WSGI) Cookie header, as `request.cookies` finds it."""
    if not _PLAIN_COOKIES.fullmatch(header):
        return parse_cookie(header).get(name)
    for pair in header.split(";"):
        key, _, value = pair.strip().partition("=")
        if key == name:
            return value
    return None


class _Signer:
    """One of the serializer's signers, with an HMAC keyed by each of its keys, newest first."""

    def __init__(self, signer: TimestampSigner) -> None:
        if not isinstance(signer.algorithm, HMACAlgorithm):
            raise ValueError("the session serializer does not sign with an HMAC")
        self.signer = signer
        digest = signer.algorithm.digest_method
        keys = [signer.derive_key(key) for key in reversed(signer.secret_keys)]
        self.macs = [hmac.new(key, digestmod=digest) for key in keys]

    def signed(self, signed_value: bytes) -> bytes | None:
        """The signed part of `signed_value` if its signature holds (Signer.unsign)."""
        value, sep, signature = signed_value.rpartition(self.signer.sep)
        if not sep:
            return None
        try:
            expected = base64_decode(signature)
        except Exception:
            return None
        for keyed in self.macs:
            mac = keyed.copy()
            mac.update(value)
            if hmac.compare_digest(expected, mac.digest()):
                return value
        return None


def _timed_signers(serializer: URLSafeTimedSerializer) -> list[_Signer]:
    signers = list(serializer.iter_unsigners())
    if not all(isinstance(signer, TimestampSigner) for signer in signers):
        raise ValueError("the serializer does not time its signatures")
    return [_Signer(signer) for signer in signers]


class SessionTokens:
    """The `_user_id` (the account's session token) of a valid, unexpired session cookie."""

    def __init__(self, serializer: URLSafeTimedSerializer, cookie_name: str, max_age: int) -> None:
        self._signers = _timed_signers(serializer)
        self._cookie = cookie_name
        self._max_age = max_age
        self._decoder = json.JSONDecoder(object_hook=serializer.serializer.untag)  # type: ignore[attr-defined]
        # A member's page polls with the same cookie every few seconds. What its signature and
        # payload checks found is kept under a hash of the cookie (never the cookie itself):
        # the session's contents (read-only) and the signing time, so the age is still checked
        # on every request, and the database is still asked on every request whether the token
        # names an account (a sign-out rotates it, and the next poll fails). Bounded: emptied
        # when full (one atomic step, safe for threaded workers without a lock).
        self._verified: dict[bytes, tuple[Mapping[str, Any], int]] = {}

    def token(self, cookie_header: str) -> str | None:
        """The session token the cookie names, or None (no, bad, expired or signed-out cookie)."""
        found = self.session(cookie_header)
        return found["_user_id"] if found is not None else None

    def session(self, cookie_header: str) -> Mapping[str, Any] | None:
        """The signed-in session the cookie holds, read-only, or None (no, bad or expired
        cookie, or one without a session token)."""
        value = cookie_value(cookie_header, self._cookie) if cookie_header else None
        if not value:
            return None
        signed_value = value.encode("utf-8")
        digest = hashlib.sha256(signed_value).digest()
        found = self._verified.get(digest)
        if found is None:
            found = self._verify(signed_value)
            if found is None:
                return None
            if len(self._verified) >= VERIFIED_SIZE:
                self._verified.clear()
            self._verified[digest] = found
        session, signed_at = found
        age = self._signers[0].signer.get_timestamp() - signed_at
        return session if 0 <= age <= self._max_age else None

    def _verify(self, signed_value: bytes) -> tuple[Mapping[str, Any], int] | None:
        found = _opened(self._signers, signed_value, self._decoder.decode)
        if found is None:
            return None
        session, signed_at = found
        token = session.get("_user_id") if isinstance(session, dict) else None
        return (MappingProxyType(session), signed_at) if isinstance(token, str) and token else None


def _opened(
    signers: list[_Signer], signed_value: bytes, decode: Callable[[str], Any]
) -> tuple[Any, int] | None:
    """What a timed serializer's `loads` returns, and the signing time; None where it raises."""
    # Serializer.loads: the first signer whose signature holds decides.
    for candidate in signers:
        stamped = candidate.signed(signed_value)
        if stamped is not None:
            # TimestampSigner.unsign's timestamp, then URLSafeSerializerMixin.load_payload.
            payload, found, stamp = stamped.rpartition(candidate.signer.sep)
            if not found:
                return None
            try:
                signed_at = bytes_to_int(base64_decode(stamp))
                compressed = payload.startswith(b".")
                data = base64_decode(payload[1:] if compressed else payload)
                return decode((zlib.decompress(data) if compressed else data).decode()), signed_at
            except Exception:
                return None
    return None


class FormTokens:
    """The CSRF secret a form token carries, read as Flask-WTF's `validate_csrf` reads it.

    A token is the session's CSRF secret signed, with a timestamp, under the app's key and
    Flask-WTF's salt; it is checked with the serializer's own signers and keys (worked out
    once), and its age against `max_age` as itsdangerous checks it.
    """

    def __init__(self, serializer: URLSafeTimedSerializer, max_age: int | None) -> None:
        self._signers = _timed_signers(serializer)
        self._max_age = max_age

    def secret(self, token: str) -> str | None:
        """The secret a valid, unexpired token holds, or None (bad, expired or not a string)."""
        found = _opened(self._signers, token.encode("utf-8"), json.loads)
        if found is None or not isinstance(found[0], str):
            return None
        secret, signed_at = found
        if self._max_age is None:
            return secret
        age = self._signers[0].signer.get_timestamp() - signed_at
        return secret if 0 <= age <= self._max_age else None
