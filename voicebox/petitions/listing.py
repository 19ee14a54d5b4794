"""Read side of the petition list: search (title and text), status filter, sort, pages.

One SQL query per page plus one count: the filters and the sort run in the database, on
columns the petitions table already has (petitions are few beside their signatures, and
text search over title and body has no index to use in SQLite or PostgreSQL without an
extension; a LIKE over the petitions table is the honest cost).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, or_, select

from voicebox.extensions import db
from voicebox.models import Petition, PetitionStatus

PER_PAGE = 20
QUERY_MAX = 100
SORTS = {"signatures": _l("Most signatures"), "newest": _l("Newest"), "closing": _l("Closing soonest")}
PUBLIC_STATUSES = (PetitionStatus.OPEN.value, PetitionStatus.CLOSED.value)
DRAFT_STATUSES = (PetitionStatus.DRAFT.value, PetitionStatus.REJECTED.value)
STATUS_LABELS = {
    "open": _l("Open for signatures"),
    "draft": _l("Drafts looking for co-sponsors"),
    "closed": _l("Closed"),
    "rejected": _l("Rejected drafts"),
}
# A petition's status as its page shows it ({{ _(petition.status|capitalize) }}).
STATUS_NAMES = (_l("Draft"), _l("Open"), _l("Closed"), _l("Rejected"))


@dataclass(frozen=True)
class PetitionQuery:
    """What the reader asked for; anything unrecognised falls back to a default."""

    search: str = ""
    status: str | None = None
    sort: str = "signatures"
    page: int = 1


@dataclass(frozen=True)
class PetitionPage:
    items: list[Petition]
    total: int
    page: int
    pages: int


def statuses_for(include_drafts: bool) -> tuple[str, ...]:
    """The statuses a reader may filter by: drafts only for roles that read drafts."""
    return tuple(STATUS_LABELS) if include_drafts else PUBLIC_STATUSES


def clean_query(search: str, status: str, sort: str, page: str, *, include_drafts: bool) -> PetitionQuery:
    """Turn raw query-string values into a PetitionQuery, never failing on odd input."""
    return PetitionQuery(
        search=" ".join(search.split())[:QUERY_MAX],
        status=status if status in statuses_for(include_drafts) else None,
        sort=sort if sort in SORTS else "signatures",
        page=max(int(page), 1) if page.isascii() and page.isdigit() and len(page) < 7 else 1,
    )


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _statement(query: PetitionQuery, include_drafts: bool) -> Select:
    statement = select(Petition)
    if query.status is not None:
        statement = statement.where(Petition.status == query.status)
    else:
        statement = statement.where(Petition.status.in_(statuses_for(include_drafts)))
    if query.search:
        pattern = f"%{_escape_like(query.search.lower())}%"
        statement = statement.where(
            or_(
                func.lower(Petition.title).like(pattern, escape="\\"),
                func.lower(Petition.body).like(pattern, escape="\\"),
            )
        )
    return statement


def _ordered(statement: Select, sort: str) -> Select:
    started = func.coalesce(Petition.opened_on, Petition.created_on)
    if sort == "newest":
        return statement.order_by(started.desc(), Petition.signature_count.desc(), Petition.id)
    if sort == "closing":
        # Open petitions with a closing date first, soonest first; the rest after.
        return statement.order_by(
            (Petition.status != PetitionStatus.OPEN.value),
            Petition.closes_on.is_(None),
            Petition.closes_on,
            Petition.signature_count.desc(),
            Petition.id,
        )
    return statement.order_by(Petition.signature_count.desc(), started.desc(), Petition.id)


def list_petitions(query: PetitionQuery, *, include_drafts: bool) -> PetitionPage:
    """One page of petitions matching the query, in the asked-for order."""
    statement = _statement(query, include_drafts)
    total = db.session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    pages = max(math.ceil(total / PER_PAGE), 1)
    page = min(query.page, pages)
    rows = db.session.scalars(
        _ordered(statement, query.sort).limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    ).all()
    return PetitionPage(list(rows), total, page, pages)
