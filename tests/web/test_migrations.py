"""Migrations on both engines: from an empty database, and from the previous release's
schema (revision 0001) with data in it — every row survives the round trip."""

from __future__ import annotations

from datetime import timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from tests.support import both_engines
from voicebox import create_app
from voicebox.anonymity import coarse_date
from voicebox.extensions import db
from voicebox.models import Group, Role, User
from voicebox.petitions import service

pytestmark = both_engines

PREVIOUS_RELEASE = "0001"


@pytest.fixture
def unmigrated_app(tmp_path, empty_database_url):
    app = create_app(
        {
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SQLALCHEMY_DATABASE_URI": empty_database_url,
            "AUTO_MIGRATE": False,
        }
    )
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _directory(app) -> str:
    return app.extensions["migrate"].directory


def _rows(tables: list[str]) -> dict[str, list[tuple]]:
    db.session.remove()
    with db.engine.connect() as connection:
        return {
            table: sorted(
                (tuple(row) for row in connection.execute(text(f'SELECT * FROM "{table}"'))),
                key=repr,
            )
            for table in tables
        }


def _realistic_data(app) -> None:
    secrets = app.extensions["voicebox.secrets"]
    today = coarse_date()
    users = [User(username=f"user{n}", password_hash="!", role=Role.MEMBER.value) for n in range(6)]
    group = Group(name="Warehouse", kind="site")
    db.session.add_all([*users, group])
    db.session.commit()
    petition = service.start_petition(
        users[0].id, "Fix the heating", "It is **cold**.", 50, today + timedelta(days=10),
        secrets=secrets, today=today,
    )
    service.open_petition(petition.id, cosponsors_needed=0, actor_role="organizer", today=today)
    for user in users[1:]:
        choice = service.SignatureChoice(display_name=user.username, group_id=group.id, comment="Brr")
        service.sign_petition(petition.id, user.id, choice, secrets=secrets, today=today)
    service.withdraw_signature(petition.id, users[1].id, secrets=secrets, today=today)


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


def test_previous_release_data_survives_downgrade_and_upgrade(unmigrated_app):
    directory = _directory(unmigrated_app)
    upgrade(directory=directory, revision=PREVIOUS_RELEASE)
    release_tables = sorted(set(inspect(db.engine).get_table_names()) - {"alembic_version"})
    upgrade(directory=directory, revision="heads")
    _realistic_data(unmigrated_app)
    before = _rows(release_tables)
    assert len(before["signatures"]) == 4

    downgrade(directory=directory, revision=PREVIOUS_RELEASE)
    with db.engine.connect() as connection:
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    assert version == [PREVIOUS_RELEASE]
    assert _rows(release_tables) == before

    upgrade(directory=directory, revision="heads")
    assert _rows(release_tables) == before
    # The upgraded instance keeps working on the old rows: a new member can still sign.
    db.session.remove()
    newcomer = User(username="newcomer", password_hash="!", role=Role.MEMBER.value)
    db.session.add(newcomer)
    db.session.commit()
    petition_id = before["petitions"][0][0]
    service.sign_petition(
        petition_id, newcomer.id, service.SignatureChoice(),
        secrets=unmigrated_app.extensions["voicebox.secrets"], today=coarse_date(),
    )
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
        assert version == ["0003"]
        assert users == ["veteran"]
        # The history is whole again: it downgrades to the first release and back.
        downgrade(directory=directory, revision="0001")
        upgrade(directory=directory, revision="heads")
        db.session.remove()
        db.engine.dispose()
