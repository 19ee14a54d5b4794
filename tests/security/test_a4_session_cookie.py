"""A4 and sessions: the cookie carries nothing from the network, and signing out ends it for good."""

from __future__ import annotations

import hashlib
import json

from flask import url_for
from sqlalchemy import select

from tests.support import PASSWORD
from voicebox.extensions import db
from voicebox.models import User

ADDRESS = "198.51.100.23"
AGENT = "OkapiBrowser/3.1 (cookie-contents-check)"
ALLOWED_KEYS = {"_user_id", "_fresh", "_permanent", "csrf_token", "_flashes"}


def _client(app, address: str = ADDRESS):
    client = app.test_client()
    client.environ_base.update({"REMOTE_ADDR": address, "HTTP_USER_AGENT": AGENT})
    return client


def _cookie(client) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None, "no session cookie was set"
    return cookie.value


def _decode(app, value: str) -> dict:
    return app.session_interface.get_signing_serializer(app).loads(value)


def _flask_login_identifier(address: str, agent: str) -> str:
    # What Flask-Login's _create_identifier would store as `_id` for this client.
    return hashlib.sha512(f"{address}|{agent}".encode()).hexdigest()


def test_the_session_cookie_holds_no_address_or_agent_derived_value(app, member):
    client = _client(app)
    client.post("/login", data={"username": member.username, "password": PASSWORD})
    client.get("/account")
    session = _decode(app, _cookie(client))
    assert session.get("_user_id") == db.session.get(User, member.id).session_token
    assert "_id" not in session
    assert set(session) <= ALLOWED_KEYS, f"unexpected cookie keys {set(session) - ALLOWED_KEYS}"
    text = json.dumps(session, default=str)
    forbidden = (ADDRESS, AGENT, "cookie-contents-check", _flask_login_identifier(ADDRESS, AGENT))
    for footprint in forbidden:
        assert footprint not in text
    assert member.id not in text and member.username not in text


def test_two_clients_on_different_addresses_get_cookies_alike_but_for_csrf(app, member):
    first, second = _client(app, ADDRESS), _client(app, "192.0.2.200")
    for client in (first, second):
        client.post("/login", data={"username": member.username, "password": PASSWORD})
    a, b = _decode(app, _cookie(first)), _decode(app, _cookie(second))
    a.pop("csrf_token", None), b.pop("csrf_token", None)
    assert a == b


def test_replaying_the_old_cookie_after_logout_opens_nothing(app, member):
    client = _client(app)
    client.post("/login", data={"username": member.username, "password": PASSWORD})
    assert client.get("/account").status_code == 200
    stolen = _cookie(client)
    token_before = db.session.get(User, member.id).session_token

    assert client.logout().status_code == 302
    assert db.session.scalars(select(User.session_token).where(User.id == member.id)).one() != token_before

    replay = _client(app)
    replay.set_cookie("session", stolen, domain="localhost")
    for path in ("/account", "/account/data"):
        response = replay.get(path)
        assert response.status_code == 302, f"{path} still opens with the old cookie"
        assert response.headers["Location"].startswith(url_for("auth.login"))
        assert member.username not in response.get_data(as_text=True)


def test_signing_out_ends_every_session_of_that_account_only(app, member, organizer):
    laptop, phone, colleague = _client(app), _client(app), _client(app)
    laptop.post("/login", data={"username": member.username, "password": PASSWORD})
    phone.post("/login", data={"username": member.username, "password": PASSWORD})
    colleague.post("/login", data={"username": organizer.username, "password": PASSWORD})
    laptop.logout()
    assert phone.get("/account").status_code == 302
    assert colleague.get("/account").status_code == 200
    again = _client(app)
    again.post("/login", data={"username": member.username, "password": PASSWORD})
    assert again.get("/account").status_code == 200


def test_a_logout_that_is_not_a_post_changes_nothing(app, member):
    client = _client(app)
    client.post("/login", data={"username": member.username, "password": PASSWORD})
    token = db.session.get(User, member.id).session_token
    assert client.get("/logout").status_code == 200
    assert db.session.get(User, member.id).session_token == token
    assert client.get("/account").status_code == 200
