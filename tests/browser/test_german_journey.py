"""A member who reads German: switches to Deutsch in the footer, registers or signs in,
opens a petition, signs it and reads the confirmation, all in German, on desktop and phone.

Every page of the journey is checked by axe-core (no serious or critical violation) while
it is German, and says so in <html lang="de">. The German words are asked of the catalogue,
so the journey follows the translations.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.server import PASSWORD
from tests.catalogue import german, german_of_one
from voicebox.demo import OPEN_PETITION

pytestmark = pytest.mark.browser


def page_language(visit) -> str:
    return visit.page.locator("html").get_attribute("lang") or ""


def switch_to_german(visit) -> None:
    """The footer's language switcher, as a person uses it (no menu to open: it's in the footer)."""
    switcher = visit.page.locator("form.language-switcher")
    switcher.get_by_role("button", name="Deutsch").click()
    expect(visit.page.locator("html")).to_have_attribute("lang", "de")
    expect(switcher.get_by_role("button", name="English")).to_be_visible()
    expect(switcher.locator(".language-current")).to_have_text("Deutsch")


def check_german(visit, name: str) -> None:
    assert page_language(visit) == "de", f"{name} ({visit.page.url}) is not marked as German"
    visit.check(f"{name}-de")


def register_in_german(visit, username: str) -> None:
    page = visit.page
    page.get_by_role("link", name=german("Register with an invite")).click()
    check_german(visit, "register")
    page.get_by_label(german("Invite code")).fill(visit.server.invite_code)
    page.get_by_label(german("Username")).fill(username)
    page.get_by_label(re.compile(rf"^{re.escape(german('Password'))}$")).fill(PASSWORD)
    page.get_by_label(german("Repeat the password")).fill(PASSWORD)
    page.get_by_role("button", name=german("Create account")).click()
    expect(page.locator(".flashes")).to_contain_text(german("Welcome to voicebox. Your account is ready."))


def sign_in_in_german(visit, username: str) -> None:
    page = visit.page
    page.get_by_role("link", name=german("Sign in")).first.click()
    check_german(visit, "sign-in")
    page.get_by_label(german("Username")).fill(username)
    page.get_by_label(german("Password"), exact=True).fill(PASSWORD)
    page.get_by_role("button", name=german("Sign in")).click()
    page.wait_for_url(lambda url: "/login" not in url)


def open_and_sign(visit) -> None:
    page = visit.page
    page.get_by_role("link", name=OPEN_PETITION).first.click()  # a title people wrote: not translated
    expect(page.get_by_role("heading", level=1)).to_have_text(OPEN_PETITION)
    check_german(visit, "petition-open")
    page.get_by_role("button", name=german("Sign this petition")).click()
    headline = page.locator(".signed-headline")
    expect(headline).to_contain_text(
        german_of_one("✓ You have signed this petition.", "You have signed this petition.").lstrip("✓ ")
    )
    check_german(visit, "petition-signed")


@pytest.mark.account_forms
def test_german_reader_registers_and_signs(visit) -> None:
    page = visit.page
    visit.go("/")
    assert page_language(visit) == "en"  # the browser asks for en-GB
    switch_to_german(visit)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        german("Speak up together, without being singled out")
    )
    check_german(visit, "welcome")
    register_in_german(visit, f"leserin-{visit.device}")
    check_german(visit, "home")
    open_and_sign(visit)


def sign_out_in_german(visit) -> None:
    page = visit.page
    page.wait_for_load_state("load")
    toggle = page.locator(".menu-toggle")
    if toggle.is_visible():  # on a phone the navigation folds behind the menu button
        expect(toggle).to_have_accessible_name(german("Menu"))
        toggle.click()
    page.get_by_role("button", name=german("Sign out")).click()
    expect(page.locator(".flashes")).to_contain_text(german("You are signed out."))
    check_german(visit, "signed-out")


@pytest.mark.account_forms
def test_german_browser_signs_in_and_signs(new_visit) -> None:
    """The browser itself asks for German (Accept-Language): no switcher needed, and German
    stays through registering, signing out and signing in again."""
    visit = new_visit(locale="de-DE")
    visit.go("/")
    assert page_language(visit) == "de"
    check_german(visit, "welcome-browser")
    username = f"mitglied-{visit.device}"
    register_in_german(visit, username)
    sign_out_in_german(visit)
    sign_in_in_german(visit, username)
    check_german(visit, "member-home")
    open_and_sign(visit)
