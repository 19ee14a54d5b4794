"""Counting windows: actions acknowledged at once, written in shuffled batches (A3).

Databases keep commit order: SQLite's WAL frames and PostgreSQL's ctid/xmin say which
row came after which, and so "the account that registered just before" or "the public
name signed in the same sitting". So a signature (or a "me too") is first queued as a
`PendingAction` sealed under the current window's key, which lives in the key store, never
in the database. Every flush starts a new window, then writes each older window's actions
to their real tables, one unit of work per window (voicebox.tick owns them), in random
order, and destroys that window's key once its unit commits. From then on the queued
blobs (still in the WAL) can't be opened or matched to the rows they became, and the
rows' physical order is the shuffle's.

The residual: a window that holds a single action places it to within one window.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets as random
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Connection, bindparam, delete, func, insert, select, text
from sqlalchemy.exc import IntegrityError

from voicebox.anonymity import random_id
from voicebox.keystore import KeyStore
from voicebox.models import CountingWindow, PendingAction
from voicebox.models.base import DbReader, DbSession, rows_affected
from voicebox.unit_of_work import discard, on_commit, savepoint

log = logging.getLogger(__name__)

WINDOW = "window"
# Sealed payloads are padded to a multiple of this, so their length doesn't tell a
# signature with a comment from one without (comments are at most 1,000 characters).
SEAL_BUCKET = 512
# Applies one kind's payloads, already shuffled, inside the flush's transaction.
Applier = Callable[[DbSession, list[dict[str, Any]]], None]
# A window key with no window row is destroyed once it is this old.
ORPHAN_KEY_SECONDS = 600
# PostgreSQL advisory lock number that keeps two workers' flushes from interleaving.
_FLUSH_LOCK = 0x766F6963


class WindowClosed(Exception):
    """The window an action was queued in was flushed meanwhile; queue it again."""


@dataclass(frozen=True)
class Window:
    id: str
    serial: int
    key: bytes


def _tag(key: bytes, purpose: str, value: str) -> str:
    return hmac.new(key, purpose.encode() + b"\x00" + value.encode(), hashlib.sha256).hexdigest()


def seal_payload(key: bytes, row_id: str, payload: Mapping[str, Any]) -> bytes:
    """AES-GCM seal a payload padded to SEAL_BUCKET, bound to its row; raises nothing."""
    body = json.dumps(payload, separators=(",", ":")).encode()
    padded_length = -(-(len(body) + 1) // SEAL_BUCKET) * SEAL_BUCKET
    body = body + b"\n" + b" " * (padded_length - len(body) - 1)
    nonce = os.urandom(12)
    return nonce + AESGCM(key).encrypt(nonce, body, b"pending:" + row_id.encode())


def open_payload(key: bytes, row_id: str, sealed: bytes) -> dict[str, Any] | None:
    """The payload `seal_payload` made, or None if it doesn't open under this key."""
    try:
        body = AESGCM(key).decrypt(sealed[:12], sealed[12:], b"pending:" + row_id.encode())
    except (InvalidTag, ValueError):
        return None
    loaded: dict[str, Any] = json.loads(body)
    return loaded


# Built once: signing and every page a member opens read these (their own standing).
_WINDOWS = select(CountingWindow.id, CountingWindow.serial).order_by(CountingWindow.serial.desc())
_QUEUED = select(PendingAction.id).where(PendingAction.tag.in_(bindparam("tags", expanding=True))).limit(1)


def live_windows(session: DbReader, keys: KeyStore) -> list[Window]:
    """Windows not yet flushed whose key is still in the store, newest first."""
    # Core on the connection: no ORM statement context for two plain columns.
    connection = session if isinstance(session, Connection) else session.connection()
    rows = connection.execute(_WINDOWS).all()
    windows = []
    for window_id, serial in rows:
        key = keys.get(WINDOW, window_id)
        if key is not None:
            windows.append(Window(window_id, serial, key))
    return windows


def start_window(session: DbSession, keys: KeyStore) -> None:
    """Open a new window in the caller's unit; a no-op if another worker opened one at once.

    A key whose window row never commits (the caller's unit rolled back) is swept later.
    """
    newest = session.scalar(select(func.max(CountingWindow.serial))) or 0
    window_id = random_id()
    keys.create(WINDOW, window_id)
    try:
        with savepoint(session):
            session.execute(insert(CountingWindow).values(id=window_id, serial=newest + 1))
    except IntegrityError:
        keys.destroy(WINDOW, window_id)


