"""The report as a PDF an executive would forward (fpdf2, fonts embedded, no Flask).

Cover (title, period, version, digest, the small-group rule, headline figures), the
organizers' narrative rendered from Markdown, a chart drawn natively (colours, axis
labels, y from 0, through the last day covered), every petition with its figures,
suppressed breakdown and answers, concerns by category and status, and page numbers.

Text is set in DejaVu Sans (Debian's fonts-dejavu-core and fonts-dejavu-extra) with Droid
Sans Fallback (fonts-droid-fallback) for Chinese, Japanese and Korean, all embedded. The
built-in PDF fonts carry Latin-1 only, so without these files a PDF is refused rather
than printed with "?" for every Łukasz and 李.
"""

from __future__ import annotations

import html
import re
from datetime import date
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.fonts import FontFace, TextStyle

from voicebox.charts import INK, MUTED, build_model, day_label
from voicebox.reports.exports import chart_series, chart_span
from voicebox.text import render_markdown

FONT_DIR = Path("/usr/share/fonts/truetype")
FONT_FILES = {
    "": FONT_DIR / "dejavu/DejaVuSans.ttf",
    "B": FONT_DIR / "dejavu/DejaVuSans-Bold.ttf",
    "I": FONT_DIR / "dejavu/DejaVuSans-Oblique.ttf",
    "BI": FONT_DIR / "dejavu/DejaVuSans-BoldOblique.ttf",
}
MONO_FILE = FONT_DIR / "dejavu/DejaVuSansMono.ttf"
CJK_FILE = FONT_DIR / "droid/DroidSansFallbackFull.ttf"
FONT_PACKAGES = "fonts-dejavu-core fonts-dejavu-extra fonts-droid-fallback"
ACCENT = (31, 95, 191)
LINE = (217, 220, 227)
TINT = (238, 243, 252)
HEADINGS = FontFace(emphasis="BOLD", fill_color=TINT)


class PdfFontsMissing(RuntimeError):
    """The Unicode fonts the PDF embeds are not installed."""


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def long_date(iso: str) -> str:
    day = date.fromisoformat(iso)
    return f"{day_label(day)} {day.year}"


