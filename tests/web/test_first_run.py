"""What a newcomer sees: `python app.py` on an empty folder serves, with a set-up link."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from voicebox import PROJECT_ROOT


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def served(tmp_path: Path):
    port = _free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "VOICEBOX_INSTANCE_PATH": str(tmp_path / "instance"),
        "PYTHONUNBUFFERED": "1",
    }
    stderr_path = tmp_path / "stderr.txt"
    with stderr_path.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "app.py"], cwd=PROJECT_ROOT, env=env, stdout=stderr, stderr=stderr
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(150):
                try:
                    with urllib.request.urlopen(f"{base}/healthz", timeout=1) as response:
                        if response.status == 200:
                            break
                except OSError:
                    time.sleep(0.1)
            else:
                pytest.fail("python app.py did not answer: " + stderr_path.read_text())
            yield base, stderr_path, tmp_path / "instance"
        finally:
            process.terminate()
            process.wait(timeout=10)


def test_python_app_py_serves_and_prints_a_one_time_setup_link(served):
    base, stderr_path, instance = served
    output = stderr_path.read_text()
    link = re.search(r"(http://127\.0\.0\.1:\d+/setup/[\w-]+)", output)
    assert link, output
    with urllib.request.urlopen(base + "/", timeout=5) as response:
        assert "This instance has no admin yet" in response.read().decode()
    with urllib.request.urlopen(link.group(1), timeout=5) as response:
        assert "Create the first admin" in response.read().decode()
    assert (instance / "secrets.json").stat().st_mode & 0o077 == 0
    assert (instance / "voicebox.sqlite3").is_file()
    # The development server's request log would hold client addresses: it is off.
    assert "127.0.0.1 - -" not in stderr_path.read_text()
    assert "GET /healthz" not in stderr_path.read_text()
