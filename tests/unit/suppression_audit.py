"""An attacker's exact audit of a published table: what every hidden figure can still be.

A reader knows each shown cell and total, that rows and columns add up to their totals,
and that counts are whole numbers ≥ 0. Write the table with its margins as an
(R+1) × (C+1) grid, totals negated and the grand total in the corner: then every grid
row and column sums to zero, and the tables consistent with what is shown are exactly the
true table plus whole-number combinations of alternating ±1 cycles over hidden positions.

By the conformal decomposition of circulations, (a) a hidden entry can take another value
iff one such cycle through it can be applied once without making any count negative, and
(b) repeatedly applying cycles that raise it reaches its largest value. So this audit is
exact, needs no LP solver, and every "safe" verdict comes with tables that prove it.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from voicebox.anonymity import SuppressedTable, suppress_table

Position = tuple[int, int]
Move = tuple[tuple[Position, int], ...]  # (position, change of the count there)


@cache
def _moves(n_rows: int, n_cols: int) -> tuple[Move, ...]:
    """Every simple cycle of the (n_rows+1) × (n_cols+1) grid, both directions, as count changes."""
    grid_rows, grid_cols = range(n_rows + 1), range(n_cols + 1)

    def sign(position: Position) -> int:
        r, c = position
        return -1 if (r == n_rows) != (c == n_cols) else 1

    seen: set[frozenset] = set()
    moves: list[Move] = []
    for m in range(2, min(n_rows, n_cols) + 2):
        for rows in itertools.permutations(grid_rows, m):
            for cols in itertools.permutations(grid_cols, m):
                grid_change: dict[Position, int] = {}
                for i in range(m):
                    grid_change[(rows[i], cols[i])] = 1
                    grid_change[(rows[i], cols[(i + 1) % m])] = -1
                for direction in (1, -1):
                    key = frozenset((p, direction * d) for p, d in grid_change.items())
                    if key in seen:
                        continue
                    seen.add(key)
                    moves.append(tuple((p, direction * d * sign(p)) for p, d in grid_change.items()))
    return tuple(moves)


def _grid(truth: list[list[int]]) -> dict[Position, int]:
    n_rows, n_cols = len(truth), len(truth[0])
    values = {(r, c): truth[r][c] for r in range(n_rows) for c in range(n_cols)}
    for r in range(n_rows):
        values[(r, n_cols)] = sum(truth[r])
    for c in range(n_cols):
        values[(n_rows, c)] = sum(row[c] for row in truth)
    values[(n_rows, n_cols)] = sum(map(sum, truth))
    return values


def _hidden(table: SuppressedTable) -> set[Position]:
    n_rows, n_cols = len(table.rows), len(table.columns)
    hidden = {(r, c) for r in range(n_rows) for c in range(n_cols) if table.cells[r][c] is None}
    hidden |= {(r, n_cols) for r in range(n_rows) if table.row_totals[r] is None}
    hidden |= {(n_rows, c) for c in range(n_cols) if table.column_totals[c] is None}
    if table.total is None:
        hidden.add((n_rows, n_cols))
    return hidden


@dataclass(frozen=True)
class Range:
    """What a reader can say about one hidden figure: whether it is pinned, and its largest value."""

    pinned: bool
    reaches: int  # the largest value found, capped at the goal asked for


def _feasible(values: dict[Position, int], move: Move) -> bool:
    return all(values[p] + d >= 0 for p, d in move)


@cache
def _through(n_rows: int, n_cols: int, hidden: frozenset[Position], target: Position) -> tuple[Move, ...]:
    """The cycles over hidden positions that pass through `target`."""
    return tuple(
        m for m in _moves(n_rows, n_cols) if all(p in hidden for p, _ in m) and any(p == target for p, _ in m)
    )


def hidden_range(truth: list[list[int]], hidden: frozenset[Position], target: Position, goal: int) -> Range:
    """Whether `target` is pinned by what is shown, and how high (up to `goal`) it can be pushed."""
    through = _through(len(truth), len(truth[0]), hidden, target)
    values = _grid(truth)
    pinned = not any(_feasible(values, m) for m in through)
    climbing = True
    while values[target] < goal and climbing:
        climbing = False
        for move in through:
            if dict(move)[target] > 0 and _feasible(values, move):
                for p, d in move:
                    values[p] += d
                climbing = True
                break
    return Range(pinned=pinned, reaches=min(values[target], goal))


def leaks(table: SuppressedTable, truth: list[list[int]], public_column_totals: bool) -> list[str]:
    """Every hidden count under k that a reader learns more about than the public totals tell.

    Under k means the reader must not pin it to one value and must not be able to tell it
    is under k. The only exception is what public column totals (a daily chart, a headline
    count) already say on their own: a week of 0 signatures says every group's count that
    week is 0, whatever the breakdown hides.
    """
    k = table.threshold
    n_rows = len(truth)
    hidden = frozenset(_hidden(table))
    values = _grid(truth)
    public_only = frozenset(p for p in values if not (public_column_totals and p[0] == n_rows))
    problems = []
    for target in sorted(hidden):
        if values[target] >= k:
            continue
        shown = hidden_range(truth, hidden, target, k)
        baseline = hidden_range(truth, public_only, target, k)
        if shown.pinned and not baseline.pinned:
            problems.append(f"{target} = {values[target]} is recovered exactly")
        elif shown.reaches < baseline.reaches:
            problems.append(f"{target} = {values[target]} is known to be at most {shown.reaches} < k")
    return problems


def counts_of(rows: list[str], columns: list[str], truth: list[list[int]]) -> dict[tuple[str, str], int]:
    """`truth` as the mapping suppress_table takes."""
    return {(row, column): truth[r][c] for r, row in enumerate(rows) for c, column in enumerate(columns)}


def suppress_small_groups(counts: Mapping[str, int], threshold: int) -> dict[str, int | None]:
    """One breakdown whose total is public, through `suppress_table` (its single-column case).

    The app always suppresses whole tables; this is the one-column view the tests read.
    """
    names = list(counts)
    table = suppress_table(
        names, ["count"], {(n, "count"): counts[n] for n in names}, threshold, public_column_totals=True
    )
    return {name: table.cells[i][0] for i, name in enumerate(names)}
