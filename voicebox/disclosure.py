"""What a reader can work out about the hidden figures of a published table (pure, exact).

A table with its totals is an (R+1) × (C+1) grid: cells, row totals in the last column,
column totals in the last row, the grand total in the corner. Negate the row and column
totals and every grid row and column sums to zero. The tables a reader can't tell apart
from the true one are then the true one plus whole-number circulations over the hidden
positions, with every count staying ≥ 0. By the conformal decomposition of circulations a
hidden count can change iff one simple cycle through it can be applied once, and its
largest value is reached by applying raising cycles one at a time — so a breadth-first
search for such a cycle answers "pinned?" and "how high can it be?" exactly, linear
reasoning of any depth included, in time linear in the table.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

Position = tuple[int, int]  # (grid row, grid column)
Node = tuple[str, int]  # ("r", grid row) or ("c", grid column)


@dataclass(frozen=True)
class Reach:
    """What a reader can say about one hidden count."""

    pinned: bool  # exactly one value is consistent with what is shown
    reaches: int  # its largest consistent value, capped at the goal asked for


class Grid:
    """The counts of one table as a grid, and which positions a reader can't see."""

    def __init__(self, values: Mapping[Position, int], n_rows: int, n_cols: int) -> None:
        self.values = dict(values)
        self.n_rows, self.n_cols = n_rows, n_cols

    def sign(self, position: Position) -> int:
        """+1 for cells and the grand total, -1 for row and column totals."""
        r, c = position
        return -1 if (r == self.n_rows) != (c == self.n_cols) else 1

    def _edges(
        self, values: Mapping[Position, int], hidden: Iterable[Position]
    ) -> dict[Node, list[tuple[Node, Position, int]]]:
        """The moves open at each grid row/column: lowering or raising a hidden grid entry."""
        edges: dict[Node, list[tuple[Node, Position, int]]] = {}
        for position in hidden:
            r, c = position
            sign, value = self.sign(position), values[position]
            # Lowering the grid entry moves its count by -sign; raising it by +sign.
            if sign < 0 or value >= 1:
                edges.setdefault(("r", r), []).append((("c", c), position, -1))
            if sign > 0 or value >= 1:
                edges.setdefault(("c", c), []).append((("r", r), position, 1))
        return edges

    def _cycle(
        self,
        values: Mapping[Position, int],
        edges: Mapping[Node, list[tuple[Node, Position, int]]],
        target: Position,
        step: int,
    ) -> list[tuple[Position, int]] | None:
        """A cycle over hidden positions that moves `target` by `step` (±1) and keeps counts ≥ 0."""
        if values[target] + step < 0:
            return None
        r0, c0 = target
        change = self.sign(target) * step
        start, goal = (("r", r0), ("c", c0)) if change > 0 else (("c", c0), ("r", r0))
        came_from: dict[Node, tuple[Node, Position, int] | None] = {start: None}
        queue = deque([start])
        while queue and goal not in came_from:
            node = queue.popleft()
            for following, position, grid_change in edges.get(node, ()):
                if following not in came_from and position != target:
                    came_from[following] = (node, position, grid_change)
                    queue.append(following)
        if goal not in came_from:
            return None
        moves = [(target, step)]
        node = goal
        while (link := came_from[node]) is not None:
            node, position, grid_change = link
            moves.append((position, grid_change * self.sign(position)))
        return moves

    def reach(self, hidden: set[Position], target: Position, goal: int) -> Reach:
        """Whether `target` is pinned given the `hidden` positions, and how high (≤ goal) it can go."""
        edges = self._edges(self.values, hidden)
        pinned = all(self._cycle(self.values, edges, target, step) is None for step in (1, -1))
        values = dict(self.values)
        while values[target] < goal:
            cycle = self._cycle(values, edges, target, 1)
            if cycle is None:
                break
            # Push the whole cycle as far as its scarcest count allows, not one at a time.
            room = min((values[p] for p, change in cycle if change < 0), default=goal)
            amount = max(1, min(room, goal - values[target]))
            for position, change in cycle:
                values[position] += change * amount
            edges = self._edges(values, hidden)
        return Reach(pinned=pinned, reaches=min(values[target], goal))
