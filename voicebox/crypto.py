"""Field encryption, key wrapping and keyed hashes (no Flask imports).

Every secret here lives outside the database: the master key wraps per-petition keys,
the data key encrypts private text (A5), and the pepper keys every hash that would
otherwise let a leaked database be brute-forced (receipts, invite codes, rate-limit keys).
"""

from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES = 32
NONCE_BYTES = 12


class CryptoError(Exception):
    """A ciphertext or wrapped key could not be opened with the key given."""


def generate_key() -> bytes:
    """Return a fresh random 256-bit key."""
    return os.urandom(KEY_BYTES)


def _seal(key: bytes, plaintext: bytes, context: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, context)


def _open(key: bytes, sealed: bytes, context: bytes) -> bytes:
    if len(sealed) < NONCE_BYTES + 16:
        raise CryptoError("ciphertext too short")
    try:
        return AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], context)
    except InvalidTag as exc:
        raise CryptoError("ciphertext does not open under this key and context") from exc


def wrap_key(master_key: bytes, key: bytes, context: str) -> bytes:
    """Encrypt a data key under the master key, bound to `context`; raises nothing."""
    return _seal(master_key, key, b"wrap:" + context.encode())


def unwrap_key(master_key: bytes, wrapped: bytes, context: str) -> bytes:
    """Recover a key wrapped by `wrap_key`; raises CryptoError on a wrong key or context."""
    return _open(master_key, wrapped, b"wrap:" + context.encode())


def encrypt_text(data_key: bytes, text: str, context: str) -> bytes:
    """AES-GCM encrypt `text`, binding it to `context` so rows can't be swapped; raises nothing."""
    return _seal(data_key, text.encode("utf-8"), b"text:" + context.encode())


def decrypt_text(data_key: bytes, sealed: bytes, context: str) -> str:
    """Decrypt what `encrypt_text` made; raises CryptoError if it was tampered with or moved."""
    return _open(data_key, sealed, b"text:" + context.encode()).decode("utf-8")


def keyed_hash(pepper: bytes, purpose: str, value: str) -> str:
    """HMAC-SHA256 of `value` under the pepper, separated by purpose; raises nothing."""
    message = purpose.encode() + b"\x00" + value.encode("utf-8")
    return hmac.new(pepper, message, hashlib.sha256).hexdigest()


def hashes_match(a: str, b: str) -> bool:
    """Compare two hex digests in constant time."""
    return hmac.compare_digest(a.encode(), b.encode())
