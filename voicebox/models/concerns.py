"""Anonymous concerns, their supports, flags, status history and private follow-up.

No author column anywhere (A1): the author's only handle is the receipt phrase, stored as
a keyed hash (A7). Bodies and follow-up messages are AES-GCM ciphertext (A5).
"""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from voicebox.anonymity import coarse_date
from voicebox.models.base import ANONYMOUS_TABLE_ARGS, Base, random_pk


class ConcernStatus(enum.StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in progress"
    RESOLVED = "resolved"
    DECLINED = "declined"


class Category(Base):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    description: Mapped[str] = mapped_column(String(200), default="")


class Concern(Base):
    __tablename__ = "concerns"
    __table_args__ = (ANONYMOUS_TABLE_ARGS,)

    id: Mapped[str] = random_pk()
    title: Mapped[str] = mapped_column(String(200))
    body_ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("categories.id", ondelete="SET NULL"), nullable=True
    )
    status: Mapped[str] = mapped_column(String(20), default=ConcernStatus.OPEN.value)
    created_on: Mapped[date] = mapped_column(Date, default=coarse_date)
    receipt_hash: Mapped[str] = mapped_column(String(64), unique=True)
    support_count: Mapped[int] = mapped_column(Integer, default=0)
    flag_count: Mapped[int] = mapped_column(Integer, default=0)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden_reason: Mapped[str | None] = mapped_column(String(300), nullable=True)
    hidden_on: Mapped[date | None] = mapped_column(Date, nullable=True)


class ConcernSupport(Base):
    """A "me too": a nullifier under the concern's key, nothing else."""

    __tablename__ = "concern_supports"
    __table_args__ = (
        UniqueConstraint("concern_id", "nullifier", name="uq_concern_supports_concern_nullifier"),
        Index("uq_concern_supports_concern_token_hash", "concern_id", "token_hash", unique=True),
        ANONYMOUS_TABLE_ARGS,
    )

    id: Mapped[str] = random_pk()
    concern_id: Mapped[str] = mapped_column(ForeignKey("concerns.id", ondelete="CASCADE"), index=True)
    nullifier: Mapped[str | None] = mapped_column(String(64), nullable=True)
    supported_on: Mapped[date] = mapped_column(Date, default=coarse_date)
    # sha256 of the blind-signed token that made this "me too" (voicebox.tokens), public in
    # the concern's inclusion list and kept after close; None for an account's "me too".
    token_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)


class ConcernFlag(Base):
    """A member asking moderators to look; one per member per concern, by nullifier."""

    __tablename__ = "concern_flags"
    __table_args__ = (
        UniqueConstraint("concern_id", "nullifier", name="uq_concern_flags_concern_nullifier"),
        ANONYMOUS_TABLE_ARGS,
    )

    id: Mapped[str] = random_pk()
    concern_id: Mapped[str] = mapped_column(ForeignKey("concerns.id", ondelete="CASCADE"), index=True)
    nullifier: Mapped[str | None] = mapped_column(String(64), nullable=True)
    flagged_on: Mapped[date] = mapped_column(Date, default=coarse_date)


class ConcernStatusChange(Base):
    __tablename__ = "concern_status_changes"
    __table_args__ = (ANONYMOUS_TABLE_ARGS,)

    id: Mapped[str] = random_pk()
    concern_id: Mapped[str] = mapped_column(ForeignKey("concerns.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    changed_on: Mapped[date] = mapped_column(Date, default=coarse_date)
    position: Mapped[int] = mapped_column(Integer)


class FollowupMessage(Base):
    """One message in a concern's private thread; ciphertext only (A5)."""

    __tablename__ = "followup_messages"
    __table_args__ = (ANONYMOUS_TABLE_ARGS,)

    id: Mapped[str] = random_pk()
    concern_id: Mapped[str] = mapped_column(ForeignKey("concerns.id", ondelete="CASCADE"), index=True)
    # "author", "organizer" or "leadership": a role, never a person.
    sender_role: Mapped[str] = mapped_column(String(20))
    body_ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    sent_on: Mapped[date] = mapped_column(Date, default=coarse_date)
    # Order within one thread; per-concern, so it says nothing across threads.
    position: Mapped[int] = mapped_column(Integer)
