"""A1–A3 for signatures: after a realistic signing scenario, the database alone — and after
close, even the database together with the master key — can't say who signed what."""

from __future__ import annotations

import re
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from flask import url_for
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError

from tests.support import dump_database, recorded_writes
from voicebox.anonymity import coarse_date, nullifier
from voicebox.extensions import db
from voicebox.models import Petition, Role, Signature, User
from voicebox.petitions import service

ANONYMOUS_TABLES = (
    "signatures",
    "cosponsorships",
    "petition_day_tallies",
    "petition_group_day_tallies",
    "petitions",
)
TIME_OF_DAY = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}")


@pytest.fixture
def signed_scenario(app, client, make_user, make_petition, make_group):
    """Eight members sign two petitions in different ways; two withdraw; one stays public."""
    groups = [make_group("Support", "department"), make_group("Dublin", "site")]
    petitions = [make_petition(title="No keyloggers"), make_petition(title="Delete the data")]
    members = [make_user(Role.MEMBER, f"signer{i}") for i in range(8)]
    for i, user in enumerate(members):
        client.login(user)
        for petition in petitions:
            client.post(
                url_for("petitions.sign", petition_id=petition.id),
                data={
                    "display_name": "Public Pat" if i == 0 else "",
                    "group": str(groups[i % 2].id) if i % 3 else "",
                    "comment": f"private comment number {i}" if i % 2 else "",
                },
            )
        if i in (3, 4):
            client.post(url_for("petitions.withdraw", petition_id=petitions[0].id))
        client.logout()
    return {"members": members, "petitions": petitions}


def _identifying_values(members: list[User]) -> set[str]:
    values: set[str] = set()
    for user in members:
        values |= {user.id, user.username, user.session_token, user.password_hash}
    return values


def _raw_database_bytes(app) -> bytes:
    db.session.commit()
    with db.engine.connect() as connection:
        connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    return Path(db.engine.url.database).read_bytes()


def test_a1_no_anonymous_table_can_reference_a_user(app):
    inspector = inspect(db.engine)
    for table in ANONYMOUS_TABLES:
        for foreign_key in inspector.get_foreign_keys(table):
            assert foreign_key["referred_table"] != "users", table
        for column in inspector.get_columns(table):
            assert not re.search(r"user|author_id|email|member|login", column["name"]), (
                table,
                column["name"],
            )


def test_a1_a_dump_after_signing_holds_no_user_value_outside_the_users_table(app, signed_scenario):
    forbidden = _identifying_values(signed_scenario["members"])
    dump = dump_database(app)
    for table, rows in dump.items():
        if table == "users":
            continue
        for row in rows:
            for column, value in row.items():
                assert str(value) not in forbidden, (table, column)
                if isinstance(value, str):
                    assert not any(secret in value for secret in forbidden), (table, column)
    # The only name in the signatures is the one a signer chose to publish.
    names = {row["display_name"] for row in dump["signatures"]}
    assert names == {"Public Pat", None}


def test_a1_no_comment_is_readable_in_the_database_file(app, signed_scenario):
    raw = _raw_database_bytes(app)
    assert b"private comment number" not in raw


def test_a2_one_signature_per_member_is_enforced_by_the_database(app, make_petition, member):
    petition = make_petition()
    secrets = app.extensions["voicebox.secrets"]
    service.sign_petition(
        petition.id, member.id, service.SignatureChoice(), secrets=secrets, today=coarse_date()
    )
    key = service.petition_key(petition, secrets)
    db.session.add(Signature(petition_id=petition.id, nullifier=nullifier(key, "signature", member.id)))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_a2_keys_live_only_wrapped_and_the_master_key_never_enters_the_database(app, signed_scenario):
    secrets = app.extensions["voicebox.secrets"]
    petition = signed_scenario["petitions"][0]
    raw_key = service.petition_key(db.session.get(Petition, petition.id), secrets)
    raw = _raw_database_bytes(app)
    for secret in (raw_key, secrets.master_key, secrets.data_key, secrets.pepper, secrets.secret_key):
        assert secret not in raw


def test_a2_after_close_not_even_the_master_key_and_the_database_relink_a_signature(app, signed_scenario):
    secrets = app.extensions["voicebox.secrets"]
    petition = db.session.get(Petition, signed_scenario["petitions"][0].id)
    members = signed_scenario["members"]
    old_key = service.petition_key(petition, secrets)
    old_wrapped = petition.wrapped_key
    old_nullifiers = {nullifier(old_key, "signature", user.id) for user in members}
    # Before close, the holder of database and master key could link: that's why close matters.
    stored = set(db.session.scalars(select(Signature.nullifier).where(Signature.petition_id == petition.id)))
    assert old_nullifiers & stored

    service.close_petition(petition.id, actor_role="organizer", today=coarse_date())

    closed = db.session.get(Petition, petition.id)
    assert closed.wrapped_key is None
    assert service.petition_key(closed, secrets) is None
    with pytest.raises(ValueError):
        nullifier(b"", "signature", members[0].id)
    remaining = db.session.scalars(select(Signature.nullifier).where(Signature.petition_id == petition.id))
    assert set(remaining) == {None}
    raw = _raw_database_bytes(app)
    assert old_wrapped not in raw
    assert old_key not in raw
    for value in old_nullifiers:
        assert value.encode() not in raw
    # The signatures themselves still count.
    assert closed.signature_count == 6


def test_a3_signatures_keep_dates_not_times(app, signed_scenario):
    dump = dump_database(app)
    for table in ANONYMOUS_TABLES:
        for row in dump[table]:
            for column, value in row.items():
                assert not TIME_OF_DAY.match(str(value)), (table, column, value)
    signature = db.session.scalars(select(Signature)).first()
    assert type(signature.signed_on) is date


def test_a3_anonymous_rows_have_random_ids_and_no_rowid(app, signed_scenario):
    ids = db.session.scalars(select(Signature.id)).all()
    assert all(re.fullmatch(r"[0-9a-f]{32}", value) for value in ids)
    connection = sqlite3.connect(db.engine.url.database)
    try:
        for table in ("signatures", "cosponsorships", "petitions"):
            with pytest.raises(sqlite3.OperationalError, match="no such column: rowid"):
                connection.execute(f"SELECT rowid FROM {table}")
    finally:
        connection.close()


def test_a3_accounts_have_no_last_login_or_last_seen(app):
    columns = {column["name"] for column in inspect(db.engine).get_columns("users")}
    assert columns == {"id", "username", "password_hash", "role", "session_token", "created_on"}


def test_a3_a_sign_request_writes_only_the_signature_and_its_counters(
    app, client, member, make_petition, make_group
):
    petition = make_petition()
    group = make_group()
    client.login(member)
    with recorded_writes(app) as writes:
        client.post(
            url_for("petitions.sign", petition_id=petition.id),
            data={"group": str(group.id), "comment": "hello"},
        )
    tables = {table for _, table in writes}
    assert tables == {"signatures", "petitions", "petition_day_tallies", "petition_group_day_tallies"}
    assert ("UPDATE", "petitions") in writes and ("INSERT", "signatures") in writes

    with recorded_writes(app) as writes:
        client.post(url_for("petitions.withdraw", petition_id=petition.id))
    assert {table for _, table in writes} == {
        "signatures",
        "petitions",
        "petition_day_tallies",
        "petition_group_day_tallies",
    }


def test_a3_logging_in_writes_nothing(app, client, member):
    with recorded_writes(app) as writes:
        client.login(member)
        client.get(url_for("petitions.index"))
    assert writes == []
