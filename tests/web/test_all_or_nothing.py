"""An action of several steps is one transaction: a failure between steps leaves nothing
half-done. Each test breaks one step (monkeypatch it to raise), then re-reads the rows."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import url_for
from sqlalchemy import select

from tests.support import PASSWORD, count_queued_now, count_rows, receipt_shown_on
from voicebox import create_app, pending
from voicebox.anonymity import coarse_date
from voicebox.auth import account
from voicebox.extensions import db
from voicebox.models import (
    AuditEvent,
    Concern,
    ConcernSupport,
    Cosponsorship,
    CountingWindow,
    Invite,
    PendingAction,
    Petition,
    Role,
    Signature,
    User,
)
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
    from voicebox.petitions import closing

    petition = make_petition(title="Close me")
    sign(petition, member)
    sign(petition, make_user(), counted=False)  # queued: closing counts it, then forgets who
    keys = app.extensions["voicebox.keys"]
    monkeypatch.setattr(closing, "record_event", _fail)
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


def _then_fail(real: Callable[..., Any]) -> Callable[..., Any]:
    """The real step, which does its writes, and then fails: what it wrote must not stay."""

    def step(*args: Any, **kwargs: Any) -> Any:
        real(*args, **kwargs)
        raise StepFailed("the step wrote, then failed")

    return step


def test_posting_a_concern_that_fails_once_queued_leaves_no_queued_action(
    client, member, make_category, monkeypatch
):
    category = make_category("Monitoring")
    windows_before = count_rows(CountingWindow)
    client.login(member)
    monkeypatch.setattr(pending, "queue_action", _then_fail(pending.queue_action))
    form = {"title": "Badge data", "body": "Badge swipes are kept for years.", "category": str(category.id)}
    with pytest.raises(StepFailed):
        client.post(url_for("concerns.new"), data=form)
    db.session.expire_all()
    assert count_rows(PendingAction) == 0
    assert count_rows(CountingWindow) == windows_before
    assert count_rows(Concern) == 0

    monkeypatch.undo()
    page = client.post(url_for("concerns.new"), data=form).get_data(as_text=True)
    assert receipt_shown_on(page)
    assert db.session.scalars(select(Concern)).one().category_id == category.id


def test_opening_a_draft_that_fails_at_its_last_step_keeps_its_co_sponsors(
    app, client, organizer, make_user, make_petition, monkeypatch
):
    from voicebox.petitions import drafts

    draft = make_petition(title="Quiet room", status="draft")
    for backer in (make_user(), make_user()):
        client.login(backer)
        client.post(url_for("petitions.cosponsor", petition_id=draft.id))
        client.logout()
    assert count_rows(Cosponsorship, Cosponsorship.petition_id == draft.id) == 2
    client.login(organizer)
    monkeypatch.setattr(drafts, "record_event", _fail)
    with pytest.raises(StepFailed):
        client.post(url_for("petitions.open_for_signing", petition_id=draft.id))
    db.session.expire_all()
    still = db.session.get(Petition, draft.id)
    assert still.is_draft and still.opened_on is None and still.cosponsor_count == 2
    assert count_rows(Cosponsorship, Cosponsorship.petition_id == draft.id) == 2

    monkeypatch.undo()
    client.post(url_for("petitions.open_for_signing", petition_id=draft.id))
    db.session.expire_all()
    assert db.session.get(Petition, draft.id).is_open
    assert count_rows(Cosponsorship, Cosponsorship.petition_id == draft.id) == 0


def test_hiding_a_concern_that_fails_at_its_audit_entry_leaves_it_visible(
    client, organizer, make_concern, monkeypatch
):
    from voicebox.concerns import moderation

    concern, _ = make_concern(title="Names someone")
    entries = count_rows(AuditEvent)
    client.login(organizer)
    monkeypatch.setattr(moderation, "record_event", _then_fail(moderation.record_event))
    with pytest.raises(StepFailed):
        client.post(url_for("concerns.hide", concern_id=concern.id), data={"reason": "Names a colleague"})
    db.session.expire_all()
    still = db.session.get(Concern, concern.id)
    assert not still.hidden and still.hidden_reason is None
    assert count_rows(AuditEvent) == entries

    monkeypatch.undo()
    client.post(url_for("concerns.hide", concern_id=concern.id), data={"reason": "Names a colleague"})
    db.session.expire_all()
    assert db.session.get(Concern, concern.id).hidden


def test_registering_that_fails_after_the_account_row_spends_no_invite_use(app, client, monkeypatch):
    from voicebox.auth import service as accounts

    with unit_of_work(db.session):
        code = accounts.create_invite(
            Role.MEMBER,
            uses=1,
            expires_on=None,
            pepper=app.extensions["voicebox.secrets"].pepper,
            actor_role="admin",
            today=coarse_date(),
        )
    form = {"invite_code": code, "username": "newcomer", "password": PASSWORD, "password_confirm": PASSWORD}
    monkeypatch.setattr(accounts, "create_user", _then_fail(accounts.create_user))
    with pytest.raises(StepFailed):
        client.post(url_for("auth.register"), data=form)
    db.session.expire_all()
    assert db.session.scalars(select(Invite)).one().uses == 0
    assert count_rows(User, User.username == "newcomer") == 0

    monkeypatch.undo()
    assert client.post(url_for("auth.register"), data=form).status_code == 302
    db.session.expire_all()
    assert db.session.scalars(select(Invite)).one().uses == 1
    assert count_rows(User, User.username == "newcomer") == 1


def _delete_account_and_die(config: dict[str, Any], user_id: str) -> None:
    """In a child process: delete the account as its view does, and die between two steps."""
    app = create_app(config)
    with app.app_context():
        # One signature withdrawn, the next about to be: the process ends there, with no
        # exception, no rollback and no clean-up of any kind.
        withdraw = account.petitions.remove_signature
        done: list[str] = []

        def withdraw_then_die(petition_id: str, *args: Any, **kwargs: Any) -> Any:
            if done:
                os._exit(3)
            done.append(petition_id)
            return withdraw(petition_id, *args, **kwargs)

        account.petitions.remove_signature = withdraw_then_die  # type: ignore[assignment]
        with unit_of_work(db.session):
            account.delete_account(
                user_id,
                PASSWORD,
                withdraw=True,
                secrets=app.extensions["voicebox.secrets"],
                keys=app.extensions["voicebox.keys"],
                policy=app.extensions["voicebox.password_policy"],
                today=coarse_date(),
            )
    os._exit(0)


def test_a_process_killed_while_deleting_an_account_leaves_it_and_its_signatures(
    app, member, make_petition, sign
):
    petitions = [make_petition(title="First"), make_petition(title="Second")]
    for petition in petitions:
        sign(petition, member)
    member_id, petition_ids = member.id, [petition.id for petition in petitions]
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    config = {
        "INSTANCE_PATH": app.instance_path,
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "AUTO_MIGRATE": False,
        "TESTING": True,
        "BACKGROUND_TICK": False,
    }
    db.session.remove()
    db.engine.dispose()
    child = multiprocessing.get_context("fork").Process(
        target=_delete_account_and_die, args=(config, member_id)
    )
    child.start()
    child.join(timeout=60)
    assert child.exitcode == 3, "the child should have died between the steps"

    assert db.session.get(User, member_id) is not None
    for petition_id in petition_ids:
        assert db.session.get(Petition, petition_id).signature_count == 1
        assert count_rows(Signature, Signature.petition_id == petition_id) == 1
    # The same deletion, not interrupted, goes through: the test above could have failed.
    with unit_of_work(db.session):
        account.delete_account(
            member_id,
            PASSWORD,
            withdraw=True,
            secrets=app.extensions["voicebox.secrets"],
            keys=app.extensions["voicebox.keys"],
            policy=app.extensions["voicebox.password_policy"],
            today=coarse_date(),
        )
    assert db.session.get(User, member_id) is None
    assert count_rows(Signature) == 0
