"""What every forensic test assumes of the thief: they copy the files at the worst moment."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event

from voicebox.extensions import db


@pytest.fixture
def wal_keeps_everything(app: Flask) -> Iterator[None]:
    """No checkpoint for the whole test, so the WAL holds every frame in commit order.

    SQLite checkpoints every 1,000 pages and then writes the WAL again from its start, which
    scrambles the naive frame order an order test reads; a thief who copies the files just
    before a checkpoint gets the whole history in order. Tests of order take that worst case.
    """

    def no_checkpoint(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA wal_autocheckpoint=0")

    engine = db.engine
    if engine.dialect.name != "sqlite":
        yield
        return
    event.listen(engine, "connect", no_checkpoint)
    engine.dispose()  # pooled connections were opened without it
    try:
        yield
    finally:
        event.remove(engine, "connect", no_checkpoint)
        engine.dispose()
