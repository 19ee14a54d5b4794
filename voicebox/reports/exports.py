"""Report exports: JSON (report.schema.json), tidy CSV (CSV_LAYOUT.md) and PDF (fpdf2).

Every export renders the frozen snapshot and carries its SHA-256 digest; the suppressed
cells are already None in the snapshot, so no export can show more than the page.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
from datetime import date
from pathlib import Path
from typing import Any

from fpdf import FPDF

from voicebox.charts import timeline_svg
from voicebox.reports.tallies import fewer_than

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
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))

# fpdf2 logs every SVG element it skips (titles, descriptions); they carry nothing a PDF needs.
logging.getLogger("fpdf.svg").setLevel(logging.ERROR)


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


class _ReportPDF(FPDF):
    def __init__(self) -> None:
        super().__init__(format="A4")
        self.set_auto_page_break(auto=True, margin=15)
        self.unicode = False
        for folder in FONT_DIRS:
            regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
            if regular.exists() and bold.exists():
                self.add_font("Body", "", str(regular))
                self.add_font("Body", "B", str(bold))
                self.unicode = True
                break

    def use(self, style: str = "", size: int = 11) -> None:
        self.set_font("Body" if self.unicode else "Helvetica", style, size)

    def text_block(self, text: str, height: float = 6) -> None:
        if not self.unicode:
            # The built-in fonts are Latin-1 only; anything else becomes "?" rather than an error.
            text = text.encode("latin-1", "replace").decode("latin-1")
        self.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")


def to_pdf(snapshot: dict[str, Any], digest: str) -> bytes:
    """A printable PDF: title, digest, narrative, the timeline chart and every figure."""
    k = snapshot["suppression_threshold"]
    pdf = _ReportPDF()
    pdf.set_title(snapshot["title"])
    pdf.add_page()
    pdf.use("B", 18)
    pdf.text_block(snapshot["title"], 9)
    pdf.use("", 10)
    period = snapshot["period"]
    pdf.text_block(
        f"Version {snapshot['version']}, published {snapshot['published_on']}. "
        f"Period {period['start']} to {period['end']}."
    )
    pdf.text_block(f"SHA-256 digest: {digest}")
    pdf.text_block(f"Counts below {k} in any breakdown are shown as 'fewer than {k}'.")
    if snapshot["narrative"].strip():
        pdf.ln(3)
        pdf.use("", 11)
        pdf.text_block(snapshot["narrative"])
    petitions = snapshot["petitions"]
    if petitions:
        series = chart_series(snapshot, [f"P{i}" for i in range(1, len(petitions) + 1)])
        pdf.ln(3)
        pdf.image(io.BytesIO(timeline_svg("Signatures in the period", series, ascii_only=True)), w=180)
    for i, petition in enumerate(petitions, 1):
        pdf.ln(2)
        pdf.use("B", 12)
        pdf.text_block(f"P{i}. {petition['title']}")
        pdf.use("", 10)
        share = (
            f", {petition['headcount_percent']}% of staff"
            if petition["headcount_percent"] is not None
            else ""
        )
        pdf.text_block(
            f"{petition['signatures']:,} signatures (goal {petition['goal']:,}{share}); "
            f"{petition['signatures_in_period']:,} in the period. Status: {petition['status']}."
        )
        if petition["groups"]:
            cells = "; ".join(f"{c['group']}: {fewer_than(c['signatures'], k)}" for c in petition["groups"])
            pdf.text_block(f"By group: {cells}")
        _responses(pdf, petition)
    if snapshot["concerns"]:
        pdf.ln(2)
        pdf.use("B", 12)
        pdf.text_block("Concerns")
        pdf.use("", 10)
        for concern in snapshot["concerns"]:
            pdf.text_block(
                f"- {concern['title']} ({concern['category'] or 'Uncategorized'}, {concern['status']}): "
                f"{concern['supports']:,} supports"
            )
            _responses(pdf, concern)
    summary = snapshot["response_summary"]
    pdf.ln(2)
    rate = summary["response_rate_percent"]
    median = summary["median_days_to_first_response"]
    pdf.text_block(
        f"Answered {summary['answered']} of {summary['items']} items"
        + (f" ({rate}%)" if rate is not None else "")
        + (f"; median {median} days to a first response." if median is not None else ".")
    )
    return bytes(pdf.output())


def chart_series(snapshot: dict[str, Any], labels: list[str]) -> list[tuple[str, list[tuple[date, int]]]]:
    """Each petition's daily series from a snapshot, under the given labels, for `timeline_svg`."""
    return [
        (label, [(date.fromisoformat(d["day"]), d["signatures"]) for d in petition["daily"]])
        for label, petition in zip(labels, snapshot["petitions"], strict=True)
    ]


def _responses(pdf: _ReportPDF, item: dict[str, Any]) -> None:
    if item["days_to_first_response"] is not None:
        pdf.text_block(f"First answered after {item['days_to_first_response']} days.")
    elif item["days_waiting"] is not None:
        pdf.text_block(f"Waiting for an answer for {item['days_waiting']} days.")
    for response in item["responses"]:
        pdf.text_block(f"Leadership, {response['responded_on']} ({response['status']}): {response['text']}")
