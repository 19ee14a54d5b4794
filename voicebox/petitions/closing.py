"""Closing petitions: by an organizer, or by the tick once the closing date has passed.

A close counts the petition's still-queued signatures, clears every nullifier and then,
only once the caller's unit of work commits, destroys the petition's keys (A2): from then
on nobody can tell who signed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Row, delete, select, update

from voicebox import pending
from voicebox.auditlog.record import record_event
from voicebox.config import Secrets
from voicebox.extensions import db
from voicebox.keystore import KeyStore
from voicebox.messages import N_
from voicebox.models import Petition, PetitionStatus, Signature, TokenIssuance
from voicebox.models.base import rows_affected
from voicebox.petitions import counting
from voicebox.petitions.drafts import forget_cosponsors
from voicebox.petitions.service import (
    BLIND_SIGNING,
    COSPONSOR_SIGNING,
    PETITION,
    SIGN,
    PetitionNotOpen,
    get_petition,
)
from voicebox.unit_of_work import on_commit


def _close(petition_id: str, closed_on: date, *, secrets: Secrets, keys: KeyStore) -> bool:
    """Close one petition inside the caller's transaction; False if it wasn't open."""
    # The UPDATE takes the row lock first: signers still queueing wait, then see "closed".
    closed = db.session.execute(
        update(Petition)
        .where(Petition.id == petition_id, Petition.status == PetitionStatus.OPEN.value)
        .values(status=PetitionStatus.CLOSED.value, closed_on=closed_on, author_nullifier=None)
    )
    if not rows_affected(closed):
        return False
    # Only once the close is committed: a key destroyed before a failed commit would leave
    # an open petition whose signatures can never be withdrawn or checked.
    on_commit(db.session, lambda: destroy_item_keys(keys, petition_id))
    # Signatures still waiting for their window are counted now, before the key goes.
    pending.count_pending_for(
        db.session,
        keys,
        {SIGN: counting.signature_applier(secrets, closing=petition_id)},
        "petition_id",
        petition_id,
    )
    # Clearing the nullifiers as well means a copy of the key taken before the close can't
    # re-link the rows as they stand; the key itself leaves the key store below.
    db.session.execute(update(Signature).where(Signature.petition_id == petition_id).values(nullifier=None))
    forget_cosponsors(petition_id)
    db.session.execute(delete(TokenIssuance).where(TokenIssuance.petition_id == petition_id))
    return True


def close_petition(
    petition_id: str, *, actor_role: str, today: date, secrets: Secrets, keys: KeyStore
) -> Petition:
    """Close an open petition, its key destroyed once the caller's unit commits; raises
    PetitionNotFound or PetitionNotOpen."""
    petition = get_petition(petition_id)
    if not _close(petition.id, today, secrets=secrets, keys=keys):
        raise PetitionNotOpen(N_("Only an open petition can be closed."))
    record_event(db.session, actor_role, "closed a petition", petition.title, on=today)
    db.session.refresh(petition)
    return petition


def destroy_item_keys(keys: KeyStore, petition_id: str) -> None:
    """Destroy a closed petition's keys: its nullifier key and its blind-token signing key."""
    keys.destroy(PETITION, petition_id)
    keys.destroy(BLIND_SIGNING, petition_id)
    keys.destroy(COSPONSOR_SIGNING, petition_id)


def due_petitions(today: date) -> list[Row[Any]]:
    """(id, title, closes_on) of every open petition whose closing date has passed."""
    return list(
        db.session.execute(
            select(Petition.id, Petition.title, Petition.closes_on).where(
                Petition.status == PetitionStatus.OPEN.value, Petition.closes_on < today
            )
        ).all()
    )


def close_due_petition(due: Row[Any], today: date, *, secrets: Secrets, keys: KeyStore) -> bool:
    """Close one petition past its closing date, in the caller's unit; False if another worker did."""
    if not _close(due.id, due.closes_on, secrets=secrets, keys=keys):
        return False
    record_event(db.session, "voicebox", "closed a petition on its closing date", due.title, on=today)
    return True


def destroy_orphaned_keys(keys: KeyStore) -> int:
    """Destroy item keys whose petition or concern is closed or gone (a crash after a close)."""
    from voicebox.models import Concern

    live_petitions = set(
        db.session.scalars(
            select(Petition.id).where(
                Petition.status.in_((PetitionStatus.DRAFT.value, PetitionStatus.OPEN.value))
            )
        )
    )
    live_concerns = set(
        db.session.scalars(select(Concern.id).where(Concern.status.not_in(("resolved", "declined"))))
    )
    drafts = set(db.session.scalars(select(Petition.id).where(Petition.status == PetitionStatus.DRAFT.value)))
    destroyed = 0
    kinds = (
        (PETITION, live_petitions),
        (BLIND_SIGNING, live_petitions),
        (COSPONSOR_SIGNING, drafts),
        ("concern", live_concerns),
        ("token-support", live_concerns),
    )
    for kind, live in kinds:
        for item_id in list(keys.item_ids(kind)):
            # A key younger than a minute may belong to an item being created right now.
            age = keys.age_seconds(kind, item_id)
            if item_id not in live and age is not None and age > 60 and keys.destroy(kind, item_id):
                destroyed += 1
    return destroyed


# Signing needs three columns, not the whole petition (whose body may be long).
