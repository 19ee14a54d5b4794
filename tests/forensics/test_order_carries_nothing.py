"""A3: without any secret, physical order says nothing about who signed when.

Members register and sign one after another within one counting window, as a team does
when a petition is shared in a meeting. The thief reads the WAL and the database file and
orders rows by where they first appear (WAL frames are in commit order). The test knows
the truth: which member signed when (it recomputes nullifiers with the petition key
while the petition is open).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from tests.forensics.attacker import assert_order_is_chance, first_positions, wal_then_database
from tests.support import count_queued_now
from voicebox.anonymity import coarse_date, nullifier
from voicebox.extensions import db
from voicebox.models import ConcernSupport, FollowupMessage, Signature
from voicebox.unit_of_work import unit_of_work

# Enough that 60% of pairs is five standard deviations above chance (see chance_ceiling).
SIGNERS = 300

pytestmark = pytest.mark.usefixtures("wal_keeps_everything")


def _signing_scenario(app, make_user, make_petition, sign):
    petition = make_petition(goal=1000)
    members = []
    for _ in range(SIGNERS):
        member = make_user()  # registers, then signs straight away: the worst case
        sign(petition, member, counted=False)
        members.append(member)
    count_queued_now(app)
    key = app.extensions["voicebox.keys"].get("petition", petition.id)
    by_nullifier = {
        row.nullifier: row.id
        for row in db.session.scalars(select(Signature).where(Signature.petition_id == petition.id))
    }
    true_order = [by_nullifier[nullifier(key, "signature", member.id)] for member in members]
    return members, true_order


def test_the_order_signatures_reach_the_disk_is_chance(app, make_user, make_petition, sign):
    _members, true_order = _signing_scenario(app, make_user, make_petition, sign)
    blob = wal_then_database(Path(app.instance_path).parent)

    assert_order_is_chance("signatures", true_order, first_positions(blob, true_order))


def test_the_account_registered_just_before_is_no_better_than_a_guess(app, make_user, make_petition, sign):
    members, true_order = _signing_scenario(app, make_user, make_petition, sign)
    blob = wal_then_database(Path(app.instance_path).parent)
    signatures = first_positions(blob, true_order)
    accounts = first_positions(blob, [member.id for member in members])

    # The heuristic: the k-th account to appear signed the k-th signature to appear.
    by_account = sorted(accounts, key=accounts.get)
    by_signature = sorted(signatures, key=signatures.get)
    truth = dict(zip([member.id for member in members], true_order, strict=True))
    right = sum(1 for account, row in zip(by_account, by_signature, strict=False) if truth[account] == row)

    print(f"account-before heuristic: {right} of {SIGNERS}")
    # Right guesses under chance are Poisson(1): eight or more happens about once in 100,000 runs.
    assert right <= 7, f"{right} of {SIGNERS} signatures paired with the account made just before"


def test_me_toos_reach_the_disk_in_chance_order(app, make_user, make_concern):
    from voicebox.concerns import service as concerns

    concern, _receipt = make_concern()
    keys = app.extensions["voicebox.keys"]
    members = [make_user() for _ in range(SIGNERS)]
    for member in members:
        with unit_of_work(db.session):
            concerns.toggle_support(concern.id, member.id, keys=keys, today=concern.created_on)
    count_queued_now(app)
    key = keys.get("concern", concern.id)
    by_nullifier = {
        row.nullifier: row.id
        for row in db.session.scalars(select(ConcernSupport).where(ConcernSupport.concern_id == concern.id))
    }
    true_order = [by_nullifier[nullifier(key, "support", member.id)] for member in members]
    blob = wal_then_database(Path(app.instance_path).parent)

    assert_order_is_chance('"me too"s', true_order, first_positions(blob, true_order))


def test_concerns_reach_the_disk_in_chance_order(app, make_user):
    from voicebox.concerns import service as concerns

    keys, secrets = app.extensions["voicebox.keys"], app.extensions["voicebox.secrets"]
    posted = []
    for number in range(SIGNERS):
        author = make_user()  # registers, then posts straight away
        with unit_of_work(db.session):
            made = concerns.post_concern(
                f"Concern number {number}",
                "The new monitoring agent slows every laptop down.",
                None,
                username=author.username,
                confirmed_identifying=True,
                secrets=secrets,
                keys=keys,
                today=coarse_date(),
            )
        posted.append(made.concern_id)
    count_queued_now(app)
    blob = wal_then_database(Path(app.instance_path).parent)

    assert_order_is_chance("concerns posted", posted, first_positions(blob, posted))


def test_authors_answers_reach_the_disk_in_chance_order(app, make_user, make_concern):
    from voicebox.concerns import followup

    keys, secrets = app.extensions["voicebox.keys"], app.extensions["voicebox.secrets"]
    threads = [make_concern(title=f"Concern number {number}") for number in range(SIGNERS)]
    for concern, receipt in threads:
        make_user()  # an account registers, then its owner answers straight away
        with unit_of_work(db.session):
            followup.author_reply(
                receipt, f"More about {concern.title}.", secrets=secrets, keys=keys, today=coarse_date()
            )
    count_queued_now(app)
    by_concern = {row.concern_id: row.id for row in db.session.scalars(select(FollowupMessage))}
    answered = [by_concern[concern.id] for concern, _receipt in threads]
    blob = wal_then_database(Path(app.instance_path).parent)

    assert_order_is_chance("authors' answers", answered, first_positions(blob, answered))
