"""Counter rows updated in the same transaction as the rows they count.

Tallies are read from these, never from COUNT(*) over signatures, so a page costs the
same at a million signatures as at ten.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def add_to_counter_row(
    session: Session, model: type[Any], keys: dict[str, Any], column: str, delta: int
) -> None:
    """Add `delta` to `model.column` for the row at `keys`, creating the row if needed."""
    table = model.__table__
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        insert = postgresql.insert(table)
    elif dialect == "sqlite":
        insert = sqlite.insert(table)
    else:  # pragma: no cover - only the two supported engines reach here
        raise RuntimeError(f"unsupported database engine {dialect}")
    statement = insert.values(**keys, **{column: delta}).on_conflict_do_update(
        index_elements=list(keys),
        set_={column: table.c[column] + delta},
    )
    session.execute(statement)


def add_to_column(session: Session, model: type[Any], row_id: Any, column: str, delta: int) -> None:
    """Atomically add `delta` to one counter column of one row (no read-modify-write race)."""
    table = model.__table__
    session.execute(
        update(table).where(table.c.id == row_id).values({column: table.c[column] + delta})
    )
