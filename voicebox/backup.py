"""Online backup and restore, one portable format for both engines.

A backup is a gzip'd JSON-lines file: a header (format, schema revisions), then each table
in foreign-key order as a `{"table", "columns"}` line followed by one JSON list per row,
then a footer with the row counts, so a truncated file is refused rather than half-restored.
Being engine-neutral, a backup of the embedded SQLite file restores into PostgreSQL: that is
also how an instance moves to PostgreSQL.

Consistency: SQLite is first copied with its own online backup API (a snapshot that
concurrent writers can't tear) and exported from the copy; PostgreSQL is exported inside
one REPEATABLE READ, READ ONLY transaction (the same snapshot guarantee pg_dump uses).

What is never in a backup: the instance secrets (secret key, master key, data key, pepper).
They live outside the database, so a stolen backup unwraps nothing; they must be kept
safely and separately, or open petitions can't be signed or withdrawn after a restore.
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection, Engine, Table, create_engine, func, insert, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.types import Date, DateTime, LargeBinary

from voicebox.auditlog.record import record_event

FORMAT = "voicebox-backup"
VERSION = 1
BATCH = 2_000
# Configuration, not member data: a fresh instance writes it on its first start (set-up
# link), so it doesn't count as "holding data" and a restore always replaces it.
SETTINGS_TABLE = "instance_settings"


class BackupError(Exception):
    """A backup or restore that can't be done; the message is for the operator."""


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    rows: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def _encode(value: Any) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def _decoder(table: Table, column: str) -> Any:
    kind = table.c[column].type
    if isinstance(kind, LargeBinary):
        return base64.b64decode
    if isinstance(kind, DateTime):
        return datetime.fromisoformat
    if isinstance(kind, Date):
        return date.fromisoformat
    return None


def _revisions(connection: Connection) -> list[str]:
    try:
        rows = connection.execute(text("SELECT version_num FROM alembic_version"))
    except SQLAlchemyError as exc:
        raise BackupError("This database has no voicebox schema; start the app once first.") from exc
    return sorted(rows.scalars())


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """A read-only connection that sees one consistent state of the database."""
    if engine.dialect.name == "sqlite":
        source_path = engine.url.database
        if not source_path or source_path == ":memory:":
            raise BackupError("Only a file database can be backed up.")
        with tempfile.TemporaryDirectory(prefix="voicebox-snapshot-") as folder:
            copy = Path(folder) / "snapshot.sqlite3"
            source = sqlite3.connect(source_path, timeout=30)
            target = sqlite3.connect(copy)
            try:
                source.backup(target)
            finally:
                target.close()
                source.close()
            snapshot_engine = create_engine(f"sqlite:///{copy}")
            try:
                with snapshot_engine.connect() as connection:
                    yield connection
            finally:
                snapshot_engine.dispose()
    else:
        with (
            engine.connect().execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            ) as connection,
            connection.begin(),
        ):
            yield connection


def _write_rows(out: IO[str], connection: Connection, table: Table) -> int:
    columns = [column.name for column in table.columns]
    out.write(json.dumps({"table": table.name, "columns": columns}) + "\n")
    count = 0
    ordered = select(table).order_by(*table.primary_key.columns)
    result = connection.execution_options(stream_results=True, yield_per=BATCH).execute(ordered)
    for row in result:
        out.write(json.dumps([_encode(value) for value in row], separators=(",", ":")) + "\n")
        count += 1
    return count


def write_backup(engine: Engine, tables: list[Table], path: Path) -> BackupSummary:
    """Write a consistent backup of `tables` (in dependency order) to `path`, mode 0600.

    Raises BackupError when the database has no schema or can't be snapshotted.
    """
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    rows: dict[str, int] = {}
    # 0600 from the first byte: a backup holds ciphertexts and nullifiers.
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with (
            _snapshot(engine) as connection,
            os.fdopen(descriptor, "wb") as raw,
            gzip.open(raw, "wt", encoding="utf-8") as out,
        ):
            header = {
                "format": FORMAT,
                "version": VERSION,
                "engine": engine.dialect.name,
                "revisions": _revisions(connection),
            }
            out.write(json.dumps(header) + "\n")
            for table in tables:
                rows[table.name] = _write_rows(out, connection, table)
            out.write(json.dumps({"end": True, "rows": rows}) + "\n")
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return BackupSummary(path, rows)


