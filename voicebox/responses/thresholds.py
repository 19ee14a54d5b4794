"""Response thresholds: "at N% of staff, leadership answers within D days".

Crossings are found lazily when pages load, from the petition's counter and its day
tallies; signing itself never writes anything extra. A crossing row is about a
petition, never about a member.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from voicebox.auditlog.record import record_event
from voicebox.extensions import db
from voicebox.labels import request_gettext as _
from voicebox.models import (
    Concern,
    ConcernStatus,
    OfficialResponse,
    Petition,
    PetitionDayTally,
    PetitionStatus,
    ResponseThreshold,
    ThresholdCrossing,
)
from voicebox.page_cache import touch_pages
from voicebox.responses.service import CONCERN, PETITION, first_responses
from voicebox.unit_of_work import savepoint

MAX_DAYS = 365
QUEUE_LIMIT = 50
# A concern enters leadership's queue once it has gone this long without an answer.
CONCERN_QUEUE_AFTER_DAYS = 7
# Without a headcount no share can be reached; a petition that meets its own goal is
# queued instead, with this long to answer.
GOAL_ANSWER_DAYS = 14
# What applies until an admin sets thresholds of their own: a new instance's queue works
# from the first day. Read, never stored, so a fresh database stays empty (restore needs that).
DEFAULT_SHARE_PERCENT = 10
DEFAULT_ANSWER_DAYS = 14


class ThresholdError(Exception):
    """A threshold the admin can't set; the message is for them."""


def list_thresholds() -> list[ResponseThreshold]:
    """Every threshold, smallest share first."""
    return list(
        db.session.scalars(
            select(ResponseThreshold).order_by(ResponseThreshold.share_percent, ResponseThreshold.id)
        )
    )


def add_threshold(
    share_percent: int | None, within_days: int | None, *, actor_role: str, today: date
) -> ResponseThreshold:
    """Add a threshold; raises ThresholdError for a share outside 1–100 or days outside 1–365."""
    if share_percent is None or not 1 <= share_percent <= 100:
        raise ThresholdError(_("The share of staff is a whole percentage from 1 to 100."))
    if within_days is None or not 1 <= within_days <= MAX_DAYS:
        raise ThresholdError(_("Leadership's deadline is a number of days from 1 to %(max)s.", max=MAX_DAYS))
    threshold = ResponseThreshold(
        share_percent=share_percent, respond_within_days=within_days, created_on=today
    )
    db.session.add(threshold)
    record_event(
        db.session,
        actor_role,
        "added a response threshold",
        f"{share_percent}% within {within_days} days",
        on=today,
    )
    db.session.flush()
    return threshold


def remove_threshold(threshold_id: int, *, actor_role: str, today: date) -> None:
    """Delete a threshold and its crossings; raises ThresholdError when it doesn't exist."""
    threshold = db.session.get(ResponseThreshold, threshold_id)
    if threshold is None:
        raise ThresholdError(_("There is no such threshold."))
    db.session.execute(delete(ThresholdCrossing).where(ThresholdCrossing.threshold_id == threshold_id))
    touch_pages(db.session)
    record_event(
        db.session,
        actor_role,
        "removed a response threshold",
        f"{threshold.share_percent}% within {threshold.respond_within_days} days",
        on=today,
    )
    db.session.delete(threshold)
    db.session.flush()


def signatures_needed(share_percent: int, headcount: int) -> int:
    """Signatures making up `share_percent` of `headcount`, rounded up (at least one)."""
    return max(1, math.ceil(share_percent * headcount / 100))


def _day_reached(petition_id: str, needed: int, fallback: date) -> date:
    running = 0
    for day, count in db.session.execute(
        select(PetitionDayTally.day, PetitionDayTally.signatures)
        .where(PetitionDayTally.petition_id == petition_id)
        .order_by(PetitionDayTally.day)
    ):
        running += count
        if running >= needed:
            return day
    return fallback


def record_crossings(headcount: int | None, today: date) -> int:
    """Record each threshold newly reached by a petition, dated the day its tally got there.

    Returns how many crossings were recorded. Without a headcount no share can be reached.
    """
    if not headcount:
        return 0
    added = 0
    for threshold in list_thresholds():
        needed = signatures_needed(threshold.share_percent, headcount)
        already = select(ThresholdCrossing.petition_id).where(ThresholdCrossing.threshold_id == threshold.id)
        reached = db.session.scalars(
            select(Petition.id).where(
                Petition.status != PetitionStatus.DRAFT.value,
                Petition.signature_count >= needed,
                Petition.id.not_in(already),
            )
        ).all()
        for petition_id in reached:
            crossed_on = _day_reached(petition_id, needed, today)
            db.session.add(
                ThresholdCrossing(
                    petition_id=petition_id,
                    threshold_id=threshold.id,
                    crossed_on=crossed_on,
                    due_on=crossed_on + timedelta(days=threshold.respond_within_days),
                )
            )
            added += 1
            touch_pages(db.session, [petition_id])
    if added:
        try:
            with savepoint(db.session):
                db.session.flush()
        except IntegrityError:
            # Two workers found the same crossing at once; the other one recorded it.
            return 0
    return added