def current_window(session: DbSession, keys: KeyStore) -> tuple[Window, list[Window]]:
    """The window taking new actions, and every live window (for uniqueness checks)."""
    windows = live_windows(session, keys)
    if not windows:
        start_window(session, keys)
        windows = live_windows(session, keys)
    return windows[0], windows


def is_queued(session: DbReader, windows: list[Window], purpose: str, value: str) -> bool:
    """Whether an action for (purpose, value) waits in any live window."""
    if not windows:
        return False
    tags = [_tag(window.key, purpose, value) for window in windows]
    return session.scalar(_QUEUED, {"tags": tags}) is not None


# Written and checked in one statement: the row goes in only while its window exists. On
# SQLite the INSERT holds the write lock; on PostgreSQL FOR SHARE makes a flush's DELETE of
# the window wait for our commit, and a window deleted meanwhile yields no row (RETURNING
# says which: the row count of INSERT ... SELECT reads -1 on psycopg). Built once.
_QUEUE_ACTION = (
    insert(PendingAction)
    .from_select(
        ["id", "window_id", "tag", "sealed"],
        select(
            bindparam("id", type_=PendingAction.id.type),
            CountingWindow.id,
            bindparam("tag", type_=PendingAction.tag.type),
            bindparam("sealed", type_=PendingAction.sealed.type),
        )
        .where(CountingWindow.id == bindparam("window_id"))
        .with_for_update(read=True),
    )
    .returning(PendingAction.window_id)
)


def queue_action(
    session: DbSession, window: Window, purpose: str, value: str, payload: Mapping[str, Any]
) -> None:
    """Queue a sealed action in `window` (no commit); raises IntegrityError if already queued
    there, WindowClosed if the window was flushed meanwhile (then nothing was written)."""
    row_id = random_id()
    written = session.connection().execute(
        _QUEUE_ACTION,
        {
            "id": row_id,
            "window_id": window.id,
            "tag": _tag(window.key, purpose, value),
            "sealed": seal_payload(window.key, row_id, {**payload, "kind": purpose}),
        },
    )
    if written.first() is None:
        raise WindowClosed(window.id)


def queue(
    session: DbSession,
    keys: KeyStore,
    purpose: str,
    value: str,
    payload: Mapping[str, Any],
    *,
    lock: Callable[[], None] | None = None,
    check: Callable[[list[Window]], None] | None = None,
) -> None:
    """Queue an action in the current window, in the caller's unit, retrying when a count
    closed the window meanwhile.

    `lock` runs before the live windows are read: two requests for one value, racing across
    a window change, would otherwise each queue in a different window and each miss the
    other's uncommitted row. `check` runs after the write, given every live window (newest
    first); it refuses by raising, and the caller's unit then rolls the action back.
    Raises IntegrityError if the action is already queued in the current window, WindowClosed
    after three tries.
    """
    if lock is not None:
        lock()
    for _attempt in range(3):
        # Read once per try, under the lock; a window another worker flushed meanwhile
        # refuses the write without leaving anything, and the next try reads again.
        window, windows = current_window(session, keys)
        try:
            queue_action(session, window, purpose, value, payload)
        except WindowClosed:
            continue
        if check is not None:
            check(windows)
        return
    raise WindowClosed(purpose)


def cancel_queued(session: DbSession, windows: list[Window], purpose: str, value: str) -> bool:
    """Remove a queued action before it is counted (no commit); True if there was one."""
    if not windows:
        return False
    tags = [_tag(window.key, purpose, value) for window in windows]
    result = session.execute(delete(PendingAction).where(PendingAction.tag.in_(tags)))
    return bool(rows_affected(result))


def _apply(session: DbSession, payloads: list[dict[str, Any]], appliers: Mapping[str, Applier]) -> None:
    by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for payload in payloads:
        by_kind[payload["kind"]].append(payload)
    for kind, batch in by_kind.items():
        random.SystemRandom().shuffle(batch)
        applier = appliers.get(kind)
        if applier is None:
            log.error("voicebox: %d queued actions of unknown kind %r were dropped", len(batch), kind)
            continue
        applier(session, batch)


