"""Password rules: 12 characters, zxcvbn score 3, and a reason a member can act on."""

from __future__ import annotations

import pytest

from voicebox.auth.passwords import password_problems


@pytest.mark.parametrize("weak", ["password password", "letmein letmein", "monkey-monkey-monkey"])
def test_a_repeated_word_is_refused_with_the_reason(weak: str) -> None:
    problems = password_problems(weak)
    assert len(problems) == 1
    assert "too easy to guess" in problems[0]
    assert "Repeats" in problems[0]


def test_short_passwords_are_refused_before_strength_is_judged() -> None:
    assert password_problems("Zq9!vT2#") == ["Use at least 12 characters."]


@pytest.mark.parametrize("strong", ["correct horse battery", "lantern-quarry-demo-58"])
def test_unrelated_words_pass(strong: str) -> None:
    assert password_problems(strong) == []
