"""What /api/v1 reads: the same items the pages list, never drafts or rejected petitions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select

from voicebox.extensions import db
from voicebox.models import Concern, InstanceSettings, Petition, PetitionStatus

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
