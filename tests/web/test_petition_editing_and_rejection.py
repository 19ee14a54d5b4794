"""Authors edit their own drafts; organizers reject drafts with a public reason; both audited.
Closing and withdrawing go through a confirmation page that says what will happen."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import select

from tests.support import count_rows
from voicebox.extensions import db
from voicebox.models import AuditEvent, Cosponsorship, Petition, PetitionStatus, Role, Signature

EDIT = {
    "title": "Fair rotas, published early",
    "body": "Publish rotas four weeks ahead.",
    "goal": "80",
    "closes_on": "",
}


def _fresh(petition_id: str) -> Petition:
    db.session.expire_all()
    return db.session.get(Petition, petition_id)


def test_the_author_edits_their_draft_and_the_edit_is_audited(client, member, make_petition):
    draft = make_petition(title="Fair rotas", status="draft", author=member)
    client.login(member)
    page = client.get(url_for("petitions.detail", petition_id=draft.id)).get_data(as_text=True)
    assert "Edit this draft" in page
    form = client.get(url_for("petitions.edit", petition_id=draft.id)).get_data(as_text=True)
    assert 'value="Fair rotas"' in form
    done = client.post(url_for("petitions.edit", petition_id=draft.id), data=EDIT, follow_redirects=True)
    assert "Draft saved." in done.get_data(as_text=True)
    edited = _fresh(draft.id)
    assert (edited.title, edited.body, edited.goal) == (EDIT["title"], EDIT["body"], 80)
    edited_events = select(AuditEvent).where(AuditEvent.action == "edited a draft petition")
    events = db.session.scalars(edited_events).all()
    assert [(e.actor_role, e.subject) for e in events] == [("member", EDIT["title"])]


def test_nobody_else_can_edit_a_draft_and_nothing_changes(client, make_user, make_petition):
    draft = make_petition(title="Fair rotas", status="draft")
    client.login(make_user(Role.MEMBER, "someone-else"))
    page = client.get(url_for("petitions.detail", petition_id=draft.id)).get_data(as_text=True)
    assert "Edit this draft" not in page
    refused = client.post(url_for("petitions.edit", petition_id=draft.id), data=EDIT, follow_redirects=True)
    assert "Only the person who started a draft can edit it" in refused.get_data(as_text=True)
    assert _fresh(draft.id).title == "Fair rotas"
    assert count_rows(AuditEvent, AuditEvent.action == "edited a draft petition") == 0


def test_an_open_petition_can_no_longer_be_edited_by_its_author(client, member, make_petition):
    petition = make_petition(title="Fair rotas", author=member)
    client.login(member)
    client.post(url_for("petitions.edit", petition_id=petition.id), data=EDIT)
    assert _fresh(petition.id).title == "Fair rotas"


def test_editing_asks_co_sponsors_again(client, member, make_user, make_petition):
    draft = make_petition(status="draft", author=member)
    backer = make_user(Role.MEMBER, "backer")
    client.login(backer)
    client.post(url_for("petitions.cosponsor", petition_id=draft.id))
    assert _fresh(draft.id).cosponsor_count == 1
    client.logout()
    client.login(member)
    done = client.post(url_for("petitions.edit", petition_id=draft.id), data=EDIT, follow_redirects=True)
    assert "co-sponsor backed the earlier text, so they are asked again" in done.get_data(as_text=True)
    assert _fresh(draft.id).cosponsor_count == 0
    assert count_rows(Cosponsorship) == 0


def test_an_organizer_rejects_a_draft_with_a_reason_everyone_sees(
    app, client, organizer, member, make_petition
):
    draft = make_petition(title="Free cake", status="draft")
    client.login(organizer)
    confirm = client.get(url_for("petitions.confirm_reject", petition_id=draft.id)).get_data(as_text=True)
    assert "Reject this draft?" in confirm and "What happens" in confirm
    empty = client.post(url_for("petitions.reject", petition_id=draft.id), data={"reason": "  "})
    assert "Give the reason members will see" in empty.get_data(as_text=True)
    assert _fresh(draft.id).is_draft
    reason = {"reason": "Duplicates an open petition."}
    client.post(url_for("petitions.reject", petition_id=draft.id), data=reason)
    rejected = _fresh(draft.id)
    assert rejected.status == PetitionStatus.REJECTED
    assert rejected.author_nullifier is None
    assert not app.extensions["voicebox.keys"].exists("petition", rejected.id)
    rejections = select(AuditEvent).where(AuditEvent.action == "rejected a draft petition")
    event = db.session.scalars(rejections).one()
    assert event.subject == "Free cake: Duplicates an open petition."
    client.logout()
    client.login(member)
    page = client.get(url_for("petitions.detail", petition_id=draft.id)).get_data(as_text=True)
    assert "Rejected by organizers" in page and "Duplicates an open petition." in page
    assert "Co-sponsor this draft" not in page
    assert client.post(url_for("petitions.cosponsor", petition_id=draft.id)).status_code == 302
    assert count_rows(Cosponsorship) == 0


def test_only_drafts_can_be_rejected(client, organizer, make_petition):
    petition = make_petition()
    client.login(organizer)
    done = client.post(
        url_for("petitions.reject", petition_id=petition.id), data={"reason": "No."}, follow_redirects=True
    )
    assert "Only a draft can be rejected." in done.get_data(as_text=True)
    assert _fresh(petition.id).is_open


def test_rejected_drafts_stay_out_of_leadership_and_the_api(client, organizer, leadership, make_petition):
    draft = make_petition(title="Free cake", status="draft")
    client.login(organizer)
    client.post(url_for("petitions.reject", petition_id=draft.id), data={"reason": "Off topic."})
    client.logout()
    client.login(leadership)
    assert client.get(url_for("petitions.detail", petition_id=draft.id)).status_code == 404
    listed = client.get(url_for("api.petitions")).get_json()["petitions"]
    assert all(p["title"] != "Free cake" for p in listed)
    assert client.get(url_for("api.petition", petition_id=draft.id)).status_code == 404


def test_closing_asks_first_and_says_what_happens(client, organizer, make_petition):
    petition = make_petition()
    client.login(organizer)
    page = client.get(url_for("petitions.detail", petition_id=petition.id)).get_data(as_text=True)
    confirm_url = url_for("petitions.confirm_close", petition_id=petition.id)
    assert f'href="{confirm_url}"' in page
    confirm = client.get(confirm_url).get_data(as_text=True)
    assert "Close this petition?" in confirm
    assert "the server&#39;s administrators, can ever find out who signed" in confirm
    assert f'action="{url_for("petitions.close", petition_id=petition.id)}"' in confirm
    assert _fresh(petition.id).is_open  # looking at the question changes nothing


def test_withdrawing_asks_first(client, member, make_petition, sign):
    petition = make_petition()
    sign(petition, member)
    client.login(member)
    confirm_url = url_for("petitions.confirm_withdraw", petition_id=petition.id)
    confirm = client.get(confirm_url).get_data(as_text=True)
    assert "Withdraw your signature?" in confirm and "You can sign again" in confirm
    assert count_rows(Signature) == 1
    client.post(url_for("petitions.withdraw", petition_id=petition.id))
    assert count_rows(Signature) == 0
