"""Known answers: fixed keys and nonces give fixed bytes, so a silent format change fails here.

A changed nullifier byte format would let every member sign an open petition twice; a
changed ciphertext format would make every stored row unreadable. The vectors below were
computed once and are frozen.
"""

from __future__ import annotations

import hashlib
import hmac

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from voicebox.anonymity import nullifier
from voicebox.crypto import (
    PAD_MIN,
    PAD_STEP,
    CryptoError,
    decrypt_text,
    encrypt_text,
    generate_key,
    is_current,
    key_id,
    keyed_hash,
    pad,
    padded_size,
    reencrypt_text,
    seal,
    unpad,
    unwrap_key,
    wrap_key,
)

KEY = bytes(range(32))
NONCE = bytes(range(100, 112))
ITEM_KEY = bytes(range(32, 64))

V0_TEXT = bytes.fromhex(
    "6465666768696a6b6c6d6e6f047aba021c9b76ad1e15308ab8090f8e459e975e741bf653df56dae4949c59b7"
)
V0_WRAP = bytes.fromhex(
    "6465666768696a6b6c6d6e6f683afc455dcc70b9164b75c3f64844d272f33439bf59c5459fe89673c79e9b77"
    "fcc84877fbf5be94ad2b10405d6252e2"
)
V0_EMPTY = bytes.fromhex("6465666768696a6b6c6d6e6fa137fb7b8f098d940121b44301cea85a")
V1_TEXT = bytes.fromhex(
    "0120591ed76465666768696a6b6c6d6e6f047aba021c9b76ad1e15308ab8090f8ec2c2060a8b6cf372a7d1ac48fb"
    "a3a54894e940c04c129b04fdf3783ffd42cacf1b5b98e7204a4128faf1acd6ef81a58ac1b2021650c8615251b38f"
    "c4f5610a71"
)
V1_WRAP = bytes.fromhex(
    "0120591ed76465666768696a6b6c6d6e6f683afc455dcc70b9164b75c3f64844d272f33439bf59c5459fe89673c7"
    "9e9b77ac41da9923c2fcbb4ca6e25aee69967d"
)


def test_nullifier_known_answer_and_byte_format():
    assert nullifier(KEY, "signature", "member-a") == (
        "96e5948891fe2340f7828cd6dfd3281c21c657fde8925749048fd562ea850287"
    )
    # purpose and member are separated by one NUL byte, so shifting a letter across the
    # boundary gives another value
    assert nullifier(KEY, "signaturem", "ember-a") == (
        "a0ac85ef5b842e970e9de2c7b7d75dfbbb5e4cb1a50a65b1f91449b172f7662b"
    )
    expected = hmac.new(KEY, b"signature\x00member-a", hashlib.sha256).hexdigest()
    assert nullifier(KEY, "signature", "member-a") == expected


def test_keyed_hash_known_answer():
    assert keyed_hash(KEY, "invite", "apple-pear") == (
        "40c76ab0b4e98416c24e92f952d0686b46fb8b0c4822d774530ece9a99bcb513"
    )
    assert (
        keyed_hash(KEY, "invite", "café")
        == hmac.new(KEY, b"invite\x00caf\xc3\xa9", hashlib.sha256).hexdigest()
    )


def test_key_id_known_answer():
    assert key_id(KEY).hex() == "20591ed7"
    assert key_id(KEY) == hmac.new(KEY, b"voicebox key id", hashlib.sha256).digest()[:4]


def test_v1_text_format_known_answer():
    sealed = seal(KEY, pad(b"Ladder 3 wobbles"), b"text:concern-body:abc", NONCE)
    assert sealed == V1_TEXT
    assert sealed[:5] == b"\x01" + key_id(KEY)
    assert sealed[5:17] == NONCE
    assert len(sealed) == 5 + 12 + PAD_MIN + 16
    assert decrypt_text(KEY, V1_TEXT, "concern-body:abc") == "Ladder 3 wobbles"


def test_v1_wrapped_key_known_answer():
    assert seal(KEY, ITEM_KEY, b"wrap:petition:abc", NONCE) == V1_WRAP
    assert unwrap_key(KEY, V1_WRAP, "petition:abc") == ITEM_KEY


def test_v0_rows_written_before_the_versioned_format_still_open():
    assert decrypt_text(KEY, V0_TEXT, "concern-body:abc") == "Ladder 3 wobbles"
    assert unwrap_key(KEY, V0_WRAP, "petition:abc") == ITEM_KEY
    assert decrypt_text(KEY, V0_EMPTY, "c") == ""  # exactly nonce + tag: the shortest v0 row
    with pytest.raises(CryptoError, match="too short"):
        decrypt_text(KEY, V0_EMPTY[:-1], "c")
    with pytest.raises(CryptoError):
        decrypt_text(KEY, V0_TEXT, "concern-body:abd")


