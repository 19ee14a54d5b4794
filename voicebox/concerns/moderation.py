"""Organizer rules: hiding and unhiding, dismissing flags, moving status, keeping categories.

Each action is recorded in the public audit log in the same transaction. Audit subjects
name a concern by a short id rather than its title, because a hidden concern's title
must not resurface in a log every member reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from voicebox import pending
from voicebox.auditlog.record import record_event
from voicebox.concerns.service import (
    CLOSED_STATUSES,
    CONCERN,
    SUPPORT,
    SUPPORT_SIGNING,
    UNREADABLE,
    ConcernError,
    get_concern,
    readable_body,
    support_applier,
)
from voicebox.config import Secrets
from voicebox.extensions import db
from voicebox.keystore import KeyStore
from voicebox.labels import request_gettext as _
from voicebox.labels import status_label
from voicebox.models import (
    Category,
    Concern,
    ConcernFlag,
    ConcernStatus,
    ConcernStatusChange,
    ConcernSupport,
    ItemTokenIssuance,
)
from voicebox.unit_of_work import on_commit

REASON_MAX = 300
CATEGORY_NAME_MAX = 80
CATEGORY_DESCRIPTION_MAX = 200
STATUS_ORDER = tuple(status.value for status in ConcernStatus)


class InvalidCategory(ConcernError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class QueueItem:
    """A concern waiting for a moderator, with its decrypted body for review."""

    concern: Concern
    body: str


def _subject(concern: Concern) -> str:
    return f"concern {concern.id[:8]}"


def next_statuses(current: str) -> list[str]:
    """The statuses a concern may move to: only forward, and resolved/declined are final."""
    if current in CLOSED_STATUSES or current not in STATUS_ORDER:
        return []
    return list(STATUS_ORDER[STATUS_ORDER.index(current) + 1 :])


def hide_concern(concern_id: str, reason: str, *, actor_role: str, today: date) -> Concern:
    """Hide a concern behind a public reason; raises ConcernNotFound or ConcernError."""
    reason = " ".join(reason.split())
    if not reason:
        raise ConcernError(_("Give the reason members will see for hiding it."))
    if len(reason) > REASON_MAX:
        raise ConcernError(_("Keep the reason under %(max)s characters.", max=REASON_MAX))
    concern = get_concern(concern_id)
    if concern.hidden:
        raise ConcernError(_("This concern is already hidden."))
    concern.hidden = True
    concern.hidden_reason = reason
    concern.hidden_on = today
    record_event(db.session, actor_role, "hid a concern", f"{_subject(concern)}: {reason}", on=today)
    db.session.flush()
    return concern


def unhide_concern(concern_id: str, *, actor_role: str, today: date) -> Concern:
    """Show a hidden concern again; its flags count as reviewed. Raises ConcernNotFound or ConcernError."""
    concern = get_concern(concern_id)
    if not concern.hidden:
        raise ConcernError(_("This concern is not hidden."))
    concern.hidden = False
    concern.hidden_reason = None
    concern.hidden_on = None
    concern.flag_count = 0
    record_event(db.session, actor_role, "unhid a concern", _subject(concern), on=today)
    db.session.flush()
    return concern


def dismiss_flags(concern_id: str, *, actor_role: str, today: date) -> Concern:
    """Keep a flagged concern visible and clear it from the queue; raises ConcernNotFound.

    The flag rows stay, so members who flagged it can't flag it again; new flags from
    others bring it back to the queue.
    """
    concern = get_concern(concern_id)
    concern.flag_count = 0
    record_event(db.session, actor_role, "kept a flagged concern visible", _subject(concern), on=today)
    db.session.flush()
    return concern


def change_status(concern_id: str, status: str, *, actor_role: str, today: date, keys: KeyStore) -> Concern:
    """Move a concern forward; resolving or declining destroys its key (A2).

    Raises ConcernNotFound, or ConcernError for a move that isn't forward.
    """
    concern = get_concern(concern_id)
    if status not in next_statuses(concern.status):
        raise ConcernError(
            _(
                "A concern that is %(status)s cannot move to %(new)s.",
                status=status_label(concern.status),
                new=status_label(status) if status else _("nothing"),
            )
        )
    previous = concern.status
    concern.status = status
    position = db.session.execute(
        select(func.coalesce(func.max(ConcernStatusChange.position), -1)).where(
            ConcernStatusChange.concern_id == concern.id
        )
    ).scalar_one()
    db.session.add(
        ConcernStatusChange(concern_id=concern.id, status=status, changed_on=today, position=position + 1)
    )
    closing = status in CLOSED_STATUSES
    if closing:
        # "Me too"s still waiting for their window are counted before the key goes.
        # Destroying the key makes every "me too" permanent and unlinkable; clearing the
        # nullifiers too means a copy of the key taken earlier can't re-link them either.
        db.session.flush()
        pending.count_pending_for(
            db.session, keys, {SUPPORT: support_applier(closing=concern.id)}, "concern_id", concern.id
        )
        db.session.execute(
            update(ConcernSupport).where(ConcernSupport.concern_id == concern.id).values(nullifier=None)
        )
        db.session.execute(
            update(ConcernFlag).where(ConcernFlag.concern_id == concern.id).values(nullifier=None)
        )
        db.session.execute(
            delete(ItemTokenIssuance).where(
                ItemTokenIssuance.scope == SUPPORT, ItemTokenIssuance.item_id == concern.id
            )
        )
    record_event(
        db.session,
        actor_role,
        "changed a concern's status",
        f"{_subject(concern)}: {previous} → {status}",
        on=today,
    )
    db.session.flush()
    if closing:

        def destroy_keys() -> None:
            keys.destroy(CONCERN, concern.id)
            keys.destroy(SUPPORT_SIGNING, concern.id)

        # Only once the close commits: a key gone before a failed commit would strand an open concern.
        on_commit(db.session, destroy_keys)
    return concern


def status_history(concern_id: str) -> list[ConcernStatusChange]:
    """Every status a concern has had, oldest first, with its date."""
    return list(
        db.session.scalars(
            select(ConcernStatusChange)
            .where(ConcernStatusChange.concern_id == concern_id)
            .order_by(ConcernStatusChange.position)
        )
    )


def _queue_item(concern: Concern, secrets: Secrets) -> QueueItem:
    body = readable_body(concern, secrets)
    return QueueItem(concern, _(UNREADABLE) if body is None else body)


def moderation_queue(secrets: Secrets) -> tuple[list[QueueItem], list[QueueItem]]:
    """Flagged concerns still visible (most flags first) and hidden ones (newest first)."""
    rows = db.session.scalars(
        select(Concern)
        .where(or_(Concern.hidden.is_(True), Concern.flag_count > 0))
        .order_by(Concern.flag_count.desc(), Concern.created_on.desc(), Concern.id)
    ).all()
    flagged = [_queue_item(c, secrets) for c in rows if not c.hidden]
    hidden = sorted(
        (_queue_item(c, secrets) for c in rows if c.hidden),
        key=lambda item: item.concern.hidden_on or date.min,
        reverse=True,
    )
    return flagged, hidden


def add_category(name: str, description: str, *, actor_role: str, today: date) -> Category:
    """Create a category; raises InvalidCategory for an empty, long or duplicate name."""
    name = " ".join(name.split())
    description = " ".join(description.split())
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("Give the category a name.")
    elif len(name) > CATEGORY_NAME_MAX:
        errors["name"] = _("Keep the name under %(max)s characters.", max=CATEGORY_NAME_MAX)
    if len(description) > CATEGORY_DESCRIPTION_MAX:
        errors["description"] = _(
            "Keep the description under %(max)s characters.", max=CATEGORY_DESCRIPTION_MAX
        )
    if errors:
        raise InvalidCategory(errors)
    category = Category(name=name, description=description)
    db.session.add(category)
    try:
        db.session.flush()
    except IntegrityError as exc:
        raise InvalidCategory({"name": _("A category with that name already exists.")}) from exc
    record_event(db.session, actor_role, "added a concern category", name, on=today)
    db.session.flush()
    return category


def remove_category(category_id: int, *, actor_role: str, today: date) -> None:
    """Delete a category; its concerns stay, uncategorised. Raises ConcernError if unknown."""
    category = db.session.get(Category, category_id)
    if category is None:
        raise ConcernError(_("There is no such category."))
    db.session.execute(update(Concern).where(Concern.category_id == category_id).values(category_id=None))
    db.session.execute(delete(Category).where(Category.id == category_id))
    record_event(db.session, actor_role, "removed a concern category", category.name, on=today)
    db.session.flush()
