"""Field encryption, key wrapping and keyed hashes (no Flask imports).

Every secret here lives outside the database: the master key wraps item keys, the data
key encrypts private text (A5), and the pepper keys every hash that would otherwise let
a leaked database be brute-forced (receipts, invite codes, rate-limit keys).

Stored format v1 (everything written now):

    0x01 | key id (4 bytes) | nonce (12 bytes) | AES-GCM ciphertext + tag (16 bytes)

The version byte and key id are authenticated (they are part of the associated data),
so a row can't be relabelled to another key. Text is padded to a bucket before it is
sealed (`pad`), so a stored length tells only the bucket, never the exact length.
Format v0 (nonce | ciphertext + tag, no padding) is still opened, so rows written
before v1 keep working until `voicebox rotate-keys` rewrites them.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Iterable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
KEY_ID_BYTES = 4
VERSION_1 = b"\x01"
HEADER_BYTES = len(VERSION_1) + KEY_ID_BYTES
PAD_MARK = b"\x80"
# Smallest padded size; buckets double up to PAD_STEP and then grow in steps of PAD_STEP.
PAD_MIN = 64
PAD_STEP = 4096


class CryptoError(Exception):
    """A ciphertext or wrapped key could not be opened with the key given."""


def generate_key() -> bytes:
    """Return a fresh random 256-bit key."""
    return os.urandom(KEY_BYTES)


def key_id(key: bytes) -> bytes:
    """A key's 4-byte id: a keyed digest of nothing, so it names the key without revealing it."""
    return hmac.new(key, b"voicebox key id", hashlib.sha256).digest()[:KEY_ID_BYTES]


def padded_size(length: int) -> int:
    """The bucket a plaintext of `length` bytes (plus its end mark) is padded to."""
    # Both branches give PAD_STEP at the boundary, so moving it by one changes nothing.
    if length + 1 > PAD_STEP:  # pragma: no mutate
        return -(-(length + 1) // PAD_STEP) * PAD_STEP
    size = PAD_MIN
    while size < length + 1:
        size *= 2
    return size


def pad(data: bytes) -> bytes:
    """`data`, an end mark 0x80, then zeros up to its bucket (ISO/IEC 7816-4 padding)."""
    return data + PAD_MARK + bytes(padded_size(len(data)) - len(data) - 1)


def unpad(data: bytes) -> bytes:
    """Undo `pad`; raises CryptoError when the end mark is missing."""
    end = data.rstrip(b"\x00")
    if not end.endswith(PAD_MARK):
        raise CryptoError("padding is malformed")
    return end[: -len(PAD_MARK)]


def seal(key: bytes, plaintext: bytes, context: bytes, nonce: bytes | None = None) -> bytes:
    """Seal `plaintext` in format v1 under `key`, bound to `context`.

    `nonce` exists for known-answer tests only; production always draws a fresh one.
    """
    nonce = os.urandom(NONCE_BYTES) if nonce is None else nonce
    if len(nonce) != NONCE_BYTES:
        raise ValueError(f"a nonce is {NONCE_BYTES} bytes")
    header = VERSION_1 + key_id(key)
    return header + nonce + AESGCM(key).encrypt(nonce, plaintext, header + context)


def _try_open(key: bytes, nonce: bytes, body: bytes, associated: bytes) -> bytes | None:
    try:
        return AESGCM(key).decrypt(nonce, body, associated)
    except InvalidTag:
        return None


def is_current(key: bytes, sealed: bytes) -> bool:
    """Whether `sealed` is format v1 under `key` (nothing to rewrite for this key)."""
    return sealed[:HEADER_BYTES] == VERSION_1 + key_id(key)


def open_sealed(keys: Iterable[bytes], sealed: bytes, context: bytes) -> tuple[bytes, bool]:
    """Open `sealed` with whichever of `keys` its key id names, or try each on a v0 row.

    Returns (plaintext, was_v1); raises CryptoError when no key opens it.
    """
    if len(sealed) < NONCE_BYTES + TAG_BYTES:
        raise CryptoError("ciphertext too short")
    keys = list(keys)
    header, body = sealed[:HEADER_BYTES], sealed[HEADER_BYTES:]
    for key in keys:
        if is_current(key, sealed):
            # The v0 minimum (28 bytes) was checked above (28 bytes), so the 12-byte nonce is whole;
            # a shorter body fails the tag check like any other damage.
            opened = _try_open(key, body[:NONCE_BYTES], body[NONCE_BYTES:], header + context)
            if opened is not None:
                return opened, True
            break  # a v0 nonce that happens to start like a v1 header: try v0 below
    for key in keys:
        opened = _try_open(key, sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], context)
        if opened is not None:
            return opened, False
    raise CryptoError("ciphertext does not open under these keys and context")


def _text_context(context: str) -> bytes:
    return b"text:" + context.encode()


def _wrap_context(context: str) -> bytes:
    return b"wrap:" + context.encode()


def wrap_key(master_key: bytes, key: bytes, context: str) -> bytes:
    """Encrypt a data key under the master key, bound to `context`; raises nothing."""
    return seal(master_key, key, _wrap_context(context))


def unwrap_key(master_key: bytes, wrapped: bytes, context: str, old_keys: Iterable[bytes] = ()) -> bytes:
    """Recover a key wrapped by `wrap_key` (v1 or v0), also trying `old_keys` during a rotation.

    Raises CryptoError on a wrong key or context.
    """
    return open_sealed([master_key, *old_keys], wrapped, _wrap_context(context))[0]


def encrypt_text(data_key: bytes, text: str, context: str) -> bytes:
    """Pad and AES-GCM encrypt `text`, bound to `context` so rows can't be swapped; raises nothing."""
    return seal(data_key, pad(text.encode()), _text_context(context))


def decrypt_text(data_key: bytes, sealed: bytes, context: str, old_keys: Iterable[bytes] = ()) -> str:
    """Decrypt what `encrypt_text` made (v1, or v0 from before padding), also under `old_keys`.

    Raises CryptoError if it was tampered with, moved to another row, or no key opens it.
    """
    plaintext, was_v1 = open_sealed([data_key, *old_keys], sealed, _text_context(context))
    return (unpad(plaintext) if was_v1 else plaintext).decode()


def reencrypt_text(new_key: bytes, old_keys: Iterable[bytes], sealed: bytes, context: str) -> bytes | None:
    """`sealed` re-encrypted under `new_key`, or None when it already is (v1 under new_key).

    Raises CryptoError when none of `new_key` and `old_keys` opens it.
    """
    if is_current(new_key, sealed):
        decrypt_text(new_key, sealed, context)  # still proves it opens
        return None
    return encrypt_text(new_key, decrypt_text(new_key, sealed, context, old_keys), context)


def keyed_hash(pepper: bytes, purpose: str, value: str) -> str:
    """HMAC-SHA256 of `value` under the pepper, separated by purpose; raises nothing."""
    message = purpose.encode() + b"\x00" + value.encode()
    return hmac.new(pepper, message, hashlib.sha256).hexdigest()


def hashes_match(a: str, b: str) -> bool:
    """Compare two hex digests in constant time."""
    return hmac.compare_digest(a.encode(), b.encode())
