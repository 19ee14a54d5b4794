"""The report as a PDF an executive would forward (fpdf2, fonts embedded, no Flask).

Cover (title, period, version, digest, the small-group rule, headline figures), the
organizers' narrative rendered from Markdown, a chart drawn natively (colours, axis
labels, y from 0, through the last day covered), every petition with its figures,
suppressed breakdown and answers, concerns by category and status, and page numbers.

Text is set in DejaVu Sans (Debian's fonts-dejavu-core and fonts-dejavu-extra) with Droid
Sans Fallback (fonts-droid-fallback) for Chinese, Japanese and Korean, all embedded. The
built-in PDF fonts carry Latin-1 only, so without these files a PDF is refused rather
than printed with "?" for every Łukasz and 李.

Its words come in the reader's language through a `PdfLanguage` the caller builds (this
module stays free of Flask); the snapshot, its canonical JSON and digest never change with it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.fonts import FontFace, TextStyle

from voicebox.charts import INK, MUTED, ChartText, build_model, day_label, grouped
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


def _same(message: str) -> str:
    return message


def _plural(singular: str, plural: str, num: int) -> str:
    return singular if num == 1 else plural


@dataclass(frozen=True)
class PdfLanguage:
    """The reader's language for the PDF's own words; English unless the caller says otherwise.

    `gettext`/`ngettext` return the message (placeholders unfilled), `label` names a stored
    value (a status, "Not stated", "Uncategorized"), `number` writes a count, `date` an ISO day.
    """

    gettext: Callable[[str], str] = _same
    ngettext: Callable[[str, str, int], str] = _plural
    label: Callable[[str], str] = _same
    number: Callable[[int], str] = grouped
    date: Callable[[str], str] | None = None
    chart: ChartText = field(default_factory=ChartText)
    fraction: Callable[[float], str] | None = None

    def decimal(self, value: float, english: str) -> str:
        """A share or rate such as 66.7 in the reader's style; `english` is how English writes it."""
        return self.fraction(value) if self.fraction is not None else english

    def day(self, iso: str) -> str:
        return self.date(iso) if self.date is not None else long_date(iso)


ENGLISH = PdfLanguage()


def long_date(iso: str) -> str:
    day = date.fromisoformat(iso)
    return f"{day_label(day)} {day.year}"


