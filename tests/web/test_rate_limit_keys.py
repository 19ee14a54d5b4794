"""Each limit has the key that fits a workplace: a whole office behind one address never
shares a bucket, one account is limited wherever it comes from, and a proxy's
X-Forwarded-For counts only when the proxy is one we trust."""

from __future__ import annotations

import pytest
from flask import url_for

from tests.support import PASSWORD
from voicebox.anonymity import coarse_date
from voicebox.auth.service import create_invite
from voicebox.config import ConfigError
from voicebox.extensions import db
from voicebox.models import Role
from voicebox.ratelimits import trusted_proxy_middleware
from voicebox.unit_of_work import unit_of_work

OFFICE = "198.51.100.10"
# Day windows: a minute boundary in the middle of a test can't reset a count.
DAILY = {
    "RATELIMIT_LOGIN_PER_USERNAME": "3 per day",
    "RATELIMIT_LOGIN_PER_ADDRESS": "1000 per day",
    "RATELIMIT_MEMBER_ACTIONS_PER_ACCOUNT": "3 per day",
    "RATELIMIT_REGISTER_REFUSALS_PER_INVITE": "2 per day",
}


@pytest.fixture
def limited(app, make_app):
    """The plain app's database and secrets (so the factories work), with limits on.

    Built after the plain app: the one limiter object takes its on/off switch from the
    app bound last."""
    limited_app = make_app(
        RATELIMIT_ENABLED=True,
        INSTANCE_PATH=app.instance_path,
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        **DAILY,
    )
    with limited_app.test_request_context():
        yield limited_app


def _client(app, address: str = OFFICE):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _bad_login(client, username: str):
    return client.post("/login", data={"username": username, "password": "not-the-password-1"})


def test_a_locked_account_does_not_lock_out_a_colleague_at_the_same_address(limited, make_user):
    victim, colleague = make_user(Role.MEMBER), make_user(Role.MEMBER)
    attacker = _client(limited)
    assert [_bad_login(attacker, victim.username).status_code for _ in range(4)] == [200, 200, 200, 429]
    # Locked: the right password is refused too, from this address.
    right = {"username": victim.username, "password": PASSWORD}
    assert attacker.post("/login", data=right).status_code == 429
    assert (
        _client(limited)
        .post("/login", data={"username": colleague.username, "password": PASSWORD})
        .status_code
        == 302
    )


def test_one_username_is_limited_across_addresses(limited, make_user):
    victim = make_user(Role.MEMBER)
    for n in range(3):
        assert _bad_login(_client(limited, f"203.0.113.{n}"), victim.username).status_code == 200
    assert _bad_login(_client(limited, "203.0.113.99"), victim.username.upper()).status_code == 429


def test_correct_sign_ins_are_never_counted(limited, make_user):
    member = make_user(Role.MEMBER)
    for _ in range(6):
        client = _client(limited)
        client.login(member)


def test_the_address_ceiling_counts_failures_across_usernames(make_app):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN_PER_ADDRESS="4 per day")
    sprayer = _client(app)
    codes = [_bad_login(sprayer, f"name{n}").status_code for n in range(5)]
    assert codes == [200, 200, 200, 200, 429]
    assert _bad_login(_client(app, "198.51.100.11"), "name9").status_code == 200


def test_member_actions_share_one_bucket_per_account(limited, make_user, make_concern):
    first, second = make_user(Role.MEMBER), make_user(Role.MEMBER)
    concern, _receipt = make_concern()
    support = url_for("concerns.support", concern_id=concern.id)
    one, other = _client(limited), _client(limited)
    one.login(first)
    other.login(second)
    assert [one.post(support).status_code for _ in range(3)] == [302, 302, 302]
    assert one.post(url_for("concerns.flag", concern_id=concern.id)).status_code == 429
    # The same office address, another account: its own bucket.
    assert other.post(support).status_code == 302
    # The same account from elsewhere: still limited.
    elsewhere = _client(limited, "192.0.2.50")
    elsewhere.login(first)
    assert elsewhere.post(support).status_code == 429


