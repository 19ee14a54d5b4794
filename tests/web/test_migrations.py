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


def _rows(tables: dict[str, list[str]]) -> dict[str, list[tuple]]:
    """Each table's rows, in the columns it had at the previous release (later ones go on downgrade)."""
    db.session.remove()
    rows: dict[str, list[tuple]] = {}
    with db.engine.connect() as connection:
        for table, columns in tables.items():
            names = ", ".join(f'"{column}"' for column in columns)
            found = connection.execute(text(f'SELECT {names} FROM "{table}"'))
            rows[table] = sorted((tuple(row) for row in found), key=repr)
    return rows


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
    inspector = inspect(db.engine)
    release_tables = {
        table: [column["name"] for column in inspector.get_columns(table)]
        for table in sorted(set(inspector.get_table_names()) - {"alembic_version"})
    }
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
    assert len(_rows({"signatures": release_tables["signatures"]})["signatures"]) == 5
