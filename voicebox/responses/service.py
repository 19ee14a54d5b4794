"""Official responses: posting, listing, and how long each item waited for an answer.

Responses are signed by an office, not a person: no row names who wrote them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from statistics import median

from sqlalchemy import func, select

from voicebox.auditlog.record import record_event
from voicebox.concerns.moderation import change_status, next_statuses
from voicebox.extensions import db
from voicebox.keystore import KeyStore
from voicebox.labels import LocalCount
from voicebox.labels import request_gettext as _
from voicebox.labels import request_ngettext as ngettext
from voicebox.models import (
    Concern,
    ConcernStatus,
    ConcernStatusChange,
    OfficialResponse,
    Petition,
    PetitionStatus,
)
from voicebox.page_cache import touch_pages

BODY_MAX = 10_000
PETITION = "petition"
CONCERN = "concern"
# One vocabulary: an answer carries the status a concern can move to, so a concern never
# reads "acknowledged" beside leadership's "accepted".
STATUSES = tuple(s.value for s in ConcernStatus if s is not ConcernStatus.OPEN)
CLOSED = (ConcernStatus.RESOLVED.value, ConcernStatus.DECLINED.value)


class ResponseError(Exception):
    """A response that can't be posted; the message is for the user."""


class ItemNotFound(ResponseError):
    pass


@dataclass(frozen=True)
class Wait:
    """How long an item waited (or has been waiting) for its first official answer.

    `closed_as` is set when the item was resolved or declined without an official answer:
    it no longer waits, so its days count up to that day, not to today.
    """

    days: int
    answered: bool
    closed_as: str | None = None

    @property
    def waiting(self) -> bool:
        return not self.answered and self.closed_as is None

    @property
    def text(self) -> str:
        if self.answered:
            if not self.days:
                return _("Answered the same day")
            return ngettext("Answered after %(num)s day", "Answered after %(num)s days", self.days)
        if self.closed_as:
            if self.closed_as == ConcernStatus.DECLINED.value:
                return _("Declined without an official response")
            if self.closed_as == ConcernStatus.RESOLVED.value:
                return _("Resolved without an official response")
            return _("%(status)s without an official response", status=self.closed_as.capitalize())
        if not self.days:
            return _("Posted today; not answered yet")
        return ngettext(
            "Waiting for an answer for %(num)s day", "Waiting for an answer for %(num)s days", self.days
        )


def wait_between(
    start: date, first_response: date | None, today: date, closed: tuple[str, date] | None = None
) -> Wait:
    """Days from `start` to the first response, to the day it closed unanswered, or to today."""
    if first_response is None and closed is not None:
        return Wait(days=max((closed[1] - start).days, 0), answered=False, closed_as=closed[0])
    end = first_response or today
    return Wait(days=max((end - start).days, 0), answered=first_response is not None)


def petition_start(petition: Petition) -> date:
    """The day a petition began waiting for an answer: when it opened."""
    return petition.opened_on or petition.created_on


def closure_of(concern: Concern) -> tuple[str, date] | None:
    """(status, day) when a concern was resolved or declined; None while it is open."""
    if concern.status not in CLOSED:
        return None
    day = db.session.scalar(
        select(func.max(ConcernStatusChange.changed_on)).where(
            ConcernStatusChange.concern_id == concern.id, ConcernStatusChange.status == concern.status
        )
    )
    return concern.status, day or concern.created_on


def _load_item(kind: str, item_id: str) -> Petition | Concern:
    if kind == PETITION:
        petition = db.session.get(Petition, item_id)
        if petition is None or petition.status == PetitionStatus.DRAFT.value:
            raise ItemNotFound(_("There is no such petition."))
        return petition
    concern = db.session.get(Concern, item_id)
    if concern is None:
        raise ItemNotFound(_("There is no such concern."))
    if concern.hidden:
        raise ResponseError(_("Moderators hid this concern, so it can't be answered publicly."))
    return concern


