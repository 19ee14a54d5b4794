"""Suppression's exact output on a fixed corpus of small tables, pinned.

The safety tests prove that nothing under k can be worked out; they accept any safe choice of
what to hide. This pins *which* figures are hidden, so a change to the rules that keeps tables
safe but hides more (or different) figures is a visible, reviewed change: regenerate with
`python -m tests.unit.test_suppression_outputs` and read the diff of the JSON beside it.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from voicebox.anonymity import suppress_table

PINNED = Path(__file__).with_name("suppression_outputs.json")
SHAPES = [(1, 2), (1, 3), (2, 1), (3, 1), (2, 2), (2, 3), (3, 2), (3, 3)]
# Counts around the thresholds, where suppression has choices to make.
VALUES = [0, 0, 1, 2, 3, 4, 5, 6, 7, 9, 12, 30]


def _corpus() -> list[dict[str, Any]]:
    draw = random.Random(2026)  # a fixed corpus, not a secret
    cases = []
    for _ in range(360):
        n_rows, n_cols = draw.choice(SHAPES)
        cells = [[draw.choice(VALUES) for _ in range(n_cols)] for _ in range(n_rows)]
        cases.append({"cells": cells, "k": draw.choice([3, 5]), "public": draw.random() < 0.5})
    return cases


def _output(case: dict[str, Any]) -> dict[str, Any]:
    rows = [f"r{r}" for r in range(len(case["cells"]))]
    columns = [f"c{c}" for c in range(len(case["cells"][0]))]
    counts = {
        (row, column): case["cells"][r][c] for r, row in enumerate(rows) for c, column in enumerate(columns)
    }
    table = suppress_table(rows, columns, counts, case["k"], public_column_totals=case["public"])
    return {
        "cells": [list(row) for row in table.cells],
        "row_totals": list(table.row_totals),
        "column_totals": list(table.column_totals),
        "total": table.total,
    }


def test_suppression_hides_exactly_what_it_hid_when_last_reviewed():
    pinned = json.loads(PINNED.read_text())
    corpus = _corpus()
    assert len(pinned) == len(corpus)
    for case, expected in zip(corpus, pinned, strict=True):
        assert _output(case) == expected["shown"], f"suppression changed for {case}"


if __name__ == "__main__":
    # One case a line, so a reviewed change reads as a line diff.
    lines = [json.dumps({**case, "shown": _output(case)}) for case in _corpus()]
    PINNED.write_text("[\n" + ",\n".join(lines) + "\n]\n")
    print(f"wrote {PINNED}")
