"""Signing a petition with a blind-signed token: issuance, redemption, withdrawal, inclusion.

Issuance (signed in): the member's browser sends, for every open petition it can see, a
blinded message; the server blind-signs it under the petition's token key (RFC 9474) and
remembers only that this member got one (a nullifier under the petition key) and the
blinded message's digest, to answer a repeat identically. Redemption (no account, no
cookie): the browser sends the unblinded token message and its signature; the server
verifies it and queues a signature whose nullifier is the token's hash, through the same
counting windows as every other signature, so order carries nothing. The token message is
built from a phrase the member can write down; presenting the phrase withdraws.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from voicebox import blind_rsa, inclusion
from voicebox.anonymity import RECEIPT_WORDS, normalize_receipt, nullifier, random_id
from voicebox.config import Secrets
from voicebox.extensions import db
from voicebox.keystore import KeyStore, KeyStoreError
from voicebox.messages import N_, Message
from voicebox.models import Petition, PetitionStatus, Signature, TokenIssuance
from voicebox.petitions import service as petitions
from voicebox.petitions.service import BLIND_SIGNING, PetitionError, PetitionNotOpen, SignatureChoice
from voicebox.unit_of_work import savepoint

MESSAGE_PREFIX = b"voicebox petition token v1\x00"
REFUSED = N_("No token can be issued for this petition.")


class TokenError(PetitionError):
    """A token that can't be used; the message is for the member."""


@dataclass(frozen=True)
class TokenKey:
    petition_id: str
    title: str
    public_key_der: bytes


def token_message(petition_id: str, phrase: str) -> bytes:
    """The message the member's browser blinds: bound to one petition, secret in the phrase."""
    return MESSAGE_PREFIX + petition_id.encode() + b"\x00" + normalize_receipt(phrase).encode()


def token_hash(message: bytes) -> str:
    """The token's public name and nullifier: sha256 of the token message, hex."""
    return hashlib.sha256(message).hexdigest()


def _phrase_of(petition_id: str, message: bytes) -> str:
    """The phrase inside a token message for `petition_id`; raises TokenError otherwise."""
    head = MESSAGE_PREFIX + petition_id.encode() + b"\x00"
    if not message.startswith(head):
        raise TokenError(N_("This token is not for this petition."))
    try:
        phrase = message[len(head) :].decode("ascii")
    except UnicodeDecodeError as exc:
        raise TokenError(N_("This token is malformed.")) from exc
    if normalize_receipt(phrase) != phrase or len(phrase.split()) < RECEIPT_WORDS:
        raise TokenError(
            Message(N_("A token's phrase is at least %(count)s lower-case words."), count=RECEIPT_WORDS)
        )
    return phrase


def _load_key(petition_id: str, keys: KeyStore) -> rsa.RSAPrivateKey | None:
    data = keys.get(BLIND_SIGNING, petition_id)
    return blind_rsa.load_private_key(data) if data is not None else None


def _ensure_key(petition_id: str, keys: KeyStore) -> rsa.RSAPrivateKey:
    key = _load_key(petition_id, keys)
    if key is not None:
        return key
    key = blind_rsa.generate_private_key()
    try:
        keys.put(BLIND_SIGNING, petition_id, blind_rsa.private_key_bytes(key))
    except KeyStoreError:
        # Another worker created it first: everyone must use that one.
        existing = _load_key(petition_id, keys)
        if existing is None:
            raise
        return existing
    return key


def token_keys(*, keys: KeyStore, today: date) -> list[TokenKey]:
    """The token key of every open petition (created on first use), in a fixed order."""
    rows = db.session.execute(
        select(Petition.id, Petition.title, Petition.closes_on)
        .where(Petition.status == PetitionStatus.OPEN.value)
        .order_by(Petition.id)
    ).all()
    found = []
    for petition_id, title, closes_on in rows:
        if closes_on is not None and closes_on < today:
            continue
        if keys.get(petitions.PETITION, petition_id) is None:
            continue
        found.append(TokenKey(petition_id, title, blind_rsa.public_key_der(_ensure_key(petition_id, keys))))
    return found


def _issue_one(petition_id: str, member_id: str, blinded_msg: bytes, keys: KeyStore, today: date) -> bytes:
    petitions.open_for_signing(petition_id, today)
    item_key = petitions.petition_key(petition_id, keys)
    token_key = _load_key(petition_id, keys)
    if item_key is None or token_key is None:
        raise TokenError(REFUSED)
    try:
        blind_sig = blind_rsa.blind_sign(token_key, blinded_msg)
    except blind_rsa.BlindSignError as exc:
        raise TokenError(N_("The blinded token is malformed.")) from exc
    # A member who signed with the account gets no token: both would count them twice.
    petitions.lock_member(item_key, member_id)
    if petitions.signed_with_account(petition_id, item_key, member_id, keys):
        raise TokenError(REFUSED)
    mark = nullifier(item_key, petitions.BLIND_ISSUANCE, member_id)
    digest = hashlib.sha256(blinded_msg).hexdigest()
    earlier = _issued_digest(petition_id, mark)
    if earlier is None:
        try:
            with savepoint(db.session):
                db.session.execute(
                    insert(TokenIssuance).values(
                        id=random_id(), petition_id=petition_id, member_mark=mark, blinded_digest=digest
                    )
                )
                # Again after our write (SQLite's writer lock is ours now): an account signature
                # queued meanwhile by another worker rules the token out, and the row goes.
                if petitions.signed_with_account(petition_id, item_key, member_id, keys):
                    raise TokenError(REFUSED)
        except IntegrityError:
            # Two requests at once: the one that committed first is the account's token.
            earlier = _issued_digest(petition_id, mark)
        else:
            return blind_sig
    # The same blinded message gets the same answer; any other is refused without saying
    # why, so one account can never hold two tokens for a petition.
    if earlier != digest:
        raise TokenError(REFUSED)
    return blind_sig