def _opened_rows(session: DbSession, window: Window) -> list[tuple[str, dict[str, Any]]]:
    rows = session.execute(
        select(PendingAction.id, PendingAction.sealed).where(PendingAction.window_id == window.id)
    ).all()
    opened = []
    for row_id, sealed in rows:
        payload = open_payload(window.key, row_id, sealed)
        if payload is None:
            log.error("voicebox: a queued action did not open under its window key")
            continue
        opened.append((row_id, payload))
    return opened


def hold_counting(session: DbSession) -> None:
    """Keep the counting tick out until this transaction ends (PostgreSQL; SQLite already
    runs one writer at a time)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:lock)"), {"lock": _FLUSH_LOCK})


def try_hold_counting(session: DbSession) -> bool:
    """hold_counting without waiting: False at once if another worker is counting now."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    return bool(session.scalar(text("SELECT pg_try_advisory_xact_lock(:lock)"), {"lock": _FLUSH_LOCK}))


def lock_value(session: DbSession, value: str) -> None:
    """Serialize writers of one nullifier across workers until the transaction ends
    (PostgreSQL; SQLite's single writer already does). Held in memory only, never written."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:mark, 0))"), {"mark": value})


def anything_queued(session: DbSession) -> bool:
    """Whether any action waits in any window (an idle instance then writes nothing at all)."""
    return session.scalar(select(PendingAction.id).limit(1)) is not None


def count_window(session: DbSession, keys: KeyStore, window: Window, appliers: Mapping[str, Applier]) -> int:
    """Write one finished window's actions in shuffled order, in the caller's unit, and
    destroy its key once that commits; returns how many actions were written."""
    # Every worker's tick tries each finished window at once. Under load one of them may
    # hold the lock for seconds; the others leave the window to it (or to their next tick)
    # rather than queue behind it into the statement timeout.
    if not try_hold_counting(session):
        return 0
    # Deleting the window row is the barrier: an action still being queued in it
    # either committed before (and is read below) or finds the window gone and retries.
    closed = session.execute(delete(CountingWindow).where(CountingWindow.id == window.id))
    if not rows_affected(closed):
        return 0  # another worker counted it
    opened = _opened_rows(session, window)
    _apply(session, [payload for _, payload in opened], appliers)
    session.execute(delete(PendingAction).where(PendingAction.window_id == window.id))
    on_commit(session, lambda: keys.destroy(WINDOW, window.id))
    return len(opened)


def count_pending_for(
    session: DbSession, keys: KeyStore, appliers: Mapping[str, Applier], item_field: str, item_id: str
) -> int:
    """Write the queued actions of one item now, inside the caller's transaction (closing it)."""
    written = _queued_for(session, keys, item_field, item_id)
    if written:
        _apply(session, [payload for _, payload in written], appliers)
        session.execute(delete(PendingAction).where(PendingAction.id.in_([row for row, _ in written])))
    return len(written)


def _queued_for(
    session: DbSession, keys: KeyStore, item_field: str, item_id: str
) -> list[tuple[str, dict[str, Any]]]:
    return [
        (row_id, payload)
        for window in live_windows(session, keys)
        for row_id, payload in _opened_rows(session, window)
        if payload.get(item_field) == item_id
    ]


def queued_payloads(
    session: DbSession, keys: KeyStore, purpose: str, item_field: str, item_id: str
) -> list[dict[str, Any]]:
    """The still-queued payloads of one kind for one item (an author's unsent answers)."""
    queued = _queued_for(session, keys, item_field, item_id)
    return [payload for _, payload in queued if payload["kind"] == purpose]


def sweep_window_keys(session: DbSession, keys: KeyStore) -> int:
    """Destroy window keys whose window is gone (a worker died between flush and destroy)."""
    discard(session)
    known = set(session.scalars(select(CountingWindow.id)))
    swept = 0
    for window_id in list(keys.item_ids(WINDOW)):
        # A key younger than this may belong to a window another worker is just opening.
        age = keys.age_seconds(WINDOW, window_id)
        if window_id in known or age is None or age < ORPHAN_KEY_SECONDS:
            continue
        if keys.destroy(WINDOW, window_id):
            swept += 1
    return swept
