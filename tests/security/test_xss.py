"""Every hostile payload, through every free-text field, comes back inert on every page
and export that shows it."""

from __future__ import annotations

import re

from flask import url_for
from sqlalchemy import select

from tests.support import receipt_shown_on
from tests.xss_payloads import XSS_PAYLOADS, live_markup_in
from voicebox.extensions import db
from voicebox.models import Concern, Group, Petition

# Tags our own templates put in the page body; anything else inside <main> came from a payload.
PAGE_TAGS = frozenset({"form", "input", "details"})


def _content(page: str) -> str:
    """What a payload could reach: the page's <main>, plus the <title> it feeds."""
    main = re.search(r"<main\b.*</main>", page, flags=re.S)
    title = re.search(r"<title>.*?</title>", page, flags=re.S)
    assert main and title
    return title.group(0) + main.group(0)


def _inert(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    page = response.get_data(as_text=True)
    found = live_markup_in(_content(page), PAGE_TAGS)
    assert not found, f"live markup on {url}: {found[:5]}"
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
        assert not live_markup_in(_content(page.get_data(as_text=True)), PAGE_TAGS)
    _inert(admin, url_for("admin.invites"))
    for payload in XSS_PAYLOADS[:10]:
        for url, data in (
            (url_for("auth.login"), {"username": payload, "password": payload}),
            (url_for("auth.register"), {"invite_code": payload, "username": payload, "password": payload}),
        ):
            response = world.app.test_client().post(url, data=data)
            assert not live_markup_in(_content(response.get_data(as_text=True)), PAGE_TAGS), (url, payload)


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
        assert not live_markup_in(_content(page.get_data(as_text=True)), PAGE_TAGS)
    for role in ("member", "organizer", "leadership", "admin"):
        client = world.client(role)
        _inert(client, url_for("concerns.index"))
        _inert(client, url_for("concerns.index", q="<script>alert(1)</script>"))
        for concern in concerns[:15]:
            _inert(client, url_for("concerns.detail", concern_id=concern.id))
    for url in (url_for("concerns.moderation_queue"), url_for("concerns.categories")):
        _inert(organizer, url)
    thread = member.post(url_for("followup.thread"), data={"receipt": receipts[0]}).get_data(as_text=True)
    assert not live_markup_in(_content(thread), PAGE_TAGS)
    assert re.search(r"&lt;script|&lt;img|&lt;svg", thread)
