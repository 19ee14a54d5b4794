"""Token paths over HTTP against account signing: `python bench/token_load.py` (by hand, never pytest).

Starts voicebox under gunicorn (gunicorn.conf.py) on loopback with a fresh instance, opens
--items petitions and concerns, and drives it from a Python client (threads over keep-alive
connections; wrk can't blind) with --clients concurrent requests, every request from a
different member or with a different token, as members' browsers would:

  account signing    POST /petitions/<id>/sign (the form, session cookie): the baseline
  issuance, 1 item   POST /tokens/issue with one blinded message (blind RSA-2048 signing)
  issuance, a page   POST /tokens/issue with one blinded message per open item (--items)
  token signing      POST /tokens/redeem, cookie-less: PSS verification, queued
  token "me too"     POST /tokens/redeem, scope "support", cookie-less

For each: requests per second, p50/p99 latency, and worker CPU per request (the gunicorn
workers' utime+stime from /proc, before and after). Every figure is also given as a ratio to
account signing measured in the same run, so the machine's neighbours cancel out. Tokens
for the redemption runs come from the issuance runs (the client blinds and finalizes in
Python, tests/blind_client.py, as the browser does with blindrsa-ts).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import MemberSession, Server, create_member_sessions, gunicorn_server
from bench.load import machine
from tests import blind_client
from tests.token_client import b64, unb64
from voicebox import create_app
from voicebox.anonymity import coarse_date, new_receipt_phrase
from voicebox.concerns import service as concerns
from voicebox.extensions import db
from voicebox.models import Role, User
from voicebox.petitions import drafts
from voicebox.petitions import service as petitions
from voicebox.tick import count_queued
from voicebox.tokens import scopes
from voicebox.tokens import service as tokens
from voicebox.unit_of_work import unit_of_work

# (method, path, headers, body) of one request.
Request = tuple[str, str, dict[str, str], bytes]


@dataclass
class Result:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    cpu_per_request_ms: float

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


def worker_cpu(server: Server) -> float:
    """utime + stime of every gunicorn worker, in seconds."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in server.worker_pids():
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def drive(server: Server, requests: list[Request], clients: int, ok: Callable[[int], bool]) -> Result:
    """Send every request once, `clients` at a time, each client on its own keep-alive connection."""
    target = urlsplit(server.url)
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    queue = iter(requests)

    def client() -> None:
        connection = http.client.HTTPConnection(target.hostname, target.port, timeout=60)
        while True:
            with lock:
                item = next(queue, None)
            if item is None:
                break
            method, path, headers, body = item
            started = time.perf_counter()
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if not ok(response.status):
                    errors[0] += 1
        connection.close()

    cpu_before = worker_cpu(server)
    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    cpu = worker_cpu(server) - cpu_before
    latencies.sort()
    count = len(latencies)
    return Result(
        count,
        seconds,
        1000 * latencies[count // 2],
        1000 * latencies[min(count - 1, int(count * 0.99))],
        errors[0],
        1000 * cpu / count,
    )


def sign_request(petition_id: str, member: MemberSession) -> Request:
    body = f"csrf_token={member.csrf_token}&display_name=&comment=".encode()
    headers = {"Cookie": f"session={member.cookie}", "Content-Type": "application/x-www-form-urlencoded"}
    return ("POST", f"/petitions/{petition_id}/sign", headers, body)


@dataclass
class Pending:
    """A token the client blinded and is waiting to finalize."""

    scope: str
    item_id: str
    message: bytes
    public: object
    inv: int


def issue_request(
    member: MemberSession, items: list[tuple[str, str]], public: dict[tuple[str, str], object]
) -> tuple[Request, list[Pending]]:
    wanted, pending = [], []
    for scope, item_id in items:
        message = scopes.token_message(scope, item_id, new_receipt_phrase())
        blinded = blind_client.blind(public[scope, item_id], message)  # type: ignore[arg-type]
        wanted.append({"scope": scope, "item_id": item_id, "blinded_msg": b64(blinded.blinded_msg)})
        pending.append(Pending(scope, item_id, message, public[scope, item_id], blinded.inv))
    headers = {
        "Cookie": f"session={member.cookie}",
        "Content-Type": "application/json",
        "X-CSRFToken": member.csrf_token,
    }
    return ("POST", "/tokens/issue", headers, json.dumps({"tokens": wanted}).encode()), pending


def redeem_request(scope: str, item_id: str, message: bytes, signature: bytes) -> Request:
    body = {"scope": scope, "item_id": item_id, "token": b64(message), "signature": b64(signature)}
    return ("POST", "/tokens/redeem", {"Content-Type": "application/json"}, json.dumps(body).encode())


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=400, help="requests per run")
    parser.add_argument("--clients", type=int, default=16, help="concurrent requests")
    parser.add_argument("--items", type=int, default=10, help="open items on a page (petitions + concerns)")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument(
        "--database-url", default="", help="an EMPTY database (default: SQLite in a temp folder)"
    )
    return parser.parse_args()


