"""Report exports: JSON (report.schema.json) and tidy CSV (CSV_LAYOUT.md); the PDF is pdf.py.

Every export renders the frozen snapshot and carries its SHA-256 digest; the suppressed
cells are already None in the snapshot, so no export can show more than the page.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

CSV_COLUMNS = (
    "report_id",
    "version",
    "digest",
    "item_kind",
    "item_id",
    "item_title",
    "status",
    "measure",
    "group",
    "period",
    "value",
    "note",
)
SCHEMA_PATH = Path(__file__).with_name("report.schema.json")


def export_document(snapshot: dict[str, Any], digest: str) -> dict[str, Any]:
    """The JSON export and API body: the snapshot with its digest beside it."""
    return {"digest": digest, "digest_algorithm": "sha256", "report": snapshot}


def to_json(snapshot: dict[str, Any], digest: str) -> bytes:
    """The JSON export, described by report.schema.json."""
    return json.dumps(export_document(snapshot, digest), ensure_ascii=False, indent=2).encode("utf-8")


# OWASP's CSV injection rule: a cell a spreadsheet would read as a formula starts with one
# of these; a leading apostrophe makes it text. Plain numbers (net signatures can be
# negative) are data, not formulas, and stay as they are.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def csv_safe(value: object) -> object:
    """A cell that no spreadsheet will evaluate as a formula."""
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS) or PLAIN_NUMBER.fullmatch(value):
        return value
    return "'" + value


def _suppressed(value: float | None, threshold: int) -> tuple[str, str]:
    return ("", f"fewer than {threshold}") if value is None else (str(value), "")


def to_csv(snapshot: dict[str, Any], digest: str) -> str:
    """One tidy table: a row per (item, measure, group, period) value; see CSV_LAYOUT.md."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    k = snapshot["suppression_threshold"]
    base = (snapshot["report_id"], snapshot["version"], digest)

    def row(
        kind: str,
        item: dict[str, Any] | None,
        measure: str,
        value: float | None,
        group: str = "",
        period: str = "",
        suppressible: bool = False,
    ) -> None:
        shown, note = _suppressed(value, k) if suppressible else ("" if value is None else str(value), "")
        title = item["title"] if item else snapshot["title"]
        status = item.get("status", "") if item else ""
        item_id = item["id"] if item else ""
        cells = (*base, kind, item_id, title, status, measure, group, period, shown, note)
        writer.writerow([csv_safe(cell) for cell in cells])

    for petition in snapshot["petitions"]:
        row("petition", petition, "signatures", petition["signatures"])
        row("petition", petition, "signatures_in_period", petition["signatures_in_period"])
        row("petition", petition, "goal", petition["goal"])
        row("petition", petition, "days_to_first_response", petition["days_to_first_response"])
        for point in petition["daily"]:
            row("petition", petition, "signatures_on_day", point["signatures"], period=point["day"])
        for cell in petition["groups"]:
            row(
                "petition",
                petition,
                "signatures_by_group",
                cell["signatures"],
                group=cell["group"],
                suppressible=True,
            )
        weeks = petition["groups_by_week"]["weeks"]
        for line in petition["groups_by_week"]["rows"]:
            for week, value in zip(weeks, line["signatures"], strict=True):
                row(
                    "petition",
                    petition,
                    "signatures_by_group_week",
                    value,
                    group=line["group"],
                    period=week,
                    suppressible=True,
                )
    for concern in snapshot["concerns"]:
        row("concern", concern, "supports", concern["supports"], group=concern["category"] or "")
        row("concern", concern, "days_to_first_response", concern["days_to_first_response"])
    summary = snapshot["response_summary"]
    for measure in ("items", "answered", "response_rate_percent", "median_days_to_first_response"):
        row("report", None, measure, summary[measure])
    return out.getvalue()


def chart_span(snapshot: dict[str, Any]) -> tuple[date, date]:
    """The days a report's chart covers: its period, cut at the day it was published."""
    start = date.fromisoformat(snapshot["period"]["start"])
    end = min(date.fromisoformat(snapshot["period"]["end"]), date.fromisoformat(snapshot["published_on"]))
    return start, max(start, end)


def chart_series(snapshot: dict[str, Any], labels: list[str]) -> list[tuple[str, list[tuple[date, int]]]]:
    """Each petition's daily series from a snapshot, under the given labels, for the charts."""
    return [
        (label, [(date.fromisoformat(d["day"]), d["signatures"]) for d in petition["daily"]])
        for label, petition in zip(labels, snapshot["petitions"], strict=True)
    ]
