"""Draft rules beyond starting one: members co-sponsor it, an organizer opens or rejects
it, the author edits it.

The author is recognised only by recomputing the author nullifier under the petition's
key (A2), exactly as `service.standing_of` does; nothing about who edited is stored. Both
actions go into the public audit log by role, in the same transaction.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, insert, update
from sqlalchemy.exc import IntegrityError

from voicebox import pending
from voicebox.anonymity import nullifier, random_id
from voicebox.auditlog.record import record_event
from voicebox.counters import add_to_column
from voicebox.extensions import db
from voicebox.keyed_items import issued_item_token
from voicebox.keystore import KeyStore
from voicebox.messages import N_, Message
from voicebox.models import Cosponsorship, ItemTokenIssuance, Petition, PetitionStatus
from voicebox.petitions import counting
from voicebox.petitions.service import (
    AUTHOR,
    COSPONSOR,
    COSPONSOR_ISSUANCE,
    COSPONSOR_SIGNING,
    PETITION,
    InvalidPetition,
    PetitionError,
    get_petition,
    petition_key,
    status_for_share,
    validate_draft,
)
from voicebox.unit_of_work import on_commit

REASON_MAX = 300


def _own_draft(petition_id: str, member_id: str, keys: KeyStore) -> Petition:
    petition = get_petition(petition_id)
    if not petition.is_draft:
        raise PetitionError(N_("Only a draft can be edited; this petition is no longer a draft."))
    key = petition_key(petition.id, keys)
    if key is None or petition.author_nullifier != nullifier(key, AUTHOR, member_id):
        raise PetitionError(N_("Only the person who started this draft can edit it."))
    return petition


def can_edit(petition: Petition, member_id: str, keys: KeyStore) -> bool:
    """Whether this member started this draft (and so may edit it)."""
    try:
        _own_draft(petition.id, member_id, keys)
    except PetitionError:
        return False
    return True


def edit_draft(
    petition_id: str,
    member_id: str,
    title: str,
    body: str,
    goal: int | None,
    closes_on: date | None,
    *,
    keys: KeyStore,
    actor_role: str,
    today: date,
) -> tuple[Petition, int]:
    """Change the author's own draft; returns it and how many co-sponsorships the edit undid.

    Co-sponsors backed the text as it was, so a changed text asks them again. Raises
    PetitionNotFound, PetitionError (not a draft, not the author) or InvalidPetition.
    """
    petition = _own_draft(petition_id, member_id, keys)
    errors = validate_draft(title, body, goal, closes_on, today)
    if errors:
        raise InvalidPetition(errors)
    changed = (title.strip(), body, goal, closes_on) != (
        petition.title,
        petition.body,
        petition.goal,
        petition.closes_on,
    )
    undone = 0
    if changed:
        undone = petition.cosponsor_count
        petition.title, petition.body = title.strip(), body
        petition.goal, petition.closes_on = goal or petition.goal, closes_on
        if undone:
            db.session.execute(delete(Cosponsorship).where(Cosponsorship.petition_id == petition.id))
            petition.cosponsor_count = 0
        record_event(db.session, actor_role, "edited a draft petition", petition.title, on=today)
    db.session.flush()
    return petition, undone


def reject_draft(petition_id: str, reason: str, *, actor_role: str, today: date, keys: KeyStore) -> Petition:
    """Turn a draft down with a reason everyone sees; its key and co-sponsorships go.

    Raises PetitionNotFound, or PetitionError for a missing reason or a non-draft.
    """
    reason = " ".join(reason.split())
    if not reason:
        raise PetitionError(N_("Give the reason members will see for rejecting it."))
    if len(reason) > REASON_MAX:
        raise PetitionError(Message(N_("Keep the reason under %(max)s characters."), max=REASON_MAX))
    petition = get_petition(petition_id)
    if not petition.is_draft:
        raise PetitionError(N_("Only a draft can be rejected."))
    petition.status = PetitionStatus.REJECTED.value
    petition.rejected_reason = reason
    petition.closed_on = today
    # Nothing more will ever be looked up under its key: forget it like a closed petition.
    petition.author_nullifier = None
    db.session.execute(delete(Cosponsorship).where(Cosponsorship.petition_id == petition.id))
    forget_cosponsors(petition.id)
    record_event(db.session, actor_role, "rejected a draft petition", f"{petition.title}: {reason}", on=today)
    db.session.flush()

    def destroy_keys() -> None:
        keys.destroy(PETITION, petition.id)
        keys.destroy(COSPONSOR_SIGNING, petition.id)

    on_commit(db.session, destroy_keys)
    return petition


def cosponsor_petition(petition_id: str, member_id: str, *, keys: KeyStore) -> Petition:
    """Back a draft anonymously; raises PetitionNotFound or PetitionError."""
    petition = get_petition(petition_id)
    if not petition.is_draft:
        raise PetitionError(N_("Only drafts take co-sponsors; this petition is already open."))
    key = petition_key(petition.id, keys)
    if key is None:
        raise PetitionError(N_("This draft can no longer take co-sponsors."))
    if petition.author_nullifier == nullifier(key, AUTHOR, member_id):
        raise PetitionError(N_("You started this petition, so you can't co-sponsor it too."))
    issuance_mark = nullifier(key, COSPONSOR_ISSUANCE, member_id)
    # Under the same lock as token issuance: a member holding a co-sponsorship token
    # co-sponsors with it, never with the account as well.
    pending.lock_value(db.session, issuance_mark)
    if issued_item_token(db.session, COSPONSOR, petition.id, issuance_mark) is not None:
        raise PetitionError(COSPONSOR_TWICE_REFUSAL)
    try:
        db.session.execute(
            insert(Cosponsorship).values(
                id=random_id(), petition_id=petition.id, nullifier=nullifier(key, COSPONSOR, member_id)
            )
        )
    except IntegrityError as exc:
        raise PetitionError(N_("You already co-sponsor this petition.")) from exc
    if status_for_share(petition.id) != PetitionStatus.DRAFT:
        raise PetitionError(N_("Only drafts take co-sponsors; this petition is already open."))
    if issued_item_token(db.session, COSPONSOR, petition.id, issuance_mark) is not None:
        raise PetitionError(COSPONSOR_TWICE_REFUSAL)
    add_to_column(db.session, Petition, petition.id, "cosponsor_count", 1)
    return petition


COSPONSOR_TWICE_REFUSAL = N_(
    "You have a private token for this draft: co-sponsor with it on the device that holds it "
    "(the draft's page there offers it). Co-sponsoring with your account as well would count you twice."
)


def open_petition(
    petition_id: str,
    *,
    cosponsors_needed: int,
    actor_role: str,
    today: date,
    keys: KeyStore | None = None,
) -> Petition:
    """Open a draft for signing; raises PetitionError if it lacks co-sponsors or isn't a draft.

    With `keys`, co-sponsorship tokens still waiting for their window are counted first,
    and the draft's co-sponsorship token key is destroyed once the opening commits.
    """
    petition = get_petition(petition_id)
    if not petition.is_draft:
        raise PetitionError(N_("This petition is not a draft."))
    if keys is not None and pending.count_pending_for(
        db.session, keys, {COSPONSOR: counting.cosponsor_applier(petition.id)}, "petition_id", petition.id
    ):
        db.session.flush()
        db.session.refresh(petition)
    if petition.cosponsor_count < cosponsors_needed:
        missing = cosponsors_needed - petition.cosponsor_count
        needs = (
            N_("This draft needs %(num)s more co-sponsor before it can open.")
            if missing == 1
            else N_("This draft needs %(num)s more co-sponsors before it can open.")
        )
        raise PetitionError(Message(needs, num=missing))
    if petition.closes_on is not None and petition.closes_on <= today:
        raise PetitionError(N_("Its closing date has passed; the author should start a new draft."))
    petition.status = PetitionStatus.OPEN.value
    petition.opened_on = today
    forget_cosponsors(petition.id)
    record_event(db.session, actor_role, "opened a petition", petition.title, on=today)
    db.session.flush()
    if keys is not None:
        opened_keys = keys
        on_commit(db.session, lambda: opened_keys.destroy(COSPONSOR_SIGNING, petition.id))
    return petition


def forget_cosponsors(petition_id: str) -> None:
    """Delete a draft's account co-sponsorships and its token issuance records.

    Co-sponsor nullifiers have done their job; the count is all that is kept, and the
    hashes of co-sponsorship tokens, which stay listed (no account can be traced to them).
    """
    db.session.execute(
        delete(Cosponsorship).where(
            Cosponsorship.petition_id == petition_id, Cosponsorship.token_hash.is_(None)
        )
    )
    db.session.execute(
        update(Cosponsorship).where(Cosponsorship.petition_id == petition_id).values(nullifier=None)
    )
    db.session.execute(
        delete(ItemTokenIssuance).where(
            ItemTokenIssuance.scope == COSPONSOR, ItemTokenIssuance.item_id == petition_id
        )
    )
