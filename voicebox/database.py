"""Schema upgrades with Alembic (Flask-Migrate), applied at start-up."""

from __future__ import annotations

from flask import Flask
from flask_migrate import upgrade


def upgrade_database(app: Flask) -> None:
    """Bring the schema to the newest revision; safe to run on every start."""
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory, revision="heads")
