"""What petitions and concerns share: items with their own key, and members' marks on them.

A member's signature, co-sponsorship, "me too" or flag is a row carrying a nullifier under
the item's key (A2). Finding "theirs" means recomputing the nullifier while the key
exists; once the item closes and the key is destroyed, nothing can. Everything here reads
only; callers own the transaction.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, select

from voicebox import pending
from voicebox.anonymity import nullifier
from voicebox.keystore import KeyStore
from voicebox.models import ItemTokenIssuance
from voicebox.models.base import DbReader, DbSession

Keyed = list[tuple[Any, bytes]]


@cache
def _marked_statement(model: Any, item_column: str) -> Select[Any]:
    # Built once per kind of mark: every page a member opens asks this.
    return select(model.id).where(
        getattr(model, item_column) == bindparam("item_id"), model.nullifier == bindparam("mark")
    )


def marked(session: DbReader, model: Any, item_column: str, item_id: str, mark: str) -> bool:
    """Whether `model` holds a row on this item carrying `mark` (a member's nullifier)."""
    found = session.scalar(_marked_statement(model, item_column), {"item_id": item_id, "mark": mark})
    return found is not None


def issued_item_token(session: DbSession, scope: str, item_id: str, mark: str) -> str | None:
    """The blinded-message digest of the `scope` token issued on this item to the member
    whose issuance nullifier is `mark` ("support" or "cosponsor"), or None if none was."""
    return session.scalar(
        select(ItemTokenIssuance.blinded_digest).where(
            ItemTokenIssuance.scope == scope,
            ItemTokenIssuance.item_id == item_id,
            ItemTokenIssuance.member_mark == mark,
        )
    )


def counted_or_queued(
    session: DbReader, keys: KeyStore, model: Any, item_column: str, item_id: str, purpose: str, mark: str
) -> tuple[bool, bool]:
    """(counted, queued): the member's action is written on the item, or still waits for its window."""
    if marked(session, model, item_column, item_id, mark):
        return True, False
    return False, pending.is_queued(session, pending.live_windows(session, keys), purpose, mark)


def keyed_items(session: DbSession, model: Any, kind: str, keys: KeyStore) -> Keyed:
    """Every item of `model` that still holds its key (not yet closed), with that key."""
    ids = list(keys.item_ids(kind))
    if not ids:
        return []
    items = session.scalars(select(model).where(model.id.in_(ids)))
    return [(item, key) for item in items if (key := keys.get(kind, item.id)) is not None]


def own_rows(
    session: DbSession, model: Any, item_column: str, keyed: Keyed, purpose: str, member_id: str
) -> list[tuple[Any, Any]]:
    """(item, row) for each `model` row this member left on a keyed item, by recomputed nullifier."""
    wanted = {nullifier(key, purpose, member_id): item for item, key in keyed}
    if not wanted:
        return []
    rows = session.scalars(select(model).where(model.nullifier.in_(list(wanted))))
    return [
        (wanted[row.nullifier], row)
        for row in rows
        if row.nullifier in wanted and wanted[row.nullifier].id == getattr(row, item_column)
    ]
