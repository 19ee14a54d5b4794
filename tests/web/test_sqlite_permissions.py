"""SQLite permission faults: clear failures, recovery without a restart, one-line start-up
errors. See tests/permission_scenarios.py for how root is made to obey file modes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from voicebox import PROJECT_ROOT

SETPRIV = shutil.which("setpriv")
# Root keeps chown (to give a file away) but loses what lets it ignore modes and owners.
AS_ORDINARY_USER = [SETPRIV or "setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner"]


def _run(command: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    if os.geteuid() == 0:
        if SETPRIV is None:
            pytest.skip("running as root without setpriv: file modes can't be enforced")
        command = [*AS_ORDINARY_USER, *command]
    return subprocess.run(
        command,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def _scenario(name: str, folder: Path) -> subprocess.CompletedProcess[str]:
    return _run([sys.executable, "-m", "tests.permission_scenarios", name, str(folder)])


def test_a_database_made_read_only_under_a_running_app_fails_clearly_then_recovers(tmp_path):
    result = _scenario("read_only_under_a_running_app", tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]


def test_wal_and_shm_left_read_only_do_not_stop_the_next_start(tmp_path):
    result = _scenario("read_only_wal_and_shm_at_start", tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]


def test_a_database_owned_by_another_user_stops_start_up_with_one_line(tmp_path):
    instance = tmp_path / "instance"
    first = _run([sys.executable, "-c", "import app"], {"VOICEBOX_INSTANCE_PATH": str(instance)})
    assert first.returncode == 0, first.stderr[-3000:]
    database = instance / "voicebox.sqlite3"
    os.chown(database, 65534, 65534)  # e.g. restored by another account
    again = _run([sys.executable, "-c", "import app"], {"VOICEBOX_INSTANCE_PATH": str(instance)})
    assert again.returncode == 1
    lines = again.stderr.strip().splitlines()
    assert "Traceback" not in again.stderr
    assert lines[-1].startswith("voicebox: voicebox (running as ")
    assert f"can't use {database} (mode 0600, owner nobody)" in lines[-1]
    assert "run: chown " in lines[-1]
