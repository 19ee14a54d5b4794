"""Petition pages show a chart, a suppressed group breakdown, and organizers a dashboard."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import url_for

from voicebox.anonymity import coarse_date


def test_petition_page_embeds_a_script_free_chart_with_a_text_alternative(
    client, member, make_petition, sign_many
):
    petition = make_petition(title="Chart <script>alert(1)</script> me")
    sign_many(petition, 3)
    client.login(member)
    page = client.get(url_for("petitions.detail", petition_id=petition.id)).get_data(as_text=True)
    assert "<svg" not in page
    chart_url = url_for("petitions.chart", petition_id=petition.id)
    assert f'src="{chart_url}"' in page
    assert re.search(r'<img [^>]*alt="Line chart', page)
    assert "<caption>Signatures per day</caption>" in page
    chart = client.get(chart_url)
    assert chart.mimetype == "image/svg+xml"
    assert b"<script" not in chart.data
    assert not re.search(rb"(?:href|src)=\"(?:https?:)?//", chart.data)
    assert "default-src 'none'" in chart.headers["Content-Security-Policy"]


def test_group_breakdown_hides_small_groups_and_their_complement(
    client, leadership, make_petition, make_group, sign_many, monkeypatch
):
    monkeypatch.setattr(  # this week's signatures count once the week has ended
        "voicebox.reports.tallies.release_day", lambda: coarse_date() + timedelta(days=7)
    )
    petition = make_petition()
    nights, engineering, sales = make_group("Night shift"), make_group("Engineering"), make_group("Sales")
    sign_many(petition, 2, group=nights)
    sign_many(petition, 8, group=engineering)
    sign_many(petition, 6, group=sales)
    client.login(leadership)
    page = client.get(url_for("petitions.detail", petition_id=petition.id)).get_data(as_text=True)
    table = page.split('id="group-breakdown"')[1].split("</table>")[0]
    assert "hidden" in table and "fewer than 5 people" in page
    assert ">2<" not in table
    # "Not stated" (0) and Night shift (2) together are under 5, so Sales (6) goes too.
    assert "Engineering</th><td>8" in table


def test_draft_charts_are_not_found(client, member, make_petition):
    draft = make_petition(status="draft")
    client.login(member)
    assert client.get(url_for("petitions.chart", petition_id=draft.id)).status_code == 404


def test_organizer_dashboard_shows_counts_trends_and_categories(
    client, users, make_petition, sign_many, make_concern_row, make_category
):
    petition = make_petition(title="Four-day week")
    sign_many(petition, 4)
    make_concern_row(
        title="Broken lifts", category=make_category("Facilities"), status="acknowledged", supports=9
    )
    client.login(users["organizer"])
    page = client.get(url_for("dashboard.overview")).get_data(as_text=True)
    assert "Four-day week" in page and "+4" in page
    assert "Broken lifts" in page and "Facilities" in page
    client.logout()
    for role in ("member", "leadership", "admin"):
        client.login(users[role])
        assert client.get(url_for("dashboard.overview")).status_code == 403
        client.logout()
