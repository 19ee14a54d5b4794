"""REDIS_URL puts rate-limit state in Redis: two app instances (two hosts, or two workers)
of one deployment share the same limits, and what Redis stores is a keyed hash of the
client address with an expiry, never the address itself (A4)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
import redis

from bench.harness import ROOT
from voicebox.crypto import keyed_hash

REDIS_URL = os.environ.get("VOICEBOX_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
CLIENT_ADDRESS = "203.0.113.77"
LOGIN_LIMIT_PER_MINUTE = 10


@pytest.fixture
def redis_client():
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.RedisError:
        pytest.skip(f"skipped: no Redis at {REDIS_URL}")
    yield client
    client.close()


@pytest.fixture
def two_instances(make_app, tmp_path, redis_client):
    """Two app instances of one deployment: same secrets, limits stored in Redis."""
    first = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=REDIS_URL)
    shared = tmp_path / "second-instance"
    shared.mkdir()
    shutil.copy(os.path.join(first.instance_path, "secrets.json"), shared / "secrets.json")
    second = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=REDIS_URL, INSTANCE_PATH=str(shared))
    client_hash = keyed_hash(first.extensions["voicebox.secrets"].pepper, "rate-limit", CLIENT_ADDRESS)
    yield first, second, client_hash
    for key in redis_client.scan_iter(match=f"*{client_hash}*"):
        redis_client.delete(key)


def _attempt_login(app):
    client = app.test_client()
    return client.post(
        "/login",
        data={"username": "nobody", "password": "wrong-password-123"},
        environ_base={"REMOTE_ADDR": CLIENT_ADDRESS},
    )


# The other instance is another process, as another gunicorn worker or host would be: in
# one process Flask-Limiter's in-memory storage would be shared anyway and prove nothing.
OTHER_INSTANCE = f"""
from voicebox import create_app
app = create_app({{"AUTO_MIGRATE": False, "WTF_CSRF_ENABLED": False}})
client = app.test_client()
for _ in range({LOGIN_LIMIT_PER_MINUTE}):
    response = client.post("/login", data={{"username": "nobody", "password": "wrong-password-123"}},
                           environ_base={{"REMOTE_ADDR": "{CLIENT_ADDRESS}"}})
    print(response.status_code)
"""


def test_login_limit_is_shared_with_another_process(two_instances):
    first, second, _hash = two_instances
    env = {
        **os.environ,
        "VOICEBOX_INSTANCE_PATH": second.instance_path,
        "DATABASE_URL": first.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": REDIS_URL,
        "VOICEBOX_RATELIMIT": "1",
    }
    other = subprocess.run(
        [sys.executable, "-c", OTHER_INSTANCE], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120, check=True,
    )
    assert other.stdout.split() == ["200"] * LOGIN_LIMIT_PER_MINUTE
    # The eleventh try is refused here although this instance never saw the first ten.
    assert _attempt_login(first).status_code == 429
    assert _attempt_login(second).status_code == 429


def test_redis_holds_a_keyed_hash_that_expires_not_the_address(two_instances, redis_client):
    first, _second, client_hash = two_instances
    _attempt_login(first)
    keys = [key.decode() for key in redis_client.scan_iter(match=f"*{client_hash}*")]
    assert keys
    everything = [key.decode() for key in redis_client.scan_iter(count=1000)]
    assert not any(CLIENT_ADDRESS in key for key in everything)
    for key in keys:
        assert CLIENT_ADDRESS.encode() not in (redis_client.dump(key) or b"")
        assert 0 < redis_client.ttl(key) <= 3600
