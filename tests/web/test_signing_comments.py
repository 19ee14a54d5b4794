"""Signing comments reach organizers and leadership anonymously, from k signatures, with moderation."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from flask import url_for
from sqlalchemy import select

from tests.support import count_rows
from voicebox.anonymity import coarse_date
from voicebox.extensions import db
from voicebox.models import AuditEvent, HiddenComment, Report, ReportVersion, Role

COMMENTS = ["The recording makes me anxious", "Zoë: please stop it", "Screens are private"]


def _signed(make_petition, make_user, sign, n=5, comments=COMMENTS):
    petition = make_petition(title="Switch off keystroke recording")
    for i in range(n):
        comment = comments[i] if i < len(comments) else ""
        sign(petition, make_user(Role.MEMBER), comment=comment)
    db.session.refresh(petition)
    return petition


def _page(client, petition):
    return client.get(url_for("petitions.detail", petition_id=petition.id)).get_data(as_text=True)


def test_comments_stay_out_of_sight_below_k(client, leadership, make_petition, make_user, sign):
    petition = _signed(make_petition, make_user, sign, n=4)
    client.login(leadership)
    page = _page(client, petition)
    assert "Comments appear here once at least 5 people have signed" in page
    assert not any(text in page for text in COMMENTS)


def test_leadership_and_organizers_read_comments_anonymously(
    client, leadership, organizer, member, make_petition, make_user, sign
):
    petition = _signed(make_petition, make_user, sign)
    client.login(leadership)
    page = _page(client, petition)
    section = page.split('id="comments-heading"')[1].split("</section>")[0]
    assert all(text in section for text in ["The recording makes me anxious", "Zoë: please stop it"])
    assert not re.search(r"\d{4}-\d{2}-\d{2}", section)  # no dates
    assert "Hide this comment" not in section  # leadership reads, organizers moderate
    client.logout()
    client.login(member)
    assert "The recording makes me anxious" not in _page(client, petition)
    assert "Organizers and leadership read comments" in _page(client, make_petition(title="Another"))


def test_organizer_hides_a_comment_with_a_public_reason_and_can_show_it_again(
    client, organizer, leadership, make_petition, make_user, sign
):
    petition = _signed(make_petition, make_user, sign)
    client.login(organizer)
    page = _page(client, petition)
    assert page.count("Hide this comment</summary>") == 3
    handles = re.findall(r"/comments/([0-9a-f]+)/hide", page)
    empty = client.post(
        url_for("petitions.hide_comment", petition_id=petition.id, handle=handles[0]), data={"reason": "   "}
    )
    assert empty.status_code == 302 and count_rows(HiddenComment) == 0
    client.post(
        url_for("petitions.hide_comment", petition_id=petition.id, handle=handles[0]),
        data={"reason": "Names a colleague"},
    )
    assert count_rows(HiddenComment) == 1
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "hid a signing comment"))
    hidden = db.session.scalars(select(HiddenComment)).one()
    client.logout()
    client.login(leadership)
    page = _page(client, petition)
    assert "Hidden by moderators:</strong> Names a colleague" in page
    assert sum(text in page for text in COMMENTS) == 2
    client.logout()
    client.login(organizer)
    client.post(url_for("petitions.unhide_comment", petition_id=petition.id, handle=hidden.signature_id))
    assert count_rows(HiddenComment) == 0
    assert all(text in _page(client, petition) for text in COMMENTS)
    missing = client.post(
        url_for("petitions.hide_comment", petition_id=petition.id, handle="0" * 32), data={"reason": "x"}
    )
    assert missing.status_code == 404


def test_only_organizers_moderate_comments(client, users, make_petition, make_user, sign):
    petition = _signed(make_petition, make_user, sign)
    from voicebox.models import Signature

    handle = db.session.scalars(select(Signature.id).where(Signature.comment_ciphertext.is_not(None))).first()
    for role in ("member", "leadership", "admin"):
        client.login(users[role])
        response = client.post(
            url_for("petitions.hide_comment", petition_id=petition.id, handle=handle), data={"reason": "x"}
        )
        assert response.status_code == 403
        client.logout()
    assert count_rows(HiddenComment) == 0


def test_organizer_quotes_ticked_comments_in_a_report_but_never_hidden_ones(
    client, organizer, make_petition, make_user, sign
):
    petition = _signed(make_petition, make_user, sign)
    client.login(organizer)
    today = coarse_date()
    form = {
        "title": "Voice of staff",
        "period_start": (today - timedelta(days=7)).isoformat(),
        "period_end": today.isoformat(),
        "narrative": "",
        "petitions": [petition.id],
    }
    client.post(url_for("reports.new"), data=form)
    report = db.session.scalars(select(Report)).one()
    edit = client.get(url_for("reports.edit", report_id=report.id)).get_data(as_text=True)
    choices = dict(
        (text, handle)
        for handle, text in re.findall(
            r'name="comments" type="checkbox" value="([0-9a-f]+)">\s*<label[^>]*>([^<]+)<', edit
        )
    )
    assert len(choices) == 3
    chosen = [h for t, h in choices.items() if "anxious" in t or "Zoë" in t]
    assert (
        client.post(
            url_for("reports.edit", report_id=report.id), data={**form, "comments": chosen}
        ).status_code
        == 302
    )
    client.post(url_for("reports.publish", report_id=report.id), data={"expected_version": "0"})
    snapshot = json.loads(db.session.scalars(select(ReportVersion.snapshot)).one())
    assert sorted(snapshot["petitions"][0]["comments"]) == [
        "The recording makes me anxious",
        "Zoë: please stop it",
    ]
    page = client.get(url_for("reports.detail", report_id=report.id)).get_data(as_text=True)
    assert "Zoë: please stop it" in page and "Screens are private" not in page

    client.post(
        url_for("petitions.hide_comment", petition_id=petition.id, handle=chosen[0]),
        data={"reason": "Too specific"},
    )
    refused = client.post(url_for("reports.edit", report_id=report.id), data={**form, "comments": chosen})
    assert "Quote only visible comments" in refused.get_data(as_text=True)
