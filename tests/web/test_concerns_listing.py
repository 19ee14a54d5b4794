"""The concern listing: sort, filter, search, paginate, and hidden concerns."""

from __future__ import annotations

from flask import url_for

from tests.support import count_queued_now
from voicebox.concerns import moderation, service
from voicebox.concerns.listing import PER_PAGE
from voicebox.extensions import db
from voicebox.unit_of_work import unit_of_work


def _support(app, concern, members):
    for member in members:
        with unit_of_work(db.session):
            service.toggle_support(
                concern.id, member.id, keys=app.extensions["voicebox.keys"], today=concern.created_on
            )
    count_queued_now(app)


def test_listing_sorts_filters_and_searches(app, client, member, make_user, make_category, make_concern):
    monitoring = make_category("Monitoring")
    pay = make_category("Pay")
    quiet, _ = make_concern("Screen recorder", "It records screens.", monitoring.id)
    loud, _ = make_concern("Pay freeze", "Salaries frozen with a secretword inside.", pay.id)
    _support(app, loud, [make_user() for _ in range(3)])
    with unit_of_work(db.session):
        moderation.change_status(
            quiet.id,
            "acknowledged",
            actor_role="organizer",
            today=quiet.created_on,
            keys=app.extensions["voicebox.keys"],
        )
    client.login(member)

    page = client.get(url_for("concerns.index")).get_data(as_text=True)
    assert page.index("Pay freeze") < page.index("Screen recorder")
    assert "<strong>3</strong>" in page

    filtered = client.get(url_for("concerns.index", category=monitoring.id)).get_data(as_text=True)
    assert "Screen recorder" in filtered and "Pay freeze" not in filtered
    by_status = client.get(url_for("concerns.index", status="acknowledged")).get_data(as_text=True)
    assert "Screen recorder" in by_status and "Pay freeze" not in by_status

    body_hit = client.get(url_for("concerns.index", q="SECRETWORD")).get_data(as_text=True)
    assert "Pay freeze" in body_hit and "Screen recorder" not in body_hit
    title_hit = client.get(url_for("concerns.index", q="recorder")).get_data(as_text=True)
    assert "Screen recorder" in title_hit and "Pay freeze" not in title_hit
    assert "No concerns match." in client.get(url_for("concerns.index", q="zzzz")).get_data(as_text=True)


def test_odd_query_values_fall_back_instead_of_failing(client, member, make_concern):
    make_concern()
    client.login(member)
    response = client.get("/concerns?sort=evil&category=abc&status=nope&page=-3&q=" + "x" * 500)
    assert response.status_code == 200


def test_listing_paginates(client, member, make_concern):
    for i in range(PER_PAGE + 2):
        make_concern(f"Concern number {i:02d}", "Body text.")
    client.login(member)
    first = client.get(url_for("concerns.index", sort="newest")).get_data(as_text=True)
    assert f"{PER_PAGE + 2} concerns" in first
    assert "Page 1 of 2" in first
    second = client.get(url_for("concerns.index", sort="newest", page=2)).get_data(as_text=True)
    assert second.count('class="card concern-card') == 2
    assert client.get(url_for("concerns.index", page=99)).status_code == 200


def test_hidden_concerns_show_only_their_reason(client, users, make_concern):
    concern, _ = make_concern("Named a colleague", "Hidden body about Pat.")
    with unit_of_work(db.session):
        moderation.hide_concern(
            concern.id, "Names a colleague", actor_role="organizer", today=concern.created_on
        )
    db.session.expire_all()
    for role in ("member", "leadership", "admin"):
        client.login(users[role])
        listing = client.get(url_for("concerns.index")).get_data(as_text=True)
        assert "Hidden by moderators</a>: Names a colleague" in listing
        assert "Named a colleague" not in listing
        assert "Hidden body" not in listing
        detail = client.get(url_for("concerns.detail", concern_id=concern.id)).get_data(as_text=True)
        assert "Names a colleague" in detail
        assert "Hidden body" not in detail and "Named a colleague" not in detail
        assert "Hidden body" not in client.get(url_for("concerns.index", q="hidden")).get_data(as_text=True)
        client.logout()
    client.login(users["organizer"])
    detail = client.get(url_for("concerns.detail", concern_id=concern.id)).get_data(as_text=True)
    assert "Hidden body about Pat." in detail


def test_unknown_concern_is_404(client, member):
    client.login(member)
    assert client.get(url_for("concerns.detail", concern_id="nope")).status_code == 404
    assert client.post(url_for("concerns.support", concern_id="nope")).status_code == 404
