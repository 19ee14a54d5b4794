"""Guessing is slowed to a crawl: repeated logins, registrations and receipt guesses hit 429
well before 20 tries, and the login and register pages never say whether an account exists."""

from __future__ import annotations

import re

import pytest
from flask import url_for

from tests.support import PASSWORD

MAX_TRIES = 20


def _tries_until_429(client, url: str, data_for) -> int:
    for attempt in range(1, MAX_TRIES + 1):
        response = client.post(url, data=data_for(attempt))
        if response.status_code == 429:
            assert "Retry-After" in response.headers
            return attempt
    pytest.fail(f"{url} took {MAX_TRIES} guesses without a 429")


@pytest.fixture
def limited_app(make_app):
    app = make_app(RATELIMIT_ENABLED=True)
    with app.test_request_context():
        yield app


def test_password_guessing_hits_429_before_20_tries(limited_app):
    from voicebox.extensions import db
    from voicebox.models import User

    policy = limited_app.extensions["voicebox.password_policy"]
    db.session.add(User(username="victim", password_hash=policy.hash(PASSWORD), role="member"))
    db.session.commit()
    client = limited_app.test_client()
    tries = _tries_until_429(
        client, "/login", lambda n: {"username": "victim", "password": f"guess-{n:04d}-xx"}
    )
    assert tries < MAX_TRIES
    # Even the right password is refused while the limit holds.
    assert client.post("/login", data={"username": "victim", "password": PASSWORD}).status_code == 429


def test_invite_guessing_hits_429_before_20_tries(limited_app):
    client = limited_app.test_client()
    tries = _tries_until_429(
        client,
        "/register",
        lambda n: {
            "invite_code": f"guess {n}",
            "username": f"user{n}",
            "password": PASSWORD,
            "password_confirm": PASSWORD,
        },
    )
    assert tries < MAX_TRIES


def test_guessing_one_account_does_not_lock_out_a_colleague_at_the_same_address(limited_app):
    from voicebox.extensions import db
    from voicebox.models import User

    policy = limited_app.extensions["voicebox.password_policy"]
    db.session.add(User(username="colleague", password_hash=policy.hash(PASSWORD), role="member"))
    db.session.commit()
    attacker = limited_app.test_client()
    attacker.environ_base["REMOTE_ADDR"] = "198.51.100.1"
    _tries_until_429(attacker, "/login", lambda n: {"username": "x", "password": f"guess-{n:04d}-xx"})
    colleague = limited_app.test_client()
    colleague.environ_base["REMOTE_ADDR"] = "198.51.100.1"
    assert colleague.post("/login", data={"username": "colleague", "password": PASSWORD}).status_code == 302


def _form_text(html: str) -> str:
    """The page minus its per-request CSRF token."""
    return re.sub(r'name="csrf_token" type="hidden" value="[^"]+"|value="[^"]*"', "", html)


def test_login_does_not_say_whether_the_account_exists(client, member):
    unknown = client.post("/login", data={"username": "no-such-person", "password": "some-password-1"})
    known = client.post("/login", data={"username": member.username, "password": "some-password-1"})
    assert unknown.status_code == known.status_code == 200
    assert _form_text(unknown.get_data(as_text=True)) == _form_text(known.get_data(as_text=True))


def test_unknown_usernames_still_cost_a_password_check(app, client, monkeypatch):
    policy = app.extensions["voicebox.password_policy"]
    calls = []
    original = type(policy).verify
    monkeypatch.setattr(type(policy), "verify", lambda self, *a: calls.append(a) or original(self, *a))
    client.post("/login", data={"username": "no-such-person", "password": "some-password-1"})
    assert calls, "an unknown username returned without verifying a dummy hash"


def test_register_without_a_valid_invite_never_reveals_usernames(client, member):
    taken = client.post(
        url_for("auth.register"),
        data={
            "invite_code": "bogus code",
            "username": member.username,
            "password": PASSWORD,
            "password_confirm": PASSWORD,
        },
    )
    free = client.post(
        url_for("auth.register"),
        data={
            "invite_code": "bogus code",
            "username": "free-name",
            "password": PASSWORD,
            "password_confirm": PASSWORD,
        },
    )
    taken_page, free_page = taken.get_data(as_text=True), free.get_data(as_text=True)
    assert "taken" not in taken_page
    assert _form_text(taken_page).replace(member.username, "") == _form_text(free_page).replace(
        "free-name", ""
    )


def test_receipt_guessing_hits_429_before_20_tries(rate_limited_member):
    tries = _tries_until_429(
        rate_limited_member,
        "/followup",
        lambda n: {"receipt": f"apple banana cherry delta echo foxtrot golf {n}", "message": ""},
    )
    assert tries < MAX_TRIES
