"""The OpenAPI 3.1 document for /api/v1 (its schemas are what tests validate responses against)."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from voicebox.reports.exports import SCHEMA_PATH

DAY = {"type": "string", "format": "date"}
NULLABLE_DAY = {"type": ["string", "null"], "format": "date"}
SUPPRESSED = {"type": ["integer", "null"], "minimum": 0, "description": "null: fewer than the threshold"}


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": list(properties),
        "additionalProperties": False,
        "properties": properties,
    }


PETITION_SUMMARY = _object(
    {
        "id": {"type": "string"},
        "title": {"type": "string"},
        "status": {"enum": ["open", "closed"]},
        "goal": {"type": "integer"},
        "signatures": {"type": "integer", "minimum": 0},
        "opened_on": NULLABLE_DAY,
        "closed_on": NULLABLE_DAY,
        "closes_on": NULLABLE_DAY,
    }
)
RESPONSE = _object(
    {
        "status": {"enum": ["acknowledged", "in progress", "resolved", "declined"]},
        "responded_on": DAY,
        "text": {"type": "string"},
    }
)
BREAKDOWN = _object(
    {
        "suppression_threshold": {"type": "integer", "minimum": 3},
        "groups": {
            "type": "array",
            "items": _object({"group": {"type": "string"}, "signatures": SUPPRESSED}),
        },
        "weeks": {"type": "array", "items": DAY},
        "by_week": {
            "type": "array",
            "items": _object(
                {"group": {"type": "string"}, "signatures": {"type": "array", "items": SUPPRESSED}}
            ),
        },
    }
)
PETITION_DETAIL = _object(
    {
        **PETITION_SUMMARY["properties"],
        "headcount_percent": {"type": ["number", "null"]},
        "daily": {"type": "array", "items": _object({"day": DAY, "signatures": {"type": "integer"}})},
        "breakdown": {"anyOf": [{"$ref": "#/components/schemas/Breakdown"}, {"type": "null"}]},
        "responses": {"type": "array", "items": {"$ref": "#/components/schemas/Response"}},
    }
)
CONCERN_STATUS = {"enum": ["open", "acknowledged", "in progress", "resolved", "declined"]}
CONCERN_SUMMARY = _object(
    {
        "id": {"type": "string"},
        "title": {"type": ["string", "null"], "description": "null when moderators hid it"},
        "hidden": {"type": "boolean"},
        "hidden_reason": {"type": ["string", "null"]},
        "category": {"type": ["string", "null"]},
        "status": CONCERN_STATUS,
        "supports": {"type": "integer", "minimum": 0},
        "created_on": DAY,
    }
)
CONCERN_DETAIL = _object(
    {
        **CONCERN_SUMMARY["properties"],
        "responses": {"type": "array", "items": {"$ref": "#/components/schemas/Response"}},
    }
)
FEED_ENTRY = _object(
    {
        "item_kind": {"enum": ["petition", "concern"]},
        "item_id": {"type": "string"},
        "item_title": {"type": "string"},
        "status": RESPONSE["properties"]["status"],
        "responded_on": DAY,
        "text": {"type": "string"},
    }
)
REPORT_SUMMARY = _object(
    {
        "id": {"type": "string"},
        "title": {"type": "string"},
        "latest_version": {"type": "integer", "minimum": 1},
        "published_on": NULLABLE_DAY,
    }
)
VERSION = _object(
    {"version": {"type": "integer", "minimum": 1}, "published_on": DAY, "digest": {"type": "string"}}
)
ERROR = _object({"error": {"type": "string"}})


def _list_of(key: str, item: str) -> dict[str, Any]:
    return _object({key: {"type": "array", "items": {"$ref": f"#/components/schemas/{item}"}}})


def _json(schema_name: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}},
    }


ERRORS = {
    "400": _json("Error", "The request carries a NUL character"),
    "401": _json("Error", "Not signed in and no valid access token"),
    "404": _json("Error", "No such item, or not published"),
}
LIST_ERRORS = {key: ERRORS[key] for key in ("400", "401")}
ID_PARAMETER = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}


def _get(
    summary: str, schema: str, description: str, *, with_id: bool = True, **extra: Any
) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": summary,
        "responses": {"200": _json(schema, description), **(ERRORS if with_id else LIST_ERRORS)},
    }
    if with_id:
        operation["parameters"] = [ID_PARAMETER]
    operation.update(extra)
    return {"get": operation}


@cache
def openapi_document() -> dict[str, Any]:
    """The API description; report bodies use the same JSON Schema as the .json export."""
    # Embedded under components, the export schema's own "#/$defs/..." pointers are
    # re-rooted so any OpenAPI tool resolves them inside this one document.
    text = SCHEMA_PATH.read_text(encoding="utf-8").replace(
        '"#/$defs/', '"#/components/schemas/ReportExport/$defs/'
    )
    report_schema = json.loads(text)
    report_schema.pop("$id", None)
    report_schema.pop("$schema", None)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "voicebox API",
            "version": "1",
            "description": "Read-only. Signed-in users (the session cookie) or scripts holding a personal "
            "access token (Authorization: Bearer vbx_..., made on the account page). Every breakdown by "
            "group is suppressed below the instance's small-group threshold: null means hidden.",
        },
        "security": [{"session": []}, {"token": []}],
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "paths": {
            "/api/v1/petitions": _get(
                "Opened petitions with their tallies",
                "PetitionList",
                "Petitions, most signed first",
                with_id=False,
            ),
            "/api/v1/concerns": _get(
                "Concerns: public fields only", "ConcernList", "Concerns, most supported first", with_id=False
            ),
            "/api/v1/concerns/{id}": _get(
                "One concern and leadership's answers", "ConcernDetail", "The concern"
            ),
            "/api/v1/responses": _get(
                "Leadership's newest official responses", "ResponseFeed", "Newest first", with_id=False
            ),
            "/api/v1/reports": _get("Published reports", "ReportList", "Newest first", with_id=False),
            "/api/v1/reports/{id}/versions": _get(
                "Every published version of a report", "VersionList", "Newest first"
            ),
            "/api/v1/petitions/{id}": {
                "get": {
                    "summary": "One petition: tally, daily series, suppressed group breakdown, responses",
                    "parameters": [ID_PARAMETER],
                    "responses": {"200": _json("PetitionDetail", "The petition"), **ERRORS},
                }
            },
            "/api/v1/reports/{id}": {
                "get": {
                    "summary": "A published report version (the latest unless ?version=N)",
                    "parameters": [
                        ID_PARAMETER,
                        {
                            "name": "version",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "integer", "minimum": 1, "maximum": 999_999_999},
                        },
                    ],
                    "responses": {
                        "200": _json("ReportExport", "The frozen snapshot and its digest"),
                        **ERRORS,
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "session"},
                "token": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A personal access token (vbx_...)",
                },
            },
            "schemas": {
                "Error": ERROR,
                "ConcernSummary": CONCERN_SUMMARY,
                "ConcernDetail": CONCERN_DETAIL,
                "ConcernList": _list_of("concerns", "ConcernSummary"),
                "FeedEntry": FEED_ENTRY,
                "ResponseFeed": _list_of("responses", "FeedEntry"),
                "ReportSummary": REPORT_SUMMARY,
                "ReportList": _list_of("reports", "ReportSummary"),
                "Version": VERSION,
                "VersionList": _list_of("versions", "Version"),
                "PetitionSummary": PETITION_SUMMARY,
                "PetitionList": _object(
                    {
                        "petitions": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/PetitionSummary"},
                        }
                    }
                ),
                "Response": RESPONSE,
                "Breakdown": BREAKDOWN,
                "PetitionDetail": PETITION_DETAIL,
                "ReportExport": report_schema,
            },
        },
    }
