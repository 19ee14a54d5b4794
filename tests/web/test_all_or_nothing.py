"""An action of several steps is one transaction: a failure between steps leaves nothing
half-done. Each test breaks one step (monkeypatch it to raise), then re-reads the rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import url_for
from sqlalchemy import select

from tests.support import PASSWORD, count_queued_now, count_rows
from voicebox.anonymity import coarse_date
from voicebox.auth import account
from voicebox.extensions import db
from voicebox.models import Concern, ConcernSupport, PendingAction, Petition, Signature, User
from voicebox.unit_of_work import unit_of_work


class StepFailed(RuntimeError):
    pass


def _fail(*_args: object, **_kwargs: object) -> None:
    raise StepFailed("a step of the action failed")


def test_account_deletion_that_fails_after_withdrawing_leaves_everything_in_place(
    app, client, member, make_petition, make_concern, sign, monkeypatch
):
    from voicebox.concerns import service as concerns

    first, second = make_petition(title="First"), make_petition(title="Second")
    sign(first, member)
    concern, _ = make_concern(title="Backed")
    with unit_of_work(db.session):
        concerns.toggle_support(
            concern.id, member.id, keys=app.extensions["voicebox.keys"], today=concern.created_on
        )
    count_queued_now(app)
    sign(second, member, counted=False)  # still queued when the account goes
    assert count_rows(PendingAction) == 1
    member_id = member.id
    # The last step before the user row goes: the signatures and supports were already taken.
    monkeypatch.setattr(account, "add_to_column", _fail)
    client.login(member)
    with pytest.raises(StepFailed):
        client.post(url_for("account.delete"), data={"withdraw": "y", "password": PASSWORD})
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(User, member_id) is not None
    assert db.session.get(Petition, first.id).signature_count == 1
    assert count_rows(Signature, Signature.petition_id == first.id) == 1
    # The queued signature is still there: queued, or counted if a window closed meanwhile.
    assert count_rows(PendingAction) + count_rows(Signature, Signature.petition_id == second.id) == 1
    assert count_rows(ConcernSupport) == 1
    assert db.session.get(Concern, concern.id).support_count == 1

    monkeypatch.undo()
    client.post(url_for("account.delete"), data={"withdraw": "y", "password": PASSWORD})
    db.session.expire_all()
    assert db.session.get(User, member_id) is None
    assert count_rows(Signature) == 0 and count_rows(ConcernSupport) == 0
    assert count_rows(PendingAction) == 0
    assert db.session.get(Petition, first.id).signature_count == 0


def test_closing_that_fails_at_its_last_step_leaves_the_petition_open_and_its_key(
    app, client, organizer, member, make_user, make_petition, sign, monkeypatch
):
    from voicebox.petitions import service as petitions

    petition = make_petition(title="Close me")
    sign(petition, member)
    sign(petition, make_user(), counted=False)  # queued: closing counts it, then forgets who
    keys = app.extensions["voicebox.keys"]
    monkeypatch.setattr(petitions, "record_event", _fail)
    client.login(organizer)
    with pytest.raises(StepFailed):
        client.post(url_for("petitions.close", petition_id=petition.id))
    db.session.rollback()
    db.session.expire_all()
    still = db.session.get(Petition, petition.id)
    assert still.is_open and still.closed_on is None and still.author_nullifier is not None
    assert keys.exists("petition", petition.id)
    assert count_rows(
        Signature, Signature.petition_id == petition.id, Signature.nullifier.is_not(None)
    ) == count_rows(Signature, Signature.petition_id == petition.id)
    assert count_rows(PendingAction) + count_rows(Signature, Signature.petition_id == petition.id) == 2

    monkeypatch.undo()
    client.post(url_for("petitions.close", petition_id=petition.id))
    db.session.expire_all()
    assert db.session.get(Petition, petition.id).status == "closed"
    assert not keys.exists("petition", petition.id)
    assert count_rows(Signature, Signature.nullifier.is_not(None)) == 0
    assert db.session.get(Petition, petition.id).signature_count == 2


def test_publishing_that_fails_at_its_last_step_makes_no_version(
    client, organizer, make_petition, monkeypatch
):
    from voicebox.models import Report, ReportVersion
    from voicebox.reports import service as reports

    petition = make_petition(title="Reported")
    client.login(organizer)
    today = coarse_date()
    client.post(
        url_for("reports.new"),
        data={
            "title": "Quarterly",
            "period_start": (today - timedelta(days=30)).isoformat(),
            "period_end": today.isoformat(),
            "narrative": "Staff spoke up.",
            "petitions": [petition.id],
        },
    )
    report = db.session.scalars(select(Report)).one()
    monkeypatch.setattr(reports, "record_event", _fail)
    with pytest.raises(StepFailed):
        client.post(url_for("reports.publish", report_id=report.id), data={"expected_version": "0"})
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(Report, report.id).latest_version == 0
    assert count_rows(ReportVersion) == 0
    monkeypatch.undo()
    client.post(url_for("reports.publish", report_id=report.id), data={"expected_version": "0"})
    db.session.expire_all()
    assert db.session.get(Report, report.id).latest_version == 1
    assert count_rows(ReportVersion) == 1
