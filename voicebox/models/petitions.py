"""Petitions, their anonymous signatures and the counters that make tallies cheap.

No table here references a user (A1). Signatures and co-sponsorships are found only
through nullifiers under the petition's own key, which never enters the database: it lives
in the key store (voicebox.keystore) and is destroyed there at close (A2). A signature's
group is ciphertext, and the group breakdown is one sealed blob per petition, so the raw
database holds no count for a small group (A6).
"""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from voicebox.anonymity import coarse_date
from voicebox.models.base import ANONYMOUS_TABLE_ARGS, Base, random_pk


class PetitionStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    REJECTED = "rejected"  # a draft an organizer turned down, with a public reason


class Petition(Base):
    __tablename__ = "petitions"
    __table_args__ = (
        CheckConstraint("signature_count >= 0", name="signature_count_nonnegative"),
        ANONYMOUS_TABLE_ARGS,
    )

    id: Mapped[str] = random_pk()
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    goal: Mapped[int] = mapped_column(Integer)
    closes_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(10), default=PetitionStatus.DRAFT.value)
    created_on: Mapped[date] = mapped_column(Date, default=coarse_date)
    opened_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    closed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    # Lets the starter manage their draft without a user column: HMAC("author", them).
    author_nullifier: Mapped[str | None] = mapped_column(String(64), nullable=True)
    signature_count: Mapped[int] = mapped_column(Integer, default=0)
    cosponsor_count: Mapped[int] = mapped_column(Integer, default=0)
    rejected_reason: Mapped[str | None] = mapped_column(String(300), nullable=True)
    # Random, replaced (never incremented, so it counts nothing) whenever a figure the
    # petition page shows changes; the page and API caches are keyed on it (voicebox.page_cache).
    page_version: Mapped[str] = mapped_column(String(16), default="", server_default="")

    @property
    def is_open(self) -> bool:
        return self.status == PetitionStatus.OPEN

    @property
    def is_draft(self) -> bool:
        return self.status == PetitionStatus.DRAFT

    @property
    def is_closed(self) -> bool:
        return self.status == PetitionStatus.CLOSED

    @property
    def is_rejected(self) -> bool:
        return self.status == PetitionStatus.REJECTED


class Signature(Base):
    """One anonymous signature: a nullifier, a date, and what the signer chose to add."""

    __tablename__ = "signatures"
    __table_args__ = (
        UniqueConstraint("petition_id", "nullifier", name="uq_signatures_petition_nullifier"),
        # The petition page lists the first public names in order: without this (partial)
        # index that is a scan of every signature, a million on a big petition.
        Index(
            "ix_signatures_public_names",
            "petition_id",
            "display_name",
            sqlite_where=text("display_name IS NOT NULL"),
            postgresql_where=text("display_name IS NOT NULL"),
        ),
        # Only where a token signed. Every index a signature is in costs a random page write
        # when its window is counted, with members signing waiting for the writer; the
        # unique (petition_id, nullifier) one also serves lookups by petition (migration 0080).
        Index(
            "uq_signatures_petition_token_hash",
            "petition_id",
            "token_hash",
            unique=True,
            sqlite_where=text("token_hash IS NOT NULL"),
            postgresql_where=text("token_hash IS NOT NULL"),
        ),
        ANONYMOUS_TABLE_ARGS,
    )

    id: Mapped[str] = random_pk()
    petition_id: Mapped[str] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"))
    nullifier: Mapped[str | None] = mapped_column(String(64), nullable=True)
    signed_on: Mapped[date] = mapped_column(Date, default=coarse_date)
    display_name: Mapped[str | None] = mapped_column(String(60), nullable=True)
    # The group the signer named, sealed under the data key (a fixed-size blob either way).
    group_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    comment_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    # sha256 of the blind-signed token that made this signature (voicebox.tokens): public in
    # the petition's inclusion list and kept after close, unlike the nullifier; no account
    # can be traced to it. None for a signature made with the account's nullifier.
    token_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)


class Cosponsorship(Base):
    """A member backing a draft before it opens; a nullifier, nothing else."""

    __tablename__ = "cosponsorships"
    __table_args__ = (
        UniqueConstraint("petition_id", "nullifier", name="uq_cosponsorships_petition_nullifier"),
        Index("uq_cosponsorships_petition_token_hash", "petition_id", "token_hash", unique=True),
        ANONYMOUS_TABLE_ARGS,
    )

    id: Mapped[str] = random_pk()
    petition_id: Mapped[str] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"), index=True)
    nullifier: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # sha256 of the co-sponsorship token (voicebox.tokens): kept, and listed, after the draft
    # opens, when account co-sponsorships are deleted; None for an account's co-sponsorship.
    token_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)


class PetitionDayTally(Base):
    """Net signatures per petition per UTC day: the timeline without a scan."""

    __tablename__ = "petition_day_tallies"
    __table_args__ = (ANONYMOUS_TABLE_ARGS,)

    petition_id: Mapped[str] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    signatures: Mapped[int] = mapped_column(Integer, default=0)


class PetitionBreakdown(Base):
    """Net signatures per group and day for one petition, sealed under the data key.

    One blob per petition instead of a row per (group, day): a leaked database shows
    neither which groups signed nor any count below the small-group threshold (A6).
    """

    __tablename__ = "petition_breakdowns"
    __table_args__ = (ANONYMOUS_TABLE_ARGS,)

    petition_id: Mapped[str] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"), primary_key=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)

    @property
    def id(self) -> str:
        """The row's key, named like every other table's for code that walks ciphertexts."""
        return self.petition_id
