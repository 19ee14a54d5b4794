"""The private thread: staff reply on the concern page, the author reads and answers by receipt."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import delete, select

from tests.support import count_queued_now, count_rows
from voicebox.concerns import moderation
from voicebox.extensions import db
from voicebox.models import AuditEvent, Concern, FollowupMessage, PendingAction
from voicebox.unit_of_work import unit_of_work


def _followup(client, receipt, message=""):
    return client.post(url_for("followup.thread"), data={"receipt": receipt, "message": message})


def test_staff_reply_and_author_answers_by_receipt(client, users, make_concern):
    concern, receipt = make_concern()
    client.login(users["organizer"])
    page = client.get(url_for("concerns.detail", concern_id=concern.id)).get_data(as_text=True)
    assert "Private thread with the author" in page
    client.post(
        url_for("concerns.reply", concern_id=concern.id), data={"message": "Can you tell us which team?"}
    )
    client.logout()
    client.login(users["leadership"])
    client.post(url_for("concerns.reply", concern_id=concern.id), data={"message": "We are reviewing it."})
    client.logout()

    client.login(users["member"])
    assert client.get(url_for("followup.thread")).headers["Cache-Control"] == "no-store"
    messy = "  " + receipt.upper().replace(" ", " - ") + "  "
    response = _followup(client, messy)
    page = response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    assert "Can you tell us which team?" in page
    assert "We are reviewing it." in page
    assert "Organizers" in page and "Leadership" in page
    assert users["organizer"].username not in page.split("</header>")[1]

    answered = _followup(client, receipt, "The support desk team.").get_data(as_text=True)
    assert "Your answer is sent." in answered
    assert answered.index("We are reviewing it.") < answered.index("The support desk team.")
    assert count_rows(FollowupMessage) == 3
    client.logout()

    client.login(users["organizer"])
    page = client.get(url_for("concerns.detail", concern_id=concern.id)).get_data(as_text=True)
    assert "The support desk team." in page
    assert "The author" in page


def test_members_and_admins_do_not_see_the_thread(client, users, make_concern):
    concern, _ = make_concern()
    client.login(users["organizer"])
    client.post(url_for("concerns.reply", concern_id=concern.id), data={"message": "Private words"})
    client.logout()
    for role in ("member", "admin"):
        client.login(users[role])
        page = client.get(url_for("concerns.detail", concern_id=concern.id)).get_data(as_text=True)
        assert "Private words" not in page
        assert (
            client.post(url_for("concerns.reply", concern_id=concern.id), data={"message": "x"}).status_code
            == 403
        )
        client.logout()
    assert count_rows(FollowupMessage) == 1


def test_leadership_cannot_read_or_answer_hidden_concerns(client, users, make_concern):
    concern, _ = make_concern(body="Secret hidden body text")
    with unit_of_work(db.session):
        moderation.hide_concern(
            concern.id, "Personal attack", actor_role="organizer", today=concern.created_on
        )
    client.login(users["leadership"])
    page = client.get(url_for("concerns.detail", concern_id=concern.id)).get_data(as_text=True)
    assert "Secret hidden body text" not in page
    assert "Private thread" not in page
    response = client.post(
        url_for("concerns.reply", concern_id=concern.id), data={"message": "hello"}, follow_redirects=True
    )
    assert "Moderators hid this concern" in response.get_data(as_text=True)
    assert count_rows(FollowupMessage) == 0


def test_wrong_phrase_gets_a_generic_not_found(client, member, make_concern):
    make_concern()
    client.login(member)
    for phrase in ("abacus abacus abacus abacus abacus abacus abacus abacus", "123 !!!"):
        page = _followup(client, phrase, "sneaky").get_data(as_text=True)
        assert "No concern matches that receipt phrase" in page
    assert "Please fix" in _followup(client, "").get_data(as_text=True)
    assert count_rows(FollowupMessage) == 0


def test_empty_or_oversized_answers_store_nothing(client, member, make_concern):
    _, receipt = make_concern()
    client.login(member)
    page = _followup(client, receipt, "x" * 5001).get_data(as_text=True)
    assert "Keep the message under 5,000 characters." in page
    assert "Private messages" in page  # still inside the thread
    assert "x" * 5001 in page  # and nothing typed is lost
    assert _followup(client, receipt, "   ").status_code == 200
    assert count_rows(FollowupMessage) == 0
    client.logout()


def test_staff_reply_is_audited_and_validated(client, organizer, make_concern):
    concern, _ = make_concern()
    client.login(organizer)
    response = client.post(
        url_for("concerns.reply", concern_id=concern.id), data={"message": ""}, follow_redirects=True
    )
    assert "Write a message first." in response.get_data(as_text=True)
    assert count_rows(FollowupMessage) == 0
    client.post(url_for("concerns.reply", concern_id=concern.id), data={"message": "Hello"})
    assert count_rows(AuditEvent, AuditEvent.action == "replied privately to a concern's author") == 1


def test_wrong_phrase_brute_force_hits_the_rate_limit(rate_limited_member):
    codes = [_followup(rate_limited_member, f"wrong guess {i} a b c d").status_code for i in range(20)]
    assert 429 in codes
    assert codes.index(429) <= 10


def test_the_authors_answer_waits_for_the_count_and_keeps_its_order(app, client, users, make_concern):
    concern, receipt = make_concern()
    client.count_after_requests = False
    client.login(users["member"])

    _followup(client, receipt, "First: it started in March.")
    page = _followup(client, receipt, "Second: only on the night shift.").get_data(as_text=True)

    assert "Staff see it after the next count" in page
    assert page.count("thread-waiting") == 2
    assert page.index("First: it started in March.") < page.index("Second: only on the night shift.")
    assert count_rows(FollowupMessage) == 0  # nothing written until the count
    client.logout()

    client.login(users["organizer"])
    before = client.get(url_for("concerns.detail", concern_id=concern.id)).get_data(as_text=True)
    assert "it started in March" not in before

    count_queued_now(app)

    after = client.get(url_for("concerns.detail", concern_id=concern.id)).get_data(as_text=True)
    assert after.index("First: it started in March.") < after.index("Second: only on the night shift.")
    assert "thread-waiting" not in after
    stored = db.session.scalars(select(FollowupMessage).order_by(FollowupMessage.position)).all()
    assert [row.sender_role for row in stored] == ["author", "author"]
    assert [row.position for row in stored] == [0, 1]


def test_an_answer_whose_concern_was_deleted_meanwhile_is_dropped_alone(app, client, member, make_concern):
    gone, gone_receipt = make_concern(title="Deleted while the answer waited")
    kept, kept_receipt = make_concern(title="Still here")
    client.count_after_requests = False
    client.login(member)
    _followup(client, gone_receipt, "Lost with its concern.")
    _followup(client, kept_receipt, "Counted as usual.")
    db.session.execute(delete(Concern).where(Concern.id == gone.id))
    db.session.commit()

    count_queued_now(app)

    stored = db.session.scalars(select(FollowupMessage)).all()
    assert [(row.concern_id, row.sender_role) for row in stored] == [(kept.id, "author")]
    assert count_rows(PendingAction) == 0
