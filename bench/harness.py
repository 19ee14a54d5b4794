"""Shared by the benchmark and the multi-process tests: run gunicorn on loopback, and
mint logged-in member sessions in bulk without going through the login form."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import insert

ROOT = Path(__file__).resolve().parent.parent
CSRF_SALT = "wtf-csrf-token"  # Flask-WTF's salt for form tokens


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]


def _wait_until_up(server: Server, path: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited early:\n{server.log()}")
        try:
            with urllib.request.urlopen(server.url + path, timeout=2) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not answer {path} in {timeout} s:\n{server.log()}")


@contextmanager
def gunicorn_server(
    app_spec: str,
    env: Mapping[str, str],
    *,
    workers: int = 3,
    threads: int = 1,
    log_dir: Path,
    ready_path: str = "/healthz",
) -> Iterator[Server]:
    """Serve `app_spec` with the repository's gunicorn.conf.py on a free loopback port."""
    port = free_port()
    environment = {
        **os.environ,
        **env,
        "VOICEBOX_BIND": f"127.0.0.1:{port}",
        "VOICEBOX_WORKERS": str(workers),
        "VOICEBOX_THREADS": str(threads),
        "PYTHONPATH": str(ROOT),
    }
    log_path = log_dir / f"gunicorn-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), app_spec],
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = Server(f"http://127.0.0.1:{port}", process, log_path)
    try:
        _wait_until_up(server, ready_path, timeout=60)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass(frozen=True)
class MemberSession:
    """What a logged-in browser tab holds: the session cookie and a form's CSRF token."""

    username: str
    cookie: str
    csrf_token: str


def create_member_sessions(app: Flask, count: int, prefix: str = "member") -> list[MemberSession]:
    """Insert `count` member accounts in one statement and sign a session cookie for each.

    The cookies are exactly what a login would set (Flask-Login's session token plus a
    CSRF secret), signed with the instance's secret key, so a server on the same instance
    folder accepts them.
    """
    from voicebox.anonymity import random_id
    from voicebox.extensions import db
    from voicebox.models import Role, User
    from voicebox.unit_of_work import unit_of_work

    cookie_signer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    form_signer = URLSafeTimedSerializer(app.secret_key, salt=CSRF_SALT)  # type: ignore[arg-type]
    rows, sessions = [], []
    with app.app_context():
        # Nobody logs in with these: a hash no password matches keeps them inert.
        for n in range(count):
            username, token, csrf_raw = f"{prefix}{n}", random_id(), random_id() + random_id()
            rows.append(
                {
                    "id": random_id(),
                    "username": username,
                    "password_hash": "!",
                    "role": Role.MEMBER.value,
                    "session_token": token,
                }
            )
            cookie = cookie_signer.dumps({"_user_id": token, "_fresh": True, "csrf_token": csrf_raw})
            sessions.append(MemberSession(username, cookie, form_signer.dumps(csrf_raw)))
        with unit_of_work(db.session):
            for start in range(0, count, 5000):
                db.session.execute(insert(User), rows[start : start + 5000])
    return sessions


def open_petition(app: Flask, title: str, body: str, goal: int, open_days: int) -> str:
    """Start a petition and open it at once (no co-sponsors needed), in `app`'s context; its id."""
    from datetime import timedelta

    from voicebox.anonymity import coarse_date
    from voicebox.extensions import db
    from voicebox.petitions import drafts, service
    from voicebox.unit_of_work import unit_of_work

    today = coarse_date()
    with unit_of_work(db.session):
        petition = service.start_petition(
            "benchmark-author",
            title,
            body,
            goal,
            today + timedelta(days=open_days),
            keys=app.extensions["voicebox.keys"],
            today=today,
        )
    with unit_of_work(db.session):
        drafts.open_petition(petition.id, cosponsors_needed=0, actor_role="organizer", today=today)
    return petition.id
