"""Declarative base with a naming convention, so migrations name constraints stably."""

from __future__ import annotations

from sqlalchemy import MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from voicebox.anonymity import random_id

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def random_pk() -> Mapped[str]:
    """A 128-bit random primary key column: no insert order, nothing to count (A3)."""
    return mapped_column(String(32), primary_key=True, default=random_id)


# Anonymous tables drop SQLite's hidden rowid, which would otherwise record insert order.
ANONYMOUS_TABLE_ARGS = {"sqlite_with_rowid": False}
