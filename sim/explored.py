"""What the units have seen: the explored ground of a world, as a boolean grid over the map.

Gradient descent only knows the slope where it stands, so the map starts unknown and each unit
reveals the ground around every point it visits: where it spawns, where each step takes it, where
a drop lands it. The rule is the view's fog's (game/view/fog.py), on a grid of its own:

- the map is cut into square cells, CELLS on its long side; rows run from the top of the map
  (y max) down and columns from its left (x min), as in the fog;
- a cell is *visited* once a unit has stood in it;
- a cell is *explored* once its centre lies within ``reveal_radius`` = REVEAL_FRACTION x the map's
  long side [world] of the centre of a visited cell.

So what is explored depends only on where units have been: the same run explores the same cells,
and a drop's legality (it must land on explored ground) is as deterministic as the run itself.

The record is cheap enough to keep every step for every unit: one look-up of each unit's cell in
the visited grid, and a disc stamped only for the cells visited for the first time. The grid
covers the map plus ``margin`` on every side (a unit may stand there before it counts as diverged)
plus the disc's reach, so every stamp fits; points beyond it are clamped onto its outermost cells,
too far from the map to reveal any of it.
"""
from __future__ import annotations

import math

import numpy as np

REVEAL_FRACTION = 0.04     # reveal radius [fraction of the map's long side], as the view's fog
CELLS = 128                # cells on the map's long side
CHUNK = 16384              # points looked up at a time: long enough to pay each call's overhead, short
                           # enough to stay in cache (measured fastest on the development machine)


class Explored:
    """The explored cells of one map. ``grid`` (rows, cols) is True where explored."""

    def __init__(self, bounds, cells: int = CELLS, margin: float = 0.0, reveal_radius: float | None = None):
        (x0, x1), (y0, y1) = bounds
        size = max(x1 - x0, y1 - y0)
        self.bounds = bounds
        self.cell = size / int(cells)                                   # [world per cell]
        self.reveal_radius = REVEAL_FRACTION * size if reveal_radius is None else float(reveal_radius)
        self.shape = (max(1, math.ceil((y1 - y0) / self.cell - 1e-9)),
                      max(1, math.ceil((x1 - x0) / self.cell - 1e-9)))  # the map's (rows, cols)
        reach = math.ceil(self.reveal_radius / self.cell)               # the disc's reach [cells]
        self._pad = p = math.ceil(margin / self.cell) + reach + 1       # cells around the map
        self._visited = np.zeros((self.shape[0] + 2 * p, self.shape[1] + 2 * p), bool)
        self._seen = np.zeros_like(self._visited)
        self._left = x0 - p * self.cell                                 # x of column 0's left edge
        self._top = y1 + p * self.cell                                  # y of row 0's top edge
        d = np.arange(-reach, reach + 1)
        dr, dc = (a.ravel() for a in np.meshgrid(d, d, indexing="ij"))
        inside = (dr * dr + dc * dc) * self.cell ** 2 <= self.reveal_radius ** 2
        self._disc = dr[inside], dc[inside]                             # the cells one visit reveals
        self.version = 0                                                # bumped whenever it grows

    @property
    def grid(self) -> np.ndarray:
        """(rows, cols) booleans, True where explored: a read-only view of the map's cells."""
        p, (rows, cols) = self._pad, self.shape
        view = self._seen[p:p + rows, p:p + cols]
        view.flags.writeable = False
        return view

    def _flat(self, xy: np.ndarray, clamp: bool = True) -> np.ndarray:
        """The padded grid's flat cell index of each point (N, 2) [world], clamped onto the grid
        (``clamp=False`` skips that for points known to lie on the map or within its margin)."""
        h, w = self._visited.shape
        col = xy[:, 0] - self._left
        col *= 1.0 / self.cell
        row = self._top - xy[:, 1]
        row *= 1.0 / self.cell
        if clamp:
            np.clip(col, 0, w - 1, out=col)
            np.clip(row, 0, h - 1, out=row)
        flat = row.astype(np.intp)
        flat *= w
        flat += col.astype(np.intp)
        return flat

    def reveal(self, positions, clamp: bool = True) -> bool:
        """Mark the cells around each position (N, 2) [world] explored; True if anything new was.

        The points are looked up CHUNK at a time, on the calling thread (the look-ups are too
        light to gain from sharing them between threads); only cells visited for the first time
        stamp a disc. ``clamp=False``
        is for finite points on the map or within ``margin`` of it (a world's units after a step):
        it saves clamping them onto the grid."""
        xy = np.asarray(positions, float).reshape(-1, 2)
        visited = self._visited.reshape(-1)
        found = []
        for i in range(0, len(xy), CHUNK):
            flat = self._flat(xy[i:i + CHUNK], clamp)
            seen = visited[flat]
            if not seen.all():
                found.append(flat[~seen])
        if not found:
            return False
        fresh = np.unique(np.concatenate(found))
        visited[fresh] = True
        h, w = self._visited.shape
        row, col = np.divmod(fresh, w)
        dr, dc = self._disc
        rows = np.clip(row[:, None] + dr, 0, h - 1)
        cols = np.clip(col[:, None] + dc, 0, w - 1)
        self._seen[rows, cols] = True
        self.version += 1
        return True

    def cell_of(self, xy) -> tuple:
        """(row, col) map cell of world points (N, 2) or (2,), and whether each lies on the map."""
        xy = np.asarray(xy, float).reshape(-1, 2)
        (x0, x1), (y0, y1) = self.bounds
        on_map = (xy[:, 0] >= x0) & (xy[:, 0] <= x1) & (xy[:, 1] >= y0) & (xy[:, 1] <= y1)
        col = np.clip(np.floor((xy[:, 0] - x0) / self.cell), 0, self.shape[1] - 1).astype(np.intp)
        row = np.clip(np.floor((y1 - xy[:, 1]) / self.cell), 0, self.shape[0] - 1).astype(np.intp)
        return row, col, on_map

    def at(self, xy) -> np.ndarray:
        """For world points (N, 2) or (2,): True where on the map and explored."""
        row, col, on_map = self.cell_of(xy)
        out = on_map & self.grid[row, col]
        return out if np.ndim(xy) > 1 else bool(out[0])

    def fraction(self) -> float:
        """The share of the map's cells explored, 0..1."""
        return float(self.grid.mean())

    def centres(self) -> np.ndarray:
        """World coordinates of every map cell's centre, (rows, cols, 2)."""
        (x0, _), (_, y1) = self.bounds
        rows, cols = self.shape
        x = x0 + (np.arange(cols) + 0.5) * self.cell
        y = y1 - (np.arange(rows) + 0.5) * self.cell
        return np.stack(np.meshgrid(x, y, indexing="xy"), axis=-1)

    def copy(self) -> "Explored":
        new = object.__new__(Explored)
        new.__dict__.update(self.__dict__)
        new._visited, new._seen = self._visited.copy(), self._seen.copy()
        return new
