"""Queued actions are sealed, padded and bound to their row (voicebox.pending)."""

from __future__ import annotations

from voicebox.crypto import generate_key
from voicebox.pending import SEAL_BUCKET, open_payload, seal_payload


def test_a_sealed_action_opens_only_under_its_key_and_row():
    key = generate_key()
    sealed = seal_payload(key, "row-1", {"kind": "signature", "comment": "Hello"})

    assert open_payload(key, "row-1", sealed) == {"kind": "signature", "comment": "Hello"}
    assert open_payload(key, "row-2", sealed) is None
    assert open_payload(generate_key(), "row-1", sealed) is None


def test_with_and_without_a_comment_the_sealed_length_is_the_same():
    key = generate_key()
    bare = seal_payload(key, "r", {"kind": "signature", "comment": None, "display_name": None})
    commented = seal_payload(key, "r", {"kind": "signature", "comment": "x" * 300, "display_name": "Sam"})

    assert len(bare) == len(commented) == 12 + SEAL_BUCKET + 16
