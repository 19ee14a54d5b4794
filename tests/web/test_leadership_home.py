"""Leadership's home: open petitions, top concerns, a queue that works out of the box, one vocabulary."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import url_for

from voicebox.anonymity import coarse_date
from voicebox.extensions import db
from voicebox.models import ConcernStatusChange
from voicebox.settings import instance_settings


def _section(page: str, element_id: str) -> str:
    start = page.index(f'id="{element_id}"')
    return page[start : page.index("</section>", start)]


def test_default_threshold_queues_a_petition_without_admin_setup(
    client, leadership, make_petition, sign_many
):
    settings = instance_settings()
    settings.headcount = 40
    db.session.commit()
    loud, quiet = make_petition(title="Loud petition"), make_petition(title="Quiet petition")
    sign_many(loud, 4)  # 10% of 40: the shipped default threshold
    sign_many(quiet, 3)
    client.login(leadership)
    home = client.get("/").get_data(as_text=True)
    queue = _section(home, "awaiting-list")
    assert "Loud petition" in queue and "Quiet petition" not in queue
    due = coarse_date() + timedelta(days=14)
    assert f"answer due {due:%b} {due.day}, {due.year}" in queue  # the page's date style, English


def test_without_a_headcount_a_petition_at_its_goal_is_queued(client, leadership, make_petition, sign_many):
    reached, short = (
        make_petition(title="Reached goal", goal=3),
        make_petition(title="Short of goal", goal=10),
    )
    sign_many(reached, 3)
    sign_many(short, 3)
    client.login(leadership)
    queue = _section(client.get("/").get_data(as_text=True), "awaiting-list")
    assert "Reached goal" in queue and "Short of goal" not in queue


def test_open_petitions_show_tally_share_days_open_and_answer(client, leadership, make_petition, sign_many):
    settings = instance_settings()
    settings.headcount = 200
    db.session.commit()
    petition = make_petition(title="Keystroke logging")
    petition.opened_on = coarse_date() - timedelta(days=9)
    db.session.commit()
    sign_many(petition, 5)
    make_petition(title="A closed one", status="closed")
    client.login(leadership)
    table = _section(client.get("/").get_data(as_text=True), "open-petitions")
    assert "Keystroke logging" in table and "A closed one" not in table
    assert "<td>5 <span" in table and "2.5%" in table and "9 days" in table and "Not yet" in table
    client.post(
        url_for("responses.respond_to_petition", petition_id=petition.id),
        data={"status": "acknowledged", "body": "We read it."},
    )
    table = _section(client.get("/").get_data(as_text=True), "open-petitions")
    assert "<td>Yes</td>" in table


def test_concerns_queue_after_a_week_and_top_concerns_rank_by_support(
    client, leadership, make_concern_row, make_concern
):
    old = make_concern_row(title="Old unanswered concern", supports=1)
    old.created_on = coarse_date() - timedelta(days=8)
    make_concern_row(title="Posted today", supports=9)
    resolved, _ = make_concern(title="Resolved quietly")
    resolved.status, resolved.support_count = "resolved", 3
    resolved.created_on = coarse_date() - timedelta(days=20)
    db.session.add(
        ConcernStatusChange(
            concern_id=resolved.id,
            status="resolved",
            changed_on=coarse_date() - timedelta(days=15),
            position=1,
        )
    )
    make_concern_row(title="Hidden one", hidden=True, supports=50)
    db.session.commit()
    client.login(leadership)
    home = client.get("/").get_data(as_text=True)
    queue = _section(home, "awaiting-list")
    assert "Old unanswered concern" in queue and "waiting 8 days" in queue
    assert "Posted today" not in queue and "Resolved quietly" not in queue
    top = _section(home, "top-concerns")
    assert top.index("Posted today") < top.index("Resolved quietly") < top.index("Old unanswered concern")
    assert "Hidden one" not in home
    page = client.get(url_for("concerns.detail", concern_id=resolved.id)).get_data(as_text=True)
    assert "Resolved without an official response" in page
    assert "Waiting for an answer" not in page


def test_one_status_vocabulary_for_answers_and_concerns(client, leadership, make_concern):
    concern, _ = make_concern(title="Rota changes")
    client.login(leadership)
    form = client.get(url_for("concerns.detail", concern_id=concern.id)).get_data(as_text=True)
    options = set(re.findall(r'<option[^>]*value="([^"]+)"', form.split('class="respond-form"')[1]))
    assert options == {"acknowledged", "in progress", "resolved", "declined"}
    refused = client.post(
        url_for("responses.respond_to_concern", concern_id=concern.id),
        data={"status": "accepted", "body": "Yes."},
    )
    assert refused.status_code == 302
    client.post(
        url_for("responses.respond_to_concern", concern_id=concern.id),
        data={"status": "acknowledged", "body": "Noted."},
    )
    db.session.refresh(concern)
    assert concern.status == "acknowledged"
