"""One transaction around a whole user action, owned by its caller (a view or CLI command).

Steps inside it only add to the session and flush; `unit_of_work` commits once at the end,
or rolls everything back if any step raises, so an action of several steps (deleting an
account that first withdraws its signatures) is never left half-done.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from voicebox.models.base import DbSession


@contextmanager
def unit_of_work(session: DbSession) -> Iterator[None]:
    """Commit `session` once if the block finishes; roll back all of it if the block raises."""
    try:
        yield
    except BaseException:
        session.rollback()
        raise
    session.commit()
