"""What a blind token is for, and the message it signs (no Flask imports).

A token has a scope: a petition signature, a concern's "me too", or a draft's
co-sponsorship. Each item has one signing key per scope, and the token message names the
scope and the item, so a token can never be spent on another item or for another action:
its signature would not verify under that key, and its message would not parse there.
The rest of the message is the phrase the member can write down (its randomness).
"""

from __future__ import annotations

import hashlib

from voicebox.anonymity import RECEIPT_WORDS, normalize_receipt

SIGNATURE = "signature"
SUPPORT = "support"
COSPONSOR = "cosponsor"
SCOPES = (SIGNATURE, SUPPORT, COSPONSOR)

# The signature prefix predates scopes: tokens already held in browsers keep working.
_PREFIXES = {
    SIGNATURE: b"voicebox petition token v1\x00",
    SUPPORT: b"voicebox support token v1\x00",
    COSPONSOR: b"voicebox cosponsor token v1\x00",
}
# Key store kinds (voicebox.keystore.KINDS) of each scope's per-item signing key.
KEY_KINDS = {SIGNATURE: "token", SUPPORT: "token-support", COSPONSOR: "token-cosponsor"}


class WrongItem(ValueError):
    """A token message for another scope or item."""


class MalformedPhrase(ValueError):
    """A token message whose phrase isn't a phrase the browser would make."""


def prefix(scope: str) -> bytes:
    """The bytes every token message of `scope` starts with; raises KeyError for no scope."""
    return _PREFIXES[scope]


def token_message(scope: str, item_id: str, phrase: str) -> bytes:
    """The message the member's browser blinds: bound to one scope and item, secret in the phrase."""
    return prefix(scope) + item_id.encode() + b"\x00" + normalize_receipt(phrase).encode()


def token_hash(message: bytes) -> str:
    """The token's public name and nullifier: sha256 of the token message, hex."""
    return hashlib.sha256(message).hexdigest()


def phrase_of(scope: str, item_id: str, message: bytes) -> str:
    """The phrase inside a token message for (scope, item); raises WrongItem or MalformedPhrase."""
    head = prefix(scope) + item_id.encode() + b"\x00"
    if not message.startswith(head):
        raise WrongItem(scope, item_id)
    try:
        phrase = message[len(head) :].decode("ascii")
    except UnicodeDecodeError as exc:
        raise MalformedPhrase("not ascii") from exc
    if normalize_receipt(phrase) != phrase or len(phrase.split()) < RECEIPT_WORDS:
        raise MalformedPhrase("not a phrase")
    return phrase
