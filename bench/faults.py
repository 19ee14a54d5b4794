"""Fault injection under signing load: `python bench/faults.py` (by hand, never by pytest).

Serves voicebox under gunicorn (gunicorn.conf.py) on 127.0.0.1 with a fresh database in a
temporary instance folder and signs one petition from many members at once, over HTTP,
while it:

  * worker-kill9  kills one gunicorn worker with SIGKILL mid-load;
  * server-kill9  kills the master and every worker with SIGKILL, then starts a new server;
  * outage        takes the database away for a few seconds (SQLite: another process holds
                  an exclusive lock; PostgreSQL: a loopback proxy in front of it cuts every
                  connection and refuses new ones);
  * disk-full     (SQLite) limits the size any file of the server may grow to
                  (RLIMIT_FSIZE), so SQLite's writes fail as on a full disk.

A signature is *acknowledged* when the server answered the POST with a redirect (302/303)
whose session carries a "success" flash ("your signature is counted", or "counted within a
minute" when signatures are counted by `voicebox tick`). Afterwards `flask --app app
voicebox tick` runs if the command exists, and every member's signature is looked up by
recomputing its nullifier. Per scenario it prints: sent, acknowledged, refused (our 503
or an error flash), server errors (500), cut (no answer), *lost* (acknowledged, not
stored), stored without acknowledgement, and counter drift (the petition's counter minus
its rows). Lost and drift must be 0. Bounded: each scenario stops after --seconds.
"""

from __future__ import annotations

import argparse
import http.client
import os
import resource
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import contextlib

from sqlalchemy import func, select

from bench.harness import ROOT, MemberSession, Server, create_member_sessions, gunicorn_server, open_petition
from voicebox import create_app
from voicebox.anonymity import nullifier
from voicebox.extensions import db
from voicebox.models import Petition, Signature, User
from voicebox.petitions import service

SIGN = getattr(service, "SIGN", "signature")  # the nullifier purpose of signatures


@dataclass
class Tally:
    sent: int = 0
    outcomes: Counter = field(default_factory=Counter)
    acknowledged: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, username: str, outcome: str) -> None:
        with self.lock:
            self.sent += 1
            self.outcomes[outcome] += 1
            if outcome == "acknowledged":
                self.acknowledged.add(username)


def _flash_categories(app, set_cookie: str) -> list[str]:
    cookie = set_cookie.split(";", 1)[0].split("=", 1)[1] if "session=" in set_cookie else ""
    if not cookie:
        return []
    data = app.session_interface.get_signing_serializer(app).loads(cookie)
    return [category for category, _message in data.get("_flashes", [])]


def sign_once(app, base: str, path: str, member: MemberSession) -> str:
    """POST one signature; returns the outcome as the member would see it."""
    address = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    body = urllib.parse.urlencode({"csrf_token": member.csrf_token, "group": "", "display_name": ""})
    try:
        connection.request(
            "POST",
            path,
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"session={member.cookie}",
            },
        )
        response = connection.getresponse()
        response.read()
    except (OSError, http.client.HTTPException):
        return "cut"
    finally:
        connection.close()
    if response.status in (302, 303):
        categories = _flash_categories(app, response.getheader("Set-Cookie") or "")
        return "acknowledged" if "success" in categories else "refused"
    if response.status == 503:
        return "refused"
    return f"http-{response.status}"


def drive(
    app,
    server_url: Callable[[], str],
    path: str,
    members: list[MemberSession],
    tally: Tally,
    clients: int,
    deadline: float,
) -> None:
    """Every member signs once, `clients` at a time, until done or the deadline."""
    queue = iter(members)
    queue_lock = threading.Lock()

    def client() -> None:
        while time.monotonic() < deadline:
            with queue_lock:
                member = next(queue, None)
            if member is None:
                return
            tally.record(member.username, sign_once(app, server_url(), path, member))

    with ThreadPoolExecutor(clients) as pool:
        for _ in range(clients):
            pool.submit(client)


def tick(env: dict[str, str]) -> str:
    """Run `voicebox tick` if this version has it (signatures counted within a minute)."""
    flask = [sys.executable, "-m", "flask", "--app", "app", "voicebox"]
    full_env = {**os.environ, **env}
    listing = subprocess.run(
        [*flask, "--help"], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120, check=False
    )
    if " tick " not in listing.stdout and "\n  tick" not in listing.stdout:
        return "no tick command: counters are updated as signatures are stored"
    done = subprocess.run(
        [*flask, "tick"], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120, check=False
    )
    return f"tick exit {done.returncode}"


