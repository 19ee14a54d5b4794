"""Official responses, response thresholds and published reports.

None of these rows is about a member: responses are signed by an office (leadership),
threshold crossings are about a petition, reports are organizers' published aggregates.
"""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from voicebox.anonymity import coarse_date
from voicebox.models.base import Base, random_pk


class ResponseStatus(enum.StrEnum):
    # The concern statuses after "open": one vocabulary for concerns and answers.
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in progress"
    RESOLVED = "resolved"
    DECLINED = "declined"


class OfficialResponse(Base):
    """Leadership's public answer to one petition or one concern."""

    __tablename__ = "official_responses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    petition_id: Mapped[str | None] = mapped_column(
        ForeignKey("petitions.id", ondelete="CASCADE"), nullable=True, index=True
    )
    concern_id: Mapped[str | None] = mapped_column(
        ForeignKey("concerns.id", ondelete="CASCADE"), nullable=True, index=True
    )
    status: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text)
    responded_on: Mapped[date] = mapped_column(Date, default=coarse_date)


class ResponseThreshold(Base):
    """An admin's promise: at `share_percent` of headcount, leadership answers within N days."""

    __tablename__ = "response_thresholds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    share_percent: Mapped[int] = mapped_column(Integer)
    respond_within_days: Mapped[int] = mapped_column(Integer)
    created_on: Mapped[date] = mapped_column(Date, default=coarse_date)


class ThresholdCrossing(Base):
    """The day a petition reached a threshold, and the day an answer is due by."""

    __tablename__ = "threshold_crossings"
    __table_args__ = (
        UniqueConstraint("petition_id", "threshold_id", name="uq_threshold_crossings_petition_threshold"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    petition_id: Mapped[str] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"), index=True)
    threshold_id: Mapped[int] = mapped_column(ForeignKey("response_thresholds.id", ondelete="CASCADE"))
    crossed_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)


class Report(Base):
    """An organizer's working copy of a report; what readers see are its published versions."""

    __tablename__ = "reports"

    id: Mapped[str] = random_pk()
    title: Mapped[str] = mapped_column(String(200))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    narrative: Mapped[str] = mapped_column(Text, default="")
    # JSON lists of ids: the selection is part of the working copy, frozen into each version.
    petition_ids: Mapped[str] = mapped_column(Text, default="[]")
    concern_ids: Mapped[str] = mapped_column(Text, default="[]")
    # Signing comments the organizer chose to quote (signature ids; the text is read at publication).
    comment_ids: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")
    created_on: Mapped[date] = mapped_column(Date, default=coarse_date)
    latest_version: Mapped[int] = mapped_column(Integer, default=0)


class ReportVersion(Base):
    """One immutable published snapshot: canonical JSON and its SHA-256 digest."""

    __tablename__ = "report_versions"
    __table_args__ = (UniqueConstraint("report_id", "version", name="uq_report_versions_report_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[str] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    published_on: Mapped[date] = mapped_column(Date)
    snapshot: Mapped[str] = mapped_column(Text)
    digest: Mapped[str] = mapped_column(String(64))