def post_response(
    kind: str, item_id: str, status: str, body: str, *, actor_role: str, today: date, keys: KeyStore
) -> OfficialResponse:
    """Publish leadership's answer to a petition or concern; raises ItemNotFound or ResponseError.

    An answer to a concern moves the concern to the answer's status when that is a step
    forward (resolving or declining closes it, as an organizer's change would).
    """
    item = _load_item(kind, item_id)
    if status not in STATUSES:
        raise ResponseError(_("Choose a status from the list."))
    body = body.strip()
    if not body:
        raise ResponseError(_("Write the response text."))
    if len(body) > BODY_MAX:
        raise ResponseError(_("Keep the response under %(max)s characters.", max=LocalCount(BODY_MAX)))
    response = OfficialResponse(
        petition_id=item.id if kind == PETITION else None,
        concern_id=item.id if kind == CONCERN else None,
        status=status,
        body=body,
        responded_on=today,
    )
    db.session.add(response)
    if kind == PETITION:
        touch_pages(db.session, [item.id])
    record_event(db.session, actor_role, f"responded to a {kind} ({status})", item.title, on=today)
    if isinstance(item, Concern) and status in next_statuses(item.status):
        # In the same unit: the response and the status change are stored together or not at all.
        change_status(item.id, status, actor_role=actor_role, today=today, keys=keys)
    else:
        db.session.flush()
    return response


def responses_to(kind: str, item_id: str) -> list[OfficialResponse]:
    """Every response to one item, oldest first."""
    column = OfficialResponse.petition_id if kind == PETITION else OfficialResponse.concern_id
    return list(
        db.session.scalars(
            select(OfficialResponse)
            .where(column == item_id)
            .order_by(OfficialResponse.responded_on, OfficialResponse.id)
        )
    )


def first_responses(kind: str) -> dict[str, date]:
    """The day of the first response to each answered item of one kind."""
    column = OfficialResponse.petition_id if kind == PETITION else OfficialResponse.concern_id
    rows = db.session.execute(
        select(column, func.min(OfficialResponse.responded_on)).where(column.is_not(None)).group_by(column)
    ).all()
    return {item_id: day for item_id, day in rows}


@dataclass(frozen=True)
class FeedEntry:
    kind: str
    item_id: str
    item_title: str
    response: OfficialResponse


def recent_responses(limit: int = 30) -> list[FeedEntry]:
    """The newest responses with the item each answers; hidden concerns go by no title."""
    responses = db.session.scalars(
        select(OfficialResponse)
        .order_by(OfficialResponse.responded_on.desc(), OfficialResponse.id.desc())
        .limit(limit)
    ).all()
    petition_ids = {r.petition_id for r in responses if r.petition_id}
    concern_ids = {r.concern_id for r in responses if r.concern_id}
    petitions = {
        p.id: p.title for p in db.session.scalars(select(Petition).where(Petition.id.in_(petition_ids)))
    }
    concerns = {
        c.id: (_("Concern hidden by moderators") if c.hidden else c.title)
        for c in db.session.scalars(select(Concern).where(Concern.id.in_(concern_ids)))
    }
    entries = []
    for response in responses:
        if response.petition_id:
            entries.append(
                FeedEntry(PETITION, response.petition_id, petitions[response.petition_id], response)
            )
        elif response.concern_id:
            entries.append(FeedEntry(CONCERN, response.concern_id, concerns[response.concern_id], response))
    return entries


@dataclass(frozen=True)
class ResponseFigures:
    """How well leadership answers: over every opened petition and visible concern."""

    items: int
    answered: int
    median_days: float | None

    @property
    def rate_percent(self) -> float | None:
        return 100.0 * self.answered / self.items if self.items else None


def response_figures() -> ResponseFigures:
    """Response rate and median days to a first answer (reads one row per item, never signatures)."""
    petition_starts = dict(
        db.session.execute(
            select(Petition.id, func.coalesce(Petition.opened_on, Petition.created_on)).where(
                Petition.status != PetitionStatus.DRAFT.value
            )
        )
        .tuples()
        .all()
    )
    concern_starts = dict(
        db.session.execute(select(Concern.id, Concern.created_on).where(Concern.hidden.is_(False)))
        .tuples()
        .all()
    )
    waits = []
    for starts, kind in ((petition_starts, PETITION), (concern_starts, CONCERN)):
        answered = first_responses(kind)
        waits += [max((answered[i] - start).days, 0) for i, start in starts.items() if i in answered]
    return ResponseFigures(
        items=len(petition_starts) + len(concern_starts),
        answered=len(waits),
        median_days=float(median(waits)) if waits else None,
    )
