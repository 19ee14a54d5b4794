"""The anonymity rules themselves, free of Flask and the database.

Nullifiers (A2), random identifiers and coarse dates (A3), receipt phrases (A7) and
small-group suppression (A6) are pure functions so they can be tested exhaustively.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from functools import cache

from xkcdpass import xkcd_password

RANDOM_ID_BYTES = 16  # 128 bits: ids reveal nothing about insert order
RECEIPT_WORDS = 8
MIN_SUPPRESSION_THRESHOLD = 3


def random_id() -> str:
    """Return a 128-bit random identifier as 32 hex characters."""
    return secrets.token_hex(RANDOM_ID_BYTES)


def coarse_date(moment: datetime | None = None) -> date:
    """Return the UTC calendar date of `moment` (now by default): no time of day is kept."""
    moment = moment or datetime.now(UTC)
    if moment.tzinfo is None:
        raise ValueError("coarse_date needs an aware datetime")
    return moment.astimezone(UTC).date()


def nullifier(item_key: bytes, purpose: str, member_id: str) -> str:
    """HMAC-SHA256 under an item's own key over (purpose, member); raises ValueError on an empty key.

    The same member always yields the same value for one item and purpose, so a unique
    index enforces "once each"; without the item key the value links to nobody.
    """
    if not item_key:
        raise ValueError("an item key is required; a closed item has none")
    message = purpose.encode() + b"\x00" + member_id.encode()
    return hmac.new(item_key, message, hashlib.sha256).hexdigest()


@cache
def receipt_wordlist() -> tuple[str, ...]:
    """The EFF long word list shipped with xkcdpass, letters-only words (7,772, ~12.9 bits each).

    The four hyphenated entries (t-shirt, yo-yo...) are dropped: people write phrases
    down and type them back with or without the hyphen, and both must match.
    """
    path = xkcd_password.locate_wordfile("eff-long")
    words = xkcd_password.generate_wordlist(wordfile=path, min_length=1, max_length=20)
    return tuple(sorted({word for word in words if re.fullmatch(r"[a-z]+", word)}))


def new_receipt_phrase(words: int = RECEIPT_WORDS) -> str:
    """A random phrase of `words` words drawn with `secrets`; raises ValueError below 7 words."""
    if words < 7:
        raise ValueError("receipts need at least 7 words")
    wordlist = receipt_wordlist()
    return " ".join(secrets.choice(wordlist) for _ in range(words))


def normalize_receipt(phrase: str) -> str:
    """Lower-case a typed receipt and collapse spaces, dashes and punctuation between words."""
    return " ".join(re.findall(r"[a-z]+", phrase.lower()))


def suppress_small_groups(counts: Mapping[str, int], threshold: int) -> dict[str, int | None]:
    """Replace every count under `threshold` with None, plus complementary cells.

    The total across `counts` is assumed public, so a single hidden cell could be
    recovered by subtraction; the smallest visible cell is then hidden too, repeating
    until the hidden cells together hold at least `threshold` or nothing is left.
    Raises ValueError for a threshold below the minimum.
    """
    if threshold < MIN_SUPPRESSION_THRESHOLD:
        raise ValueError(f"threshold must be at least {MIN_SUPPRESSION_THRESHOLD}")
    hidden = {name for name, value in counts.items() if value < threshold}
    if hidden:
        visible = sorted((value, name) for name, value in counts.items() if name not in hidden)
        # One hidden cell is recoverable from the total; several hidden cells whose sum
        # is under k still tell a small group "fewer than k of you signed, together".
        while visible and (len(hidden) == 1 or sum(counts[name] for name in hidden) < threshold):
            hidden.add(visible.pop(0)[1])
    return {name: (None if name in hidden else value) for name, value in counts.items()}


def suppressed_cells(cells: Sequence[int | None]) -> int:
    """How many cells of a suppressed breakdown are hidden."""
    return sum(1 for cell in cells if cell is None)
