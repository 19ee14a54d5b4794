"""Personal access tokens: shown once, stored as keyed hashes, read-only, revocable."""

from __future__ import annotations

import re

from flask import url_for
from sqlalchemy import select

from tests.support import dump_database
from voicebox.extensions import db
from voicebox.models import ApiToken, AuditEvent


def _make_token(client, name="Union spreadsheet") -> str:
    page = client.post(url_for("api_tokens.index"), data={"name": name}).get_data(as_text=True)
    found = re.search(r'id="new-token">(vbx_[A-Za-z0-9_-]+)<', page)
    assert found, page
    return found.group(1)


def test_a_token_reads_the_api_without_a_session_and_is_stored_only_as_a_keyed_hash(
    app, client, member, make_petition
):
    make_petition(title="Stop the screenshots")
    client.login(member)
    account = client.get(url_for("account.overview")).get_data(as_text=True)
    assert url_for("api_tokens.index") in account
    raw = _make_token(client)
    client.logout()
    script = app.test_client()
    answer = script.get(url_for("api.petitions"), headers={"Authorization": f"Bearer {raw}"})
    assert answer.status_code == 200
    assert answer.get_json()["petitions"][0]["title"] == "Stop the screenshots"
    assert "Set-Cookie" not in answer.headers
    row = db.session.scalars(select(ApiToken)).one()
    assert row.scope == "read" and row.token_hash != raw and len(row.token_hash) == 64
    dump = repr(dump_database(app))
    assert raw not in dump and raw[4:] not in dump
    columns = set(ApiToken.__table__.columns.keys())
    assert columns == {
        "id",
        "user_id",
        "name",
        "token_hash",
        "scope",
        "created_on",
    }  # no use times, no addresses
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "created a read-only API token"))


def test_tokens_never_open_pages_or_change_anything(app, client, member, make_petition):
    petition = make_petition()
    client.login(member)
    raw = _make_token(client)
    client.logout()
    script = app.test_client()
    headers = {"Authorization": f"Bearer {raw}"}
    assert script.get(url_for("petitions.index"), headers=headers).status_code == 302  # to the sign-in page
    signed = script.post(url_for("petitions.sign", petition_id=petition.id), headers=headers, data={})
    assert signed.status_code in {302, 400}
    db.session.refresh(petition)
    assert petition.signature_count == 0
    assert script.post(url_for("api.petitions"), headers=headers).status_code == 405


def test_bad_and_revoked_tokens_get_401(app, client, member, make_user):
    client.login(member)
    raw = _make_token(client)
    script = app.test_client()
    for header in (f"Bearer {raw}x", "Bearer nonsense", f"Basic {raw}", "Bearer "):
        response = script.get(url_for("api.petitions"), headers={"Authorization": header})
        assert response.status_code == 401 and "token" in response.get_json()["error"]
    row = db.session.scalars(select(ApiToken)).one()
    other = app.test_client()
    other.login(make_user(username="someone-else"))
    assert other.post(url_for("api_tokens.revoke", token_id=row.id)).status_code == 302
    assert db.session.scalars(select(ApiToken)).one()  # not theirs to revoke
    client.post(url_for("api_tokens.revoke", token_id=row.id))
    assert db.session.scalars(select(ApiToken)).first() is None
    response = script.get(url_for("api.petitions"), headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 401


def test_token_names_are_required_and_bounded(client, member):
    client.login(member)
    page = client.post(url_for("api_tokens.index"), data={"name": "   "}).get_data(as_text=True)
    assert "Name the token" in page and 'id="new-token"' not in page
    assert db.session.scalars(select(ApiToken)).first() is None