def test_signing_is_not_rate_limited(limited, make_user, make_petition):
    member = make_user(Role.MEMBER)
    petitions = [make_petition(title=f"Petition number {n}") for n in range(6)]
    client = _client(limited)
    client.login(member)
    for petition in petitions:
        response = client.post(url_for("petitions.sign", petition_id=petition.id), data={})
        assert response.status_code == 302
        assert "X-RateLimit-Limit" not in response.headers


def test_refused_registrations_are_limited_per_invite_code(limited, make_user):
    taken = make_user(Role.MEMBER)
    pepper = limited.extensions["voicebox.secrets"].pepper
    today = coarse_date()
    with unit_of_work(db.session):
        code, other_code = (
            create_invite(
                Role.MEMBER, uses=9, expires_on=None, pepper=pepper, actor_role="admin", today=today
            )
            for _ in range(2)
        )

    def register(invite: str, username: str, address: str) -> int:
        data = {"invite_code": invite, "username": username, "password": PASSWORD}
        data["password_confirm"] = PASSWORD
        return _client(limited, address).post("/register", data=data).status_code

    assert register(code, taken.username, "192.0.2.1") == 200
    assert register(code.upper(), taken.username, "192.0.2.2") == 200
    assert register(code, taken.username, "192.0.2.3") == 429
    assert register(other_code, "fresh-name", "192.0.2.3") == 302


# --- trusted proxies -----------------------------------------------------------------


def _seen_address(setting: str, peer: str, forwarded: str | None) -> str:
    seen = {}

    def app(environ, start_response):
        seen["address"] = environ["REMOTE_ADDR"]
        return []

    environ = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        environ["HTTP_X_FORWARDED_FOR"] = forwarded
    trusted_proxy_middleware(app, setting)(environ, lambda *a: None)
    return seen["address"]


@pytest.mark.parametrize(
    ("setting", "peer", "forwarded", "expected"),
    [
        ("", "127.0.0.1", "203.0.113.5", "127.0.0.1"),  # no setting: the header is ignored
        ("1", "127.0.0.1", "203.0.113.5", "203.0.113.5"),
        ("1", "127.0.0.1", "6.6.6.6, 203.0.113.5", "203.0.113.5"),  # a client's own prefix is ignored
        ("127.0.0.1", "127.0.0.1", "203.0.113.5", "203.0.113.5"),
        ("127.0.0.1", "192.0.2.9", "203.0.113.5", "192.0.2.9"),  # not our proxy: header ignored
        ("10.0.0.0/8, 127.0.0.1", "127.0.0.1", "203.0.113.5, 10.1.2.3", "203.0.113.5"),
        ("127.0.0.1", "127.0.0.1", None, "127.0.0.1"),
    ],
)
def test_forwarded_for_is_honoured_only_from_trusted_proxies(setting, peer, forwarded, expected):
    assert _seen_address(setting, peer, forwarded) == expected


def test_per_address_ceilings_follow_the_trusted_proxy(make_app):
    app = make_app(
        RATELIMIT_ENABLED=True, RATELIMIT_LOGIN_PER_ADDRESS="2 per day", TRUSTED_PROXIES="127.0.0.1"
    )

    def attempt(peer: str, forwarded: str, n: int) -> int:
        client = _client(app, peer)
        return client.post(
            "/login",
            data={"username": f"user{n}", "password": "not-the-password-1"},
            headers={"X-Forwarded-For": forwarded},
        ).status_code

    # Through our proxy: two real clients, two buckets.
    assert [attempt("127.0.0.1", "203.0.113.1", n) for n in range(3)] == [200, 200, 429]
    assert attempt("127.0.0.1", "203.0.113.2", 9) == 200
    # Straight from elsewhere: a forged header can't buy fresh buckets.
    assert [attempt("192.0.2.7", f"203.0.113.{n + 50}", n) for n in range(3)] == [200, 200, 429]


def test_a_malformed_proxy_setting_stops_start_up(make_app):
    with pytest.raises(ConfigError, match="VOICEBOX_TRUSTED_PROXIES"):
        make_app(TRUSTED_PROXIES="the proxy")
