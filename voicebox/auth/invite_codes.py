"""How a typed invite code is compared (pure: the rate limiter hashes the same form)."""

from __future__ import annotations

import re


def normalize_invite_code(code: str) -> str:
    """Invite codes are typed by hand: ignore case, spacing and separators."""
    return "-".join(re.findall(r"[a-z0-9]+", code.lower()))
