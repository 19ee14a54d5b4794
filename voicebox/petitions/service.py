"""Petition rules: drafting, co-sponsoring, opening, signing, withdrawing, closing.

Every function owns its transaction. Signing writes only the signature row and the
counters it feeds, nothing about the member (A3); the member is found again only by
recomputing the nullifier under the petition's key (A2).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Row, bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from voicebox.anonymity import nullifier, random_id
from voicebox.audit import record_event
from voicebox.config import Secrets
from voicebox.counters import add_to_column, add_to_counter_row
from voicebox.crypto import encrypt_text, generate_key, unwrap_key, wrap_key
from voicebox.extensions import db
from voicebox.models import (
    Cosponsorship,
    Group,
    Petition,
    PetitionDayTally,
    PetitionGroupDayTally,
    PetitionStatus,
    Signature,
)

SIGN = "signature"
COSPONSOR = "cosponsor"
AUTHOR = "author"
TITLE_MAX = 200
BODY_MAX = 20_000
COMMENT_MAX = 1_000
DISPLAY_NAME_MAX = 60
GOAL_MAX = 10_000_000


_INSERT_SIGNATURE = insert(Signature)


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
class Standing:
    """Where the current member stands with one petition; known only to them."""

    signed: bool = False
    cosponsored: bool = False
    is_author: bool = False


@dataclass
class PetitionDraft:
    title: str
    body: str
    goal: int | None
    closes_on: date | None
    errors: dict[str, str] = field(default_factory=dict)


def _key_context(petition_id: str) -> str:
    return f"petition:{petition_id}"


def petition_key(petition: Petition | Row[Any], secrets: Secrets) -> bytes | None:
    """The petition's own key, or None once the petition is closed and its key destroyed."""
    if petition.wrapped_key is None:
        return None
    return unwrap_key(secrets.master_key, petition.wrapped_key, _key_context(petition.id))


def get_petition(petition_id: str) -> Petition:
    """Load a petition; raises PetitionNotFound."""
    petition = db.session.get(Petition, petition_id)
    if petition is None:
        raise PetitionNotFound("There is no such petition.")
    return petition


def validate_draft(
    title: str, body: str, goal: int | None, closes_on: date | None, today: date
) -> dict[str, str]:
    """Field errors for a new petition, keyed by form field; empty when it is fine."""
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = "Give the petition a title."
    elif len(title) > TITLE_MAX:
        errors["title"] = f"Keep the title under {TITLE_MAX} characters."
    if not body.strip():
        errors["body"] = "Say what the petition asks for."
    elif len(body) > BODY_MAX:
        errors["body"] = f"Keep the text under {BODY_MAX:,} characters."
    if goal is None or goal < 1 or goal > GOAL_MAX:
        errors["goal"] = f"The goal is a number of signatures from 1 to {GOAL_MAX:,}."
    if closes_on is not None and closes_on <= today:
        errors["closes_on"] = "The closing date must be after today."
    return errors


def start_petition(
    member_id: str,
    title: str,
    body: str,
    goal: int | None,
    closes_on: date | None,
    *,
    secrets: Secrets,
    today: date,
) -> Petition:
    """Create a draft petition; raises InvalidPetition with per-field messages."""
    errors = validate_draft(title, body, goal, closes_on, today)
    if errors:
        raise InvalidPetition(errors)
    petition_id = random_id()
    key = generate_key()
    petition = Petition(
        id=petition_id,
        title=title.strip(),
        body=body,
        goal=goal,
        closes_on=closes_on,
        created_on=today,
        wrapped_key=wrap_key(secrets.master_key, key, _key_context(petition_id)),
        author_nullifier=nullifier(key, AUTHOR, member_id),
    )
    db.session.add(petition)
    db.session.commit()
    return petition


def standing_of(petition: Petition, member_id: str, secrets: Secrets) -> Standing:
    """Whether this member signed, co-sponsored or started the petition (their own view only)."""
    key = petition_key(petition, secrets)
    if key is None:
        return Standing()
    signed = db.session.scalar(
        select(Signature.id).where(
            Signature.petition_id == petition.id,
            Signature.nullifier == nullifier(key, SIGN, member_id),
        )
    )
    cosponsored = db.session.scalar(
        select(Cosponsorship.id).where(
            Cosponsorship.petition_id == petition.id,
            Cosponsorship.nullifier == nullifier(key, COSPONSOR, member_id),
        )
    )
    return Standing(
        signed=signed is not None,
        cosponsored=cosponsored is not None,
        is_author=petition.author_nullifier == nullifier(key, AUTHOR, member_id),
    )


