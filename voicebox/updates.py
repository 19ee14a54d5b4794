""" "New since your last visit": what changed on the open items a member takes part in.

There is no table of who follows what. The candidates are the open petitions and concerns
with activity dated on or after `since` (new signatures, official responses, status
changes), at most MAX_CANDIDATES of them; for each, the member's own standing is recomputed
from their nullifier under the item's key (`standing_of`), exactly as the item's page does.
Closed items have no key any more, so they can't be matched, by design (A2). The date of the
last visit comes from the member's own session cookie and is never stored (A3).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from voicebox.concerns import service as concerns
from voicebox.concerns.service import CLOSED_STATUSES
from voicebox.extensions import db
from voicebox.keystore import KeyStore
from voicebox.models import (
    Concern,
    ConcernStatusChange,
    OfficialResponse,
    Petition,
    PetitionDayTally,
    PetitionStatus,
)
from voicebox.petitions import service as petitions

# Each candidate costs a key unwrap and two indexed lookups; this bounds the home page.
MAX_CANDIDATES = 40


@dataclass
class Update:
    kind: str  # "petition" or "concern"
    item_id: str
    title: str
    why: str  # how the member takes part, in their words
    news: list[str] = field(default_factory=list)


# A concern's new status, as the home page's news says it.
NOW_STATUS = {
    "open": _l("Now open"),
    "acknowledged": _l("Now acknowledged"),
    "in progress": _l("Now in progress"),
    "resolved": _l("Now resolved"),
    "declined": _l("Now declined"),
}


def _petition_news(since: date) -> dict[str, list[str]]:
    news: dict[str, list[str]] = {}
    signed = db.session.execute(
        select(PetitionDayTally.petition_id, func.sum(PetitionDayTally.signatures))
        .join(Petition, Petition.id == PetitionDayTally.petition_id)
        .where(Petition.status == PetitionStatus.OPEN.value, PetitionDayTally.day >= since)
        .group_by(PetitionDayTally.petition_id)
        .order_by(func.sum(PetitionDayTally.signatures).desc())
        .limit(MAX_CANDIDATES)
    ).tuples()
    for petition_id, count in signed:
        if count and count > 0:
            news.setdefault(petition_id, []).append(
                ngettext(
                    "%(count)s new signature",
                    "%(count)s new signatures",
                    int(count),
                    count=format_decimal(count),
                )
            )
    answered = db.session.scalars(
        select(OfficialResponse.petition_id)
        .join(Petition, Petition.id == OfficialResponse.petition_id)
        .where(Petition.status == PetitionStatus.OPEN.value, OfficialResponse.responded_on >= since)
        .distinct()
        .limit(MAX_CANDIDATES)
    )
    for answered_petition in answered:
        news.setdefault(str(answered_petition), []).insert(0, _("Leadership responded"))
    return news


def _concern_news(since: date) -> dict[str, list[str]]:
    news: dict[str, list[str]] = {}
    open_concern = (Concern.status.not_in(CLOSED_STATUSES), Concern.hidden.is_(False))
    moved = db.session.execute(
        select(ConcernStatusChange.concern_id, ConcernStatusChange.status)
        .join(Concern, Concern.id == ConcernStatusChange.concern_id)
        .where(*open_concern, ConcernStatusChange.changed_on >= since, ConcernStatusChange.position > 0)
        .order_by(ConcernStatusChange.position.desc())
        .limit(MAX_CANDIDATES)
    ).tuples()
    for concern_id, status in moved:
        if concern_id not in news:  # newest change first: only the latest status is news
            news[concern_id] = [str(NOW_STATUS.get(status, f"Now {status}"))]
    answered = db.session.scalars(
        select(OfficialResponse.concern_id)
        .join(Concern, Concern.id == OfficialResponse.concern_id)
        .where(*open_concern, OfficialResponse.responded_on >= since)
        .distinct()
        .limit(MAX_CANDIDATES)
    )
    for answered_concern in answered:
        news.setdefault(str(answered_concern), []).insert(0, _("Leadership responded"))
    return news


def updates_since(member_id: str, since: date, keys: KeyStore) -> list[Update]:
    """What changed since `since` on open items this member signed, started, co-sponsored or supported."""
    found: list[Update] = []
    petition_news = _petition_news(since)
    for petition_id in list(petition_news)[:MAX_CANDIDATES]:
        petition = db.session.get(Petition, petition_id)
        if petition is None:
            continue
        standing = petitions.standing_of(petition, member_id, keys)
        why = _("You signed") if standing.signed else _("You started") if standing.is_author else ""
        if why:
            found.append(Update("petition", petition.id, petition.title, why, petition_news[petition_id]))
    concern_news = _concern_news(since)
    for concern_id in list(concern_news)[:MAX_CANDIDATES]:
        concern = db.session.get(Concern, concern_id)
        if concern is None:
            continue
        if concerns.standing_of(concern, member_id, keys).supported:
            news = concern_news[concern_id]
            found.append(Update("concern", concern.id, concern.title, _("You said “me too”"), news))
    return found
