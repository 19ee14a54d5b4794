"""A1–A3 for signatures: after a realistic signing scenario, the database alone — and after
close, even the database together with the master key — can't say who signed what."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from flask import url_for
from sqlalchemy import event, inspect, select, text
from sqlalchemy.exc import IntegrityError

from tests.support import count_queued_now, dump_database, recorded_writes
from voicebox.anonymity import coarse_date, nullifier
from voicebox.extensions import db
from voicebox.models import Petition, Role, Signature, User
from voicebox.petitions import closing, service
from voicebox.unit_of_work import unit_of_work

ANONYMOUS_TABLES = (
    "signatures",
    "cosponsorships",
    "petition_day_tallies",
    "petition_breakdowns",
    "petitions",
    "counting_windows",
    "pending_actions",
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
    keys = app.extensions["voicebox.keys"]

    def sign() -> None:
        choice = service.SignatureChoice()
        with unit_of_work(db.session):
            service.sign_petition(petition.id, member.id, choice, keys=keys, today=coarse_date())

    sign()
    # While queued, a second signature is refused (the queue's tag is unique per window) ...
    with pytest.raises(service.AlreadySigned):
        sign()
    assert count_queued_now(app) == 1
    # ... and once counted, both the service and the database's unique index refuse it.
    with pytest.raises(service.AlreadySigned):
        sign()
    assert count_queued_now(app) == 0
    assert db.session.get(Petition, petition.id).signature_count == 1
    key = service.petition_key(petition.id, keys)
    db.session.add(Signature(petition_id=petition.id, nullifier=nullifier(key, "signature", member.id)))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def _key_file(keys, petition_id: str) -> Path:
    """The key-store file that holds one petition's key (found by listing, as an attacker would)."""
    [path] = [path for path in keys.folder.iterdir() if petition_id in path.name]
    return path


def test_a2_item_keys_never_enter_the_database_even_wrapped(app, signed_scenario):
    secrets = app.extensions["voicebox.secrets"]
    keys = app.extensions["voicebox.keys"]
    for table in ("petitions", "concerns"):
        columns = {column["name"] for column in inspect(db.engine).get_columns(table)}
        assert not any("key" in name for name in columns), (table, columns)
    raw = _raw_database_bytes(app)
    for petition in signed_scenario["petitions"]:
        raw_key = service.petition_key(petition.id, keys)
        assert raw_key is not None
        sealed = _key_file(keys, petition.id).read_bytes()
        assert raw_key not in sealed, "the key file holds the key unwrapped"
        for value in (raw_key, raw_key.hex().encode(), sealed):
            assert value not in raw
    for secret in (secrets.master_key, secrets.data_key, secrets.pepper, secrets.secret_key):
        assert secret not in raw


def test_a2_after_close_not_even_the_master_key_and_the_database_relink_a_signature(app, signed_scenario):
    secrets = app.extensions["voicebox.secrets"]
    keys = app.extensions["voicebox.keys"]
    petition = db.session.get(Petition, signed_scenario["petitions"][0].id)
    members = signed_scenario["members"]
    old_key = service.petition_key(petition.id, keys)
    key_file = _key_file(keys, petition.id)
    old_wrapped = key_file.read_bytes()
    old_nullifiers = {nullifier(old_key, "signature", user.id) for user in members}
    # Before close, the holder of database and master key could link: that's why close matters.
    stored = set(db.session.scalars(select(Signature.nullifier).where(Signature.petition_id == petition.id)))
    assert old_nullifiers & stored

    with unit_of_work(db.session):
        closing.close_petition(
            petition.id, actor_role="organizer", today=coarse_date(), secrets=secrets, keys=keys
        )

    closed = db.session.get(Petition, petition.id)
    # The key file is gone from the key store: the master key has nothing left to unwrap.
    assert not key_file.exists()
    assert not keys.exists("petition", petition.id)
    assert service.petition_key(petition.id, keys) is None
    assert not any(petition.id in path.name for path in keys.folder.iterdir())
    assert not any(old_wrapped in path.read_bytes() for path in keys.folder.iterdir() if path.is_file())
    # The other petition, still open, keeps its key.
    assert keys.exists("petition", signed_scenario["petitions"][1].id)
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
        for table in (
            "signatures",
            "cosponsorships",
            "petitions",
            "petition_breakdowns",
            "counting_windows",
            "pending_actions",
            "users",
        ):
            with pytest.raises(sqlite3.OperationalError, match="no such column: rowid"):
                connection.execute(f"SELECT rowid FROM {table}")
    finally:
        connection.close()