def verify(app, petition_id: str, members: list[MemberSession], tally: Tally) -> dict[str, int]:
    """Recompute each member's nullifier: what was acknowledged must be stored."""
    with app.app_context():
        db.session.remove()
        petition = db.session.get(Petition, petition_id)
        key = service.petition_key(petition.id, app.extensions["voicebox.keys"])
        ids = dict(
            db.session.execute(
                select(User.username, User.id).where(User.username.in_([m.username for m in members]))
            )
            .tuples()
            .all()
        )
        stored_nullifiers = set(
            db.session.scalars(select(Signature.nullifier).where(Signature.petition_id == petition_id))
        )
        rows = (
            db.session.scalar(
                select(func.count()).select_from(Signature).where(Signature.petition_id == petition_id)
            )
            or 0
        )
        counter = petition.signature_count
    stored = {m.username for m in members if nullifier(key, SIGN, ids[m.username]) in stored_nullifiers}
    return {
        "lost": len(tally.acknowledged - stored),
        "stored_unacknowledged": len(stored - tally.acknowledged),
        "drift": counter - rows,
    }


# --- faults --------------------------------------------------------------------------


def kill_one_worker(server: Server) -> None:
    os.kill(server.worker_pids()[0], signal.SIGKILL)


def kill_whole_server(server: Server) -> None:
    pids = server.worker_pids()
    os.kill(server.process.pid, signal.SIGKILL)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    server.process.wait()


