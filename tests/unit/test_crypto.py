"""Field encryption and key wrapping: what a leaked database would hold."""

from __future__ import annotations

import pytest

from voicebox.crypto import (
    CryptoError,
    decrypt_text,
    encrypt_text,
    generate_key,
    hashes_match,
    keyed_hash,
    unwrap_key,
    wrap_key,
)


def test_text_round_trips_and_the_ciphertext_hides_it():
    key = generate_key()
    sealed = encrypt_text(key, "My manager reads our screens", "signature:abc")
    assert b"manager" not in sealed
    assert decrypt_text(key, sealed, "signature:abc") == "My manager reads our screens"


def test_the_same_text_encrypts_differently_each_time():
    key = generate_key()
    assert encrypt_text(key, "same", "c") != encrypt_text(key, "same", "c")


def test_ciphertext_moved_to_another_row_does_not_open():
    key = generate_key()
    sealed = encrypt_text(key, "secret", "signature:row-1")
    with pytest.raises(CryptoError):
        decrypt_text(key, sealed, "signature:row-2")


def test_tampered_or_truncated_ciphertext_is_refused():
    key = generate_key()
    sealed = bytearray(encrypt_text(key, "secret", "c"))
    sealed[-1] ^= 1
    with pytest.raises(CryptoError):
        decrypt_text(key, bytes(sealed), "c")
    with pytest.raises(CryptoError):
        decrypt_text(key, b"short", "c")


def test_a_wrapped_key_opens_only_under_the_master_key_and_its_context():
    master, item_key = generate_key(), generate_key()
    wrapped = wrap_key(master, item_key, "petition:1")
    assert item_key not in wrapped
    assert unwrap_key(master, wrapped, "petition:1") == item_key
    with pytest.raises(CryptoError):
        unwrap_key(generate_key(), wrapped, "petition:1")
    with pytest.raises(CryptoError):
        unwrap_key(master, wrapped, "petition:2")


def test_keyed_hashes_depend_on_pepper_and_purpose():
    pepper = generate_key()
    value = keyed_hash(pepper, "invite", "apple-pear")
    assert value == keyed_hash(pepper, "invite", "apple-pear")
    assert value != keyed_hash(pepper, "receipt", "apple-pear")
    assert value != keyed_hash(generate_key(), "invite", "apple-pear")
    assert hashes_match(value, keyed_hash(pepper, "invite", "apple-pear"))
