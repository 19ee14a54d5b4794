"""Read-only summaries for the organizer dashboard and leadership's home.

Counts come from counter columns and per-day tallies, never from signature rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from voicebox.extensions import db
from voicebox.models import Category, Concern, ConcernStatus, Petition
from voicebox.reports.service import ReportListing, list_reports
from voicebox.reports.tallies import Trend, weekly_trends
from voicebox.responses.service import ResponseFigures, response_figures
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
    names = dict(db.session.execute(select(Category.id, Category.name)).all())
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
class LeadershipSummary:
    reports: list[ReportListing]
    awaiting: list[AwaitingItem]
    figures: ResponseFigures


def leadership_summary(headcount: int | None, today: date, reports_shown: int = 5) -> LeadershipSummary:
    """Newest published reports, unanswered items oldest first, and response-time figures.

    Threshold crossings are recorded by the tick (voicebox.tick), never by a page view.
    """
    return LeadershipSummary(
        reports=list_reports(include_unpublished=False, limit=reports_shown),
        awaiting=awaiting_response(),
        figures=response_figures(),
    )
