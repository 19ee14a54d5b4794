"""Instance administration: settings, groups, roles and the invite list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from voicebox.anonymity import MIN_SUPPRESSION_THRESHOLD, random_id
from voicebox.auditlog.record import record_event
from voicebox.extensions import db
from voicebox.labels import request_gettext as _
from voicebox.models import Group, InstanceSettings, Invite, Role, User
from voicebox.page_cache import touch_pages
from voicebox.settings import instance_settings


class AdminError(Exception):
    """An administrative change that can't be made; the message is for the user."""


@dataclass(frozen=True)
class SettingsChange:
    headcount: int | None
    small_group_threshold: int
    cosponsors_needed: int
    retention_days: int


def update_settings(change: SettingsChange, *, actor_role: str, today: date) -> InstanceSettings:
    """Apply new instance settings; raises AdminError for values that would weaken anonymity."""
    if change.small_group_threshold < MIN_SUPPRESSION_THRESHOLD:
        raise AdminError(
            _(
                "The small-group threshold can't go below %(minimum)s: smaller groups could be identified.",
                minimum=MIN_SUPPRESSION_THRESHOLD,
            )
        )
    if change.headcount is not None and change.headcount < 1:
        raise AdminError(_("Headcount must be at least 1, or left empty."))
    if not 0 <= change.cosponsors_needed <= 100:
        raise AdminError(_("Co-sponsors needed must be between 0 and 100."))
    if not 7 <= change.retention_days <= 3650:
        raise AdminError(_("Retention must be between 7 and 3,650 days."))
    settings = instance_settings()
    settings.headcount = change.headcount
    settings.small_group_threshold = change.small_group_threshold
    settings.cosponsors_needed = change.cosponsors_needed
    settings.retention_days = change.retention_days
    record_event(
        db.session,
        actor_role,
        "changed settings",
        f"headcount {change.headcount or 'unset'}, k={change.small_group_threshold}, "
        f"co-sponsors {change.cosponsors_needed}, retention {change.retention_days} days",
        on=today,
    )
    db.session.flush()
    return settings


def list_groups() -> list[Group]:
    """Every group, by kind then name."""
    return list(db.session.scalars(select(Group).order_by(Group.kind, Group.name)))


def add_group(name: str, kind: str, *, actor_role: str, today: date) -> Group:
    """Add a department or site; raises AdminError on an empty or duplicate name."""
    name = " ".join(name.split())
    if not name or len(name) > 80:
        raise AdminError(_("A group needs a name of up to 80 characters."))
    if kind not in {"department", "site"}:
        raise AdminError(_("A group is a department or a site."))
    group = Group(name=name, kind=kind)
    db.session.add(group)
    try:
        db.session.flush()
    except IntegrityError as exc:
        raise AdminError(_("There is already a group called %(name)s.", name=repr(name))) from exc
    touch_pages(db.session)  # group breakdowns list every group
    record_event(db.session, actor_role, "added a group", f"{kind}: {name}", on=today)
    db.session.flush()
    return group


def list_users() -> list[User]:
    """Every account, by username."""
    return list(db.session.scalars(select(User).order_by(User.username)))


def change_role(user_id: str, role: Role, *, actor: User, today: date) -> User:
    """Give an account a new role; raises AdminError for unknown users or removing the last admin."""
    user = db.session.get(User, user_id)
    if user is None:
        raise AdminError(_("There is no such account."))
    if user.role == Role.ADMIN.value and role != Role.ADMIN:
        admins = db.session.scalars(select(User).where(User.role == Role.ADMIN.value)).all()
        if len(admins) <= 1:
            raise AdminError(_("This is the only admin; make someone else admin first."))
    previous = user.role
    user.role = role.value
    # A new role takes effect at once: existing sessions of that account end.
    user.session_token = random_id()
    record_event(db.session, actor.role, "changed a role", f"{previous} → {role.value}", on=today)
    db.session.flush()
    return user


def list_invites() -> list[Invite]:
    """Every invite, newest first (codes themselves are never stored)."""
    return list(db.session.scalars(select(Invite).order_by(Invite.id.desc())))


def revoke_invite(invite_id: int, *, actor_role: str, today: date) -> Invite:
    """Stop an invite from working; raises AdminError if it doesn't exist."""
    invite = db.session.get(Invite, invite_id)
    if invite is None:
        raise AdminError(_("There is no such invite."))
    invite.revoked = True
    record_event(db.session, actor_role, "revoked an invite", f"invite #{invite.id}", on=today)
    db.session.flush()
    return invite
