"""One transaction around a whole user action, owned by its caller (a view, CLI command or tick).

Services only add to the session and flush; they never commit or roll back. The caller
wraps them in `unit_of_work`, which commits once at the end, or rolls everything back if
any step raises, so an action of several steps (deleting an account that first withdraws
its signatures) is never left half-done. tests/unit/test_transaction_owners.py keeps
`.commit()` and `.rollback()` out of everything but this module and the migration runner.

Work that must follow only a successful commit (destroying a closed petition's key) is
registered with `on_commit`; a step that may fail and be retried inside a unit (a window
another worker opened first) runs inside `savepoint`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from voicebox.models.base import DbSession

_AFTER_COMMIT = "voicebox.after_commit"


def on_commit(session: DbSession, callback: Callable[[], object]) -> None:
    """Run `callback` once the current unit commits; it is dropped if the unit rolls back."""
    session.info.setdefault(_AFTER_COMMIT, []).append(callback)


def _take_callbacks(session: DbSession) -> list[Callable[[], object]]:
    callbacks: list[Callable[[], object]] = session.info.pop(_AFTER_COMMIT, [])
    return callbacks


@contextmanager
def unit_of_work(session: DbSession) -> Iterator[None]:
    """Commit `session` once if the block finishes; roll back all of it if the block raises.

    Callbacks registered with `on_commit` run after the commit, in order; a rollback drops them.
    """
    try:
        yield
    except BaseException:
        session.rollback()
        _take_callbacks(session)
        raise
    try:
        session.commit()
    except BaseException:
        session.rollback()
        _take_callbacks(session)
        raise
    for callback in _take_callbacks(session):
        callback()


def discard(session: DbSession) -> None:
    """End a read-only stretch (or abandon anything unowned) so the next read sees fresh rows."""
    session.rollback()
    _take_callbacks(session)


@contextmanager
def savepoint(session: DbSession) -> Iterator[None]:
    """Undo only this block if it raises, keeping the rest of the caller's unit.

    On PostgreSQL a failed statement (a unique-constraint race) would otherwise abort the
    whole transaction. Write first inside the block: on SQLite a read before the block's
    first write would pin a snapshot that another worker's commit makes stale, and the
    write would then fail with "database is locked".
    """
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        raw = connection.connection.dbapi_connection
        if raw is not None and not raw.in_transaction:
            # pysqlite opens a transaction only before a write, so a SAVEPOINT outside one
            # would start a transaction of its own, and releasing it would commit early.
            connection.exec_driver_sql("BEGIN")
    with session.begin_nested():
        yield
