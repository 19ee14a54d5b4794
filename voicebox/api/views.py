"""/api/v1: read-only JSON for signed-in users, through the same suppression as the pages."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, g, jsonify, request
from flask_login import current_user
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from voicebox.api import service as items
from voicebox.api.openapi import openapi_document
from voicebox.api.tokens import user_for_token
from voicebox.concerns.service import category_names
from voicebox.extensions import csrf
from voicebox.models import Concern, Petition
from voicebox.petitions.page import fragment_cache
from voicebox.reports import service as reports
from voicebox.reports.exports import export_document
from voicebox.reports.tallies import breakdown_rows, daily_series, group_week_table, suppression_threshold
from voicebox.responses.service import CONCERN, PETITION, recent_responses, responses_to
from voicebox.web import current_secrets

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # GET only: nothing here changes state


@bp.before_request
def signed_in_only() -> tuple[Response, int] | None:
    """A session cookie or a personal access token (`Authorization: Bearer vbx_...`)."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, raw = header.partition(" ")
        user = (
            user_for_token(raw.strip(), pepper=current_secrets().pepper)
            if scheme.lower() == "bearer"
            else None
        )
        if user is None:
            return jsonify(
                error="That access token is not valid (revoked, mistyped or not a bearer token)."
            ), 401
        g.api_user = user
        return None
    if request.endpoint == "api.openapi" or current_user.is_authenticated:
        return None
    return jsonify(error="Sign in, or send a personal access token as 'Authorization: Bearer ...'."), 401


def json_error(error: HTTPException) -> tuple[Response, int]:
    return jsonify(error=error.description or error.name), error.code or 500


# Code-specific handlers, because the site's HTML error pages are registered per code too.
for _code in (400, 401, 403, 404, 405, 429, 500):
    bp.register_error_handler(_code, json_error)


def _day(value: Any) -> str | None:
    return value.isoformat() if value else None


def _responses(kind: str, item_id: str) -> list[dict[str, Any]]:
    return [
        {"status": r.status, "responded_on": r.responded_on.isoformat(), "text": r.body}
        for r in responses_to(kind, item_id)
    ]


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
    return jsonify(petitions=[_summary(p) for p in items.listed_petitions()])


@bp.get("/petitions/<petition_id>")
def petition(petition_id: str) -> Response:
    try:
        found = items.listed_petition_row(petition_id)
    except items.ItemNotFound as exc:
        abort(404, str(exc))
    # Serialized once per document version: nothing here is per member. The short read path
    # (voicebox/short_reads.py) serves cookie-signed-in requests from the same cache.
    body = fragment_cache(items.DOCUMENT_CACHE).get_or_build(
        items.document_key_of(found), lambda: _petition_document(found, found.headcount)
    )
    return current_app.response_class(body, mimetype="application/json")


def _petition_document(found: Any, headcount: int | None) -> bytes:
    threshold = suppression_threshold()
    table = group_week_table(found.id, threshold)
    breakdown = None
    if table is not None:
        groups, by_week = breakdown_rows(table)
        breakdown = {
            "suppression_threshold": threshold,
            "groups": groups,
            "weeks": list(table.columns),
            "by_week": by_week,
        }
    document = jsonify(
        {
            **_summary(found),
            "headcount_percent": round(100.0 * found.signature_count / headcount, 1) if headcount else None,
            "daily": [{"day": day.isoformat(), "signatures": n} for day, n in daily_series(found.id)],
            "breakdown": breakdown,
            "responses": _responses(PETITION, found.id),
        }
    )
    return document.get_data()


@bp.get("/reports/<report_id>")
def report(report_id: str) -> Response:
    try:
        version = reports.get_version(report_id, reports.parse_version(request.args.get("version")))
    except reports.ReportNotFound as exc:
        abort(404, str(exc))
    return jsonify(export_document(reports.snapshot_of(version), version.digest))


@bp.get("/reports")
def report_list() -> Response:
    return jsonify(
        reports=[
            {
                "id": item.report.id,
                "title": item.report.title,
                "latest_version": item.report.latest_version,
                "published_on": _day(item.published_on),
            }
            for item in reports.list_reports(include_unpublished=False)
        ]
    )


@bp.get("/reports/<report_id>/versions")
def report_versions(report_id: str) -> Response:
    versions = reports.versions_of(report_id)
    if not versions:
        abort(404, "There is no such published report.")
    return jsonify(
        versions=[
            {"version": v, "published_on": on.isoformat(), "digest": digest} for v, on, digest in versions
        ]
    )


def _concern(concern: Concern, categories: dict[int, str]) -> dict[str, Any]:
    """Public fields only: a hidden concern shows its reason instead of its title."""
    return {
        "id": concern.id,
        "title": None if concern.hidden else concern.title,
        "hidden": bool(concern.hidden),
        "hidden_reason": concern.hidden_reason if concern.hidden else None,
        "category": categories.get(concern.category_id or 0),
        "status": concern.status,
        "supports": concern.support_count,
        "created_on": concern.created_on.isoformat(),
    }


@bp.get("/concerns")
def concern_list() -> Response:
    categories = category_names()
    return jsonify(concerns=[_concern(c, categories) for c in items.listed_concerns()])


@bp.get("/concerns/<concern_id>")
def concern(concern_id: str) -> Response:
    try:
        found = items.listed_concern(concern_id)
    except items.ItemNotFound as exc:
        abort(404, str(exc))
    categories = category_names()
    return jsonify(
        {**_concern(found, categories), "responses": [] if found.hidden else _responses(CONCERN, found.id)}
    )


@bp.get("/responses")
def response_feed() -> Response:
    return jsonify(
        responses=[
            {
                "item_kind": entry.kind,
                "item_id": entry.item_id,
                "item_title": entry.item_title,
                "status": entry.response.status,
                "responded_on": entry.response.responded_on.isoformat(),
                "text": entry.response.body,
            }
            for entry in recent_responses()
        ]
    )