class ReportPDF(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(format="A4")
        missing = [str(p) for p in (*FONT_FILES.values(), MONO_FILE, CJK_FILE) if not p.exists()]
        if missing:
            raise PdfFontsMissing(
                f"PDF fonts are missing ({', '.join(missing)}): install the Debian packages {FONT_PACKAGES}."
            )
        for style, path in FONT_FILES.items():
            self.add_font("Body", style, str(path))
        self.add_font("Mono", "", str(MONO_FILE))
        self.add_font("CJK", "", str(CJK_FILE))
        self.set_fallback_fonts(["CJK"], exact_match=False)
        self.footer_text = footer_text
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(18, 18, 18)

    def footer(self) -> None:
        self.set_y(-12)
        self.use("", 8)
        self.set_text_color(*_rgb(MUTED))
        self.cell(0, 5, self.footer_text, align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="R")
        self.set_text_color(*_rgb(INK))

    def use(self, style: str = "", size: float = 10.5) -> None:
        self.set_font("Body", style, size)

    def para(self, text: str, size: float = 10.5, style: str = "", height: float = 5.4) -> None:
        self.use(style, size)
        self.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")

    def heading(self, text: str, size: float = 15) -> None:
        if self.get_y() > self.h - 60:
            self.add_page()
        self.ln(3)
        self.use("B", size)
        self.set_text_color(*ACCENT)
        self.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(*_rgb(INK))
        self.ln(1)


def markdown_to_pdf_html(source: str) -> str:
    """The narrative as the small HTML subset fpdf2 draws; links become "text (address)"."""
    rendered = str(render_markdown(source))

    def link(match: re.Match[str]) -> str:
        href, text = html.unescape(match.group(1)), match.group(2)
        plain = html.unescape(re.sub(r"<[^>]+>", "", text))
        return text if plain == href else f"{text} ({html.escape(href)})"

    rendered = re.sub(r'<a [^>]*href="([^"]*)"[^>]*>(.*?)</a>', link, rendered, flags=re.S)
    rendered = re.sub(r"</?(?:table|thead|tbody|tr|th|td|abbr)[^>]*>", " ", rendered)
    return rendered


def _cover(pdf: ReportPDF, snapshot: dict[str, Any], digest: str) -> None:
    pdf.add_page()
    pdf.set_fill_color(*ACCENT)
    pdf.rect(0, 0, pdf.w, 24, style="F")
    pdf.set_xy(18, 8)
    pdf.set_text_color(255, 255, 255)
    pdf.use("B", 12)
    pdf.cell(0, 8, "Staff voice report")
    pdf.set_text_color(*_rgb(INK))
    pdf.set_y(40)
    pdf.para(snapshot["title"], size=24, style="B", height=11)
    pdf.ln(2)
    period = snapshot["period"]
    pdf.para(f"Period: {long_date(period['start'])} to {long_date(period['end'])}", size=12)
    pdf.para(f"Version {snapshot['version']}, published {long_date(snapshot['published_on'])}", size=12)
    pdf.ln(6)
    petitions, concerns = snapshot["petitions"], snapshot["concerns"]
    summary = snapshot["response_summary"]
    rate = summary["response_rate_percent"]
    figures = [
        (f"{len(petitions):,}", "petitions"),
        (f"{sum(p['signatures'] for p in petitions):,}", "signatures"),
        (f"{len(concerns):,}", "concerns"),
        (f"{rate:g}%" if rate is not None else "–", "answered by leadership"),
    ]
    width = (pdf.w - 36 - 9) / 4
    top = pdf.get_y()
    for i, (value, label) in enumerate(figures):
        x = 18 + i * (width + 3)
        pdf.set_fill_color(*TINT)
        pdf.rect(x, top, width, 24, style="F")
        pdf.set_xy(x + 3, top + 3)
        pdf.use("B", 17)
        pdf.cell(width - 6, 9, value)
        pdf.set_xy(x + 3, top + 13)
        pdf.use("", 8.5)
        pdf.multi_cell(width - 6, 4, label, align="L")
    pdf.set_y(top + 32)
    k = snapshot["suppression_threshold"]
    pdf.para(
        f"The small-group rule: in a breakdown by department, site or week, a count below {k} is shown "
        'as "hidden", and so is a second count wherever the small one could be worked out from a total '
        "(which of the two is never said). Nothing in this report names or identifies who signed or "
        "wrote anything.",
        size=10,
    )
    pdf.ln(4)
    pdf.para("SHA-256 digest of this version (it matches the page, CSV and JSON exports):", size=9)
    pdf.set_font("Mono", "", 8.5)
    pdf.multi_cell(0, 4.5, digest, new_x="LMARGIN", new_y="NEXT")


def _chart(pdf: ReportPDF, snapshot: dict[str, Any], labels: list[str]) -> None:
    start, until = chart_span(snapshot)
    model = build_model(chart_series(snapshot, labels), start=start, until=until)
    left, top, height = pdf.l_margin + 14, pdf.get_y() + 4, 70
    width = pdf.w - pdf.l_margin - pdf.r_margin - 16
    if top + height + 30 > pdf.h - 18:
        pdf.add_page()
        top = pdf.get_y() + 4
    pdf.use("", 8)
    pdf.set_text_color(*_rgb(MUTED))

    def x_at(index: int) -> float:
        return left + width * index / max(len(model.days) - 1, 1)

    def y_at(value: float) -> float:
        return top + height - height * value / model.y_max

    pdf.set_line_width(0.2)
    for tick in model.y_ticks:
        pdf.set_draw_color(*(LINE if tick else _rgb(MUTED)))
        pdf.line(left, y_at(tick), left + width, y_at(tick))
        pdf.set_xy(left - 15, y_at(tick) - 2)
        pdf.cell(13, 4, f"{tick:,}", align="R")
    for index in model.x_ticks(6):
        pdf.set_xy(x_at(index) - 12, top + height + 1.5)
        pdf.cell(24, 4, day_label(model.days[index]), align="C")
    pdf.set_line_width(0.8)
    for line in model.lines:
        pdf.set_draw_color(*_rgb(line.colour))
        points = [(x_at(i), y_at(v)) for i, v in enumerate(line.running)]
        if len(points) == 1:
            points.append((points[0][0] + 0.5, points[0][1]))
        pdf.polyline(points)
    pdf.set_y(top + height + 8)
    pdf.set_text_color(*_rgb(INK))
    for label, line, petition in zip(labels, model.lines, snapshot["petitions"], strict=True):
        pdf.set_fill_color(*_rgb(line.colour))
        pdf.rect(pdf.l_margin, pdf.get_y() + 1, 4, 3, style="F")
        pdf.set_x(pdf.l_margin + 6)
        pdf.use("", 9)
        pdf.multi_cell(0, 5, f"{label}. {petition['title']}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_line_width(0.2)


def _answers(pdf: ReportPDF, item: dict[str, Any]) -> None:
    if item["days_to_first_response"] is not None:
        days = item["days_to_first_response"]
        pdf.para(f"First answered after {days} day{'' if days == 1 else 's'}.", size=9.5)
    elif item["days_waiting"] is not None:
        days = item["days_waiting"]
        pdf.para(f"Waiting for an answer for {days} day{'' if days == 1 else 's'}.", size=9.5)
    for response in item["responses"]:
        pdf.para(
            f"Leadership, {long_date(response['responded_on'])} ({response['status']}):", size=9.5, style="B"
        )
        pdf.para(response["text"], size=9.5)


def _breakdown(pdf: ReportPDF, petition: dict[str, Any]) -> None:
    if not petition["groups"]:
        return
    pdf.ln(1)
    pdf.use("", 9.5)
    pdf.set_fill_color(255, 255, 255)
    with pdf.table(
        col_widths=(3, 1),
        text_align=("LEFT", "RIGHT"),
        headings_style=HEADINGS,
        line_height=5.5,
        borders_layout="HORIZONTAL_LINES",
    ) as table:
        table.row(("Signatures in the period by group", "Signatures"))
        for cell in petition["groups"]:
            table.row((cell["group"], "hidden" if cell["signatures"] is None else f"{cell['signatures']:,}"))
    pdf.ln(1)


def _petitions(pdf: ReportPDF, snapshot: dict[str, Any]) -> None:
    petitions = snapshot["petitions"]
    if not petitions:
        return
    labels = [f"P{i}" for i in range(1, len(petitions) + 1)]
    pdf.add_page()
    pdf.heading("Petitions")
    pdf.para("Running total of signatures in the period, from 0, one line per petition.", size=9.5)
    _chart(pdf, snapshot, labels)
    for label, petition in zip(labels, petitions, strict=True):
        pdf.heading(f"{label}. {petition['title']}", size=12.5)
        share = (
            f" That is {petition['headcount_percent']}% of all staff."
            if petition["headcount_percent"] is not None
            else ""
        )
        pdf.para(
            f"{petition['signatures']:,} signatures of a goal of {petition['goal']:,}.{share} "
            f"{petition['signatures_in_period']:,} signed in the period. Status: {petition['status']}"
            + (f", open since {long_date(petition['opened_on'])}." if petition["opened_on"] else "."),
        )
        _breakdown(pdf, petition)
        _answers(pdf, petition)
        for comment in petition.get("comments", []):
            pdf.para(f"“{comment}”", size=9.5, style="I")


def _concerns(pdf: ReportPDF, snapshot: dict[str, Any]) -> None:
    concerns = snapshot["concerns"]
    if not concerns:
        return
    pdf.heading("Concerns")
    pdf.use("", 9.5)
    pdf.set_fill_color(255, 255, 255)
    with pdf.table(
        col_widths=(3, 2, 1),
        text_align=("LEFT", "LEFT", "RIGHT"),
        headings_style=HEADINGS,
        line_height=5.5,
        borders_layout="HORIZONTAL_LINES",
    ) as table:
        table.row(("Category", "Status", "Concerns"))
        for row in snapshot["concerns_by_category"]:
            table.row((row["category"], row["status"], f"{row['concerns']:,}"))
    pdf.ln(2)
    for concern in concerns:
        pdf.para(concern["title"], size=11, style="B")
        pdf.para(
            f"{concern['category'] or 'Uncategorized'} · {concern['status']} · "
            f"{concern['supports']:,} support{'' if concern['supports'] == 1 else 's'}",
            size=9.5,
        )
        _answers(pdf, concern)
        pdf.ln(1.5)


def to_pdf(snapshot: dict[str, Any], digest: str) -> bytes:
    """The report as PDF bytes; raises PdfFontsMissing when its fonts aren't installed."""
    pdf = ReportPDF(f"{snapshot['title']} · version {snapshot['version']} · {digest[:12]}")
    pdf.set_title(snapshot["title"])
    pdf.set_creator("voicebox")
    _cover(pdf, snapshot, digest)
    if snapshot["narrative"].strip():
        pdf.add_page()
        pdf.heading("From the organizers")
        pdf.use("", 10.5)
        pdf.write_html(
            markdown_to_pdf_html(snapshot["narrative"]),
            font_family="Body",
            li_prefix_color=ACCENT,
            tag_styles={
                "h2": TextStyle(font_family="Body", font_style="B", font_size_pt=14, color=ACCENT),
                "h3": TextStyle(font_family="Body", font_style="B", font_size_pt=12, color=ACCENT),
                "h4": TextStyle(font_family="Body", font_style="B", font_size_pt=11),
            },
            warn_on_tags_not_matching=False,
        )
    _petitions(pdf, snapshot)
    _concerns(pdf, snapshot)
    summary = snapshot["response_summary"]
    pdf.heading("Responses from leadership")
    rate, median = summary["response_rate_percent"], summary["median_days_to_first_response"]
    pdf.para(
        f"Answered {summary['answered']} of {summary['items']} items"
        + (f" ({rate}%)" if rate is not None else "")
        + (f"; a median of {median:g} days to a first answer." if median is not None else ".")
    )
    return bytes(pdf.output())
