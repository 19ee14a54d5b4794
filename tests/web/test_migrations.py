"""Migrations on both engines: from an empty database, and from the previous release's
schema (revision 0001) with data in it — every row survives the round trip."""

from __future__ import annotations

from datetime import timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select, text

from tests.support import both_engines, count_queued_now
from voicebox import create_app
from voicebox.anonymity import coarse_date
from voicebox.crypto import unwrap_key
from voicebox.extensions import db
from voicebox.models import Group, Role, User
from voicebox.petitions import drafts, service
from voicebox.petitions.breakdown import open_group, read_cells
from voicebox.unit_of_work import unit_of_work

pytestmark = both_engines

PREVIOUS_RELEASE = "0001"


@pytest.fixture
def unmigrated_app(tmp_path, empty_database_url):
    app = create_app(
        {
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SQLALCHEMY_DATABASE_URI": empty_database_url,
            "AUTO_MIGRATE": False,
            "BACKGROUND_TICK": False,
        }
    )
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _directory(app) -> str:
    return app.extensions["migrate"].directory


def _rows(tables: list[str]) -> dict[str, list[dict]]:
    """Every row of each table as a dict, in a stable order."""
    db.session.remove()
    with db.engine.connect() as connection:
        return {
            table: _sorted(dict(row._mapping) for row in connection.execute(text(f'SELECT * FROM "{table}"')))
            for table in tables
        }


def _sorted(rows) -> list[dict]:
    return sorted(rows, key=lambda row: repr(sorted((k, str(v)) for k, v in row.items())))


def _without(rows: list[dict], column: str) -> list[dict]:
    return _sorted({k: v for k, v in row.items() if k != column} for row in rows)


def _bytes(value) -> bytes:
    return bytes(value) if value is not None else None


def _realistic_data(app) -> None:
    from voicebox.concerns import service as concerns

    secrets, keys = app.extensions["voicebox.secrets"], app.extensions["voicebox.keys"]
    today = coarse_date()
    users = [User(username=f"user{n}", password_hash="!", role=Role.MEMBER.value) for n in range(6)]
    group = Group(name="Warehouse", kind="site")
    db.session.add_all([*users, group])
    db.session.commit()
    with unit_of_work(db.session):
        petition = service.start_petition(
            users[0].id,
            "Fix the heating",
            "It is **cold**.",
            50,
            today + timedelta(days=10),
            keys=keys,
            today=today,
        )
    with unit_of_work(db.session):
        drafts.open_petition(petition.id, cosponsors_needed=0, actor_role="organizer", today=today)
    for user in users[1:]:
        choice = service.SignatureChoice(
            display_name=user.username, group_id=group.id if user is not users[5] else None, comment="Brr"
        )
        with unit_of_work(db.session):
            service.sign_petition(petition.id, user.id, choice, keys=keys, today=today)
    count_queued_now(app)
    with unit_of_work(db.session):
        service.remove_signature(petition.id, users[1].id, keys=keys, secrets=secrets)
    with unit_of_work(db.session):
        posted = concerns.post_concern(
            "Draughty windows",
            "The **windows** leak.",
            None,
            username="user0",
            confirmed_identifying=True,
            secrets=secrets,
            keys=keys,
            today=today,
        )
    for user in users[2:4]:
        count_queued_now(app)
        with unit_of_work(db.session):
            concerns.toggle_support(posted.concern_id, user.id, keys=keys, today=today)
    count_queued_now(app)


def test_upgrade_from_empty_builds_exactly_the_models_schema(unmigrated_app):
    assert inspect(db.engine).get_table_names() == []
    upgrade(directory=_directory(unmigrated_app), revision="heads")
    with db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
        heads = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    assert differences == []
    assert len(heads) == 1  # one linear history: later releases upgrade in one known order
    # Upgrading again on every start changes nothing.
    upgrade(directory=_directory(unmigrated_app), revision="heads")


def _like(rows: list[dict], shape: list[dict]) -> list[dict]:
    """`rows` cut down to the columns `shape` has: later releases may add columns."""
    if not shape:
        return rows
    columns = set(shape[0])
    return [{key: value for key, value in row.items() if key in columns} for row in rows]


