"""A member raises a concern, keeps the receipt, reads leadership's private reply and answers."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

REPLY = "Thank you. Which floor is affected, so facilities can check today?"
ANSWER = "The second floor, by the lifts."
# Each device posts its own concern, worded as a colleague would, so headings stay unique.
TITLES = {
    "desktop": "Broken lockers in the changing room",
    "phone": "Lockers on the second floor don't close",
}


def test_member_raises_a_concern_and_answers_a_reply_with_the_receipt(visit, new_visit):
    member, page = visit, visit.page
    member.sign_in(member.server.accounts["member"])
    member.follow_nav("Concerns")
    expect(page.get_by_role("heading", name="Concerns", level=1)).to_be_visible()
    member.check("concerns")

    page.get_by_role("link", name="Raise a concern").click()
    member.check("concern-new")
    title = TITLES[member.device]
    page.get_by_label("Title").fill(title)
    page.get_by_label("What is the concern?").fill(
        "Half the lockers don't close, so people leave valuables in their bags on the floor."
    )
    page.get_by_label("Category").select_option(label="Health and safety")
    page.get_by_role("button", name="Post anonymously").click()
    receipt = page.locator("#receipt").inner_text().strip()
    assert len(receipt.split()) >= 7
    member.check("concern-receipt")
    page.get_by_role("link", name="See your concern").click()
    # New concerns join the list at the next counting window (a second apart on the test
    # server); until then the page says it is being posted.
    deadline = time.monotonic() + 15
    while (
        page.get_by_role("heading", name="This concern is being posted").count()
        and time.monotonic() < deadline
    ):
        time.sleep(0.5)
        page.reload()
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    concern_url = page.url
    member.check("concern-detail")

    leader = new_visit()
    leader.sign_in(leader.server.accounts["leadership"])
    leader.go(concern_url)
    leader.page.get_by_label("Private message to the author").fill(REPLY)
    leader.page.get_by_role("button", name="Send to the author").click()
    expect(leader.page.locator(".thread")).to_contain_text(REPLY)
    leader.check("concern-leadership-reply")

    member.go("/followup")
    member.check("followup")
    page.get_by_label("Receipt phrase").fill(receipt)
    page.get_by_role("button", name="Open my thread").click()
    expect(page.get_by_role("heading", name=f"Your concern: {title}")).to_be_visible()
    expect(page.locator(".thread")).to_contain_text(REPLY)
    member.check("followup-thread")
    page.get_by_label("Your answer (optional)").fill(ANSWER)
    page.get_by_role("button", name="Send my answer").click()
    expect(page.locator(".thread-waiting")).to_contain_text(ANSWER)

    # Like a new concern, the answer joins the thread staff read at the next counting window.
    deadline = time.monotonic() + 15
    leader.page.reload()
    while ANSWER not in leader.page.locator(".thread").inner_text() and time.monotonic() < deadline:
        time.sleep(0.5)
        leader.page.reload()
    expect(leader.page.locator(".thread")).to_contain_text(ANSWER)
