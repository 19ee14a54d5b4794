"""Journeys for taking part safely: confirmation before anything irreversible, undoing a
flag, finding petitions, editing and rejecting drafts, identifying-text warnings, news since
the last visit, clear password advice, error pages, and a phone layout that doesn't jump."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_petition_journey import danger_styled
from voicebox.demo import CLOSED_PETITION, OPEN_PETITION, REPLIED_CONCERN

pytestmark = pytest.mark.browser

CLS_OBSERVER = """
window.__cls = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) { if (!entry.hadRecentInput) window.__cls += entry.value; }
}).observe({type: 'layout-shift', buffered: true});
"""


def test_closing_a_petition_says_what_happens_first(visit):
    page = visit.page
    visit.sign_in(visit.server.accounts["organizer"])
    visit.follow_nav("Petitions")
    page.get_by_role("link", name=OPEN_PETITION).click()
    close = page.get_by_role("link", name="Close this petition")
    assert danger_styled(close)
    close.click()
    expect(page.get_by_role("heading", name="Close this petition?")).to_be_visible()
    expect(page.get_by_text("nobody, including you and the server's administrators")).to_be_visible()
    visit.check("petition-close-confirm")
    page.get_by_role("link", name="Keep it open").click()
    expect(page.get_by_role("link", name="Close this petition")).to_be_visible()


@pytest.mark.account_forms
def test_a_member_flags_a_concern_then_takes_the_flag_back(visit):
    page = visit.page
    visit.sign_in(visit.server.accounts["member"])
    visit.follow_nav("Concerns")
    page.get_by_role("link", name=REPLIED_CONCERN).click()
    me_too = page.locator("form[action$='/support'] button")
    assert not danger_styled(me_too)  # "Me too" and "Flag" no longer look alike
    page.get_by_role("link", name="Flag it for moderators").click()
    expect(page.get_by_role("heading", name="Flag this concern for moderators?")).to_be_visible()
    visit.check("concern-flag-confirm")
    page.get_by_role("button", name="Flag for moderators").click()
    expect(page.get_by_text("moderators will look at this concern")).to_be_visible()
    visit.check("concern-flagged")
    page.get_by_role("button", name="Take back my flag").click()
    expect(page.get_by_text("Your flag is taken back.")).to_be_visible()
    expect(page.get_by_role("link", name="Flag it for moderators")).to_be_visible()


def test_moderators_confirm_before_hiding(visit):
    page = visit.page
    visit.sign_in(visit.server.accounts["organizer"])
    visit.go("/concerns/moderation")
    visit.check("moderation")
    visit.go("/concerns")
    page.get_by_role("link", name=REPLIED_CONCERN).click()
    visit.check("concern-moderator-view")
    page.get_by_label("Reason shown to everyone").fill("Names a colleague.")
    page.get_by_role("button", name="Hide this concern…").click()
    expect(page.get_by_role("heading", name="Hide this concern?")).to_be_visible()
    expect(page.get_by_label("Reason shown to everyone")).to_have_value("Names a colleague.")
    visit.check("concern-hide-confirm")
    page.get_by_role("link", name="Keep it visible").click()
    expect(page.get_by_role("heading", name=REPLIED_CONCERN)).to_be_visible()


def test_petitions_can_be_searched_filtered_and_sorted(visit):
    page = visit.page
    visit.sign_in(visit.server.accounts["member"])
    visit.follow_nav("Petitions")
    status = page.get_by_label("Status")
    expect(status).to_be_hidden()  # folded away until asked for, on every screen size
    page.get_by_label("Search titles and text").fill("keystroke")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("link", name=OPEN_PETITION)).to_be_visible()
    expect(page.get_by_role("link", name=CLOSED_PETITION)).to_have_count(0)
    visit.check("petitions-search")
    page.get_by_label("Search titles and text").fill("")
    page.get_by_text("Filter and sort").click()
    status.select_option(label="Closed")
    page.get_by_label("Sort by").select_option(label="Newest")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("link", name=CLOSED_PETITION)).to_be_visible()
    expect(page.get_by_role("link", name=OPEN_PETITION)).to_have_count(0)
    visit.check("petitions-filtered")


def test_an_author_is_warned_edits_a_draft_and_an_organizer_rejects_it(visit, new_visit):
    page = visit.page
    title = f"Water fountains on every floor ({visit.device})"
    visit.sign_in(visit.server.accounts["member"])
    visit.go("/petitions/new")
    page.get_by_label("Title").fill(title)
    page.get_by_label("What are you asking for?").fill("Mark Jones and I carry water up four floors.")
    page.get_by_label("Signature goal").fill("40")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("heading", name="This text may identify you")).to_be_visible()
    expect(page.locator("#identifying-warning")).to_contain_text("Mark Jones")
    visit.check("petition-identifying-warning")
    page.get_by_label("What are you asking for?").fill("Staff carry water up four floors every day.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    page.get_by_role("link", name="Edit this draft").click()
    visit.check("petition-edit")
    page.get_by_label("Signature goal").fill("60")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    draft_url = page.url

    organizer = new_visit()
    organizer.sign_in(organizer.server.accounts["organizer"])
    organizer.go(draft_url)
    organizer.page.get_by_role("link", name="Reject this draft").click()
    organizer.page.get_by_label("Reason shown to everyone").fill("Facilities already agreed to this.")
    organizer.check("petition-reject-confirm")
    organizer.page.get_by_role("button", name="Reject this draft").click()
    expect(organizer.page.get_by_text("Rejected by organizers")).to_be_visible()

    page.reload()
    expect(page.get_by_text("Facilities already agreed to this.")).to_be_visible()
    expect(page.get_by_role("link", name="Edit this draft")).to_have_count(0)
    visit.check("petition-rejected")


@pytest.mark.account_forms
def test_a_signing_comment_that_names_the_signer_is_checked_first(visit):
    page = visit.page
    visit.register(f"commenter-{visit.device}")
    page.get_by_role("link", name=OPEN_PETITION).first.click()
    page.get_by_text("Add a public name, your department or a comment (optional)").click()
    page.get_by_label("Comment (optional)").fill("My name is Dave, ext 4412, and I agree.")
    page.get_by_role("button", name="Sign with these details").click()
    expect(page.get_by_role("heading", name="Check your comment before signing")).to_be_visible()
    expect(page.locator("#identifying-warning")).to_contain_text("ext 4412")
    visit.check("petition-comment-warning")
    page.get_by_label("Comment (optional)").fill("I agree.")
    page.get_by_role("button", name="Sign this petition").click()
    expect(page.locator(".signed-headline")).to_be_visible()

    visit.go("/")
    news = page.locator(".news")
    expect(news).to_contain_text(OPEN_PETITION)
    expect(news).to_contain_text("You signed")
    visit.check("home-news")


def test_a_weak_password_is_refused_with_the_reason(visit):
    page = visit.page
    visit.go("/register")
    page.get_by_label("Invite code").fill(visit.server.invite_code)
    page.get_by_label("Username").fill(f"weak-{visit.device}")
    page.get_by_label("Password", exact=True).fill("password password")
    page.get_by_label("Repeat the password").fill("password password")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("too easy to guess")).to_be_visible()
    visit.check("register-weak-password")


def test_error_pages_are_accessible(new_visit):
    visitor = new_visit()  # its own context: the 404 is expected, not a console error
    visitor.sign_in(visitor.server.accounts["member"])
    response = visitor.page.goto("/petitions/no-such-petition")
    assert response is not None and response.status == 404
    visitor.check("error-404")


@pytest.mark.parametrize("device", ["phone"], indirect=True)
def test_pages_do_not_shift_while_loading_on_a_phone(visit):
    page = visit.page
    visit.sign_in(visit.server.accounts["member"])
    page.add_init_script(CLS_OBSERVER)
    shifts = {}
    for path in ("/", "/petitions", "/concerns", "/reports"):
        visit.go(path)
        page.wait_for_load_state("load")
        page.wait_for_timeout(300)
        shifts[path] = page.evaluate("() => window.__cls")
    worst = max(shifts.values())
    print(f"\\ncumulative layout shift on a phone: {shifts}")
    assert worst < 0.05, f"layout shift on a phone: {shifts}"


ROLE_PAGES = {
    "admin": [
        "/",
        "/admin/settings",
        "/admin/groups",
        "/admin/invites",
        "/admin/users",
        "/responses/thresholds",
        "/audit",
    ],
    "organizer": ["/dashboard", "/concerns/categories", "/reports/new", "/responses"],
    "member": ["/account", "/account/password", "/account/delete"],  # /account/data downloads
}


@pytest.mark.parametrize("role", list(ROLE_PAGES))
def test_every_page_a_role_reaches_is_accessible(visit, role):
    visit.sign_in(visit.server.accounts[role])
    for path in ROLE_PAGES[role]:
        visit.go(path)
        visit.check(f"{role}{path.replace('/', '-').rstrip('-') or '-home'}")
    if role == "member":
        delete = visit.page.get_by_role("button", name="Delete my account")
        assert danger_styled(delete)