def test_previous_release_data_survives_downgrade_and_upgrade(unmigrated_app):
    directory = _directory(unmigrated_app)
    secrets = unmigrated_app.extensions["voicebox.secrets"]
    keys = unmigrated_app.extensions["voicebox.keys"]
    upgrade(directory=directory, revision=PREVIOUS_RELEASE)
    release_tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
    upgrade(directory=directory, revision="heads")
    head_tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
    _realistic_data(unmigrated_app)
    before = _rows(sorted(head_tables))
    assert len(before["signatures"]) == 4 and len(before["concern_supports"]) == 2
    assert before["pending_actions"] == []
    item_keys = {
        (kind, item_id): keys.get(kind, item_id)
        for kind in ("petition", "concern")
        for item_id in keys.item_ids(kind)
    }
    assert len(item_keys) == 2
    groups = {
        row["id"]: open_group(secrets.data_key, row["id"], _bytes(row["group_ciphertext"]))
        for row in before["signatures"]
    }
    assert sorted(groups.values(), key=str) == [1, 1, 1, None]
    cells = {
        (row["petition_id"], group_id, str(day)): count
        for row in before["petition_breakdowns"]
        for (group_id, day), count in read_cells(db.session, secrets.data_key, row["petition_id"]).items()
    }
    assert sum(cells.values()) == 3
    db.session.remove()  # no transaction left open for the migration to wait on

    downgrade(directory=directory, revision=PREVIOUS_RELEASE)
    with db.engine.connect() as connection:
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    assert version == [PREVIOUS_RELEASE]
    assert set(inspect(db.engine).get_table_names()) - {"alembic_version"} == release_tables
    old = _rows(sorted(release_tables))
    changed = {"petitions", "concerns", "signatures", "petition_group_day_tallies"}
    for table in release_tables - changed:
        assert old[table] == _like(before[table], old[table]), f"{table} differs after the downgrade"
    # The previous release keeps each key wrapped in its row: the downgrade puts the
    # key-store keys back there, and the groups and tallies back in plaintext.
    for table, kind in (("petitions", "petition"), ("concerns", "concern")):
        assert _without(old[table], "wrapped_key") == _like(
            before[table], _without(old[table], "wrapped_key")
        )
        for row in old[table]:
            wrapped = _bytes(row["wrapped_key"])
            unwrapped = unwrap_key(secrets.master_key, wrapped, f"{kind}:{row['id']}")
            assert unwrapped == item_keys[(kind, row["id"])]
    # token_hash came later (0050): the previous release never had a token signature.
    assert _without(old["signatures"], "group_id") == _without(
        _without(before["signatures"], "group_ciphertext"), "token_hash"
    )
    assert {row["id"]: row["group_id"] for row in old["signatures"]} == groups
    tallies = {
        (row["petition_id"], row["group_id"], str(row["day"])): row["signatures"]
        for row in old["petition_group_day_tallies"]
    }
    assert tallies == cells

    # As an instance of the previous release, which never had a key store: its keys are
    # only in the database, and the upgrade must move them out.
    for kind, item_id in item_keys:
        assert keys.destroy(kind, item_id)
    upgrade(directory=directory, revision="heads")
    after = _rows(sorted(head_tables))
    queue = {"pending_actions", "counting_windows"}
    differing = sorted(
        table
        for table in head_tables - queue - {"signatures", "petition_breakdowns", "petitions"}
        if after[table] != before[table]
    )
    assert not differing, f"{differing} differ after the round trip"
    # page_version (0070) only keys the page caches, which a restart empties anyway: it may
    # come back as the default; everything else in a petition row must survive.
    assert _without(after["petitions"], "page_version") == _without(before["petitions"], "page_version")
    assert after["pending_actions"] == []
    assert _without(after["signatures"], "group_ciphertext") == _without(
        before["signatures"], "group_ciphertext"
    )
    assert {
        row["id"]: open_group(secrets.data_key, row["id"], _bytes(row["group_ciphertext"]))
        for row in after["signatures"]
    } == groups
    assert {
        (row["petition_id"], group_id, str(day)): count
        for row in after["petition_breakdowns"]
        for (group_id, day), count in read_cells(db.session, secrets.data_key, row["petition_id"]).items()
    } == cells
    db.session.remove()
    # The keys are back in the key store and nowhere in the database.
    assert {(kind, item_id): keys.get(kind, item_id) for kind, item_id in item_keys} == item_keys
    for table in ("petitions", "concerns"):
        assert "wrapped_key" not in {column["name"] for column in inspect(db.engine).get_columns(table)}

    # The upgraded instance keeps working on the old rows: an old signer is still known,
    # and a new member can still sign.
    db.session.remove()
    petition_id = before["petitions"][0]["id"]
    signer = db.session.scalars(select(User).where(User.username == "user2")).one()
    with pytest.raises(service.AlreadySigned), unit_of_work(db.session):
        service.sign_petition(
            petition_id, signer.id, service.SignatureChoice(), keys=keys, today=coarse_date()
        )
    newcomer = User(username="newcomer", password_hash="!", role=Role.MEMBER.value)
    db.session.add(newcomer)
    db.session.commit()
    with unit_of_work(db.session):
        service.sign_petition(
            petition_id, newcomer.id, service.SignatureChoice(), keys=keys, today=coarse_date()
        )
    count_queued_now(unmigrated_app)
    assert len(_rows(["signatures"])["signatures"]) == 5


