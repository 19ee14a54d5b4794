"""Schemathesis against /api/v1/openapi.json: generated requests, 0 server errors, 0 schema violations.

The number of examples per operation is bounded so the suite stays quick on a small machine.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from sqlalchemy import select

from voicebox.anonymity import coarse_date
from voicebox.api import tokens
from voicebox.extensions import db
from voicebox.models import Report
from voicebox.unit_of_work import unit_of_work

MAX_EXAMPLES = 25


@pytest.fixture
def api_schema(app, users, make_petition, make_group, sign_many, make_concern):
    from voicebox.reports import service as reports

    petition = make_petition(title="Stop the screenshots")
    sign_many(petition, 2, group=make_group("Night shift"))
    sign_many(petition, 9, group=make_group("Engineering"))
    make_concern(title="Heating on floor 3")
    today = coarse_date()
    draft = reports.ReportDraft("API report", today, today, "", [petition.id], [])
    with unit_of_work(db.session):
        report = reports.create_report(draft, actor_role="organizer", today=today)
    with unit_of_work(db.session):
        reports.publish_report(report.id, 0, threshold=5, headcount=None, actor_role="organizer", today=today)
    assert db.session.scalars(select(Report)).one()
    with unit_of_work(db.session):
        _, raw = tokens.create_token(
            users["member"], "fuzzing", pepper=app.extensions["voicebox.secrets"].pepper, today=today
        )
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    schema.config.headers = {"Authorization": f"Bearer {raw}"}
    # Both valid and invalid inputs (out-of-range versions, NUL characters): none may be a 500.
    schema.config.generation.update(modes=list(schemathesis.GenerationMode), allow_x00=True)
    return schema


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_matches_its_openapi_document(case):
    # Every request carries a valid token (set above), so schemathesis's "ignored auth" probe
    # would only see its own made-up cookie being outranked; tests/web/test_api_tokens.py
    # checks that invalid and revoked tokens get 401.
    case.call_and_validate(excluded_checks=[schemathesis.checks.ignored_auth])
