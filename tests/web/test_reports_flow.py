"""Organizers compose, preview and publish reports; readers see frozen, digested versions."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import timedelta

import jsonschema
import pytest
from flask import url_for
from pypdf import PdfReader
from sqlalchemy import select

from tests.support import count_rows
from voicebox.anonymity import coarse_date
from voicebox.extensions import db
from voicebox.models import AuditEvent, Report, ReportVersion
from voicebox.reports import service
from voicebox.reports.exports import SCHEMA_PATH
from voicebox.unit_of_work import unit_of_work


def _compose(client, petitions=(), concerns=(), **overrides):
    today = coarse_date()
    data = {
        "title": "Quarterly voice of staff",
        "period_start": (today - timedelta(days=30)).isoformat(),
        "period_end": today.isoformat(),
        "narrative": "Staff **spoke up** about monitoring.",
        "petitions": [p.id for p in petitions],
        "concerns": [c.id for c in concerns],
    }
    data.update(overrides)
    return client.post(url_for("reports.new"), data=data)


def _publish(client, report_id, expected=0):
    return client.post(
        url_for("reports.publish", report_id=report_id), data={"expected_version": str(expected)}
    )


@pytest.fixture
def published(client, organizer, make_petition, sign_many):
    petition = make_petition(title="Switch off keystroke recording")
    sign_many(petition, 7)
    client.login(organizer)
    _compose(client, petitions=[petition])
    report = db.session.scalars(select(Report)).one()
    assert _publish(client, report.id).status_code == 302
    client.logout()
    return report, petition


def test_organizer_composes_previews_and_publishes(client, organizer, leadership, make_petition, sign_many):
    petition = make_petition()
    sign_many(petition, 3)
    client.login(organizer)
    response = _compose(client, petitions=[petition])
    report = db.session.scalars(select(Report)).one()
    assert response.headers["Location"].endswith(url_for("reports.detail", report_id=report.id))
    page = client.get(url_for("reports.detail", report_id=report.id)).get_data(as_text=True)
    assert "Preview, not published" in page
    assert "<strong>spoke up</strong>" in page
    assert petition.title in page
    assert count_rows(ReportVersion) == 0

    assert _publish(client, report.id).status_code == 302
    version = db.session.scalars(select(ReportVersion)).one()
    assert version.version == 1
    assert version.digest == hashlib.sha256(version.snapshot.encode()).hexdigest()
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action.like("published a report%")))
    client.logout()

    client.login(leadership)
    page = client.get(url_for("reports.detail", report_id=report.id)).get_data(as_text=True)
    assert version.digest in page
    assert "Preview" not in page
    assert "version 1" in page


def test_drafts_are_invisible_to_everyone_but_organizers(client, users, make_petition):
    petition = make_petition()
    client.login(users["organizer"])
    _compose(client, petitions=[petition])
    report = db.session.scalars(select(Report)).one()
    client.logout()
    for role in ("member", "leadership", "admin"):
        client.login(users[role])
        assert client.get(url_for("reports.detail", report_id=report.id)).status_code == 404
        assert report.title not in client.get(url_for("reports.index")).get_data(as_text=True)
        assert client.get(url_for("reports.detail", report_id=report.id + ".pdf")).status_code == 404
        assert client.get(url_for("api.report", report_id=report.id)).status_code == 404
        client.logout()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"petitions": [], "concerns": []}, "Choose at least one petition or concern"),
        ({"period_start": "2026-03-10", "period_end": "2026-03-01"}, "The period ends before it starts"),
        ({"title": ""}, "Give the report a title."),
        ({"period_start": "not a date"}, "Not a valid date value"),
        ({"period_end": ""}, "Give the last day of the period."),
    ],
)
def test_bad_report_input_gets_a_clear_message(client, organizer, make_petition, overrides, message):
    petition = make_petition()
    client.login(organizer)
    response = _compose(client, **{"petitions": [petition], **overrides})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert count_rows(Report) == 0


def test_role_matrix_for_reports(client, users, published):
    report, _ = published
    new_url = url_for("reports.new")
    assert client.get(new_url).status_code == 302  # anonymous: to sign in
    assert client.get(url_for("reports.detail", report_id=report.id)).status_code == 302
    assert client.get(url_for("reports.detail", report_id=report.id + ".csv")).status_code == 302
    expected_compose = {"member": 403, "organizer": 200, "leadership": 403, "admin": 403}
    for role, code in expected_compose.items():
        client.login(users[role])
        assert client.get(new_url).status_code == code, role
        assert client.get(url_for("reports.detail", report_id=report.id)).status_code == 200, role
        if role != "organizer":
            assert _publish(client, report.id, expected=1).status_code == 403, role
            assert client.get(url_for("reports.edit", report_id=report.id)).status_code == 403, role
        client.logout()
    assert count_rows(ReportVersion) == 1


def test_publishing_twice_makes_one_version(client, organizer, published):
    report, _ = published
    client.login(organizer)
    first = _publish(client, report.id, expected=1)
    second = _publish(client, report.id, expected=1)  # a double click, or a second organizer
    assert first.status_code == second.status_code == 302
    assert count_rows(ReportVersion, ReportVersion.report_id == report.id) == 2
    page = client.get(url_for("reports.detail", report_id=report.id)).get_data(as_text=True)
    assert "was just published as version 2" in page


def test_a_publish_race_lost_at_the_database_makes_no_second_version(app, published, monkeypatch):
    report, _ = published
    original = service.get_report

    def stale(report_id):  # both requests read version 1 before either wrote
        row = original(report_id)
        row.latest_version = 1
        return row

    kwargs = {"threshold": 5, "headcount": None, "actor_role": "organizer", "today": coarse_date()}
    with unit_of_work(db.session):
        service.publish_report(report.id, 1, **kwargs)
    monkeypatch.setattr(service, "get_report", stale)
    with pytest.raises(service.AlreadyPublished), unit_of_work(db.session):
        service.publish_report(report.id, 1, **kwargs)
    assert count_rows(ReportVersion, ReportVersion.report_id == report.id) == 2


def test_published_report_does_not_change_when_more_signatures_arrive(
    client, leadership, organizer, published, sign_many
):
    report, petition = published
    client.login(leadership)
    before = client.get(url_for("reports.detail", report_id=report.id + ".json")).get_data()
    sign_many(petition, 5)
    after = client.get(url_for("reports.detail", report_id=report.id + ".json")).get_data()
    assert before == after
    assert json.loads(after)["report"]["petitions"][0]["signatures"] == 7
    client.logout()

    client.login(organizer)
    _publish(client, report.id, expected=1)
    latest = client.get(url_for("api.report", report_id=report.id)).get_json()
    assert latest["report"]["version"] == 2
    assert latest["report"]["petitions"][0]["signatures"] == 12
    old = client.get(url_for("api.report", report_id=report.id, version=1)).get_json()
    assert old["report"]["petitions"][0]["signatures"] == 7
    assert old["digest"] != latest["digest"]


def test_pdf_export_opens_and_carries_title_and_digest(client, member, published):
    report, _ = published
    client.login(member)
    response = client.get(url_for("reports.detail", report_id=report.id + ".pdf"))
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    digest = db.session.scalars(select(ReportVersion.digest)).one()
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "Quarterly voice of staff" in text
    assert digest in text.replace("\n", "")


def test_csv_export_parses_as_one_tidy_table(client, member, published, make_group):
    report, petition = published
    client.login(member)
    response = client.get(url_for("reports.detail", report_id=report.id + ".csv"))
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    digest = db.session.scalars(select(ReportVersion.digest)).one()
    assert {row["digest"] for row in rows} == {digest}
    total = next(r for r in rows if r["item_id"] == petition.id and r["measure"] == "signatures")
    assert total["value"] == "7"


def test_json_export_validates_against_its_schema(client, member, published):
    report, _ = published
    client.login(member)
    document = client.get(url_for("reports.detail", report_id=report.id + ".json")).get_json()
    schema = json.loads(SCHEMA_PATH.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(document, schema, cls=jsonschema.Draft202012Validator)
    canonical = json.dumps(document["report"], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert hashlib.sha256(canonical.encode()).hexdigest() == document["digest"]


def test_unknown_export_format_and_version_are_not_found(client, member, published):
    report, _ = published
    client.login(member)
    assert client.get(url_for("reports.detail", report_id=report.id + ".xlsx")).status_code == 404
    assert client.get(url_for("reports.detail", report_id=report.id, version=9)).status_code == 404
    assert client.get(url_for("reports.detail", report_id=report.id, version="x")).status_code == 404


def test_exports_suppress_small_groups_like_the_page(
    client, organizer, make_petition, make_group, sign_many, monkeypatch
):
    # Breakdowns cover complete weeks only: release as of next week, over a period that
    # includes this whole week.
    next_week = coarse_date() + timedelta(days=7)
    monkeypatch.setattr("voicebox.reports.tallies.release_day", lambda: next_week)
    petition = make_petition()
    small, large = make_group("Night shift"), make_group("Engineering")
    sign_many(petition, 2, group=small)
    sign_many(petition, 9, group=large)
    client.login(organizer)
    _compose(client, petitions=[petition], period_end=next_week.isoformat())
    report = db.session.scalars(select(Report)).one()
    _publish(client, report.id)
    document = client.get(url_for("reports.detail", report_id=report.id + ".json")).get_json()
    groups = {g["group"]: g["signatures"] for g in document["report"]["petitions"][0]["groups"]}
    assert groups["Night shift"] is None
    assert groups["Engineering"] is None  # complementary: 11 - 9 would reveal the 2
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(url_for("reports.detail", report_id=report.id + ".csv")).get_data(as_text=True)
            )
        )
    )
    night = [r for r in rows if r["group"] == "Night shift"]
    assert night and all(r["value"] == "" and r["note"] == "fewer than 5" for r in night)
    page = client.get(url_for("reports.detail", report_id=report.id)).get_data(as_text=True)
    assert "fewer than 5" in page


def test_hidden_concerns_appear_only_as_hidden(
    client, organizer, leadership, make_concern_row, make_category
):
    category = make_category()  # once a category exists, every concern is posted under one
    visible = make_concern_row(title="Parking fees doubled", category=category, supports=12)
    hidden = make_concern_row(
        title="Complaint naming Dave from payroll", category=category, hidden=True, supports=3
    )
    client.login(organizer)
    _compose(client, concerns=[visible, hidden])
    report = db.session.scalars(select(Report)).one()
    _publish(client, report.id)
    client.logout()
    client.login(leadership)
    page = client.get(url_for("reports.detail", report_id=report.id)).get_data(as_text=True)
    assert "Parking fees doubled" in page
    assert "Hidden by moderators" in page
    assert "Dave" not in page
    assert b"Dave" not in client.get(url_for("reports.detail", report_id=report.id + ".json")).data


def test_report_page_embeds_its_chart_as_an_image(client, member, published):
    report, _ = published
    client.login(member)
    page = client.get(url_for("reports.detail", report_id=report.id)).get_data(as_text=True)
    assert "<svg" not in page
    assert 'alt="Line chart' in page
    chart = client.get(url_for("reports.chart", report_id=report.id))
    assert chart.mimetype == "image/svg+xml"
    assert b"<script" not in chart.data