def _issued_digest(petition_id: str, mark: str) -> str | None:
    return db.session.scalar(
        select(TokenIssuance.blinded_digest).where(
            TokenIssuance.petition_id == petition_id, TokenIssuance.member_mark == mark
        )
    )


def issue_tokens(
    member_id: str, blinded: Mapping[str, bytes], *, keys: KeyStore, today: date
) -> dict[str, bytes | str]:
    """Blind-sign one message per petition for this member (each kept or undone on its own).

    Returns, per petition id, the blind signature or the reason it was refused.
    """
    answers: dict[str, bytes | str] = {}
    for petition_id, blinded_msg in blinded.items():
        # A refusal leaves nothing behind: it comes before the write, or undoes it.
        try:
            answers[petition_id] = _issue_one(petition_id, member_id, blinded_msg, keys, today)
        except PetitionError as exc:
            answers[petition_id] = str(exc)
    return answers


def redeem_token(
    petition_id: str,
    message: bytes,
    signature: bytes,
    choice: SignatureChoice,
    *,
    keys: KeyStore,
    today: date,
) -> str:
    """Queue a signature made with a token; returns the token's hash.

    Raises TokenError, PetitionNotFound, PetitionNotOpen, InvalidPetition or AlreadySigned.
    """
    _phrase_of(petition_id, message)
    petitions.open_for_signing(petition_id, today)
    errors = petitions.validate_signature_choice(choice)
    if errors:
        raise petitions.InvalidPetition(errors)
    key = _load_key(petition_id, keys)
    if key is None:
        raise PetitionNotOpen(N_("This petition is closed."))
    if not blind_rsa.verify(key.public_key(), message, signature):
        raise TokenError(N_("This token's signature is not valid for this petition."))
    mark = token_hash(message)
    payload = {
        "petition_id": petition_id,
        "nullifier": mark,
        "token_hash": mark,
        "signed_on": today.isoformat(),
        "display_name": choice.display_name.strip() or None,
        "group_id": choice.group_id,
        "comment": choice.comment.strip() or None,
    }
    petitions.queue_signature(
        petition_id, mark, payload, keys=keys, already=N_("This token has already signed.")
    )
    return mark


def withdraw_with_phrase(petition_id: str, phrase: str, *, keys: KeyStore, secrets: Secrets) -> None:
    """Remove the signature a token made, given the token's phrase; never the account.

    Raises PetitionNotFound, PetitionNotOpen or NotSigned.
    """
    petition = petitions.get_petition(petition_id)
    if petition.is_closed or petitions.petition_key(petition.id, keys) is None:
        raise PetitionNotOpen(N_("This petition is closed: its signatures can no longer be withdrawn."))
    mark = token_hash(token_message(petition.id, phrase))
    petitions.withdraw_marked(petition, mark, keys=keys, secrets=secrets)


@dataclass(frozen=True)
class Inclusion:
    petition_id: str
    token_hashes: list[str]
    root: str


def key_fingerprint(petition_id: str, keys: KeyStore) -> str | None:
    """sha256 of the petition's token public key (SPKI DER), or None without a key.

    Everyone should see the same: a member handed a key of their own could be told apart
    when signing. Members compare it with each other (the browser shows the one it used).
    """
    key = _load_key(petition_id, keys)
    return hashlib.sha256(blind_rsa.public_key_der(key)).hexdigest() if key is not None else None


def counted_tokens(petition_id: str) -> Inclusion:
    """The hashes of the tokens counted for a petition, sorted, and their Merkle root."""
    rows = db.session.scalars(
        select(Signature.token_hash).where(
            Signature.petition_id == petition_id, Signature.token_hash.is_not(None)
        )
    )
    hashes = sorted(value for value in rows if value is not None)
    return Inclusion(petition_id, hashes, inclusion.merkle_root(hashes))


def find_counted(petition_id: str, phrase_or_hash: str) -> tuple[str, bool]:
    """(the token hash, whether it is counted) for a phrase or a hash typed by anyone."""
    value = phrase_or_hash.strip().lower()
    wanted = value if inclusion.is_token_hash(value) else token_hash(token_message(petition_id, value))
    return wanted, wanted in counted_tokens(petition_id).token_hashes