def hold_sqlite_lock(database: Path, seconds: float) -> None:
    """Another process (a careless sqlite3 shell, a backup tool) holds the write lock."""
    holder = sqlite3.connect(database, timeout=30, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    time.sleep(seconds)
    holder.execute("ROLLBACK")
    holder.close()


class CuttableProxy:
    """Loopback TCP proxy to PostgreSQL whose `cut()` drops every connection and refuses
    new ones for a while: the database host going away and coming back."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = 0
        self.down_until = 0.0
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(128)
        self.port = listener.getsockname()[1]
        self.listener = listener
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            client, _ = self.listener.accept()
            if time.monotonic() < self.down_until:
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)

    def cut(self, seconds: float) -> None:
        self.down_until = time.monotonic() + seconds
        with self.lock:
            for end in self.sockets:
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
            self.sockets.clear()


# --- scenarios -----------------------------------------------------------------------


@dataclass
class Setup:
    folder: Path
    instance: Path
    database_url: str
    server_env: dict[str, str]
    app: object
    workers: int
    clients: int
    seconds: float


def new_petition(setup: Setup, members: int) -> tuple[str, list[MemberSession]]:
    app = setup.app
    with app.app_context():
        title = f"Fault run {time.monotonic_ns()}"
        petition_id = open_petition(app, title, "Signed under faults.", 1_000_000, open_days=30)
    return petition_id, create_member_sessions(app, members, prefix=f"m{petition_id[:8]}-")


def fill_disk(server: Server, database: Path) -> None:
    """No file of the server may grow any more: SQLite's next growth fails as on a full disk
    (the kernel answers EFBIG; Python ignores SIGXFSZ, so the processes live on)."""
    limit = database.stat().st_size + 65536
    for pid in (server.process.pid, *server.worker_pids()):
        resource.prlimit(pid, resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))


def run_scenario(
    setup: Setup,
    name: str,
    members: int,
    fault: Callable[[Server, Setup], None] | None,
    *,
    restart: bool = False,
) -> dict[str, object]:
    petition_id, sessions = new_petition(setup, members)
    path = f"/petitions/{petition_id}/sign"
    tally = Tally()
    deadline = time.monotonic() + setup.seconds
    current: dict[str, str] = {}

    def start_server():
        return gunicorn_server("app:app", setup.server_env, workers=setup.workers, log_dir=setup.folder)

    first_batch, rest = sessions[: members // 2], sessions[members // 2 :]
    served = start_server()
    server = served.__enter__()
    current["url"] = server.url
    try:
        loader = threading.Thread(
            target=drive,
            args=(setup.app, lambda: current["url"], path, first_batch, tally, setup.clients, deadline),
        )
        loader.start()
        time.sleep(min(2.0, setup.seconds / 4))
        if fault is not None:
            fault(server, setup)
        loader.join()
        if restart:
            served.__exit__(None, None, None)
            served = start_server()
            server = served.__enter__()
            current["url"] = server.url
        drive(setup.app, lambda: current["url"], path, rest, tally, setup.clients, deadline)
        tracebacks = server.log().count("Traceback")
    finally:
        served.__exit__(None, None, None)
    tick_note = tick(setup.server_env)
    checked = verify(setup.app, petition_id, sessions, tally)
    return {
        "scenario": name,
        "sent": tally.sent,
        **dict(tally.outcomes),
        **checked,
        "tracebacks_in_log": tracebacks,
        "tick": tick_note,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="PostgreSQL URL (default: SQLite in a temp folder)")
    parser.add_argument("--members", type=int, default=300, help="signers per scenario")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=16, help="concurrent signing clients")
    parser.add_argument("--seconds", type=float, default=60, help="upper bound per scenario")
    parser.add_argument("--only", help="comma-separated scenario names")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="voicebox-faults-"))
    instance = folder / "instance"
    proxy = None
    database_url = args.database_url or f"sqlite:///{folder / 'voicebox.sqlite3'}"
    served_url = database_url
    if args.database_url:
        parts = urllib.parse.urlsplit(args.database_url)
        proxy = CuttableProxy((parts.hostname or "127.0.0.1", parts.port or 5432))
        served_url = args.database_url.replace(parts.netloc.split("@")[-1], f"127.0.0.1:{proxy.port}")
    app = create_app(
        {"INSTANCE_PATH": str(instance), "SQLALCHEMY_DATABASE_URI": database_url, "AUTO_MIGRATE": True}
    )
    server_env = {
        "VOICEBOX_INSTANCE_PATH": str(instance),
        "DATABASE_URL": served_url,
        "VOICEBOX_RATELIMIT": "0",  # one client address sends everything
        "VOICEBOX_LOG_LEVEL": "warning",
        "VOICEBOX_DB_CONNECT_TIMEOUT": "2",
        "VOICEBOX_DB_STATEMENT_TIMEOUT": "2",
    }
    setup = Setup(folder, instance, database_url, server_env, app, args.workers, args.clients, args.seconds)
    sqlite_file = folder / "voicebox.sqlite3"

    def outage(_server: Server, setup: Setup) -> None:
        if proxy is not None:
            proxy.cut(5)
            time.sleep(5)
        else:
            hold_sqlite_lock(sqlite_file, 5)

    scenarios: dict[str, Callable[[], dict[str, object]]] = {
        "worker-kill9": lambda: run_scenario(
            setup, "worker-kill9", args.members, lambda s, _: kill_one_worker(s)
        ),
        "server-kill9": lambda: run_scenario(
            setup, "server-kill9", args.members, lambda s, _: kill_whole_server(s), restart=True
        ),
        "outage": lambda: run_scenario(setup, "outage", args.members, outage),
    }
    if proxy is None:
        # Disk full stays until the end of the scenario's first half; the server is then
        # restarted without the limit and the second half signs normally.
        scenarios["disk-full"] = lambda: run_scenario(
            setup, "disk-full", args.members, lambda s, _: fill_disk(s, sqlite_file), restart=True
        )
    chosen = args.only.split(",") if args.only else list(scenarios)
    print(
        f"database: {database_url.split('@')[-1]}; gunicorn {args.workers} workers; "
        f"{args.clients} clients; {args.members} signers per scenario; folder {folder}"
    )
    columns = (
        "sent",
        "acknowledged",
        "refused",
        "http-500",
        "cut",
        "lost",
        "stored_unacknowledged",
        "drift",
        "tracebacks_in_log",
    )
    headings = ("sent", "acked", "refused", "500s", "cut", "lost", "unacked-kept", "drift", "tracebacks")
    print(f"{'scenario':<13}" + "".join(f"{c:>13}" for c in headings))
    failed = False
    for name in chosen:
        result = scenarios[name]()
        failed |= bool(result.get("lost")) or bool(result.get("drift"))
        others = {k: v for k, v in result.items() if k.startswith("http-") and k != "http-500"}
        print(
            f"{name:<13}"
            + "".join(f"{result.get(c, 0)!s:>13}" for c in columns)
            + (f"  other: {others}" if others else "")
            + f"  ({result['tick']})",
            flush=True,
        )
    print(
        "FAIL: acknowledged signatures lost or counters drifted"
        if failed
        else "ok: nothing acknowledged was lost; counters match rows"
    )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
