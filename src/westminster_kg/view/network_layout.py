"""A readable, repeatable layout for the network explorer: the same picture on every load, and no
label on top of another.

A force layout alone (the browser's physics, or networkx's) gives a new tangle on every load and
piles labels on each other. Here networkx's spring layout, with a fixed seed, says roughly where
each node belongs (neighbours near neighbours); then every node is moved to the nearest free cell of
a grid whose cells hold one wrapped label each, most connected nodes first, so they keep the places
the spring layout gave them. Nothing in the result depends on the clock or on chance.
"""

from __future__ import annotations

import math
import textwrap
from typing import TYPE_CHECKING

import networkx as nx

if TYPE_CHECKING:
    from collections.abc import Iterable

LABEL_CHARS = 15  # characters per label line
LABEL_LINES = 3  # lines of a label at most (the rest is cut with "…")
CELL_WIDTH = 108.0  # canvas px: a 15-character line at 12 px, with room either side
CELL_HEIGHT = 74.0  # canvas px: the node's shape and three lines of label below it
ASPECT = 1.4  # width to height of the grid: about the shape of the picture's frame
ROOM = 1.15  # cells per node: some slack, so a node finds a free cell near its place


def wrap(label: str, width: int = LABEL_CHARS) -> str:
    """The label on at most ``LABEL_LINES`` lines of about ``width`` characters."""
    lines = textwrap.wrap(label, width=width, break_long_words=True) or [label]
    if len(lines) > LABEL_LINES:
        lines = lines[: LABEL_LINES - 1] + [
            textwrap.shorten(" ".join(lines[LABEL_LINES - 1 :]), width, placeholder="…")
        ]
    return "\n".join(lines)


def _grid(count: int) -> tuple[int, int]:
    """Columns and rows for ``count`` nodes: about ``ROOM`` cells each, the grid ``ASPECT`` wide."""
    cells = max(count * ROOM, 1.0)
    columns = max(1, math.ceil(math.sqrt(cells * ASPECT * CELL_HEIGHT / CELL_WIDTH)))
    rows = max(1, math.ceil(cells / columns))
    return columns, rows


def _rings(column: int, row: int, columns: int, rows: int) -> Iterable[tuple[int, int]]:
    """Cells around (column, row), nearest first (ring by ring; in each ring by distance, then position)."""
    for radius in range(max(columns, rows) + 1):
        ring = [
            (c, r)
            for c in range(column - radius, column + radius + 1)
            for r in range(row - radius, row + radius + 1)
            if max(abs(c - column), abs(r - row)) == radius and 0 <= c < columns and 0 <= r < rows
        ]
        yield from sorted(ring, key=lambda cell: ((cell[0] - column) ** 2 + (cell[1] - row) ** 2, cell))


def readable_layout(graph: nx.MultiDiGraph | nx.Graph, seed: int = 7) -> dict[str, tuple[float, float]]:
    """Positions in vis-network's pixel space, one node per grid cell, the same for the same graph.

    Args:
        graph: the nodes to place (edges pull neighbours together).
        seed: the spring layout's seed.

    Returns:
        Node → (x, y), the centre of its cell.
    """
    nodes = sorted(graph)
    if not nodes:
        return {}
    simple = nx.Graph()
    simple.add_nodes_from(nodes)
    simple.add_edges_from((u, v) for u, v in graph.edges() if u != v)
    spring = nx.spring_layout(simple, iterations=100, seed=seed)
    columns, rows = _grid(len(nodes))
    # By rank, not by distance: a small component the spring layout pushed far off would otherwise
    # stretch the grid and leave most of it empty.
    by_x = {n: i for i, n in enumerate(sorted(nodes, key=lambda n: (float(spring[n][0]), n)))}
    by_y = {n: i for i, n in enumerate(sorted(nodes, key=lambda n: (float(spring[n][1]), n)))}
    last = max(len(nodes) - 1, 1)
    taken: set[tuple[int, int]] = set()
    placed: dict[str, tuple[float, float]] = {}
    # The most connected first: hubs keep their places, leaves take the free cells around them.
    for node in sorted(nodes, key=lambda n: (-simple.degree(n), n)):
        column = round(by_x[node] / last * (columns - 1))
        row = round(by_y[node] / last * (rows - 1))
        cell = next(c for c in _rings(column, row, columns, rows) if c not in taken)
        taken.add(cell)
        placed[node] = ((cell[0] - (columns - 1) / 2) * CELL_WIDTH, (cell[1] - (rows - 1) / 2) * CELL_HEIGHT)
    return placed


__all__ = ["CELL_HEIGHT", "CELL_WIDTH", "readable_layout", "wrap"]
