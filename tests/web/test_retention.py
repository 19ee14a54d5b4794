"""Retention purge: old follow-ups and closed items go, everything else stays."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from tests.support import count_rows
from voicebox.anonymity import coarse_date
from voicebox.crypto import encrypt_text
from voicebox.extensions import db
from voicebox.models import (
    AuditEvent,
    Concern,
    ConcernStatusChange,
    ConcernSupport,
    FollowupMessage,
    Petition,
    PetitionDayTally,
    Signature,
)
from voicebox.retention import purge_expired
from voicebox.settings import instance_settings
from voicebox.unit_of_work import unit_of_work

TODAY = coarse_date()
LONG_AGO = TODAY - timedelta(days=400)
RECENTLY = TODAY - timedelta(days=10)


def _concern(app, status: str, changed_on, title: str = "A concern") -> Concern:
    from voicebox.anonymity import random_id

    concern_id = random_id()
    concern = Concern(
        id=concern_id,
        title=title,
        body_ciphertext=encrypt_text(
            app.extensions["voicebox.secrets"].data_key, "body", f"concern:{concern_id}"
        ),
        status=status,
        created_on=LONG_AGO,
        receipt_hash=random_id() * 2,
    )
    db.session.add(concern)
    db.session.add(
        ConcernStatusChange(concern_id=concern_id, status=status, changed_on=changed_on, position=1)
    )
    db.session.add(ConcernSupport(concern_id=concern_id, nullifier=None, supported_on=LONG_AGO))
    for position, day in enumerate((LONG_AGO, RECENTLY), start=1):
        db.session.add(
            FollowupMessage(
                concern_id=concern_id,
                sender_role="author",
                body_ciphertext=b"x" * 40,
                sent_on=day,
                position=position,
            )
        )
    db.session.commit()
    return concern


def _close_long_ago(petition: Petition) -> None:
    petition.closed_on = LONG_AGO
    db.session.commit()


def test_purge_deletes_expired_items_and_says_what(app, make_petition, make_user, sign):
    old_closed = make_petition(title="Closed long ago", status="closed")
    sign_target = make_petition(title="Still open")
    recent_closed = make_petition(title="Closed recently", status="closed")
    _close_long_ago(old_closed)
    sign(sign_target, make_user())
    old_resolved = _concern(app, "resolved", LONG_AGO, "resolved long ago")
    recent_declined = _concern(app, "declined", RECENTLY, "declined recently")
    open_old = _concern(app, "open", LONG_AGO, "still open")
    ids = {
        name: item.id
        for name, item in [
            ("old_closed", old_closed),
            ("recent_closed", recent_closed),
            ("open", sign_target),
            ("old_resolved", old_resolved),
            ("recent_declined", recent_declined),
            ("open_old", open_old),
        ]
    }
    with unit_of_work(db.session):
        result = purge_expired(db.session, TODAY)
    assert (result.followup_messages, result.closed_petitions, result.closed_concerns) == (3, 1, 1)
    assert db.session.get(Petition, ids["old_closed"]) is None
    assert db.session.get(Petition, ids["recent_closed"]) is not None
    assert db.session.get(Petition, ids["open"]) is not None
    assert count_rows(Signature) == 1
    assert count_rows(PetitionDayTally, PetitionDayTally.petition_id == ids["old_closed"]) == 0
    assert db.session.get(Concern, ids["old_resolved"]) is None
    assert db.session.get(Concern, ids["recent_declined"]) is not None
    assert db.session.get(Concern, ids["open_old"]) is not None
    assert count_rows(ConcernSupport, ConcernSupport.concern_id == ids["old_resolved"]) == 0
    assert all(m.sent_on >= result.cutoff for m in db.session.scalars(select(FollowupMessage)))
    assert count_rows(FollowupMessage) == 2  # the recent halves of the two surviving threads
    assert count_rows(AuditEvent, AuditEvent.action == "purged expired data") == 1


def test_purge_follows_the_configured_retention(app, make_petition):
    petition = make_petition(status="closed")
    petition.closed_on = TODAY - timedelta(days=20)
    instance_settings().retention_days = 30
    db.session.commit()
    with unit_of_work(db.session):
        assert purge_expired(db.session, TODAY).closed_petitions == 0
    instance_settings().retention_days = 14
    db.session.commit()
    with unit_of_work(db.session):
        assert purge_expired(db.session, TODAY).closed_petitions == 1


def test_purge_command_prints_counts(app, make_petition):
    _close_long_ago(make_petition(status="closed"))
    result = app.test_cli_runner().invoke(args=["voicebox", "purge"])
    assert result.exit_code == 0, result.output
    assert "closed petitions:   1" in result.output
    assert "follow-up messages: 0" in result.output
    assert "closed concerns:    0" in result.output


def test_sqlite_overwrites_deleted_rows_and_checkpoints(app, make_petition):
    from sqlalchemy import text

    with db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA secure_delete")).scalar() == 1
    petition = make_petition(body="zebra-unmistakable-body", status="closed")
    _close_long_ago(petition)
    with unit_of_work(db.session):
        purge_expired(db.session, TODAY)
    db.session.remove()
    db.engine.dispose()
    database = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    raw = Path(database).read_bytes()
    wal = Path(database + "-wal")
    assert b"zebra-unmistakable-body" not in raw
    assert not wal.exists() or b"zebra-unmistakable-body" not in wal.read_bytes()
