"""Many members signing at the same moment: the counter equals the rows, exactly."""

from __future__ import annotations

import threading

from flask import url_for
from sqlalchemy import func, select

from tests.support import count_queued_now
from voicebox.extensions import db
from voicebox.models import PendingAction, Petition, PetitionDayTally, Role, Signature

SIGNERS = 24


def _sign_in_threads(app, jobs) -> list[int]:
    """Run each (client, url) job in its own thread, all released at once."""
    barrier = threading.Barrier(len(jobs))
    statuses: list[int] = []
    lock = threading.Lock()

    def run(client, url):
        barrier.wait()
        response = client.post(url)
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=run, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses


def test_concurrent_signatures_are_counted_exactly(app, make_user, make_petition):
    petition = make_petition()
    url = url_for("petitions.sign", petition_id=petition.id)
    jobs = []
    for i in range(SIGNERS):
        client = app.test_client()
        client.login(make_user(Role.MEMBER, f"crowd{i}"))
        jobs.append((client, url))

    statuses = _sign_in_threads(app, jobs)

    assert statuses == [302] * SIGNERS
    # Each request's client flushed the windows after it, concurrently with the others'
    # signing; one more flush finds nothing left behind.
    assert count_queued_now(app) == 0
    assert db.session.scalar(select(func.count()).select_from(PendingAction)) == 0
    rows = db.session.scalar(
        select(func.count()).select_from(Signature).where(Signature.petition_id == petition.id)
    )
    reloaded = db.session.get(Petition, petition.id)
    day_total = db.session.scalar(
        select(func.sum(PetitionDayTally.signatures)).where(PetitionDayTally.petition_id == petition.id)
    )
    assert rows == reloaded.signature_count == day_total == SIGNERS


def test_one_member_double_submitting_from_two_tabs_signs_once(app, member, make_petition):
    petition = make_petition()
    url = url_for("petitions.sign", petition_id=petition.id)
    tabs = []
    for _ in range(2):
        tab = app.test_client()
        tab.login(member)
        tabs.append((tab, url))

    assert _sign_in_threads(app, tabs) == [302, 302]
    count_queued_now(app)

    reloaded = db.session.get(Petition, petition.id)
    assert reloaded.signature_count == 1
    assert len(db.session.scalars(select(Signature)).all()) == 1
