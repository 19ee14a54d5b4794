"""Actions waiting to be counted, sealed so their order says nothing (A3).

A signature or "me too" is acknowledged at once but written to its real table only when
its counting window is flushed: all of a window's actions in one transaction, in shuffled
order. Until then it waits here as an opaque blob sealed under the window's key, which
lives in the key store and is destroyed after the flush. The WAL or pg_wal still shows the
order in which these blobs arrived, but nothing ties a blob to the row it became.
"""

from __future__ import annotations

from sqlalchemy import Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from voicebox.models.base import ANONYMOUS_TABLE_ARGS, Base, random_pk


class CountingWindow(Base):
    """One counting window; its key is in the key store. Deleting the row closes the window."""

    __tablename__ = "counting_windows"
    __table_args__ = (ANONYMOUS_TABLE_ARGS,)

    id: Mapped[str] = random_pk()
    # Only orders windows against each other (the newest takes new actions); no clock time.
    serial: Mapped[int] = mapped_column(Integer, unique=True)


class PendingAction(Base):
    """One sealed action: kind, item and details are inside `sealed`, nothing outside."""

    __tablename__ = "pending_actions"
    __table_args__ = (ANONYMOUS_TABLE_ARGS,)

    id: Mapped[str] = random_pk()
    window_id: Mapped[str] = mapped_column(String(32), index=True)
    # HMAC under the window key of what must stay unique (a nullifier): refuses a second
    # signature at once, and means nothing once the window key is destroyed.
    tag: Mapped[str] = mapped_column(String(64), unique=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
