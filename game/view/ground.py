"""The ground of the sand table: a level's terrain as a heightfield to stand on a plinth.

A height h [terrain units] becomes an elevation z [world units] above the lowest ground:

    t = (h - h_low) / (h_95 - h_low)               0 at the lowest ground, 1 at the 95th percentile
    z = RELIEF_SHARE * size * soft(t)              soft(t) = t up to 1, then 1 + CAP tanh((t - 1) / CAP)

so 95% of the map spans the same share of the map's size (the side of a square of its area) on
every level -- a shallow bowl and
a spiky egg-crate both read as hills and valleys -- and the rare towering cliff is squeezed into
the last CAP instead of flattening everything else. ``h_low`` is the global minimum (or the lowest
ground seen, if lower), so the goal always sits at z = 0.

The elevation raster shares the terrain picture's pixels (``MapArt.heights``, one sample per
texel, x-major, row 0 at the map's top edge): the relief drapes exactly the art the map shows.
"""
from __future__ import annotations

import numpy as np

from . import palette as pal

RELIEF_SHARE = 0.22     # 95% of the ground lies within this share of the map's long side, vertically
CAP = 0.3               # heights above the 95th percentile approach 1 + CAP times that, never more
PLINTH_SHARE = 0.05     # the plinth reaches this share of the map's long side below the lowest ground
PERCENTILE = 95.0


class Ground:
    """Elevations of a level for the relief: ``z`` (TW, TH) float32 [world], the packed colours of
    the terrain picture ``colours`` (TW, TH) uint32 (0xRRGGBB), and the maps between them."""

    def __init__(self, level, art):
        self.level = level
        self.bounds = level.bounds
        heights = np.asarray(art.heights, np.float64)
        finite = heights[np.isfinite(heights)]
        self.h_low = min(float(level.global_min_height), float(finite.min()) if finite.size else 0.0)
        high = float(np.percentile(finite, PERCENTILE)) if finite.size else self.h_low + 1.0
        self.h_span = max(high - self.h_low, 1e-12 * max(1.0, abs(high)))
        (x0, x1), (y0, y1) = level.bounds
        side = min(level.size, np.sqrt((x1 - x0) * (y1 - y0)))   # a long thin map does not stand as a wall
        self.top = RELIEF_SHARE * side                       # elevation of the 95th percentile [world]
        self.z = self.elevation(np.nan_to_num(heights, nan=high, posinf=high, neginf=self.h_low)).astype(np.float32)
        self.z_max = float(self.z.max())
        self.base = -PLINTH_SHARE * side                      # the plinth's foot [world]
        rgb = _soften(art.rgb())
        self.colours = ((rgb[..., 0].astype(np.uint32) << 16) | (rgb[..., 1].astype(np.uint32) << 8)
                        | rgb[..., 2].astype(np.uint32))
        self.texels = self.z.shape                            # (TW, TH)
        # each texel's elevation and colour side by side in one 8-byte word: one gather fetches both
        pair = np.empty(self.texels + (2,), np.uint32)
        pair[..., 0] = self.z.view(np.uint32)
        pair[..., 1] = self.colours
        self.texel_words = pair.view(np.uint64).reshape(-1)      # read back with ``unpair``
        (x0, x1), (y0, y1) = self.bounds
        self.texel_size = ((x1 - x0) / self.texels[0], (y1 - y0) / self.texels[1])   # [world per texel]
        self.shade = self._shade()                                # the light on each texel, for the fog

    def _shade(self) -> np.ndarray:
        """The hillshade of the elevations (TW, TH) float32, about 1 on level ground: the light a
        cloth laid over the table would catch (the fog shows the ground's shape, not its colours)."""
        gx, gy = np.gradient(self.z, *self.texel_size)
        return pal.hillshade(gx.astype(np.float32), -gy.astype(np.float32), pal.relief_gain_for(gx, gy))

    def shade_at(self, xy) -> np.ndarray:
        """The hillshade under world points xy (N, 2) (the nearest texel's)."""
        xy = np.nan_to_num(np.asarray(xy, float), nan=0.0, posinf=1e9, neginf=-1e9)
        fi, fj = self.texel_coords(xy[:, 0], xy[:, 1])
        tw, th = self.texels
        return self.shade[np.clip(fi.astype(np.intp), 0, tw - 1), np.clip(fj.astype(np.intp), 0, th - 1)]

    @staticmethod
    def unpair(words) -> tuple:
        """Words gathered from ``texel_words`` -> (elevations float32, packed colours uint32), as views."""
        pair = words.view(np.uint32).reshape(words.shape + (2,))
        return pair[..., 0].view(np.float32), pair[..., 1]

    def elevation(self, h) -> np.ndarray:
        """Heights [terrain units] -> elevations z [world] (see the module's docstring)."""
        t = np.maximum((np.asarray(h, np.float64) - self.h_low) / self.h_span, 0.0)
        soft = np.where(t <= 1.0, t, 1.0 + CAP * np.tanh((t - 1.0) / CAP))
        return soft * self.top

    def texel_coords(self, x, y) -> tuple:
        """World coordinates -> fractional texel coordinates (i along x, j down from the top edge);
        texel (i, j) covers [i, i + 1) x [j, j + 1)."""
        (x0, _), (_, y1) = self.bounds
        return (np.asarray(x) - x0) / self.texel_size[0], (y1 - np.asarray(y)) / self.texel_size[1]

    def elevation_at(self, xy) -> np.ndarray:
        """Elevation [world] under world points xy (..., 2), bilinear between texel centres and
        clamped to the map's edge (for trails, markers and anything without an exact height)."""
        xy = np.nan_to_num(np.asarray(xy, float), nan=0.0, posinf=1e9, neginf=-1e9)   # (clamped to the edge below)
        fi, fj = self.texel_coords(xy[..., 0], xy[..., 1])
        tw, th = self.texels
        fi = np.clip(fi - 0.5, 0.0, tw - 1.0)
        fj = np.clip(fj - 0.5, 0.0, th - 1.0)
        i0 = np.minimum(fi.astype(np.intp), tw - 2)
        j0 = np.minimum(fj.astype(np.intp), th - 2)
        wi, wj = fi - i0, fj - j0
        z = self.z
        top = z[i0, j0] * (1 - wi) + z[i0 + 1, j0] * wi
        bottom = z[i0, j0 + 1] * (1 - wi) + z[i0 + 1, j0 + 1] * wi
        return top * (1 - wj) + bottom * wj


def _soften(rgb) -> np.ndarray:
    """The terrain picture (W, H, 3) uint8 blurred by a [1 2 1] / 4 kernel along each axis: the
    relief samples one texel per pixel, and where a steep slope faces the viewer a texel spans
    several rows -- a thin contour line would show as a saw-tooth there."""
    a = rgb.astype(np.uint16)
    a[1:-1] = (a[:-2] + 2 * a[1:-1] + a[2:] + 2) // 4
    a[:, 1:-1] = (a[:, :-2] + 2 * a[:, 1:-1] + a[:, 2:] + 2) // 4
    return a.astype(np.uint8)
