"""What a thief does with a copy of the instance folder: plain functions, no voicebox imports.

Everything here works on raw bytes and on the secrets as they sit in secrets.json, the
way someone would who copied the files of a running server and never saw its code run.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import shutil
from collections.abc import Iterable
from itertools import combinations
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

WRAPPED_LENGTH = 12 + 32 + 16  # nonce, key, tag


def copy_everything(source: Path, target: Path) -> list[Path]:
    """Copy every file under `source` as it is right now (database, -wal, -shm, keys)."""
    shutil.copytree(source, target)
    return [path for path in target.rglob("*") if path.is_file()]


def stolen_secrets(files: Iterable[Path]) -> dict[str, bytes]:
    """The secrets file, if it was in the copy."""
    for path in files:
        if path.name == "secrets.json":
            stored = json.loads(path.read_text())
            return {
                name: base64.urlsafe_b64decode(value.encode())
                for name, value in stored.items()
                if isinstance(value, str)
            }
    return {}


def _try_unwrap(master: AESGCM, sealed: bytes, contexts: list[bytes]) -> bytes | None:
    for context in contexts:
        try:
            return master.decrypt(sealed[:12], sealed[12:], context)
        except InvalidTag:
            continue
    return None


def item_keys_from(files: Iterable[Path], master_key: bytes, kind: str, item_id: str) -> set[bytes]:
    """Every key for one item the copy yields: key-store files, and 60-byte blobs anywhere
    in any file (old database pages, WAL frames) that unwrap under the master key."""
    master = AESGCM(master_key)
    contexts = [f"wrap:{kind}:{item_id}".encode(), f"wrap:keystore:{kind}:{item_id}".encode()]
    found: set[bytes] = set()
    for path in files:
        data = path.read_bytes()
        if path.suffix == ".key":
            key = _try_unwrap(master, data, contexts)
            if key is not None:
                found.add(key)
            continue
        for chunk in _unique_pages(data):
            for offset in _near(chunk, item_id.encode()):
                key = _try_unwrap(master, chunk[offset : offset + WRAPPED_LENGTH], contexts)
                if key is not None:
                    found.add(key)
    return found


def _near(chunk: bytes, marker: bytes, reach: int = 2048) -> set[int]:
    # An item's row starts with its id; a key stored in that row sits a little after it.
    offsets: set[int] = set()
    at = chunk.find(marker)
    while at >= 0:
        offsets.update(range(at, min(at + reach, len(chunk) - WRAPPED_LENGTH + 1)))
        at = chunk.find(marker, at + 1)
    return offsets


def _unique_pages(data: bytes, size: int = 4096, overlap: int = 2048 + WRAPPED_LENGTH) -> list[bytes]:
    # A WAL holds many copies of the same page; each distinct page (with the start of the
    # next, for a blob that straddles two) is searched once.
    seen: set[bytes] = set()
    pages = []
    for start in range(0, len(data), size):
        chunk = data[start : start + size + overlap]
        digest = hashlib.sha256(chunk).digest()
        if digest not in seen:
            seen.add(digest)
            pages.append(chunk)
    return pages


def nullifier(key: bytes, purpose: str, member_id: str) -> str:
    return hmac.new(key, purpose.encode() + b"\x00" + member_id.encode(), hashlib.sha256).hexdigest()


def attributed(
    files: Iterable[Path], keys: set[bytes], purposes: Iterable[str], member_ids: Iterable[str]
) -> set[tuple[str, str]]:
    """(purpose, member) pairs whose nullifier under any recovered key is in any file."""
    blob = b"".join(path.read_bytes() for path in files)
    hits = set()
    for key in keys:
        for purpose in purposes:
            for member_id in member_ids:
                if nullifier(key, purpose, member_id).encode() in blob:
                    hits.add((purpose, member_id))
    return hits


def first_positions(blob: bytes, needles: Iterable[str]) -> dict[str, int]:
    """Where each id first appears in the bytes (WAL frames are in commit order)."""
    positions = {}
    for needle in needles:
        at = blob.find(needle.encode())
        if at >= 0:
            positions[needle] = at
    return positions


def pairwise_order_accuracy(true_order: list[str], positions: dict[str, int]) -> tuple[float, int]:
    """Share of pairs whose physical order matches the true order, and how many pairs."""
    placed = [item for item in true_order if item in positions]
    pairs = list(combinations(placed, 2))
    right = sum(1 for earlier, later in pairs if positions[earlier] < positions[later])
    return (right / len(pairs) if pairs else 0.0), len(pairs)


def chance_ceiling(items: int) -> float:
    """The most pairs a random order puts right, bar a one-in-a-million fluke.

    Under a random shuffle the share of ordered pairs is Kendall's (tau + 1) / 2, with mean 1/2
    and variance (2n + 5) / (18 n (n - 1)); five standard deviations keeps the order tests from
    failing by chance on one CI run in a few million, while commit order (94-100%) stays far above.
    """
    return 0.5 + 5 * math.sqrt((2 * items + 5) / (18 * items * (items - 1)))


# The bar the forensic issue set: no better than 60% of pairs in the right order.
ORDER_BAR = 0.60


def assert_order_is_chance(what: str, true_order: list[str], positions: dict[str, int]) -> None:
    """Fail when physical positions put more than ORDER_BAR of the pairs of `what` in true order."""
    assert chance_ceiling(len(true_order)) <= ORDER_BAR, "too few items: chance alone could cross the bar"
    accuracy, pairs = pairwise_order_accuracy(true_order, positions)
    print(f"{what}: {accuracy:.1%} of {pairs} pairs in physical order")
    assert pairs >= len(true_order) * (len(true_order) - 1) // 2 * 0.9, f"only {pairs} pairs of {what} found"
    assert accuracy <= ORDER_BAR, f"physical order gives away the order of {what} ({accuracy:.0%} of pairs)"


def wal_then_database(folder: Path) -> bytes:
    """The WAL first (commit order), then the main file: how an attacker orders pages."""
    parts = []
    for suffix in ("-wal", ""):
        for path in sorted(folder.rglob(f"*.sqlite3{suffix}")):
            parts.append(path.read_bytes())
    return b"".join(parts)
