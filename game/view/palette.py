"""Colours of the war-room map, and the maths that turns heights into a picture.

A terrain pixel's colour is built in three layers:

1. Hypsometric tint: the height h is normalised to t in [0, 1] (0 at the global minimum, see
   ``HeightScale``) and looked up on a colour ramp: deep valleys dark teal, ridges pale.
2. Hillshade: the surface normal n = (-s dh/dx, -s dh/dy, 1) / |...| lit from the north-west
   at 45 degrees; the factor (n . light) / light_z is exactly 1 on flat ground, above 1 on slopes
   facing the light, below 1 on slopes facing away.
3. Contour lines every 1/CONTOURS of t (every MAJOR_EVERY-th one stronger), drawn with constant
   width in pixels: a pixel's distance to the level h_k is |h - h_k| / |grad h| [world], which
   divided by the pixel size [world/px] gives pixels -- the analytic gradient makes the lines crisp.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# -- squad colours: bright against the dark-teal-to-pale terrain (the dark outline every unit gets
#    carries them on pale ground) and distinct under the common colour-vision deficiencies: in
#    CIELAB every pair differs by dE >= 16 with normal vision and under simulated protanopia and
#    deuteranopia (Machado et al. 2009), the four most used squads by dE >= 21 -------------------
SQUAD_COLOURS = [
    (255, 166, 0),      # 1 amber
    (92, 200, 255),     # 2 sky blue
    (255, 100, 200),    # 3 pink
    (165, 240, 135),    # 4 spring green (not white: white is the selection ring)
    (245, 240, 90),     # 5 lemon
    (80, 120, 255),     # 6 royal blue
    (240, 50, 50),      # 7 red
    (60, 240, 180),     # 8 mint
    (170, 140, 255),    # 9 lavender
]


@dataclass(frozen=True)
class Palette:
    """Every colour of one look (RGB 0..255)."""
    ramp: tuple               # (t, (r, g, b)) stops of the hypsometric tint, t from 0 to 1
    contour_dark: float       # contour lines darken light ground by this fraction ...
    contour_light: float      # ... and lighten dark ground (t below CONTOUR_FLIP) by this one
    relief: float             # hillshade strength (0 = flat picture)
    fog: tuple                # unexplored ground
    fog_grid: tuple           # the faint survey grid drawn over it (added to the fog colour)
    background: tuple         # outside the map
    frame: tuple              # the map's edge, its ticks and coordinates
    outline: tuple            # around units and markers
    marker: tuple             # spawn circle, labels, minima
    label_shadow: tuple


WAR_ROOM = Palette(
    ramp=((0.00, (9, 38, 46)), (0.12, (14, 66, 72)), (0.30, (38, 104, 98)), (0.48, (92, 134, 108)),
          (0.66, (156, 164, 126)), (0.82, (204, 196, 162)), (1.00, (240, 236, 220))),
    contour_dark=0.30, contour_light=0.22, relief=1.0,
    fog=(13, 18, 24), fog_grid=(13, 17, 20), background=(8, 11, 15), frame=(96, 110, 116),
    outline=(12, 14, 18), marker=(236, 232, 214), label_shadow=(6, 8, 10))

HIGH_CONTRAST = Palette(
    ramp=((0.00, (0, 30, 40)), (0.25, (0, 90, 100)), (0.50, (90, 150, 120)), (0.75, (200, 200, 160)),
          (1.00, (255, 255, 245))),
    contour_dark=0.45, contour_light=0.35, relief=0.8,
    fog=(0, 0, 0), fog_grid=(22, 22, 22), background=(0, 0, 0), frame=(170, 170, 170),
    outline=(0, 0, 0), marker=(255, 255, 255), label_shadow=(0, 0, 0))

PALETTES = {"war-room": WAR_ROOM, "high-contrast": HIGH_CONTRAST}

CONTOURS = 20             # contour levels over the normalised height range
MAJOR_EVERY = 5           # every 5th contour is a major (stronger) one
CONTOUR_WIDTH = 1.2       # width of a contour line [px]
CONTOUR_CROWD = 3.0       # lines closer together than this [px] fade out (steep walls stay readable)
CONTOUR_FLIP = 0.38       # below this t lines are lighter than the ground, above darker
LIGHT_AZIMUTH = 315.0     # light from the north-west [degrees, clockwise from north]
LIGHT_ALTITUDE = 45.0     # [degrees above the horizon]
SHADE_RANGE = (0.62, 1.22)  # the hillshade factor is clipped to this
EQUALISE = 0.6            # weight of rank (area) in t; the rest is linear in height
RAMP_SIZE = 256


def get(palette) -> Palette:
    """A Palette from its name (or itself)."""
    if isinstance(palette, Palette):
        return palette
    if palette not in PALETTES:
        raise ValueError(f"unknown palette {palette!r}; choose from {', '.join(PALETTES)}")
    return PALETTES[palette]


def ramp_colour(t, palette="war-room") -> np.ndarray:
    """The hypsometric tint at normalised height t in [0, 1] (scalar or array) -> RGB float(s) 0..255.

    ``ramp_colour(0)`` is the deepest colour, worn by the global minimum.
    """
    stops = get(palette).ramp
    ts = np.array([s for s, _ in stops])
    cs = np.array([c for _, c in stops], float)
    t = np.clip(np.asarray(t, float), 0.0, 1.0)
    return np.stack([np.interp(t, ts, cs[:, k]) for k in range(3)], axis=-1)


def ramp_table(palette="war-room") -> np.ndarray:
    """The ramp sampled at RAMP_SIZE steps: (RAMP_SIZE, 3) float32; entry i is t = i / (RAMP_SIZE - 1)."""
    return ramp_colour(np.linspace(0, 1, RAMP_SIZE), palette).astype(np.float32)


class HeightScale:
    """Heights [height units] -> normalised t in [0, 1]: 0 at the global minimum, 1 at the highest
    point of the map, monotonic in between.

    t mixes rank and height: t = EQUALISE * (share of the map lower than h) + (1 - EQUALISE) *
    (h - h_min) / (h_max - h_min). Rank spreads the colours over the whole map even when a few
    peaks dwarf everything (Rosenbrock's walls); the linear part keeps "twice as deep" visible.
    """

    def __init__(self, heights, h_min: float, samples: int = 257):
        h = np.sort(np.asarray(heights, float).ravel())
        h = h[np.isfinite(h)]
        h_min = min(float(h_min), float(h[0]))
        h_max = max(float(h[-1]), h_min + 1e-9)
        q = np.linspace(0, 1, samples)
        levels = np.interp(q, np.linspace(0, 1, len(h)), h)
        levels[0], levels[-1] = h_min, h_max
        levels = np.maximum.accumulate(levels)
        t = EQUALISE * q + (1 - EQUALISE) * (levels - h_min) / (h_max - h_min)
        keep = np.r_[True, np.diff(levels) > 0]          # np.interp needs increasing x
        self.h, self.t = levels[keep], t[keep] / t[keep][-1]
        self.h_min, self.h_max = h_min, h_max

    def __call__(self, h) -> np.ndarray:
        """t for heights h (any shape)."""
        return np.interp(h, self.h, self.t)

    def height_at(self, t) -> np.ndarray:
        """The inverse: the height with normalised value t."""
        return np.interp(t, self.t, self.h)


def shade(h: np.ndarray, gx: np.ndarray, gy: np.ndarray, scale: HeightScale, px_size: float,
          relief_gain: float, palette="war-room") -> np.ndarray:
    """Colour a height raster: heights h and slopes gx = dh/dx, gy = dh/dy [height/world], all of one
    2-D shape S, -> RGB uint8 of shape S + (3,). Works channel by channel on whole 2-D arrays.

    ``px_size`` is the width of one pixel [world] (for the contour width); ``relief_gain``
    [world/height] turns slopes into hillshade (see ``relief_gain_for``).
    """
    p = get(palette)
    f32 = np.float32
    t = scale(h).astype(f32)
    index = (t * f32(RAMP_SIZE - 1)).astype(np.int32)          # t is already in [0, 1]
    slope2 = gx * gx + gy * gy                                   # |grad h|^2
    light = hillshade(gx, gy, relief_gain * p.relief, slope2)
    line, major = contour_strength(h, t, np.sqrt(slope2), scale, px_size)
    # a line lightens dark ground (t < CONTOUR_FLIP) and darkens light ground, majors 1.6x as much
    strength = np.where(t < CONTOUR_FLIP, f32(p.contour_light), f32(p.contour_dark)) * line
    strength *= np.where(major, f32(1.6), f32(1.0))
    target = np.where(t < CONTOUR_FLIP, f32(255.0), f32(0.0))
    out = np.empty(h.shape + (3,), np.uint8)
    table = ramp_table(p)
    for k in range(3):
        c = table[:, k][index]
        c *= light
        c += (target - c) * strength
        out[..., k] = np.clip(c, 0, 255, out=c)
    return out


def hillshade(gx: np.ndarray, gy: np.ndarray, gain: float, slope2: np.ndarray | None = None) -> np.ndarray:
    """The light factor per pixel (1 on flat ground) for slopes gx, gy [height/world].

    The light comes from azimuth az (clockwise from north = world +y), altitude alt:
    l = (sin az cos alt, cos az cos alt, sin alt). The exaggerated surface normal is
    n = (-s gx, -s gy, 1) / sqrt(s^2 |g|^2 + 1) with s = ``gain``; the factor is (n . l) / l_z.
    ``slope2`` = gx^2 + gy^2 may be passed in when already known.
    """
    az, alt = np.radians(LIGHT_AZIMUTH), np.radians(LIGHT_ALTITUDE)
    lx, ly, lz = np.sin(az) * np.cos(alt), np.cos(az) * np.cos(alt), np.sin(alt)
    slope2 = gx * gx + gy * gy if slope2 is None else slope2
    s = np.float32(gain)
    f = (np.float32(lz) - np.float32(lx * gain) * gx - np.float32(ly * gain) * gy)
    f /= np.float32(lz) * np.sqrt(slope2 * (s * s) + np.float32(1.0))
    return np.clip(f, *SHADE_RANGE, out=f).astype(np.float32, copy=False)


def relief_gain_for(gx: np.ndarray, gy: np.ndarray) -> float:
    """A slope exaggeration [world/height] that makes the map's typical steep slope (90th
    percentile of |grad h|) tilt its normal by about 40 degrees, whatever the height units."""
    g = np.hypot(gx, gy).ravel()
    g = g[np.isfinite(g)]
    ref = float(np.percentile(g, 90)) if len(g) else 0.0
    return 0.85 / ref if ref > 0 else 0.0


def contour_strength(h, t, slope, scale: HeightScale, px_size: float):
    """(line, major): line in [0, 1] how much each pixel is covered by the nearest contour line,
    major True where that line is a major one. Levels sit at t = k / CONTOURS, 1 <= k < CONTOURS, so
    no line ever passes through the global minimum (t = 0), nor lies on the map's highest ground
    (t = 1): on a flat top -- a plateau, flat to the last digit -- every pixel at that height would
    count as on the line, and the top would fill with line colour in the 4-pixel cells the art
    interpolates between (a staircase along the rim).

    A pixel's distance to level h_k is |h - h_k| / |grad h| [world], / px_size [px]. Where the
    levels crowd closer than CONTOUR_CROWD px (cliffs), the lines fade instead of turning solid.
    """
    f32 = np.float32
    k = np.clip(np.rint(t * f32(CONTOURS)), 1, CONTOURS - 1).astype(np.int32)
    levels = scale.height_at(np.arange(CONTOURS + 1) / CONTOURS).astype(f32)
    gaps = np.diff(levels)
    per_px = f32(1.0) / np.maximum(slope * f32(px_size), f32(1e-12))   # [px per height unit]
    dist_px = np.abs(h - levels[k]) * per_px
    line = np.clip(f32(CONTOUR_WIDTH / 2 + 0.5) - dist_px, 0.0, 1.0)
    line *= np.clip(gaps[k - 1] * per_px * f32(1.0 / CONTOUR_CROWD) - f32(0.5), 0.0, 1.0)
    return line, (k % MAJOR_EVERY) == 0
