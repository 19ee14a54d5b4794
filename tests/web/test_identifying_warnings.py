"""Every free-text field warns before storing text that may identify its writer."""

from __future__ import annotations

from flask import url_for

from tests.support import count_rows
from voicebox.models import FollowupMessage, Petition, Signature

NAMED = "My name is Dave and I sit by the window, ext 4412."


def test_a_signing_comment_that_names_you_is_checked_first(client, member, make_petition):
    petition = make_petition()
    client.login(member)
    page = client.post(url_for("petitions.sign", petition_id=petition.id), data={"comment": NAMED})
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "This text may identify you" in text and "ext 4412" in text
    assert count_rows(Signature) == 0
    client.post(
        url_for("petitions.sign", petition_id=petition.id),
        data={"comment": NAMED, "confirm_identifying": "y"},
    )
    assert count_rows(Signature) == 1


def test_a_plain_comment_signs_straight_away(client, member, make_petition):
    petition = make_petition()
    client.login(member)
    done = client.post(url_for("petitions.sign", petition_id=petition.id), data={"comment": "Long overdue."})
    assert done.status_code == 302
    assert count_rows(Signature) == 1


def test_a_petition_body_that_names_someone_is_checked_first(client, member):
    client.login(member)
    data = {"title": "Fix the rota", "body": "Mark Jones in payroll agrees.", "goal": "50", "closes_on": ""}
    page = client.post(url_for("petitions.new"), data=data).get_data(as_text=True)
    assert "This text may identify you" in page and "Mark Jones" in page
    assert count_rows(Petition) == 0
    client.post(url_for("petitions.new"), data={**data, "confirm_identifying": "y"})
    assert count_rows(Petition) == 1


def test_a_follow_up_answer_is_checked_first(client, member, make_concern):
    _, receipt = make_concern()
    client.login(member)
    page = client.post(
        url_for("followup.thread"), data={"receipt": receipt, "message": "I'm the only nurse on ward 7."}
    )
    assert "This text may identify you" in page.get_data(as_text=True)
    assert count_rows(FollowupMessage) == 0
    answer = {"receipt": receipt, "message": "I'm the only nurse on ward 7.", "confirm_identifying": "y"}
    client.post(url_for("followup.thread"), data=answer)
    assert count_rows(FollowupMessage) == 1
