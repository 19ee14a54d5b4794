"""Read-only summaries for the organizer dashboard and leadership's home.

Counts come from counter columns and per-day tallies, never from signature rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from voicebox.concerns.service import category_names
from voicebox.extensions import db
from voicebox.models import Concern, ConcernStatus, Petition, PetitionStatus
from voicebox.reports.service import ReportListing, list_reports
from voicebox.reports.tallies import Trend, weekly_trends
from voicebox.responses.service import CONCERN, PETITION, ResponseFigures, first_responses, response_figures
from voicebox.responses.thresholds import AwaitingItem, awaiting_response

UNCATEGORIZED = "Uncategorized"


@dataclass(frozen=True)
class PetitionRow:
    petition: Petition
    trend: Trend


@dataclass(frozen=True)
class CategoryRow:
    category: str
    by_status: tuple[int, ...]
    total: int


@dataclass(frozen=True)
class OrganizerOverview:
    petitions: list[PetitionRow]
    concerns: list[tuple[Concern, str]]
    statuses: tuple[str, ...]
    categories: list[CategoryRow]


def organizer_overview(today: date) -> OrganizerOverview:
    """Every petition with this week's trend, every concern, and concerns by category × status."""
    petitions = db.session.scalars(
        select(Petition).order_by(Petition.status, Petition.signature_count.desc(), Petition.title)
    ).all()
    trends = weekly_trends([p.id for p in petitions], today)
    names = category_names()
    concerns = db.session.scalars(
        select(Concern).order_by(Concern.support_count.desc(), Concern.created_on.desc(), Concern.title)
    ).all()
    statuses = tuple(s.value for s in ConcernStatus)
    counts: dict[str, list[int]] = {}
    for category_id, status, n in db.session.execute(
        select(Concern.category_id, Concern.status, func.count()).group_by(
            Concern.category_id, Concern.status
        )
    ):
        row = counts.setdefault(names.get(category_id, UNCATEGORIZED), [0] * len(statuses))
        if status in statuses:
            row[statuses.index(status)] += n
    return OrganizerOverview(
        petitions=[PetitionRow(p, trends[p.id]) for p in petitions],
        concerns=[(c, names.get(c.category_id or 0, UNCATEGORIZED)) for c in concerns],
        statuses=statuses,
        categories=[CategoryRow(name, tuple(row), sum(row)) for name, row in sorted(counts.items())],
    )


@dataclass(frozen=True)
class OpenPetition:
    petition: Petition
    headcount_percent: float | None
    days_open: int
    answered: bool


@dataclass(frozen=True)
class TopConcern:
    concern: Concern
    category: str
    answered: bool


@dataclass(frozen=True)
class LeadershipSummary:
    open_petitions: list[OpenPetition]
    top_concerns: list[TopConcern]
    reports: list[ReportListing]
    awaiting: list[AwaitingItem]
    figures: ResponseFigures


def leadership_summary(
    headcount: int | None, today: date, reports_shown: int = 5, concerns_shown: int = 5
) -> LeadershipSummary:
    """Every open petition, the most supported concerns, what awaits an answer, newest reports.

    Threshold crossings are recorded by the tick (voicebox.tick), never by a page view.
    """
    answered_petitions = first_responses(PETITION)
    answered_concerns = first_responses(CONCERN)
    petitions = db.session.scalars(
        select(Petition)
        .where(Petition.status == PetitionStatus.OPEN.value)
        .order_by(Petition.signature_count.desc(), Petition.title)
    ).all()
    names = category_names()
    concerns = db.session.scalars(
        select(Concern)
        .where(Concern.hidden.is_(False))
        .order_by(Concern.support_count.desc(), Concern.created_on.desc(), Concern.title)
        .limit(concerns_shown)
    ).all()
    return LeadershipSummary(
        open_petitions=[
            OpenPetition(
                petition=p,
                headcount_percent=round(100.0 * p.signature_count / headcount, 1) if headcount else None,
                days_open=max((today - (p.opened_on or p.created_on)).days, 0),
                answered=p.id in answered_petitions,
            )
            for p in petitions
        ],
        top_concerns=[
            TopConcern(c, names.get(c.category_id or 0, UNCATEGORIZED), c.id in answered_concerns)
            for c in concerns
        ],
        reports=list_reports(include_unpublished=False, limit=reports_shown),
        awaiting=awaiting_response(today, headcount=headcount),
        figures=response_figures(),
    )
