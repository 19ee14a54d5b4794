"""Retention: what is past its time is deleted, and the file is made to forget it too.

Follow-up messages older than the retention period, petitions closed before it, and
concerns resolved or declined before it are deleted (their signatures, supports, flags,
tallies and threads go with them through ON DELETE CASCADE). SQLite's secure_delete
overwrites the freed pages; a WAL checkpoint then moves the deletions out of the
write-ahead log so old row images don't linger there either.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import delete, func, select, text

from voicebox.auditlog.record import record_event
from voicebox.models import (
    Concern,
    ConcernStatus,
    ConcernStatusChange,
    FollowupMessage,
    InstanceSettings,
    Petition,
    PetitionStatus,
)
from voicebox.models.base import DbSession, rows_affected
from voicebox.unit_of_work import on_commit

DEFAULT_RETENTION_DAYS = 365
CLOSED_CONCERN_STATUSES = (ConcernStatus.RESOLVED.value, ConcernStatus.DECLINED.value)


@dataclass(frozen=True)
class PurgeResult:
    cutoff: date
    followup_messages: int
    closed_petitions: int
    closed_concerns: int

    @property
    def total(self) -> int:
        return self.followup_messages + self.closed_petitions + self.closed_concerns

    def as_lines(self) -> list[str]:
        """What was deleted, one kind per line, for the console."""
        return [
            f"Deleted everything older than {self.cutoff.isoformat()}:",
            f"  follow-up messages: {self.followup_messages}",
            f"  closed petitions:   {self.closed_petitions}",
            f"  closed concerns:    {self.closed_concerns}",
        ]


def retention_cutoff(today: date, retention_days: int) -> date:
    """The first day still kept; raises ValueError for a retention under one day."""
    if retention_days < 1:
        raise ValueError("retention must be at least one day")
    return today - timedelta(days=retention_days)


def _closed_concern_ids(session: DbSession, cutoff: date) -> list[str]:
    # A concern closes on its last status change; one never changed is judged by its
    # creation day, so a status set without history is still purged in time.
    last_change = (
        select(ConcernStatusChange.concern_id, func.max(ConcernStatusChange.changed_on).label("day"))
        .group_by(ConcernStatusChange.concern_id)
        .subquery()
    )
    closed_on = func.coalesce(last_change.c.day, Concern.created_on)
    query = (
        select(Concern.id)
        .outerjoin(last_change, last_change.c.concern_id == Concern.id)
        .where(Concern.status.in_(CLOSED_CONCERN_STATUSES), closed_on < cutoff)
    )
    return list(session.scalars(query))


def _delete_where(session: DbSession, model: type, *where: object) -> int:
    result = session.execute(delete(model).where(*where))  # type: ignore[arg-type]
    return rows_affected(result)


def purge_expired(session: DbSession, today: date, *, quiet_when_empty: bool = False) -> PurgeResult:
    """Delete follow-ups and closed items older than the instance's retention, and record it.

    `quiet_when_empty` (the background tick) leaves the audit log alone when nothing was due.
    """
    settings = session.get(InstanceSettings, 1)
    cutoff = retention_cutoff(today, settings.retention_days if settings else DEFAULT_RETENTION_DAYS)
    followups = _delete_where(session, FollowupMessage, FollowupMessage.sent_on < cutoff)
    concern_ids = _closed_concern_ids(session, cutoff)
    concerns = _delete_where(session, Concern, Concern.id.in_(concern_ids)) if concern_ids else 0
    petitions = _delete_where(
        session,
        Petition,
        Petition.status == PetitionStatus.CLOSED.value,
        Petition.closed_on < cutoff,
    )
    result = PurgeResult(cutoff, followups, petitions, concerns)
    if quiet_when_empty and not result.total:
        return result
    record_event(
        session,
        "admin",
        "purged expired data",
        f"{followups} follow-up messages, {petitions} closed petitions, {concerns} closed concerns",
        on=today,
    )
    # Once the deletions commit, the WAL still holding the deleted rows is folded away.
    on_commit(session, lambda: _checkpoint(session))
    return result


def _checkpoint(session: DbSession) -> None:
    engine = session.get_bind().engine
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