def test_a3_accounts_have_no_last_login_or_last_seen(app):
    columns = {column["name"] for column in inspect(db.engine).get_columns("users")}
    assert columns == {"id", "username", "password_hash", "role", "session_token", "created_on"}


def test_a3_a_sign_request_only_queues_a_sealed_action_and_the_flush_writes_the_rest(
    app, client, member, make_petition, make_group
):
    petition = make_petition()
    group = make_group()
    client.login(member)
    client.count_after_requests = False  # the request alone, then the flush on its own
    identifying = {member.id, member.username, member.session_token, member.password_hash}
    with recorded_writes(app) as writes, recorded_parameters(app) as parameters:
        client.post(
            url_for("petitions.sign", petition_id=petition.id),
            data={"group": str(group.id), "comment": "hello"},
        )
    # The sign request only queues a sealed action (and opens the first window): no
    # signature, no counter, nothing about the member and no per-user row.
    assert {table for _, table in writes} == {"pending_actions", "counting_windows"}
    assert ("INSERT", "pending_actions") in writes
    assert not any(value in str(sent) for sent in parameters for value in identifying)
    assert b"hello" not in b"".join(p for p in parameters if isinstance(p, bytes))
    assert db.session.get(Petition, petition.id).signature_count == 0

    # The flush writes the signature and its counters (and rolls the window over).
    with recorded_writes(app) as writes:
        assert count_queued_now(app) == 1
    tables = {table for _, table in writes}
    assert {"signatures", "petitions", "petition_day_tallies", "petition_breakdowns"} <= tables
    assert tables <= {
        "signatures",
        "petitions",
        "petition_day_tallies",
        "petition_breakdowns",
        "pending_actions",
        "counting_windows",
    }
    assert ("UPDATE", "petitions") in writes and ("INSERT", "signatures") in writes
    assert db.session.get(Petition, petition.id).signature_count == 1

    with recorded_writes(app) as writes, recorded_parameters(app) as parameters:
        client.post(url_for("petitions.withdraw", petition_id=petition.id))
    # (The DELETE from pending_actions is the look for a still-queued signature; it finds none.)
    assert {table for _, table in writes} == {
        "signatures",
        "petitions",
        "petition_day_tallies",
        "petition_breakdowns",
        "pending_actions",
    }
    assert [verb for verb, table in writes if table == "pending_actions"] == ["DELETE"]
    assert not any(value in str(sent) for sent in parameters for value in identifying)
    assert db.session.get(Petition, petition.id).signature_count == 0


def test_a3_withdrawing_before_the_count_only_leaves_the_queue(app, client, member, make_petition):
    petition = make_petition()
    client.count_after_requests = False
    client.login(member)
    client.post(url_for("petitions.sign", petition_id=petition.id), data={})
    with recorded_writes(app) as writes:
        client.post(url_for("petitions.withdraw", petition_id=petition.id))
    assert writes == [("DELETE", "pending_actions")]
    assert count_queued_now(app) == 0
    assert db.session.get(Petition, petition.id).signature_count == 0


@contextmanager
def recorded_parameters(app) -> Iterator[list]:
    """Every bound parameter value sent with an INSERT, UPDATE or DELETE."""
    values: list = []

    def listener(conn, cursor, statement, parameters, *rest) -> None:
        if not re.match(r"^\s*(INSERT|UPDATE|DELETE)", statement, re.I):
            return
        rows = parameters if isinstance(parameters, list) else [parameters]
        for row in rows:
            values.extend(row.values() if isinstance(row, dict) else row or ())

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        yield values
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)


def test_a3_logging_in_writes_nothing(app, client, member):
    with recorded_writes(app) as writes:
        client.login(member)
        client.get(url_for("petitions.index"))
    assert writes == []
