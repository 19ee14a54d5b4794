"""Every hostile payload, through every free-text field, comes back inert on every page
and export that shows it."""

from __future__ import annotations

import re

from flask import url_for
from sqlalchemy import select

from tests.support import receipt_shown_on
from tests.xss_payloads import XSS_PAYLOADS, assert_inert
from voicebox.extensions import db
from voicebox.models import Concern, Group, Petition


def _inert(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    page = response.get_data(as_text=True)
    assert_inert(page, url)
    return page


def test_payloads_through_petition_and_signing_fields(app, world):
    member, organizer = world.client("member"), world.client("organizer")
    for number, payload in enumerate(XSS_PAYLOADS):
        member.post(url_for("petitions.new"), data={"title": payload[:200], "body": payload, "goal": "10"})
        organizer.post(
            url_for("admin.groups"), data={"name": f"{number} {payload}"[:80], "kind": "department"}
        )
    drafts = db.session.scalars(select(Petition).where(Petition.status == "draft")).all()
    assert len(drafts) >= len(XSS_PAYLOADS)
    for petition in drafts[:12]:
        organizer.post(url_for("petitions.open_for_signing", petition_id=petition.id))
    groups = db.session.scalars(select(Group)).all()
    assert len(groups) > 20
    for number, payload in enumerate(XSS_PAYLOADS):
        signer = world.client("member") if number == 0 else member
        target = drafts[number % 12]
        world.client("organizer").post(
            url_for("petitions.sign", petition_id=target.id),
            data={
                "display_name": payload[:60],
                "group": str(groups[number % len(groups)].id),
                "comment": payload,
            },
        )
        if number == 0:
            signer.post(url_for("petitions.sign", petition_id=target.id), data={"display_name": payload[:60]})
    for role in ("member", "organizer", "leadership", "admin"):
        client = world.client(role)
        for url in (url_for("main.index"), url_for("petitions.index"), url_for("audit.index")):
            _inert(client, url)
        # Leadership never sees drafts (404); everyone else checks a few drafts too.
        for petition in drafts[:12] + ([] if role == "leadership" else drafts[-3:]):
            _inert(client, url_for("petitions.detail", petition_id=petition.id))
    staff = world.client("organizer")
    _inert(staff, url_for("admin.groups"))
    data = world.client("organizer").get(url_for("account.data"))
    assert data.mimetype == "application/json"
    assert data.headers["X-Content-Type-Options"] == "nosniff"


def test_payloads_through_invite_notes_and_account_forms(app, world):
    admin = world.client("admin")
    for payload in XSS_PAYLOADS:
        page = admin.post(url_for("admin.invites"), data={"role": "member", "uses": "1", "note": payload})
        assert_inert(page.get_data(as_text=True), page.request.path)
    _inert(admin, url_for("admin.invites"))
    for payload in XSS_PAYLOADS[:10]:
        for url, data in (
            (url_for("auth.login"), {"username": payload, "password": payload}),
            (url_for("auth.register"), {"invite_code": payload, "username": payload, "password": payload}),
        ):
            response = world.app.test_client().post(url, data=data)
            assert_inert(response.get_data(as_text=True), f"{url} with {payload!r}")


def test_payloads_through_concerns_follow_ups_and_moderation(app, world):
    member, organizer = world.client("member"), world.client("organizer")
    receipts = []
    for number, payload in enumerate(XSS_PAYLOADS):
        if number % 3 == 0:
            organizer.post(
                url_for("concerns.categories"),
                data={"name": f"{number} {payload}"[:80], "description": payload[:200]},
            )
        response = member.post(
            url_for("concerns.new"),
            data={
                "title": payload[:200],
                "body": payload,
                "category": str(world.category_id),
                "confirm_identifying": "y",
            },
        )
        page = response.get_data(as_text=True)
        if 'id="receipt"' in page:
            receipts.append(receipt_shown_on(page))
    assert len(receipts) > 20
    concerns = db.session.scalars(select(Concern)).all()
    for number, concern in enumerate(concerns[:12]):
        payload = XSS_PAYLOADS[number]
        organizer.post(url_for("concerns.reply", concern_id=concern.id), data={"message": payload})
        world.client("leadership").post(
            url_for("concerns.reply", concern_id=concern.id), data={"message": payload}
        )
    hidden = concerns[-1]
    organizer.post(url_for("concerns.hide", concern_id=hidden.id), data={"reason": XSS_PAYLOADS[0]})
    for receipt, payload in zip(receipts[:8], XSS_PAYLOADS, strict=False):
        page = member.post(url_for("followup.thread"), data={"receipt": receipt, "message": payload})
        assert_inert(page.get_data(as_text=True), page.request.path)
    for role in ("member", "organizer", "leadership", "admin"):
        client = world.client(role)
        _inert(client, url_for("concerns.index"))
        _inert(client, url_for("concerns.index", q="<script>alert(1)</script>"))
        for concern in concerns[:15]:
            _inert(client, url_for("concerns.detail", concern_id=concern.id))
    for url in (url_for("concerns.moderation_queue"), url_for("concerns.categories")):
        _inert(organizer, url)
    thread = member.post(url_for("followup.thread"), data={"receipt": receipts[0]}).get_data(as_text=True)
    assert_inert(thread, "the follow-up thread")
    assert re.search(r"&lt;script|&lt;img|&lt;svg", thread)
