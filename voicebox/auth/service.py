"""Accounts: registering with an invite, signing in, first-run set-up, invites."""

from __future__ import annotations

import re
import secrets as random
from datetime import date

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import IntegrityError

from voicebox.anonymity import random_id, receipt_wordlist
from voicebox.auditlog.record import record_event
from voicebox.auth.invite_codes import normalize_invite_code
from voicebox.auth.passwords import N_, PasswordPolicy, Problem, feedback_text, password_feedback
from voicebox.crypto import hashes_match, keyed_hash
from voicebox.extensions import db
from voicebox.models import Invite, Role, User
from voicebox.models.base import rows_affected
from voicebox.settings import instance_settings

USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{2,39}$")
INVITE_WORDS = 5


class AccountError(Exception):
    """A request about accounts that can't be carried out; the message is for the user."""


class InvalidInvite(AccountError):
    pass


class UsernameTaken(AccountError):
    pass


class WeakPassword(AccountError):
    """The message is English; `feedback` holds its parts for translation where it is shown."""

    def __init__(self, message: str, feedback: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.feedback = feedback or [(message, {})]


class LoginFailed(AccountError):
    pass


class SetupUnavailable(AccountError):
    pass


def _invite_hash(pepper: bytes, code: str) -> str:
    return keyed_hash(pepper, "invite", normalize_invite_code(code))


def check_new_credentials(username: str, password: str) -> None:
    """Raise AccountError if the username is malformed or WeakPassword if the password is weak."""
    if not USERNAME_PATTERN.match(username):
        raise AccountError(
            N_(
                "Usernames are 3–40 letters, digits, dots, dashes or underscores. "
                "Pick one that isn't your real name."
            )
        )
    feedback = password_feedback(password, username)
    if feedback:
        raise WeakPassword(feedback_text(feedback), feedback)


def create_user(username: str, password: str, role: Role, policy: PasswordPolicy) -> User:
    """Create an account directly (CLI, set-up); raises UsernameTaken or WeakPassword."""
    check_new_credentials(username, password)
    user = User(username=username, password_hash=policy.hash(password), role=role.value)
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError as exc:
        raise UsernameTaken(N_("That username is taken; choose another.")) from exc
    return user


def register_with_invite(
    invite_code: str,
    username: str,
    password: str,
    *,
    pepper: bytes,
    policy: PasswordPolicy,
    today: date,
) -> User:
    """Create an account from an invite; raises InvalidInvite, UsernameTaken or WeakPassword."""
    code_hash = _invite_hash(pepper, invite_code)
    invite = db.session.scalars(select(Invite).where(Invite.code_hash == code_hash)).first()
    if invite is None or not invite.usable_on(today):
        raise InvalidInvite(N_("That invite code isn't valid. Check it, or ask for a new one."))
    check_new_credentials(username, password)
    # Conditional increment: two people racing for the last use can't both win.
    claimed = db.session.execute(
        update(Invite)
        .where(Invite.id == invite.id, Invite.uses < Invite.max_uses, Invite.revoked.is_(False))
        .values(uses=Invite.uses + 1)
    )
    if rows_affected(claimed) != 1:
        raise InvalidInvite(N_("That invite code has been used up. Ask for a new one."))
    user = create_user(username, password, Role(invite.role), policy)
    db.session.flush()
    return user


def authenticate(username: str, password: str, policy: PasswordPolicy) -> User:
    """Return the user for these credentials; raises LoginFailed with one message for every failure."""
    user = db.session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        policy.burn_time_for_unknown_user(password)
        raise LoginFailed(N_("Username or password is incorrect."))
    if not policy.verify(user.password_hash, password):
        raise LoginFailed(N_("Username or password is incorrect."))
    if policy.needs_rehash(user.password_hash):
        user.password_hash = policy.hash(password)
        db.session.flush()
    return user


# Built once: this runs on every signed-in request, and a prebuilt statement skips
# SQLAlchemy's per-call statement construction.
_USER_BY_SESSION_TOKEN = select(User).where(User.session_token == bindparam("token"))


def load_user_by_session_token(token: str) -> User | None:
    """The user whose current session token this is, if any.

    The cookie names a user only by this random token, never by id, address or agent:
    replacing the token (`end_sessions`) makes every cookie that holds the old one worthless.
    """
    if not token:
        return None
    return db.session.scalars(_USER_BY_SESSION_TOKEN, {"token": token}).first()


def end_sessions(user_id: str) -> None:
    """Sign the account out everywhere by replacing its session token (in the caller's unit).

    One token per account rather than a list of revoked sessions: a revocation table would
    be a new record of when people sign out, while replacing the token adds no column and
    no row. The price is that signing out on one device signs out on all of them, which on
    a shared workplace computer is the safer default anyway.
    """
    user = db.session.get(User, user_id)
    if user is not None:
        user.session_token = random_id()
        db.session.flush()


def admin_exists() -> bool:
    """Whether any admin account exists yet."""
    count = db.session.scalar(select(func.count()).select_from(User).where(User.role == Role.ADMIN.value))
    return bool(count)


def issue_setup_token(pepper: bytes) -> str | None:
    """A fresh one-time set-up token while no admin exists (replacing any older one), else None."""
    if admin_exists():
        return None
    token = random.token_urlsafe(24)
    instance_settings().setup_token_hash = keyed_hash(pepper, "setup", token)
    db.session.flush()
    return token


def setup_token_valid(token: str, pepper: bytes) -> bool:
    """Whether `token` is the current unused set-up token."""
    stored = instance_settings().setup_token_hash
    return (
        bool(stored) and not admin_exists() and hashes_match(stored or "", keyed_hash(pepper, "setup", token))
    )


def complete_setup(
    token: str, username: str, password: str, *, pepper: bytes, policy: PasswordPolicy
) -> User:
    """Create the first admin with the set-up token; raises SetupUnavailable, UsernameTaken, WeakPassword."""
    if not setup_token_valid(token, pepper):
        raise SetupUnavailable(N_("This set-up link has been used or replaced."))
    user = create_user(username, password, Role.ADMIN, policy)
    instance_settings().setup_token_hash = None
    record_event(db.session, Role.ADMIN.value, "set up the instance", "first admin account")
    db.session.flush()
    return user


def new_invite_code() -> str:
    """Five random words from the EFF list: about 64 bits, easy to read out."""
    words = receipt_wordlist()
    return "-".join(random.choice(words) for _ in range(INVITE_WORDS))


def create_invite(
    role: Role,
    *,
    uses: int,
    expires_on: date | None,
    pepper: bytes,
    actor_role: str,
    today: date,
    note: str = "",
) -> str:
    """Create an invite and return its code (shown once); raises AccountError on bad limits."""
    if uses < 1 or uses > 100_000:
        raise AccountError(N_("An invite can be used between 1 and 100,000 times."))
    if expires_on is not None and expires_on < today:
        raise AccountError(N_("The expiry date is in the past."))
    code = new_invite_code()
    db.session.add(
        Invite(
            code_hash=_invite_hash(pepper, code),
            role=role.value,
            max_uses=uses,
            expires_on=expires_on,
            created_on=today,
            note=note.strip()[:80],
        )
    )
    record_event(
        db.session,
        actor_role,
        "issued an invite",
        f"{role.value}, {uses} use{'s' if uses != 1 else ''}"
        + (f", expires {expires_on.isoformat()}" if expires_on else ""),
        on=today,
    )
    db.session.flush()
    return code