@dataclass(frozen=True)
class CrossingView:
    share_percent: int
    crossed_on: date
    due_on: date


def crossings_of(petition_id: str) -> list[CrossingView]:
    """The thresholds a petition has crossed, earliest first."""
    rows = db.session.execute(
        select(ResponseThreshold.share_percent, ThresholdCrossing.crossed_on, ThresholdCrossing.due_on)
        .join(ResponseThreshold, ResponseThreshold.id == ThresholdCrossing.threshold_id)
        .where(ThresholdCrossing.petition_id == petition_id)
        .order_by(ThresholdCrossing.crossed_on, ResponseThreshold.share_percent)
    ).all()
    return [CrossingView(share, crossed, due) for share, crossed, due in rows]


@dataclass(frozen=True)
class AwaitingItem:
    """An item leadership hasn't answered yet, with since when and (for petitions) by when."""

    kind: str
    item_id: str
    title: str
    waiting_since: date
    due_on: date | None

    def overdue(self, today: date) -> bool:
        return self.due_on is not None and today > self.due_on

    def days_waiting(self, today: date) -> int:
        return max((today - self.waiting_since).days, 0)


def _goal_reached(exclude: set[str], today: date) -> list[AwaitingItem]:
    items = []
    for petition_id, title, goal in db.session.execute(
        select(Petition.id, Petition.title, Petition.goal).where(
            Petition.status != PetitionStatus.DRAFT.value,
            Petition.signature_count >= Petition.goal,
            Petition.id.not_in(exclude),
        )
    ):
        reached = _day_reached(petition_id, goal, today)
        items.append(
            AwaitingItem(PETITION, petition_id, title, reached, reached + timedelta(days=GOAL_ANSWER_DAYS))
        )
    return items


def _default_threshold_reached(answered: set[str], headcount: int, today: date) -> list[AwaitingItem]:
    needed = signatures_needed(DEFAULT_SHARE_PERCENT, headcount)
    items = []
    for petition_id, title in db.session.execute(
        select(Petition.id, Petition.title).where(
            Petition.status != PetitionStatus.DRAFT.value,
            Petition.signature_count >= needed,
            Petition.id.not_in(answered),
        )
    ):
        reached = _day_reached(petition_id, needed, today)
        items.append(
            AwaitingItem(PETITION, petition_id, title, reached, reached + timedelta(days=DEFAULT_ANSWER_DAYS))
        )
    return items


def awaiting_response(
    today: date, *, headcount: int | None = None, limit: int = QUEUE_LIMIT
) -> list[AwaitingItem]:
    """What leadership owes an answer to, oldest first.

    Unanswered petitions past a response threshold (the default one until an admin sets
    their own; with no headcount set, past their own goal) and visible concerns unanswered
    for CONCERN_QUEUE_AFTER_DAYS or more that are still open: a resolved or declined
    concern waits for nobody.
    """
    answered_petitions = set(first_responses(PETITION))
    items: list[AwaitingItem] = []
    crossed: dict[str, tuple[date, date]] = {}
    for petition_id, crossed_on, due_on in db.session.execute(
        select(ThresholdCrossing.petition_id, ThresholdCrossing.crossed_on, ThresholdCrossing.due_on)
    ):
        first = crossed.get(petition_id)
        if first is None or crossed_on < first[0]:
            crossed[petition_id] = (crossed_on, due_on)
    titles = dict(
        db.session.execute(select(Petition.id, Petition.title).where(Petition.id.in_(crossed))).tuples().all()
    )
    for petition_id, (crossed_on, due_on) in crossed.items():
        if petition_id not in answered_petitions:
            items.append(AwaitingItem(PETITION, petition_id, titles[petition_id], crossed_on, due_on))
    if not headcount:
        items += _goal_reached(answered_petitions | set(crossed), today)
    elif not crossed and not db.session.scalar(select(ResponseThreshold.id).limit(1)):
        items += _default_threshold_reached(answered_petitions, headcount, today)
    closed_states = (ConcernStatus.RESOLVED.value, ConcernStatus.DECLINED.value)
    for concern_id, title, created_on in db.session.execute(
        select(Concern.id, Concern.title, Concern.created_on).where(
            Concern.hidden.is_(False),
            Concern.status.not_in(closed_states),
            Concern.created_on <= today - timedelta(days=CONCERN_QUEUE_AFTER_DAYS),
            Concern.id.not_in(
                select(OfficialResponse.concern_id).where(OfficialResponse.concern_id.is_not(None))
            ),
        )
    ):
        items.append(AwaitingItem(CONCERN, concern_id, title, created_on, None))
    items.sort(key=lambda item: (item.waiting_since, item.title))
    return items[:limit]
