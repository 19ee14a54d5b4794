"""Leadership answers petitions and concerns; thresholds put petitions in their queue."""

from __future__ import annotations

import pytest
from flask import url_for
from sqlalchemy import select

from tests.support import count_rows
from voicebox.extensions import db
from voicebox.models import AuditEvent, OfficialResponse, ResponseThreshold, ThresholdCrossing
from voicebox.settings import instance_settings


def _respond(client, petition, status="in progress", body="We are **reviewing** the software."):
    return client.post(
        url_for("responses.respond_to_petition", petition_id=petition.id),
        data={"status": status, "body": body},
    )


def test_leadership_answers_a_petition_and_everyone_sees_it(client, leadership, member, make_petition):
    petition = make_petition()
    client.login(leadership)
    response = _respond(client, petition)
    assert response.headers["Location"].endswith(url_for("petitions.detail", petition_id=petition.id))
    stored = db.session.scalars(select(OfficialResponse)).one()
    assert (stored.petition_id, stored.status) == (petition.id, "in progress")
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action.like("responded to a petition%")))
    client.logout()

    client.login(member)
    page = client.get(url_for("petitions.detail", petition_id=petition.id)).get_data(as_text=True)
    assert "<strong>reviewing</strong>" in page
    assert "In progress" in page
    assert "Answered the same day" in page
    assert 'class="respond-form"' not in page
    feed = client.get(url_for("responses.feed")).get_data(as_text=True)
    assert petition.title in feed and "<strong>reviewing</strong>" in feed


def test_unanswered_items_show_how_long_they_have_waited(client, member, make_petition):
    petition = make_petition()
    client.login(member)
    page = client.get(url_for("petitions.detail", petition_id=petition.id)).get_data(as_text=True)
    assert "Posted today; not answered yet" in page


@pytest.mark.parametrize("role", ["member", "organizer", "admin"])
def test_only_leadership_may_respond(client, users, role, make_petition, make_concern_row):
    petition, concern = make_petition(), make_concern_row()
    client.login(users[role])
    assert _respond(client, petition).status_code == 403
    assert (
        client.post(
            url_for("responses.respond_to_concern", concern_id=concern.id),
            data={"status": "acknowledged", "body": "Noted."},
        ).status_code
        == 403
    )
    assert count_rows(OfficialResponse) == 0


def test_anonymous_visitors_are_sent_to_sign_in(client, make_petition):
    petition = make_petition()
    response = _respond(client, petition)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get(url_for("responses.feed")).status_code == 302
    assert count_rows(OfficialResponse) == 0


def test_bad_responses_get_clear_messages(client, leadership, make_petition, make_concern_row):
    petition = make_petition()
    client.login(leadership)
    page = client.get(_respond(client, petition, status="ignored").headers["Location"]).get_data(as_text=True)
    assert "Not a valid choice" in page or "Choose a status" in page
    page = client.get(_respond(client, petition, body="   ").headers["Location"]).get_data(as_text=True)
    assert "Write the response text." in page
    hidden = make_concern_row(hidden=True)
    client.post(
        url_for("responses.respond_to_concern", concern_id=hidden.id),
        data={"status": "acknowledged", "body": "x"},
    )
    assert count_rows(OfficialResponse) == 0
    assert _respond(client, type("P", (), {"id": "0" * 32})()).status_code == 404
    draft = make_petition(status="draft")
    assert _respond(client, draft).status_code == 404


def test_leadership_answers_a_concern(client, leadership, make_concern_row):
    concern = make_concern_row(title="Rota changes with no notice")
    client.login(leadership)
    client.post(
        url_for("responses.respond_to_concern", concern_id=concern.id),
        data={"status": "in progress", "body": "Two weeks' notice from now on."},
    )
    stored = db.session.scalars(select(OfficialResponse)).one()
    assert (stored.concern_id, stored.status) == (concern.id, "in progress")
    db.session.refresh(concern)
    assert concern.status == "in progress"  # one vocabulary: the answer moved the concern
    assert "Rota changes with no notice" in client.get(url_for("responses.feed")).get_data(as_text=True)


def test_admin_sets_thresholds_and_crossing_one_queues_the_petition(
    client, admin, leadership, member, make_petition, sign_many
):
    settings = instance_settings()
    settings.headcount = 40
    db.session.commit()
    client.login(admin)
    client.post(
        url_for("responses.threshold_settings"), data={"share_percent": "10", "respond_within_days": "14"}
    )
    assert db.session.scalars(select(ResponseThreshold)).one().share_percent == 10
    bad = client.post(
        url_for("responses.threshold_settings"), data={"share_percent": "150", "respond_within_days": "14"}
    )
    assert "from 1 to 100" in bad.get_data(as_text=True)
    client.logout()

    quiet, loud = make_petition(title="Quiet petition"), make_petition(title="Loud petition")
    sign_many(quiet, 3)
    sign_many(loud, 4)  # 10% of 40
    client.login(leadership)
    home = client.get("/").get_data(as_text=True)
    assert "Awaiting your response" in home
    queue = home.split('id="awaiting-list"')[1].split("</ol>")[0]
    assert "Loud petition" in queue and "Quiet petition" not in queue
    crossing = db.session.scalars(select(ThresholdCrossing)).one()
    assert crossing.petition_id == loud.id
    assert (crossing.due_on - crossing.crossed_on).days == 14
    _respond(client, loud)
    home = client.get("/").get_data(as_text=True)
    assert 'id="awaiting-list"' not in home
    assert "Response rate" in home
    client.logout()

    client.login(member)
    page = client.get(url_for("petitions.detail", petition_id=loud.id)).get_data(as_text=True)
    assert "10% of staff reached on" in page


@pytest.mark.parametrize("role", ["member", "organizer", "leadership"])
def test_only_admins_manage_thresholds(client, users, role):
    client.login(users[role])
    assert client.get(url_for("responses.threshold_settings")).status_code == 403
    assert (
        client.post(
            url_for("responses.threshold_settings"), data={"share_percent": "5", "respond_within_days": "7"}
        ).status_code
        == 403
    )
    assert count_rows(ResponseThreshold) == 0


def test_leadership_home_lists_concerns_oldest_first_and_never_hidden_ones(
    client, leadership, make_concern_row
):
    make_concern_row(title="Older concern")
    make_concern_row(title="Hidden concern title", hidden=True)
    client.login(leadership)
    home = client.get("/").get_data(as_text=True)
    assert "Older concern" in home
    assert "Hidden concern title" not in home


def test_concern_page_shows_answers_and_leadership_form(client, leadership, member, make_concern):
    concern, _ = make_concern(title="Keystroke logging on every laptop")
    client.login(leadership)
    page = client.get(url_for("concerns.detail", concern_id=concern.id)).get_data(as_text=True)
    assert 'class="respond-form"' in page
    response = client.post(
        url_for("responses.respond_to_concern", concern_id=concern.id),
        data={"status": "resolved", "body": "The agent is *removed*."},
    )
    assert response.headers["Location"].endswith(url_for("concerns.detail", concern_id=concern.id))
    client.logout()
    client.login(member)
    page = client.get(url_for("concerns.detail", concern_id=concern.id)).get_data(as_text=True)
    assert "<em>removed</em>" in page
    assert "Answered the same day" in page
    assert 'class="respond-form"' not in page
