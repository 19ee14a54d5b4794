"""Starting a petition: validation, co-sponsors, and who may open or close it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import url_for
from sqlalchemy import select

from tests.support import count_rows
from voicebox.anonymity import coarse_date
from voicebox.extensions import db
from voicebox.models import AuditEvent, Cosponsorship, Petition, PetitionStatus, Role
from voicebox.settings import instance_settings

GOOD = {"title": "Remove the keylogger", "body": "Please remove it.", "goal": "100", "closes_on": ""}


def _start(client, **changes):
    return client.post(url_for("petitions.new"), data={**GOOD, **changes})


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": ""}, "Give the petition a title."),
        ({"title": "   "}, "Give the petition a title."),
        ({"title": "x" * 201}, "Field cannot be longer than 200 characters."),
        ({"body": ""}, "Say what the petition asks for."),
        ({"goal": "-1"}, "Choose a goal from 1 to 10,000,000."),
        ({"goal": "0"}, "Choose a goal from 1 to 10,000,000."),
        ({"goal": "lots"}, "Not a valid integer value."),
        ({"closes_on": (coarse_date() - timedelta(days=1)).isoformat()}, "must be after today"),
        ({"closes_on": coarse_date().isoformat()}, "must be after today"),
        ({"closes_on": "31/02/2026"}, "Not a valid date value."),
    ],
)
def test_bad_petitions_are_refused_on_the_form_and_nothing_is_stored(client, member, changes, message):
    client.login(member)
    response = _start(client, **changes)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message in page
    assert 'aria-invalid="true"' in page
    assert count_rows(Petition) == 0


def test_a_ten_megabyte_title_gets_a_friendly_too_large_page(client, member):
    client.login(member)
    response = _start(client, title="x" * 10_000_000)
    assert response.status_code == 413
    assert "That was too large" in response.get_data(as_text=True)
    assert count_rows(Petition) == 0


def test_a_post_without_a_csrf_token_is_refused(client, member):
    client.login(member)
    response = client.post(url_for("petitions.new"), data=GOOD, csrf=False)
    assert response.status_code == 400
    assert count_rows(Petition) == 0


def _needs_cosponsors(n: int) -> None:
    instance_settings().cosponsors_needed = n
    db.session.commit()


def test_a_draft_needs_its_cosponsors_before_an_organizer_can_open_it(
    client, make_user, organizer, make_petition
):
    _needs_cosponsors(2)
    author = make_user(Role.MEMBER, "author")
    draft = make_petition(status="draft", author=author)
    detail = url_for("petitions.detail", petition_id=draft.id)

    client.login(organizer)
    client.post(url_for("petitions.open_for_signing", petition_id=draft.id))
    assert "needs 2 more co-sponsors" in client.get(detail).get_data(as_text=True)
    assert db.session.get(Petition, draft.id).status == PetitionStatus.DRAFT
    client.logout()

    client.login(author)
    client.post(url_for("petitions.cosponsor", petition_id=draft.id))
    assert "You started this petition" in client.get(detail).get_data(as_text=True)
    client.logout()

    for name in ("backer1", "backer2"):
        client.login(make_user(Role.MEMBER, name))
        client.post(url_for("petitions.cosponsor", petition_id=draft.id))
        client.post(url_for("petitions.cosponsor", petition_id=draft.id))
        assert "You co-sponsor this draft" in client.get(detail).get_data(as_text=True)
        client.logout()
    assert db.session.get(Petition, draft.id).cosponsor_count == 2

    client.login(organizer)
    client.post(url_for("petitions.open_for_signing", petition_id=draft.id))
    opened = db.session.get(Petition, draft.id)
    assert opened.status == PetitionStatus.OPEN
    assert opened.opened_on == coarse_date()
    # Once open, who co-sponsored no longer matters: only the count is kept.
    assert count_rows(Cosponsorship) == 0
    assert opened.cosponsor_count == 2
    events = db.session.scalars(select(AuditEvent.action)).all()
    assert "opened a petition" in events


@pytest.mark.parametrize("role", [Role.MEMBER, Role.LEADERSHIP, Role.ADMIN])
def test_only_organizers_open_and_close_petitions(client, make_user, make_petition, role):
    draft = make_petition(status="draft")
    open_one = make_petition()
    client.login(make_user(role))
    assert client.post(url_for("petitions.open_for_signing", petition_id=draft.id)).status_code == 403
    assert client.post(url_for("petitions.close", petition_id=open_one.id)).status_code == 403
    assert db.session.get(Petition, draft.id).status == PetitionStatus.DRAFT
    assert db.session.get(Petition, open_one.id).status == PetitionStatus.OPEN


@pytest.mark.parametrize("role", [Role.LEADERSHIP, Role.ADMIN])
def test_only_members_and_organizers_start_petitions(client, make_user, role):
    client.login(make_user(role))
    assert client.get(url_for("petitions.new")).status_code == 403
    assert _start(client).status_code == 403
    assert count_rows(Petition) == 0


def test_an_organizer_closes_a_petition_and_its_key_is_destroyed(app, client, organizer, make_petition):
    petition = make_petition()
    keys = app.extensions["voicebox.keys"]
    assert keys.exists("petition", petition.id)
    client.login(organizer)
    response = client.post(url_for("petitions.close", petition_id=petition.id))
    assert response.status_code == 302
    closed = db.session.get(Petition, petition.id)
    assert closed.status == PetitionStatus.CLOSED
    assert closed.author_nullifier is None
    # The key never was in the database (no column for it); now its key-store file is gone.
    assert not hasattr(closed, "wrapped_key")
    assert not keys.exists("petition", petition.id) and keys.get("petition", petition.id) is None
    assert not any(petition.id in path.name for path in keys.folder.iterdir())
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Closed. Signing has stopped, and nobody can ever find out who signed." in page