def cosponsor_petition(petition_id: str, member_id: str, *, secrets: Secrets) -> Petition:
    """Back a draft anonymously; raises PetitionNotFound or PetitionError."""
    petition = get_petition(petition_id)
    if not petition.is_draft:
        raise PetitionError("Only drafts take co-sponsors; this petition is already open.")
    key = petition_key(petition, secrets)
    assert key is not None  # drafts always hold their key  # noqa: S101
    if petition.author_nullifier == nullifier(key, AUTHOR, member_id):
        raise PetitionError("You started this petition, so you can't co-sponsor it too.")
    db.session.add(
        Cosponsorship(petition_id=petition.id, nullifier=nullifier(key, COSPONSOR, member_id))
    )
    try:
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        raise PetitionError("You already co-sponsor this petition.") from exc
    add_to_column(db.session, Petition, petition.id, "cosponsor_count", 1)
    db.session.commit()
    return petition


def open_petition(
    petition_id: str, *, cosponsors_needed: int, actor_role: str, today: date
) -> Petition:
    """Open a draft for signing; raises PetitionError if it lacks co-sponsors or isn't a draft."""
    petition = get_petition(petition_id)
    if not petition.is_draft:
        raise PetitionError("This petition is not a draft.")
    if petition.cosponsor_count < cosponsors_needed:
        missing = cosponsors_needed - petition.cosponsor_count
        raise PetitionError(
            f"This draft needs {missing} more co-sponsor{'s' if missing != 1 else ''} "
            "before it can open."
        )
    if petition.closes_on is not None and petition.closes_on <= today:
        raise PetitionError("Its closing date has passed; the author should start a new draft.")
    petition.status = PetitionStatus.OPEN.value
    petition.opened_on = today
    # Co-sponsor nullifiers have done their job; the count is all that is kept.
    db.session.execute(delete(Cosponsorship).where(Cosponsorship.petition_id == petition.id))
    record_event(db.session, actor_role, "opened a petition", petition.title, on=today)
    db.session.commit()
    return petition


def _destroy_links(petition: Petition) -> None:
    # Destroying the key is what makes the promise; clearing the nullifiers as well
    # means not even a copy of the old key taken before close can re-link anything.
    petition.wrapped_key = None
    petition.author_nullifier = None
    db.session.execute(
        update(Signature).where(Signature.petition_id == petition.id).values(nullifier=None)
    )
    db.session.execute(delete(Cosponsorship).where(Cosponsorship.petition_id == petition.id))


def close_petition(petition_id: str, *, actor_role: str, today: date) -> Petition:
    """Close an open petition and destroy its key; raises PetitionNotFound or PetitionNotOpen."""
    petition = get_petition(petition_id)
    if not petition.is_open:
        raise PetitionNotOpen("Only an open petition can be closed.")
    petition.status = PetitionStatus.CLOSED.value
    petition.closed_on = today
    _destroy_links(petition)
    record_event(db.session, actor_role, "closed a petition", petition.title, on=today)
    db.session.commit()
    return petition


def close_due_petitions(today: date) -> int:
    """Close every open petition whose closing date has passed; returns how many."""
    due = db.session.scalars(
        select(Petition).where(
            Petition.status == PetitionStatus.OPEN.value, Petition.closes_on < today
        )
    ).all()
    for petition in due:
        petition.status = PetitionStatus.CLOSED.value
        petition.closed_on = petition.closes_on
        _destroy_links(petition)
    if due:
        db.session.commit()
    return len(due)


# Signing needs four columns, not the whole petition (whose body may be long).
_SIGNING_STATE = select(Petition.id, Petition.status, Petition.closes_on, Petition.wrapped_key).where(
    Petition.id == bindparam("petition_id")
)


