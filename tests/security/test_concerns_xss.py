"""Every free-text field of concerns comes back inert on every page that shows it."""

from __future__ import annotations

from flask import url_for

from tests.support import receipt_shown_on
from tests.xss_payloads import XSS_PAYLOADS, assert_inert
from voicebox.extensions import db
from voicebox.models import Category, Concern


def test_payloads_render_inert_everywhere(client, users, make_concern):
    organizer, member = users["organizer"], users["member"]
    client.login(organizer)
    for payload in XSS_PAYLOADS:
        client.post(url_for("concerns.categories"), data={"name": payload[:80], "description": payload})
    assert db.session.query(Category).count() == len(XSS_PAYLOADS)
    assert_inert(client.get(url_for("concerns.categories")).get_data(as_text=True), "categories")
    category_id = db.session.query(Category).first().id
    client.logout()

    client.login(member)
    assert_inert(client.get(url_for("concerns.new")).get_data(as_text=True), "new form")
    receipts = []
    for payload in XSS_PAYLOADS:
        # With an email beside it, the identifying-text warning echoes the payload back too.
        warned = client.post(
            url_for("concerns.new"),
            data={"title": payload, "body": f"{payload} jo@example.com", "category": str(category_id)},
        )
        assert_inert(warned.get_data(as_text=True), f"warning for {payload!r}")
        posted = client.post(
            url_for("concerns.new"),
            data={
                "title": payload,
                "body": payload,
                "category": str(category_id),
                "confirm_identifying": "y",
            },
        )
        page = posted.get_data(as_text=True)
        assert_inert(page, f"receipt page for {payload!r}")
        receipts.append(receipt_shown_on(page))
    concerns = db.session.query(Concern).all()
    assert len(concerns) == len(XSS_PAYLOADS)
    client.logout()

    client.login(organizer)
    for concern, payload in zip(concerns, XSS_PAYLOADS, strict=False):
        client.post(url_for("concerns.reply", concern_id=concern.id), data={"message": payload})
        client.post(url_for("concerns.flag", concern_id=concern.id))
    for concern, payload in list(zip(concerns, XSS_PAYLOADS, strict=False))[::2]:
        client.post(url_for("concerns.hide", concern_id=concern.id), data={"reason": payload})
    for concern in concerns:
        detail = client.get(url_for("concerns.detail", concern_id=concern.id)).get_data(as_text=True)
        assert_inert(detail, f"organizer detail {concern.id}")
    assert_inert(client.get(url_for("concerns.moderation_queue")).get_data(as_text=True), "moderation")
    client.logout()

    client.login(member)
    for page in (1, 2):
        listing = client.get(url_for("concerns.index", page=page)).get_data(as_text=True)
        assert_inert(listing, f"listing page {page}")
    assert_inert(client.get(url_for("concerns.index", q="alert")).get_data(as_text=True), "search")
    for concern in concerns[:5]:
        detail = client.get(url_for("concerns.detail", concern_id=concern.id)).get_data(as_text=True)
        assert_inert(detail, f"member detail {concern.id}")
    for receipt, payload in zip(receipts, XSS_PAYLOADS, strict=True):
        thread = client.post(url_for("followup.thread"), data={"receipt": receipt, "message": payload})
        assert_inert(thread.get_data(as_text=True), f"follow-up for {payload!r}")


def test_the_inertness_check_itself_catches_live_markup():
    import pytest

    for live in (
        '<img src=x onerror="alert(1)">',
        "<script>alert(1)</script>",
        '<a href="&#106;avascript:alert(1)">x</a>',
        "<svg onload=alert(1)>",
    ):
        with pytest.raises(AssertionError):
            assert_inert(live, live)
    assert_inert("<p>&lt;script&gt;alert(1)&lt;/script&gt; onerror=</p>", "escaped")
