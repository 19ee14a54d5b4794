"""Launch-day benchmark: `python bench/launch.py` (run by hand, never by pytest).

A whole workplace behind one address, with rate limits ON: --members staff (default 2,000)
register with one multi-use invite, sign in, open the petition, sign it and reload it, all
from 127.0.0.1 through gunicorn (gunicorn.conf.py) -- and, unless --direct, through
bench/proxy.py, a small reverse proxy that sets X-Forwarded-For, with
VOICEBOX_TRUSTED_PROXIES=1. Meanwhile one attacker on the same address guesses one
member's password; it must meet a 429 within 20 tries, and honest members must meet none.

Argon2id runs at the production cost unless --argon2 low (time 1, 8 MiB): registration and
sign-in are then CPU-bound by design (about 0.3 s of one core each on a small machine), so
say which one a figure used.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import secrets
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import gunicorn_server
from bench.load import machine
from bench.proxy import reverse_proxy
from voicebox import create_app
from voicebox.anonymity import coarse_date
from voicebox.auth.service import create_invite
from voicebox.extensions import db
from voicebox.models import Petition, Role, Signature
from voicebox.petitions import drafts, service
from voicebox.tick import count_queued
from voicebox.unit_of_work import unit_of_work

STEPS = ("register form", "register", "sign-in form", "sign in", "open petition", "sign", "reload")
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
ARGON2 = {"production": ("3", "65536"), "low": ("1", "8192")}
ATTACK_TRIES = 20


def parse_args() -> argparse.Namespace:
    cores = os.cpu_count() or 1
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=2_000)
    parser.add_argument("--concurrency", type=int, default=32, help="members acting at the same time")
    parser.add_argument("--workers", type=int, default=2 * cores + 1)
    parser.add_argument("--argon2", choices=sorted(ARGON2), default="production")
    parser.add_argument("--direct", action="store_true", help="no proxy in front of gunicorn")
    parser.add_argument(
        "--redis-url",
        default="redis://127.0.0.1:6379/11",
        help="keep rate limits in this Redis; '' for memory, where each of the workers counts on its own",
    )
    parser.add_argument(
        "--database-url", default="", help="an EMPTY database (default: SQLite in a temp folder)"
    )
    return parser.parse_args()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class Browser:
    """One member's browser: its own cookies, no redirects followed, timings per step."""

    def __init__(self, base: str, timings: dict[str, list[float]], statuses: Counter) -> None:
        self.base = base
        self.timings = timings
        self.statuses = statuses
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )

    def request(self, step: str, path: str, form: dict[str, str] | None = None) -> tuple[int, str]:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        started = time.perf_counter()
        try:
            with self.opener.open(self.base + path, data=data, timeout=120) as response:
                status, body = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read().decode(errors="replace")
        self.timings[step].append(time.perf_counter() - started)
        self.statuses[(step, status)] += 1
        return status, body


def member_journey(
    base: str, n: int, invite: str, petition_path: str, timings: dict[str, list[float]], statuses: Counter
) -> None:
    username, password = f"staff{n:05d}", f"launch day {secrets.token_hex(6)} Petition!"
    browser = Browser(base, timings, statuses)
    _, page = browser.request("register form", "/register")
    browser.request(
        "register",
        "/register",
        {
            "csrf_token": CSRF.search(page).group(1),
            "invite_code": invite,
            "username": username,
            "password": password,
            "password_confirm": password,
        },
    )
    browser = Browser(base, timings, statuses)  # a fresh browser signs in
    _, page = browser.request("sign-in form", "/login")
    browser.request(
        "sign in",
        "/login",
        {"csrf_token": CSRF.search(page).group(1), "username": username, "password": password},
    )
    _, page = browser.request("open petition", petition_path)
    token = CSRF.search(page)
    browser.request("sign", petition_path + "/sign", {"csrf_token": token.group(1) if token else ""})
    browser.request("reload", petition_path)


def attacker(base: str, victim: str, result: dict[str, int | None]) -> None:
    browser = Browser(base, defaultdict(list), Counter())
    for attempt in range(1, ATTACK_TRIES + 1):
        _, page = browser.request("attack form", "/login")
        token = CSRF.search(page)
        guess = {
            "csrf_token": token.group(1) if token else "",
            "username": victim,
            "password": f"guess {attempt:04d}",
        }
        status, _ = browser.request("attack", "/login", guess)
        if status == 429:
            result["first_429"] = attempt
            return
        time.sleep(0.5)
    result["first_429"] = None


