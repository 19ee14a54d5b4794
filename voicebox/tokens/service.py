"""Blind tokens: keys, issuance, and signing a petition with one (redemption, withdrawal).

Issuance (signed in): the member's browser sends, for every item it can see that takes
tokens (open petitions, open concerns, drafts), a blinded message; the server blind-signs
it under that item's key for that scope (RFC 9474) and remembers only that this member got
one (a nullifier under the item's key) and the blinded message's digest, to answer a
repeat identically. Redemption (no account, no cookie): the browser sends the unblinded
token message and its signature; the server verifies it and queues the action whose
nullifier is the token's hash, through the same counting windows as every other action,
so order carries nothing. The token message is built from a phrase the member can write
down; presenting the phrase withdraws. Concern and draft tokens: voicebox.tokens.items.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from voicebox import blind_rsa, inclusion, pending
from voicebox.anonymity import RECEIPT_WORDS, nullifier
from voicebox.config import Secrets
from voicebox.extensions import db
from voicebox.keystore import KeyStore, KeyStoreError
from voicebox.messages import N_, Message
from voicebox.models import ConcernSupport, Cosponsorship, Signature
from voicebox.petitions import service as petitions
from voicebox.petitions.service import PetitionError, PetitionNotOpen, SignatureChoice
from voicebox.tokens import scopes
from voicebox.tokens.rules import REFUSED as REFUSALS
from voicebox.tokens.rules import RULES, TokenError
from voicebox.tokens.scopes import COSPONSOR, SIGNATURE, SUPPORT, token_hash
from voicebox.unit_of_work import savepoint

__all__ = ["REFUSED", "TokenError", "token_hash"]

REFUSED = REFUSALS[SIGNATURE]
NOT_THIS_ITEM = {
    SIGNATURE: N_("This token is not for this petition."),
    SUPPORT: N_("This token is not a “me too” token for this concern."),
    COSPONSOR: N_("This token is not a co-sponsorship token for this draft."),
}

NOT_VALID = {
    SIGNATURE: N_("This token's signature is not valid for this petition."),
    SUPPORT: N_("This token's signature is not valid for this concern."),
    COSPONSOR: N_("This token's signature is not valid for this draft."),
}


@dataclass(frozen=True)
class TokenKey:
    scope: str
    item_id: str
    title: str
    public_key_der: bytes


def token_message(petition_id: str, phrase: str) -> bytes:
    """A petition signature token's message (scopes.token_message for the other scopes)."""
    return scopes.token_message(SIGNATURE, petition_id, phrase)


def check_message(scope: str, item_id: str, message: bytes) -> str:
    """The phrase inside a token message for (scope, item); raises TokenError otherwise."""
    try:
        return scopes.phrase_of(scope, item_id, message)
    except scopes.WrongItem as exc:
        raise TokenError(NOT_THIS_ITEM[scope]) from exc
    except scopes.MalformedPhrase as exc:
        raise TokenError(
            Message(N_("A token's phrase is at least %(count)s lower-case words."), count=RECEIPT_WORDS)
        ) from exc


def load_key(scope: str, item_id: str, keys: KeyStore) -> rsa.RSAPrivateKey | None:
    """The item's signing key for `scope`, or None (not made yet, or destroyed at close)."""
    data = keys.get(scopes.KEY_KINDS[scope], item_id)
    return blind_rsa.load_private_key(data) if data is not None else None


def _ensure_key(scope: str, item_id: str, keys: KeyStore) -> rsa.RSAPrivateKey:
    key = load_key(scope, item_id, keys)
    if key is not None:
        return key
    key = blind_rsa.generate_private_key()
    try:
        keys.put(scopes.KEY_KINDS[scope], item_id, blind_rsa.private_key_bytes(key))
    except KeyStoreError:
        # Another worker created it first: everyone must use that one.
        existing = load_key(scope, item_id, keys)
        if existing is None:
            raise
        return existing
    return key


def token_keys(*, keys: KeyStore, today: date) -> list[TokenKey]:
    """The token key of every item taking tokens, per scope (created on first use), in a fixed order."""
    items = [
        (scope, item_id, title)
        for scope in scopes.SCOPES
        for item_id, title in RULES[scope].open_items(keys, today)
    ]
    return [
        TokenKey(scope, item_id, title, blind_rsa.public_key_der(_ensure_key(scope, item_id, keys)))
        for scope, item_id, title in items
    ]


