"""Personal access tokens for read-only API scripts.

A token belongs to an account (using one is not an anonymous action), is stored only as
its keyed hash, and records no use time or address (A3, A4).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from voicebox.anonymity import coarse_date
from voicebox.models.base import Base

READ_SCOPE = "read"


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scope: Mapped[str] = mapped_column(String(20), default=READ_SCOPE)
    created_on: Mapped[date] = mapped_column(Date, default=coarse_date)
