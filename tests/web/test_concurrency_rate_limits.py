"""REDIS_URL puts rate-limit state in Redis: app instances (hosts, or workers) of one
deployment share the same limits. What Redis stores is keyed hashes with clock-aligned
expiries; signing stores nothing there at all, so a snapshot can't say who signed when.
Redis down or hanging: limits carry on in memory, with one warning, never a 500."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime

import pytest
import redis
from flask import url_for

from bench.harness import ROOT
from tests.support import PASSWORD
from voicebox.crypto import keyed_hash
from voicebox.models import Role
from voicebox.ratelimits import limiter

REDIS_URL = os.environ.get("VOICEBOX_TEST_REDIS_URL", "redis://127.0.0.1:6379/11")
CLIENT_ADDRESS = "203.0.113.77"
PER_USERNAME = 5
WINDOW_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}
DAILY = {"RATELIMIT_LOGIN_PER_USERNAME": f"{PER_USERNAME} per day"}


@pytest.fixture
def redis_client():
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.RedisError:
        pytest.skip(f"skipped: no Redis at {REDIS_URL}")
    client.flushdb()  # our own database number only
    yield client
    client.flushdb()
    client.close()
    assert not limiter._storage_dead, "Redis was up, yet the limiter fell back to memory"


def _shared(app, make_app, **config):
    """Another instance of the same deployment: same database, same secrets."""
    return make_app(
        RATELIMIT_ENABLED=True,
        INSTANCE_PATH=app.instance_path,
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        **config,
    )


def _bad_login(app, username: str = "nobody"):
    return app.test_client().post(
        "/login",
        data={"username": username, "password": "wrong-password-123"},
        environ_base={"REMOTE_ADDR": CLIENT_ADDRESS},
    )


# The other instance is another process, as another gunicorn worker or host would be: in
# one process Flask-Limiter's in-memory storage would be shared anyway and prove nothing.
OTHER_INSTANCE = f"""
from voicebox import create_app
app = create_app({{"AUTO_MIGRATE": False, "WTF_CSRF_ENABLED": False,
                   "RATELIMIT_LOGIN_PER_USERNAME": "{PER_USERNAME} per day"}})
client = app.test_client()
for _ in range({PER_USERNAME}):
    response = client.post("/login", data={{"username": "nobody", "password": "wrong-password-123"}},
                           environ_base={{"REMOTE_ADDR": "{CLIENT_ADDRESS}"}})
    print(response.status_code)
