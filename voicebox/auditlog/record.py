"""Writing to the public audit log; an event joins the transaction of the action it records."""

from __future__ import annotations

from datetime import date

from voicebox.anonymity import coarse_date
from voicebox.models import AuditEvent
from voicebox.models.base import DbSession


def record_event(
    session: DbSession, actor_role: str, action: str, subject: str = "", on: date | None = None
) -> AuditEvent:
    """Add an audit event to the caller's transaction (committed with the action itself)."""
    event = AuditEvent(
        actor_role=actor_role,
        action=action,
        subject=subject[:300],
        occurred_on=on or coarse_date(),
    )
    session.add(event)
    return event
