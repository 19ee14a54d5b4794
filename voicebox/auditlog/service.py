"""Reading the audit log, newest first, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from voicebox.extensions import db
from voicebox.models import AuditEvent

PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditPage:
    events: list[AuditEvent]
    number: int
    pages: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def audit_page(number: int) -> AuditPage:
    """One page of audit events, newest first; out-of-range numbers are clamped, never an error."""
    total = db.session.scalar(select(func.count()).select_from(AuditEvent)) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    number = min(max(1, number), pages)
    events = db.session.scalars(
        select(AuditEvent)
        .order_by(AuditEvent.occurred_on.desc(), AuditEvent.id.desc())
        .limit(PAGE_SIZE)
        .offset((number - 1) * PAGE_SIZE)
    ).all()
    return AuditPage(events=list(events), number=number, pages=pages)