"""


def test_login_limit_is_shared_with_another_process(app, make_app, redis_client):
    first = _shared(app, make_app, RATELIMIT_STORAGE_URI=REDIS_URL, **DAILY)
    env = {
        **os.environ,
        "VOICEBOX_INSTANCE_PATH": first.instance_path,
        "DATABASE_URL": first.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": REDIS_URL,
        "VOICEBOX_RATELIMIT": "1",
    }
    other = subprocess.run(
        [sys.executable, "-c", OTHER_INSTANCE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert other.stdout.split() == ["200"] * PER_USERNAME
    # The next try is refused here although this process never saw the first ones.
    assert _bad_login(first).status_code == 429


def test_redis_holds_keyed_hashes_that_expire_on_the_clock(app, make_app, redis_client):
    first = _shared(app, make_app, RATELIMIT_STORAGE_URI=REDIS_URL, **DAILY)
    _bad_login(first)
    pepper = first.extensions["voicebox.secrets"].pepper
    address_hash = keyed_hash(pepper, "rate-limit", CLIENT_ADDRESS)
    username_hash = keyed_hash(pepper, "rate-limit-login", "nobody")
    keys = [key.decode() for key in redis_client.scan_iter()]
    assert any(address_hash in key for key in keys) and any(username_hash in key for key in keys)
    for key in keys:
        assert CLIENT_ADDRESS not in key and "nobody" not in key
        assert CLIENT_ADDRESS.encode() not in (redis_client.dump(key) or b"")
        # The window ends on the clock (the minute, hour or midnight UTC), not a window
        # after the attempt: the time-to-live doesn't say when the attempt was made.
        window = WINDOW_SECONDS[key.rsplit("/", 1)[1]]
        assert abs(redis_client.ttl(key) - (window - int(time.time()) % window)) <= 2, key


def test_a_signing_burst_leaves_nothing_in_redis_that_points_at_a_signer(
    app, make_app, make_user, make_petition, redis_client
):
    members = [make_user(Role.MEMBER) for _ in range(4)]
    petitions = [make_petition(title=f"Petition number {n}") for n in range(3)]
    limited = _shared(app, make_app, RATELIMIT_STORAGE_URI=REDIS_URL)
    clients = []
    with limited.test_request_context():
        for member in members:
            client = limited.test_client()
            client.login(member)
            clients.append(client)
        before = {key: redis_client.dump(key) for key in redis_client.scan_iter()}
        for client in clients:
            for petition in petitions:
                response = client.post(url_for("petitions.sign", petition_id=petition.id), data={})
                assert response.status_code == 302
        after = {key: redis_client.dump(key) for key in redis_client.scan_iter()}
    assert after == before, "signing wrote rate-limit state"
    pepper = limited.extensions["voicebox.secrets"].pepper
    day = datetime.now(UTC).date().isoformat()
    traces = [p.id for p in petitions] + [str(m.id) for m in members] + [m.username for m in members]
    traces += [keyed_hash(pepper, "rate-limit-account", f"{day}:{m.id}") for m in members]
    for key, value in after.items():
        for trace in traces:
            assert trace.encode() not in key and trace.encode() not in (value or b"")


def test_a_withdrawal_counts_in_a_shared_daily_bucket_that_names_no_action(
    app, make_app, make_user, make_petition, redis_client
):
    member = make_user(Role.MEMBER)
    petition = make_petition()
    limited = _shared(app, make_app, RATELIMIT_STORAGE_URI=REDIS_URL)
    with limited.test_request_context():
        client = limited.test_client()
        client.login(member)
        client.post(url_for("petitions.sign", petition_id=petition.id), data={})
        assert client.post(url_for("petitions.withdraw", petition_id=petition.id)).status_code == 302
    keys = [key.decode() for key in redis_client.scan_iter()]
    assert len(keys) == 1 and "/member-actions/" in keys[0]
    assert petition.id not in keys[0] and "withdraw" not in keys[0]


@pytest.fixture
def limiter_log(caplog):
    caplog.set_level(logging.INFO, logger="flask-limiter")
    return caplog


def _brute_force_until_429(app) -> list[int]:
    codes = []
    for _ in range(PER_USERNAME + 1):
        codes.append(_bad_login(app, "victim").status_code)
    return codes


def test_redis_down_falls_back_to_memory_with_one_warning(app, make_app, limiter_log):
    down = _shared(app, make_app, RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0", **DAILY)
    assert _brute_force_until_429(down) == [200] * PER_USERNAME + [429]
    with down.test_request_context():
        make_member(down)
    # Another account at the same address still signs in.
    down.test_client().login("colleague")
    assert down.test_client().get("/healthz").get_json()["rate_limits"] == "memory (redis unreachable)"
    warnings = [r for r in limiter_log.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1
    assert "falling back to in-memory" in warnings[0].getMessage()
    assert warnings[0].exc_info is None


def make_member(app) -> None:
    from voicebox.extensions import db
    from voicebox.models import User

    policy = app.extensions["voicebox.password_policy"]
    db.session.add(User(username="colleague", password_hash=policy.hash(PASSWORD), role=Role.MEMBER.value))
    db.session.commit()


@pytest.fixture
def blackhole():
    """A port that accepts connections and never answers, like a hung Redis."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    yield f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
    listener.close()


def test_a_blackholed_redis_costs_one_request_a_timeout_not_every_request(app, make_app, blackhole):
    hung = _shared(app, make_app, RATELIMIT_STORAGE_URI=blackhole, RATELIMIT_REDIS_TIMEOUT=0.5, **DAILY)
    started = time.monotonic()
    first = _bad_login(hung, "victim").status_code
    first_took = time.monotonic() - started
    started = time.monotonic()
    rest = [_bad_login(hung, "victim").status_code for _ in range(PER_USERNAME)]
    rest_took = time.monotonic() - started
    assert [first, *rest] == [200] * PER_USERNAME + [429]
    assert first_took < 2.5
    # Later requests re-check Redis only now and then (back-off), each check one timeout.
    assert rest_took < 3