def _read_header(path: Path) -> dict[str, Any]:
    try:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            header = json.loads(handle.readline())
    except (OSError, ValueError, EOFError) as exc:
        raise BackupError(f"{path} is not a voicebox backup ({exc}).") from exc
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise BackupError(f"{path} is not a voicebox backup.")
    if header.get("version") != VERSION:
        raise BackupError(f"{path} is a backup format this version can't read.")
    return header


Section = tuple[str, list[str], list[list[Any]]]


def _sections(path: Path) -> Iterator[Section]:
    """(table, columns, rows) in batches; an empty batch announces each table."""
    name: str | None = None
    columns: list[str] = []
    batch: list[list[Any]] = []
    try:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            handle.readline()  # the header, checked by _read_header
            for line in handle:
                item = json.loads(line)
                if isinstance(item, list):
                    if name is None:
                        raise BackupError(f"{path} is damaged: a row before any table.")
                    batch.append(item)
                    if len(batch) >= BATCH:
                        yield name, columns, batch
                        batch = []
                    continue
                if batch and name is not None:
                    yield name, columns, batch
                    batch = []
                if item.get("end"):
                    return
                name, columns = item["table"], item["columns"]
                yield name, columns, []
    except (OSError, ValueError, EOFError, KeyError, AttributeError) as exc:
        raise BackupError(f"{path} is damaged or truncated ({exc}). Nothing was restored.") from exc
    raise BackupError(f"{path} is truncated: it has no end marker. Nothing was restored.")


def holds_data(connection: Connection, tables: list[Table]) -> list[str]:
    """Names of the tables (other than instance settings) that have at least one row."""
    return [
        table.name
        for table in tables
        if table.name != SETTINGS_TABLE
        and connection.execute(select(func.count()).select_from(select(table).limit(1).subquery())).scalar()
    ]


def _reset_sequences(connection: Connection, tables: list[Table]) -> None:
    # Restored integer ids were inserted explicitly; PostgreSQL's sequences must move past them.
    for table in tables:
        for column in table.primary_key.columns:
            if column.autoincrement is True or (
                column.autoincrement == "auto" and column.type.python_type is int
            ):
                highest = select(func.max(column)).scalar_subquery()
                sequence = func.pg_get_serial_sequence(table.name, column.name)
                connection.execute(select(func.setval(sequence, func.coalesce(highest, 0) + 1, False)))


def restore_backup(engine: Engine, tables: list[Table], path: Path, *, force: bool = False) -> BackupSummary:
    """Replace the database's rows with the backup's, all in one transaction.

    Raises BackupError if the file is not a complete backup, names a table or column this
    schema lacks, or the database holds data and `force` is not set.
    """
    header = _read_header(Path(path))
    by_name = {table.name: table for table in tables}
    rows: dict[str, int] = {}
    with engine.begin() as connection:
        revisions = _revisions(connection)
        occupied = holds_data(connection, tables)
        if occupied and not force:
            raise BackupError(
                "This database already holds data (" + ", ".join(occupied) + "). "
                "Restore into an empty database, or pass --force to replace everything in it."
            )
        for table in reversed(tables):
            connection.execute(table.delete())
        for name, columns, batch in _sections(Path(path)):
            known = by_name.get(name)
            if known is None:
                raise BackupError(f"The backup has a table {name!r} this version doesn't know.")
            unknown = [column for column in columns if column not in known.c]
            if unknown:
                raise BackupError(
                    f"The backup's {name} has columns this schema lacks ({', '.join(unknown)}); "
                    f"upgrade this instance to the backup's version ({', '.join(header['revisions'])})."
                )
            rows.setdefault(name, 0)
            if not batch:
                continue
            decoders = [(column, _decoder(known, column)) for column in columns]
            connection.execute(
                insert(known),
                [
                    {
                        column: (decode(value) if decode and value is not None else value)
                        for (column, decode), value in zip(decoders, row, strict=True)
                    }
                    for row in batch
                ],
            )
            rows[name] += len(batch)
        if engine.dialect.name == "postgresql":
            _reset_sequences(connection, tables)
        with Session(bind=connection) as session:
            record_event(
                session,
                "admin",
                "restored the database from a backup",
                f"{sum(rows.values())} rows, schema {', '.join(revisions)}",
            )
            session.flush()
    return BackupSummary(Path(path), rows)
