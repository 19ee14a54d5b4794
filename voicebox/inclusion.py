"""Verifiable inclusion: a Merkle root over the counted token hashes (no Flask imports).

A petition publishes the hashes of the tokens it counted. Leaves are sorted, so the root
says nothing about the order in which anyone signed, and every level is domain-separated
(0x00 for a leaf, 0x01 for a node, as in RFC 6962) so a leaf can never pass for a node.
An odd node at the end of a level moves up unchanged. The root goes into report snapshots'
digests: a member who finds their hash in the list, and the list's root in a report,
knows the report counted them.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

LEAF = b"\x00"
NODE = b"\x01"
# The root of an empty list: a fixed, recognisable value rather than an error.
EMPTY_ROOT = hashlib.sha256(b"voicebox inclusion v1: no tokens").hexdigest()
_HASH = re.compile(r"^[0-9a-f]{64}$")


def is_token_hash(value: str) -> bool:
    """Whether `value` is a token hash as published: 64 lower-case hex digits."""
    return bool(_HASH.match(value))


def merkle_root(token_hashes: Iterable[str]) -> str:
    """The root over the sorted, de-duplicated hashes; raises ValueError for a malformed one."""
    leaves = sorted(set(token_hashes))
    if not leaves:
        return EMPTY_ROOT
    for value in leaves:
        if not is_token_hash(value):
            raise ValueError(f"not a token hash: {value!r}")
    level = [hashlib.sha256(LEAF + bytes.fromhex(value)).digest() for value in leaves]
    while len(level) > 1:
        paired = [
            hashlib.sha256(NODE + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)
        ]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0].hex()
