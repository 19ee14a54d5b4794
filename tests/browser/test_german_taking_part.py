"""The taking-part journeys again, for a member whose browser asks for German, on desktop and
phone: the petition's first screen, signing and the share link, withdrawing through its
confirmation page, finding petitions, the identifying-text check on a signing comment, news
since the last visit, flagging and taking a flag back, and the reason a weak password is
refused. Every page is checked by axe-core while it is German.

The German words come from the catalogue, so these journeys follow the translations.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_petition_journey import assert_in_first_screen, danger_styled
from tests.catalogue import german, german_of_one
from voicebox.demo import CLOSED_PETITION, OPEN_PETITION, REPLIED_CONCERN

pytestmark = pytest.mark.browser


@pytest.fixture
def leser(new_visit):
    """A member's browser set to German (Accept-Language), with no switcher needed."""
    return new_visit(locale="de-DE")


def check_german(visit, name: str) -> None:
    assert visit.page.locator("html").get_attribute("lang") == "de", f"{name} is not German"
    visit.check(f"{name}-de")


def register_in_german(visit, username: str) -> None:
    page = visit.page
    visit.go("/register")
    page.get_by_label(german("Invite code")).fill(visit.server.invite_code)
    page.get_by_label(german("Username")).fill(username)
    page.get_by_label(re.compile(rf"^{re.escape(german('Password'))}$")).fill("lantern-orbit-meadow-42")
    page.get_by_label(german("Repeat the password")).fill("lantern-orbit-meadow-42")
    page.get_by_role("button", name=german("Create account")).click()
    expect(page.locator(".flashes")).to_contain_text(german("Welcome to voicebox. Your account is ready."))


@pytest.mark.account_forms
def test_a_german_member_signs_shares_and_withdraws_after_confirming(leser):
    page = leser.page
    register_in_german(leser, f"unterzeichnerin-{leser.device}")
    page.get_by_role("link", name=OPEN_PETITION).first.click()
    check_german(leser, "petition-open")
    assert_in_first_screen(leser, "h1", "#signature-count", "progress", ".button-sign")

    page.get_by_role("button", name=german("Sign this petition")).click()
    expect(page.locator(".signed-headline")).to_contain_text(
        german_of_one("✓ You have signed this petition.", "You have signed this petition.").lstrip("✓ ")
    )
    expect(page.locator(".share-link")).to_have_attribute("href", page.url)
    assert_in_first_screen(leser, ".signed-headline")
    check_german(leser, "petition-signed")

    page.get_by_role("link", name=german("Withdraw my signature")).click()
    expect(page.get_by_role("heading", name=german("Withdraw your signature?"))).to_be_visible()
    withdraw = page.get_by_role("button", name=german("Withdraw my signature"))
    assert danger_styled(withdraw)
    check_german(leser, "petition-withdraw-confirm")
    page.get_by_role("link", name=german("Keep my signature")).click()
    expect(page.locator(".signed-headline")).to_be_visible()


def test_a_german_member_searches_and_filters_petitions(leser):
    page = leser.page
    register_in_german(leser, f"sucherin-{leser.device}")
    leser.go("/petitions")
    page.get_by_label(german("Search titles and text")).fill("keystroke")
    page.get_by_role("button", name=german("Show")).click()
    expect(page.get_by_role("link", name=OPEN_PETITION)).to_be_visible()
    expect(page.get_by_role("link", name=CLOSED_PETITION)).to_have_count(0)
    check_german(leser, "petitions-search")
    page.get_by_label(german("Search titles and text")).fill("")
    page.get_by_text(german("Filter and sort")).click()
    page.get_by_label(german("Status")).select_option(label=german("Closed"))
    page.get_by_role("button", name=german("Show")).click()
    expect(page.get_by_role("link", name=CLOSED_PETITION)).to_be_visible()
    expect(page.get_by_role("link", name=OPEN_PETITION)).to_have_count(0)


@pytest.mark.account_forms
def test_a_german_signing_comment_is_checked_and_the_news_is_german(leser):
    page = leser.page
    register_in_german(leser, f"kommentar-{leser.device}")
    page.get_by_role("link", name=OPEN_PETITION).first.click()
    page.get_by_text(german("Add a public name, your department or a comment (optional)")).click()
    page.get_by_label(german("Comment (optional)")).fill("Ich bin Dave, Durchwahl ext 4412, und stimme zu.")
    page.get_by_role("button", name=german("Sign with these details")).click()
    expect(page.get_by_role("heading", name=german("Check your comment before signing"))).to_be_visible()
    expect(page.locator("#identifying-warning")).to_contain_text("ext 4412")
    check_german(leser, "petition-comment-warning")
    page.get_by_label(german("Comment (optional)")).fill("Ich stimme zu.")
    page.get_by_role("button", name=german("Sign this petition")).click()
    expect(page.locator(".signed-headline")).to_be_visible()

    leser.go("/")
    news = page.locator(".news")
    expect(news).to_contain_text(OPEN_PETITION)
    expect(news).to_contain_text(german("You signed"))
    check_german(leser, "home-news")


def test_a_german_member_flags_a_concern_then_takes_the_flag_back(leser):
    page = leser.page
    register_in_german(leser, f"melderin-{leser.device}")
    leser.go("/concerns")
    page.get_by_role("link", name=REPLIED_CONCERN).click()
    flag_link = page.locator("a.link-danger")  # its words sit inside a translated sentence
    flag_link.click()
    expect(page.get_by_role("heading", name=german("Flag this concern for moderators?"))).to_be_visible()
    check_german(leser, "concern-flag-confirm")
    page.get_by_role("button", name=german("Flag for moderators")).click()
    page.get_by_role("button", name=german("Take back my flag")).click()
    expect(page.get_by_text(german("Your flag is taken back."))).to_be_visible()
    expect(flag_link).to_be_visible()


def test_a_german_weak_password_is_refused_with_the_reason(leser):
    page = leser.page
    leser.go("/register")
    page.get_by_label(german("Invite code")).fill(leser.server.invite_code)
    page.get_by_label(german("Username")).fill(f"schwach-{leser.device}")
    page.get_by_label(re.compile(rf"^{re.escape(german('Password'))}$")).fill("password password")
    page.get_by_label(german("Repeat the password")).fill("password password")
    page.get_by_role("button", name=german("Create account")).click()
    expect(page.get_by_text(german("This password is too easy to guess."))).to_be_visible()
    check_german(leser, "register-weak-password")
