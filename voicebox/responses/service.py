"""Official responses: posting, listing, and how long each item waited for an answer.

Responses are signed by an office, not a person: no row names who wrote them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from statistics import median

from sqlalchemy import func, select

from voicebox.audit import record_event
from voicebox.extensions import db
from voicebox.models import Concern, OfficialResponse, Petition, PetitionStatus, ResponseStatus

BODY_MAX = 10_000
PETITION = "petition"
CONCERN = "concern"


class ResponseError(Exception):
    """A response that can't be posted; the message is for the user."""


class ItemNotFound(ResponseError):
    pass


@dataclass(frozen=True)
class Wait:
    """How long an item waited (or has been waiting) for its first official answer."""

    days: int
    answered: bool

    @property
    def text(self) -> str:
        unit = "day" if self.days == 1 else "days"
        if self.answered:
            return f"Answered after {self.days} {unit}" if self.days else "Answered the same day"
        return f"Waiting for an answer for {self.days} {unit}"


def wait_between(start: date, first_response: date | None, today: date) -> Wait:
    """Days from `start` to the first response, or to today when unanswered."""
    end = first_response or today
    return Wait(days=max((end - start).days, 0), answered=first_response is not None)


def petition_start(petition: Petition) -> date:
    """The day a petition began waiting for an answer: when it opened."""
    return petition.opened_on or petition.created_on


def _load_item(kind: str, item_id: str) -> Petition | Concern:
    if kind == PETITION:
        petition = db.session.get(Petition, item_id)
        if petition is None or petition.status == PetitionStatus.DRAFT.value:
            raise ItemNotFound("There is no such petition.")
        return petition
    concern = db.session.get(Concern, item_id)
    if concern is None:
        raise ItemNotFound("There is no such concern.")
    if concern.hidden:
        raise ResponseError("Moderators hid this concern, so it can't be answered publicly.")
    return concern


def post_response(
    kind: str, item_id: str, status: str, body: str, *, actor_role: str, today: date
) -> OfficialResponse:
    """Publish leadership's answer to a petition or concern; raises ItemNotFound or ResponseError."""
    item = _load_item(kind, item_id)
    if status not in {s.value for s in ResponseStatus}:
        raise ResponseError("Choose a status from the list.")
    body = body.strip()
    if not body:
        raise ResponseError("Write the response text.")
    if len(body) > BODY_MAX:
        raise ResponseError(f"Keep the response under {BODY_MAX:,} characters.")
    response = OfficialResponse(
        petition_id=item.id if kind == PETITION else None,
        concern_id=item.id if kind == CONCERN else None,
        status=status,
        body=body,
        responded_on=today,
    )
    db.session.add(response)
    record_event(db.session, actor_role, f"responded to a {kind} ({status})", item.title, on=today)
    db.session.commit()
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
        c.id: ("Concern hidden by moderators" if c.hidden else c.title)
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
        ).all()
    )
    concern_starts = dict(
        db.session.execute(select(Concern.id, Concern.created_on).where(Concern.hidden.is_(False))).all()
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
