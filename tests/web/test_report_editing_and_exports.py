"""Editing keeps a report's selections; exports and parameters are safe for anything typed."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from flask import url_for
from sqlalchemy import select

from tests.support import both_engines
from voicebox.anonymity import coarse_date
from voicebox.extensions import db
from voicebox.models import Report, ReportVersion
from voicebox.reports.exports import csv_safe


def _compose(client, petitions=(), concerns=(), title="Quarterly voice of staff"):
    today = coarse_date()
    return client.post(
        url_for("reports.new"),
        data={
            "title": title,
            "period_start": (today - timedelta(days=30)).isoformat(),
            "period_end": today.isoformat(),
            "narrative": "## Summary\n\nStaff **spoke up**.",
            "petitions": [p.id for p in petitions],
            "concerns": [c.id for c in concerns],
        },
    )


def _ticked(page: str) -> set[str]:
    return set(
        re.findall(
            r'<input checked id="[^"]*" name="(?:petitions|concerns)" type="checkbox" value="([0-9a-f]+)"',
            page,
        )
    )


def test_editing_keeps_every_selection_and_field_and_republishes_without_reticking(
    client, organizer, make_petition, make_concern_row
):
    first, second = make_petition(title="First petition"), make_petition(title="Second petition")
    make_petition(title="Not chosen")
    concern = make_concern_row(title="Rota changes")
    client.login(organizer)
    _compose(client, petitions=[first, second], concerns=[concern])
    report = db.session.scalars(select(Report)).one()
    client.post(url_for("reports.publish", report_id=report.id), data={"expected_version": "0"})

    page = client.get(url_for("reports.edit", report_id=report.id)).get_data(as_text=True)
    assert _ticked(page) == {first.id, second.id, concern.id}
    assert 'value="Quarterly voice of staff"' in page
    assert "## Summary" in page

    # Submit the form exactly as the browser would, changing only the title.
    form = {
        "title": "Quarterly voice of staff (revised)",
        "period_start": re.search(r'name="period_start" type="date" value="([^"]+)"', page).group(1),
        "period_end": re.search(r'name="period_end" type="date" value="([^"]+)"', page).group(1),
        "narrative": "## Summary\n\nStaff **spoke up**.",
        "petitions": [first.id, second.id],
        "concerns": [concern.id],
    }
    assert client.post(url_for("reports.edit", report_id=report.id), data=form).status_code == 302
    assert (
        client.post(
            url_for("reports.publish", report_id=report.id), data={"expected_version": "1"}
        ).status_code
        == 302
    )
    latest = db.session.scalars(select(ReportVersion).where(ReportVersion.version == 2)).one()
    assert "(revised)" in latest.snapshot and "First petition" in latest.snapshot
    assert "Second petition" in latest.snapshot and "Rota changes" in latest.snapshot
    assert "Not chosen" not in latest.snapshot


def test_edit_page_without_the_fix_would_show_nothing_ticked(client, organizer, make_petition):
    """The negative: a report whose selection is empty shows no ticks (the check can fail)."""
    petition = make_petition()
    client.login(organizer)
    _compose(client, petitions=[petition])
    report = db.session.scalars(select(Report)).one()
    report.petition_ids = "[]"
    db.session.commit()
    page = client.get(url_for("reports.edit", report_id=report.id)).get_data(as_text=True)
    assert _ticked(page) == set()


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("-3", "-3"),
        ("Heating", "Heating"),
        (7, 7),
    ],
)
def test_csv_cells_are_neutralised_against_formulas(cell, safe):
    assert csv_safe(cell) == safe


def test_csv_export_neutralises_a_formula_title_and_says_charset_once(
    client, organizer, member, make_petition, sign_many
):
    petition = make_petition(title='=HYPERLINK("http://evil.example","Click")')
    sign_many(petition, 2)
    client.login(organizer)
    _compose(client, petitions=[petition], title="@report")
    report = db.session.scalars(select(Report)).one()
    client.post(url_for("reports.publish", report_id=report.id), data={"expected_version": "0"})
    client.logout()
    client.login(member)
    response = client.get(url_for("reports.detail", report_id=report.id + ".csv"))
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    titles = {row["item_title"] for row in rows}
    assert '\'=HYPERLINK("http://evil.example","Click")' in titles
    assert "'@report" in titles
    assert not any(value.startswith(("=", "+", "@")) for row in rows for value in row.values())


@both_engines
@pytest.mark.parametrize("version", ["9223372036854775808", "99999999999", "0", "-1", "²", "1e3", " 1"])
def test_absurd_versions_are_not_found_not_server_errors(client, member, organizer, make_petition, version):
    petition = make_petition()
    client.login(organizer)
    _compose(client, petitions=[petition])
    report = db.session.scalars(select(Report)).one()
    client.post(url_for("reports.publish", report_id=report.id), data={"expected_version": "0"})
    client.logout()
    client.login(member)
    assert client.get(url_for("reports.detail", report_id=report.id, version=version)).status_code == 404
    assert (
        client.get(url_for("reports.detail", report_id=report.id + ".pdf", version=version)).status_code
        == 404
    )
    api = client.get(url_for("api.report", report_id=report.id, version=version))
    assert api.status_code == 404 and "error" in api.get_json()


@both_engines
def test_nul_bytes_are_refused_with_a_clear_400(client, member, make_petition):
    petition = make_petition()
    login = client.post(url_for("auth.login"), data={"username": "ad\x00min", "password": "x"})
    assert login.status_code == 400 and "NUL" in login.get_data(as_text=True)
    client.login(member)
    page = client.get(url_for("petitions.index"), query_string={"q": "a\x00b"})
    assert page.status_code == 400 and "NUL" in page.get_data(as_text=True)
    api = client.get(url_for("api.petition", petition_id=petition.id), query_string={"x": "\x00"})
    assert api.status_code == 400 and "NUL" in api.get_json()["error"]
    assert client.get("/petitions/ab%00cd").status_code == 400
    signed = client.post(url_for("petitions.sign", petition_id=petition.id), data={"comment": "hi\x00"})
    assert signed.status_code == 400
    assert client.get(url_for("petitions.detail", petition_id=petition.id)).status_code == 200
