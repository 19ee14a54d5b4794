"""What /api/v1 reads: the same items the pages list, never drafts or rejected petitions."""

from __future__ import annotations

from sqlalchemy import select

from voicebox.extensions import db
from voicebox.models import Concern, Petition, PetitionStatus

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


def listed_petition(petition_id: str) -> Petition:
    """One open or closed petition; raises ItemNotFound."""
    found = db.session.get(Petition, petition_id)
    if found is None or found.is_draft or found.is_rejected:
        raise ItemNotFound("There is no such petition.")
    return found


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
