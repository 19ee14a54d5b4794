"""Accounts, invites, instance settings and the groups members may sign under."""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import Boolean, Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from voicebox.anonymity import coarse_date, random_id
from voicebox.models.base import ANONYMOUS_TABLE_ARGS, Base, random_pk


class Role(enum.StrEnum):
    MEMBER = "member"
    ORGANIZER = "organizer"
    LEADERSHIP = "leadership"
    ADMIN = "admin"


# Who may sign, support, co-sponsor and post: staff speaking for themselves. Leadership
# and admin accounts act for their office, so they answer rather than sign.
PARTICIPANT_ROLES = (Role.MEMBER, Role.ORGANIZER)


class User(Base):
    """A verified member of staff. Deliberately no email, last-login or last-seen column (A3, A8)."""

    __tablename__ = "users"
    # No rowid: accounts keep no join order a dump could line up with anything else.
    __table_args__ = (ANONYMOUS_TABLE_ARGS,)

    id: Mapped[str] = random_pk()
    username: Mapped[str] = mapped_column(String(40), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default=Role.MEMBER.value)
    # What the session cookie carries; rotating it signs every session out.
    session_token: Mapped[str] = mapped_column(String(32), unique=True, default=random_id)
    created_on: Mapped[date] = mapped_column(Date, default=coarse_date)

    # Flask-Login protocol, kept here so no mixin hides what the cookie holds.
    is_active = True
    is_anonymous = False

    @property
    def is_authenticated(self) -> bool:
        return True

    def get_id(self) -> str:
        return self.session_token

    def has_role(self, *roles: Role | str) -> bool:
        return self.role in {str(r) for r in roles}


class Invite(Base):
    """An invite code, stored only as its keyed hash so a leaked dump can't register anyone."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(20), default=Role.MEMBER.value)
    max_uses: Mapped[int] = mapped_column(Integer, default=1)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    expires_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_on: Mapped[date] = mapped_column(Date, default=coarse_date)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(String(80), default="")

    def usable_on(self, day: date) -> bool:
        return (
            not self.revoked
            and self.uses < self.max_uses
            and (self.expires_on is None or day <= self.expires_on)
        )


class InstanceSettings(Base):
    """One row of admin settings."""

    __tablename__ = "instance_settings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    headcount: Mapped[int | None] = mapped_column(Integer, nullable=True)
    small_group_threshold: Mapped[int] = mapped_column(Integer, default=5)
    cosponsors_needed: Mapped[int] = mapped_column(Integer, default=0)
    retention_days: Mapped[int] = mapped_column(Integer, default=365)
    setup_token_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)


class Group(Base):
    """A department or site members may name when signing; counts below k are never shown."""

    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="department")
