"""The member's side of RFC 9474 (Blind, Finalize) in Python, for tests only.

The app's members use @cloudflare/blindrsa-ts in the browser; the tests need a client
that drives the server the same way without a browser, written step by step from the
RFC (section 4.2 Blind, 4.4 Finalize, with RFC 8017's EMSA-PSS-ENCODE).
"""

from __future__ import annotations

import hashlib
import math
import os
import secrets
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import rsa

from voicebox import blind_rsa

HASH_BYTES = 48


def _mgf1(seed: bytes, length: int) -> bytes:
    out = b""
    counter = 0
    while len(out) < length:
        out += hashlib.sha384(seed + counter.to_bytes(4, "big")).digest()
        counter += 1
    return out[:length]


def emsa_pss_encode(message: bytes, em_bits: int, salt: bytes) -> bytes:
    """RFC 8017 section 9.1.1 with SHA-384 and MGF1-SHA-384."""
    em_len = math.ceil(em_bits / 8)
    m_hash = hashlib.sha384(message).digest()
    h = hashlib.sha384(b"\x00" * 8 + m_hash + salt).digest()
    db = b"\x00" * (em_len - len(salt) - HASH_BYTES - 2) + b"\x01" + salt
    masked = bytes(a ^ b for a, b in zip(db, _mgf1(h, em_len - HASH_BYTES - 1), strict=True))
    first = masked[0] & (0xFF >> (8 * em_len - em_bits))
    return bytes([first]) + masked[1:] + h + b"\xbc"


@dataclass(frozen=True)
class Blinded:
    blinded_msg: bytes
    inv: int


def blind(
    public: rsa.RSAPublicKey, prepared_msg: bytes, salt: bytes | None = None, r: int | None = None
) -> Blinded:
    """Blind (RFC 9474 section 4.2); `salt` and `r` are fixed only by known-answer tests."""
    numbers = public.public_numbers()
    n, e = numbers.n, numbers.e
    k_len = blind_rsa.modulus_bytes(public)
    salt = os.urandom(blind_rsa.SALT_BYTES) if salt is None else salt
    encoded = emsa_pss_encode(prepared_msg, n.bit_length() - 1, salt)
    m = int.from_bytes(encoded, "big")
    if math.gcd(m, n) != 1:
        raise ValueError("invalid input")
    while r is None or math.gcd(r, n) != 1:
        r = secrets.randbelow(n - 1) + 1
    z = (m * pow(r, e, n)) % n
    return Blinded(z.to_bytes(k_len, "big"), pow(r, -1, n))


def finalize(public: rsa.RSAPublicKey, prepared_msg: bytes, blind_sig: bytes, inv: int) -> bytes:
    """Finalize (RFC 9474 section 4.4); raises ValueError when the result doesn't verify."""
    n = public.public_numbers().n
    k_len = blind_rsa.modulus_bytes(public)
    signature = ((int.from_bytes(blind_sig, "big") * inv) % n).to_bytes(k_len, "big")
    if not blind_rsa.verify(public, prepared_msg, signature):
        raise ValueError("invalid signature")
    return signature