def setup_items(app, count: int) -> tuple[str, list[tuple[str, str]]]:
    """One petition for the signing runs, then `count` open items (half petitions, half
    concerns) whose token keys exist. Returns (the signing petition, the page's items)."""
    today = coarse_date()
    with app.app_context():
        keys, secrets = app.extensions["voicebox.keys"], app.extensions["voicebox.secrets"]
        # Nobody signs in as the author: no password matches "!".
        author = User(username="bench-author", password_hash="!", role=Role.MEMBER.value)  # noqa: S106
        db.session.add(author)
        db.session.commit()

        def open_petition(title: str) -> str:
            with unit_of_work(db.session):
                petition = petitions.start_petition(
                    author.id, title, "Bench.", 1000, None, keys=keys, today=today
                )
            with unit_of_work(db.session):
                drafts.open_petition(petition.id, cosponsors_needed=0, actor_role="organizer", today=today)
            return petition.id

        signing = open_petition("Signed with accounts")
        items = [(scopes.SIGNATURE, open_petition(f"Petition {n}")) for n in range(count - count // 2)]
        for n in range(count // 2):
            with unit_of_work(db.session):
                posted = concerns.post_concern(
                    f"Concern {n}",
                    "Bench.",
                    None,
                    username="x",
                    confirmed_identifying=True,
                    secrets=secrets,
                    keys=keys,
                    today=today,
                )
            items.append((scopes.SUPPORT, posted.concern_id))
        count_queued(secrets, keys)
        tokens.token_keys(keys=keys, today=today)  # every key made now, not during a run
    return signing, items


def main() -> None:
    args = parse_args()
    folder = Path(tempfile.mkdtemp(prefix="voicebox-token-load-"))
    instance = folder / "instance"
    database_url = args.database_url or f"sqlite:///{folder / 'voicebox.sqlite3'}"
    print(f"machine: {machine()}; load average before: {os.getloadavg()[0]:.1f}")
    print(
        f"database: {database_url.split('@')[-1]}; gunicorn: {args.workers} workers; "
        f"{args.clients} concurrent requests, {args.requests} per run, {args.items} items on a page"
    )
    app = create_app(
        {
            "INSTANCE_PATH": str(instance),
            "SQLALCHEMY_DATABASE_URI": database_url,
            "AUTO_MIGRATE": True,
            "BACKGROUND_TICK": False,
        }
    )
    signing, items = setup_items(app, args.items)
    petition_item = next(item for item in items if item[0] == scopes.SIGNATURE)
    support_item = next(item for item in items if item[0] == scopes.SUPPORT)
    with app.app_context():
        keys = app.extensions["voicebox.keys"]
        public = {item: tokens.load_key(item[0], item[1], keys).public_key() for item in items}  # type: ignore[union-attr]
    n = args.requests
    # Account signers, members taking one token each for the two redemption runs, and
    # members taking a page's worth.
    members = create_member_sessions(app, 5 * n)
    signers, one_item, one_support, page = (
        members[:n],
        members[n : 2 * n],
        members[2 * n : 3 * n],
        members[3 * n :],
    )
    env = {
        "VOICEBOX_INSTANCE_PATH": str(instance),
        "DATABASE_URL": database_url,
        "VOICEBOX_RATELIMIT": "1",
        "VOICEBOX_LOG_LEVEL": "warning",
    }
    results: dict[str, Result] = {}
    with gunicorn_server("app:app", env, workers=args.workers, log_dir=folder) as server:
        # Warm every worker (imports, first key loads) outside the measured runs.
        drive(server, [("GET", "/healthz", {}, b"")] * (4 * args.workers), args.clients, lambda s: s == 200)
        results["account signing"] = drive(
            server, [sign_request(signing, m) for m in signers], args.clients, lambda s: s in (302, 303)
        )
        prepared = [issue_request(m, [petition_item], public) for m in one_item]
        support_prepared = [issue_request(m, [support_item], public) for m in one_support[: n // 2]]
        page_prepared = [issue_request(m, items, public) for m in page[: max(1, n // args.items)]]
        results["issuance, 1 item"] = drive(
            server, [r for r, _ in prepared], args.clients, lambda s: s == 200
        )
        results[f"issuance, {args.items} items"] = drive(
            server, [r for r, _ in page_prepared], args.clients, lambda s: s == 200
        )
        # The tokens to spend: issued again (the same blinded message gets the same answer).
        redeem_signature = finalize(server, prepared)
        redeem_support = finalize(server, support_prepared)
        results["token signing"] = drive(server, redeem_signature, args.clients, lambda s: s == 200)
        results["token “me too”"] = drive(server, redeem_support, args.clients, lambda s: s == 200)
        failures = server.log().count("Traceback")
    base = results["account signing"]
    print()
    print(
        f"{'path':<22}{'req/s':>8}{'× acct':>8}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'CPU ms/req':>12}{'× acct':>8}{'errors':>8}"
    )
    for name, result in results.items():
        print(
            f"{name:<22}{result.per_second:>8.1f}{result.per_second / base.per_second:>8.2f}"
            f"{result.p50_ms:>9.1f}{result.p99_ms:>9.1f}{result.cpu_per_request_ms:>12.2f}"
            f"{result.cpu_per_request_ms / base.cpu_per_request_ms:>8.2f}{result.errors:>8}"
        )
    print(f"\nserver tracebacks: {failures}; instance left in {folder}")


def finalize(server: Server, prepared: list[tuple[Request, list[Pending]]]) -> list[Request]:
    """Ask again for each prepared token (the repeat gets the identical answer), finalize it,
    and return the cookie-less redemption requests."""
    target = urlsplit(server.url)
    connection = http.client.HTTPConnection(target.hostname, target.port, timeout=60)
    spend = []
    for (method, path, headers, body), pending in prepared:
        connection.request(method, path, body=body, headers=headers)
        answer = json.loads(connection.getresponse().read())
        for given, token in zip(answer["signatures"], pending, strict=True):
            if "blind_sig" not in given:
                continue
            signature = blind_client.finalize(
                token.public, token.message, unb64(given["blind_sig"]), token.inv
            )  # type: ignore[arg-type]
            spend.append(redeem_request(token.scope, token.item_id, token.message, signature))
    connection.close()
    return spend


if __name__ == "__main__":
    main()
