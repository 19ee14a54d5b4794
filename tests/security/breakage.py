"""A pytest plugin that breaks one anonymity rule, to show the test guarding it goes red.

Loaded only by tests/security/test_tests_can_fail.py, in a separate pytest process:
`python -m pytest -p tests.security.breakage ...` with VOICEBOX_TEST_BREAK set to one of
BREAKS. Each break is the smallest change that violates its invariant (DESIGN.md A1-A8) in
the way a real regression would, patched where the running code looks the name up.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable
from typing import Any

import pytest

VARIABLE = "VOICEBOX_TEST_BREAK"


def _a1_nullifier_is_the_member_id(patch: pytest.MonkeyPatch) -> None:
    # The "nullifier" becomes the member's id itself: a signature row names its signer.
    patch.setattr("voicebox.petitions.service.nullifier", lambda _key, _purpose, member_id: member_id)


def _a2_keys_survive_the_close(patch: pytest.MonkeyPatch) -> None:
    patch.setattr("voicebox.keystore.KeyStore.destroy", lambda *_args, **_kwargs: False)


def _a3_sequential_signature_ids(patch: pytest.MonkeyPatch) -> None:
    counter = itertools.count(1)
    patch.setattr("voicebox.petitions.counting.random_id", lambda: f"sig{next(counter):029d}")


def _a4_logs_keep_addresses(patch: pytest.MonkeyPatch) -> None:
    patch.setattr("voicebox.log_privacy.scrub", lambda text: text)


class _PlaintextAead:
    """Same interface as AESGCM, but the 'ciphertext' is the plaintext plus a blank tag."""

    def __init__(self, _key: bytes) -> None:
        pass

    def encrypt(self, _nonce: bytes, data: bytes, _associated: bytes | None) -> bytes:
        return data + bytes(16)

    def decrypt(self, _nonce: bytes, data: bytes, _associated: bytes | None) -> bytes:
        return data[:-16]


def _a5_text_stored_in_clear(patch: pytest.MonkeyPatch) -> None:
    patch.setattr("voicebox.crypto.AESGCM", _PlaintextAead)


def _a6_no_suppression(patch: pytest.MonkeyPatch) -> None:
    patch.setattr("voicebox.reports.tallies.effective_threshold", lambda _configured: 1)


def _a7_receipt_stored_as_typed(patch: pytest.MonkeyPatch) -> None:
    patch.setattr("voicebox.concerns.service.receipt_hash", lambda _pepper, phrase: phrase)


def _a8_work_email_kept(patch: pytest.MonkeyPatch) -> None:
    # An instance that emails invite codes, keeping the address it sent each one to.
    from voicebox.auth import service

    original = service.create_invite

    def create_invite(*args: Any, **kwargs: Any) -> str:
        return original(*args, **{**kwargs, "note": "sent to new.starter@staff.example"})

    patch.setattr(service, "create_invite", create_invite)


BREAKS: dict[str, Callable[[pytest.MonkeyPatch], None]] = {
    "A1": _a1_nullifier_is_the_member_id,
    "A2": _a2_keys_survive_the_close,
    "A3": _a3_sequential_signature_ids,
    "A4": _a4_logs_keep_addresses,
    "A5": _a5_text_stored_in_clear,
    "A6": _a6_no_suppression,
    "A7": _a7_receipt_stored_as_typed,
    "A8": _a8_work_email_kept,
}


def pytest_configure(config: pytest.Config) -> None:
    rule = os.environ.get(VARIABLE, "")
    if rule not in BREAKS:
        raise pytest.UsageError(f"{VARIABLE} must be one of {', '.join(BREAKS)}, not {rule!r}")
    patch = pytest.MonkeyPatch()
    BREAKS[rule](patch)
    config.add_cleanup(patch.undo)
