"""An organizer publishes a report and downloads its PDF; leadership answers a petition."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.web.test_report_pdf import page_colour_shares
from voicebox.demo import OPEN_PETITION, PUBLISHED_REPORT, REPLIED_CONCERN

pytestmark = pytest.mark.browser

RETENTION_PETITION = "Publish the retention policy for monitoring data"
# One of each per device, so both runs find their own on a shared server.
REPORT_TITLES = {"desktop": "Staff voice this month", "phone": "Staff voice: month-end update"}
RESPONSES = {
    "desktop": "We will publish the retention schedule for monitoring data this month.",
    "phone": "The retention schedule is now on the intranet; recordings are kept for 30 days.",
}


def test_organizer_composes_previews_publishes_and_downloads_a_report(visit):
    organizer, page = visit, visit.page
    organizer.sign_in(organizer.server.accounts["organizer"])
    organizer.follow_nav("Reports")
    expect(page.get_by_role("link", name=PUBLISHED_REPORT)).to_be_visible()
    organizer.check("reports")

    page.get_by_role("link", name="Compose a report").click()
    organizer.check("report-compose")
    title = REPORT_TITLES[organizer.device]
    page.get_by_label("Title").fill(title)
    page.get_by_label("Period starts on").fill((date.today() - timedelta(days=30)).isoformat())
    page.get_by_label("Period ends on").fill(date.today().isoformat())
    page.get_by_label(OPEN_PETITION).check()
    page.get_by_label(REPLIED_CONCERN).check()
    page.get_by_label("Narrative", exact=False).fill("Monitoring is the **main** theme this month.")
    page.get_by_role("button", name="Save and preview").click()
    publish = page.get_by_role("button", name="Publish version 1")
    expect(publish).to_be_visible()
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    organizer.check("report-preview")

    publish.click()
    expect(page.get_by_text("Published as version 1.")).to_be_visible()
    organizer.check("report-published")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="PDF").click()
    pdf = download_info.value
    assert pdf.suggested_filename.endswith(".pdf")
    data = pdf.path().read_bytes()
    assert data.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert title in text
    assert OPEN_PETITION in text
    assert "Page 1 of" in text and "**" not in text
    for top, inked in page_colour_shares(data):
        assert inked > 0.005 and top < 0.10  # no blank page, no solid block

    # Editing keeps every selection: the form comes back ticked and republishes untouched.
    page.get_by_role("link", name="Edit").click()
    chosen = page.locator("fieldset").filter(has_text="Petitions to include")
    expect(chosen.get_by_label(OPEN_PETITION)).to_be_checked()
    expect(
        page.locator("fieldset").filter(has_text="Concerns to include").get_by_label(REPLIED_CONCERN)
    ).to_be_checked()
    quotable = page.locator("fieldset").filter(has_text="Signing comments to quote").get_by_role("checkbox")
    expect(quotable.first).to_be_visible()
    quoted = quotable.first.get_attribute("value")
    quotable.first.check()
    organizer.check("report-edit")
    page.get_by_role("button", name="Save and preview").click()
    page.get_by_role("link", name="Preview the next version").click()
    page.get_by_role("button", name="Publish version 2").click()
    expect(page.get_by_text("Published as version 2.")).to_be_visible()
    expect(page.locator(".report-item").first).to_contain_text(OPEN_PETITION)
    expect(page.locator(".report-item .comment-list li")).to_have_count(1)
    assert quoted


def test_leadership_lands_on_the_summary_responds_and_the_member_sees_it(visit, new_visit):
    leader, page = visit, visit.page
    leader.sign_in(leader.server.accounts["leadership"])
    expect(page.get_by_role("heading", name="Leadership summary")).to_be_visible()
    expect(page.get_by_role("heading", name="Awaiting your response", exact=False)).to_be_visible()
    expect(page.locator("#open-petitions")).to_contain_text(OPEN_PETITION)
    expect(page.locator("#top-concerns li").first).to_be_visible()
    leader.check("leadership-summary")

    leader.follow_nav("Petitions")
    page.get_by_role("link", name=RETENTION_PETITION).click()
    answers = page.locator(".response-list .response")
    before = answers.count()
    response = RESPONSES[leader.device]
    page.get_by_label("Status").select_option(label="In progress")
    page.get_by_label("Response", exact=True).fill(response)
    page.get_by_role("button", name="Publish response").click()
    expect(answers).to_have_count(before + 1)
    expect(page.locator(".response-list")).to_contain_text(response)
    leader.check("petition-responded")

    member = new_visit()
    member.sign_in(member.server.accounts["member"])
    member.page.get_by_role("link", name=RETENTION_PETITION).first.click()
    expect(member.page.locator(".response-list")).to_contain_text(response)
    expect(member.page.locator(".response-list")).to_contain_text("In progress")
    expect(member.page.get_by_role("button", name="Publish response")).to_have_count(0)
    member.check("petition-response-seen")
