"""Petition rules: starting a draft, signing and withdrawing (co-sponsoring and opening
live in `drafts`, closing in `closing`).

Functions work inside the caller's unit of work (voicebox.unit_of_work). Signing
queues a sealed action that the next counting window writes, shuffled among the others
(voicebox.pending), and nothing about the member (A3); the member is found again only
by recomputing the nullifier under the petition's key, which lives in the key store and
is destroyed at close (A2).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Row, bindparam, delete, exists, select
from sqlalchemy.exc import IntegrityError

from voicebox import pending
from voicebox.anonymity import nullifier, random_id
from voicebox.config import Secrets
from voicebox.extensions import db
from voicebox.keyed_items import counted_or_queued, marked
from voicebox.keystore import KeyStore
from voicebox.messages import N_, Message
from voicebox.models import (
    Cosponsorship,
    Group,
    Petition,
    PetitionStatus,
    Signature,
    TokenIssuance,
)
from voicebox.models.base import DbReader
from voicebox.petitions import breakdown, counting

PETITION = "petition"
# The key store kind of a petition's RSA blind-signing key (voicebox.tokens).
BLIND_SIGNING = "token"
SIGN = "signature"
# Nullifier purpose of "this member was issued this petition's blind token" (voicebox.tokens).
BLIND_ISSUANCE = "blind-issuance"
COSPONSOR = "cosponsor"
# Nullifier purpose of "this member was issued this draft's co-sponsorship token".
COSPONSOR_ISSUANCE = "blind-issuance-cosponsor"
# The key store kind of a draft's co-sponsorship signing key (voicebox.tokens.scopes).
COSPONSOR_SIGNING = "token-cosponsor"
AUTHOR = "author"
TITLE_MAX = 200
BODY_MAX = 20_000
COMMENT_MAX = 1_000
DISPLAY_NAME_MAX = 60
GOAL_MAX = 10_000_000


class PetitionError(Exception):
    """A petition request that can't be carried out; the message is for the member."""


class PetitionNotFound(PetitionError):
    pass


class PetitionNotOpen(PetitionError):
    pass


class AlreadySigned(PetitionError):
    pass


class NotSigned(PetitionError):
    pass


