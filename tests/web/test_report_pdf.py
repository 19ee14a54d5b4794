"""The PDF leadership forwards: all its content, readable in any script, no blank or black pages."""

from __future__ import annotations

import io
from datetime import timedelta

import pypdfium2
import pytest
from flask import url_for
from pypdf import PdfReader
from sqlalchemy import select

from voicebox.anonymity import coarse_date
from voicebox.extensions import db
from voicebox.models import Report, ReportVersion
from voicebox.reports import pdf as report_pdf
from voicebox.reports.views import EXPORTS
from voicebox.settings import instance_settings

NARRATIVE = """## Summary

Staff **spoke up** about *monitoring*; Zoë, Łukasz and 李 led the drive.

- **Heating** on floor 3
- Rota changes

See [the policy](https://example.org/policy)."""


def page_colour_shares(pdf_bytes: bytes) -> list[tuple[float, float]]:
    """Per page: (share of the most common non-white colour, share of all non-white pixels)."""
    shares = []
    document = pypdfium2.PdfDocument(pdf_bytes)
    try:
        for index in range(len(document)):
            image = document[index].render(scale=0.5).to_pil().convert("RGB")
            total = image.width * image.height
            colours = image.getcolors(maxcolors=total) or []
            inked = [(n, c) for n, c in colours if c != (255, 255, 255)]
            top = max((n for n, _ in inked), default=0)
            shares.append((top / total, sum(n for n, _ in inked) / total))
    finally:
        document.close()
    return shares


@pytest.fixture
def rich_report(
    client, organizer, leadership, make_petition, make_group, sign_many, make_concern, monkeypatch
):
    # Breakdowns cover complete weeks only: release as of next week, over a period that
    # includes this whole week.
    next_week = coarse_date() + timedelta(days=7)
    monkeypatch.setattr("voicebox.reports.tallies.release_day", lambda: next_week)
    settings = instance_settings()
    settings.headcount = 220
    db.session.commit()
    support, finance = make_group("Customer Support"), make_group("Finance")
    petition = make_petition(title="Switch off keystroke recording — Zoë & Łukasz")
    second = make_petition(title="李 asks for a four-day week", goal=40)
    sign_many(petition, 9, group=support)
    sign_many(petition, 2, group=finance)
    sign_many(second, 6)
    concern, _ = make_concern(title="Heating on floor 3")
    client.login(leadership)
    client.post(
        url_for("responses.respond_to_petition", petition_id=petition.id),
        data={"status": "in progress", "body": "We have paused screenshot capture."},
    )
    client.post(
        url_for("responses.respond_to_concern", concern_id=concern.id),
        data={"status": "acknowledged", "body": "Engineers visit on Monday."},
    )
    client.logout()
    client.login(organizer)
    today = coarse_date()
    client.post(
        url_for("reports.new"),
        data={
            "title": "Voice of staff: November",
            "period_start": (today - timedelta(days=30)).isoformat(),
            "period_end": next_week.isoformat(),
            "narrative": NARRATIVE,
            "petitions": [petition.id, second.id],
            "concerns": [concern.id],
        },
    )
    report = db.session.scalars(select(Report)).one()
    client.post(url_for("reports.publish", report_id=report.id), data={"expected_version": "0"})
    return report


def test_pdf_carries_every_kind_of_content_in_readable_unicode(client, rich_report):
    response = client.get(url_for("reports.detail", report_id=rich_report.id + ".pdf"))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    digest = db.session.scalars(select(ReportVersion.digest)).one()
    text = " ".join(text.split())
    for expected in (
        "Voice of staff: November",
        "Version 1",
        digest,
        "small-group rule",
        "Zoë",
        "Łukasz",
        "李",
        "Summary",
        "Heating",
        "the policy (https://example.org/policy)",
        "Customer Support",
        "hidden",  # Finance (2) and its complement
        "11 signatures of a goal of 100. That is 5.0% of all staff.",
        "We have paused screenshot capture.",
        "Engineers visit on Monday.",
        "acknowledged",
        f"Page 1 of {len(reader.pages)}",
        "Answered 2 of 3 items",
    ):
        assert expected in text, expected
    assert "##" not in text and "**" not in text and "[the policy]" not in text
    # Fonts are embedded (TrueType programs inside the file), not referenced by name.
    assert response.data.count(b"/FontFile2") >= 3


def test_no_pdf_page_is_blank_or_mostly_one_colour(client, rich_report):
    pdf_bytes = client.get(url_for("reports.detail", report_id=rich_report.id + ".pdf")).data
    shares = page_colour_shares(pdf_bytes)
    assert len(shares) >= 3
    for top, inked in shares:
        assert inked > 0.005  # something is printed on every page
        assert top < 0.10  # and no colour block (a black chart, a filled page) dominates it


def test_the_colour_check_catches_a_solid_block():
    """The negative: a page with the old black chart rectangle fails the measure."""
    from fpdf import FPDF

    broken = FPDF(format="A4")
    broken.add_page()
    broken.rect(15, 60, 180, 81, style="F")  # fpdf's default fill is black
    ((top, _inked),) = page_colour_shares(bytes(broken.output()))
    assert top >= 0.10


def test_missing_fonts_are_a_clear_refusal(client, rich_report, monkeypatch, tmp_path):
    monkeypatch.setattr(report_pdf, "CJK_FILE", tmp_path / "absent.ttf")
    response = client.get(url_for("reports.detail", report_id=rich_report.id + ".pdf"))
    assert response.status_code == 503  # a clear refusal, not a PDF of "?" marks
    assert "fonts-droid-fallback" in response.get_data(as_text=True)


def test_the_pdf_follows_the_page_language_but_the_report_does_not_change(client, rich_report):
    english = {
        fmt: client.get(url_for("reports.detail", report_id=f"{rich_report.id}.{fmt}")) for fmt in EXPORTS
    }
    client.set_cookie("voicebox_lang", "de")
    german = {
        fmt: client.get(url_for("reports.detail", report_id=f"{rich_report.id}.{fmt}")) for fmt in EXPORTS
    }
    # The digest, the CSV and the JSON are the report itself: the same in every language.
    for fmt in EXPORTS:
        assert german[fmt].status_code == 200
        assert german[fmt].headers["X-Report-Digest"] == english[fmt].headers["X-Report-Digest"]
    assert german["csv"].data == english["csv"].data
    assert german["json"].data == english["json"].data
    text = " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(german["pdf"].data)).pages).split()
    )
    digest = db.session.scalars(select(ReportVersion.digest)).one()
    assert digest in text and "Voice of staff: November" in text
    if german_catalogue_has("Staff voice report"):
        assert "Unterschriften" in text and "Seite 1 von" in text
        assert "signatures of a goal of" not in text


def german_catalogue_has(message: str) -> bool:
    from babel.support import Translations

    from voicebox.i18n import TRANSLATIONS

    catalogue = Translations.load(str(TRANSLATIONS), ["de"])
    return catalogue.gettext(message) != message
