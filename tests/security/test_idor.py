"""Guessing ids gets nothing: hidden concerns, other people's threads, drafts for leadership."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import select

from tests.support import count_queued_now, count_rows, receipt_shown_on
from voicebox.anonymity import random_id
from voicebox.extensions import db
from voicebox.models import Concern, Cosponsorship, FollowupMessage, Invite, Petition, Signature, User


def _post_concern(client, world, title: str, body: str) -> str:
    page = client.post(
        url_for("concerns.new"),
        data={"title": title, "body": body, "category": str(world.category_id), "confirm_identifying": "y"},
    ).get_data(as_text=True)
    return receipt_shown_on(page)


def test_guessed_ids_are_404_for_every_role(world):
    for role in ("member", "organizer", "leadership", "admin"):
        client = world.client(role)
        for endpoint, name in (("concerns.detail", "concern_id"), ("petitions.detail", "petition_id")):
            for guess in (random_id(), "1", "0", "../admin", "%00", "' OR 1=1 --"):
                response = client.get(url_for(endpoint, **{name: guess}))
                assert response.status_code == 404, (role, endpoint, guess)


def _concern_titled(title: str) -> Concern:
    return db.session.scalars(select(Concern).where(Concern.title == title)).one()


def _thread_of(title: str) -> list[str]:
    """Who wrote each message stored in a concern's thread, oldest first."""
    concern = _concern_titled(title)
    return list(
        db.session.scalars(
            select(FollowupMessage.sender_role)
            .where(FollowupMessage.concern_id == concern.id)
            .order_by(FollowupMessage.position)
        )
    )


def test_a_receipt_opens_only_its_own_thread(world):
    author_a, author_b = world.client("member"), world.client("organizer")
    receipt_a = _post_concern(author_a, world, "Concern A", "secret body of thread A")
    receipt_b = _post_concern(author_b, world, "Concern B", "secret body of thread B")
    count_queued_now(world.app)
    author_a.post(url_for("followup.thread"), data={"receipt": receipt_a, "message": "only-for-thread-a"})
    assert _thread_of("Concern A") == ["author"]  # stored, and in A's thread only
    assert _thread_of("Concern B") == []
    page_a = author_a.post(url_for("followup.thread"), data={"receipt": receipt_a}).get_data(as_text=True)
    assert "only-for-thread-a" in page_a and "Concern A" in page_a
    page_b = author_b.post(url_for("followup.thread"), data={"receipt": receipt_b}).get_data(as_text=True)
    assert "only-for-thread-a" not in page_b
    assert "Concern B" in page_b
    # A receipt with one word changed opens nothing, and writes nothing.
    words = receipt_a.split()
    words[-1] = "zebra" if words[-1] != "zebra" else "apple"
    page = author_b.post(
        url_for("followup.thread"), data={"receipt": " ".join(words), "message": "sneaked-in"}
    ).get_data(as_text=True)
    assert "only-for-thread-a" not in page and "Concern A" not in page
    assert "receipt phrase" in page.lower()
    assert _thread_of("Concern A") == ["author"]


def test_members_cannot_read_a_hidden_concern_or_its_thread(world):
    receipt = _post_concern(world.client("member"), world, "Hide me", "the hidden-concern-body")
    count_queued_now(world.app)
    concern = _concern_titled("Hide me")
    world.client("organizer").post(
        url_for("concerns.hide", concern_id=concern.id), data={"reason": "Names someone"}
    )
    for role in ("member", "leadership", "admin"):
        page = (
            world.client(role).get(url_for("concerns.detail", concern_id=concern.id)).get_data(as_text=True)
        )
        assert "the hidden-concern-body" not in page, role
        assert "Names someone" in page, role  # the public reason is what they see instead
    leadership = world.client("leadership")
    leadership.post(
        url_for("concerns.reply", concern_id=concern.id), data={"message": "hello-from-leadership"}
    )
    assert _thread_of("Hide me") == []  # refused: nothing stored
    refusal = leadership.get(url_for("concerns.detail", concern_id=concern.id)).get_data(as_text=True)
    assert "Moderators hid this concern." in refusal
    # Organizers (the moderators) can still write, and the author reads it with the receipt.
    world.client("organizer").post(
        url_for("concerns.reply", concern_id=concern.id), data={"message": "hello-from-organizers"}
    )
    assert _thread_of("Hide me") == ["organizer"]
    thread = world.client("member").post(url_for("followup.thread"), data={"receipt": receipt})
    page = thread.get_data(as_text=True)
    assert "hello-from-organizers" in page and "hello-from-leadership" not in page


def test_leadership_cannot_open_drafts_by_id(world):
    leadership = world.client("leadership")
    assert leadership.get(url_for("petitions.detail", petition_id=world.draft.id)).status_code == 404
    for action in ("petitions.cosponsor", "petitions.sign", "petitions.open_for_signing"):
        assert leadership.post(url_for(action, petition_id=world.draft.id)).status_code in {403, 404}
    count_queued_now(world.app)
    db.session.expire_all()
    draft = db.session.get(Petition, world.draft.id)
    assert draft.status == "draft" and draft.signature_count == 0
    assert count_rows(Cosponsorship, Cosponsorship.petition_id == draft.id) == 0
    assert count_rows(Signature, Signature.petition_id == draft.id) == 0


def test_admin_ids_for_invites_and_users_do_not_leak_to_organizers(world):
    organizer = world.client("organizer")
    assert (
        organizer.post(
            url_for("admin.change_role", user_id=world.target_user_id), data={"role": "admin"}
        ).status_code
        == 403
    )
    member = world.client("member")
    assert member.post(url_for("admin.revoke_invite", invite_id=world.invite_id)).status_code == 403
    db.session.expire_all()
    assert db.session.get(User, world.target_user_id).role == "member"
    assert db.session.get(Invite, world.invite_id).revoked is False


def test_unpublished_reports_are_404_for_everyone_but_organizers(world):
    draft_id = world.ids["draft_report_id"]
    for role in ("member", "leadership", "admin"):
        client = world.client(role)
        for url in (
            url_for("reports.detail", report_id=draft_id),
            url_for("reports.detail", report_id=f"{draft_id}.json"),
            url_for("reports.detail", report_id=f"{draft_id}.csv"),
            url_for("api.report", report_id=draft_id),
        ):
            assert client.get(url).status_code == 404, (role, url)
    assert world.client("organizer").get(url_for("reports.detail", report_id=draft_id)).status_code == 200
