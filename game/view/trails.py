"""Fading unit trails, splatted with NumPy into one transparent layer.

A unit's trail is the last K positions of ``world.trail`` (a ring buffer, one row per step). The
segment from each position to the next is drawn as m evenly spaced pixel samples, coloured in the
squad's colour with an opacity that falls from TRAIL_ALPHA (newest) to 0 (oldest). All samples are
written at once into the layer's pixels (``flat[index] = colour``): no Python loop over segments.

The budget: m is chosen so that at most TRAIL_BUDGET samples (THICK_BUDGET pixels for thick lines)
are written per frame. A few dozen units get continuous lines 2 px wide with a drop shadow; a
thousand get one sample per step -- a dotted trail whose spacing shows the step length; beyond
that only every s-th step is drawn.

The cache: the pixel index of every sample depends only on the camera and on the two positions of
its segment, so it is kept per ring-buffer row. While the camera stays still, a world step costs
one new row (N units), not K rows; the frame then only gathers and writes.
"""
from __future__ import annotations

import numpy as np
import pygame

from . import sprites

TRAIL_BUDGET = 120_000    # most samples of thin (1 px) trails written per frame
THICK_BUDGET = 300_000    # most pixels of thick trails (6 per sample: 3 line, 3 shadow) per frame
TRAIL_ALPHA = 210         # opacity of the newest segment (the oldest fades to 0)
MAX_SAMPLES = 256         # most samples per segment
LONG_SHARE = 0.98         # the line style is sized for this share of today's segments
LAYER_PAD = 3             # hidden border of the layer that catches points off the view [px]
SHADOW_ALPHA = 0.6        # a thick trail's drop shadow, relative to the trail's opacity


