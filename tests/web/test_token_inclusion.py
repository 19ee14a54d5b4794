"""Verifiable inclusion: the Merkle root of the counted tokens is in report digests, and a
CLI checks a phrase or a hash against a petition's list."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

from flask import url_for
from sqlalchemy import select

from tests.token_client import fetch_token
from voicebox import inclusion
from voicebox.anonymity import coarse_date
from voicebox.extensions import db
from voicebox.models import Report, ReportVersion


def _spend(app, token) -> None:
    response = app.test_client().post("/tokens/redeem", json=token.redeem_body(), csrf=False)
    assert response.status_code == 200, response.get_data(as_text=True)


def test_a_published_report_digests_the_root_of_the_counted_tokens(
    app, client, member, organizer, make_petition
) -> None:
    petition = make_petition()
    client.login(member)
    tokens = [fetch_token(client, petition.id)]
    _spend(app, tokens[0])
    client.logout()
    client.login(organizer)
    today = coarse_date()
    client.post(
        url_for("reports.new"),
        data={
            "title": "Quarterly voice of staff",
            "period_start": (today - timedelta(days=30)).isoformat(),
            "period_end": today.isoformat(),
            "narrative": "Staff spoke up.",
            "petitions": [petition.id],
        },
    )
    report = db.session.scalars(select(Report)).one()
    assert (
        client.post(
            url_for("reports.publish", report_id=report.id), data={"expected_version": "0"}
        ).status_code
        == 302
    )
    version = db.session.scalars(select(ReportVersion)).one()
    (entry,) = json.loads(version.snapshot)["petitions"]
    assert entry["counted_tokens"] == {"count": 1, "merkle_root": inclusion.merkle_root([tokens[0].hash])}
    assert version.digest == hashlib.sha256(version.snapshot.encode()).hexdigest()


def test_the_cli_finds_a_counted_phrase_or_hash_and_refuses_an_uncounted_one(
    app, client, member, make_petition
) -> None:
    petition = make_petition()
    client.login(member)
    token = fetch_token(client, petition.id)
    runner = app.test_cli_runner()
    before = runner.invoke(args=["voicebox", "verify-inclusion", petition.id, token.phrase])
    assert before.exit_code == 1
    assert "NOT COUNTED" in before.output
    _spend(app, token)
    by_phrase = runner.invoke(args=["voicebox", "verify-inclusion", petition.id, *token.phrase.split()])
    assert by_phrase.exit_code == 0, by_phrase.output
    assert "COUNTED" in by_phrase.output and token.hash in by_phrase.output
    by_hash = runner.invoke(args=["voicebox", "verify-inclusion", petition.id, token.hash])
    assert by_hash.exit_code == 0
    assert inclusion.merkle_root([token.hash]) in by_hash.output
