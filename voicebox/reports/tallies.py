"""Read side of tallies: daily series, trends and suppressed group breakdowns.

Everything here reads the per-day counter tables, never signature rows, so it costs the
same at a million signatures as at a thousand. Every breakdown by group goes through
`anonymity.suppress_table` (A6).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select

from voicebox.anonymity import SuppressedTable, effective_threshold, suppress_table
from voicebox.auth.service import instance_settings
from voicebox.extensions import db
from voicebox.models import Group, PetitionDayTally
from voicebox.petitions.breakdown import read_cells

NOT_STATED = "Not stated"


def suppression_threshold() -> int:
    """The k in force for this instance."""
    return effective_threshold(instance_settings().small_group_threshold)


def week_of(day: date) -> date:
    """The Monday starting the ISO week that holds `day`."""
    return day - timedelta(days=day.weekday())


def _in_period(column: object, start: date | None, end: date | None) -> list:
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


def daily_series_for(petition_ids: Sequence[str]) -> dict[str, list[tuple[date, int]]]:
    """Daily series for several petitions in one query."""
    series: dict[str, list[tuple[date, int]]] = {pid: [] for pid in petition_ids}
    if not petition_ids:
        return series
    rows = db.session.execute(
        select(PetitionDayTally.petition_id, PetitionDayTally.day, PetitionDayTally.signatures)
        .where(PetitionDayTally.petition_id.in_(petition_ids))
        .order_by(PetitionDayTally.day)
    ).all()
    for petition_id, day, count in rows:
        if count:
            series[petition_id].append((day, count))
    return series


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


def _group_day_counts(petition_id: str, start: date | None, end: date | None) -> list[tuple[int, date, int]]:
    """Net signatures per (group, day) in the period, read from the petition's sealed breakdown."""
    data_key = current_app.extensions["voicebox.secrets"].data_key
    cells = read_cells(db.session, data_key, petition_id)
    return [
        (group_id, day, count)
        for (group_id, day), count in sorted(cells.items())
        if (start is None or day >= start) and (end is None or day <= end)
    ]


def group_week_table(
    petition_id: str, threshold: int, start: date | None = None, end: date | None = None
) -> SuppressedTable | None:
    """Signatures by group × week, suppressed; its row totals are the group breakdown.

    Rows are every group plus "Not stated" (so the week totals equal the public daily
    chart); None when the instance has no groups.
    """
    groups = db.session.execute(select(Group.id, Group.name).order_by(Group.name)).all()
    if not groups:
        return None
    names = {group_id: name for group_id, name in groups}
    counts: dict[tuple[str, str], int] = defaultdict(int)
    week_totals: dict[str, int] = defaultdict(int)
    for day, count in db.session.execute(
        select(PetitionDayTally.day, PetitionDayTally.signatures).where(
            PetitionDayTally.petition_id == petition_id, *_in_period(PetitionDayTally.day, start, end)
        )
    ):
        week_totals[week_of(day).isoformat()] += count
    stated: dict[str, int] = defaultdict(int)
    for group_id, day, count in _group_day_counts(petition_id, start, end):
        if group_id not in names:
            continue  # a group removed since; its signatures count as "not stated"
        week = week_of(day).isoformat()
        counts[(names[group_id], week)] += int(count or 0)
        stated[week] += int(count or 0)
    for week, total in week_totals.items():
        counts[(NOT_STATED, week)] = max(total - stated[week], 0)
    weeks = sorted(w for w, total in week_totals.items() if total)
    rows = [name for _, name in groups] + [NOT_STATED]
    return suppress_table(rows, weeks, counts, threshold, public_column_totals=True)


def breakdown_rows(table: SuppressedTable) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """A suppressed group × week table as JSON-ready (group totals, group rows by week)."""
    totals = [{"group": name, "signatures": table.row_totals[i]} for i, name in enumerate(table.rows)]
    by_week = [{"group": name, "signatures": list(table.cells[i])} for i, name in enumerate(table.rows)]
    return totals, by_week


def fewer_than(value: int | None, threshold: int) -> str:
    """How a count reads to people: the number, or "fewer than k" when suppressed."""
    return f"fewer than {threshold}" if value is None else f"{value:,}"
