"""Forms work by keyboard alone; registering, signing, withdrawing and posting a concern work
with JavaScript switched off."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from voicebox.demo import OPEN_PETITION

pytestmark = pytest.mark.browser

FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {id: el.id, tag: el.tagName.toLowerCase(), text: (el.innerText || el.value || '').trim(),
          outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0};
}"""


def tab_to(page, wanted, limit: int = 40) -> dict:
    """Press Tab until `wanted(focused)` holds; every stop on the way must show its focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused["tag"] in {"a", "button", "input", "select", "textarea", "summary"}:
            assert focused["outline"], f"focus is invisible on {focused}"
        if wanted(focused):
            return focused
    raise AssertionError(f"Tab never reached the control; last focus was {focused}")


def tab_to_id(page, element_id: str) -> None:
    tab_to(page, lambda f: f["id"] == element_id)


@pytest.mark.parametrize("device", ["desktop"], indirect=True)
@pytest.mark.account_forms
def test_register_and_sign_by_keyboard_alone(visit):
    page, keyboard = visit.page, visit.page.keyboard
    visit.go("/register")
    tab_to_id(page, "invite_code")
    keyboard.type(visit.server.invite_code)
    keyboard.press("Tab")
    keyboard.type("keyboard-only")
    keyboard.press("Tab")
    keyboard.type("plum-orbit-canvas-thunder-42")
    keyboard.press("Tab")
    keyboard.type("plum-orbit-canvas-thunder-42")
    keyboard.press("Enter")
    expect(page.get_by_text("Your account is ready")).to_be_visible()

    tab_to(page, lambda f: f["tag"] == "a" and f["text"] == OPEN_PETITION)
    keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(OPEN_PETITION)
    tab_to(page, lambda f: f["tag"] == "summary" or f["text"].startswith("Add a public name"))
    keyboard.press("Enter")  # opens the optional details
    tab_to_id(page, "display_name")
    keyboard.type("Kay")
    keyboard.press("Tab")
    keyboard.type("Cust")  # type-ahead picks "Customer Support" in a focused select
    expect(page.get_by_label("Your department or site (optional)")).to_have_value(
        page.locator("#group option", has_text="Customer Support").get_attribute("value") or ""
    )
    keyboard.press("Tab")
    keyboard.type("Signed without touching the mouse.")
    tab_to(page, lambda f: f["tag"] == "button" and f["text"] == "Sign with these details")
    keyboard.press("Enter")
    expect(page.locator(".signed-headline")).to_be_visible()
    reload_until(page, lambda: "Kay" in (page.locator(".public-names").all_inner_texts() or [""])[0])
    expect(page.locator(".public-names")).to_contain_text("Kay")

    tab_to(page, lambda f: f["tag"] == "a" and f["text"] == "Withdraw my signature")
    keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Withdraw your signature?")).to_be_visible()
    tab_to(page, lambda f: f["tag"] == "button" and f["text"] == "Withdraw my signature")
    keyboard.press("Space")
    expect(page.get_by_text("Your signature has been withdrawn")).to_be_visible()


def reload_until(page, condition, seconds: float = 15) -> None:
    """Signatures are counted in windows (a second apart on the test server): reload until
    `condition` holds, as a member would after a moment."""
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.5)
        page.reload()


@pytest.mark.parametrize("device", ["phone"], indirect=True)
def test_core_flows_work_without_javascript(new_visit):
    visit = new_visit(java_script_enabled=False)
    page = visit.page
    visit.register("no-script-reader")
    page.get_by_role("link", name=OPEN_PETITION).first.click()
    count = page.locator("#signature-count strong")
    before = int(count.inner_text().replace(",", ""))

    page.get_by_text("Add a public name, your department or a comment (optional)").click()
    page.get_by_label("Your department or site (optional)").select_option(label="Finance")
    page.get_by_role("button", name="Sign with these details").click()
    expect(page.locator(".signed-headline")).to_be_visible()
    expect(page.locator(".share-link")).to_be_visible()  # a plain link: copying needs no script
    expect(page.get_by_role("button", name="Copy link")).to_be_hidden()
    reload_until(page, lambda: int(count.inner_text().replace(",", "")) == before + 1)
    assert int(count.inner_text().replace(",", "")) == before + 1

    page.get_by_role("link", name="Withdraw my signature").click()  # the confirm page, no script
    page.get_by_role("button", name="Withdraw my signature").click()
    expect(page.get_by_text("Your signature has been withdrawn")).to_be_visible()
    reload_until(page, lambda: int(count.inner_text().replace(",", "")) == before)
    assert int(count.inner_text().replace(",", "")) == before

    visit.go("/concerns/new")
    page.get_by_label("Title").fill("Printer room door jams shut")
    page.get_by_label("What is the concern?").fill("The door sticks and people get stuck inside.")
    page.get_by_label("Category").select_option(label="Health and safety")
    page.get_by_role("button", name="Post anonymously").click()
    receipt = page.locator("#receipt").inner_text().strip()
    assert len(receipt.split()) >= 7
    time.sleep(3)  # the concern joins the list at the next counting window
    visit.go("/followup")
    page.get_by_label("Receipt phrase").fill(receipt)
    page.get_by_role("button", name="Open my thread").click()
    expect(page.get_by_role("heading", name="Your concern: Printer room door jams shut")).to_be_visible()
