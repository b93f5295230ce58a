"""The terrain of a level drawn once per terminal size and colour mode: the war-room picture
(tint, hillshade, contours at half strength) sampled at the map's half-block pixels, its colour
codes, the ASCII height ramp, and which fog cell each pixel shows.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from sim.terrain import grid_points
from game.view import palette as pal

from .colour import encode

MODES = ("truecolor", "256", "ascii")
TEXT_ROWS = 3                     # header above the map, status and help below
ASCII_RAMP = ".:-=+*#%@"          # low to high ground; unexplored ground and the margin are blank
FOG_CELLS = 128                   # the explored record has this many cells on the map's long side
PANEL = (18, 24, 30)              # background of the text lines
TEXT = (214, 218, 210)            # their text
TONES = {"win": pal.SQUAD_COLOURS[0], "loss": pal.SQUAD_COLOURS[5]}    # VICTORY amber, DEFEAT vermilion

# contour lines at half the window's strength: at a terminal's few pixels they would crowd the tint
TERMINAL_LOOK = replace(pal.WAR_ROOM, contour_dark=0.5 * pal.WAR_ROOM.contour_dark,
                        contour_light=0.5 * pal.WAR_ROOM.contour_light)


class Raster:
    """The terrain of a level drawn for a terminal of ``cols`` x ``lines`` cells in ``mode``.

    The map fills the ``map_rows`` lines below the header as a canvas of ``cols`` x 2*map_rows
    pixels; the level keeps its aspect ratio and is centred at ``origin`` [px]
    with ``px_per_world`` pixels per world unit.
    """

    def __init__(self, level, cols: int, lines: int, mode: str):
        if mode not in MODES:
            raise ValueError(f"unknown colour mode {mode!r}; choose from {', '.join(MODES)}")
        self.level, self.cols, self.lines, self.mode = level, cols, lines, mode
        self.map_rows = lines - TEXT_ROWS
        (x0, x1), (y0, y1) = level.bounds
        canvas = (2 * self.map_rows, cols)                                      # (rows, cols) [px]
        self.px_per_world = min(canvas[1] / (x1 - x0), canvas[0] / (y1 - y0))
        self.map_px = tuple(max(1, round(side * self.px_per_world)) for side in (y1 - y0, x1 - x0))   # (rows, cols)
        self.origin = ((canvas[0] - self.map_px[0]) // 2, (canvas[1] - self.map_px[1]) // 2)   # (row, col)
        rgb, t = _terrain_picture(level, self.map_px)
        self.inside = np.zeros(canvas, bool)
        self._map(self.inside)[:] = True
        full = np.empty(canvas + (3,), np.uint8)
        full[:] = pal.WAR_ROOM.background
        self._map(full)[:] = rgb
        self.rgb = full                                         # (rows, cols, 3) the canvas's colours
        self.terrain = encode(full, mode, dither=True)          # (rows, cols) codes per pixel
        self.fog_code = int(encode(pal.WAR_ROOM.fog, mode))
        self.fog_index = self._fog_index(level)
        self.squad_codes = [int(encode(c, mode)) for c in pal.SQUAD_COLOURS]
        self.marker_code = int(encode(pal.WAR_ROOM.marker, mode))
        self.panel_code, self.text_code = int(encode(PANEL, mode)), int(encode(TEXT, mode))
        self.tone_codes = {k: int(encode(c, mode)) for k, c in TONES.items()}
        height = np.full(canvas, -1.0)
        self._map(height)[:] = t
        cell_t = height.reshape(self.map_rows, 2, cols).max(1)  # a cell shows its higher half
        ramp = np.array(list(ASCII_RAMP))
        level = np.clip((cell_t * len(ramp)).astype(int), 0, len(ramp) - 1)
        self.ascii = np.where(cell_t < 0, " ", ramp[level])          # (map_rows, cols) characters

    def _map(self, canvas):
        """The part of a canvas-shaped array covered by the map."""
        (r, c), (h, w) = self.origin, self.map_px
        return canvas[r:r + h, c:c + w]

    def _fog_index(self, level) -> np.ndarray:
        """For each canvas pixel, the flat index of the fog cell under its centre (0 off the map)."""
        rows, cols = self.inside.shape
        (x0, _), (_, y1) = level.bounds
        x = x0 + (np.arange(cols) - self.origin[1] + 0.5) / self.px_per_world
        y = y1 - (np.arange(rows) - self.origin[0] + 0.5) / self.px_per_world
        shape = fog_shape(level)
        cell = level.size / FOG_CELLS
        c = np.clip(np.floor((x - x0) / cell), 0, shape[1] - 1).astype(np.intp)
        r = np.clip(np.floor((y1 - y) / cell), 0, shape[0] - 1).astype(np.intp)
        return np.where(self.inside, r[:, None] * shape[1] + c[None, :], 0)

    def pixels(self, xy) -> tuple:
        """Canvas pixel (row, col) of world points (N, 2), clamped to the map's rectangle."""
        (x0, _), (_, y1) = self.level.bounds
        s = self.px_per_world
        col = np.floor(self.origin[1] + (xy[:, 0] - x0) * s)
        row = np.floor(self.origin[0] + (y1 - xy[:, 1]) * s)
        col = np.clip(np.nan_to_num(col), self.origin[1], self.origin[1] + self.map_px[1] - 1).astype(np.intp)
        row = np.clip(np.nan_to_num(row), self.origin[0], self.origin[0] + self.map_px[0] - 1).astype(np.intp)
        return row, col


def _terrain_picture(level, shape) -> tuple:
    """(rgb (H, W, 3) uint8, t (H, W)): the hypsometric tint with hillshade and contour lines,
    and the normalised height t in [0, 1], at the cell centres of an (H, W) raster of the map."""
    h, g = level.terrain.height_and_grad(grid_points(level.bounds, shape))
    finite = np.isfinite(h)
    h = np.where(finite, h, h[finite].max() if finite.any() else 0.0).reshape(shape)
    g = np.nan_to_num(g, nan=0.0, posinf=0.0, neginf=0.0)
    gx, gy = g[:, 0].reshape(shape), g[:, 1].reshape(shape)
    scale = pal.HeightScale(h, level.global_min_height)
    px_size = level.size / max(shape)                                        # [world per px]
    rgb = pal.shade(h, gx, gy, scale, px_size, pal.relief_gain_for(gx, gy), TERMINAL_LOOK)
    return rgb, scale(h)


def fog_shape(level) -> tuple:
    """(rows, cols) of the explored record of a level."""
    (x0, x1), (y0, y1) = level.bounds
    cell = level.size / FOG_CELLS
    return max(1, int(np.ceil((y1 - y0) / cell - 1e-9))), max(1, int(np.ceil((x1 - x0) / cell - 1e-9)))
