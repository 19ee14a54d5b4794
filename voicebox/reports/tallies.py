"""Read side of tallies: daily series, trends and suppressed group breakdowns.

Everything here reads the per-day counter tables, never signature rows, so it costs the
same at a million signatures as at a thousand. Every breakdown by group goes through
`anonymity.cumulative_releases` (A6: suppressed, and safe against differencing).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import InstrumentedAttribute

from voicebox.anonymity import SuppressedTable, coarse_date, cumulative_releases, effective_threshold
from voicebox.extensions import db
from voicebox.models import Group, PetitionDayTally
from voicebox.petitions.breakdown import read_cells
from voicebox.settings import instance_settings

NOT_STATED = "Not stated"


def suppression_threshold() -> int:
    """The k in force for this instance."""
    return effective_threshold(instance_settings().small_group_threshold)


def week_of(day: date) -> date:
    """The Monday starting the ISO week that holds `day`."""
    return day - timedelta(days=day.weekday())


def _in_period(
    column: InstrumentedAttribute[date], start: date | None, end: date | None
) -> list[ColumnElement[bool]]:
    conditions = []
    if start is not None:
        conditions.append(column >= start)
    if end is not None:
        conditions.append(column <= end)
    return conditions


def daily_series(
    petition_id: str, start: date | None = None, end: date | None = None
) -> list[tuple[date, int]]:
    """Net signatures per day for one petition, oldest first (days without change are absent)."""
    rows = db.session.execute(
        select(PetitionDayTally.day, PetitionDayTally.signatures)
        .where(PetitionDayTally.petition_id == petition_id, *_in_period(PetitionDayTally.day, start, end))
        .order_by(PetitionDayTally.day)
    ).all()
    return [(day, count) for day, count in rows if count]


@dataclass(frozen=True)
class Trend:
    """Net signatures in the last seven days and the seven before."""

    this_week: int
    last_week: int


def weekly_trends(petition_ids: Sequence[str], today: date) -> dict[str, Trend]:
    """This week's and last week's net signatures per petition, from day tallies."""
    week_start, previous_start = today - timedelta(days=6), today - timedelta(days=13)
    totals: dict[str, list[int]] = {pid: [0, 0] for pid in petition_ids}
    if petition_ids:
        rows = db.session.execute(
            select(PetitionDayTally.petition_id, PetitionDayTally.day, PetitionDayTally.signatures).where(
                PetitionDayTally.petition_id.in_(petition_ids),
                PetitionDayTally.day >= previous_start,
                PetitionDayTally.day <= today,
            )
        ).all()
        for petition_id, day, count in rows:
            totals[petition_id][0 if day >= week_start else 1] += count
    return {pid: Trend(this_week=t[0], last_week=t[1]) for pid, t in totals.items()}


def group_day_counts(petition_id: str) -> list[tuple[int, date, int]]:
    """(group id, day, net signatures) for one petition: the only read of raw group counts."""
    # Sealed under the data key (voicebox.petitions.breakdown): a dump shows no group count.
    data_key = current_app.extensions["voicebox.secrets"].data_key
    cells = read_cells(db.session, data_key, petition_id)
    return [(group_id, day, count) for (group_id, day), count in sorted(cells.items())]


def release_day() -> date:
    """The day group breakdowns are released as of: only weeks that ended before it count."""
    return coarse_date()


def last_complete_week(before: date) -> date:
    """The Monday of the last week whose Sunday is before `before`."""
    return week_of(before) - timedelta(days=7)


def group_week_table(
    petition_id: str, threshold: int, start: date | None = None, end: date | None = None
) -> SuppressedTable | None:
    """Each group's cumulative signatures as of the end of each complete week, suppressed.

    Breakdowns are released once a week and only for weeks that have ended (before today,
    and within `end` for a report), each as a cumulative figure; `cumulative_releases`
    hides any figure that differs from an earlier one by a count under k. So the live
    page, every report version and period, and the API all show figures from one fixed
    history, and no two of them subtract to a count under k (A6). `start` only chooses
    which of those weeks are listed. Rows are every group plus "Not stated" (so each
    week's figures add up to the public cumulative total); the row totals are the latest
    release. None when the instance has no groups or no complete week has data yet.
    """
    groups = db.session.execute(select(Group.id, Group.name).order_by(Group.name)).all()
    if not groups:
        return None
    names = {group_id: name for group_id, name in groups}
    cut = last_complete_week(release_day())
    if end is not None:
        cut = min(cut, week_of(end + timedelta(days=1)) - timedelta(days=7))
    weekly: dict[tuple[str, date], int] = defaultdict(int)
    week_totals: dict[date, int] = defaultdict(int)
    for day, count in db.session.execute(
        select(PetitionDayTally.day, PetitionDayTally.signatures).where(
            PetitionDayTally.petition_id == petition_id, PetitionDayTally.day < cut + timedelta(days=7)
        )
    ):
        week_totals[week_of(day)] += count
    if not week_totals:
        return None
    for group_id, day, count in group_day_counts(petition_id):
        # A group removed since: its signatures count as "not stated".
        if day < cut + timedelta(days=7) and group_id in names:
            weekly[(names[group_id], week_of(day))] += count
    rows = [name for _, name in groups] + [NOT_STATED]
    weeks = [min(week_totals) + timedelta(days=7 * i) for i in range((cut - min(week_totals)).days // 7 + 1)]
    for week in weeks:
        stated = sum(weekly[(name, week)] for name in rows[:-1])
        weekly[(NOT_STATED, week)] = max(week_totals[week] - stated, 0)
    series = {name: list(accumulate(weekly[(name, week)] for week in weeks)) for name in rows}
    totals = list(accumulate(week_totals[week] for week in weeks))
    releases = cumulative_releases(series, threshold)
    listed = [i for i, week in enumerate(weeks) if start is None or week + timedelta(days=6) >= start]
    if not listed:
        return None
    return SuppressedTable(
        rows=tuple(rows),
        columns=tuple(weeks[i].isoformat() for i in listed),
        cells=tuple(tuple(releases[i][name] for i in listed) for name in rows),
        row_totals=tuple(releases[-1][name] for name in rows),
        column_totals=tuple(totals[i] for i in listed),
        total=totals[-1],
        threshold=threshold,
    )


def breakdown_rows(table: SuppressedTable) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A suppressed group × week table as JSON-ready (group totals, group rows by week)."""
    totals = [{"group": name, "signatures": table.row_totals[i]} for i, name in enumerate(table.rows)]
    by_week = [{"group": name, "signatures": list(table.cells[i])} for i, name in enumerate(table.rows)]
    return totals, by_week
