"""An invitee registers, signs a petition, withdraws, and signs again — in a real browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from voicebox.demo import CLOSED_PETITION, DRAFT_PETITION, OPEN_PETITION

pytestmark = pytest.mark.browser


def signature_count(visit) -> int:
    return int(visit.page.locator("#signature-count strong").inner_text().replace(",", ""))


def test_invitee_registers_signs_withdraws_and_signs_again(visit):
    page = visit.page
    visit.go("/")
    visit.check("welcome")
    visit.register(f"newcomer-{visit.device}")
    visit.check("home")

    page.get_by_role("link", name=OPEN_PETITION).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(OPEN_PETITION)
    before = signature_count(visit)
    visit.check("petition-open")

    page.get_by_label("Public name (optional)").fill("")
    page.get_by_label("Your department or site (optional)").select_option(label="Engineering")
    page.get_by_label("Comment (optional)").fill("Recording screens at home is a step too far.")
    page.get_by_role("button", name="Sign this petition").click()
    expect(page.get_by_text("your signature is counted")).to_be_visible()
    assert signature_count(visit) == before + 1
    visit.check("petition-signed")

    page.get_by_role("button", name="Withdraw my signature").click()
    expect(page.get_by_text("Your signature has been withdrawn")).to_be_visible()
    assert signature_count(visit) == before
    expect(page.get_by_role("button", name="Sign this petition")).to_be_visible()
    visit.check("petition-withdrawn")

    page.get_by_role("button", name="Sign this petition").click()
    expect(page.get_by_text("your signature is counted")).to_be_visible()
    assert signature_count(visit) == before + 1


def test_member_browses_drafts_and_closed_petitions(visit):
    page = visit.page
    visit.sign_in(visit.server.accounts["member"])
    visit.follow_nav("Petitions")
    expect(page.get_by_role("heading", name="Drafts looking for co-sponsors")).to_be_visible()
    visit.check("petitions")

    page.get_by_role("link", name=DRAFT_PETITION).click()
    expect(page.get_by_text(re.compile(r"\d of 2 co-sponsors needed"))).to_be_visible()
    visit.check("petition-draft")

    page.go_back()
    page.get_by_role("link", name=CLOSED_PETITION).click()
    expect(page.get_by_text("This petition is closed.")).to_be_visible()
    expect(page.get_by_role("button", name="Sign this petition")).to_have_count(0)
    visit.check("petition-closed")


@pytest.mark.parametrize("device", ["phone"], indirect=True)
def test_open_petition_page_follows_the_tally_without_a_reload(visit, new_visit):
    watcher, page = visit, visit.page
    page.clock.install()
    watcher.sign_in(watcher.server.accounts["member"])
    page.get_by_role("link", name=OPEN_PETITION).first.click()
    before = signature_count(watcher)

    signer = new_visit()
    signer.register(f"live-tally-{watcher.device}")
    signer.page.get_by_role("link", name=OPEN_PETITION).first.click()
    signer.page.get_by_role("button", name="Sign this petition").click()
    expect(signer.page.get_by_text("your signature is counted")).to_be_visible()

    assert signature_count(watcher) == before  # nothing moves until the next refresh
    page.clock.fast_forward(25_000)
    expect(page.locator("#signature-count strong")).to_have_text(str(before + 1))