def _record(*revisions: str) -> None:
    with db.engine.begin() as connection:
        connection.execute(text("DELETE FROM alembic_version"))
        for revision in revisions:
            connection.execute(text("INSERT INTO alembic_version VALUES (:r)"), {"r": revision})


def _old_public_names_index() -> None:
    # What the old revision 0005 (1670d8c) did, on top of 0001.
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "CREATE INDEX ix_signatures_public_names ON signatures (petition_id, display_name)"
                " WHERE display_name IS NOT NULL"
            )
        )


# Every state a database built from a commit on main can be in, by what it records.
# Before 03e178a the history had two branches off 0001: "0003" = reports (now 0002) and
# "0005" = the public-names index (now 0003); the renumbering changed ids only, so each
# old state is built here with today's files and the ids the old releases wrote.
HISTORICAL_STATES = {
    "dbfa639 (0001)": ("0001", ()),
    "5034b77 (old 0003 = reports)": ("0002", ("0003",)),
    "1670d8c (old 0005 = index, no reports)": ("0001+index", ("0005",)),
    "02ab1d7, ca71cf1 (old 0003 + old 0005)": ("0003", ("0003", "0005")),
    "03e178a (0002)": ("0002", ()),
    "03e178a and later (0003)": ("0003", ()),
}


@pytest.mark.parametrize("state", list(HISTORICAL_STATES))
def test_head_starts_from_every_revision_state_that_reached_main(
    unmigrated_app, tmp_path, empty_database_url, state
):
    schema, recorded = HISTORICAL_STATES[state]
    directory = _directory(unmigrated_app)
    upgrade(directory=directory, revision=schema.removesuffix("+index"))
    if schema.endswith("+index"):
        _old_public_names_index()
    if recorded:
        _record(*recorded)
    db.session.add(User(username="veteran", password_hash="!", role=Role.MEMBER.value))
    db.session.commit()
    db.session.remove()
    db.engine.dispose()

    started = create_app(
        {"INSTANCE_PATH": str(tmp_path / "instance"), "SQLALCHEMY_DATABASE_URI": empty_database_url}
    )
    with started.app_context():
        with db.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
            version = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
            users = connection.execute(text("SELECT username FROM users")).scalars().all()
        assert differences == []
        assert version == [ScriptDirectory(directory).get_current_head()]
        assert users == ["veteran"]
        # The history is whole again: it downgrades to the first release and back.
        downgrade(directory=directory, revision="0001")
        upgrade(directory=directory, revision="heads")
        db.session.remove()
        db.engine.dispose()
