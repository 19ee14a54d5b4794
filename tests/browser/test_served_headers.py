"""Pages load cleanly under the headers the server really sends (no CSP bypass here)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DEVICES, watch_for_errors
from tests.browser.server import PASSWORD
from voicebox.demo import OPEN_PETITION

pytestmark = pytest.mark.browser

HEADER_BACKGROUND = "() => getComputedStyle(document.querySelector('.site-header')).backgroundColor"


def test_pages_render_styled_with_no_console_errors_under_the_real_policy(browser, live_server):
    context = browser.new_context(base_url=live_server.url, **DEVICES["desktop"])
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors = watch_for_errors(page)
    try:
        for path in ("/", "/login", "/register"):
            response = page.goto(path)
            assert response is not None
            assert "content-security-policy" in response.headers, f"{path} has no CSP"
            assert page.evaluate(HEADER_BACKGROUND) == "rgb(29, 35, 48)", f"{path} is unstyled"
        page.goto("/login")
        page.get_by_label("Username").fill(live_server.accounts["member"])
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("link", name=OPEN_PETITION).first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text(OPEN_PETITION)
        assert page.evaluate(HEADER_BACKGROUND) == "rgb(29, 35, 48)"
        page.goto("/petitions")
        expect(page.get_by_role("heading", name="Petitions", level=1)).to_be_visible()
    finally:
        context.close()
    assert not errors, "blocked or failing resources:\n" + "\n".join(errors)
