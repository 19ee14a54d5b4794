"""The unit of work's promises, on both engines: one commit or none, work after the commit
only once it happened, and a savepoint that undoes only its own block."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tests.support import both_engines, count_rows
from voicebox.extensions import db
from voicebox.models import Group
from voicebox.unit_of_work import on_commit, savepoint, unit_of_work


class Refused(RuntimeError):
    pass


def _group(name: str) -> None:
    db.session.add(Group(name=name, kind="department"))
    db.session.flush()


@both_engines
def test_after_commit_work_runs_once_committed_and_never_after_a_rollback(app):
    ran: list[int] = []
    with pytest.raises(Refused), unit_of_work(db.session):
        _group("Undone")
        on_commit(db.session, lambda: ran.append(count_rows(Group)))
        raise Refused
    assert ran == [] and count_rows(Group) == 0

    with unit_of_work(db.session):
        _group("Kept")
        on_commit(db.session, lambda: ran.append(count_rows(Group)))
        assert ran == []  # not yet: nothing is committed inside the unit
    assert ran == [1]
    with unit_of_work(db.session):
        pass
    assert ran == [1], "a callback runs with its own unit, not with the next one"


@both_engines
def test_a_failed_savepoint_undoes_only_its_block(app):
    with unit_of_work(db.session):
        _group("Engineering")
        with pytest.raises(IntegrityError), savepoint(db.session):
            _group("Engineering")  # the same name again: refused by the unique index
        _group("Nursing")
    assert sorted(db.session.scalars(select(Group.name))) == ["Engineering", "Nursing"]


@both_engines
def test_a_savepoint_that_opens_the_transaction_commits_nothing_early(app):
    # No write comes before the savepoint, so on SQLite it starts the transaction: its
    # release must not commit, or the rollback below would leave the group behind.
    with pytest.raises(Refused), unit_of_work(db.session):
        with savepoint(db.session):
            _group("Too early")
        raise Refused
    assert count_rows(Group) == 0
