"""SQLite writers queue on a file lock instead of sleeping in SQLite's busy handler."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import create_engine, text

from voicebox.sqlite_engine import WriterQueueError, configure_sqlite


@pytest.fixture
def engine(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    configure_sqlite(engine)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE tally (id INTEGER PRIMARY KEY, n INTEGER)"))
        connection.execute(text("INSERT INTO tally VALUES (1, 0)"))
    yield engine
    engine.dispose()


def test_concurrent_writers_all_succeed_and_none_is_lost(engine):
    def add_ones():
        for _ in range(25):
            with engine.begin() as connection:
                connection.execute(text("UPDATE tally SET n = n + 1 WHERE id = 1"))

    threads = [threading.Thread(target=add_ones) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT n FROM tally")).scalar() == 150


def test_the_lock_is_released_by_rollback_as_well_as_commit(engine):
    with engine.connect() as connection:
        connection.execute(text("UPDATE tally SET n = 99"))
        connection.rollback()
    with engine.begin() as connection:
        connection.execute(text("UPDATE tally SET n = n + 1"))
    with engine.connect() as connection:
        assert connection.execute(text("SELECT n FROM tally")).scalar() == 1


def test_a_second_writing_connection_in_one_thread_fails_fast_instead_of_hanging(engine):
    with engine.connect() as first:
        first.execute(text("UPDATE tally SET n = 5"))
        with engine.connect() as second, pytest.raises(WriterQueueError):
            second.execute(text("UPDATE tally SET n = 6"))
        first.commit()
    with engine.connect() as connection:
        assert connection.execute(text("SELECT n FROM tally")).scalar() == 5


def test_reads_never_wait_for_the_writer_lock(engine):
    with engine.connect() as writer:
        writer.execute(text("UPDATE tally SET n = 7"))
        with engine.connect() as reader:
            assert reader.execute(text("SELECT n FROM tally")).scalar() == 0
        writer.commit()


def _pragma(engine, name: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(f"PRAGMA {name}")).scalar_one())


def test_every_commit_is_synced_by_default_and_normal_is_a_choice(engine, tmp_path):
    assert _pragma(engine, "synchronous") == 2  # FULL: survives a power cut, not only a crash
    relaxed = create_engine(f"sqlite:///{tmp_path / 'relaxed.sqlite3'}")
    configure_sqlite(relaxed, "NORMAL")
    assert _pragma(relaxed, "synchronous") == 1
    relaxed.dispose()
    with pytest.raises(ValueError, match="synchronous"):
        configure_sqlite(create_engine("sqlite://"), "OFF")


def test_the_busy_timeout_is_the_configured_statement_timeout(tmp_path):
    from voicebox.config import engine_options

    url = f"sqlite:///{tmp_path / 'busy.sqlite3'}"
    engine = create_engine(url, **engine_options(url, statement_timeout=3))
    configure_sqlite(engine)
    assert _pragma(engine, "busy_timeout") == 3000  # not overridden by a pragma of its own
    engine.dispose()


def test_a_connection_discarded_after_an_error_releases_the_writer_lock(engine):
    # "attempt to write a readonly database" discards the connection; if its writer lock
    # went with it unreleased, every later writer in every worker would wait forever.
    with engine.connect() as connection:
        connection.execute(text("UPDATE tally SET n = n + 1 WHERE id = 1"))
        connection.invalidate()
    with engine.begin() as connection:
        connection.execute(text("UPDATE tally SET n = n + 1 WHERE id = 1"))
