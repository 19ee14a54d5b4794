"""Counter rows updated in the same transaction as the rows they count.

Tallies are read from these, never from COUNT(*) over signatures, so a page costs the
same at a million signatures as at ten. The statements are built once per table and
column: counters are written on every signature, the hottest path there is.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Executable, bindparam, update
from sqlalchemy.dialects import postgresql, sqlite

from voicebox.models.base import DbSession


def _dialect_insert(table: Any, dialect: str) -> Any:
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise RuntimeError(f"unsupported database engine {dialect}")  # pragma: no cover


@cache
def _upsert_increment(table: Any, keys: tuple[str, ...], column: str, dialect: str) -> Executable:
    insert = _dialect_insert(table, dialect)
    values: dict[str, Any] = {key: bindparam(key) for key in keys}
    return insert.values(**values, **{column: bindparam("delta")}).on_conflict_do_update(
        index_elements=list(keys),
        set_={column: table.c[column] + bindparam("delta")},
    )


@cache
def insert_ignoring_duplicates(table: Any, unique: tuple[str, ...], dialect: str) -> Executable:
    """INSERT that skips a row clashing on `unique`; its rowcount says whether it was written."""
    insert = _dialect_insert(table, dialect)
    return insert.on_conflict_do_nothing(index_elements=list(unique))


@cache
def _increment(table: Any, column: str) -> Executable:
    return (
        update(table)
        .where(table.c.id == bindparam("row_id"))
        .values({column: table.c[column] + bindparam("delta")})
    )


def add_to_counter_row(
    session: DbSession, model: type[Any], keys: dict[str, Any], column: str, delta: int
) -> None:
    """Add `delta` to `model.column` for the row at `keys`, creating the row if needed."""
    dialect = session.get_bind().dialect.name
    statement = _upsert_increment(model.__table__, tuple(keys), column, dialect)
    session.execute(statement, {**keys, "delta": delta})


def add_to_column(session: DbSession, model: type[Any], row_id: Any, column: str, delta: int) -> None:
    """Atomically add `delta` to one counter column of one row (no read-modify-write race)."""
    session.execute(_increment(model.__table__, column), {"row_id": row_id, "delta": delta})
