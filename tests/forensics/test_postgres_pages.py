"""The same thief on PostgreSQL: raw heap pages (dead tuples included) and pg_wal segments.

Deleted and updated rows stay in a table's pages until VACUUM reuses the space, and in
pg_wal until segments recycle; replicas and base backups keep them for good. The thief
reads the pages with pageinspect's get_raw_page and the WAL files straight from disk
(skipped where the test user may not read the server's data directory).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from flask import url_for
from sqlalchemy import select, text

from tests.forensics.attacker import assert_order_is_chance, item_keys_from, stolen_secrets
from tests.support import count_queued_now
from voicebox.anonymity import nullifier
from voicebox.extensions import db
from voicebox.models import Signature

pytestmark = pytest.mark.postgres
TABLES = ("petitions", "signatures", "concerns", "concern_supports", "pending_actions", "counting_windows")


def _raw_pages(tmp_path: Path) -> Path:
    """Every page of voicebox's tables, live and dead tuples alike, as one file."""
    connection = db.session.connection()
    connection.execute(text("CREATE EXTENSION IF NOT EXISTS pageinspect"))
    out = tmp_path / "pages.bin"
    with out.open("wb") as handle:
        for table in TABLES:
            pages = connection.execute(text(f"SELECT pg_relation_size('{table}') / 8192")).scalar_one()
            for number in range(pages):
                page = connection.execute(text(f"SELECT get_raw_page('{table}', {number})")).scalar_one()
                handle.write(bytes(page))
    db.session.commit()
    return out


def _wal_segments() -> list[Path]:
    directory = Path(db.session.execute(text("SHOW data_directory")).scalar_one()) / "pg_wal"
    if not os.access(directory, os.R_OK):
        pytest.skip(f"skipped: {directory} is not readable by this user")
    return [path for path in directory.iterdir() if path.is_file() and len(path.name) == 24]


def test_pages_and_wal_after_close_hold_no_key_that_relinks(
    app, client, make_user, make_petition, organizer, tmp_path
):
    petition = make_petition(goal=100)
    members = [make_user() for _ in range(12)]
    truth = app.extensions["voicebox.keys"].get("petition", petition.id)
    for index, member in enumerate(members):
        client.login(member)
        client.post(url_for("petitions.sign", petition_id=petition.id), data={"comment": "Yes"})
        if index % 4 == 0:
            client.post(url_for("petitions.withdraw", petition_id=petition.id))
        client.logout()
    client.login(organizer)
    client.post(url_for("petitions.close", petition_id=petition.id))

    files = [_raw_pages(tmp_path), *_wal_segments()]
    key_store = [path for path in Path(app.extensions["voicebox.keys"].folder).iterdir()]
    secrets_file = [Path(app.instance_path) / "secrets.json"]
    secrets = stolen_secrets(secrets_file)

    recovered = item_keys_from([*files, *key_store], secrets["master_key"], "petition", petition.id)
    assert recovered == set()
    # The key never reached the server, so nothing the server wrote can contain it.
    assert all(truth not in path.read_bytes() for path in files)


def test_ctid_order_of_a_counting_window_is_chance(app, make_user, make_petition, sign):
    petition = make_petition(goal=1000)
    members = [make_user() for _ in range(300)]
    for member in members:
        sign(petition, member, counted=False)
    count_queued_now(app)
    key = app.extensions["voicebox.keys"].get("petition", petition.id)
    rows = db.session.execute(
        select(Signature.id, Signature.nullifier, text("ctid::text")).where(
            Signature.petition_id == petition.id
        )
    ).all()
    by_nullifier = {row.nullifier: row.id for row in rows}
    true_order = [by_nullifier[nullifier(key, "signature", member.id)] for member in members]
    # ctid is (page, line): physical order within the table.
    positions = {row.id: tuple(int(part) for part in row[2].strip("()").split(",")) for row in rows}
    flat = {row_id: page * 10_000 + line for row_id, (page, line) in positions.items()}

    assert_order_is_chance("signatures by ctid", true_order, flat)
