"""Token messages bind a scope and an item: one can never parse, or hash, as another."""

from __future__ import annotations

import hashlib

import pytest

from voicebox.tokens import scopes

ITEM = "0123456789abcdef0123456789abcdef"
OTHER = "fedcba9876543210fedcba9876543210"
PHRASE = "amber basin cedar delta ember fjord grove harbor"


def test_the_message_is_prefix_item_nul_normalized_phrase() -> None:
    message = scopes.token_message(
        scopes.SUPPORT, ITEM, "  Amber BASIN cedar delta ember fjord grove harbor "
    )
    assert message == b"voicebox support token v1\x00" + ITEM.encode() + b"\x00" + PHRASE.encode()
    assert scopes.token_hash(message) == hashlib.sha256(message).hexdigest()


def test_signature_tokens_keep_the_prefix_they_had_before_scopes() -> None:
    message = scopes.token_message(scopes.SIGNATURE, ITEM, PHRASE)
    assert message.startswith(b"voicebox petition token v1\x00")


def test_each_scope_has_its_own_prefix_and_key_kind() -> None:
    prefixes = {scopes.prefix(scope) for scope in scopes.SCOPES}
    assert len(prefixes) == len(scopes.SCOPES)
    assert len(set(scopes.KEY_KINDS.values())) == len(scopes.SCOPES)


@pytest.mark.parametrize("scope", scopes.SCOPES)
def test_the_phrase_comes_back_only_for_the_same_scope_and_item(scope: str) -> None:
    message = scopes.token_message(scope, ITEM, PHRASE)
    assert scopes.phrase_of(scope, ITEM, message) == PHRASE
    with pytest.raises(scopes.WrongItem):
        scopes.phrase_of(scope, OTHER, message)
    for other_scope in set(scopes.SCOPES) - {scope}:
        with pytest.raises(scopes.WrongItem):
            scopes.phrase_of(other_scope, ITEM, message)


def test_the_same_phrase_makes_a_different_token_in_each_scope_and_item() -> None:
    hashes = {
        scopes.token_hash(scopes.token_message(scope, item, PHRASE))
        for scope in scopes.SCOPES
        for item in (ITEM, OTHER)
    }
    assert len(hashes) == 2 * len(scopes.SCOPES)


@pytest.mark.parametrize(
    "tail",
    [
        b"short phrase",
        b"Amber basin cedar delta ember fjord grove harbor",
        "ämber".encode() + b" b c d e f g h",
    ],
)
def test_a_malformed_phrase_is_refused(tail: bytes) -> None:
    message = scopes.prefix(scopes.COSPONSOR) + ITEM.encode() + b"\x00" + tail
    with pytest.raises(scopes.MalformedPhrase):
        scopes.phrase_of(scopes.COSPONSOR, ITEM, message)
