"""A member's own account: password change ends other sessions, data download, deletion."""

from __future__ import annotations

import json

from flask import url_for
from sqlalchemy import select

from tests.support import PASSWORD, count_queued_now, count_rows
from voicebox.extensions import db
from voicebox.models import Petition, Signature, User
from voicebox.petitions import closing
from voicebox.unit_of_work import unit_of_work

NEW_PASSWORD = "harbor-violet-gravel-seventy-3"


def test_account_page_shows_only_what_the_account_holds(client, member):
    client.login(member)
    page = client.get(url_for("account.overview")).get_data(as_text=True)
    assert "mira" in page
    assert "member" in page
    assert url_for("account.delete") in page


def test_anonymous_visitor_is_sent_to_sign_in(client):
    for endpoint in ("account.overview", "account.password", "account.data", "account.delete"):
        response = client.get(url_for(endpoint))
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


def test_password_change_signs_out_every_other_session(app, member):
    here, elsewhere = app.test_client(), app.test_client()
    here.login(member)
    elsewhere.login(member)
    response = here.post(
        url_for("account.password"),
        data={"current_password": PASSWORD, "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert here.get(url_for("account.overview")).status_code == 200
    assert elsewhere.get(url_for("account.overview")).status_code == 302
    fresh = app.test_client()
    assert fresh.post("/login", data={"username": "mira", "password": PASSWORD}).status_code == 200
    fresh.login(member, NEW_PASSWORD)


def test_password_change_needs_the_current_password(client, member):
    client.login(member)
    before = db.session.get(User, member.id).password_hash
    response = client.post(
        url_for("account.password"),
        data={
            "current_password": "not-my-password-at-all",
            "password": NEW_PASSWORD,
            "password_confirm": NEW_PASSWORD,
        },
    )
    assert response.status_code == 200
    assert "current password is not correct" in response.get_data(as_text=True)
    assert db.session.get(User, member.id).password_hash == before


def test_password_change_rejects_short_weak_and_overlong_passwords(client, member):
    client.login(member)
    for bad in ("short-1", "passwordpassword", "a" * 129, "correct-horse" * 20):
        response = client.post(
            url_for("account.password"),
            data={"current_password": PASSWORD, "password": bad, "password_confirm": bad},
        )
        assert response.status_code == 200, bad
        assert 'class="error"' in response.get_data(as_text=True)
    client.login(member)  # the old password still works


def test_data_download_lists_own_signatures_and_nothing_of_others(
    app, client, member, make_user, make_petition, make_group, sign
):
    group = make_group("Warehouse")
    mine = make_petition(title="Mine to sign")
    theirs = make_petition(title="Only others signed")
    closed = make_petition(title="Signed before it closed")
    sign(mine, member, display_name="M. R.", group_id=group.id, comment="my private reason")
    sign(closed, member)
    sign(theirs, make_user())

    with unit_of_work(db.session):
        closing.close_petition(
            closed.id,
            actor_role="organizer",
            today=closed.created_on,
            secrets=app.extensions["voicebox.secrets"],
            keys=app.extensions["voicebox.keys"],
        )
    client.login(member)
    response = client.get(url_for("account.data"))
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    joined = member.created_on.isoformat()
    assert data["account"] == {"username": "mira", "role": "member", "created_on": joined}
    assert [s["petition"]["title"] for s in data["signatures"]] == ["Mine to sign"]
    assert data["signatures"][0]["comment"] == "my private reason"
    assert data["signatures"][0]["group"] == "Warehouse"
    assert data["signatures"][0]["public_name"] == "M. R."
    assert "can be linked" in data["not_included"]
    assert member.id not in response.get_data(as_text=True)


def test_data_download_includes_started_drafts(client, member, make_petition):
    make_petition(title="My own draft", status="draft", author=member)
    client.login(member)
    data = client.get(url_for("account.data")).get_json()
    assert [p["title"] for p in data["started_petitions"]] == ["My own draft"]


def test_deletion_offers_to_withdraw_and_does(client, member, make_petition, make_user, sign):
    first, second = make_petition(title="First"), make_petition(title="Second")
    sign(first, member)
    sign(second, member)
    sign(first, make_user())
    member_id = member.id
    client.login(member)
    page = client.get(url_for("account.delete")).get_data(as_text=True)
    assert "First" in page and "Second" in page
    assert 'name="withdraw"' in page
    response = client.post(url_for("account.delete"), data={"withdraw": "y", "password": PASSWORD})
    assert response.status_code == 302
    assert db.session.get(User, member_id) is None
    assert count_rows(Signature) == 1
    assert db.session.get(Petition, first.id).signature_count == 1
    assert db.session.get(Petition, second.id).signature_count == 0
    assert client.get(url_for("account.overview")).status_code == 302


def test_deletion_can_leave_signatures_counted(client, member, make_petition, sign):
    petition = make_petition()
    sign(petition, member)
    member_id = member.id
    client.login(member)
    client.post(url_for("account.delete"), data={"password": PASSWORD})
    assert db.session.get(User, member_id) is None
    assert db.session.get(Petition, petition.id).signature_count == 1
    assert count_rows(Signature) == 1


def test_deletion_needs_the_password(client, member):
    client.login(member)
    response = client.post(url_for("account.delete"), data={"password": "wrong-password-here"})
    assert response.status_code == 200
    assert db.session.scalars(select(User).where(User.id == member.id)).first() is not None


def test_the_only_admin_cannot_delete_their_account(client, admin):
    client.login(admin)
    response = client.post(url_for("account.delete"), data={"password": PASSWORD}, follow_redirects=True)
    assert "only admin" in response.get_data(as_text=True)
    assert db.session.get(User, admin.id) is not None


def test_me_toos_are_in_the_download_and_withdrawn_on_deletion(app, client, member, make_concern):
    from voicebox.concerns import service as concerns
    from voicebox.models import Concern, ConcernSupport

    concern, _receipt = make_concern(title="Backed by mira")
    other, _ = make_concern(title="Not backed")
    with unit_of_work(db.session):
        assert concerns.toggle_support(
            concern.id, member.id, keys=app.extensions["voicebox.keys"], today=concern.created_on
        )
    count_queued_now(app)
    assert db.session.get(Concern, concern.id).support_count == 1
    client.login(member)
    data = client.get(url_for("account.data")).get_json()
    assert [s["concern"]["title"] for s in data["concern_supports"]] == ["Backed by mira"]
    page = client.get(url_for("account.delete")).get_data(as_text=True)
    assert "Backed by mira" in page and "Not backed" not in page
    assert count_rows(ConcernSupport) == 1
    client.post(url_for("account.delete"), data={"withdraw": "y", "password": PASSWORD})
    assert count_rows(ConcernSupport) == 0
    assert db.session.get(Concern, concern.id).support_count == 0
    assert db.session.get(Concern, other.id).support_count == 0
