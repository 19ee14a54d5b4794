"""The key member flows on both engines: sign, double-sign, withdraw, close, and the tally.

The PostgreSQL runs need VOICEBOX_TEST_DATABASE_URL (`.ci/run` sets it when a server
answers); without it they are skipped with "skipped: no PostgreSQL".
"""

from __future__ import annotations

from flask import url_for
from sqlalchemy import select

from tests.support import both_engines, count_queued_now, count_rows
from voicebox.extensions import db
from voicebox.models import Petition, PetitionDayTally, Signature
from voicebox.unit_of_work import unit_of_work


def _tally(petition_id: str) -> int:
    db.session.expire_all()
    return db.session.get(Petition, petition_id).signature_count


@both_engines
def test_sign_once_then_withdraw_keeps_tally_and_rows_in_step(app, client, member, make_petition):
    petition = make_petition()
    client.login(member)
    page_url = url_for("petitions.detail", petition_id=petition.id)

    first = client.post(url_for("petitions.sign", petition_id=petition.id), data={"display_name": "Mira"})
    assert first.status_code == 302
    assert first.headers["Location"].endswith(page_url)
    page = client.get(page_url).get_data(as_text=True)
    assert "Your signature joins the count within a minute" in page
    assert "You have signed this petition." in page
    assert _tally(petition.id) == 1

    again = client.post(url_for("petitions.sign", petition_id=petition.id), follow_redirects=True)
    assert "already signed" in again.get_data(as_text=True)
    assert _tally(petition.id) == 1
    assert count_rows(Signature, Signature.petition_id == petition.id) == 1
    day = db.session.scalars(
        select(PetitionDayTally).where(PetitionDayTally.petition_id == petition.id)
    ).one()
    assert day.signatures == 1

    withdrawn = client.post(url_for("petitions.withdraw", petition_id=petition.id), follow_redirects=True)
    assert "withdrawn and removed" in withdrawn.get_data(as_text=True)
    assert _tally(petition.id) == 0
    assert count_rows(Signature, Signature.petition_id == petition.id) == 0


@both_engines
def test_closing_forgets_links_and_refuses_signatures(
    app, client, member, organizer, make_user, make_petition
):
    petition = make_petition()
    client.login(member)
    client.post(url_for("petitions.sign", petition_id=petition.id))
    client.logout()

    client.login(organizer)
    keys = app.extensions["voicebox.keys"]
    assert keys.exists("petition", petition.id)
    closed = client.post(url_for("petitions.close", petition_id=petition.id), follow_redirects=True)
    assert "Closed. Signing has stopped, and nobody can ever find out who signed." in closed.get_data(
        as_text=True
    )
    db.session.expire_all()
    assert db.session.get(Petition, petition.id).is_closed
    # The key never was in the database; now its key-store file is gone too.
    assert not keys.exists("petition", petition.id)
    assert keys.get("petition", petition.id) is None
    nullifiers = select(Signature.nullifier).where(Signature.petition_id == petition.id)
    assert db.session.scalars(nullifiers).all() == [None]
    client.logout()

    latecomer = make_user()
    client.login(latecomer)
    refused = client.post(url_for("petitions.sign", petition_id=petition.id), follow_redirects=True)
    assert "This petition is closed." in refused.get_data(as_text=True)
    assert _tally(petition.id) == 1


@both_engines
def test_many_members_each_counted_once(app, make_user, make_petition):
    from voicebox.petitions import service

    petition = make_petition()
    members = [make_user() for _ in range(12)]
    secrets = app.extensions["voicebox.secrets"]
    keys = app.extensions["voicebox.keys"]
    for signer in members:
        with unit_of_work(db.session):
            service.sign_petition(
                petition.id, signer.id, service.SignatureChoice(), keys=keys, today=petition.opened_on
            )
    # Two withdraw while still queued (they just leave the queue), two once counted.
    for signer in members[:2]:
        with unit_of_work(db.session):
            service.remove_signature(petition.id, signer.id, keys=keys, secrets=secrets)
    assert _tally(petition.id) == 0
    assert count_queued_now(app) == 10
    assert _tally(petition.id) == 10
    for signer in members[2:4]:
        with unit_of_work(db.session):
            service.remove_signature(petition.id, signer.id, keys=keys, secrets=secrets)
    assert count_queued_now(app) == 0
    assert _tally(petition.id) == 8
    assert count_rows(Signature, Signature.petition_id == petition.id) == 8