class TrailLayer:
    """Draws the trails of a world as seen by a camera; keeps per-row sample indices between frames."""

    def __init__(self):
        self._key = None          # (trail buffer, camera, view) the cached rows belong to
        self._step = -1           # world.step_count when the rows were last brought up to date
        self._idx = None          # (K, samples per unit, N) int32 pixel indices, one row per ring row
        self._m, self._thick = 1, False
        self._trail = None        # the world's ring buffer itself (held, so its id stays unique)
        self._layer = None
        self._colours_key, self._colours = None, None
        self._hidden = None       # the relief's occlusion test for this frame (None on the map)

    def draw(self, surface, view: pygame.Rect, world, camera, palette="war-room", colours=None, hidden=None,
             hidden_key=None):
        """Blend the trails onto ``surface`` inside ``view`` [px]; ``colours``: per-squad colours;
        ``hidden``: for the relief, which world points (N, 2) the ground hides (not drawn), and
        ``hidden_key`` what its answers depend on (the render they come from)."""
        self._hidden, self._hidden_key = hidden, hidden_key
        size = (view.width + 2 * LAYER_PAD, view.height + 2 * LAYER_PAD)
        if self._layer is None or self._layer.get_size() != size:
            self._layer = pygame.Surface(size, pygame.SRCALPHA)
        layer = self._layer
        layer.fill((0, 0, 0, 0))
        k = len(world.trail)
        valid = min(k, world.step_count + 1)                   # rows that hold positions
        if valid >= 2:
            self._update(world, camera, view, size)
            ages = np.arange(valid - 2, -1, -1)                 # oldest drawn segment first; 0 = newest
            stride = max(1, -(-(len(ages) * world.n_units) // TRAIL_BUDGET))   # only for thousands of units
            ages = ages[(ages % stride) == 0]
            rows = (world.trail_head - ages) % k
            pixels = pygame.surfarray.pixels2d(layer)
            flat = pixels.T.reshape(-1)                         # row-major: index = y * width + x
            colours, shadows = self._row_colours(world, layer, ages, palette, colours)
            idx = self._idx[rows]                               # oldest first, so the newest is on top
            if self._thick:                                     # the shadows first, all of them
                flat[idx + (layer.get_width() + 1)] = shadows
            flat[idx] = colours
            del flat, pixels
        surface.blit(layer, view.topleft, pygame.Rect(LAYER_PAD, LAYER_PAD, view.width, view.height))

    # -- sample indices ----------------------------------------------------------------------------
    def _update(self, world, camera, view, size):
        """Bring the cached rows up to date: the rows written since the last frame, or all of them
        when the camera, the view, the world or the line style (chosen from today's segments) changed.
        The style depends only on the trail now, so a frame is a function of the world and camera."""
        k, n = world.trail.shape[:2]
        key = (id(world.trail), camera.key(), tuple(view), size, self._hidden is None, self._hidden_key)
        style = self._style(world, camera)
        new = world.step_count - self._step
        if key != self._key or self._trail is not world.trail or not 0 <= new < k or style != (self._thick, self._m):
            self._rebuild(world, camera, view, size, key, style)
            return
        if new:
            rows = (world.trail_head - np.arange(new)) % k
            self._idx[rows] = self._samples(world, camera, view, size, rows)
            self._step = world.step_count

    def _style(self, world, camera) -> tuple:
        """(thick, samples per segment) for the segments on screen now: 2 px wide lines with a drop
        shadow when the budget gives them a sample at least every 2 px (a few dozen units); else
        1 px lines, dotted if need be."""
        k, n = world.trail.shape[:2]
        if self._budget_m(k, n, False) <= 1 and self._budget_m(k, n, True) == 0:
            return False, 1                                  # many units: one dot per step, whatever the lengths
        drawn = (world.trail_head - np.arange(min(k, world.step_count + 1) - 1)) % k   # not the oldest row
        need = int(min(MAX_SAMPLES, np.ceil(_longest(world, camera, drawn)) + 1))
        thick = self._budget_m(k, n, True) >= need // 2 + 1
        m = int(np.clip(self._budget_m(k, n, thick), 1, need // 2 + 1 if thick else need))
        return thick, m

    def _rebuild(self, world, camera, view, size, key, style):
        """Compute every row's samples for the given line style."""
        self._thick, self._m = style
        self._idx = self._samples(world, camera, view, size, np.arange(world.trail.shape[0]))
        self._key, self._trail, self._step = key, world.trail, world.step_count

    @staticmethod
    def _budget_m(k, n, thick) -> int:
        """Samples per segment that keep a full trail within THICK_BUDGET or TRAIL_BUDGET."""
        return (THICK_BUDGET // 6 if thick else TRAIL_BUDGET) // max(1, (k - 1) * n)

    def _samples(self, world, camera, view, size, rows) -> np.ndarray:
        """Pixel indices (len(rows), samples per unit, N) of the segments ending at the ring ``rows``:
        m samples (3 m when thick: each with the pixels right and below) from the previous row's
        position towards this row's, clamped into the layer's hidden border when off the view.
        A thick line's shadow is the same indices moved one pixel right and down."""
        w, h = size
        a = _layer_xy(camera, view, world.trail[(rows - 1) % len(world.trail)], self._hidden)
        b = _layer_xy(camera, view, world.trail[rows], self._hidden)
        gone = None if a[2] is None else a[2] | b[2]              # (rows, N): a hidden end hides the segment
        t = (np.arange(self._m, dtype=np.float32) / self._m)[None, :, None]
        x = np.clip(a[0][:, None, :] + (b[0] - a[0])[:, None, :] * t, 0, w - LAYER_PAD).astype(np.int32)
        y = np.clip(a[1][:, None, :] + (b[1] - a[1])[:, None, :] * t, 0, h - LAYER_PAD).astype(np.int32)
        idx = y * w + x                                          # (rows, m, N)
        if gone is not None:
            idx *= ~gone[:, None, :]                             # hidden segments: the layer's corner pixel
        if self._thick:
            idx = np.concatenate([idx, idx + 1, idx + w], axis=1)
        return idx

    def _row_colours(self, world, layer, ages, palette, squad_colours=None) -> tuple:
        """Packed colours (len(ages), 1, N) of the segments of those ages (0 = newest) and of their
        shadows; they broadcast over the samples of ``self._idx[rows]``."""
        key = (world.squad.tobytes(), len(world.trail), ages.tobytes(), palette, layer.get_shifts(),
               None if squad_colours is None else tuple(map(tuple, squad_colours)))
        if key != self._colours_key:
            lut = sprites.trail_colours(layer, palette, len(world.trail), TRAIL_ALPHA,
                                        colours=squad_colours)                          # [squad, age]
            dark = sprites.trail_colours(layer, palette, len(world.trail), TRAIL_ALPHA * SHADOW_ALPHA,
                                         shadow=True)
            pick = (world.squad[None, :], ages[:, None])
            self._colours = (lut[pick][:, None, :], dark[pick][:, None, :])
            self._colours_key = key
        return self._colours


def _layer_xy(camera, view, xy, hidden=None):
    """World points (..., 2) -> (x, y, gone): float32 pixel x and y in the padded layer of ``view``,
    and which of them ``hidden`` says the ground hides (None on the map)."""
    px = camera.pos2pix(xy)
    x = (px[..., 0] - view.x + LAYER_PAD).astype(np.float32)
    y = (px[..., 1] - view.y + LAYER_PAD).astype(np.float32)
    gone = None if hidden is None else hidden(xy.reshape(-1, 2)).reshape(xy.shape[:-1])
    return x, y, gone


def _longest(world, camera, rows) -> float:
    """The length [px, along x or y] that LONG_SHARE of the segments ending at the ring ``rows``
    do not exceed: the rare giant leap (a unit blowing up) is left dotted rather than making
    every other trail thin."""
    step = world.trail[rows] - world.trail[(rows - 1) % len(world.trail)]
    d = np.maximum(np.abs(step[..., 0]), np.abs(step[..., 1]))
    return float(np.quantile(d, LONG_SHARE)) * camera.zoom if d.size else 0.0


_LAYERS: dict = {}


def draw_trails(surface, view, world, camera, palette="war-room", colours=None, hidden=None, hidden_key=None):
    """The world's trails into ``view`` [px], with one TrailLayer kept per (world, view)."""
    key = (id(world.trail), tuple(view))
    if key not in _LAYERS:
        if len(_LAYERS) >= 4:
            _LAYERS.pop(next(iter(_LAYERS)))
        _LAYERS[key] = TrailLayer()
    _LAYERS[key].draw(surface, view, world, camera, palette, colours, hidden, hidden_key)
