"""Counter rows updated in the same transaction as the rows they count.

Tallies are read from these, never from COUNT(*) over signatures, so a page costs the
same at a million signatures as at ten. The statements are built once per table and
column: counters are written on every signature, the hottest path there is.

The INSERT … ON CONFLICT statements are kept as text compiled once. SQLAlchemy's
PostgreSQL and SQLite Insert constructs opt out of its statement cache (`inherit_cache =
False`), so each execution compiled them anew: at a million signatures, compiling the same
INSERT was half the time counting a window took, all of it inside the one writer's lock.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import Executable, Integer, TextClause, bindparam, select, text, update
from sqlalchemy.dialects import postgresql, sqlite

from voicebox.models.base import DbSession, rows_affected

# Rows looked up per statement when finding which of a batch were written.
_LOOKUP_BATCH = 500


# Compiled with named parameters (":name"), which text() reads back on either engine.
_NAMED = {"postgresql": postgresql.dialect(paramstyle="named"), "sqlite": sqlite.dialect(paramstyle="named")}


def _dialect_insert(table: Any, dialect: str) -> Any:
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise RuntimeError(f"unsupported database engine {dialect}")  # pragma: no cover


def _compiled_once(statement: Any, dialect: str, column_keys: list[str] | None = None) -> TextClause:
    """`statement` for `dialect` as cacheable text, its parameters keeping their column types."""
    compiled = statement.compile(dialect=_NAMED[dialect], column_keys=column_keys)
    return text(str(compiled)).bindparams(
        *(bindparam(name, type_=parameter.type) for name, parameter in compiled.binds.items())
    )


@cache
def _upsert_increment(table: Any, keys: tuple[str, ...], column: str, dialect: str) -> Executable:
    insert = _dialect_insert(table, dialect)
    values: dict[str, Any] = {key: bindparam(key) for key in keys}
    delta = bindparam("delta", type_=Integer)
    upsert = insert.values(**values, **{column: delta}).on_conflict_do_update(
        index_elements=list(keys),
        set_={column: table.c[column] + delta},
    )
    return _compiled_once(upsert, dialect)


@cache
def insert_ignoring_duplicates(table: Any, unique: tuple[str, ...], dialect: str) -> Executable:
    """INSERT of every column that skips a row clashing on `unique`; its rowcount says
    whether it was written (as text, no column defaults apply: pass every column)."""
    insert = _dialect_insert(table, dialect).on_conflict_do_nothing(index_elements=list(unique))
    return _compiled_once(insert, dialect, [column.name for column in table.c])


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


def insert_new_rows(
    session: DbSession, table: Any, unique: tuple[str, ...], rows: Sequence[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Insert `rows` (every column, a fresh random `id` each) in one batch, skipping those
    clashing on `unique`; returns the rows written, in the order given."""
    if not rows:
        return []
    connection = session.connection()
    statement = insert_ignoring_duplicates(table, unique, connection.dialect.name)
    # One executemany: counting a window writes thousands of rows while holding the writer
    # lock, and a statement per row spent most of that time in Python.
    if rows_affected(connection.execute(statement, list(rows))) == len(rows):
        return list(rows)
    # Some clashed (a replayed action): the fresh ids that are there now are the ones written.
    ids = [row["id"] for row in rows]
    written: set[str] = set()
    for start in range(0, len(ids), _LOOKUP_BATCH):
        chunk = ids[start : start + _LOOKUP_BATCH]
        written.update(connection.scalars(select(table.c.id).where(table.c.id.in_(chunk))))
    return [row for row in rows if row["id"] in written]
