"""Fog of war: the map is known only where units have been.

Gradient descent only ever feels the slope where it stands, so the map starts dark and each unit
reveals a disc of radius ``reveal_radius`` [world] around every point it visits. The record is a
grid of ``cells`` cells on the map's long side, kept as a small pygame Surface in the fog's colour
whose alpha is the fog's opacity (255 unknown, 0 explored): revealing blits a soft-edged disc stamp
with ``BLEND_RGBA_MIN``, so overlapping discs merge into one shape with a soft rim.

A fog may instead show a world's own explored record (``Fog.of(world.explored)``, sim/explored.py),
the record the world's drops are judged by: then the grid is that record's cells, fully clear where
it is explored and fully dark where not, and ``reveal`` only brings the picture up to date with it.
Drawn, the grid is smoothed between cell centres, so the fog is half lifted exactly on the edges of
explored cells: a point drawn clearer than that is one a drop may land on.

``overlay(camera)`` turns the grid into the picture drawn over the terrain -- the dark "unknown"
colour with a faint survey grid -- scaled to the camera. It is cached and rebuilt only when the
explored set (``version``) or the camera changes.
"""
from __future__ import annotations

import math

import numpy as np
import pygame

from . import palette as pal

REVEAL_FRACTION = 0.04     # default reveal radius [fraction of the map's long side]
CLEAR_CORE = 0.55          # inside this fraction of the radius the ground is fully clear
EXPLORED_BELOW = 128       # a cell counts as explored when its fog opacity is below this
GRID_PX = 96               # the survey grid aims for lines about this far apart [px]
ALIGN_FROM = 3.0           # from this many pixels per cell the overlay puts the cells' centres exactly


