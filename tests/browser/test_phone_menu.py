"""On a phone the navigation folds behind a Menu button; on a desktop, and without
JavaScript, it is always shown."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import open_context
from tests.browser.server import PASSWORD

pytestmark = pytest.mark.browser


def _sign_in(page, username: str) -> None:
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)
    page.wait_for_load_state("load")


@pytest.mark.parametrize("device", ["phone"], indirect=True)
def test_the_phone_menu_opens_and_closes(visit):
    page = visit.page
    _sign_in(page, visit.server.accounts["organizer"])
    toggle = page.get_by_role("button", name="Menu")
    dashboard = page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(dashboard).to_be_hidden()
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(dashboard).to_be_visible()
    visit.check("menu-open")
    toggle.click()
    expect(dashboard).to_be_hidden()


@pytest.mark.parametrize("device", ["desktop"], indirect=True)
def test_desktops_show_the_whole_navigation_and_no_menu_button(visit):
    page = visit.page
    _sign_in(page, visit.server.accounts["organizer"])
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard")).to_be_visible()


def test_without_javascript_a_phone_shows_the_whole_navigation(browser, live_server):
    context = open_context(browser, live_server, "phone", java_script_enabled=False)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto("/login")
        page.get_by_label("Username").fill(live_server.accounts["organizer"])
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/login" not in url)
        expect(page.get_by_role("button", name="Menu")).to_be_hidden()
        nav = page.get_by_role("navigation", name="Main")
        expect(nav.get_by_role("link", name="Dashboard")).to_be_visible()
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    finally:
        context.close()
