"""A token spent from two workers at the same instant signs once, on both engines.

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
from voicebox.models import Petition, Signature

ROUNDS = int(os.environ.get("VOICEBOX_RACE_ROUNDS", "8"))
WORKERS = 3
pytestmark = pytest.mark.slow


def _spender(config: dict[str, Any], jobs: Any, results: Any, barrier: Any) -> None:
    from voicebox.petitions import service as petitions
    from voicebox.tokens import service

    app = create_app(config)
    with app.app_context():
        keys = app.extensions["voicebox.keys"]
        while (job := jobs.get()) is not None:
            petition_id, message, signature = job
            barrier.wait()
            try:
                service.redeem_token(
                    petition_id,
                    message,
                    signature,
                    petitions.SignatureChoice(),
                    keys=keys,
                    today=coarse_date(),
                )
                results.put("ok")
            except petitions.AlreadySigned:
                db.session.rollback()
                results.put("already")
            except Exception:
                db.session.rollback()
                results.put("error: " + traceback.format_exc())
        db.session.remove()


@both_engines
def test_one_token_spent_by_several_workers_at_once_signs_once(app, client, make_user, make_petition) -> None:
    petition_id = make_petition(goal=500).id
    tokens = []
    for _ in range(ROUNDS):
        client.login(make_user())
        tokens.append(fetch_token(client, petition_id))
        client.logout()
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
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(WORKERS)
    queues = [context.Queue() for _ in range(WORKERS)]
    results = context.Queue()
    workers = [context.Process(target=_spender, args=(config, q, results, barrier)) for q in queues]
    for worker in workers:
        worker.start()
    outcomes = []
    try:
        for token in tokens:
            for queue in queues:
                queue.put((token.petition_id, token.message, token.signature))
            outcomes.append(sorted(results.get(timeout=60) for _ in range(WORKERS)))
    finally:
        for queue in queues:
            queue.put(None)
        for worker in workers:
            worker.join(timeout=30)
    errors = [result for outcome in outcomes for result in outcome if result.startswith("error")]
    assert not errors, errors[0]
    assert all(outcome == ["already"] * (WORKERS - 1) + ["ok"] for outcome in outcomes), outcomes
    count_queued_now(app)
    rows = db.session.scalar(
        select(func.count()).select_from(Signature).where(Signature.petition_id == petition_id)
    )
    assert db.session.get(Petition, petition_id).signature_count == rows == ROUNDS
