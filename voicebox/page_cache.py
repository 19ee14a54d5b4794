"""Rendered once, served many times: what a petition page and its API entry show to everyone.

A page view costs mostly templates, Markdown + bleach and the figure queries, and all of
that is the same for every member until a figure changes. So the parts that are not
member-specific are kept per process in a bounded LRU, keyed on values each request reads
anyway: the petition row (which carries `page_version`), the instance settings, the day,
the language and the reader's role. Nothing member-specific (signed or not, CSRF tokens,
flashes) is ever stored, and nothing a role could not see is served to another role.

Workers never share memory, so freshness comes from the database: every writer of a
figure the page shows replaces the petition's random `page_version` in the same
transaction (`touch_pages`), and the next request in any worker reads the new value with
the petition row it loads anyway. A random value, not a counter: a counter would tell a
leaked database how many withdrawals there were.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from typing import Generic, TypeVar

from sqlalchemy import bindparam, update

from voicebox.models import Petition
from voicebox.models.base import DbSession

V = TypeVar("V")

DEFAULT_SIZE = 512
_TOUCH_ONE = update(Petition).where(Petition.id == bindparam("petition_id"))


class LruCache(Generic[V]):
    """A thread-safe least-recently-used map of at most `size` entries."""

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> V | None:
        """The value kept for `key`, or None; nothing is built."""
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def get_or_build(self, key: Hashable, build: Callable[[], V]) -> V:
        """The value for `key`, built (outside the lock) and kept when missing."""
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found
        value = build()
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


def new_version() -> str:
    return secrets.token_hex(8)


def touch_pages(session: DbSession, petition_ids: Iterable[str] | None = None) -> None:
    """Mark petition pages as changed, in the caller's transaction; None means every petition.

    Call it wherever a figure the page or API shows changes without the petition row's
    own columns changing: counts and tallies, responses, threshold crossings, groups.
    """
    if petition_ids is None:
        session.execute(update(Petition).values(page_version=new_version()))
        return
    for petition_id in sorted(set(petition_ids)):
        session.execute(_TOUCH_ONE.values(page_version=new_version()), {"petition_id": petition_id})
