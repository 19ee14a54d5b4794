"""Moderation of signing comments: a hidden comment and the public reason, nothing else.

Keyed by the signature, never by a member (A1); the date is the organizer's action.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from voicebox.anonymity import coarse_date
from voicebox.models.base import ANONYMOUS_TABLE_ARGS, Base

REASON_MAX = 200


class HiddenComment(Base):
    __tablename__ = "hidden_signature_comments"
    __table_args__ = (ANONYMOUS_TABLE_ARGS,)

    signature_id: Mapped[str] = mapped_column(
        ForeignKey("signatures.id", ondelete="CASCADE"), primary_key=True
    )
    reason: Mapped[str] = mapped_column(String(REASON_MAX))
    hidden_on: Mapped[date] = mapped_column(Date, default=coarse_date)
