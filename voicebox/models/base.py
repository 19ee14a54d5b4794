"""Declarative base with a naming convention, so migrations name constraints stably."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeAlias, cast

from sqlalchemy import Connection, CursorResult, MetaData, Result, String
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, scoped_session

from voicebox.anonymity import random_id

if TYPE_CHECKING:
    from flask_sqlalchemy.session import Session as AppSession


# What the data functions take: a plain Session (CLI, tests, Alembic) or the app's
# request-scoped `db.session`, which proxies one.
DbSession: TypeAlias = "Session | scoped_session[AppSession]"
# What read-only lookups take: either of those, or a bare Connection (the short read paths
# in front of Flask, which have no session).
DbReader: TypeAlias = "Session | scoped_session[AppSession] | Connection"


def rows_affected(result: Result[Any]) -> int:
    """How many rows an INSERT/UPDATE/DELETE touched.

    `Session.execute` is typed as returning a Result; for those statements it is a
    CursorResult, which is what carries the count.
    """
    return cast("CursorResult[Any]", result).rowcount


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