class Fog:
    """What the units have seen. ``enabled`` False shows the whole map (the F key)."""

    def __init__(self, level, cells: int = 256, reveal_radius: float | None = None, explored=None):
        """``explored``: a world's ``Explored`` record to show (see ``of``) instead of keeping one."""
        (x0, x1), (y0, y1) = level.bounds
        self.bounds = level.bounds
        self.cell = level.size / int(cells)                      # [world per cell]
        self.shape = (max(1, math.ceil((y1 - y0) / self.cell - 1e-9)),
                      max(1, math.ceil((x1 - x0) / self.cell - 1e-9)))   # (rows, cols)
        self.reveal_radius = REVEAL_FRACTION * level.size if reveal_radius is None else float(reveal_radius)
        self.explored, self._shown = explored, None              # the record shown, and its version drawn
        if explored is not None:
            self.cell, self.shape, self.reveal_radius = explored.cell, explored.shape, explored.reveal_radius
        self.enabled = True
        self.version = 0                                          # bumped whenever the explored set grows
        self.grid = pygame.Surface(self.shape[::-1], pygame.SRCALPHA)
        self._tint = pal.WAR_ROOM.fog                             # the grid's RGB: the fog colour
        self._stamp = _disc_stamp(self.reveal_radius / self.cell)
        self._visited = np.zeros(self.shape, bool)                # cells a stamp was centred on
        self._cache_key, self._cache = None, None
        self.reset()

    @classmethod
    def of(cls, level, explored) -> "Fog":
        """The fog that shows a world's explored record (``world.explored``), cell for cell."""
        return cls(level, explored=explored)

    def reset(self):
        """Everything unknown again (a fog showing a record: the record as it is now)."""
        self.grid.fill((*self._tint, 255))
        self._visited[:] = False
        self.version += 1
        self._shown = None
        self.sync()

    def sync(self) -> bool:
        """A fog showing a record: copy the record into the grid if it changed since (True if it did)."""
        if self.explored is None or self._shown == self.explored.version:
            return False
        alpha = pygame.surfarray.pixels_alpha(self.grid)          # indexed [col, row]
        alpha[:] = np.where(self.explored.grid.T, 0, 255).astype(np.uint8)
        del alpha
        self._shown = self.explored.version
        self.version += 1
        return True

    def _cells(self, xy) -> tuple:
        """Cell (row, col) of world points (N, 2), clamped to the grid."""
        xy = np.asarray(xy, float).reshape(-1, 2)
        (x0, _), (_, y1) = self.bounds
        col = np.clip(np.floor((xy[:, 0] - x0) / self.cell), 0, self.shape[1] - 1).astype(np.intp)
        row = np.clip(np.floor((y1 - xy[:, 1]) / self.cell), 0, self.shape[0] - 1).astype(np.intp)
        return row, col

    def cells(self, xy) -> tuple:
        """Cell (row, col) of world points (N, 2), clamped to the grid."""
        return self._cells(xy)

    def corners(self, xy) -> tuple:
        """For world points (N, 2): the flat index of the cell whose centre is up-left of each, and
        the weights (N, 2) of the next column and row, for ``opacity_between``."""
        xy = np.asarray(xy, float).reshape(-1, 2)
        (x0, _), (_, y1) = self.bounds
        rows, cols = self.shape
        fc = np.clip((xy[:, 0] - x0) / self.cell - 0.5, 0, cols - 1.001)
        fr = np.clip((y1 - xy[:, 1]) / self.cell - 0.5, 0, rows - 1.001)
        c, r = fc.astype(np.intp), fr.astype(np.intp)
        return c * rows + r, np.column_stack([fc - c, fr - r]).astype(np.float32)

    def opacity_between(self, index, weights) -> np.ndarray:
        """The fog's opacity (0 explored .. 255 unknown) interpolated between the four cell
        centres around each point (``corners`` gives the arguments), as float32."""
        alpha = pygame.surfarray.pixels_alpha(self.grid)          # indexed [col, row]
        flat = np.ascontiguousarray(alpha).reshape(-1).astype(np.float32)
        del alpha
        rows = self.shape[0]
        wc, wr = weights[:, 0], weights[:, 1]
        here = flat[index] * (1 - wc) + flat[index + rows] * wc            # this row, this and the next column
        below = flat[index + 1] * (1 - wc) + flat[index + rows + 1] * wc   # the row below
        return here * (1 - wr) + below * wr

    def reveal(self, positions):
        """Mark the cells within ``reveal_radius`` of each position (N, 2) [world] explored.
        Points farther off the map than the radius (a unit flung away) reveal nothing. A fog
        showing a record only syncs with it (the world has revealed the positions itself)."""
        if self.explored is not None:
            self.sync()
            return
        xy = np.asarray(positions, float).reshape(-1, 2)
        (x0, x1), (y0, y1) = self.bounds
        r = self.reveal_radius
        xy = xy[(xy[:, 0] >= x0 - r) & (xy[:, 0] <= x1 + r) & (xy[:, 1] >= y0 - r) & (xy[:, 1] <= y1 + r)]
        if not len(xy):
            return
        row, col = self._cells(xy)
        flat = np.unique((row * self.shape[1] + col)[~self._visited[row, col]])
        if not len(flat):
            return                                                # nothing new: the grid is unchanged
        row, col = np.divmod(flat, self.shape[1])
        self._visited[row, col] = True
        half = self._stamp.get_width() // 2
        corners = zip((col - half).tolist(), (row - half).tolist())
        self.grid.fblits([(self._stamp, corner) for corner in corners], pygame.BLEND_RGBA_MIN)
        self.version += 1

    def explored_at(self, xy) -> np.ndarray:
        """For world points (N, 2) or (2,): True where explored (points off the map use the nearest cell)."""
        row, col = self._cells(xy)
        alpha = pygame.surfarray.pixels_alpha(self.grid)         # indexed [col, row]
        out = alpha[col, row] < EXPLORED_BELOW
        del alpha
        return out if np.ndim(xy) > 1 else out[0]

    def explored_fraction(self) -> float:
        """The share of the map explored, 0..1."""
        alpha = pygame.surfarray.pixels_alpha(self.grid)
        share = float((alpha < EXPLORED_BELOW).mean())
        del alpha
        return share

    # -- the picture ---------------------------------------------------------------------------
    def tinted_grid(self, palette="war-room") -> pygame.Surface:
        """The grid, its RGB set to the palette's fog colour (its alpha is the fog's opacity)."""
        fog = pal.get(palette).fog
        if self._tint != fog:                                     # recolour, keeping the alpha
            self.grid.fill((0, 0, 0), special_flags=pygame.BLEND_RGB_MULT)
            self.grid.fill(fog, special_flags=pygame.BLEND_RGB_ADD)
            self._tint = fog
        return self.grid

    def overlay(self, camera, palette="war-room") -> tuple:
        """(surface, (x, y)): the fog as seen by ``camera``, per-pixel alpha, to blit at (x, y) [px]."""
        p = pal.get(palette)
        self.tinted_grid(p)
        key = (self.version, camera.zoom, tuple(camera.center), tuple(camera.viewport), palette)
        if key != self._cache_key:
            self._cache, self._cache_key = self._build_overlay(camera, p), key
        return self._cache

    def _build_overlay(self, camera, p: pal.Palette) -> tuple:
        """Crop the grid to the cells the camera sees, scale them to pixels, draw the survey grid."""
        (x0, _), (_, y1) = self.bounds
        (wx0, wx1), (wy0, wy1) = camera.world_rect()
        rows, cols = self.shape
        c0 = int(np.clip(np.floor((wx0 - x0) / self.cell) - 1, 0, cols - 1))
        c1 = int(np.clip(np.ceil((wx1 - x0) / self.cell) + 1, c0 + 1, cols))
        r0 = int(np.clip(np.floor((y1 - wy1) / self.cell) - 1, 0, rows - 1))
        r1 = int(np.clip(np.ceil((y1 - wy0) / self.cell) + 1, r0 + 1, rows))
        left, top = camera.pos2pix((x0 + c0 * self.cell, y1 - r0 * self.cell))
        s = self.cell * camera.zoom                                        # [px per cell]
        crop = self.grid.subsurface(pygame.Rect(c0, r0, c1 - c0, r1 - r0))
        if s >= ALIGN_FROM:           # cell centres where they belong (see _padded), edges half a cell wider
            crop, left, top = self._padded(crop), left - 0.5 * s - 0.5, top - 0.5 * s - 0.5
            size_px = (round((c1 - c0 + 1) * s), round((r1 - r0 + 1) * s))
        else:
            size_px = (max(1, round((c1 - c0) * s)), max(1, round((r1 - r0) * s)))
        if self._cache and self._cache[0].get_size() == size_px:          # reuse last frame's surface
            surf = pygame.transform.smoothscale(crop, size_px, self._cache[0])
        else:
            surf = pygame.transform.smoothscale(crop, size_px)
        pos = (round(left), round(top))
        self._draw_grid(surf, camera, pos, p.fog_grid)
        return surf, pos

    @staticmethod
    def _padded(crop) -> pygame.Surface:
        """``crop`` with one more cell on every side, its edge repeated. Enlarging, smoothscale gives
        output pixel u the input at u (n - 1) / out cell centres from the first (n cells, out pixels);
        scaled to out = (n + 1) s [px] (s px per cell), the padded grid puts cell i's centre at pixel
        (i + 1) s, that is at (i + 1/2) s from the crop's edge when drawn 0.5 s + 0.5 px up and left
        of it: every point of the picture is interpolated between the right cell centres, and the
        fog is half lifted just on the edges of the explored cells."""
        w, h = crop.get_size()
        padded = pygame.Surface((w + 2, h + 2), pygame.SRCALPHA)
        padded.fill(crop.get_at((0, 0)))
        alpha = pygame.surfarray.pixels_alpha(padded)
        alpha[:] = np.pad(pygame.surfarray.array_alpha(crop), 1, mode="edge")
        del alpha
        return padded

    def _draw_grid(self, surf, camera, pos, colour):
        """Faint survey lines every 'nice' number of world units, about GRID_PX apart; they show
        only where the fog is (they change RGB, not alpha)."""
        step = grid_step(camera)
        (x0, x1), (y0, y1) = self.bounds
        gx = np.arange(math.ceil(x0 / step), math.floor(x1 / step) + 1) * step
        gy = np.arange(math.ceil(y0 / step), math.floor(y1 / step) + 1) * step
        cols = np.rint(camera.pos2pix(np.column_stack([gx, np.zeros_like(gx)]))[:, 0]).astype(int) - pos[0]
        rows = np.rint(camera.pos2pix(np.column_stack([np.zeros_like(gy), gy]))[:, 1]).astype(int) - pos[1]
        w, h = surf.get_size()
        for c in cols[(cols >= 0) & (cols < w)].tolist():
            surf.fill(colour, (c, 0, 1, h), special_flags=pygame.BLEND_RGB_ADD)
        for r in rows[(rows >= 0) & (rows < h)].tolist():
            surf.fill(colour, (0, r, w, 1), special_flags=pygame.BLEND_RGB_ADD)


