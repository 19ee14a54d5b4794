"""A real voicebox server process on loopback, seeded through the console commands.

The browser tests drive what a member would meet: the app served by its own process
(gunicorn with the project's gunicorn.conf.py, or `python app.py` without one), on an instance filled by
`flask --app app voicebox demo`, with accounts made by `create-user` and `invite`.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "plum-orbit-canvas-thunder-42"
STARTUP_SECONDS = 60
# The accounts the journeys sign in with, made by `voicebox create-user`.
ACCOUNTS = {
    "organizer": "journey-organizer",
    "leadership": "journey-leadership",
    "member": "journey-member",
    "admin": "journey-admin",
}


@dataclass
class LiveServer:
    url: str
    env: dict[str, str]
    instance: Path
    log: Path
    invite_code: str = ""
    accounts: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_environment(instance: Path, port: int) -> dict[str, str]:
    """The environment of both the console commands and the server: one instance, cheap hashing."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "FLASK_APP", "WERKZEUG_RUN_MAIN"}
    }
    env.update(
        VOICEBOX_INSTANCE_PATH=str(instance),
        PORT=str(port),
        HOST="127.0.0.1",
        VOICEBOX_ARGON2_TIME_COST="1",
        VOICEBOX_ARGON2_MEMORY_COST="64",
        VOICEBOX_RATELIMIT="0",
        # Signatures are counted in windows; a short one keeps journeys quick.
        VOICEBOX_COUNT_INTERVAL="1",
        # Read by gunicorn.conf.py; two small workers suit a shared two-core machine.
        VOICEBOX_BIND=f"127.0.0.1:{port}",
        VOICEBOX_WORKERS="2",
        VOICEBOX_THREADS="4",
        PYTHONUNBUFFERED="1",
    )
    return env


def voicebox_command(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    """Run `flask --app app voicebox ARGS` against the test instance; returns stdout."""
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "voicebox", *args],
        cwd=PROJECT_ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"voicebox {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def seed(server: LiveServer) -> None:
    """Demo data first (it insists on an empty instance), then the journeys' own accounts."""
    voicebox_command(server.env, "demo")
    for role, username in ACCOUNTS.items():
        voicebox_command(
            server.env,
            "create-user",
            username,
            "--role",
            role,
            "--password-stdin",
            stdin=PASSWORD + "\n",
        )
        server.accounts[role] = username
    server.invite_code = voicebox_command(server.env, "invite", "--role", "member", "--uses", "200").strip()


def server_command(port: int) -> list[str]:
    """gunicorn with the project's own settings when it has them, else `python app.py`."""
    if (PROJECT_ROOT / "gunicorn.conf.py").exists():
        return [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "app:app"]
    return [sys.executable, "app.py"]


def wait_until_healthy(server: LiveServer) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        assert server.process is not None
        if server.process.poll() is not None:
            raise RuntimeError(f"the server exited early:\n{server.log.read_text()}")
        try:
            with urllib.request.urlopen(f"{server.url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    raise RuntimeError(f"the server did not answer /healthz:\n{server.log.read_text()}")


def start(base: Path) -> LiveServer:
    """Seed a fresh instance under `base`, start the server, wait for /healthz."""
    port = free_port()
    instance = base / "instance"
    server = LiveServer(
        url=f"http://127.0.0.1:{port}",
        env=server_environment(instance, port),
        instance=instance,
        log=base / "server.log",
    )
    seed(server)
    with server.log.open("wb") as log:
        server.process = subprocess.Popen(
            server_command(port), cwd=PROJECT_ROOT, env=server.env, stdout=log, stderr=log
        )
    try:
        wait_until_healthy(server)
    except BaseException:
        stop(server)
        raise
    return server


def stop(server: LiveServer) -> None:
    if server.process is None or server.process.poll() is not None:
        return
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(timeout=10)
