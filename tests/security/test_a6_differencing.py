"""A6 across releases: no two published group figures subtract to a count under k.

Engineering gains one signature a week (8, 9, 10): reports whose periods end on
consecutive days, the live page and the API must never show two Engineering figures that
differ by 1 or 2, and a report re-published later shows what it showed before.
"""

from __future__ import annotations

import itertools
from datetime import timedelta

from flask import url_for

from tests.support import count_queued_now
from voicebox.anonymity import coarse_date, random_id
from voicebox.extensions import db
from voicebox.petitions import service
from voicebox.reports.snapshot import build_snapshot
from voicebox.reports.tallies import week_of
from voicebox.unit_of_work import unit_of_work

K = 5


def _sign(app, petition, group, n, day):
    for _ in range(n):
        with unit_of_work(db.session):
            service.sign_petition(
                petition.id,
                random_id(),
                service.SignatureChoice(group_id=group.id if group else None),
                keys=app.extensions["voicebox.keys"],
                today=day,
            )
    count_queued_now(app)


def _figures(snapshot) -> dict[str, int | None]:
    return {g["group"]: g["signatures"] for g in snapshot["petitions"][0]["groups"]}


def test_releases_on_consecutive_days_and_weeks_cannot_be_differenced(
    app, client, leadership, make_petition, make_group
):
    engineering, sales, support = make_group("Engineering"), make_group("Sales"), make_group("Support")
    petition = make_petition()
    first_monday = week_of(coarse_date()) - timedelta(days=28)
    _sign(app, petition, engineering, 8, first_monday)
    _sign(app, petition, sales, 20, first_monday)
    _sign(app, petition, support, 12, first_monday + timedelta(days=1))
    _sign(app, petition, engineering, 1, first_monday + timedelta(days=8))
    _sign(app, petition, support, 6, first_monday + timedelta(days=9))
    _sign(app, petition, engineering, 1, first_monday + timedelta(days=15))
    _sign(app, petition, sales, 7, first_monday + timedelta(days=16))

    published: list[dict[str, int | None]] = []
    for offset in range(0, 27):
        end = first_monday + timedelta(days=offset)
        snapshot = build_snapshot(
            report_id="r",
            title="t",
            narrative="",
            period_start=first_monday - timedelta(days=3),
            period_end=end,
            petition_ids=[petition.id],
            concern_ids=[],
            version=1,
            published_on=coarse_date(),
            threshold=K,
            headcount=None,
        )
        if snapshot["petitions"][0]["groups"]:
            published.append(_figures(snapshot))
            for row in snapshot["petitions"][0]["groups_by_week"]["rows"]:
                for value in row["signatures"]:
                    published.append({row["group"]: value})
    client.login(leadership)
    api = client.get(url_for("api.petition", petition_id=petition.id)).get_json()
    published.append({g["group"]: g["signatures"] for g in api["breakdown"]["groups"]})

    seen: dict[str, set[int]] = {}
    for release in published:
        for group, value in release.items():
            if value is not None:
                assert value >= K, (group, value)
                seen.setdefault(group, set()).add(value)
    for group, values in seen.items():
        for a, b in itertools.combinations(sorted(values), 2):
            assert b - a >= K, f"{group}: {a} and {b} are both published"
    assert not {9, 10} & seen.get("Engineering", set())
    assert seen["Sales"] and seen["Support"], "the breakdown published nothing at all"


def test_a_report_period_ending_mid_week_shows_the_last_complete_week(app, make_petition, make_group):
    engineering, sales = make_group("Engineering"), make_group("Sales")
    petition = make_petition()
    monday = week_of(coarse_date()) - timedelta(days=14)
    _sign(app, petition, engineering, 9, monday)
    _sign(app, petition, sales, 9, monday)
    _sign(app, petition, None, 7, monday)  # "Not stated" too, so no group hides alone
    _sign(app, petition, engineering, 6, monday + timedelta(days=8))

    def groups(end):
        snapshot = build_snapshot(
            report_id="r",
            title="t",
            narrative="",
            period_start=monday,
            period_end=end,
            petition_ids=[petition.id],
            concern_ids=[],
            version=1,
            published_on=coarse_date(),
            threshold=K,
            headcount=None,
        )
        return _figures(snapshot)

    assert groups(monday + timedelta(days=5)) == {}  # the first week hasn't ended yet
    assert groups(monday + timedelta(days=6))["Engineering"] == 9
    assert groups(monday + timedelta(days=10))["Engineering"] == 9  # mid-week: still week one
    assert groups(monday + timedelta(days=13))["Engineering"] == 15
