"""Schema upgrades with Alembic (Flask-Migrate), applied at start-up."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask_migrate import upgrade


def upgrade_database(app: Flask) -> None:
    """Bring the schema to the newest revision; safe to run on every start."""
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory, revision="heads")
        restrict_sqlite_file(app)
        from voicebox.auth.service import instance_settings
        from voicebox.extensions import db

        instance_settings()
        db.session.commit()


def restrict_sqlite_file(app: Flask) -> None:
    """Make an SQLite database file (and its WAL) readable by the owner only."""
    from voicebox.extensions import db

    if db.engine.dialect.name != "sqlite" or not db.engine.url.database:
        return
    database = Path(db.engine.url.database)
    for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
        if path.exists():
            path.chmod(0o600)
