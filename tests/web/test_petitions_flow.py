"""A member starts a petition, colleagues sign and withdraw, the tally follows."""

from __future__ import annotations

from datetime import timedelta

from flask import url_for
from sqlalchemy import select

from tests.support import count_rows
from voicebox.anonymity import coarse_date
from voicebox.crypto import decrypt_text
from voicebox.extensions import db
from voicebox.models import AuditEvent, Petition, PetitionStatus, Role, Signature
from voicebox.petitions import breakdown
from voicebox.petitions.counting import comment_context
from voicebox.settings import instance_settings
from voicebox.tick import run_tick
from voicebox.unit_of_work import unit_of_work


def test_member_starts_a_draft_that_names_no_author(client, member):
    client.login(member)
    response = client.post(
        url_for("petitions.new"),
        data={
            "title": "Stop the screen recorder",
            "body": "Please **stop** it.",
            "goal": "500",
            "closes_on": (coarse_date() + timedelta(days=20)).isoformat(),
        },
    )
    petition = db.session.scalars(select(Petition)).one()
    assert response.status_code == 302
    assert response.headers["Location"].endswith(url_for("petitions.detail", petition_id=petition.id))
    assert petition.status == PetitionStatus.DRAFT
    assert petition.goal == 500
    page = client.get(url_for("petitions.detail", petition_id=petition.id)).get_data(as_text=True)
    assert "You started this draft" in page
    assert "<strong>stop</strong>" in page
    assert member.username not in page.split("</header>")[1]


def _sign(client, petition, **fields):
    return client.post(url_for("petitions.sign", petition_id=petition.id), data=fields)


def _page(client, petition) -> str:
    return client.get(url_for("petitions.detail", petition_id=petition.id)).get_data(as_text=True)


def test_a_member_signs_sees_the_tally_rise_withdraws_and_sees_it_fall(client, member, make_petition):
    petition = make_petition(goal=10)
    client.login(member)
    assert 'id="signature-count"><strong>0</strong>' in _page(client, petition)

    response = _sign(client, petition)
    assert response.status_code == 302
    assert response.headers["Location"] == url_for("petitions.detail", petition_id=petition.id)
    page = _page(client, petition)
    assert 'id="signature-count"><strong>1</strong>' in page
    assert "Your signature joins the count within a minute" in page
    assert "You have signed this petition" in page
    assert db.session.get(Petition, petition.id).signature_count == 1

    client.post(url_for("petitions.withdraw", petition_id=petition.id))
    page = _page(client, petition)
    assert 'id="signature-count"><strong>0</strong>' in page
    assert "withdrawn" in page
    assert count_rows(Signature, Signature.petition_id == petition.id) == 0
    assert db.session.get(Petition, petition.id).signature_count == 0


def test_the_thanks_for_signing_shows_once_and_the_session_cookie_is_not_rewritten(
    client, member, make_petition
):
    petition = make_petition()
    client.login(member)
    session_before = client.get_cookie("session").value

    response = _sign(client, petition)

    assert not any(cookie.startswith("session=") for cookie in response.headers.getlist("Set-Cookie"))
    assert client.get_cookie("session").value == session_before
    thanks = '<p class="flash flash-success">Thank you for signing.</p>'
    assert thanks in _page(client, petition)
    assert thanks not in _page(client, petition)  # shown once, as a flash is


def test_signing_twice_is_refused_with_a_message_not_an_error(client, member, make_petition):
    petition = make_petition()
    client.login(member)
    _sign(client, petition)
    # A second tab still showing the form posts again.
    response = _sign(client, petition)
    assert response.status_code == 302
    assert "You have already signed this petition." in _page(client, petition)
    assert count_rows(Signature, Signature.petition_id == petition.id) == 1
    assert db.session.get(Petition, petition.id).signature_count == 1


