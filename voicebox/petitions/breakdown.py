"""The group breakdown of a petition's signatures, kept sealed (A6).

A plaintext row per (petition, group, day) would show a leaked database that two people
from a small team signed. Instead each petition has one blob, sealed under the data key
and padded, holding net signatures per group and day; it is read only to build
suppressed tables. A signature's own group is sealed the same way, so a withdrawal can
take it off the right cell.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date

from sqlalchemy import insert, select, update

from voicebox.crypto import CryptoError, decrypt_text, encrypt_text
from voicebox.models import PetitionBreakdown
from voicebox.models.base import DbSession

# Padding: the blob's length says only roughly how many (group, day) cells it holds.
BLOB_BUCKET = 2048
GROUP_FIELD_WIDTH = 12

Cells = dict[tuple[int, date], int]


def _context(petition_id: str) -> str:
    return f"breakdown:{petition_id}"


def group_context(signature_id: str) -> str:
    """The AES-GCM context binding a signature's sealed group to its row."""
    return f"signature-group:{signature_id}"


def seal_group(data_key: bytes, signature_id: str, group_id: int | None) -> bytes:
    """A signature's group (or none) as a fixed-length ciphertext; raises nothing."""
    plain = ("" if group_id is None else str(group_id)).ljust(GROUP_FIELD_WIDTH)
    return encrypt_text(data_key, plain, group_context(signature_id))


def open_group(data_key: bytes, signature_id: str, sealed: bytes | None) -> int | None:
    """The group a signature was sealed with, None for none or an unreadable blob."""
    if sealed is None:
        return None
    try:
        plain = decrypt_text(data_key, sealed, group_context(signature_id)).strip()
    except CryptoError:
        return None
    return int(plain) if plain.isdigit() else None


def _encode(cells: Cells) -> str:
    nested: dict[str, dict[str, int]] = {}
    for (group_id, day), count in sorted(cells.items()):
        if count:
            nested.setdefault(str(group_id), {})[day.isoformat()] = count
    body = json.dumps(nested, separators=(",", ":"))
    padded = -(-(len(body) + 1) // BLOB_BUCKET) * BLOB_BUCKET
    return body.ljust(padded)


def _decode(text: str) -> Cells:
    nested: dict[str, dict[str, int]] = json.loads(text)
    return {
        (int(group_id), date.fromisoformat(day)): count
        for group_id, days in nested.items()
        for day, count in days.items()
    }


def read_cells(session: DbSession, data_key: bytes, petition_id: str, *, for_update: bool = False) -> Cells:
    """Net signatures per (group id, day) for one petition; empty when none named a group."""
    query = select(PetitionBreakdown.sealed).where(PetitionBreakdown.petition_id == petition_id)
    if for_update:
        query = query.with_for_update()
    sealed = session.scalar(query)
    if sealed is None:
        return {}
    return _decode(decrypt_text(data_key, sealed, _context(petition_id)))


def add_cells(
    session: DbSession, data_key: bytes, petition_id: str, changes: Mapping[tuple[int, date], int]
) -> None:
    """Add `changes` to a petition's sealed breakdown inside the caller's transaction."""
    changes = {cell: delta for cell, delta in changes.items() if delta}
    if not changes:
        return
    exists = session.scalar(
        select(PetitionBreakdown.petition_id)
        .where(PetitionBreakdown.petition_id == petition_id)
        .with_for_update()
    )
    cells = read_cells(session, data_key, petition_id) if exists else {}
    for cell, delta in changes.items():
        cells[cell] = max(0, cells.get(cell, 0) + delta)
    sealed = encrypt_text(data_key, _encode(cells), _context(petition_id))
    if exists:
        session.execute(
            update(PetitionBreakdown)
            .where(PetitionBreakdown.petition_id == petition_id)
            .values(sealed=sealed)
        )
    else:
        session.execute(insert(PetitionBreakdown).values(petition_id=petition_id, sealed=sealed))
