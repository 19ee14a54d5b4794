"""Frozen outputs: any change to what suppression publishes must be made on purpose.

The audits elsewhere prove the outputs safe; these digests pin them exactly, so a change
that stays safe but publishes different figures (fewer, or other ones) is noticed and
reviewed rather than slipping through. Recompute the digests only for an intended change.
"""

from __future__ import annotations

import hashlib
import itertools
import random

from tests.unit.suppression_audit import suppress_small_groups
from voicebox.anonymity import cumulative_releases, suppress_table


def _digest(outputs: list[object]) -> str:
    return hashlib.sha256(repr(outputs).encode()).hexdigest()


def _tables():
    for n_rows, n_cols, values in ((2, 2, range(4)), (2, 3, (0, 1, 4)), (3, 2, (0, 2, 5))):
        for flat in itertools.product(values, repeat=n_rows * n_cols):
            yield [list(flat[r * n_cols : (r + 1) * n_cols]) for r in range(n_rows)]
    generator = random.Random(20261202)
    for _ in range(60):
        n_rows, n_cols = generator.randint(1, 5), generator.randint(1, 4)
        yield [[generator.choice((0, 1, 2, 3, 5, 8, 13, 40)) for _ in range(n_cols)] for _ in range(n_rows)]


def _published(truth, k, public):
    rows = [f"g{r}" for r in range(len(truth))]
    columns = [f"w{c}" for c in range(len(truth[0]))]
    counts = {(rows[r], columns[c]): truth[r][c] for r in range(len(rows)) for c in range(len(columns))}
    table = suppress_table(rows, columns, counts, k, public_column_totals=public)
    return (table.cells, table.row_totals, table.column_totals, table.total, table.hidden)


def test_suppress_table_outputs_are_frozen():
    outputs = [_published(t, k, p) for t in _tables() for k, p in ((3, False), (3, True), (4, False))]
    assert _digest(outputs) == GOLDEN_TABLES


def test_one_dimensional_outputs_are_frozen():
    generator = random.Random(7)
    outputs = []
    for _ in range(300):
        counts = {
            f"g{i}": generator.choice((0, 1, 2, 3, 4, 5, 6, 9, 20)) for i in range(generator.randint(1, 6))
        }
        outputs.append(suppress_small_groups(counts, generator.randint(3, 6)))
    assert _digest(outputs) == GOLDEN_GROUPS


def test_release_outputs_are_frozen():
    generator = random.Random(11)
    outputs = []
    for _ in range(300):
        n_groups, n_weeks = generator.randint(1, 4), generator.randint(1, 6)
        series = {
            f"g{i}": list(
                itertools.accumulate(generator.choice((0, 0, 1, 2, 4, 6, 9)) for _ in range(n_weeks))
            )
            for i in range(n_groups)
        }
        outputs.append(cumulative_releases(series, generator.randint(3, 6)))
    assert _digest(outputs) == GOLDEN_RELEASES


GOLDEN_TABLES = "1fe680ab567ae957b5a3be7160580844d476989e821bddd9a49747683163c75e"
GOLDEN_GROUPS = "8b7dab3194e5b26bdcfd76cdd940ac4de8376ca5daa7ab124157e668e76174e6"
GOLDEN_RELEASES = "35c45c7df8f5beb810af70cba93bc3fea470d79cad7868599b606b76fa0c1d39"