def test_the_page_shows_goal_share_of_headcount_days_left_and_only_public_names(
    client, make_user, make_petition
):
    settings = instance_settings()
    settings.headcount = 1600
    db.session.commit()
    petition = make_petition(goal=800, closes_on=coarse_date() + timedelta(days=12))
    public, private = make_user(Role.MEMBER, "pat"), make_user(Role.MEMBER, "quinn")
    for user, name in ((public, "Pat from Support"), (private, "")):
        client.login(user)
        _sign(client, petition, display_name=name)
        client.logout()
    client.login(make_user(Role.MEMBER, "reader"))
    page = _page(client, petition)
    assert 'id="signature-count"><strong>2</strong>' in page
    assert '<span id="goal-percent">0%</span> of the goal of 800' in page
    assert '<span id="headcount-percent">0.1%</span> of 1,600' in page
    assert 'id="days-left">12<' in page
    assert "Pat from Support" in page
    assert "quinn" not in page and "pat<" not in page


def test_a_signer_may_add_a_group_and_a_comment_which_is_stored_encrypted(
    app, client, member, make_petition, make_group
):
    petition = make_petition()
    group = make_group("Warehouse", "site")
    client.login(member)
    _sign(client, petition, group=str(group.id), comment="They read my DMs")
    signature = db.session.scalars(select(Signature)).one()
    data_key = app.extensions["voicebox.secrets"].data_key
    # The group is sealed, on the signature and in the petition's breakdown: no plaintext
    # group column, and only the data key opens either.
    assert not hasattr(signature, "group_id")
    assert breakdown.open_group(data_key, signature.id, signature.group_ciphertext) == group.id
    assert breakdown.open_group(b"\x00" * len(data_key), signature.id, signature.group_ciphertext) is None
    assert breakdown.read_cells(db.session, data_key, petition.id) == {(group.id, signature.signed_on): 1}
    assert b"They read my DMs" not in signature.comment_ciphertext
    assert decrypt_text(data_key, signature.comment_ciphertext, comment_context(signature.id)) == (
        "They read my DMs"
    )


def test_an_unknown_group_is_refused_and_nothing_is_stored(client, member, make_petition):
    petition = make_petition()
    client.login(member)
    for bogus in ("999", "not-a-number"):
        _sign(client, petition, group=bogus)
        assert "Choose a group from the list" in _page(client, petition)
    assert count_rows(Signature) == 0
    assert db.session.get(Petition, petition.id).signature_count == 0


def test_an_overlong_public_name_is_refused(client, member, make_petition):
    petition = make_petition()
    client.login(member)
    _sign(client, petition, display_name="x" * 61)
    assert "Keep the public name under 60 characters." in _page(client, petition)
    assert count_rows(Signature) == 0


def test_a_closed_petition_cannot_be_signed_or_withdrawn_and_says_so(app, client, member, make_petition):
    petition = make_petition()
    client.login(member)
    _sign(client, petition)
    from voicebox.petitions.closing import close_petition

    with unit_of_work(db.session):
        close_petition(
            petition.id,
            actor_role="organizer",
            today=coarse_date(),
            secrets=app.extensions["voicebox.secrets"],
            keys=app.extensions["voicebox.keys"],
        )
    page = _page(client, petition)
    assert "This petition is closed" in page
    assert "nobody can ever find out who signed" in page
    assert "key" not in page.split("closed-note")[1].split("</p>")[0]
    assert "Withdraw my signature" not in page

    client.post(url_for("petitions.withdraw", petition_id=petition.id))
    refused = _page(client, petition)
    assert "can no longer be traced to anyone, so they can&#39;t be withdrawn." in refused
    assert count_rows(Signature) == 1
    _sign(client, petition)
    assert count_rows(Signature) == 1