def _disc_stamp(radius_cells: float) -> pygame.Surface:
    """A square stamp whose alpha is the fog left by one visit: 0 inside CLEAR_CORE * radius,
    rising smoothly (smoothstep) to 255 at the radius; RGB white so BLEND_RGBA_MIN keeps the grid's
    colour."""
    r = max(1, math.ceil(radius_cells))
    d = np.hypot(*np.meshgrid(np.arange(-r, r + 1), np.arange(-r, r + 1), indexing="ij"))
    s = np.clip((d - CLEAR_CORE * radius_cells) / ((1 - CLEAR_CORE) * radius_cells), 0, 1)
    alpha = (255 * s * s * (3 - 2 * s)).astype(np.uint8)
    stamp = pygame.Surface((2 * r + 1, 2 * r + 1), pygame.SRCALPHA)
    stamp.fill((255, 255, 255, 255))
    a = pygame.surfarray.pixels_alpha(stamp)
    a[:] = alpha
    del a
    return stamp


def grid_step(camera) -> float:
    """The survey grid's spacing [world] for this camera: a 'nice' number about GRID_PX apart."""
    return _nice_step(GRID_PX / camera.zoom)


def _nice_step(x: float) -> float:
    """The smallest of 1, 2, 5 times a power of ten that is >= x."""
    e = 10 ** math.floor(math.log10(x))
    return next(m * e for m in (1, 2, 5, 10) if m * e >= x)
