"""The exact reader: what hidden figures of a published table can be worked out.

A 2 × 2 table with its totals is a 3 × 3 grid; these tests use

        c0   c1  | row
    r0   4    7  |  11
    r1   2    9  |  11
    ---------------------
    col  6   16  |  22
"""

from __future__ import annotations

from voicebox.disclosure import Grid, Reach

CELLS = {(0, 0): 4, (0, 1): 7, (1, 0): 2, (1, 1): 9}
TOTALS = {(0, 2): 11, (1, 2): 11, (2, 0): 6, (2, 1): 16, (2, 2): 22}


def _grid() -> Grid:
    return Grid({**CELLS, **TOTALS}, n_rows=2, n_cols=2)


def test_cells_and_the_grand_total_count_up_and_line_totals_count_down():
    grid = _grid()
    assert [grid.sign(p) for p in CELLS] == [1, 1, 1, 1]
    assert grid.sign((2, 2)) == 1
    assert [grid.sign(p) for p in [(0, 2), (1, 2), (2, 0), (2, 1)]] == [-1, -1, -1, -1]


def test_a_lone_hidden_cell_is_pinned_by_its_row_total():
    assert _grid().reach({(0, 0)}, (0, 0), goal=5) == Reach(pinned=True, reaches=4)


def test_four_hidden_cells_can_trade_along_a_cycle_up_to_the_smallest_bound():
    hidden = set(CELLS)
    # r1 c0 has 2 to give: r0 c0 can rise from 4 to 6, and no further (its column total is 6).
    assert _grid().reach(hidden, (0, 0), goal=100) == Reach(pinned=False, reaches=6)
    # Capped at the goal asked for.
    assert _grid().reach(hidden, (0, 0), goal=5) == Reach(pinned=False, reaches=5)
    # r1 c0 can fall to 0 and rise to 6 (taking all of column c0).
    assert _grid().reach(hidden, (1, 0), goal=100) == Reach(pinned=False, reaches=6)


def test_a_hidden_cell_with_its_row_total_hidden_too_moves_with_the_total():
    hidden = {(0, 0), (0, 2), (1, 0), (1, 2)}
    # Column c0 (6) is shown, so r0 c0 can take r1 c0's 2: up to 6.
    assert _grid().reach(hidden, (0, 0), goal=100) == Reach(pinned=False, reaches=6)


def test_a_zero_blocks_the_cycle_that_would_lower_it():
    grid = Grid(
        {
            (0, 0): 4,
            (0, 1): 0,
            (1, 0): 0,
            (1, 1): 9,
            **{**TOTALS, (0, 2): 4, (1, 2): 9, (2, 0): 4, (2, 1): 9, (2, 2): 13},
        },
        n_rows=2,
        n_cols=2,
    )
    # Raising r0 c0 needs r0 c1 and r1 c0 to fall below 0: it can't rise, only fall.
    reach = grid.reach({(0, 0), (0, 1), (1, 0), (1, 1)}, (0, 0), goal=100)
    assert reach == Reach(pinned=False, reaches=4)