def test_a_petition_past_its_closing_date_closes_by_itself(app, client, member, make_petition):
    petition = make_petition(closes_on=coarse_date() + timedelta(days=1))
    petition.closes_on = coarse_date() - timedelta(days=1)
    db.session.commit()
    keys = app.extensions["voicebox.keys"]
    client.login(member)
    # No page view closes anything (a GET writes nothing), but signing is refused at once.
    _page(client, petition)
    assert db.session.get(Petition, petition.id).status == PetitionStatus.OPEN
    _sign(client, petition)
    assert "This petition closed on its closing date." in _page(client, petition)
    assert count_rows(Signature) == 0
    # The tick (background thread, or `flask voicebox tick`) closes it and destroys its key.
    summary = run_tick(app.extensions["voicebox.secrets"], keys, coarse_date())
    assert summary.closed_petitions == 1
    reloaded = db.session.get(Petition, petition.id)
    assert reloaded.status == PetitionStatus.CLOSED
    assert reloaded.closed_on == petition.closes_on
    assert not keys.exists("petition", petition.id)
    assert count_rows(AuditEvent, AuditEvent.action == "closed a petition on its closing date") == 1
    assert "This petition is closed" in _page(client, petition)
    assert run_tick(app.extensions["voicebox.secrets"], keys, coarse_date()).closed_petitions == 0


def test_a_draft_cannot_be_signed(client, member, make_petition):
    petition = make_petition(status="draft")
    client.login(member)
    _sign(client, petition)
    assert "still a draft" in _page(client, petition)
    assert count_rows(Signature) == 0


def test_an_unknown_petition_is_404(client, member):
    client.login(member)
    assert client.get(url_for("petitions.detail", petition_id="nope")).status_code == 404
    assert client.post(url_for("petitions.sign", petition_id="nope")).status_code == 404


def test_the_listing_groups_petitions_by_stage(client, member, make_petition):
    make_petition(title="Open one")
    make_petition(title="Draft one", status="draft")
    make_petition(title="Closed one", status="closed")
    client.login(member)
    page = client.get(url_for("petitions.index")).get_data(as_text=True)
    assert page.index("Open for signatures") < page.index("Open one")
    assert page.index("Drafts looking for co-sponsors") < page.index("Draft one")
    assert page.index("Closed</h2>") < page.index("Closed one")


def test_leadership_reads_petitions_but_not_drafts_and_cannot_sign(client, leadership, make_petition):
    open_petition = make_petition(title="Open one")
    draft = make_petition(title="Draft one", status="draft")
    client.login(leadership)
    listing = client.get(url_for("petitions.index")).get_data(as_text=True)
    assert "Open one" in listing and "Draft one" not in listing
    assert client.get(url_for("petitions.detail", petition_id=draft.id)).status_code == 404
    assert "doesn't sign them" in _page(client, open_petition)
    assert _sign(client, open_petition).status_code == 403
    assert count_rows(Signature) == 0


def test_signed_out_visitors_are_sent_to_sign_in(client, make_petition):
    petition = make_petition()
    response = client.get(url_for("petitions.detail", petition_id=petition.id))
    assert response.status_code == 302
    assert response.headers["Location"].startswith(url_for("auth.login"))
    assert client.post(url_for("petitions.sign", petition_id=petition.id)).status_code == 302
    assert count_rows(Signature) == 0


def test_the_live_tally_follows_signatures_as_json(client, member, make_petition):
    settings = instance_settings()
    settings.headcount = 400
    db.session.commit()
    petition = make_petition(goal=8)
    client.login(member)
    url = url_for("petitions.tally", petition_id=petition.id)
    assert client.get(url).get_json() == {
        "count": 0,
        "goal": 8,
        "goal_percent": 0.0,
        "headcount_percent": 0.0,
        "status": "open",
    }
    _sign(client, petition)
    assert client.get(url).get_json()["count"] == 1
    assert client.get(url).get_json()["goal_percent"] == 12.5
    page = _page(client, petition)
    assert f'data-tally-url="{url}"' in page
    assert "js/live-tally.js" in page


def test_the_live_tally_of_a_draft_or_unknown_petition_is_404(client, member, make_petition):
    draft = make_petition(status="draft")
    client.login(member)
    assert client.get(url_for("petitions.tally", petition_id=draft.id)).status_code == 404
    assert client.get(url_for("petitions.tally", petition_id="nope")).status_code == 404
    client.logout()
    assert client.get(url_for("petitions.tally", petition_id=draft.id)).status_code == 302
