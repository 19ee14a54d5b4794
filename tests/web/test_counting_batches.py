"""A counting window is written in one batch, and a replayed action in it still counts once.

Counting holds the one writer's lock (SQLite) or the counting lock (PostgreSQL) while it
writes a window; at a million signatures a statement per row, each compiled anew, held
it for seconds and queued every member signing meanwhile.
"""

from __future__ import annotations

import secrets

import pytest
from sqlalchemy import func, select

from tests.support import both_engines, count_queued_now
from voicebox import pending
from voicebox.anonymity import coarse_date
from voicebox.counters import _upsert_increment, insert_ignoring_duplicates
from voicebox.extensions import db
from voicebox.models import ConcernSupport, Petition, PetitionDayTally, Signature
from voicebox.petitions.service import SIGN, SignatureChoice, signature_payload
from voicebox.unit_of_work import unit_of_work


def _queue_signatures(app, petition_id: str, nullifiers: list[str]) -> None:
    """Queue one sealed signature per nullifier (a repeat is a replayed action)."""
    keys = app.extensions["voicebox.keys"]
    with unit_of_work(db.session):
        window, _ = pending.current_window(db.session, keys)
        for mark in nullifiers:
            payload = signature_payload(petition_id, mark, coarse_date(), SignatureChoice())
            # A tag of its own per row: the window's uniqueness check is what a replay slipped past.
            pending.queue_action(db.session, window, SIGN, secrets.token_hex(16), payload)


@both_engines
def test_a_window_holding_a_replayed_signature_counts_it_once(app, make_petition) -> None:
    petition = make_petition()
    marks = [secrets.token_hex(32) for _ in range(5)]

    _queue_signatures(app, petition.id, [*marks, marks[0], marks[3]])
    counted = count_queued_now(app)

    rows = db.session.scalar(select(func.count()).where(Signature.petition_id == petition.id))
    by_day = select(PetitionDayTally.signatures).where(PetitionDayTally.petition_id == petition.id)
    day = db.session.scalar(by_day)
    assert counted == 7
    assert rows == day == db.session.get(Petition, petition.id).signature_count == 5


@both_engines
def test_a_replay_of_an_action_counted_in_an_earlier_window_moves_no_counter(app, make_petition) -> None:
    petition = make_petition()
    marks = [secrets.token_hex(32) for _ in range(3)]
    _queue_signatures(app, petition.id, marks)
    count_queued_now(app)

    _queue_signatures(app, petition.id, [marks[1]])
    count_queued_now(app)

    assert db.session.get(Petition, petition.id).signature_count == 3
    assert db.session.scalar(select(func.count()).where(Signature.petition_id == petition.id)) == 3


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_counting_statements_are_compiled_once_not_per_row(dialect) -> None:
    # SQLAlchemy's ON CONFLICT inserts opt out of its statement cache; ours must be cacheable,
    # or each execution compiles anew inside the writer's lock.
    statements = [
        insert_ignoring_duplicates(Signature.__table__, ("petition_id", "nullifier"), dialect),
        insert_ignoring_duplicates(ConcernSupport.__table__, ("concern_id", "nullifier"), dialect),
        _upsert_increment(PetitionDayTally.__table__, ("petition_id", "day"), "signatures", dialect),
    ]
    assert all(statement._generate_cache_key() is not None for statement in statements)