class InvalidPetition(PetitionError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class SignatureChoice:
    """What a signer may add: all optional, all their own decision."""

    display_name: str = ""
    group_id: int | None = None
    comment: str = ""


@dataclass(frozen=True)
class PetitionStanding:
    """Where the current member stands with one petition; known only to them."""

    signed: bool = False
    # Signed, but waiting for the next window to be counted.
    being_counted: bool = False
    cosponsored: bool = False
    is_author: bool = False


def petition_key(petition_id: str, keys: KeyStore) -> bytes | None:
    """The petition's own key, or None once the petition is closed and its key destroyed."""
    return keys.get(PETITION, petition_id)


def get_petition(petition_id: str) -> Petition:
    """Load a petition; raises PetitionNotFound."""
    petition = db.session.get(Petition, petition_id)
    if petition is None:
        raise PetitionNotFound(N_("There is no such petition."))
    return petition


def validate_draft(
    title: str, body: str, goal: int | None, closes_on: date | None, today: date
) -> dict[str, str]:
    """Field errors for a new petition, keyed by form field; empty when it is fine."""
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = N_("Give the petition a title.")
    elif len(title) > TITLE_MAX:
        errors["title"] = Message(N_("Keep the title under %(max)s characters."), max=TITLE_MAX)
    if not body.strip():
        errors["body"] = N_("Say what the petition asks for.")
    elif len(body) > BODY_MAX:
        errors["body"] = Message(N_("Keep the text under %(max)s characters."), max=BODY_MAX)
    if goal is None or goal < 1 or goal > GOAL_MAX:
        errors["goal"] = Message(N_("The goal is a number of signatures from 1 to %(max)s."), max=GOAL_MAX)
    if closes_on is not None and closes_on <= today:
        errors["closes_on"] = N_("The closing date must be after today.")
    return errors


def start_petition(
    member_id: str,
    title: str,
    body: str,
    goal: int | None,
    closes_on: date | None,
    *,
    keys: KeyStore,
    today: date,
) -> Petition:
    """Create a draft petition; raises InvalidPetition with per-field messages."""
    errors = validate_draft(title, body, goal, closes_on, today)
    if errors:
        raise InvalidPetition(errors)
    petition_id = random_id()
    key = keys.create(PETITION, petition_id)
    petition = Petition(
        id=petition_id,
        title=title.strip(),
        body=body,
        goal=goal,
        closes_on=closes_on,
        created_on=today,
        author_nullifier=nullifier(key, AUTHOR, member_id),
    )
    db.session.add(petition)
    # If the caller's unit never commits, the tick destroys the key left without a petition.
    db.session.flush()
    return petition


def standing_of(petition: Petition, member_id: str, keys: KeyStore) -> PetitionStanding:
    """Whether this member signed, co-sponsored or started the petition (their own view only)."""
    return standing_in(db.session, keys, petition, member_id)


def standing_in(session: DbReader, keys: KeyStore, petition: Any, member_id: str) -> PetitionStanding:
    """standing_of for a petition row (id, status, author_nullifier) read through `session`."""
    key = petition_key(petition.id, keys)
    if key is None:
        return PetitionStanding()
    signed, counting = counted_or_queued(
        session, keys, Signature, "petition_id", petition.id, SIGN, nullifier(key, SIGN, member_id)
    )
    # Co-sponsoring only means something on a draft: no query for it on an open petition's page.
    cosponsored = petition.status == PetitionStatus.DRAFT.value and marked(
        session, Cosponsorship, "petition_id", petition.id, nullifier(key, COSPONSOR, member_id)
    )
    return PetitionStanding(
        signed=signed or counting,
        being_counted=counting,
        cosponsored=cosponsored,
        is_author=petition.author_nullifier == nullifier(key, AUTHOR, member_id),
    )


def status_for_share(petition_id: str) -> str | None:
    # FOR SHARE on PostgreSQL: closing (an UPDATE of this row) waits for our commit, and
    # we wait for a close in progress, so nothing lands on a petition after "Closed".
    return db.session.scalar(
        select(Petition.status).where(Petition.id == petition_id).with_for_update(read=True)
    )


_SIGNING_STATE = select(Petition.id, Petition.status, Petition.closes_on).where(
    Petition.id == bindparam("petition_id")
)


def open_for_signing(petition_id: str, today: date) -> Row[Any]:
    """The petition's signing state; raises PetitionNotFound or PetitionNotOpen unless it takes signatures."""
    state = db.session.execute(_SIGNING_STATE, {"petition_id": petition_id}).first()
    return refuse_unless_open(state, today, closed=N_("This petition is closed."))


def refuse_unless_open(state: Row[Any] | None, today: date, *, closed: str) -> Row[Any]:
    """`state` (status, closes_on) if the petition takes signatures; raises with the reason if not."""
    if state is None:
        raise PetitionNotFound(N_("There is no such petition."))
    if state.status == PetitionStatus.DRAFT:
        raise PetitionNotOpen(N_("This petition is still a draft and can't be signed yet."))
    if state.status != PetitionStatus.OPEN:
        raise PetitionNotOpen(closed)
    if state.closes_on is not None and state.closes_on < today:
        raise PetitionNotOpen(N_("This petition closed on its closing date."))
    return state


_GROUP_EXISTS = select(Group.id).where(Group.id == bindparam("group_id"))


def validate_signature_choice(choice: SignatureChoice) -> dict[str, str]:
    """Field errors for the optional signing fields; empty when they are fine."""
    errors: dict[str, str] = {}
    if len(choice.display_name.strip()) > DISPLAY_NAME_MAX:
        errors["display_name"] = Message(
            N_("Keep the public name under %(max)s characters."), max=DISPLAY_NAME_MAX
        )
    if len(choice.comment) > COMMENT_MAX:
        errors["comment"] = Message(N_("Keep the comment under %(max)s characters."), max=COMMENT_MAX)
    group = {"group_id": choice.group_id}
    if choice.group_id is not None and db.session.connection().scalar(_GROUP_EXISTS, group) is None:
        errors["group"] = N_("Choose a group from the list, or none.")
    return errors


_ITEM_ID = re.compile(r"[0-9a-f]{32}")


def sign_petition(
    petition_id: str,
    member_id: str,
    choice: SignatureChoice,
    *,
    keys: KeyStore,
    today: date,
) -> None:
    """Sign once; it is counted at the next window flush (within a minute).

    Raises PetitionNotFound, PetitionNotOpen, InvalidPetition, AlreadySigned or PetitionError.
    """
    # The petition's state is read once, after the write (queue_signature): a closed
    # petition's key is gone, so only a missing key needs a look at the row first.
    key = petition_key(petition_id, keys) if _ITEM_ID.fullmatch(petition_id) else None
    if key is None:
        if db.session.scalar(select(Petition.id).where(Petition.id == petition_id)) is None:
            raise PetitionNotFound(N_("There is no such petition."))
        raise PetitionNotOpen(N_("This petition is closed."))
    errors = validate_signature_choice(choice)
    if errors:
        raise InvalidPetition(errors)
    mark = nullifier(key, SIGN, member_id)
    queue_signature(
        petition_id,
        mark,
        signature_payload(petition_id, mark, today, choice),
        keys=keys,
        today=today,
        already=N_("You have already signed this petition."),
        issuance_mark=nullifier(key, BLIND_ISSUANCE, member_id),
    )


TWICE_REFUSAL = N_(
    "You have a private token for this petition: sign with it on the device that holds it "
    "(the petition page there offers it). Signing with your account as well would count you twice."
)


def signed_with_account(petition_id: str, key: bytes, member_id: str, keys: KeyStore) -> bool:
    """Whether this member's account signature is counted or waiting to be."""
    mark = nullifier(key, SIGN, member_id)
    counted = db.session.scalar(
        select(Signature.id).where(Signature.petition_id == petition_id, Signature.nullifier == mark)
    )
    return counted is not None or pending.is_queued(
        db.session, pending.live_windows(db.session, keys), SIGN, mark
    )


# Everything a queued signature is checked against, after its write, in one statement: the
# petition's state (FOR SHARE on PostgreSQL: closing, an UPDATE of this row, waits for our
# commit, and we wait for a close in progress, so nothing lands after "Closed"), whether
# the mark is already counted, and whether the member holds the petition's blind token.
_SIGNING_CHECK = (
    select(
        Petition.status,
        Petition.closes_on,
        exists()
        .where(Signature.petition_id == bindparam("petition_id"), Signature.nullifier == bindparam("mark"))
        .label("counted"),
        exists()
        .where(
            TokenIssuance.petition_id == bindparam("petition_id"),
            TokenIssuance.member_mark == bindparam("issuance_mark"),
        )
        .label("holds_token"),
    )
    .where(Petition.id == bindparam("petition_id"))
    .with_for_update(read=True, of=Petition)
)


def signature_payload(
    petition_id: str, mark: str, today: date, choice: SignatureChoice, token_hash: str | None = None
) -> dict[str, Any]:
    """What a queued signature holds, sealed, until its window is counted; raises nothing."""
    return {
        "petition_id": petition_id,
        "nullifier": mark,
        "token_hash": token_hash,
        "signed_on": today.isoformat(),
        "display_name": choice.display_name.strip() or None,
        "group_id": choice.group_id,
        "comment": choice.comment.strip() or None,
    }


def queue_signature(
    petition_id: str,
    mark: str,
    payload: dict[str, Any],
    *,
    keys: KeyStore,
    today: date,
    already: str,
    issuance_mark: str | None = None,
) -> None:
    """Queue a signature whose nullifier is `mark` in the current counting window (caller's unit).

    Shared by account signing and blind-token signing (whose mark is the token's hash).
    `issuance_mark` (account signing) is the member's token-issuance nullifier: it is locked
    like token issuance locks it, and a token issued under it refuses (the caller's unit
    rolls back). Raises AlreadySigned(already) when `mark` is counted or queued,
    PetitionNotFound, PetitionNotOpen, PetitionError.
    """

    def lock() -> None:
        pending.lock_value(db.session, mark)
        if issuance_mark is not None:  # second: token issuance takes only this one, never both
            pending.lock_value(db.session, issuance_mark)

    def check(windows: list[pending.Window]) -> None:
        params = {"petition_id": petition_id, "mark": mark, "issuance_mark": issuance_mark}
        # Its key was still there when we began: a petition not open now closed meanwhile.
        state = refuse_unless_open(
            db.session.connection().execute(_SIGNING_CHECK, params).first(),
            today,
            closed=N_("This petition closed just now; your signature was not added."),
        )
        if state.counted or pending.is_queued(db.session, windows[1:], SIGN, mark):
            raise AlreadySigned(already)
        if state.holds_token:
            raise PetitionError(TWICE_REFUSAL)

    try:
        pending.queue(db.session, keys, SIGN, mark, payload, lock=lock, check=check)
    except IntegrityError as exc:
        raise AlreadySigned(already) from exc


def remove_signature(petition_id: str, member_id: str, *, keys: KeyStore, secrets: Secrets) -> Petition:
    """Take this member's signature (queued or counted) off the petition, in the caller's transaction.

    Raises PetitionNotFound, PetitionNotOpen or NotSigned before changing anything.
    """
    petition = get_petition(petition_id)
    key = petition_key(petition.id, keys)
    if petition.is_closed or key is None:
        raise PetitionNotOpen(
            N_(
                "This petition is closed: its signatures can no longer be traced to anyone, "
                "so they can't be withdrawn."
            )
        )
    withdraw_marked(petition, nullifier(key, SIGN, member_id), keys=keys, secrets=secrets)
    return petition


def withdraw_marked(petition: Petition, mark: str, *, keys: KeyStore, secrets: Secrets) -> None:
    """Remove the signature whose nullifier is `mark`, queued or counted, in the caller's transaction.

    Shared by account withdrawal and withdrawal with a token's phrase; raises NotSigned.
    """
    # A signature still waiting for its window simply leaves the queue.
    if pending.cancel_queued(db.session, pending.live_windows(db.session, keys), SIGN, mark):
        return
    # Counters move by the rows this DELETE actually removed: two tabs withdrawing at once
    # remove one row and subtract one, never two.
    removed = db.session.execute(
        delete(Signature)
        .where(Signature.petition_id == petition.id, Signature.nullifier == mark)
        .returning(Signature.id, Signature.signed_on, Signature.group_ciphertext)
    ).all()
    if not removed:
        raise NotSigned(N_("You haven't signed this petition."))
    counting.count_signatures(
        db.session,
        secrets.data_key,
        petition.id,
        [
            (row.signed_on, breakdown.open_group(secrets.data_key, row.id, row.group_ciphertext))
            for row in removed
        ],
        -1,
    )
