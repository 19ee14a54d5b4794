"""Routes without a limit don't pay for the limiter; routes with one are limited as before."""

from __future__ import annotations

import pytest
from flask import url_for

from voicebox.models import Role
from voicebox.ratelimits import limiter


@pytest.fixture
def consulted(monkeypatch):
    calls: list[str] = []
    original = limiter._check_request_limit

    def counting(*args, **kwargs):
        calls.append("checked")
        return original(*args, **kwargs)

    monkeypatch.setattr(limiter, "_check_request_limit", counting)
    return calls


def test_signing_and_reading_a_petition_never_ask_the_limiter(consulted, make_app, make_user, make_petition):
    # Built with the counting check in place; signing through Flask's view (the short path
    # in front of it never reaches the limiter at all).
    limited = make_app(RATELIMIT_ENABLED=True, SIGN_SHORT_PATH=False)
    with limited.test_request_context():
        member = make_user(Role.MEMBER)
        petition = make_petition()
        page = url_for("petitions.detail", petition_id=petition.id)
        sign = url_for("petitions.sign", petition_id=petition.id)
        client = limited.test_client()
        client.login(member)
        assert consulted, "signing in has limits: the limiter must be asked"
        consulted.clear()
        assert client.get(page + "?first=1").status_code == 200
        response = client.post(sign, follow_redirects=True)
        assert "Thank you for signing." in response.get_data(as_text=True)
        assert client.get(url_for("petitions.tally", petition_id=petition.id)).status_code == 200
        assert consulted == []
        client.post(url_for("auth.logout"))
        client.post(url_for("auth.login"), data={"username": member.username, "password": "wrong"})
        assert consulted, "a sign-in attempt must still be limited"


def test_a_limit_for_every_route_still_applies_to_pages(make_app, make_user, make_petition):
    limited = make_app(RATELIMIT_ENABLED=True, RATELIMIT_DEFAULT="3 per minute")
    with limited.test_request_context():
        member = make_user(Role.MEMBER)
        petition = make_petition()
        page = url_for("petitions.detail", petition_id=petition.id, first=1)
        client = limited.test_client()
        client.login(member)
        answers = [client.get(page).status_code for _ in range(6)]
    assert 429 in answers
