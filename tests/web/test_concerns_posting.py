"""A member raises a concern: receipt shown once, identifying-text warning, bad input."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import select

from tests.support import count_queued_now, count_rows, receipt_shown_on, recorded_writes
from voicebox.concerns.service import BODY_MAX, concern_body, receipt_hash
from voicebox.extensions import db
from voicebox.models import Concern, ConcernStatusChange


def _post(client, **data):
    return client.post(url_for("concerns.new"), data=data)


def test_posting_shows_the_receipt_once_and_stores_only_its_hash(app, client, member, make_category):
    category = make_category("Monitoring")
    client.login(member)
    form = client.get(url_for("concerns.new")).get_data(as_text=True)
    assert "Up to 10,000 characters" in form
    response = _post(
        client, title="Screenshots every minute", body="It **hurts** morale.", category=str(category.id)
    )
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    assert "This is the only time it is shown" in page
    phrase = receipt_shown_on(page)
    assert len(phrase.split()) == 8
    concern = db.session.scalars(select(Concern)).one()
    secrets = app.extensions["voicebox.secrets"]
    assert concern.receipt_hash == receipt_hash(secrets.pepper, phrase)
    assert concern.category_id == category.id
    assert concern.status == "open"
    assert concern_body(concern, secrets) == "It **hurts** morale."
    assert count_rows(ConcernStatusChange) == 1
    detail = client.get(url_for("concerns.detail", concern_id=concern.id)).get_data(as_text=True)
    assert "<strong>hurts</strong>" in detail
    assert phrase not in detail
    assert phrase not in client.get(url_for("concerns.index")).get_data(as_text=True)


def test_posting_writes_only_anonymous_rows(app, client, member):
    client.login(member)
    client.count_after_requests = False
    with recorded_writes(app) as writes:
        response = _post(client, title="Badge readers", body="They log bathroom breaks.")
    assert response.status_code == 200
    # The request only queues the concern, sealed; the counting window writes it later.
    tables = {table for _verb, table in writes}
    assert tables <= {"pending_actions", "counting_windows"}
    assert db.session.scalars(select(Concern)).first() is None
    with recorded_writes(app) as writes:
        count_queued_now(app)
    assert {table for _verb, table in writes} >= {"concerns", "concern_status_changes"}
    assert "users" not in {table for _verb, table in writes}
    assert db.session.scalars(select(Concern)).one().title == "Badge readers"


def test_identifying_text_is_pointed_out_before_anything_is_stored(client, member):
    client.login(member)
    response = _post(
        client,
        title="My manager",
        body="Email me at jo@example.com or call +44 20 7946 0958. I am mira, EMP-123456.",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "This text may identify you" in page
    assert "jo@example.com" in page
    assert "a phone number" in page
    assert "your username" in page
    assert "an employee or badge number" in page
    assert "confirm_identifying" in page
    assert count_rows(Concern) == 0

    posted = _post(client, title="My manager", body="Email me at jo@example.com", confirm_identifying="y")
    assert "only time it is shown" in posted.get_data(as_text=True)
    assert count_rows(Concern) == 1


def test_plain_text_posts_without_a_warning(client, member):
    client.login(member)
    response = _post(client, title="Canteen prices", body="Prices rose 30% this year.")
    assert "This text may identify you" not in response.get_data(as_text=True)
    assert count_rows(Concern) == 1


def test_bad_input_gets_a_message_and_stores_nothing(client, member, make_category):
    category = make_category()
    client.login(member)
    cases = [
        ({"title": "", "body": "text", "category": str(category.id)}, "Give the concern a short title."),
        ({"title": "t", "body": "   ", "category": str(category.id)}, "Describe the concern."),
        ({"title": "t", "body": "x" * (BODY_MAX + 1), "category": str(category.id)}, "10000"),
        ({"title": "x" * 201, "body": "text", "category": str(category.id)}, "200"),
        ({"title": "t", "body": "text", "category": "999"}, "Choose a category from the list."),
        ({"title": "t", "body": "text", "category": "nonsense"}, "Choose a category from the list."),
        ({"title": "t", "body": "text", "category": ""}, "Choose a category from the list."),
    ]
    for data, message in cases:
        response = _post(client, **data)
        assert response.status_code == 200, data
        assert message in response.get_data(as_text=True), data
    assert count_rows(Concern) == 0


def test_without_csrf_nothing_is_posted(client, member):
    client.login(member)
    response = client.post(url_for("concerns.new"), data={"title": "t", "body": "b"}, csrf=False)
    assert response.status_code == 400
    assert count_rows(Concern) == 0


def test_leadership_and_admin_cannot_post_and_visitors_must_sign_in(client, users):
    assert client.get(url_for("concerns.new")).status_code == 302
    assert client.get(url_for("concerns.index")).status_code == 302
    for role in ("leadership", "admin"):
        client.login(users[role])
        assert client.get(url_for("concerns.new")).status_code == 403
        assert _post(client, title="t", body="b").status_code == 403
        client.logout()
    assert count_rows(Concern) == 0


def test_posting_is_rate_limited(rate_limited_member):
    # Per address (the default is a generous 60 an hour): a day window can't reset mid-test.
    rate_limited_member.application.config["RATELIMIT_CONCERN_POSTS_PER_ADDRESS"] = "10 per day"
    codes = [_post(rate_limited_member, title=f"t{i}", body="b").status_code for i in range(11)]
    assert codes[:10] == [200] * 10
    assert codes[10] == 429
