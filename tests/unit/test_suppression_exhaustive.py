"""A6/A3: no published table gives away a count under k, checked exactly over every small table.

The audit (tests/unit/suppression_audit.py) computes, for each hidden figure, whether a
reader can pin it and how high it can be, from all shown cells and totals together —
reasoning of any depth, not just one subtraction along a line. It is itself checked
against brute-force enumeration below, so a bug in the audit can't hide a leak.
"""

from __future__ import annotations

import hashlib
import itertools

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.unit.suppression_audit import _grid, counts_of, hidden_range, leaks
from voicebox.anonymity import suppress_table

K = 3
# (rows, columns, the counts every cell runs through): every table of each shape is tried.
# Counts under k (0, 1, 2), at k and above; the number of tables grows as values^(cells),
# so the larger shapes run through fewer values (about 5,800 tables in all).
SHAPES = [
    (1, 1, range(5)),
    (1, 2, range(5)),
    (2, 1, range(5)),
    (1, 3, range(5)),
    (3, 1, range(5)),
    (2, 2, range(5)),
    (2, 3, (0, 1, 3)),
    (3, 2, (0, 1, 3)),
    (3, 3, (0, 3)),
]


def _publish(truth: list[list[int]], k: int, public_column_totals: bool):
    rows = [f"g{r}" for r in range(len(truth))]
    columns = [f"w{c}" for c in range(len(truth[0]))]
    counts = counts_of(rows, columns, truth)
    return suppress_table(rows, columns, counts, k, public_column_totals=public_column_totals)


def _tables(n_rows: int, n_cols: int, values):
    for flat in itertools.product(values, repeat=n_rows * n_cols):
        yield [list(flat[r * n_cols : (r + 1) * n_cols]) for r in range(n_rows)]


@pytest.mark.slow
@pytest.mark.parametrize("public_column_totals", [False, True], ids=["private-totals", "public-totals"])
@pytest.mark.parametrize(("n_rows", "n_cols", "values"), SHAPES, ids=[f"{r}x{c}" for r, c, _ in SHAPES])
def test_every_small_table_hides_every_count_under_k(n_rows, n_cols, values, public_column_totals):
    for truth in _tables(n_rows, n_cols, values):
        table = _publish(truth, K, public_column_totals)
        for r in range(n_rows):
            for c in range(n_cols):
                shown = table.cells[r][c]
                assert shown is None or (shown == truth[r][c] >= K), (truth, table)
        problems = leaks(table, truth, public_column_totals)
        assert not problems, f"{truth} (public totals: {public_column_totals}): {problems}"


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(
    st.integers(1, 5).flatmap(
        lambda n_rows: st.integers(1, 3).flatmap(
            lambda n_cols: st.lists(
                st.lists(st.one_of(st.integers(0, 8), st.integers(0, 200)), min_size=n_cols, max_size=n_cols),
                min_size=n_rows,
                max_size=n_rows,
            )
        )
    ),
    st.integers(3, 7),
    st.booleans(),
)
@example([[5, 0], [60, 2], [97, 6], [6, 49], [112, 8]], 6, False)
@example([[5, 0], [60, 2], [97, 6], [6, 49], [112, 8]], 6, True)
@example([[4, 110], [58, 188], [2, 1], [8, 8]], 5, False)
@example([[4, 110], [58, 188], [2, 1], [8, 8]], 5, True)
@example([[0, 0, 0], [0, 0, 3], [0, 3, 3]], 3, False)
def test_larger_tables_leak_nothing_either(truth, k, public_column_totals):
    table = _publish(truth, k, public_column_totals)
    problems = leaks(table, truth, public_column_totals)
    assert not problems, f"{truth} k={k} (public totals: {public_column_totals}): {problems}"


def test_the_two_known_counterexamples_stay_hidden():
    first = _publish([[5, 0], [60, 2], [97, 6], [6, 49], [112, 8]], 6, False)
    assert first.cells[0] == (None, None) and first.row_totals[0] is None
    second = _publish([[4, 110], [58, 188], [2, 1], [8, 8]], 5, False)
    assert second.cells[2] == (None, None) and second.row_totals[2] is None


def test_a_block_pinned_by_combining_lines_is_protected():
    # Rows, columns and the grand total together pin the four zeros at the top left
    # unless something more is hidden; one subtraction per line never finds it.
    table = _publish([[0, 0, 0], [0, 0, 3], [0, 3, 3]], 3, False)
    assert not leaks(table, [[0, 0, 0], [0, 0, 3], [0, 3, 3]], False)


def _brute_force(truth, hidden, cap):
    """For every hidden position, the values it takes over all tables (cells ≤ cap) that show the same."""
    n_rows, n_cols = len(truth), len(truth[0])
    true_grid = _grid(truth)
    shown = [p for p in true_grid if p not in hidden]
    seen: dict = {p: set() for p in hidden}
    for candidate in _tables(n_rows, n_cols, range(cap + 1)):
        grid = _grid(candidate)
        if all(grid[p] == true_grid[p] for p in shown):
            for p in hidden:
                seen[p].add(grid[p])
    return seen


@pytest.mark.parametrize(
    ("truth", "cap"), [([[0, 2], [1, 3]], 6), ([[1, 0, 2], [0, 2, 1]], 3), ([[2, 2], [0, 1], [1, 0]], 3)]
)
def test_the_audit_agrees_with_brute_force(truth, cap):
    """The audit's verdicts match enumerating every table that shows the same figures."""
    positions = sorted(_grid(truth))
    seed = int(hashlib.sha256(repr(truth).encode()).hexdigest(), 16)
    patterns = {frozenset(p for i, p in enumerate(positions) if (seed >> (i + 3 * s)) & 1) for s in range(10)}
    for hidden in sorted(patterns, key=sorted):
        values = _brute_force(truth, hidden, cap)
        for target in sorted(hidden):
            verdict = hidden_range(truth, hidden, target, cap)
            assert verdict.pinned == (len(values[target]) == 1), (hidden, target, values[target])
            assert verdict.reaches == min(cap, max(values[target])), (hidden, target, values[target])
