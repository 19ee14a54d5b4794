"""Report rules: composing, previewing and publishing immutable versioned snapshots."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from voicebox.auditlog.record import record_event
from voicebox.config import Secrets
from voicebox.extensions import db
from voicebox.labels import LocalCount
from voicebox.labels import request_gettext as _
from voicebox.models import Concern, HiddenComment, Petition, PetitionStatus, Report, ReportVersion, Signature
from voicebox.models.base import rows_affected
from voicebox.petitions.comments import petition_comments
from voicebox.reports.snapshot import build_snapshot, canonical_json, digest_of

TITLE_MAX = 200
NARRATIVE_MAX = 20_000
# Versions are counted from 1; nine digits keep every accepted value inside a 32-bit integer.
VERSION_PATTERN = re.compile(r"[1-9][0-9]{0,8}")


class ReportError(Exception):
    """A report request that can't be carried out; the message is for the organizer."""


class ReportNotFound(ReportError):
    pass


class AlreadyPublished(ReportError):
    pass


class InvalidReport(ReportError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass
class ReportDraft:
    """What an organizer typed into the compose form."""

    title: str
    period_start: date | None
    period_end: date | None
    narrative: str = ""
    petition_ids: list[str] = field(default_factory=list)
    concern_ids: list[str] = field(default_factory=list)
    comment_ids: list[str] = field(default_factory=list)


def selectable_petitions() -> list[Petition]:
    """Petitions a report may include: every one that has opened, newest first."""
    return list(
        db.session.scalars(
            select(Petition)
            .where(Petition.status != PetitionStatus.DRAFT.value)
            .order_by(Petition.created_on.desc(), Petition.title)
        )
    )


def selectable_concerns() -> list[Concern]:
    """Concerns a report may include (hidden ones appear in it only as hidden)."""
    return list(db.session.scalars(select(Concern).order_by(Concern.created_on.desc(), Concern.title)))


QUOTABLE_PER_PETITION = 300


def quotable_comments(report: Report, secrets: Secrets, *, threshold: int) -> list[tuple[str, str, str]]:
    """(handle, petition title, text) of the visible comments on the report's petitions, for ticking."""
    petitions = db.session.scalars(
        select(Petition).where(Petition.id.in_(json.loads(report.petition_ids))).order_by(Petition.title)
    ).all()
    choices = []
    for petition in petitions:
        view = petition_comments(
            petition.id, secrets, signature_count=petition.signature_count, threshold=threshold, shuffle=False
        )
        choices += [(c.handle, petition.title, c.text) for c in view.visible[:QUOTABLE_PER_PETITION]]
    return choices


def validate_draft(draft: ReportDraft) -> dict[str, str]:
    """Field errors for a report, keyed by form field; empty when it is fine."""
    errors: dict[str, str] = {}
    if not draft.title.strip():
        errors["title"] = _("Give the report a title.")
    elif len(draft.title) > TITLE_MAX:
        errors["title"] = _("Keep the title under %(max)s characters.", max=TITLE_MAX)
    if draft.period_start is None:
        errors["period_start"] = _("Give the first day of the period.")
    if draft.period_end is None:
        errors["period_end"] = _("Give the last day of the period.")
    elif draft.period_start is not None and draft.period_end < draft.period_start:
        errors["period_end"] = _(
            "The period ends before it starts: the last day must be on or after the first."
        )
    if len(draft.narrative) > NARRATIVE_MAX:
        errors["narrative"] = _("Keep the narrative under %(max)s characters.", max=LocalCount(NARRATIVE_MAX))
    if not draft.petition_ids and not draft.concern_ids:
        errors["petitions"] = _("Choose at least one petition or concern to report on.")
    known_petitions = {p.id for p in selectable_petitions()}
    if set(draft.petition_ids) - known_petitions:
        errors["petitions"] = _("Choose petitions from the list.")
    known_concerns = set(db.session.scalars(select(Concern.id).where(Concern.id.in_(draft.concern_ids))))
    if set(draft.concern_ids) - known_concerns:
        errors["concerns"] = _("Choose concerns from the list.")
    if draft.comment_ids:
        quotable = set(
            db.session.scalars(
                select(Signature.id)
                .outerjoin(HiddenComment, HiddenComment.signature_id == Signature.id)
                .where(
                    Signature.id.in_(draft.comment_ids),
                    Signature.petition_id.in_(draft.petition_ids),
                    Signature.comment_ciphertext.is_not(None),
                    HiddenComment.signature_id.is_(None),
                )
            )
        )
        if set(draft.comment_ids) - quotable:
            errors["comments"] = _("Quote only visible comments on petitions the report includes.")
    return errors


def _check(draft: ReportDraft) -> None:
    errors = validate_draft(draft)
    if errors:
        raise InvalidReport(errors)


def _apply(report: Report, draft: ReportDraft) -> None:
    assert draft.period_start is not None and draft.period_end is not None  # noqa: S101 - validated
    report.title = draft.title.strip()
    report.period_start = draft.period_start
    report.period_end = draft.period_end
    report.narrative = draft.narrative
    report.petition_ids = json.dumps(sorted(set(draft.petition_ids)))
    report.concern_ids = json.dumps(sorted(set(draft.concern_ids)))
    report.comment_ids = json.dumps(sorted(set(draft.comment_ids)))


def create_report(draft: ReportDraft, *, actor_role: str, today: date) -> Report:
    """Save a new unpublished report; raises InvalidReport with per-field messages."""
    _check(draft)
    report = Report(created_on=today)
    _apply(report, draft)
    db.session.add(report)
    record_event(db.session, actor_role, "drafted a report", report.title, on=today)
    db.session.flush()
    return report


def update_report(report_id: str, draft: ReportDraft, *, actor_role: str, today: date) -> Report:
    """Change a report's working copy (published versions stay as they are); raises InvalidReport."""
    report = get_report(report_id)
    _check(draft)
    _apply(report, draft)
    record_event(db.session, actor_role, "edited a report", report.title, on=today)
    db.session.flush()
    return report


def draft_of(report: Report) -> ReportDraft:
    """The working copy as a form would show it."""
    return ReportDraft(
        title=report.title,
        period_start=report.period_start,
        period_end=report.period_end,
        narrative=report.narrative,
        petition_ids=json.loads(report.petition_ids),
        concern_ids=json.loads(report.concern_ids),
        comment_ids=json.loads(report.comment_ids or "[]"),
    )


def get_report(report_id: str) -> Report:
    """Load a report; raises ReportNotFound."""
    report = db.session.get(Report, report_id)
    if report is None:
        raise ReportNotFound(_("There is no such report."))
    return report


def preview(
    report: Report,
    *,
    threshold: int,
    headcount: int | None,
    today: date,
    secrets: Secrets | None = None,
) -> dict[str, Any]:
    """What publishing now would freeze, as the next version; nothing is stored.

    Quoted signing comments are read only when `secrets` is given (they are ciphertext).
    """
    return build_snapshot(
        report_id=report.id,
        title=report.title,
        narrative=report.narrative,
        period_start=report.period_start,
        period_end=report.period_end,
        petition_ids=json.loads(report.petition_ids),
        concern_ids=json.loads(report.concern_ids),
        version=report.latest_version + 1,
        published_on=today,
        threshold=threshold,
        headcount=headcount,
        comment_ids=json.loads(report.comment_ids or "[]"),
        secrets=secrets,
    )


def publish_report(
    report_id: str,
    expected_version: int,
    *,
    threshold: int,
    headcount: int | None,
    actor_role: str,
    today: date,
    secrets: Secrets | None = None,
) -> ReportVersion:
    """Freeze the working copy as version expected_version + 1.

    Raises ReportNotFound, or AlreadyPublished when another publish got there first
    (a double click or two organizers at once): exactly one version is made.
    """
    report = get_report(report_id)
    if report.latest_version != expected_version:
        raise AlreadyPublished(
            _(
                "This report was just published as version %(version)s; nothing new was made.",
                version=report.latest_version,
            )
        )
    version = expected_version + 1
    snapshot = preview(report, threshold=threshold, headcount=headcount, today=today, secrets=secrets)
    # Compare-and-set on the version counter, with the unique (report, version) index as backstop.
    claimed = db.session.execute(
        update(Report)
        .where(Report.id == report.id, Report.latest_version == expected_version)
        .values(latest_version=version)
    )
    if rows_affected(claimed) != 1:
        raise AlreadyPublished(_("This report was just published by someone else; nothing new was made."))
    row = ReportVersion(
        report_id=report.id,
        version=version,
        published_on=today,
        snapshot=canonical_json(snapshot).decode("utf-8"),
        digest=digest_of(snapshot),
    )
    db.session.add(row)
    record_event(db.session, actor_role, f"published a report (version {version})", report.title, on=today)
    try:
        db.session.flush()
    except IntegrityError as exc:
        raise AlreadyPublished(
            _("This report was just published by someone else; nothing new was made.")
        ) from exc
    return row


def parse_version(raw: str | None) -> int | None:
    """A `?version=` value as a number (None when absent); raises ReportNotFound for anything else."""
    if raw is None:
        return None
    if not VERSION_PATTERN.fullmatch(raw):
        raise ReportNotFound(_("There is no such version: versions are whole numbers from 1."))
    return int(raw)


def get_version(report_id: str, version: int | None = None) -> ReportVersion:
    """A published version (the latest by default); raises ReportNotFound for drafts and unknown versions."""
    query = select(ReportVersion).where(ReportVersion.report_id == report_id)
    if version is None:
        query = query.order_by(ReportVersion.version.desc()).limit(1)
    else:
        query = query.where(ReportVersion.version == version)
    row = db.session.scalars(query).first()
    if row is None:
        raise ReportNotFound(_("There is no such published report."))
    return row


def versions_of(report_id: str) -> list[tuple[int, date, str]]:
    """(version, published_on, digest) of every published version, newest first."""
    return [
        (v, d, h)
        for v, d, h in db.session.execute(
            select(ReportVersion.version, ReportVersion.published_on, ReportVersion.digest)
            .where(ReportVersion.report_id == report_id)
            .order_by(ReportVersion.version.desc())
        )
    ]


def snapshot_of(version: ReportVersion) -> dict[str, Any]:
    """The frozen content of a published version."""
    return json.loads(version.snapshot)


@dataclass(frozen=True)
class ReportListing:
    report: Report
    published_on: date | None


def list_reports(include_unpublished: bool, limit: int | None = None) -> list[ReportListing]:
    """Reports, newest publication first; unpublished ones only when asked for."""
    latest = {
        report_id: published_on
        for report_id, published_on in db.session.execute(
            select(ReportVersion.report_id, ReportVersion.published_on)
            .join(Report, Report.id == ReportVersion.report_id)
            .where(ReportVersion.version == Report.latest_version)
        )
    }
    query = select(Report)
    if not include_unpublished:
        query = query.where(Report.latest_version > 0)
    listings = [ReportListing(r, latest.get(r.id)) for r in db.session.scalars(query)]
    listings.sort(
        key=lambda item: (item.published_on or item.report.created_on, item.report.title), reverse=True
    )
    return listings[:limit] if limit else listings
