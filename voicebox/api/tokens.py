"""Personal access tokens: read-only keys for scripts that pull published figures.

The token is shown once; the database keeps only its keyed hash under the pepper, so a
leaked dump can't be used to call the API. A token records no use time and no address.
"""

from __future__ import annotations

import secrets as random_source
from datetime import date

from sqlalchemy import delete, func, select

from voicebox.auditlog.record import record_event
from voicebox.crypto import keyed_hash
from voicebox.extensions import db
from voicebox.labels import request_gettext as _
from voicebox.models import ApiToken, User
from voicebox.models.tokens import READ_SCOPE

PREFIX = "vbx_"
PURPOSE = "api-token"
NAME_MAX = 60
TOKENS_PER_ACCOUNT = 10


class TokenError(Exception):
    """A token request that can't be carried out; the message is for the user."""


def token_hash(pepper: bytes, raw: str) -> str:
    return keyed_hash(pepper, PURPOSE, raw)


def create_token(user: User, name: str, *, pepper: bytes, today: date) -> tuple[ApiToken, str]:
    """Make a read-only token for `user`; returns the row and the token, which is never shown again."""
    name = " ".join(name.split())
    if not name:
        raise TokenError(_("Name the token after the script or spreadsheet that will use it."))
    if len(name) > NAME_MAX:
        raise TokenError(_("Keep the name under %(max)s characters.", max=NAME_MAX))
    held = db.session.scalar(select(func.count()).select_from(ApiToken).where(ApiToken.user_id == user.id))
    if (held or 0) >= TOKENS_PER_ACCOUNT:
        raise TokenError(
            _("An account holds at most %(max)s tokens; revoke one first.", max=TOKENS_PER_ACCOUNT)
        )
    raw = PREFIX + random_source.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id, name=name, token_hash=token_hash(pepper, raw), scope=READ_SCOPE, created_on=today
    )
    db.session.add(row)
    record_event(db.session, user.role, "created a read-only API token", name, on=today)
    db.session.flush()
    return row, raw


def tokens_of(user: User) -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)))


def revoke_token(user: User, token_id: int, *, today: date) -> None:
    """Delete one of the user's own tokens; raises TokenError for anyone else's or an unknown one."""
    row = db.session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id:
        raise TokenError(_("There is no such token."))
    db.session.execute(delete(ApiToken).where(ApiToken.id == row.id))
    record_event(db.session, user.role, "revoked an API token", row.name, on=today)
    db.session.flush()


def user_for_token(raw: str, *, pepper: bytes) -> User | None:
    """The account a presented token belongs to, or None; only read scope exists."""
    if not raw.startswith(PREFIX) or len(raw) > 100:
        return None
    row = db.session.scalars(
        select(ApiToken).where(ApiToken.token_hash == token_hash(pepper, raw), ApiToken.scope == READ_SCOPE)
    ).first()
    return db.session.get(User, row.user_id) if row is not None else None
