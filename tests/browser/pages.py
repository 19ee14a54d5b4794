"""What every journey checks on every page, and the steps journeys share.

`Visit.check(name)` runs axe-core on the page (no serious or critical violation), proves the
page doesn't scroll sideways, and, when VOICEBOX_SCREENSHOTS names a folder, saves a
screenshot there (`tests/browser/screenshots.py` points it at docs/screenshots/).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.server import PASSWORD, LiveServer

BLOCKING_IMPACTS = {"serious", "critical"}
AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 4).map(n => n.target.join(' ')),
  }));
}"""
# What a template shows when it prints a Python object instead of its value.
TEMPLATE_LEAKS = ("<built-in method", " object at 0x", "Undefined", "{{", "{%")
SCROLL_WIDTH = "() => [document.documentElement.scrollWidth, window.innerWidth]"
DUPLICATE_IDS = """() => {
  const seen = new Map();
  for (const el of document.querySelectorAll('[id]')) seen.set(el.id, (seen.get(el.id) || 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([id]) => id);
}"""
COLOR_SCHEMES = ("light", "dark")


@dataclass
class Visit:
    """One browser page in one journey, on one device."""

    page: Page
    server: LiveServer
    device: str
    axe_script: Path
    # False with JavaScript switched off: axe-core can't run in such a page.
    audits: bool = True
    checked: list[str] = field(default_factory=list)

    def go(self, path: str) -> None:
        self.page.goto(path)

    def check(self, name: str) -> None:
        """Accessibility, no sideways scrolling, and an optional screenshot of this page."""
        if not self.audits:
            return
        page = self.page
        page.wait_for_load_state("load")
        assert page.title(), f"{name}: the page has no title"
        text = page.locator("body").inner_text()
        for leak in TEMPLATE_LEAKS:
            assert leak not in text, f"{name} ({page.url}) shows template internals: {leak!r}"
        if page.evaluate("() => typeof window.axe === 'undefined'"):
            # Evaluated through the DevTools protocol, which the page's CSP doesn't govern,
            # so every journey runs under the real policy (a violation fails the test).
            page.evaluate(self.axe_script.read_text())
        duplicates = page.evaluate(DUPLICATE_IDS)
        assert not duplicates, f"{name} ({page.url}) repeats ids: {duplicates}"
        # Contrast is checked in both colour schemes the stylesheet offers.
        for scheme in COLOR_SCHEMES:
            page.emulate_media(color_scheme=scheme)
            violations: list[dict[str, Any]] = page.evaluate(AXE_RUN)
            blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
            assert not blocking, f"{name} ({page.url}, {scheme}): accessibility violations:\n" + "\n".join(
                f"  [{v['impact']}] {v['id']}: {v['help']} at {v['nodes']}" for v in blocking
            )
        page.emulate_media(color_scheme="light")
        scroll_width, viewport_width = page.evaluate(SCROLL_WIDTH)
        assert scroll_width <= viewport_width, (
            f"{name} ({page.url}) scrolls sideways on {self.device}: "
            f"{scroll_width}px of content in a {viewport_width}px window"
        )
        self.checked.append(name)
        folder = os.environ.get("VOICEBOX_SCREENSHOTS")
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(folder) / f"{name}-{self.device}.png"), full_page=True)

    # -- steps journeys share ------------------------------------------------------------

    def open_menu(self) -> bool:
        """On a phone the navigation folds behind "Menu": open it as a person would."""
        self.page.wait_for_load_state("load")  # menu.js (deferred) has folded the menu by now
        toggle = self.page.get_by_role("button", name="Menu")
        if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
            toggle.click()
            expect(toggle).to_have_attribute("aria-expanded", "true")
            return True
        return False

    def follow_nav(self, label: str) -> None:
        """Go to an area through the main navigation."""
        self.open_menu()
        self.page.get_by_role("navigation", name="Main").get_by_role("link", name=label).click()

    def sign_in(self, username: str, password: str = PASSWORD) -> None:
        self.go("/login")
        self.check("sign-in")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password", exact=True).fill(password)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_url(lambda url: "/login" not in url)
        opened = self.open_menu()
        expect(self.page.get_by_role("button", name="Sign out")).to_be_visible()
        if opened:
            self.page.get_by_role("button", name="Menu").click()  # close it again
            expect(self.page.get_by_role("button", name="Sign out")).to_be_hidden()

    def sign_out(self) -> None:
        self.open_menu()
        self.page.get_by_role("button", name="Sign out").click()
        expect(self.page.get_by_role("link", name="Sign in")).to_be_visible()

    def register(self, username: str, password: str = PASSWORD) -> None:
        self.go("/register")
        self.check("register")
        self.page.get_by_label("Invite code").fill(self.server.invite_code)
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label(re.compile(r"^Password$")).fill(password)
        self.page.get_by_label("Repeat the password").fill(password)
        self.page.get_by_role("button", name="Create account").click()
        expect(self.page.get_by_text("Your account is ready")).to_be_visible()

    def flash(self) -> str:
        """The text of the status messages the last action produced."""
        return self.page.locator(".flashes").inner_text()
