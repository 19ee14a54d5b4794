"""Every anonymity invariant has a security test that fails when its rule is broken.

For each of A1-A8 (DESIGN.md) the guarding test runs in its own pytest process with
tests/security/breakage.py breaking that one rule; it must fail (not error, not pass).
The same tests pass in the ordinary run, so each one is shown able to tell the difference.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.security.breakage import BREAKS, VARIABLE

ROOT = Path(__file__).resolve().parents[2]
SIGNATURES = "tests/security/test_signature_anonymity.py"
LEAK = "tests/security/test_database_leak.py"
A4 = "tests/security/test_a4_no_network_identity.py"

GUARDS = {
    "A1": f"{SIGNATURES}::test_a1_a_dump_after_signing_holds_no_user_value_outside_the_users_table",
    "A2": f"{SIGNATURES}::test_a2_after_close_not_even_the_master_key_and_the_database_relink_a_signature",
    "A3": f"{SIGNATURES}::test_a3_anonymous_rows_have_random_ids_and_no_rowid",
    "A4": f"{A4}::test_a4_library_log_lines_are_scrubbed_of_addresses",
    "A5": f"{LEAK}::test_a5_private_text_is_ciphertext_at_rest",
    "A6": f"{LEAK}::test_a6_small_group_counts_are_never_shown",
    "A7": f"{LEAK}::test_a7_no_receipt_or_invite_code_in_the_dump",
    "A8": f"{LEAK}::test_a8_no_email_address_anywhere",
}


def test_every_invariant_has_a_guard_and_a_break() -> None:
    assert set(GUARDS) == set(BREAKS) == {f"A{n}" for n in range(1, 9)}


@pytest.mark.slow
@pytest.mark.parametrize("rule", sorted(GUARDS))
def test_the_guard_fails_when_its_rule_is_broken(rule: str) -> None:
    environment = {**os.environ, VARIABLE: rule}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "tests.security.breakage",
            GUARDS[rule],
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr
    assert result.returncode == 1, f"{rule}: the guard did not fail with the rule broken: {summary}"
    assert "1 failed" in summary and "error" not in summary, f"{rule}: {summary}"
