"""The Merkle root over counted token hashes: order-free, domain-separated, every leaf counts."""

from __future__ import annotations

import hashlib

import pytest

from voicebox import inclusion

A, B, C = (hashlib.sha256(name).hexdigest() for name in (b"a", b"b", b"c"))


def _leaf(value: str) -> bytes:
    return hashlib.sha256(b"\x00" + bytes.fromhex(value)).digest()


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def test_the_root_is_computed_as_documented() -> None:
    first, second, third = sorted([A, B, C])
    expected = _node(_node(_leaf(first), _leaf(second)), _leaf(third)).hex()
    assert inclusion.merkle_root([C, A, B]) == expected
    assert inclusion.merkle_root([A]) == _leaf(A).hex()


def test_order_says_nothing_and_every_leaf_changes_the_root() -> None:
    assert inclusion.merkle_root([A, B, C]) == inclusion.merkle_root([C, B, A])
    assert inclusion.merkle_root([A, B]) != inclusion.merkle_root([A, B, C])
    assert inclusion.merkle_root([A, B]) != inclusion.merkle_root([A, C])


def test_a_leaf_can_not_pass_for_a_node() -> None:
    pair = _node(_leaf(A), _leaf(B)).hex()
    assert inclusion.merkle_root([pair]) != inclusion.merkle_root([A, B])


def test_an_empty_list_has_a_fixed_root_and_a_malformed_hash_is_refused() -> None:
    assert inclusion.merkle_root([]) == inclusion.EMPTY_ROOT
    with pytest.raises(ValueError):
        inclusion.merkle_root(["not a hash"])
