"""Writing queued signatures and moving the counters they feed.

Called when a counting window is flushed (voicebox.pending): the batch arrives shuffled,
and every counter moves by the rows actually written, so a replayed or duplicated action
can never count twice.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import select

from voicebox.anonymity import random_id
from voicebox.config import Secrets
from voicebox.counters import add_to_column, add_to_counter_row, insert_new_rows
from voicebox.crypto import encrypt_text
from voicebox.models import Cosponsorship, Petition, PetitionDayTally, PetitionStatus, Signature
from voicebox.models.base import DbSession
from voicebox.page_cache import touch_pages
from voicebox.pending import Applier
from voicebox.petitions import breakdown


def comment_context(signature_id: str) -> str:
    """The AES-GCM context binding a signing comment to its signature (A5)."""
    return f"signature:{signature_id}"


def count_signatures(
    session: DbSession,
    data_key: bytes,
    petition_id: str,
    signed: Iterable[tuple[date, int | None]],
    sign: int,
) -> None:
    """Move a petition's counters by one per (day, group) in `signed`, up (+1) or down (-1)."""
    days: Counter[date] = Counter()
    cells: Counter[tuple[int, date]] = Counter()
    total = 0
    for day, group_id in signed:
        total += 1
        days[day] += 1
        if group_id is not None:
            cells[(group_id, day)] += 1
    if not total:
        return
    add_to_column(session, Petition, petition_id, "signature_count", sign * total)
    # A withdrawal and a counted signature can leave the count as it was while the chart,
    # breakdown and public names change, so the count alone can't key the page cache.
    touch_pages(session, [petition_id])
    for day, count in sorted(days.items()):
        add_to_counter_row(
            session, PetitionDayTally, {"petition_id": petition_id, "day": day}, "signatures", sign * count
        )
    breakdown.add_cells(session, data_key, petition_id, {cell: sign * n for cell, n in cells.items()})


def _petitions_in(
    session: DbSession, batch: list[dict[str, Any]], status: PetitionStatus, *, also: str | None
) -> set[str]:
    """The batch's petitions that have `status`, plus `also` (one changing status right now)."""
    petition_ids = {payload["petition_id"] for payload in batch}
    found = set(
        session.scalars(
            select(Petition.id).where(Petition.id.in_(petition_ids), Petition.status == status.value)
        )
    )
    return found | {also} if also else found


def signature_applier(secrets: Secrets, closing: str | None = None) -> Applier:
    """Write a shuffled batch of queued signatures: to petitions still open, and to the one
    being `closing` (its status already says closed inside the closing transaction)."""

    def apply(session: DbSession, batch: list[dict[str, Any]]) -> None:
        open_ids = _petitions_in(session, batch, PetitionStatus.OPEN, also=closing)
        rows = []
        groups: dict[str, int | None] = {}
        for payload in batch:
            petition_id = payload["petition_id"]
            if petition_id not in open_ids:
                continue
            signature_id = random_id()
            comment = payload.get("comment")
            groups[signature_id] = payload.get("group_id")
            rows.append(
                {
                    "id": signature_id,
                    "petition_id": petition_id,
                    "nullifier": payload["nullifier"],
                    "token_hash": payload.get("token_hash"),
                    "signed_on": date.fromisoformat(payload["signed_on"]),
                    "display_name": payload.get("display_name"),
                    "group_ciphertext": breakdown.seal_group(
                        secrets.data_key, signature_id, payload.get("group_id")
                    ),
                    "comment_ciphertext": (
                        encrypt_text(secrets.data_key, comment, comment_context(signature_id))
                        if comment
                        else None
                    ),
                }
            )
        written: dict[str, list[tuple[date, int | None]]] = {}
        for row in insert_new_rows(session, Signature.__table__, ("petition_id", "nullifier"), rows):
            written.setdefault(row["petition_id"], []).append((row["signed_on"], groups[row["id"]]))
        for petition_id, signed in written.items():
            count_signatures(session, secrets.data_key, petition_id, signed, +1)

    return apply


def cosponsor_applier(opening: str | None = None) -> Applier:
    """Write a shuffled batch of queued co-sponsorship tokens to drafts still drafts (and to
    the one being `opening`, counted just before it opens)."""

    def apply(session: DbSession, batch: list[dict[str, Any]]) -> None:
        drafts = _petitions_in(session, batch, PetitionStatus.DRAFT, also=opening)
        rows = [
            {
                "id": random_id(),
                "petition_id": payload["petition_id"],
                "nullifier": payload["nullifier"],
                "token_hash": payload["token_hash"],
            }
            for payload in batch
            if payload["petition_id"] in drafts
        ]
        written = Counter(
            row["petition_id"]
            for row in insert_new_rows(session, Cosponsorship.__table__, ("petition_id", "nullifier"), rows)
        )
        for petition_id, count in sorted(written.items()):
            if count:
                add_to_column(session, Petition, petition_id, "cosponsor_count", count)

    return apply
