"""Password hashing with argon2id, and the rules a password must meet."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

MIN_PASSWORD_LENGTH = 12
# argon2 over a megabyte of "password" is a cheap denial of service; cap it.
MAX_PASSWORD_LENGTH = 128
MIN_STRENGTH_SCORE = 3
_SEPARATORS = re.compile(r"[\s._-]+")


@dataclass
class PasswordPolicy:
    """argon2id parameters for one instance; tests make them cheap."""

    time_cost: int = 3
    memory_cost: int = 65536

    @cached_property
    def hasher(self) -> PasswordHasher:
        return PasswordHasher(time_cost=self.time_cost, memory_cost=self.memory_cost)

    @cached_property
    def _dummy_hash(self) -> str:
        return self.hasher.hash("voicebox-dummy-password-for-unknown-users")

    def hash(self, password: str) -> str:
        """Hash a password with argon2id."""
        return self.hasher.hash(password)

    def verify(self, stored_hash: str, password: str) -> bool:
        """Check a password against its hash; False on any mismatch or malformed hash."""
        try:
            return self.hasher.verify(stored_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        """Whether a hash was made with older parameters than this policy's."""
        try:
            return self.hasher.check_needs_rehash(stored_hash)
        except InvalidHashError:
            return True

    def burn_time_for_unknown_user(self, password: str) -> None:
        """Verify against a dummy hash, so unknown usernames take as long as known ones."""
        self.verify(self._dummy_hash, password)


def password_problems(password: str, username: str = "") -> list[str]:
    """What is wrong with a new password, in words a member can act on; empty if fine."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return [f"Use at least {MIN_PASSWORD_LENGTH} characters."]
    if len(password) > MAX_PASSWORD_LENGTH:
        return [f"Use at most {MAX_PASSWORD_LENGTH} characters."]
    inputs = [username, "voicebox"] if username else ["voicebox"]
    # zxcvbn scores "password password" 3 because the space hides the repeat; the same
    # password without its separators ("passwordpassword") shows it, so the weaker score counts.
    squeezed = _SEPARATORS.sub("", password)
    candidates = [zxcvbn(password, user_inputs=inputs)]
    if squeezed != password and squeezed:
        candidates.append(zxcvbn(squeezed, user_inputs=inputs))
    result = min(candidates, key=lambda found: found["score"])
    if result["score"] < MIN_STRENGTH_SCORE:
        feedback = result.get("feedback") or {}
        details = " ".join([feedback.get("warning") or "", *(feedback.get("suggestions") or [])])
        return [
            f"This password is too easy to guess. {details.strip()} "
            "A few unrelated words make a strong password.".replace("  ", " ")
        ]
    return []
