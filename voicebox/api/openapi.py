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
ERROR = _object({"error": {"type": "string"}})


def _json(schema_name: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}},
    }


ERRORS = {"401": _json("Error", "Not signed in"), "404": _json("Error", "No such item, or not published")}
ID_PARAMETER = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}


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
            "description": "Read-only. Signed-in users only (the session cookie). Every breakdown by group "
            "is suppressed below the instance's small-group threshold: null means 'fewer than k'.",
        },
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "paths": {
            "/api/v1/petitions": {
                "get": {
                    "summary": "Opened petitions with their tallies",
                    "responses": {"200": _json("PetitionList", "Petitions, most signed first"), **ERRORS},
                }
            },
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
                        {"name": "version", "in": "query", "required": False, "schema": {"type": "integer"}},
                    ],
                    "responses": {
                        "200": _json("ReportExport", "The frozen snapshot and its digest"),
                        **ERRORS,
                    },
                }
            },
        },
        "components": {
            "schemas": {
                "Error": ERROR,
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
            }
        },
    }
