"""An invitee registers, signs a petition, withdraws, and signs again — in a real browser."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from voicebox.demo import CLOSED_PETITION, DRAFT_PETITION, OPEN_PETITION

pytestmark = pytest.mark.browser


def signature_count(visit) -> int:
    return int(visit.page.locator("#signature-count strong").inner_text().replace(",", ""))


def wait_for_count(visit, expected: int, seconds: float = 15) -> None:
    """Signatures are counted in windows (a second apart on the test server): reload until
    the page shows `expected`, as a member would after a moment."""
    deadline = time.monotonic() + seconds
    while signature_count(visit) != expected and time.monotonic() < deadline:
        time.sleep(0.5)
        visit.page.reload()
    assert signature_count(visit) == expected


def assert_in_first_screen(visit, *selectors: str) -> None:
    """Each element sits wholly inside the first screen, without scrolling."""
    height = visit.page.viewport_size["height"]
    for selector in selectors:
        box = visit.page.locator(selector).first.bounding_box()
        assert box is not None, f"{selector} is not shown"
        assert box["y"] + box["height"] <= height, (
            f"{selector} ends at {box['y'] + box['height']:.0f}px, below the {height}px first screen"
        )


def danger_styled(button) -> bool:
    """Red, not the blue of an ordinary "go ahead" button."""
    red, green, blue = (
        int(v)
        for v in button.evaluate("el => getComputedStyle(el).backgroundColor.match(/\\d+/g).slice(0, 3)")
    )
    return red > 150 and red > green + 60 and red > blue + 60


@pytest.mark.account_forms
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

    assert_in_first_screen(visit, "h1", "#signature-count", "progress")
    assert_in_first_screen(visit, ".button-sign")

    page.get_by_text("Add a public name, your department or a comment (optional)").click()
    page.get_by_label("Public name (optional)").fill("")
    page.get_by_label("Your department or site (optional)").select_option(label="Engineering")
    page.get_by_label("Comment (optional)").fill("Recording screens at home is a step too far.")
    page.get_by_role("button", name="Sign with these details").click()
    expect(page.locator(".signed-headline")).to_have_text("✓ You have signed this petition.")
    expect(page.locator(".share-link")).to_have_attribute("href", page.url)
    expect(page.locator("#being-counted")).to_be_visible()
    wait_for_count(visit, before + 1)
    assert_in_first_screen(visit, ".signed-headline")
    visit.check("petition-signed")

    page.get_by_role("link", name="Withdraw my signature").click()
    expect(page.get_by_role("heading", name="Withdraw your signature?")).to_be_visible()
    assert danger_styled(page.get_by_role("button", name="Withdraw my signature"))
    visit.check("petition-withdraw-confirm")
    page.get_by_role("button", name="Withdraw my signature").click()
    expect(page.get_by_text("Your signature has been withdrawn")).to_be_visible()
    wait_for_count(visit, before)
    expect(page.get_by_role("button", name="Sign this petition")).to_be_visible()
    visit.check("petition-withdrawn")

    page.get_by_role("button", name="Sign this petition").click()
    expect(page.locator(".signed-headline")).to_be_visible()
    wait_for_count(visit, before + 1)


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
@pytest.mark.account_forms
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
    expect(signer.page.get_by_text("joins the count within a minute").first).to_be_visible()

    assert signature_count(watcher) == before  # nothing moves until the next refresh
    time.sleep(3)  # the server counts the window (one second apart on the test server)
    page.clock.fast_forward(25_000)
    after = before + 1
    expect(page.locator("#signature-count strong")).to_have_text(str(after))
    # Every figure worked out from the count moves with it (demo: goal 250, headcount 180).
    goal = int(page.locator("#goal-line").inner_text().split("goal of ")[1].replace(",", ""))
    expect(page.locator("#goal-percent")).to_have_text(f"{int(100 * after / goal)}%")
    expect(page.locator("#headcount-percent")).to_have_text(f"{100 * after / 180:.1f}%")
    expect(page.locator("#signature-word")).to_have_text("signatures")