class ReportPDF(FPDF):
    def __init__(self, footer_text: str, lang: PdfLanguage = ENGLISH) -> None:
        super().__init__(format="A4")
        self.wording = lang
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
        _ = self.wording.gettext
        self.cell(
            0, 5, _("Page %(page)s of %(pages)s") % {"page": self.page_no(), "pages": "{nb}"}, align="R"
        )
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
    lang = pdf.wording
    _, number = lang.gettext, lang.number
    pdf.add_page()
    pdf.set_fill_color(*ACCENT)
    pdf.rect(0, 0, pdf.w, 24, style="F")
    pdf.set_xy(18, 8)
    pdf.set_text_color(255, 255, 255)
    pdf.use("B", 12)
    pdf.cell(0, 8, _("Staff voice report"))
    pdf.set_text_color(*_rgb(INK))
    pdf.set_y(40)
    pdf.para(snapshot["title"], size=24, style="B", height=11)
    pdf.ln(2)
    period = snapshot["period"]
    pdf.para(
        _("Period: %(start)s to %(end)s")
        % {"start": lang.day(period["start"]), "end": lang.day(period["end"])},
        size=12,
    )
    pdf.para(
        _("Version %(version)s, published %(day)s")
        % {"version": snapshot["version"], "day": lang.day(snapshot["published_on"])},
        size=12,
    )
    pdf.ln(6)
    petitions, concerns = snapshot["petitions"], snapshot["concerns"]
    summary = snapshot["response_summary"]
    rate = summary["response_rate_percent"]
    figures = [
        (number(len(petitions)), _("petitions")),
        (number(sum(p["signatures"] for p in petitions)), _("signatures")),
        (number(len(concerns)), _("concerns")),
        (
            _("%(rate)s%%") % {"rate": lang.decimal(rate, f"{rate:g}")} if rate is not None else "–",
            _("answered by leadership"),
        ),
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
        _(
            "The small-group rule: in a breakdown by department, site or week, a count below %(k)s is shown "
            'as "hidden", and so is a second count wherever the small one could be worked out from a total '
            "(which of the two is never said). Nothing in this report names or identifies who signed or "
            "wrote anything."
        )
        % {"k": k},
        size=10,
    )
    pdf.ln(4)
    pdf.para(_("SHA-256 digest of this version (it matches the page, CSV and JSON exports):"), size=9)
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
        pdf.cell(13, 4, pdf.wording.number(tick), align="R")
    for index in model.x_ticks(6):
        pdf.set_xy(x_at(index) - 12, top + height + 1.5)
        pdf.cell(24, 4, day_label(model.days[index], pdf.wording.chart.months), align="C")
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
    lang = pdf.wording
    _, ngettext = lang.gettext, lang.ngettext
    if item["days_to_first_response"] is not None:
        days = item["days_to_first_response"]
        text = ngettext("First answered after %(num)s day.", "First answered after %(num)s days.", days)
        pdf.para(text % {"num": days}, size=9.5)
    elif item["days_waiting"] is not None:
        days = item["days_waiting"]
        text = ngettext(
            "Waiting for an answer for %(num)s day.", "Waiting for an answer for %(num)s days.", days
        )
        pdf.para(text % {"num": days}, size=9.5)
    for response in item["responses"]:
        pdf.para(
            _("Leadership, %(day)s (%(status)s):")
            % {"day": lang.day(response["responded_on"]), "status": lang.label(response["status"])},
            size=9.5,
            style="B",
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
        _, lang = pdf.wording.gettext, pdf.wording
        table.row((_("Signatures in the period by group"), _("Signatures")))
        for cell in petition["groups"]:
            count = _("hidden") if cell["signatures"] is None else lang.number(cell["signatures"])
            table.row((lang.label(cell["group"]), count))
    pdf.ln(1)


def _petitions(pdf: ReportPDF, snapshot: dict[str, Any]) -> None:
    petitions = snapshot["petitions"]
    if not petitions:
        return
    lang = pdf.wording
    _, number = lang.gettext, lang.number
    labels = [f"P{i}" for i in range(1, len(petitions) + 1)]
    pdf.add_page()
    pdf.heading(_("Petitions"))
    pdf.para(_("Running total of signatures in the period, from 0, one line per petition."), size=9.5)
    _chart(pdf, snapshot, labels)
    for label, petition in zip(labels, petitions, strict=True):
        pdf.heading(f"{label}. {petition['title']}", size=12.5)
        parts = [
            _("%(count)s signatures of a goal of %(goal)s.")
            % {"count": number(petition["signatures"]), "goal": number(petition["goal"])}
        ]
        if petition["headcount_percent"] is not None:
            parts.append(
                _(" That is %(share)s%% of all staff.")
                % {"share": lang.decimal(petition["headcount_percent"], str(petition["headcount_percent"]))}
            )
        parts.append(" ")
        parts.append(
            _("%(count)s signed in the period.") % {"count": number(petition["signatures_in_period"])}
        )
        status = lang.label(petition["status"])
        if petition["opened_on"]:
            parts.append(
                _(" Status: %(status)s, open since %(day)s.")
                % {"status": status, "day": lang.day(petition["opened_on"])}
            )
        else:
            parts.append(_(" Status: %(status)s.") % {"status": status})
        pdf.para("".join(parts))
        _breakdown(pdf, petition)
        _answers(pdf, petition)
        for comment in petition.get("comments", []):
            pdf.para(f"“{comment}”", size=9.5, style="I")


def _concerns(pdf: ReportPDF, snapshot: dict[str, Any]) -> None:
    concerns = snapshot["concerns"]
    if not concerns:
        return
    lang = pdf.wording
    _, ngettext = lang.gettext, lang.ngettext
    pdf.heading(_("Concerns"))
    pdf.use("", 9.5)
    pdf.set_fill_color(255, 255, 255)
    with pdf.table(
        col_widths=(3, 2, 1),
        text_align=("LEFT", "LEFT", "RIGHT"),
        headings_style=HEADINGS,
        line_height=5.5,
        borders_layout="HORIZONTAL_LINES",
    ) as table:
        table.row((_("Category"), _("Status"), _("Concerns")))
        for row in snapshot["concerns_by_category"]:
            table.row((lang.label(row["category"]), lang.label(row["status"]), lang.number(row["concerns"])))
    pdf.ln(2)
    for concern in concerns:
        pdf.para(lang.label(concern["title"]), size=11, style="B")
        supports = ngettext("%(num)s support", "%(num)s supports", concern["supports"]) % {
            "num": lang.number(concern["supports"])
        }
        category = lang.label(concern["category"] or "Uncategorized")
        pdf.para(f"{category} · {lang.label(concern['status'])} · {supports}", size=9.5)
        _answers(pdf, concern)
        pdf.ln(1.5)


def to_pdf(snapshot: dict[str, Any], digest: str, lang: PdfLanguage = ENGLISH) -> bytes:
    """The report as PDF bytes in `lang`; raises PdfFontsMissing when its fonts aren't installed."""
    _ = lang.gettext
    version = _("version %(version)s") % {"version": snapshot["version"]}
    pdf = ReportPDF(f"{snapshot['title']} · {version} · {digest[:12]}", lang)
    pdf.set_title(snapshot["title"])
    pdf.set_creator("voicebox")
    _cover(pdf, snapshot, digest)
    if snapshot["narrative"].strip():
        pdf.add_page()
        pdf.heading(_("From the organizers"))
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
    pdf.heading(_("Responses from leadership"))
    rate, median = summary["response_rate_percent"], summary["median_days_to_first_response"]
    text = _("Answered %(answered)s of %(items)s items") % {
        "answered": summary["answered"],
        "items": summary["items"],
    }
    if rate is not None:
        text += _(" (%(rate)s%%)") % {"rate": lang.decimal(rate, str(rate))}
    if median is not None:
        text += _("; a median of %(days)s days to a first answer.") % {"days": f"{median:g}"}
    else:
        text += "."
    pdf.para(text)
    return bytes(pdf.output())
