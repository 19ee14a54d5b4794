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
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache

from xkcdpass import xkcd_password

from voicebox.disclosure import Grid, Position, Reach

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


@dataclass(frozen=True)
class SuppressedTable:
    """A rows × columns table of counts after suppression: None means "fewer than k"."""

    rows: tuple[str, ...]
    columns: tuple[str, ...]
    cells: tuple[tuple[int | None, ...], ...]
    row_totals: tuple[int | None, ...]
    column_totals: tuple[int | None, ...]
    total: int | None
    threshold: int

    @property
    def hidden(self) -> int:
        """How many cells and totals are hidden."""
        values = [c for row in self.cells for c in row]
        values += [*self.row_totals, *self.column_totals, self.total]
        return sum(1 for value in values if value is None)


# ("cell", row, column), ("row", row, 0), ("column", 0, column) or ("total", 0, 0)
Entry = tuple[str, int, int]


def _lines(n_rows: int, n_cols: int) -> list[tuple[list[Entry], Entry]]:
    """Every additive relation a reader can use: (the parts, the total they sum to)."""
    lines: list[tuple[list[Entry], Entry]] = []
    for r in range(n_rows):
        lines.append(([("cell", r, c) for c in range(n_cols)], ("row", r, 0)))
    for c in range(n_cols):
        lines.append(([("cell", r, c) for r in range(n_rows)], ("column", 0, c)))
    lines.append(([("row", r, 0) for r in range(n_rows)], ("total", 0, 0)))
    lines.append(([("column", 0, c) for c in range(n_cols)], ("total", 0, 0)))
    return lines


def suppress_table(
    rows: Sequence[str],
    columns: Sequence[str],
    counts: Mapping[tuple[str, str], int],
    threshold: int,
    *,
    public_column_totals: bool = False,
) -> SuppressedTable:
    """Suppress a breakdown (group, category × group, group × week) for every page, export and API.

    Primary suppression hides every cell and total under `threshold`. Complementary
    suppression then makes sure no additive line (a row, a column, the row totals or
    the column totals against the grand total) has exactly one hidden entry, and that
    the hidden parts of a line with a shown total add up to at least `threshold` — so
    nothing hidden can be recovered by subtraction, not even step by step.
    `public_column_totals` marks column totals (and the grand total) as already public
    elsewhere (a daily chart, a petition's headline count): they stay shown and the
    cells protect themselves against them. Missing cells count as 0.
    Raises ValueError for a threshold below the minimum or a count below zero.
    """
    if threshold < MIN_SUPPRESSION_THRESHOLD:
        raise ValueError(f"threshold must be at least {MIN_SUPPRESSION_THRESHOLD}")
    n_rows, n_cols = len(rows), len(columns)
    value: dict[Entry, int] = {}
    for r, row in enumerate(rows):
        for c, column in enumerate(columns):
            count = int(counts.get((row, column), 0))
            if count < 0:
                raise ValueError("counts can't be negative")
            value[("cell", r, c)] = count
    for r in range(n_rows):
        value[("row", r, 0)] = sum(value[("cell", r, c)] for c in range(n_cols))
    for c in range(n_cols):
        value[("column", 0, c)] = sum(value[("cell", r, c)] for r in range(n_rows))
    value[("total", 0, 0)] = sum(value[("row", r, 0)] for r in range(n_rows))
    public = {e for e in value if public_column_totals and e[0] in {"column", "total"}}
    hidden = {e for e, v in value.items() if v < threshold and e not in public}

    def hide_one_more(parts: list[Entry], total: Entry) -> bool:
        # The smallest visible part costs readers least; the total goes only as a last resort.
        candidates = sorted((value[e], e) for e in parts if e not in hidden and e not in public)
        if candidates:
            hidden.add(candidates[0][1])
            return True
        if total not in hidden and total not in public:
            hidden.add(total)
            return True
        return False

    def apply_line_rules() -> None:
        changed = True
        while changed:
            changed = False
            for parts, total in _lines(n_rows, n_cols):
                hidden_parts = [e for e in parts if e in hidden]
                unknowns = len(hidden_parts) + (total in hidden)
                too_small = (
                    total not in hidden
                    and bool(hidden_parts)
                    and (sum(value[e] for e in hidden_parts) < threshold)
                )
                if (unknowns == 1 or too_small) and hide_one_more(parts, total):
                    changed = True

    apply_line_rules()
    # Each extra figure the exact check hides must obey the line rules in turn.
    while _protect_against_linear_reasoning(value, hidden, public, n_rows, n_cols, threshold):
        apply_line_rules()

    def shown(entry: Entry) -> int | None:
        return None if entry in hidden else value[entry]

    return SuppressedTable(
        rows=tuple(rows),
        columns=tuple(columns),
        cells=tuple(tuple(shown(("cell", r, c)) for c in range(n_cols)) for r in range(n_rows)),
        row_totals=tuple(shown(("row", r, 0)) for r in range(n_rows)),
        column_totals=tuple(shown(("column", 0, c)) for c in range(n_cols)),
        total=shown(("total", 0, 0)),
        threshold=threshold,
    )


def _position(entry: Entry, n_rows: int, n_cols: int) -> Position:
    kind, r, c = entry
    return (
        r if kind in {"cell", "row"} else n_rows,
        c if kind in {"cell", "column"} else n_cols,
    )


