"""A token spent from two workers at the same instant counts once, on both engines.

Separate processes (as gunicorn workers are), each with its own app and connection pool,
meet at a barrier and redeem the same token; the counting window's unique tag and the
signatures' unique (petition, nullifier) index must let exactly one through.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from flask import current_app
from sqlalchemy import func, select

from tests.support import both_engines, count_queued_now, run_races
from tests.token_client import fetch_token
from voicebox import blind_rsa
from voicebox.anonymity import coarse_date
from voicebox.extensions import db
from voicebox.models import Concern, ConcernSupport, Petition, Signature
from voicebox.unit_of_work import unit_of_work

ROUNDS = int(os.environ.get("VOICEBOX_RACE_ROUNDS", "8"))
WORKERS = 3
pytestmark = pytest.mark.slow


def _spend(job: tuple[Any, ...]) -> str:
    """One redemption, account signature or token issuance in a worker, in its own unit."""
    from voicebox.petitions import service as petitions
    from voicebox.tokens import items, service

    action, item_id, *rest = job
    keys, today = current_app.extensions["voicebox.keys"], coarse_date()
    try:
        with unit_of_work(db.session):
            if action == "redeem-support":
                message, signature = rest
                items.redeem("support", item_id, message, signature, keys=keys, today=today)
            elif action == "redeem":
                message, signature = rest
                service.redeem_token(
                    item_id, message, signature, petitions.SignatureChoice(), keys=keys, today=today
                )
            elif action == "keys":
                return next(
                    key.public_key_der.hex()
                    for key in service.token_keys(keys=keys, today=today)
                    if key.item_id == item_id
                )
            elif action == "sign":
                petitions.sign_petition(item_id, rest[0], petitions.SignatureChoice(), keys=keys, today=today)
            else:
                member_id, blinded = rest
                item = ("signature", item_id)
                answer = service.issue_tokens(member_id, {item: blinded}, keys=keys, today=today)
                if not isinstance(answer[item], bytes):
                    raise petitions.PetitionError(answer[item])
    except (petitions.AlreadySigned, items.AlreadyCounted):
        return "already"
    except petitions.PetitionError:
        return "refused"
    return "ok"


def _run(app, rounds: list[list[tuple[Any, ...]]]) -> list[list[str]]:
    """Each round's jobs at once, one per worker process; the sorted outcomes per round."""
    return [sorted(outcome) for outcome in run_races(app, rounds, _spend)]


def test_workers_asking_for_a_new_petitions_token_key_at_once_all_get_the_one_stored(
    app, make_petition
) -> None:
    from voicebox.tokens import service

    petitions = [make_petition().id for _ in range(2 * ROUNDS)]
    outcomes = _run(app, [[("keys", petition_id)] * WORKERS for petition_id in petitions])
    keys = app.extensions["voicebox.keys"]
    for petition_id, outcome in zip(petitions, outcomes, strict=True):
        stored = service.load_key("signature", petition_id, keys)
        assert stored is not None
        assert outcome == [blind_rsa.public_key_der(stored).hex()] * WORKERS


@both_engines
def test_one_token_spent_by_several_workers_at_once_signs_once(app, client, make_user, make_petition) -> None:
    petition_id = make_petition(goal=500).id
    tokens = []
    for _ in range(ROUNDS):
        client.login(make_user())
        tokens.append(fetch_token(client, petition_id))
        client.logout()
    outcomes = _run(app, [[("redeem", petition_id, t.message, t.signature)] * WORKERS for t in tokens])
    assert all(outcome == ["already"] * (WORKERS - 1) + ["ok"] for outcome in outcomes), outcomes
    count_queued_now(app)
    rows = db.session.scalar(
        select(func.count()).select_from(Signature).where(Signature.petition_id == petition_id)
    )
    assert db.session.get(Petition, petition_id).signature_count == rows == ROUNDS


@both_engines
def test_one_support_token_spent_by_several_workers_at_once_says_me_too_once(
    app, client, make_user, make_concern
) -> None:
    concern_id = make_concern()[0].id
    tokens = []
    for _ in range(ROUNDS):
        client.login(make_user())
        tokens.append(fetch_token(client, concern_id, scope="support"))
        client.logout()
    outcomes = _run(app, [[("redeem-support", concern_id, t.message, t.signature)] * WORKERS for t in tokens])
    assert all(outcome == ["already"] * (WORKERS - 1) + ["ok"] for outcome in outcomes), outcomes
    count_queued_now(app)
    rows = db.session.scalar(
        select(func.count()).select_from(ConcernSupport).where(ConcernSupport.concern_id == concern_id)
    )
    assert db.session.get(Concern, concern_id).support_count == rows == ROUNDS


@both_engines
def test_account_signing_and_token_issuance_at_once_never_both_succeed(
    app, client, make_user, make_petition
) -> None:
    from tests import blind_client
    from tests.token_client import public_keys
    from voicebox.tokens import service

    petition_id = make_petition(goal=500).id
    members = [make_user() for _ in range(ROUNDS)]
    client.login(members[0])
    public = blind_rsa.load_public_key(public_keys(client)[petition_id])
    member_ids = [member.id for member in members]
    rounds = []
    for member_id in member_ids:
        blinded = blind_client.blind(
            public, service.token_message(petition_id, "a b c d e f g h " + member_id)
        )
        rounds.append(
            [("sign", petition_id, member_id), ("issue", petition_id, member_id, blinded.blinded_msg)]
        )
    outcomes = _run(app, rounds)
    assert all(outcome == ["ok", "refused"] for outcome in outcomes), outcomes
