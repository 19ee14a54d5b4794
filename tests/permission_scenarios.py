"""SQLite permission faults, run in a child process that obeys file modes even as root.

`python -m tests.permission_scenarios NAME FOLDER` runs one scenario and exits non-zero
(with the reason on stderr) if voicebox misbehaves. The test suite runs it under
`setpriv --bounding-set=-dac_override,-dac_read_search,-fowner` when it is root: without
those capabilities root is refused a write to a 0444 file like any other user, so chmod
really makes the database read-only (SQLite's own `mode=ro` or `PRAGMA query_only` would
not exercise the path a changed file mode takes).
"""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

os.environ.setdefault("VOICEBOX_ARGON2_TIME_COST", "1")
os.environ.setdefault("VOICEBOX_ARGON2_MEMORY_COST", "64")

from tests.support import PASSWORD, VoiceboxClient
from voicebox import create_app
from voicebox.auth.passwords import PasswordPolicy
from voicebox.auth.service import create_user
from voicebox.extensions import db
from voicebox.models import Role
from voicebox.unit_of_work import unit_of_work

OTHER_PASSWORD = "velvet-quarry-lantern-orbit-77"


def _app(folder: Path):
    app = create_app(
        {
            "INSTANCE_PATH": str(folder / "instance"),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'voicebox.sqlite3'}",
            "RATELIMIT_ENABLED": False,
        }
    )
    app.test_client_class = VoiceboxClient
    return app


def _check(condition: bool, message: str) -> None:
    if not condition:
        sys.exit(f"FAILED: {message}")


def _change_password(client: VoiceboxClient, old: str, new: str) -> int:
    response = client.post(
        "/account/password", data={"current_password": old, "password": new, "password_confirm": new}
    )
    return int(response.status_code)


def read_only_under_a_running_app(folder: Path) -> None:
    """chmod 0444 under the app: a clear 503; chmod 0600: the next request works."""
    app = _app(folder)
    with app.app_context(), unit_of_work(db.session):
        create_user("member1", PASSWORD, Role.MEMBER, PasswordPolicy(time_cost=1, memory_cost=64))
    client = app.test_client()
    client.count_after_requests = False  # the database fails on purpose here
    client.login("member1")
    _check(_change_password(client, PASSWORD, OTHER_PASSWORD) == 302, "writable: change works")
    database = folder / "voicebox.sqlite3"
    database.chmod(0o444)
    with app.app_context():
        db.engine.dispose()  # connections opened from now on see the read-only file
    for _attempt in range(3):
        response = client.post(
            "/account/password",
            data={"current_password": OTHER_PASSWORD, "password": PASSWORD, "password_confirm": PASSWORD},
        )
        _check(response.status_code == 503, f"read-only: expected 503, got {response.status_code}")
        _check("reach its database" in response.get_data(as_text=True), "read-only: our page")
    _check(client.get("/petitions").status_code == 200, "read-only: reading still works")
    database.chmod(0o600)
    status = _change_password(client, OTHER_PASSWORD, PASSWORD)
    _check(status == 302, f"writable again: the next write must work, got {status}")


def read_only_wal_and_shm_at_start(folder: Path) -> None:
    """-wal and -shm left 0444 (by a backup tool, a careless chmod) don't stop a start."""
    app = _app(folder)
    with app.app_context():
        db.engine.dispose()
    database = folder / "voicebox.sqlite3"
    holder = sqlite3.connect(database)  # keeps -wal and -shm in existence
    holder.execute("PRAGMA journal_mode=WAL")
    holder.execute("CREATE TABLE IF NOT EXISTS scratch (n INTEGER)")
    holder.commit()
    for suffix in ("-wal", "-shm"):
        Path(f"{database}{suffix}").chmod(0o444)
    holder.close()
    for suffix in ("-wal", "-shm"):
        path = Path(f"{database}{suffix}")
        if not path.exists():
            path.touch(0o444)
        path.chmod(0o444)
    restarted = _app(folder)
    _check(restarted.test_client().get("/healthz").status_code == 200, "restart: healthy")
    for suffix in ("", "-wal", "-shm"):
        mode = Path(f"{database}{suffix}").stat().st_mode & 0o777
        _check(mode == 0o600, f"restart: {suffix or 'database'} is {mode:o}, not 600")


SCENARIOS = {
    "read_only_under_a_running_app": read_only_under_a_running_app,
    "read_only_wal_and_shm_at_start": read_only_wal_and_shm_at_start,
}

if __name__ == "__main__":
    SCENARIOS[sys.argv[1]](Path(sys.argv[2]))
    print("ok")
