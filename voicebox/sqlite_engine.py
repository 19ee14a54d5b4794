"""SQLite tuned for several worker processes sharing one file.

SQLite allows one writer at a time. When a second writer finds the lock taken, SQLite's
busy handler sleeps and retries with growing pauses (up to 100 ms each), so under a burst
of signatures the slowest requests wait far longer than the writes themselves take.
Writers here queue on an advisory file lock instead: the kernel wakes the next one the
moment the previous transaction ends.
"""

from __future__ import annotations

import fcntl
import os
import re
import threading
from contextlib import suppress
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine, ExceptionContext
from sqlalchemy.exc import DisconnectionError

WRITE_STATEMENT = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
_LOCK_KEY = "voicebox.write_lock"
_OPENED_READ_ONLY = "voicebox.opened_read_only"
SYNCHRONOUS_MODES = ("FULL", "NORMAL")
SQLITE_READONLY = 8  # primary result code; extended codes keep it in the low byte
_held_in_thread = threading.local()


class WriterQueueError(RuntimeError):
    """A thread tried to write through a second connection while its first one holds the lock."""


def _pragmas(synchronous: str) -> Any:
    def apply(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        # WAL lets readers and one writer work at once (the busy timeout, for writers from
        # outside the app, is sqlite3's `timeout`, set in config.engine_options);
        # secure_delete overwrites deleted rows (withdrawn signatures, destroyed keys)
        # instead of leaving them in free pages of the file. synchronous=FULL syncs the WAL
        # on every commit, so a member told "counted" stays counted through a power cut,
        # not only through a crash; README (Operations) gives the measured cost.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    return apply


def _lock_path(engine: Engine) -> Path | None:
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(f"{database}-writers")


def _discard_read_only_connections(context: ExceptionContext) -> None:
    """A connection opened while the file was read-only stays read-only for its lifetime.

    Treating "attempt to write a readonly database" as a lost connection makes SQLAlchemy
    drop it and the rest of the pool, so once the file is writable again the next request
    opens fresh connections instead of failing until the server restarts.
    """
    original = context.original_exception
    code = getattr(original, "sqlite_errorcode", None)
    if code is not None and code & 0xFF == SQLITE_READONLY:
        context.is_disconnect = True


def writable(path: Path) -> bool:
    """Can this process open `path` for writing? Tried, not guessed from mode bits."""
    try:
        descriptor = os.open(path, os.O_RDWR)
    except OSError:
        return False
    os.close(descriptor)
    return True


def _files_writable(database: Path) -> bool:
    """The database and the -wal and -shm beside it (where they exist) are all writable."""
    companions = (Path(f"{database}-wal"), Path(f"{database}-shm"))
    return writable(database) and all(writable(p) for p in companions if p.exists())


def _repair_companions(database: Path) -> None:
    # SQLite creates -wal and -shm with the database file's mode: opened while the file
    # was 0444, they stay 0444 after it is fixed and keep every new connection read-only.
    for path in (Path(f"{database}-wal"), Path(f"{database}-shm")):
        if path.exists() and not writable(path):
            with suppress(PermissionError):
                path.chmod(0o600)


def _reopen_when_writable_again(engine: Engine, database: Path) -> None:
    """A connection opened while the file was read-only is replaced once it is writable."""

    def note_mode(_dbapi_connection: Any, record: Any) -> None:
        record.info[_OPENED_READ_ONLY] = not _files_writable(database)

    def check(_dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        # Only connections opened read-only pay for this: two open() calls per checkout.
        if record.info.get(_OPENED_READ_ONLY) and writable(database):
            _repair_companions(database)
            raise DisconnectionError("database file is writable again")  # the pool reconnects

    event.listen(engine, "connect", note_mode)
    event.listen(engine.pool, "checkout", check)


def configure_sqlite(engine: Engine, synchronous: str = "FULL") -> None:
    """Set the pragmas on every connection and queue writers on a file lock."""
    if synchronous not in SYNCHRONOUS_MODES:
        raise ValueError(f"synchronous must be one of {SYNCHRONOUS_MODES}")
    event.listen(engine, "connect", _pragmas(synchronous))
    event.listen(engine, "handle_error", _discard_read_only_connections)
    lock_path = _lock_path(engine)
    if lock_path is None:
        return
    _reopen_when_writable_again(engine, Path(str(engine.url.database)))

    def take_lock(conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if conn.info.get(_LOCK_KEY) is not None or not WRITE_STATEMENT.match(statement):
            return
        if getattr(_held_in_thread, "count", 0):
            # Waiting here would wait for ourselves.
            raise WriterQueueError("a second connection in this thread tried to write")
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        conn.info[_LOCK_KEY] = fd
        _held_in_thread.count = 1

    def release_lock(conn: Any) -> None:
        if getattr(conn, "invalidated", False):
            return  # released by release_on_invalidate, before the pool forgot the fd
        fd = conn.info.pop(_LOCK_KEY, None)
        if fd is not None:
            _held_in_thread.count = 0
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def release_on_checkin(_dbapi_connection: Any, record: Any) -> None:
        release_lock(record)  # a connection handed back to the pool never keeps the lock

    event.listen(engine, "before_cursor_execute", take_lock)
    event.listen(engine, "commit", release_lock)
    event.listen(engine, "rollback", release_lock)

    def release_on_invalidate(_dbapi_connection: Any, record: Any, _error: Any) -> None:
        release_lock(record)  # a discarded connection (see above) never keeps the lock

    event.listen(engine.pool, "checkin", release_on_checkin)
    event.listen(engine.pool, "invalidate", release_on_invalidate)