def test_the_shortest_v1_row_opens_and_one_byte_less_is_refused():
    shortest = seal(KEY, b"", b"wrap:x", NONCE)
    assert len(shortest) == 5 + 12 + 16
    assert unwrap_key(KEY, shortest, "x") == b""
    with pytest.raises(CryptoError):
        unwrap_key(KEY, shortest[:-1], "x")
    # a v1 header followed by too few bytes for a nonce is refused, not a crash
    for cut in range(29, len(shortest)):
        with pytest.raises(CryptoError):
            unwrap_key(KEY, shortest[:cut], "x")


def test_the_header_is_authenticated():
    other = generate_key()
    relabelled = b"\x01" + key_id(other) + V1_TEXT[5:]
    with pytest.raises(CryptoError):
        decrypt_text(KEY, relabelled, "concern-body:abc", old_keys=[other])
    with pytest.raises(CryptoError):
        decrypt_text(other, V1_TEXT, "concern-body:abc")


def test_ten_and_eleven_characters_store_the_same_length():
    key = generate_key()
    assert len(encrypt_text(key, "x" * 10, "c")) == len(encrypt_text(key, "y" * 11, "c"))
    lengths = {len(encrypt_text(key, "z" * n, "c")) for n in range(PAD_MIN)}
    assert lengths == {5 + 12 + PAD_MIN + 16}


@pytest.mark.parametrize(
    ("length", "bucket"),
    [
        (0, 64),
        (63, 64),
        (64, 128),
        (127, 128),
        (128, 256),
        (2047, 2048),
        (2048, 4096),
        (4095, 4096),
        (4096, 8192),
        (8191, 8192),
        (8192, 12288),
    ],
)
def test_padding_buckets(length, bucket):
    assert padded_size(length) == bucket
    assert len(pad(b"a" * length)) == bucket
    assert unpad(pad(b"a" * length)) == b"a" * length


def test_padding_keeps_trailing_zeros_and_marks_of_the_text_itself():
    for text in (b"", b"\x00", b"ends with zero\x00\x00", b"\x80", b"\x80\x00", b"XX", "naïve ✓".encode()):
        assert unpad(pad(text)) == text
    assert pad(b"ab")[:3] == b"ab\x80" and set(pad(b"ab")[3:]) == {0}
    for malformed in (b"no mark" + bytes(5), b"text\x80X", b"text\x80\x00X\x00"):
        # Only zeros may follow the end mark: anything else is tampering or a bug.
        with pytest.raises(CryptoError, match=r"^padding is malformed$"):
            unpad(malformed)
    assert PAD_STEP % PAD_MIN == 0


def test_seal_refuses_a_nonce_of_the_wrong_size():
    with pytest.raises(ValueError, match="12 bytes"):
        seal(KEY, b"x", b"c", NONCE[:-1])


def test_text_encrypted_under_an_old_key_opens_with_old_keys_only():
    old, new = generate_key(), generate_key()
    sealed = encrypt_text(old, "still mine", "c")
    with pytest.raises(CryptoError):
        decrypt_text(new, sealed, "c")
    assert decrypt_text(new, sealed, "c", old_keys=[old]) == "still mine"
    assert decrypt_text(new, V0_TEXT, "concern-body:abc", old_keys=[KEY]) == "Ladder 3 wobbles"
    assert unwrap_key(new, wrap_key(old, ITEM_KEY, "p"), "p", old_keys=[old]) == ITEM_KEY


def test_reencrypt_moves_rows_to_the_new_key_and_leaves_current_rows_alone():
    new = generate_key()
    moved = reencrypt_text(new, [KEY], V0_TEXT, "concern-body:abc")
    assert moved is not None and is_current(new, moved) and not is_current(KEY, moved)
    assert decrypt_text(new, moved, "concern-body:abc") == "Ladder 3 wobbles"
    assert reencrypt_text(new, [KEY], moved, "concern-body:abc") is None
    assert reencrypt_text(KEY, [], V1_TEXT, "concern-body:abc") is None
    with pytest.raises(CryptoError):
        reencrypt_text(new, [KEY], moved, "concern-body:other")
    with pytest.raises(CryptoError):
        reencrypt_text(new, [generate_key()], V0_TEXT, "concern-body:abc")


def test_a_v0_row_whose_nonce_looks_like_a_v1_header_still_opens():
    nonce = b"\x01" + key_id(KEY) + bytes(7)
    legacy = nonce + AESGCM(KEY).encrypt(nonce, b"old text", b"text:c")
    assert decrypt_text(KEY, legacy, "c") == "old text"


def test_error_messages_say_what_went_wrong():
    with pytest.raises(CryptoError, match=r"^ciphertext too short$"):
        decrypt_text(KEY, b"short", "c")
    with pytest.raises(CryptoError, match=r"^ciphertext does not open under these keys and context$"):
        decrypt_text(KEY, V0_TEXT, "wrong context")
    with pytest.raises(ValueError, match=r"^an item key is required; a closed item has none$"):
        nullifier(b"", "signature", "member-a")
