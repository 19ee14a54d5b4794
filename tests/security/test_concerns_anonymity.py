"""A1, A2, A3, A5, A7 for concerns: a leaked database or log names no author, supporter or flagger,
and holds neither bodies, private messages nor receipt phrases in plaintext."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from flask import url_for
from sqlalchemy import inspect, text

from tests.support import dump_database, receipt_shown_on
from voicebox.extensions import db
from voicebox.models import Role

CONCERN_TABLES = (
    "concerns",
    "concern_supports",
    "concern_flags",
    "concern_status_changes",
    "followup_messages",
)
BODIES = [
    "Quokka-unique body about the timesheet audit",
    "Pangolin-unique body about the camera in the break room",
    "Narwhal-unique body about unpaid overtime",
]
MESSAGES = ["Axolotl-unique reply from staff", "Capybara-unique answer from the author"]


def _scenario(app, make_user):
    """Three members post, several support and flag, staff and authors exchange messages."""
    members = [make_user(Role.MEMBER, f"zelda_quixote_{i}") for i in range(3)]
    organizer = make_user(Role.ORGANIZER, "organizer_xylophone")
    client = app.test_client()
    receipts, concern_ids = [], []
    for member, body in zip(members, BODIES, strict=True):
        client.login(member)
        page = client.post(
            url_for("concerns.new"), data={"title": f"Title {body[:8]}", "body": body}
        ).get_data(as_text=True)
        receipts.append(receipt_shown_on(page))
        client.logout()
    concern_ids = [row[0] for row in db.session.execute(text("SELECT id FROM concerns"))]
    for member in [*members, organizer]:
        client.login(member)
        for concern_id in concern_ids:
            client.post(url_for("concerns.support", concern_id=concern_id))
        client.post(url_for("concerns.flag", concern_id=concern_ids[0]))
        client.logout()
    client.login(organizer)
    for concern_id in concern_ids:
        client.post(url_for("concerns.reply", concern_id=concern_id), data={"message": MESSAGES[0]})
    client.post(url_for("concerns.status", concern_id=concern_ids[1]), data={"status": "resolved"})
    client.logout()
    client.login(members[0])
    for receipt in receipts:
        client.post(url_for("followup.thread"), data={"receipt": receipt, "message": MESSAGES[1]})
    client.logout()
    return [*members, organizer], receipts


def test_a1_no_concern_table_has_a_column_for_a_person(app):
    inspector = inspect(db.engine)
    for table in CONCERN_TABLES:
        columns = {column["name"] for column in inspector.get_columns(table)}
        assert not columns & {"user_id", "author_id", "username", "email", "member_id", "ip", "created_at"}
        for foreign_key in inspector.get_foreign_keys(table):
            assert foreign_key["referred_table"] != "users", table


def test_database_dump_names_nobody_and_holds_no_plaintext(app, make_user):
    people, receipts = _scenario(app, make_user)
    dump = dump_database(app)
    assert len(dump["concerns"]) == 3
    assert len(dump["concern_supports"]) == 12
    assert len(dump["followup_messages"]) == 6
    forbidden = [p.id for p in people] + [p.username for p in people] + receipts + BODIES + MESSAGES
    for table, rows in dump.items():
        if table == "users":
            continue
        for row in rows:
            for column, value in row.items():
                rendered = value.decode("latin-1") if isinstance(value, bytes) else str(value)
                for secret in forbidden:
                    assert secret not in rendered, f"{table}.{column} holds {secret!r}"
    # A2: no concern key is in the database at all; the resolved concern's key file is
    # destroyed and its nullifiers cleared, while the open ones still hold theirs.
    keys = app.extensions["voicebox.keys"]
    for table, rows in dump.items():
        for row in rows:
            assert not any("key" in column for column in row), f"{table} has a key column"
    rendered_dump = repr(dump)
    resolved = [row for row in dump["concerns"] if row["status"] == "resolved"]
    assert len(resolved) == 1
    assert not keys.exists("concern", resolved[0]["id"])
    assert keys.get("concern", resolved[0]["id"]) is None
    assert all(
        row["nullifier"] is None for row in dump["concern_supports"] if row["concern_id"] == resolved[0]["id"]
    )
    for row in dump["concerns"]:
        if row["status"] != "resolved":
            key = keys.get("concern", row["id"])
            assert key is not None, "an open concern lost its key"
            assert key.hex() not in rendered_dump and repr(key) not in rendered_dump
            supports = [s for s in dump["concern_supports"] if s["concern_id"] == row["id"]]
            assert all(support["nullifier"] for support in supports)
    assert not dump["pending_actions"], "every queued me-too was counted"
    # A3: ids are 128-bit random, dates carry no time of day.
    for table in CONCERN_TABLES:
        for row in dump[table]:
            assert re.fullmatch(r"[0-9a-f]{32}", row["id"])
            for value in row.values():
                assert not re.fullmatch(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:.*", str(value))


def test_raw_database_file_holds_no_plaintext_body_message_or_receipt(app, make_user):
    _people, receipts = _scenario(app, make_user)
    db.session.commit()
    with db.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database = Path(db.engine.url.database)
    raw = database.read_bytes()
    for suffix in ("-wal", "-journal"):
        extra = Path(str(database) + suffix)
        if extra.exists():
            raw += extra.read_bytes()
    assert b"Title Quokka-u" in raw  # titles are public by design; the file was read right
    for plaintext in [*BODIES, *MESSAGES, *receipts]:
        assert plaintext.encode() not in raw, plaintext
        assert plaintext.split()[0].encode() not in raw or plaintext in receipts


def test_receipt_never_reaches_the_logs(app, make_user, caplog):
    caplog.set_level(logging.DEBUG)
    _people, receipts = _scenario(app, make_user)
    assert caplog.records  # the capture is live
    for receipt in receipts:
        assert receipt not in caplog.text
    for plaintext in [*BODIES, *MESSAGES]:
        assert plaintext not in caplog.text