def _issue_one(
    scope: str, item_id: str, member_id: str, blinded_msg: bytes, keys: KeyStore, today: date
) -> bytes:
    rules = RULES[scope]
    item_key = rules.item_key(item_id, member_id, keys, today)
    token_key = load_key(scope, item_id, keys)
    if token_key is None:
        raise TokenError(REFUSALS[scope])
    try:
        blind_sig = blind_rsa.blind_sign(token_key, blinded_msg)
    except blind_rsa.BlindSignError as exc:
        raise TokenError(N_("The blinded token is malformed.")) from exc
    mark = nullifier(item_key, rules.purpose, member_id)
    # One member's account action and token issuance on one item take turns across workers;
    # a member who acted with the account gets no token: both would count them twice.
    pending.lock_value(db.session, mark)
    if rules.account_acted(item_id, item_key, member_id, keys):
        raise TokenError(REFUSALS[scope])
    digest = hashlib.sha256(blinded_msg).hexdigest()
    earlier = rules.issued_digest(item_id, mark)
    if earlier is None:
        try:
            with savepoint(db.session):
                rules.record(item_id, mark, digest)
                # Again after our write (SQLite's writer lock is ours now): an account action
                # queued meanwhile by another worker rules the token out, and the row goes.
                if rules.account_acted(item_id, item_key, member_id, keys):
                    raise TokenError(REFUSALS[scope])
        except IntegrityError:
            # Two requests at once: the one that committed first is the account's token.
            earlier = rules.issued_digest(item_id, mark)
        else:
            return blind_sig
    # The same blinded message gets the same answer; any other is refused without saying
    # why, so one account can never hold two tokens for an item and scope.
    if earlier != digest:
        raise TokenError(REFUSALS[scope])
    return blind_sig


def issue_tokens(
    member_id: str, blinded: Mapping[tuple[str, str], bytes], *, keys: KeyStore, today: date
) -> dict[tuple[str, str], bytes | str]:
    """Blind-sign one message per (scope, item) for this member (each kept or undone on its own).

    Returns, per (scope, item id), the blind signature or the reason it was refused.
    """
    answers: dict[tuple[str, str], bytes | str] = {}
    for (scope, item_id), blinded_msg in blinded.items():
        # A refusal leaves nothing behind: it comes before the write, or undoes it.
        try:
            answers[scope, item_id] = _issue_one(scope, item_id, member_id, blinded_msg, keys, today)
        except PetitionError as exc:
            answers[scope, item_id] = str(exc)
    return answers


def verified_hash(scope: str, item_id: str, message: bytes, signature: bytes, keys: KeyStore) -> str:
    """The token's hash once its signature verifies under the item's key; raises TokenError
    (also when the key is gone: the item closed)."""
    key = load_key(scope, item_id, keys)
    if key is None:
        raise TokenError(N_("This no longer takes tokens."))
    if not blind_rsa.verify(key.public_key(), message, signature):
        raise TokenError(NOT_VALID[scope])
    return token_hash(message)


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
    check_message(SIGNATURE, petition_id, message)
    petitions.open_for_signing(petition_id, today)
    errors = petitions.validate_signature_choice(choice)
    if errors:
        raise petitions.InvalidPetition(errors)
    if load_key(SIGNATURE, petition_id, keys) is None:
        raise PetitionNotOpen(N_("This petition is closed."))
    mark = verified_hash(SIGNATURE, petition_id, message, signature, keys)
    petitions.queue_signature(
        petition_id,
        mark,
        petitions.signature_payload(petition_id, mark, today, choice, token_hash=mark),
        keys=keys,
        today=today,
        already=N_("This token has already signed."),
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
    scope: str
    item_id: str
    token_hashes: list[str]
    root: str

    @property
    def petition_id(self) -> str:
        return self.item_id


def key_fingerprint(item_id: str, keys: KeyStore, scope: str = SIGNATURE) -> str | None:
    """sha256 of the item's token public key for `scope` (SPKI DER), or None without a key.

    Everyone should see the same: a member handed a key of their own could be told apart
    when acting. Members compare it with each other (the browser shows the one it used).
    """
    key = load_key(scope, item_id, keys)
    return hashlib.sha256(blind_rsa.public_key_der(key)).hexdigest() if key is not None else None


_COUNTED = {
    SIGNATURE: (Signature.token_hash, Signature.petition_id),
    SUPPORT: (ConcernSupport.token_hash, ConcernSupport.concern_id),
    COSPONSOR: (Cosponsorship.token_hash, Cosponsorship.petition_id),
}


def counted(scope: str, item_id: str) -> Inclusion:
    """The hashes of the tokens of `scope` counted on an item, sorted, and their Merkle root."""
    column, item_column = _COUNTED[scope]
    rows = db.session.scalars(select(column).where(item_column == item_id, column.is_not(None)))
    hashes = sorted(value for value in rows if value is not None)
    return Inclusion(scope, item_id, hashes, inclusion.merkle_root(hashes))


def counted_tokens(petition_id: str) -> Inclusion:
    """The hashes of the tokens counted as a petition's signatures, and their Merkle root."""
    return counted(SIGNATURE, petition_id)


def find_counted(item_id: str, phrase_or_hash: str, scope: str = SIGNATURE) -> tuple[str, bool]:
    """(the token hash, whether it is counted) for a phrase or a hash typed by anyone."""
    value = phrase_or_hash.strip().lower()
    wanted = (
        value if inclusion.is_token_hash(value) else token_hash(scopes.token_message(scope, item_id, value))
    )
    return wanted, wanted in counted(scope, item_id).token_hashes
