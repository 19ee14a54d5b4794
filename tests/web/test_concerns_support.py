"""'Me too' once per member and taken back; flags once; closing destroys the key."""

from __future__ import annotations

from flask import url_for

from tests.support import count_queued_now, count_rows, recorded_writes
from voicebox.concerns import moderation
from voicebox.extensions import db
from voicebox.models import Concern, ConcernFlag, ConcernSupport
from voicebox.unit_of_work import unit_of_work


def _count(concern_id):
    db.session.expire_all()
    return db.session.get(Concern, concern_id).support_count


def test_me_too_counts_once_and_can_be_taken_back(app, client, member, make_concern):
    concern, _ = make_concern()
    client.login(member)
    client.count_after_requests = False  # the request alone first, then the count
    with recorded_writes(app) as writes:
        response = client.post(url_for("concerns.support", concern_id=concern.id))
    assert response.status_code == 302
    # The request only queues a sealed action: no support row, no counter yet. (Its one
    # DELETE on concern_supports is the take-back check, and finds nothing.)
    assert {write for write in writes if write[1] != "counting_windows"} == {
        ("INSERT", "pending_actions"),
        ("DELETE", "pending_actions"),
        ("DELETE", "concern_supports"),
    }
    assert _count(concern.id) == 0 and count_rows(ConcernSupport) == 0
    with recorded_writes(app) as writes:
        assert count_queued_now(app) == 1
    assert {table for _verb, table in writes} <= {
        "concern_supports",
        "concerns",
        "pending_actions",
        "counting_windows",
    }
    assert ("INSERT", "concern_supports") in writes
    client.count_after_requests = True
    assert _count(concern.id) == 1
    page = client.get(url_for("concerns.detail", concern_id=concern.id)).get_data(as_text=True)
    assert "You said “me too”" in page
    assert "Take back my “me too”" in page

    client.post(url_for("concerns.support", concern_id=concern.id))
    assert _count(concern.id) == 0
    assert count_rows(ConcernSupport) == 0
    client.post(url_for("concerns.support", concern_id=concern.id))
    assert _count(concern.id) == 1


def test_supports_from_different_members_add_up(client, make_user, make_concern):
    concern, _ = make_concern()
    for _ in range(3):
        client.login(make_user())
        client.post(url_for("concerns.support", concern_id=concern.id))
        client.logout()
    assert _count(concern.id) == 3
    nullifiers = {row.nullifier for row in db.session.query(ConcernSupport).all()}
    assert len(nullifiers) == 3


def test_only_participants_support_or_flag(client, users, make_concern):
    concern, _ = make_concern()
    for role in ("leadership", "admin"):
        client.login(users[role])
        assert client.post(url_for("concerns.support", concern_id=concern.id)).status_code == 403
        assert client.post(url_for("concerns.flag", concern_id=concern.id)).status_code == 403
        client.logout()
    assert client.post(url_for("concerns.support", concern_id=concern.id)).status_code == 302
    assert _count(concern.id) == 0
    client.login(users["member"])
    assert client.post(url_for("concerns.support", concern_id=concern.id), csrf=False).status_code == 400
    assert _count(concern.id) == 0


def test_flag_once_per_member(client, member, make_concern):
    concern, _ = make_concern()
    client.login(member)
    client.post(url_for("concerns.flag", concern_id=concern.id))
    second = client.post(url_for("concerns.flag", concern_id=concern.id), follow_redirects=True)
    assert "You already flagged this concern" in second.get_data(as_text=True)
    assert count_rows(ConcernFlag) == 1
    db.session.expire_all()
    assert db.session.get(Concern, concern.id).flag_count == 1
    assert "You flagged this concern" in second.get_data(as_text=True)


def test_resolving_destroys_the_key_and_freezes_supports(app, client, member, make_concern):
    concern, _ = make_concern()
    keys = app.extensions["voicebox.keys"]
    client.login(member)
    client.post(url_for("concerns.support", concern_id=concern.id))
    client.post(url_for("concerns.flag", concern_id=concern.id))
    assert keys.exists("concern", concern.id)
    with unit_of_work(db.session):
        moderation.change_status(
            concern.id, "resolved", actor_role="organizer", today=concern.created_on, keys=keys
        )
    db.session.expire_all()
    # The key never was in the database; now its key-store file is gone too.
    assert not keys.exists("concern", concern.id)
    assert keys.get("concern", concern.id) is None
    assert not any(concern.id in path.name for path in keys.folder.iterdir())
    assert all(row.nullifier is None for row in db.session.query(ConcernSupport).all())
    assert all(row.nullifier is None for row in db.session.query(ConcernFlag).all())
    page = client.get(url_for("concerns.detail", concern_id=concern.id)).get_data(as_text=True)
    assert "nobody can ever find out who said it" in page
    assert "Take back" not in page
    response = client.post(url_for("concerns.support", concern_id=concern.id), follow_redirects=True)
    assert "This concern is resolved, so it takes no more" in response.get_data(as_text=True)
    assert _count(concern.id) == 1


def test_hidden_concerns_take_no_support(client, member, make_concern):
    concern, _ = make_concern()
    with unit_of_work(db.session):
        moderation.hide_concern(concern.id, "Off topic", actor_role="organizer", today=concern.created_on)
    client.login(member)
    response = client.post(url_for("concerns.support", concern_id=concern.id), follow_redirects=True)
    assert "Moderators hid this concern" in response.get_data(as_text=True)
    assert _count(concern.id) == 0
