"""A token spent from two workers at the same instant counts once, on both engines.

Separate processes (as gunicorn workers are), each with its own app and connection pool,
meet at a barrier and redeem the same token; the counting window's unique tag and the
signatures' unique (petition, nullifier) index must let exactly one through.
"""

from __future__ import annotations

import multiprocessing
import os
import traceback
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.support import both_engines, count_queued_now
from tests.token_client import fetch_token
from voicebox import create_app
from voicebox.anonymity import coarse_date
from voicebox.extensions import db
from voicebox.models import Concern, ConcernSupport, Petition, Signature

ROUNDS = int(os.environ.get("VOICEBOX_RACE_ROUNDS", "8"))
WORKERS = 3
pytestmark = pytest.mark.slow


def _spender(config: dict[str, Any], jobs: Any, results: Any, barrier: Any) -> None:
    from voicebox.petitions import service as petitions
    from voicebox.tokens import items, service
    from voicebox.unit_of_work import unit_of_work

    app = create_app(config)
    with app.app_context():
        keys, today = app.extensions["voicebox.keys"], coarse_date()
        while (job := jobs.get()) is not None:
            action, petition_id, *rest = job
            barrier.wait()
            try:
                if action == "redeem-support":
                    message, signature = rest
                    with unit_of_work(db.session):
                        items.redeem("support", petition_id, message, signature, keys=keys, today=today)
                elif action == "redeem":
                    message, signature = rest
                    service.redeem_token(
                        petition_id, message, signature, petitions.SignatureChoice(), keys=keys, today=today
                    )
                elif action == "sign":
                    petitions.sign_petition(
                        petition_id, rest[0], petitions.SignatureChoice(), keys=keys, today=today
                    )
                else:
                    member_id, blinded = rest
                    item = ("signature", petition_id)
                    answer = service.issue_tokens(member_id, {item: blinded}, keys=keys, today=today)
                    if not isinstance(answer[item], bytes):
                        raise petitions.PetitionError(answer[item])
                results.put("ok")
            except (petitions.AlreadySigned, items.AlreadyCounted):
                db.session.rollback()
                results.put("already")
            except petitions.PetitionError:
                db.session.rollback()
                results.put("refused")
            except Exception:
                db.session.rollback()
                results.put("error: " + traceback.format_exc())
        db.session.remove()


def _run(app, rounds: list[list[tuple[Any, ...]]]) -> list[list[str]]:
    """Each round's jobs at once, one per worker process; the sorted outcomes per round."""
    config = {
        "INSTANCE_PATH": app.instance_path,
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "AUTO_MIGRATE": False,
        "TESTING": True,
        "RATELIMIT_ENABLED": False,
        "BACKGROUND_TICK": False,
    }
    db.session.remove()
    db.engine.dispose()
    width = len(rounds[0])
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(width)
    queues = [context.Queue() for _ in range(width)]
    results = context.Queue()
    workers = [context.Process(target=_spender, args=(config, q, results, barrier)) for q in queues]
    for worker in workers:
        worker.start()
    outcomes = []
    try:
        for jobs in rounds:
            for queue, job in zip(queues, jobs, strict=True):
                queue.put(job)
            outcomes.append(sorted(results.get(timeout=60) for _ in range(width)))
    finally:
        for queue in queues:
            queue.put(None)
        for worker in workers:
            worker.join(timeout=30)
    errors = [result for outcome in outcomes for result in outcome if result.startswith("error")]
    assert not errors, errors[0]
    return outcomes


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
    from voicebox import blind_rsa
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
