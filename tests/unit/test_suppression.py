"""A6: no count under k is shown, and none can be recovered by subtraction from totals."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.suppression_audit import suppress_small_groups
from voicebox.anonymity import (
    SuppressedTable,
    effective_threshold,
    suppress_table,
)


def _derive(table: SuppressedTable) -> dict[tuple, int]:
    """What a reader learns by subtracting shown numbers along rows, columns and totals, repeatedly."""
    known: dict[tuple, int] = {}
    n_rows, n_cols = len(table.rows), len(table.columns)
    for r in range(n_rows):
        for c in range(n_cols):
            if table.cells[r][c] is not None:
                known[("cell", r, c)] = table.cells[r][c]
        if table.row_totals[r] is not None:
            known[("row", r)] = table.row_totals[r]
    for c in range(n_cols):
        if table.column_totals[c] is not None:
            known[("column", c)] = table.column_totals[c]
    if table.total is not None:
        known[("total",)] = table.total
    lines = [([("cell", r, c) for c in range(n_cols)], ("row", r)) for r in range(n_rows)]
    lines += [([("cell", r, c) for r in range(n_rows)], ("column", c)) for c in range(n_cols)]
    lines.append(([("row", r) for r in range(n_rows)], ("total",)))
    lines.append(([("column", c) for c in range(n_cols)], ("total",)))
    changed = True
    while changed:
        changed = False
        for parts, total in lines:
            unknown = [e for e in [*parts, total] if e not in known]
            if len(unknown) != 1:
                continue
            missing = unknown[0]
            if missing == total:
                known[total] = sum(known[e] for e in parts)
            else:
                known[missing] = known[total] - sum(known[e] for e in parts if e != missing)
            changed = True
    return known


tables = st.integers(min_value=1, max_value=5).flatmap(
    lambda n_rows: st.integers(min_value=1, max_value=5).flatmap(
        lambda n_cols: st.tuples(
            st.just(n_rows),
            st.just(n_cols),
            st.lists(
                st.one_of(st.integers(0, 8), st.integers(0, 200)),
                min_size=n_rows * n_cols,
                max_size=n_rows * n_cols,
            ),
            st.integers(min_value=3, max_value=10),
            st.booleans(),
        )
    )
)


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(tables)
def test_no_cell_under_k_is_shown_or_derivable(example):
    n_rows, n_cols, values, k, public_columns = example
    rows = [f"g{r}" for r in range(n_rows)]
    columns = [f"w{c}" for c in range(n_cols)]
    counts = {(rows[r], columns[c]): values[r * n_cols + c] for r in range(n_rows) for c in range(n_cols)}
    table = suppress_table(rows, columns, counts, k, public_column_totals=public_columns)

    true_row = [sum(values[r * n_cols : (r + 1) * n_cols]) for r in range(n_rows)]
    hidden_truth: dict[tuple, int] = {}
    for r in range(n_rows):
        for c in range(n_cols):
            shown = table.cells[r][c]
            true = values[r * n_cols + c]
            if shown is None:
                hidden_truth[("cell", r, c)] = true
            else:
                assert shown == true
                assert shown >= k, "a cell under k is shown"
        if table.row_totals[r] is None:
            hidden_truth[("row", r)] = true_row[r]
        else:
            assert table.row_totals[r] == true_row[r] >= k
    if not public_columns:
        for shown in table.column_totals:
            assert shown is None or shown >= k
        assert table.total is None or table.total >= k

    derived = _derive(table)
    for entry in hidden_truth:
        if entry not in derived:
            continue
        # The only way a hidden entry may be "derived" is when it equals a public total
        # outright (a one-row table whose column total was public anyway).
        assert public_columns and n_rows == 1, f"{entry} recovered by subtraction"


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(st.text(min_size=1, max_size=4), st.integers(0, 60), min_size=2, max_size=8),
    st.integers(3, 9),
)
def test_one_dimensional_breakdown_hides_small_groups_from_the_public_total(counts, k):
    shown = suppress_small_groups(counts, k)
    hidden = [name for name, value in shown.items() if value is None]
    for name, value in shown.items():
        assert value is None or (value == counts[name] and value >= k)
    assert len(hidden) != 1, "a lone hidden group is the total minus the rest"
    if hidden and len(hidden) < len(counts):
        assert sum(counts[name] for name in hidden) >= k


def test_examples_read_the_way_a_reader_would_expect():
    assert suppress_small_groups({"Sales": 2, "Ops": 10, "IT": 7}, 5) == {
        "Sales": None,
        "Ops": 10,
        "IT": None,
    }
    assert suppress_small_groups({"Sales": 20, "Ops": 10}, 5) == {"Sales": 20, "Ops": 10}


def test_threshold_is_never_below_three():
    with pytest.raises(ValueError):
        suppress_table(["a"], ["b"], {("a", "b"): 1}, 2)
    assert effective_threshold(None) == 5
    assert effective_threshold(1) == 3
    assert effective_threshold(8) == 8


def test_column_totals_are_private_unless_said_otherwise():
    counts = {("Sales", "Heating"): 2, ("Ops", "Heating"): 1}
    assert suppress_table(["Sales", "Ops"], ["Heating"], counts, 5).column_totals == (None,)
    public = suppress_table(["Sales", "Ops"], ["Heating"], counts, 5, public_column_totals=True)
    assert public.column_totals == (3,)


def test_a_missing_count_is_zero():
    missing = suppress_table(["Sales", "Ops"], ["Heating"], {("Sales", "Heating"): 40}, 5)
    zero = suppress_table(["Sales", "Ops"], ["Heating"], {("Sales", "Heating"): 40, ("Ops", "Heating"): 0}, 5)
    assert missing == zero
    assert missing.total == 40


def test_bad_input_is_refused_in_plain_words():
    with pytest.raises(ValueError, match=r"^threshold must be at least 3$"):
        suppress_table(["Sales"], ["Heating"], {("Sales", "Heating"): 4}, 2)
    with pytest.raises(ValueError, match=r"^counts can't be negative$"):
        suppress_table(["Sales"], ["Heating"], {("Sales", "Heating"): -1}, 5)