def _open_for_signing(petition_id: str, today: date) -> Row[Any]:
    state = db.session.execute(_SIGNING_STATE, {"petition_id": petition_id}).first()
    if state is None:
        raise PetitionNotFound("There is no such petition.")
    if state.status == PetitionStatus.OPEN and state.closes_on is not None and state.closes_on < today:
        close_due_petitions(today)
        raise PetitionNotOpen("This petition is closed.")
    if state.status == PetitionStatus.DRAFT:
        raise PetitionNotOpen("This petition is still a draft and can't be signed yet.")
    if state.status == PetitionStatus.CLOSED:
        raise PetitionNotOpen("This petition is closed.")
    return state


def _bump_tallies(signature: Signature, delta: int) -> None:
    add_to_column(db.session, Petition, signature.petition_id, "signature_count", delta)
    add_to_counter_row(
        db.session,
        PetitionDayTally,
        {"petition_id": signature.petition_id, "day": signature.signed_on},
        "signatures",
        delta,
    )
    if signature.group_id is not None:
        add_to_counter_row(
            db.session,
            PetitionGroupDayTally,
            {
                "petition_id": signature.petition_id,
                "group_id": signature.group_id,
                "day": signature.signed_on,
            },
            "signatures",
            delta,
        )


def validate_signature_choice(choice: SignatureChoice) -> dict[str, str]:
    """Field errors for the optional signing fields; empty when they are fine."""
    errors: dict[str, str] = {}
    if len(choice.display_name.strip()) > DISPLAY_NAME_MAX:
        errors["display_name"] = f"Keep the public name under {DISPLAY_NAME_MAX} characters."
    if len(choice.comment) > COMMENT_MAX:
        errors["comment"] = f"Keep the comment under {COMMENT_MAX:,} characters."
    if choice.group_id is not None and db.session.get(Group, choice.group_id) is None:
        errors["group"] = "Choose a group from the list, or none."
    return errors


def sign_petition(
    petition_id: str,
    member_id: str,
    choice: SignatureChoice,
    *,
    secrets: Secrets,
    today: date,
) -> Signature:
    """Sign once; raises PetitionNotFound, PetitionNotOpen, InvalidPetition or AlreadySigned."""
    petition = _open_for_signing(petition_id, today)
    errors = validate_signature_choice(choice)
    if errors:
        raise InvalidPetition(errors)
    key = petition_key(petition, secrets)
    assert key is not None  # open petitions always hold their key  # noqa: S101
    signature_id = random_id()
    comment = choice.comment.strip()
    values = {
        "id": signature_id,
        "petition_id": petition.id,
        "nullifier": nullifier(key, SIGN, member_id),
        "signed_on": today,
        "display_name": choice.display_name.strip() or None,
        "group_id": choice.group_id,
        "comment_ciphertext": (
            encrypt_text(secrets.data_key, comment, f"signature:{signature_id}") if comment else None
        ),
    }
    # A Core insert: signing is the hot path when a whole company signs at once, and the
    # unique (petition, nullifier) index is what refuses a second signature.
    try:
        db.session.execute(_INSERT_SIGNATURE, values)
    except IntegrityError as exc:
        db.session.rollback()
        raise AlreadySigned("You have already signed this petition.") from exc
    signature = Signature(**values)
    _bump_tallies(signature, 1)
    db.session.commit()
    return signature


def withdraw_signature(
    petition_id: str, member_id: str, *, secrets: Secrets, today: date
) -> Petition:
    """Remove this member's signature; raises PetitionNotFound, PetitionNotOpen or NotSigned."""
    petition = get_petition(petition_id)
    if petition.is_open and petition.closes_on is not None and petition.closes_on < today:
        close_due_petitions(today)
    if petition.is_closed:
        raise PetitionNotOpen(
            "This petition is closed: its signatures can no longer be linked to anyone, "
            "so they can't be withdrawn."
        )
    key = petition_key(petition, secrets)
    if key is None:
        raise PetitionNotOpen("This petition can't be signed or withdrawn from now.")
    signature = db.session.scalars(
        select(Signature).where(
            Signature.petition_id == petition.id,
            Signature.nullifier == nullifier(key, SIGN, member_id),
        )
    ).first()
    if signature is None:
        raise NotSigned("You haven't signed this petition.")
    db.session.delete(signature)
    db.session.flush()
    _bump_tallies(signature, -1)
    db.session.commit()
    return petition
