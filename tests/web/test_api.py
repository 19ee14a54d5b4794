"""The read-only JSON API: signed-in only, suppressed, and every body matches the OpenAPI document."""

from __future__ import annotations

from datetime import timedelta

import jsonschema
import pytest
from flask import url_for
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from sqlalchemy import select

from voicebox.anonymity import coarse_date
from voicebox.extensions import db
from voicebox.models import Report


def _validator(document, name):
    registry = Registry().with_resource(
        "urn:voicebox:openapi", Resource.from_contents(document, default_specification=DRAFT202012)
    )
    return jsonschema.Draft202012Validator(
        {"$ref": f"urn:voicebox:openapi#/components/schemas/{name}"}, registry=registry
    )


def _schema_for(document, path, status):
    ref = document["paths"][path]["get"]["responses"][status]["content"]["application/json"]["schema"]["$ref"]
    return ref.rsplit("/", 1)[1]


@pytest.fixture
def api_world(client, organizer, make_petition, make_group, sign_many):
    petition = make_petition(title="Stop the screenshots")
    sign_many(petition, 2, group=make_group("Night shift"))
    sign_many(petition, 9, group=make_group("Engineering"))
    make_petition(title="Secret draft", status="draft")
    client.login(organizer)
    client.post(
        url_for("reports.new"),
        data={
            "title": "API report",
            "period_start": "2020-01-01",
            "period_end": "2099-01-01",
            "petitions": [petition.id],
            "narrative": "",
        },
    )
    report = db.session.scalars(select(Report)).one()
    client.post(url_for("reports.publish", report_id=report.id), data={"expected_version": "0"})
    client.logout()
    return petition, report


def test_every_api_response_matches_the_openapi_document(client, member, api_world):
    petition, report = api_world
    document = client.get(url_for("api.openapi")).get_json()
    assert document["openapi"].startswith("3.1")
    client.login(member)
    calls = [
        ("/api/v1/petitions", url_for("api.petitions"), "200"),
        ("/api/v1/petitions/{id}", url_for("api.petition", petition_id=petition.id), "200"),
        ("/api/v1/reports/{id}", url_for("api.report", report_id=report.id), "200"),
        ("/api/v1/petitions/{id}", url_for("api.petition", petition_id="nope"), "404"),
        ("/api/v1/reports/{id}", url_for("api.report", report_id=report.id, version=7), "404"),
    ]
    for path, url, status in calls:
        response = client.get(url)
        assert str(response.status_code) == status, url
        _validator(document, _schema_for(document, path, status)).validate(response.get_json())
    client.logout()
    unauthorized = client.get(url_for("api.petitions"))
    assert unauthorized.status_code == 401
    _validator(document, _schema_for(document, "/api/v1/petitions", "401")).validate(unauthorized.get_json())


def test_api_breakdown_is_suppressed_and_drafts_are_absent(client, leadership, api_world, monkeypatch):
    monkeypatch.setattr(  # this week's signatures count once the week has ended
        "voicebox.reports.tallies.release_day", lambda: coarse_date() + timedelta(days=7)
    )
    petition, _ = api_world
    client.login(leadership)
    listing = client.get(url_for("api.petitions")).get_json()
    assert [p["title"] for p in listing["petitions"]] == ["Stop the screenshots"]
    detail = client.get(url_for("api.petition", petition_id=petition.id)).get_json()
    groups = {g["group"]: g["signatures"] for g in detail["breakdown"]["groups"]}
    assert groups["Night shift"] is None and groups["Engineering"] is None
    assert detail["signatures"] == 11
    assert 2 not in [c for row in detail["breakdown"]["by_week"] for c in row["signatures"]]


@pytest.mark.parametrize(
    "endpoint", ["api.petitions", "api.concern_list", "api.response_feed", "api.report_list"]
)
def test_api_refuses_anonymous_callers_with_json(client, endpoint):
    response = client.get(url_for(endpoint))
    assert response.status_code == 401
    assert "Sign in" in response.get_json()["error"]


def test_concerns_responses_and_versions_through_the_api(
    client, member, leadership, organizer, api_world, make_concern, make_concern_row
):
    _, report = api_world
    concern, _ = make_concern(title="Heating on floor 3")
    make_concern_row(title="Names a colleague", hidden=True)
    client.login(leadership)
    client.post(
        url_for("responses.respond_to_concern", concern_id=concern.id),
        data={"status": "acknowledged", "body": "Engineers visit Monday."},
    )
    client.logout()
    client.login(organizer)
    client.post(url_for("reports.publish", report_id=report.id), data={"expected_version": "1"})
    client.logout()
    client.login(member)
    document = client.get(url_for("api.openapi")).get_json()
    concerns = client.get(url_for("api.concern_list")).get_json()
    _validator(document, "ConcernList").validate(concerns)
    titles = [c["title"] for c in concerns["concerns"]]
    assert "Heating on floor 3" in titles and "Names a colleague" not in titles
    assert all("body" not in c for c in concerns["concerns"])
    hidden = next(c for c in concerns["concerns"] if c["hidden"])
    assert hidden["hidden_reason"] == "Names a colleague" and hidden["title"] is None
    detail = client.get(url_for("api.concern", concern_id=concern.id)).get_json()
    _validator(document, "ConcernDetail").validate(detail)
    assert detail["responses"][0]["text"] == "Engineers visit Monday." and detail["status"] == "acknowledged"
    feed = client.get(url_for("api.response_feed")).get_json()
    _validator(document, "ResponseFeed").validate(feed)
    assert feed["responses"][0]["item_title"] == "Heating on floor 3"
    versions = client.get(url_for("api.report_versions", report_id=report.id)).get_json()
    _validator(document, "VersionList").validate(versions)
    assert [v["version"] for v in versions["versions"]] == [2, 1]
    listing = client.get(url_for("api.report_list")).get_json()
    assert listing["reports"][0]["latest_version"] == 2
    assert client.get(url_for("api.report_versions", report_id="nope")).status_code == 404
    assert client.get(url_for("api.concern", concern_id="nope")).status_code == 404
