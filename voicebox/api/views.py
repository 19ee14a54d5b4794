"""/api/v1: read-only JSON for signed-in users, through the same suppression as the pages."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, jsonify, request
from flask_login import current_user
from sqlalchemy import select
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from voicebox.api.openapi import openapi_document
from voicebox.auth.service import instance_settings
from voicebox.extensions import csrf, db
from voicebox.models import Petition, PetitionStatus
from voicebox.reports import service as reports
from voicebox.reports.exports import export_document
from voicebox.reports.tallies import breakdown_rows, daily_series, group_week_table, suppression_threshold
from voicebox.responses.service import PETITION, responses_to

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # GET only: nothing here changes state


@bp.before_request
def signed_in_only() -> tuple[Response, int] | None:
    if request.endpoint == "api.openapi" or current_user.is_authenticated:
        return None
    return jsonify(error="Sign in to use the API."), 401


def json_error(error: HTTPException) -> tuple[Response, int]:
    return jsonify(error=error.description or error.name), error.code or 500


# Code-specific handlers, because the site's HTML error pages are registered per code too.
for _code in (400, 401, 403, 404, 405, 429, 500):
    bp.register_error_handler(_code, json_error)


def _day(value: Any) -> str | None:
    return value.isoformat() if value else None


def _summary(petition: Petition) -> dict[str, Any]:
    return {
        "id": petition.id,
        "title": petition.title,
        "status": petition.status,
        "goal": petition.goal,
        "signatures": petition.signature_count,
        "opened_on": _day(petition.opened_on),
        "closed_on": _day(petition.closed_on),
        "closes_on": _day(petition.closes_on),
    }


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_document())


@bp.get("/petitions")
def petitions() -> Response:
    rows = db.session.scalars(
        select(Petition)
        .where(Petition.status.in_((PetitionStatus.OPEN.value, PetitionStatus.CLOSED.value)))
        .order_by(Petition.signature_count.desc(), Petition.title)
    )
    return jsonify(petitions=[_summary(p) for p in rows])


@bp.get("/petitions/<petition_id>")
def petition(petition_id: str) -> Response:
    found = db.session.get(Petition, petition_id)
    if found is None or found.is_draft or found.is_rejected:
        abort(404, "There is no such petition.")
    threshold = suppression_threshold()
    table = group_week_table(found.id, threshold)
    headcount = instance_settings().headcount
    breakdown = None
    if table is not None:
        groups, by_week = breakdown_rows(table)
        breakdown = {
            "suppression_threshold": threshold,
            "groups": groups,
            "weeks": list(table.columns),
            "by_week": by_week,
        }
    return jsonify(
        {
            **_summary(found),
            "headcount_percent": round(100.0 * found.signature_count / headcount, 1) if headcount else None,
            "daily": [{"day": day.isoformat(), "signatures": n} for day, n in daily_series(found.id)],
            "breakdown": breakdown,
            "responses": [
                {"status": r.status, "responded_on": r.responded_on.isoformat(), "text": r.body}
                for r in responses_to(PETITION, found.id)
            ],
        }
    )


@bp.get("/reports/<report_id>")
def report(report_id: str) -> Response:
    try:
        version = reports.get_version(report_id, reports.parse_version(request.args.get("version")))
    except reports.ReportNotFound as exc:
        abort(404, str(exc))
    return jsonify(export_document(reports.snapshot_of(version), version.digest))
