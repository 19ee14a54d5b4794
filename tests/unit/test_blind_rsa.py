"""RSABSSA-SHA384-PSS (RFC 9474): the server side against the RFC's published vectors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from tests import blind_client
from voicebox import blind_rsa

# RFC 9474 Appendix A, the two variants with a 48-byte salt (copied from the RFC's JSON).
VECTORS = json.loads((Path(__file__).parent / "data" / "rfc9474_vectors.json").read_text())


def _hex_int(value: str) -> int:
    return int(value.removeprefix("0x"), 16)


def _key(vector: dict[str, Any]) -> rsa.RSAPrivateKey:
    p, q, d, e, n = (_hex_int(vector[name]) for name in ("p", "q", "d", "e", "n"))
    public = rsa.RSAPublicNumbers(e, n)
    numbers = rsa.RSAPrivateNumbers(
        p, q, d, rsa.rsa_crt_dmp1(d, p), rsa.rsa_crt_dmq1(d, q), rsa.rsa_crt_iqmp(p, q), public
    )
    return numbers.private_key()


@pytest.mark.parametrize("vector", VECTORS, ids=[vector["name"] for vector in VECTORS])
def test_rfc_vectors_blind_sign_and_verify(vector: dict[str, Any]) -> None:
    key = _key(vector)
    assert blind_rsa.blind_sign(key, bytes.fromhex(vector["blinded_msg"])).hex() == vector["blind_sig"]
    prepared = bytes.fromhex(vector["input_msg"])
    assert blind_rsa.verify(key.public_key(), prepared, bytes.fromhex(vector["sig"]))


@pytest.mark.parametrize("vector", VECTORS, ids=[vector["name"] for vector in VECTORS])
def test_rfc_vectors_test_client_blinds_and_finalizes(vector: dict[str, Any]) -> None:
    key = _key(vector)
    n = key.public_key().public_numbers().n
    prepared = bytes.fromhex(vector["input_msg"])
    r = pow(_hex_int(vector["inv"]), -1, n)
    blinded = blind_client.blind(key.public_key(), prepared, bytes.fromhex(vector["salt"]), r)
    assert blinded.blinded_msg.hex() == vector["blinded_msg"]
    signature = blind_client.finalize(
        key.public_key(), prepared, bytes.fromhex(vector["blind_sig"]), blinded.inv
    )
    assert signature.hex() == vector["sig"]


def test_the_deterministic_variant_prepares_the_message_as_itself() -> None:
    (vector,) = [v for v in VECTORS if v["name"] == blind_rsa.SUITE]
    assert vector["input_msg"] == vector["msg"]


def test_a_changed_message_or_signature_does_not_verify() -> None:
    vector = VECTORS[0]
    key = _key(vector)
    prepared = bytes.fromhex(vector["input_msg"])
    signature = bytes.fromhex(vector["sig"])
    assert not blind_rsa.verify(key.public_key(), prepared + b"x", signature)
    assert not blind_rsa.verify(key.public_key(), prepared, signature[:-1] + bytes([signature[-1] ^ 1]))


def test_blind_sign_refuses_wrong_length_and_out_of_range() -> None:
    key = _key(VECTORS[0])
    with pytest.raises(blind_rsa.BlindSignError):
        blind_rsa.blind_sign(key, b"\x01" * 10)
    with pytest.raises(blind_rsa.BlindSignError):
        blind_rsa.blind_sign(key, b"\xff" * blind_rsa.modulus_bytes(key))


def test_a_generated_key_round_trips_through_the_store_format_and_signs_blindly() -> None:
    key = blind_rsa.load_private_key(blind_rsa.private_key_bytes(blind_rsa.generate_private_key()))
    public = blind_rsa.load_public_key(blind_rsa.public_key_der(key))
    message = b"voicebox test token"
    blinded = blind_client.blind(public, message)
    signature = blind_client.finalize(
        public, message, blind_rsa.blind_sign(key, blinded.blinded_msg), blinded.inv
    )
    assert blind_rsa.verify(public, message, signature)
    with pytest.raises(ValueError):
        blind_rsa.generate_private_key(1024)
