"""Counters stay equal to rows when the same member acts from two places at once.

Separate processes (as gunicorn workers are), each with its own app, connection pool and
database session, meet at a barrier and act in the same instant. After every round the
counter must equal the rows it counts, and closing must be a barrier nothing crosses.
`VOICEBOX_RACE_ROUNDS=1000 python -m pytest tests/web/test_races.py` runs them at 1,000
rounds each (the suite's default keeps them to a few seconds).
"""

from __future__ import annotations

import os

import pytest
from flask import current_app
from sqlalchemy import func, select

from tests.support import both_engines, count_queued_now, run_races
from voicebox.anonymity import coarse_date
from voicebox.extensions import db
from voicebox.models import Concern, ConcernSupport, Petition, Signature
from voicebox.petitions import closing
from voicebox.unit_of_work import unit_of_work

ROUNDS = int(os.environ.get("VOICEBOX_RACE_ROUNDS", "25"))
pytestmark = pytest.mark.slow


def _act(job: tuple[str, str, str]) -> tuple[str, str]:
    """One member's action in a worker, in its own unit of work, as a request would be."""
    from voicebox.concerns import service as concerns
    from voicebox.petitions import service as petitions

    action, item_id, member_id = job
    app = current_app
    keys, secrets, today = app.extensions["voicebox.keys"], app.extensions["voicebox.secrets"], coarse_date()
    try:
        with unit_of_work(db.session):
            if action == "withdraw":
                petitions.remove_signature(item_id, member_id, keys=keys, secrets=secrets)
            elif action == "sign":
                petitions.sign_petition(
                    item_id, member_id, petitions.SignatureChoice(), keys=keys, today=today
                )
            elif action == "toggle":
                concerns.toggle_support(item_id, member_id, keys=keys, today=today)
            elif action == "close":
                closing.close_petition(
                    item_id, actor_role="organizer", today=today, secrets=secrets, keys=keys
                )
    except (petitions.PetitionError, concerns.ConcernError):
        return action, "refused"
    return action, "ok"


def _run_rounds(app, rounds: list[list[tuple[str, str, str]]]) -> list[list[tuple[str, str]]]:
    """Run each round's actions at once, one per process; the outcomes, round by round."""
    return run_races(app, rounds, _act)


def _signature_rows(petition_id: str) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Signature).where(Signature.petition_id == petition_id)
    )


@both_engines
def test_withdrawing_from_two_tabs_at_once_removes_one_signature_and_one_count(
    app, make_user, make_petition, sign
):
    petition = make_petition(goal=500)
    members = [make_user() for _ in range(ROUNDS)]
    for member in members:
        sign(petition, member)
    assert db.session.get(Petition, petition.id).signature_count == ROUNDS

    outcomes = _run_rounds(app, [[("withdraw", petition.id, m.id)] * 2 for m in members])

    assert all(sorted(result for _, result in outcome) == ["ok", "refused"] for outcome in outcomes)
    db.session.expire_all()
    assert db.session.get(Petition, petition.id).signature_count == _signature_rows(petition.id) == 0


@both_engines
def test_sign_withdraw_withdraw_at_once_leaves_the_counter_equal_to_the_rows(app, make_user, make_petition):
    petition = make_petition(goal=500)
    members = [make_user() for _ in range(ROUNDS)]

    _run_rounds(
        app,
        [
            [("sign", petition.id, m.id), ("withdraw", petition.id, m.id), ("withdraw", petition.id, m.id)]
            for m in members
        ],
    )
    count_queued_now(app)

    db.session.expire_all()
    assert db.session.get(Petition, petition.id).signature_count == _signature_rows(petition.id)


@both_engines
def test_me_too_toggled_from_two_tabs_at_once_keeps_the_count_exact(app, make_user, make_concern):
    concern, _receipt = make_concern()
    members = [make_user() for _ in range(ROUNDS)]

    _run_rounds(app, [[("toggle", concern.id, m.id)] * 2 for m in members])
    count_queued_now(app)

    db.session.expire_all()
    rows = db.session.scalar(
        select(func.count()).select_from(ConcernSupport).where(ConcernSupport.concern_id == concern.id)
    )
    assert db.session.get(Concern, concern.id).support_count == rows


@both_engines
def test_nothing_lands_on_a_petition_after_it_is_closed(app, make_user, make_petition):
    petitions = [make_petition(goal=500) for _ in range(8)]
    members = [make_user() for _ in range(3 * len(petitions))]
    rounds = [
        [("close", p.id, "")] + [("sign", p.id, m.id) for m in members[3 * i : 3 * i + 3]]
        for i, p in enumerate(petitions)
    ]

    outcomes = _run_rounds(app, rounds)

    db.session.expire_all()
    for petition, outcome in zip(petitions, outcomes, strict=True):
        acknowledged = sum(1 for action, result in outcome if action == "sign" and result == "ok")
        count_queued_now(app)
        row = db.session.get(Petition, petition.id)
        assert row.status == "closed"
        # Every signature acknowledged before the close is counted; none arrived after.
        assert row.signature_count == _signature_rows(petition.id) == acknowledged
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(Signature)
                .where(Signature.petition_id == petition.id, Signature.nullifier.is_not(None))
            )
            == 0
        )
