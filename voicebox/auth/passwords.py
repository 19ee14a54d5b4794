"""Password hashing with argon2id, and the rules a password must meet."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn


def N_(message: str) -> str:
    """Mark text for translation; it is translated where it is shown (this module is Flask-free)."""
    return message


# One part of what is wrong with a password: a message to translate and its placeholders.
Problem = tuple[str, dict[str, int]]

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


# zxcvbn's fixed feedback (zxcvbn/feedback.py), in English there; listed so it is translated.
ZXCVBN_FEEDBACK = (
    N_("Use a few words, avoid common phrases."),
    N_("No need for symbols, digits, or uppercase letters."),
    N_("Add another word or two. Uncommon words are better."),
    N_("Straight rows of keys are easy to guess."),
    N_("Short keyboard patterns are easy to guess."),
    N_("Use a longer keyboard pattern with more turns."),
    N_('Repeats like "aaa" are easy to guess.'),
    N_('Repeats like "abcabcabc" are only slightly harder to guess than "abc".'),
    N_("Avoid repeated words and characters."),
    N_('Sequences like "abc" or "6543" are easy to guess.'),
    N_("Avoid sequences."),
    N_("Recent years are easy to guess."),
    N_("Avoid recent years."),
    N_("Avoid years that are associated with you."),
    N_("Dates are often easy to guess."),
    N_("Avoid dates and years that are associated with you."),
    N_("This is a top-10 common password."),
    N_("This is a top-100 common password."),
    N_("This is a very common password."),
    N_("This is similar to a commonly used password."),
    N_("A word by itself is easy to guess."),
    N_("Names and surnames by themselves are easy to guess."),
    N_("Common names and surnames are easy to guess."),
    N_("Capitalization doesn't help very much."),
    N_("All-uppercase is almost as easy to guess as all-lowercase."),
    N_("Reversed words aren't much harder to guess."),
    N_("Predictable substitutions like '@' instead of 'a' don't help very much."),
)


def password_problems(password: str, username: str = "") -> list[str]:
    """What is wrong with a new password, in words a member can act on; empty if fine."""
    feedback = password_feedback(password, username)
    return [feedback_text(feedback)] if feedback else []


def feedback_text(feedback: list[Problem]) -> str:
    """The parts of password_feedback() as one English text."""
    return " ".join(message % params if params else message for message, params in feedback)


def password_feedback(password: str, username: str = "") -> list[Problem]:
    """password_problems() in parts, each translatable on its own; empty if fine."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return [(N_("Use at least %(count)s characters."), {"count": MIN_PASSWORD_LENGTH})]
    if len(password) > MAX_PASSWORD_LENGTH:
        return [(N_("Use at most %(count)s characters."), {"count": MAX_PASSWORD_LENGTH})]
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
        details = [feedback.get("warning") or "", *(feedback.get("suggestions") or [])]
        return [
            (N_("This password is too easy to guess."), {}),
            *((detail.strip(), {}) for detail in details if detail.strip()),
            (N_("A few unrelated words make a strong password."), {}),
        ]
    return []
