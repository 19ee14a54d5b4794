"""RSA blind signatures, RSABSSA-SHA384-PSS-Deterministic (RFC 9474), server side (no Flask).

The member's browser prepares, blinds and finalizes (the vetted @cloudflare/blindrsa-ts);
the server only signs what it can't read and later verifies what it never saw. Blind
signing is RSASP1 with a constant-time modular exponentiation (GMP's mpz_powm_sec via
gmpy2), so the time it takes says nothing about the private exponent, followed by the
RFC's check that the result verifies (a fault must never hand out a bad signature, which
could leak the key). Verifying is RSASSA-PSS from `cryptography`: SHA-384, MGF1-SHA-384,
48-byte salt. The Deterministic variant prepares the message as itself: our messages
already carry 100+ bits of the member's randomness (the phrase), which is what the
Randomized variant's prefix would add.
"""

from __future__ import annotations

import gmpy2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

SUITE = "RSABSSA-SHA384-PSS-Deterministic"
MODULUS_BITS = 2048
PUBLIC_EXPONENT = 65537
SALT_BYTES = 48


class BlindSignError(ValueError):
    """A blinded message that can't be signed (wrong length, out of range) or a signing fault."""


def generate_private_key(bits: int = MODULUS_BITS) -> rsa.RSAPrivateKey:
    """A fresh token key; raises ValueError below 2048 bits."""
    if bits < MODULUS_BITS:
        raise ValueError(f"token keys are at least {MODULUS_BITS} bits")
    return rsa.generate_private_key(public_exponent=PUBLIC_EXPONENT, key_size=bits)


def private_key_bytes(key: rsa.RSAPrivateKey) -> bytes:
    """PKCS#8 DER, unencrypted: the key store wraps it under the master key."""
    return key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def load_private_key(data: bytes) -> rsa.RSAPrivateKey:
    """The key `private_key_bytes` wrote (as unwrapped from the key store); raises ValueError
    for anything else."""
    # Validating an RSA key costs ~30 ms, paid on every signature otherwise. These bytes
    # only ever come from the key store, sealed under the master key with AES-GCM, so they
    # are the key we generated; and blind_sign checks every result verifies anyway.
    key = serialization.load_der_private_key(data, password=None, unsafe_skip_rsa_key_validation=True)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("not an RSA private key")
    return key


def public_key_der(key: rsa.RSAPrivateKey | rsa.RSAPublicKey) -> bytes:
    """SubjectPublicKeyInfo DER: what WebCrypto's importKey('spki') takes."""
    public = key.public_key() if isinstance(key, rsa.RSAPrivateKey) else key
    return public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def load_public_key(der: bytes) -> rsa.RSAPublicKey:
    """A public key from SPKI DER; raises ValueError for anything else."""
    key = serialization.load_der_public_key(der)
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("not an RSA public key")
    return key


def modulus_bytes(key: rsa.RSAPrivateKey | rsa.RSAPublicKey) -> int:
    """kLen: the length of the modulus, and of every blinded message and signature, in bytes."""
    return (key.key_size + 7) // 8


def blind_sign(key: rsa.RSAPrivateKey, blinded_msg: bytes) -> bytes:
    """BlindSign (RFC 9474 section 4.3); raises BlindSignError."""
    k_len = modulus_bytes(key)
    if len(blinded_msg) != k_len:
        raise BlindSignError(f"a blinded message is {k_len} bytes")
    numbers = key.private_numbers()
    n = numbers.public_numbers.n
    m = int.from_bytes(blinded_msg, "big")
    if m >= n:
        raise BlindSignError("message representative out of range")
    s = gmpy2.powmod_sec(m, numbers.d, n)
    # RSAVP1 on the result: the public operation needs no secrecy, so plain pow() is fine.
    if pow(int(s), numbers.public_numbers.e, n) != m:
        raise BlindSignError("signing failure")
    return int(s).to_bytes(k_len, "big")


def verify(key: rsa.RSAPublicKey, prepared_msg: bytes, signature: bytes) -> bool:
    """Verify (RFC 9474 section 4.5): RSASSA-PSS-VERIFY with SHA-384, MGF1-SHA-384, salt 48."""
    try:
        key.verify(
            signature,
            prepared_msg,
            padding.PSS(mgf=padding.MGF1(hashes.SHA384()), salt_length=SALT_BYTES),
            hashes.SHA384(),
        )
    except InvalidSignature:
        return False
    return True
