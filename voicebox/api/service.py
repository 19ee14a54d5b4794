"""What /api/v1 reads: the same items the pages list, never drafts or rejected petitions."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

from sqlalchemy import bindparam, select

from voicebox.extensions import db
from voicebox.models import Concern, InstanceSettings, Petition, PetitionStatus
from voicebox.web import today

LISTED_STATUSES = (PetitionStatus.OPEN.value, PetitionStatus.CLOSED.value)


class ItemNotFound(LookupError):
    """No such item, or one the API does not show (a draft, a rejected petition)."""


def listed_petitions() -> list[Petition]:
    """Open and closed petitions, most signed first."""
    return list(
        db.session.scalars(
            select(Petition)
            .where(Petition.status.in_(LISTED_STATUSES))
            .order_by(Petition.signature_count.desc(), Petition.title)
        )
    )


# Built once: the API's hottest read, the petition's columns and the settings its figures
# depend on in one statement (an ORM load of each costs twice the rest of the request).
_PETITION_WITH_SETTINGS = (
    select(
        *Petition.__table__.c,
        InstanceSettings.headcount,
        InstanceSettings.small_group_threshold,
        InstanceSettings.cosponsors_needed,
    )
    .outerjoin(InstanceSettings, InstanceSettings.id == 1)
    .where(Petition.id == bindparam("petition_id"), Petition.status.in_(LISTED_STATUSES))
)


def listed_petition_row(petition_id: str) -> Any:
    """One open or closed petition's columns with the instance settings (headcount,
    small_group_threshold, cosponsors_needed; None before the settings row exists), as one
    row read by attribute; raises ItemNotFound."""
    row = db.session.execute(_PETITION_WITH_SETTINGS, {"petition_id": petition_id}).first()
    if row is None:
        raise ItemNotFound("There is no such petition.")
    return row


# Everything read that a petition's API document (its JSON body) depends on: the row's own
# columns it shows, `page_version` (replaced whenever a count, day tally, response or group
# changes) and the suppression setting. Not the language or script root: the body is the
# same for every reader. The view and the short read path (voicebox/short_reads.py) key the
# cached body on exactly these values, in this order, through `document_key`.
DOCUMENT_CACHE = "api-petition"
DOCUMENT_KEY_COLUMNS = (
    Petition.id,
    Petition.page_version,
    Petition.status,
    Petition.title,
    Petition.goal,
    Petition.opened_on,
    Petition.closed_on,
    Petition.closes_on,
    Petition.signature_count,
    InstanceSettings.headcount,
    InstanceSettings.small_group_threshold,
)


def document_key(values: Sequence[Any]) -> tuple[Hashable, ...]:
    """The cache key of a petition's API document, from its DOCUMENT_KEY_COLUMNS values and
    the day (complete weeks of the breakdown end with it)."""
    return (*values, today())


def document_key_of(row: Any) -> tuple[Hashable, ...]:
    """`document_key` of a `listed_petition_row`."""
    return document_key([getattr(row, column.key) for column in DOCUMENT_KEY_COLUMNS])


def listed_concerns() -> list[Concern]:
    """Every concern, most supported first."""
    return list(
        db.session.scalars(
            select(Concern).order_by(Concern.support_count.desc(), Concern.created_on.desc(), Concern.id)
        )
    )


def listed_concern(concern_id: str) -> Concern:
    """One concern; raises ItemNotFound."""
    found = db.session.get(Concern, concern_id)
    if found is None:
        raise ItemNotFound("There is no such concern.")
    return found