def _protect_against_linear_reasoning(
    value: Mapping[Entry, int],
    hidden: set[Entry],
    public: set[Entry],
    n_rows: int,
    n_cols: int,
    threshold: int,
) -> bool:
    """Hide one more figure if a hidden count under k is pinned, or known to be under k, by any reasoning.

    The line rules above stop subtraction along one line at a time; combining lines can
    still pin a block of cells (a 3 × 3 table can give four zeros away). This exact check
    (voicebox.disclosure) compares what the published table tells a reader with what the
    public totals alone tell them, and hides the smallest shown neighbour of anything that
    tells more; returns whether it hid anything. Hiding everything not public always ends it.
    """
    by_position = {_position(e, n_rows, n_cols): e for e in value}
    grid = Grid({p: value[e] for p, e in by_position.items()}, n_rows, n_cols)
    not_public = {p for p, e in by_position.items() if e not in public}
    sensitive = [p for p in sorted(not_public) if value[by_position[p]] < threshold]
    baseline = {p: _public_reach(p, value, n_rows, n_cols, threshold, bool(public)) for p in sensitive}
    hidden_positions = {_position(e, n_rows, n_cols) for e in hidden}
    exposed = next(
        (
            p
            for p in sensitive
            if p in hidden_positions and _tells_more(grid.reach(hidden_positions, p, threshold), baseline[p])
        ),
        None,
    )
    if exposed is None:
        return False
    shown = sorted(not_public - hidden_positions)
    # A cell beside it first: hiding a total whose parts all show would protect nothing.
    cells = [p for p in shown if p[0] < n_rows and p[1] < n_cols]
    near = [p for p in cells if p[0] == exposed[0] or p[1] == exposed[1]] or cells or shown
    hidden.add(by_position[min(near, key=lambda p: (value[by_position[p]], p))])
    return True


def _public_reach(
    position: Position, value: Mapping[Entry, int], n_rows: int, n_cols: int, goal: int, public: bool
) -> Reach:
    """What the public totals alone say about a count: nothing, or its column's (or all) total."""
    if not public:
        return Reach(pinned=False, reaches=goal)
    c = position[1]
    bound = value[("column", 0, c)] if c < n_cols else value[("total", 0, 0)]
    return Reach(pinned=n_rows == 1 or bound == 0, reaches=min(goal, bound))


def _tells_more(shown: Reach, baseline: Reach) -> bool:
    return (shown.pinned and not baseline.pinned) or shown.reaches < baseline.reaches


def _apart(a: int, b: int, threshold: int) -> bool:
    """Whether two figures of the same people differ by 0 or by at least k (safe to show both)."""
    return a == b or abs(a - b) >= threshold


def cumulative_releases(series: Mapping[str, Sequence[int]], threshold: int) -> list[dict[str, int | None]]:
    """Group breakdowns released once per complete period (week), each as cumulative totals.

    `series[group][w]` is the group's cumulative count at the end of period w; the total
    of each period is public (the daily chart). Release w shows a group's figure only if
    it is at least k, it differs from every figure of that group shown in an earlier
    release by 0 or by at least k, and the hidden remainder (public total minus what is
    shown) obeys the same rules: never one hidden group alone, at least k in all, and 0 or
    at least k apart from the remainder of an earlier release that hid the same groups.
    So no difference of two released figures is a count under k. Release w depends only
    on periods up to w: recomputing it later gives what was published then.
    Raises ValueError for a threshold below the minimum or series of unequal length.
    """
    if threshold < MIN_SUPPRESSION_THRESHOLD:
        raise ValueError(f"threshold must be at least {MIN_SUPPRESSION_THRESHOLD}")
    lengths = {len(values) for values in series.values()}
    if len(lengths) > 1:
        raise ValueError("every group needs a figure for every period")
    groups = sorted(series)
    shown_before: dict[str, list[int]] = {g: [] for g in groups}
    remainders: dict[frozenset[str], list[int]] = {}
    releases: list[dict[str, int | None]] = []
    for w in range(lengths.pop() if lengths else 0):
        value = {g: series[g][w] for g in groups}
        hidden = {
            g
            for g in groups
            if value[g] < threshold or not all(_apart(value[g], p, threshold) for p in shown_before[g])
        }
        while True:
            key = frozenset(hidden)
            remainder = sum(value[g] for g in hidden)
            safe = (
                len(hidden) == len(groups)
                or not hidden
                or (
                    len(hidden) > 1
                    and remainder >= threshold
                    and all(_apart(remainder, p, threshold) for p in remainders.get(key, ()))
                )
            )
            if safe:
                break
            hidden.add(min((g for g in groups if g not in hidden), key=lambda g: (value[g], g)))
        for g in groups:
            if g not in hidden:
                shown_before[g].append(value[g])
        # Recorded for every hidden set; only those neither empty nor complete are ever compared.
        remainders.setdefault(frozenset(hidden), []).append(sum(value[g] for g in hidden))
        releases.append({g: None if g in hidden else value[g] for g in groups})
    return releases


def effective_threshold(configured: int | None) -> int:
    """The k in force: the admin's setting (5 when unset), never below the minimum."""
    return max(MIN_SUPPRESSION_THRESHOLD, configured or 5)