def prepare(args: argparse.Namespace, folder: Path) -> tuple[str, str, str]:
    database_url = args.database_url or f"sqlite:///{folder / 'voicebox.sqlite3'}"
    time_cost, memory_cost = ARGON2[args.argon2]
    os.environ.update(VOICEBOX_ARGON2_TIME_COST=time_cost, VOICEBOX_ARGON2_MEMORY_COST=memory_cost)
    app = create_app(
        {
            "INSTANCE_PATH": str(folder / "instance"),
            "SQLALCHEMY_DATABASE_URI": database_url,
            "AUTO_MIGRATE": True,
        }
    )
    today = coarse_date()
    with app.app_context():
        pepper = app.extensions["voicebox.secrets"].pepper
        with unit_of_work(db.session):
            invite = create_invite(
                Role.MEMBER,
                uses=args.members + 10,
                expires_on=None,
                pepper=pepper,
                actor_role="admin",
                today=today,
            )
            petition = service.start_petition(
                "launch-author",
                "Switch off keystroke recording",
                "We ask that the **recording software** be removed.",
                args.members * 2,
                today + timedelta(days=30),
                keys=app.extensions["voicebox.keys"],
                today=today,
            )
            petition_id = petition.id
        with unit_of_work(db.session):
            drafts.open_petition(petition_id, cosponsors_needed=0, actor_role="organizer", today=today)
        db.session.remove()
    return database_url, invite, petition_id


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000 if ordered else 0.0


def main() -> None:
    args = parse_args()
    folder = Path(tempfile.mkdtemp(prefix="voicebox-launch-"))
    database_url, invite, petition_id = prepare(args, folder)
    time_cost, memory_cost = ARGON2[args.argon2]
    env = {
        "VOICEBOX_INSTANCE_PATH": str(folder / "instance"),
        "DATABASE_URL": database_url,
        "VOICEBOX_RATELIMIT": "1",
        "VOICEBOX_LOG_LEVEL": "warning",
        "VOICEBOX_ARGON2_TIME_COST": time_cost,
        "VOICEBOX_ARGON2_MEMORY_COST": memory_cost,
    }
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
    if not args.direct:
        env["VOICEBOX_TRUSTED_PROXIES"] = "1"
    print(f"machine: {machine()}; load average before: {os.getloadavg()[0]:.1f}")
    print(
        f"{args.members:,} members, {args.concurrency} at a time, gunicorn {args.workers} sync workers, "
        f"argon2id {args.argon2} (time {time_cost}, {int(memory_cost) // 1024} MiB), "
        f"{'direct' if args.direct else 'through bench/proxy.py with VOICEBOX_TRUSTED_PROXIES=1'}, "
        f"limits in {'Redis' if args.redis_url else 'memory'}, database {database_url.split(':')[0]}"
    )
    timings: dict[str, list[float]] = defaultdict(list)
    statuses: Counter = Counter()
    petition_path = f"/petitions/{petition_id}"
    attack: dict[str, int | None] = {}
    with gunicorn_server("app:app", env, workers=args.workers, log_dir=folder) as server:
        with reverse_proxy(server.url) if not args.direct else nullcontext(server.url) as base:
            # The attacker's target registers first, then is guessed at while everyone else arrives.
            member_journey(base, 0, invite, petition_path, timings, statuses)
            started = time.perf_counter()
            guesser = threading.Thread(target=attacker, args=(base, "staff00000", attack))
            guesser.start()
            with ThreadPoolExecutor(args.concurrency) as pool:
                jobs = [
                    pool.submit(member_journey, base, n, invite, petition_path, timings, statuses)
                    for n in range(1, args.members)
                ]
                errors = [job.exception() for job in jobs if job.exception() is not None]
            elapsed = time.perf_counter() - started
            guesser.join()
        tracebacks = server.log().count("Traceback")
    app = create_app(
        {
            "INSTANCE_PATH": str(folder / "instance"),
            "SQLALCHEMY_DATABASE_URI": database_url,
            "AUTO_MIGRATE": False,
        }
    )
    with app.app_context():
        # Signatures still queued in a counting window when the server stopped are counted
        # now, as the next tick would.
        count_queued(app.extensions["voicebox.secrets"], app.extensions["voicebox.keys"])
        stored = db.session.query(Signature).filter_by(petition_id=petition_id).count()
        counted = db.session.get(Petition, petition_id).signature_count
    expected = {
        "register form": 200,
        "register": 302,
        "sign-in form": 200,
        "sign in": 302,
        "open petition": 200,
        "sign": 302,
        "reload": 200,
    }
    print()
    print("| step | requests | p50 (ms) | p99 (ms) | unexpected answers |")
    print("| --- | --- | --- | --- | --- |")
    for step in STEPS:
        odd = {s: n for (st, s), n in statuses.items() if st == step and s != expected[step]}
        print(
            f"| {step} | {len(timings[step]):,} | {percentile(timings[step], 0.5):.0f} | "
            f"{percentile(timings[step], 0.99):.0f} | {odd or 'none'} |"
        )
    too_many = sum(n for (step, status), n in statuses.items() if status == 429)
    print()
    print(
        f"completion: {args.members:,} members in {elapsed:.1f} s "
        f"({args.members / elapsed:.1f} members/s; mean sign "
        f"{statistics.fmean(timings['sign']) * 1000:.0f} ms)"
    )
    print(
        f"429s for honest members: {too_many}; client errors: {len(errors)}; tracebacks in the server log: "
        f"{tracebacks}; signatures stored {stored:,}, counter {counted:,}"
    )
    print(
        f"attacker guessing one member's password from the same address: first 429 at try "
        f"{attack.get('first_429')} (limit: within {ATTACK_TRIES})"
    )
    if errors:
        print(f"first client error: {errors[0]!r}")
    print(f"(working files in {folder})")


if __name__ == "__main__":
    main()
