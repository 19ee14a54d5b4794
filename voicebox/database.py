"""Schema upgrades with Alembic (Flask-Migrate), applied at start-up.

Before Alembic opens anything: the SQLite files are checked and restricted (a -wal or
-shm left 0444, or owned by another user, must give one clear line, not a traceback), and
revision ids recorded by releases whose migrations were later renumbered are translated
to the current chain (see `adopt_renumbered_revisions`).
"""

from __future__ import annotations

import logging
import os
import pwd
import stat
from contextlib import suppress
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import Connection, Engine, inspect, make_url, text

from voicebox.config import ConfigError
from voicebox.sqlite_engine import writable

log = logging.getLogger(__name__)

SQLITE_COMPANIONS = ("", "-wal", "-shm", "-writers")
PUBLIC_NAMES_INDEX = "ix_signatures_public_names"


class DatabaseAccessError(ConfigError):
    """The database file can't be opened for writing by the user running voicebox."""


def upgrade_database(app: Flask) -> None:
    """Bring the schema to the newest revision; safe to run on every start."""
    restrict_sqlite_file(app)
    with app.app_context():
        from voicebox.extensions import db
        from voicebox.settings import instance_settings
        from voicebox.unit_of_work import unit_of_work

        adopt_renumbered_revisions(db.engine)
        upgrade(directory=app.extensions["migrate"].directory, revision="heads")
        with unit_of_work(db.session):
            instance_settings()  # creates the settings row on a fresh database


def sqlite_path(database_url: str) -> Path | None:
    """The file an SQLite URL names, or None (another engine, or an in-memory database)."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    if url.database.startswith("file:"):
        return None
    return Path(url.database)


def _owner(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def _describe(path: Path) -> str:
    info = path.stat()
    group_mode = stat.S_IMODE(info.st_mode)
    return f"{path} (mode {group_mode:04o}, owner {_owner(info.st_uid)})"


def restrict_sqlite_file(app: Flask) -> None:
    """Make the SQLite file and its companions owner-only, before anything opens them.

    Raises DatabaseAccessError with one line naming the file, its mode and owner, and the
    command that fixes it, when this process can't write one of them.
    """
    database = sqlite_path(app.config["SQLALCHEMY_DATABASE_URI"])
    if database is None:
        return
    me = _owner(os.geteuid())
    folder = database.parent
    if not os.access(folder, os.W_OK | os.X_OK):
        raise DatabaseAccessError(
            f"voicebox (running as {me}) can't create files in {_describe(folder)}; run: chown {me} {folder}"
        )
    if not database.exists():
        # Created owner-only before SQLite makes it with the umask's mode; SQLite gives
        # the -wal and -shm it creates later the same mode as the database file.
        with suppress(FileExistsError):
            os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    for suffix in SQLITE_COMPANIONS:
        path = Path(f"{database}{suffix}")
        if not path.exists():
            continue
        try:
            path.chmod(0o600)  # also repairs a companion left 0444 by another tool
        except PermissionError:
            raise DatabaseAccessError(
                f"voicebox (running as {me}) can't use {_describe(path)}; "
                f"run: chown {me} {path} && chmod 600 {path}"
            ) from None
        if not writable(path):
            raise DatabaseAccessError(
                f"voicebox (running as {me}) can't write {_describe(path)}; run: chmod 600 {path}"
            )


def _recorded_revisions(connection: Connection) -> set[str]:
    return set(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())


def adopt_renumbered_revisions(engine: Engine) -> None:
    """Translate revision ids recorded before 03e178a renumbered the migrations.

    Until then the history had two branches off 0001: "0003" (reports, responses,
    thresholds; now 0002) and "0005" (the public-names index; now 0003). Databases built
    by those releases record {"0003"}, {"0005"} or both, and "0003" now names the index.
    The schema itself says which state a database is in, so ids reused by later
    migrations are never mistaken for old ones: the old "0005" alone has no reports
    table; the old "0003" alone has no public-names index.
    """
    with engine.begin() as connection:
        inspector = inspect(connection)
        if not inspector.has_table("alembic_version"):
            return
        recorded = _recorded_revisions(connection)
        has_reports = inspector.has_table("reports")
        has_index = inspector.has_table("signatures") and any(
            index["name"] == PUBLIC_NAMES_INDEX for index in inspector.get_indexes("signatures")
        )
        if recorded == {"0003", "0005"} and has_reports and has_index:
            current = "0003"  # both old branches applied: the whole current 0001-0003
        elif recorded == {"0005"} and not has_reports and has_index:
            # Only the index branch: drop the index so the chain can run 0002 then 0003.
            connection.execute(text(f"DROP INDEX {PUBLIC_NAMES_INDEX}"))
            current = "0001"
        elif recorded == {"0003"} and has_reports and not has_index:
            current = "0002"  # the old 0003 is today's 0002
        else:
            return
        connection.execute(text("DELETE FROM alembic_version"))
        connection.execute(
            text("INSERT INTO alembic_version (version_num) VALUES (:current)"),
            {"current": current},
        )
    log.warning(
        "voicebox: recorded migration revisions %s are from before the renumbering; now recorded as %s",
        ", ".join(sorted(recorded)),
        current,
    )
