"""Time-driven work happens without page views: `flask voicebox tick` and the background.

Counting windows are flushed, due petitions close (each in the audit log), threshold
crossings are recorded — and no GET request writes to the database, so reading a page
leaves no trace of who read it or when.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import url_for
from sqlalchemy import select, text, update

from tests.support import both_engines, count_queued_now, count_rows, recorded_writes
from tests.web.test_templates_never_query import PAGES_BY_ROLE, _item_pages
from voicebox import pending
from voicebox.anonymity import coarse_date
from voicebox.extensions import db
from voicebox.models import AuditEvent, Petition, Signature


def _tick(app):
    result = app.test_cli_runner().invoke(args=["voicebox", "tick"])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_queued_signature_is_counted_by_the_tick_not_before(app, member, make_petition, sign):
    petition = make_petition()
    sign(petition, member, counted=False)
    assert db.session.get(Petition, petition.id).signature_count == 0
    assert db.session.scalars(select(Signature)).first() is None

    output = _tick(app)

    assert "Counted 1 queued signatures, supports and concerns." in output
    db.session.expire_all()
    assert db.session.get(Petition, petition.id).signature_count == 1


def test_the_tick_closes_an_overdue_petition_destroys_its_key_and_says_so(app, make_petition, sign, member):
    petition = make_petition()
    sign(petition, member)
    yesterday = coarse_date() - timedelta(days=1)
    db.session.execute(update(Petition).where(Petition.id == petition.id).values(closes_on=yesterday))
    db.session.commit()

    output = _tick(app)

    assert "Closed 1 petitions past their closing date." in output
    db.session.expire_all()
    closed = db.session.get(Petition, petition.id)
    assert closed.status == "closed" and closed.closed_on == yesterday
    assert not app.extensions["voicebox.keys"].exists("petition", petition.id)
    assert db.session.scalar(select(Signature.nullifier).where(Signature.petition_id == petition.id)) is None
    events = db.session.scalars(select(AuditEvent.action).where(AuditEvent.subject == petition.title)).all()
    assert "closed a petition on its closing date" in events
    # A second tick finds nothing more to do.
    assert "Closed 0 petitions" in _tick(app)


def test_signing_an_overdue_petition_is_refused_even_before_the_tick(client, member, make_petition):
    petition = make_petition()
    db.session.execute(
        update(Petition).where(Petition.id == petition.id).values(closes_on=coarse_date() - timedelta(days=1))
    )
    db.session.commit()
    client.login(member)

    response = client.post(url_for("petitions.sign", petition_id=petition.id), follow_redirects=True)

    assert "This petition closed on its closing date." in response.get_data(as_text=True)
    assert db.session.get(Petition, petition.id).signature_count == 0


@pytest.fixture
def demo_app(app):
    result = app.test_cli_runner().invoke(args=["voicebox", "demo"])
    assert result.exit_code == 0, result.output
    return app


@pytest.mark.parametrize("username", sorted(PAGES_BY_ROLE))
def test_no_page_view_writes_to_the_database(demo_app, username):
    client = demo_app.test_client()
    client.login(username, "lantern-quarry-demo-58")
    # An overdue petition used to be closed by whoever opened the list next.
    db.session.execute(
        update(Petition).where(Petition.status == "open").values(closes_on=coarse_date() - timedelta(days=1))
    )
    db.session.commit()
    client.count_after_requests = False
    pages = [url_for(endpoint) for endpoint in PAGES_BY_ROLE[username]] + _item_pages()

    with recorded_writes(demo_app) as writes:
        for page in pages:
            assert client.get(page).status_code in {200, 403, 404}

    assert writes == []


def test_the_server_counts_in_the_background_without_any_page_view(app, member, make_petition):
    import time

    from voicebox.tick import init_background

    app.config.update(BACKGROUND_TICK=True, COUNT_INTERVAL_SECONDS=1)
    init_background(app)  # as create_app does when the background is on (the default)
    petition = make_petition()
    client = app.test_client()
    client.count_after_requests = False
    client.login(member)
    client.post(url_for("petitions.sign", petition_id=petition.id))
    try:
        deadline = time.monotonic() + 15
        count = 0
        while time.monotonic() < deadline and count == 0:
            time.sleep(0.2)
            db.session.expire_all()
            count = db.session.get(Petition, petition.id).signature_count
    finally:
        app.extensions["voicebox.background"]["stop"].set()
    assert count == 1


@both_engines
def test_a_signature_whose_window_is_counted_as_it_is_queued_lands_in_the_next_one(
    app, client, member, make_user, make_petition, sign, monkeypatch
):
    petition = make_petition()
    client.login(member)
    sign(petition, make_user(), counted=False)  # something to count, so the flush closes the window
    real_current_window = pending.current_window

    def counted_meanwhile(session, keys):
        found = real_current_window(session, keys)
        monkeypatch.setattr(pending, "current_window", real_current_window)
        count_queued_now(app)  # another worker's flush, between our read and our write
        return found

    monkeypatch.setattr(pending, "current_window", counted_meanwhile)
    response = client.post(url_for("petitions.sign", petition_id=petition.id), follow_redirects=True)

    assert "Thank you for signing." in response.get_data(as_text=True)
    count_queued_now(app)
    db.session.expire_all()
    assert db.session.get(Petition, petition.id).signature_count == 2
    assert count_rows(Signature, Signature.petition_id == petition.id) == 2


@pytest.mark.postgres
@pytest.mark.parametrize("database_engine", ["postgresql"], indirect=True)
def test_a_tick_leaves_a_window_to_the_worker_already_counting(app, member, make_petition, sign):
    petition = make_petition()
    sign(petition, member, counted=False)
    counting = db.engine.connect()  # another worker, in the middle of counting
    try:
        counting.execute(text("SELECT pg_advisory_lock(:lock)"), {"lock": pending._FLUSH_LOCK})
        assert count_queued_now(app) == 0  # at once: no wait into the statement timeout
        counting.execute(text("SELECT pg_advisory_unlock(:lock)"), {"lock": pending._FLUSH_LOCK})
    finally:
        counting.close()
    assert count_queued_now(app) == 1
    assert db.session.get(Petition, petition.id).signature_count == 1
