"""Read side of concerns: the filtered, sorted, searchable, paginated listing."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select

from voicebox.concerns.service import UNREADABLE, readable_body
from voicebox.config import Secrets
from voicebox.extensions import db
from voicebox.labels import request_gettext as _
from voicebox.models import Category, Concern, ConcernStatus
from voicebox.text import plain_excerpt

PER_PAGE = 25
SORTS = {"supported": _l("Most supported"), "newest": _l("Newest")}
STATUSES = tuple(status.value for status in ConcernStatus)
QUERY_MAX = 100

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ListingQuery:
    """What the reader asked for; anything unrecognised falls back to a default."""

    sort: str = "supported"
    category_id: int | None = None
    status: str | None = None
    search: str = ""
    page: int = 1


@dataclass(frozen=True)
class ListedConcern:
    concern: Concern
    category: str | None
    excerpt: str | None  # None for hidden concerns: their text is not shown


@dataclass(frozen=True)
class ListingPage:
    items: list[ListedConcern]
    total: int
    page: int
    pages: int


def clean_query(sort: str, category: str, status: str, search: str, page: str) -> ListingQuery:
    """Turn raw query-string values into a ListingQuery, never failing on odd input."""
    return ListingQuery(
        sort=sort if sort in SORTS else "supported",
        category_id=int(category)
        if category.isascii() and category.isdigit() and len(category) < 10
        else None,
        status=status if status in STATUSES else None,
        search=" ".join(search.split())[:QUERY_MAX],
        page=max(int(page), 1) if page.isascii() and page.isdigit() and len(page) < 7 else 1,
    )


def _filtered(query: ListingQuery) -> Select:
    statement = select(Concern)
    if query.category_id is not None:
        statement = statement.where(Concern.category_id == query.category_id)
    if query.status is not None:
        statement = statement.where(Concern.status == query.status)
    if query.sort == "newest":
        return statement.order_by(Concern.created_on.desc(), Concern.support_count.desc(), Concern.id)
    return statement.order_by(Concern.support_count.desc(), Concern.created_on.desc(), Concern.id)


def _matching(query: ListingQuery, secrets: Secrets) -> list[Concern]:
    # Bodies are ciphertext (A5), so the database can't search them. The candidate set
    # (after the category and status filters) is decrypted here and matched in Python.
    # That costs one AES-GCM open per candidate per search - microseconds each, fine for
    # the hundreds or few thousands of concerns a workplace raises - in exchange for a
    # database that never holds a searchable plaintext index. Hidden concerns are left
    # out: a match would reveal what their hidden text says.
    needle = query.search.casefold()
    candidates = db.session.scalars(_filtered(query).where(Concern.hidden.is_(False)))
    return [
        concern
        for concern in candidates
        if needle in concern.title.casefold() or needle in (readable_body(concern, secrets) or "").casefold()
    ]


def _excerpt(concern: Concern, secrets: Secrets) -> str:
    body = readable_body(concern, secrets)
    return _(UNREADABLE) if body is None else plain_excerpt(body)


def list_concerns(query: ListingQuery, secrets: Secrets) -> ListingPage:
    """One page of concerns for the listing, with names and excerpts ready to show."""
    offset = (query.page - 1) * PER_PAGE
    if query.search:
        matches = _matching(query, secrets)
        total = len(matches)
        rows = matches[offset : offset + PER_PAGE]
    else:
        total = db.session.scalar(select(func.count()).select_from(_filtered(query).subquery())) or 0
        rows = list(db.session.scalars(_filtered(query).limit(PER_PAGE).offset(offset)))
    names = dict(db.session.execute(select(Category.id, Category.name)).tuples().all())
    items = [
        ListedConcern(
            concern,
            names.get(concern.category_id) if concern.category_id is not None else None,
            None if concern.hidden else _excerpt(concern, secrets),
        )
        for concern in rows
    ]
    return ListingPage(items, total, query.page, max(math.ceil(total / PER_PAGE), 1))
