"""Alembic environment for voicebox, run through Flask-Migrate inside the app context.

Logging is left as the app configured it: Alembic's stock fileConfig() would replace the
handlers, including the filters that keep client addresses out of logs.
"""

from __future__ import annotations

from alembic import context
from flask import current_app
from sqlalchemy import text

config = context.config
database = current_app.extensions["migrate"].db
target_metadata = database.metadata


def run_migrations_offline() -> None:
    context.configure(
        url=database.engine.url.render_as_string(hide_password=False),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    with database.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch migrations rebuild a table by copy, drop and rename; with foreign keys
            # on, the drop would cascade and delete every row that points at it. The pragma
            # only takes effect outside a transaction, so it is set before one starts.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                # The app's statement timeout guards requests; building an index over a
                # large table may rightly take longer. LOCAL: the pooled connection
                # returns to the app with its timeout intact.
                connection.execute(text("SET LOCAL statement_timeout = 0"))
            context.run_migrations()
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()
            if broken:
                raise RuntimeError(f"migration left {len(broken)} rows pointing at nothing: {broken[:3]}")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
