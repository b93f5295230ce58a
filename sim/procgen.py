"""Procedural maps: a terrain composed from a seed and a difficulty, certified solvable.

``generate(seed, difficulty)`` draws every number from ``np.random.default_rng([seed, attempt])``:

1. Compose a raw landscape on the square BOUNDS: a wide, off-centre, slightly elongated bowl (the
   basin that keeps units in), Gaussian wells of varied depth and width (the deepest is the
   intended goal), ridges (elongated Gaussian hills), egg-crate ripples (a field of small local
   minima, aligned so that one of their dips sits in the goal well), tanh plateaus (vanishing
   gradients) and tanh cliffs (steep gradients). How many of each and how strong is the
   difficulty's ``Recipe``.
2. Normalise: f = k raw + c with k, c chosen so that a RASTER of f spans exactly 0..HEIGHT_SPAN,
   so one learning-rate range suits every map.
3. Certify with ``find_minima``: the global minimum must be interior (not pinned to the boundary,
   at least EDGE_MARGIN from it), lower than every other minimum -- edge minima included -- by
   MARGIN of the height range, and no raster cell may lie below it (nothing was missed); the
   steepest raster slope must stay below MAX_SLOPE. A map that fails is re-rolled with
   attempt + 1, so the same seed always gives the same map.
4. Place the spawn zone on the slopes, at least SPAWN_DISTANCE from the global minimum (the same
   attempt's rng, after the terrain's draws).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .minima import Minimum, find_minima
from .terrain import (Bowl, Cliff, Constant, Field, GaussianWells, Plateau, Ridge, Ripples, Sum,
                      grid_points)

BOUNDS = ((-10.0, 10.0), (-10.0, 10.0))   # every procedural map [world]
WIDTH = 20.0                              # side of BOUNDS [world]
HEIGHT_SPAN = 10.0                        # raster heights span 0..HEIGHT_SPAN [height units]
RASTER = (128, 128)                       # raster used to normalise and check slopes [cells]
MINIMA_GRID = 40                          # descent starts per side (cell 0.5 [world])
MARGIN = 0.05                             # global min beats the runner-up by this [fraction of range]
EDGE_MARGIN = 0.05                        # global min this far from the boundary [fraction of WIDTH]
MAX_SLOPE = 20.0                          # steepest raster |grad f| allowed [height units / world]
SPAWN_DISTANCE = 0.4                      # spawn centre to global min, at least [fraction of WIDTH]
SPAWN_RADIUS = 1.5                        # [world]
SPAWN_MIN_SLOPE = 0.05                    # a spawn point feels a slope at least this steep
MAX_ATTEMPTS = 200                        # re-rolls before giving up (never reached in practice)
DIFFICULTIES = ("easy", "normal", "hard")


@dataclass(frozen=True)
class Recipe:
    """How a difficulty composes its map. Pairs are (low, high) ranges drawn uniformly; counts are
    inclusive integer ranges. Heights are raw (before normalisation), lengths [world]."""
    wells: tuple = (3, 4)                 # Gaussian wells besides the goal well
    well_depth: tuple = (1.0, 3.0)        # raw depth of the other wells
    well_sigma: tuple = (1.2, 3.0)        # well width [world]
    goal_sigma: tuple = (1.2, 2.5)        # goal-well width [world]
    ridges: tuple = (1, 1)                # elongated Gaussian hills
    ridge_height: tuple = (1.0, 2.0)
    ripple_amplitude: tuple = (0.0, 0.05)  # each cosine's amplitude
    ripple_wavelength: tuple = (3.0, 4.0)  # [world]
    plateaus: tuple = (0, 0)              # tanh basins with flat rims
    cliffs: tuple = (0, 0)                # tanh steps
    cliff_width: tuple = (0.4, 0.8)       # half-width of the step band [world]


RECIPES = {
    "easy": Recipe(),
    "normal": Recipe(wells=(5, 7), well_depth=(1.0, 3.5), well_sigma=(0.9, 2.5),
                     goal_sigma=(1.0, 2.0), ridges=(2, 3), ridge_height=(1.0, 2.5),
                     ripple_amplitude=(0.08, 0.18), ripple_wavelength=(2.5, 3.5),
                     plateaus=(0, 1), cliffs=(0, 1), cliff_width=(0.3, 0.6)),
    "hard": Recipe(wells=(8, 11), well_depth=(1.0, 4.0), well_sigma=(0.8, 2.2),
                   goal_sigma=(0.8, 1.6), ridges=(3, 4), ridge_height=(1.5, 3.0),
                   ripple_amplitude=(0.18, 0.3), ripple_wavelength=(2.0, 3.0),
                   plateaus=(1, 2), cliffs=(1, 2), cliff_width=(0.15, 0.4)),
}


@dataclass(frozen=True)
class ProcMap:
    """A certified procedural map. ``terrain`` heights span 0..HEIGHT_SPAN on a RASTER of
    ``bounds`` [world]; ``minima`` is every minimum found, lowest first, ``minima[0]`` at
    ``global_min``; ``height_range`` = max - min of that raster [height units]; the spawn zone is
    the disc of ``spawn_radius`` [world] around ``spawn_center``; ``rerolls`` counts rejected
    attempts before this one."""
    seed: int
    difficulty: str
    terrain: Field
    bounds: tuple
    minima: list
    global_min: tuple
    height_range: float
    spawn_center: tuple
    spawn_radius: float
    rerolls: int


def generate(seed: int, difficulty: str = "normal") -> ProcMap:
    """The map of ``seed`` (an integer >= 0) at ``difficulty`` (easy | normal | hard).

    Deterministic: attempt a = 0, 1, ... draws from ``default_rng([seed, a])`` until a map passes
    ``certify``; the result records how many attempts were re-rolled.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be an integer >= 0, got {seed!r}")
    if difficulty not in RECIPES:
        raise ValueError(f"difficulty must be one of {', '.join(DIFFICULTIES)}, got {difficulty!r}")
    recipe = RECIPES[difficulty]
    for attempt in range(MAX_ATTEMPTS):
        rng = np.random.default_rng([int(seed), attempt])
        terrain, heights, steepest = normalise(compose(rng, recipe))
        minima = certify(terrain, heights, steepest)
        if minima is None:
            continue
        center = spawn_center(rng, terrain, minima, heights)
        return ProcMap(int(seed), difficulty, terrain, BOUNDS, minima, minima[0].xy,
                       float(np.ptp(heights)), center, SPAWN_RADIUS, attempt)
    raise RuntimeError(f"no certifiable map for seed {seed} after {MAX_ATTEMPTS} attempts")


def _uniform(rng, pair, size=None):
    return rng.uniform(pair[0], pair[1], size)


def _count(rng, pair) -> int:
    return int(rng.integers(pair[0], pair[1] + 1))


def _spot(rng, reach) -> tuple:
    """A uniform random point of the square [-reach, reach]^2 [world]."""
    x, y = rng.uniform(-reach, reach, 2)
    return float(x), float(y)


def compose(rng: np.random.Generator, recipe: Recipe) -> Field:
    """A raw landscape drawn from ``rng`` following ``recipe`` (heights not yet normalised)."""
    half = 0.5 * WIDTH
    bowl = Bowl(curvature=_uniform(rng, (3.0, 5.0)) / half ** 2,     # rises 1.5..2.5 at the edge
                condition=_uniform(rng, (1.0, 2.5)), angle=_uniform(rng, (0.0, 180.0)),
                center=_spot(rng, 0.3 * half))
    n = _count(rng, recipe.wells)
    centers = _uniform(rng, (-0.9 * half, 0.9 * half), (n + 1, 2))
    centers[0] = _spot(rng, 0.7 * half)         # the goal, well inside
    depths = _uniform(rng, recipe.well_depth, n + 1)
    depths[0] = recipe.well_depth[1] + _uniform(rng, (0.5, 1.5))     # the goal is the deepest
    sigmas = _uniform(rng, recipe.well_sigma, n + 1)
    sigmas[0] = _uniform(rng, recipe.goal_sigma)
    parts = [bowl, GaussianWells(centers, depths, sigmas)]
    for _ in range(_count(rng, recipe.ridges)):
        parts.append(Ridge(amplitude=_uniform(rng, recipe.ridge_height),
                           center=_spot(rng, half),
                           angle=_uniform(rng, (0.0, 180.0)), length=_uniform(rng, (2.0, 5.0)),
                           width=_uniform(rng, (0.4, 1.0))))
    # cos(k u + pi) has a dip at u = 0: shifting the lattice by the goal centre puts one in the goal
    parts.append(Ripples(amplitude=_uniform(rng, recipe.ripple_amplitude),
                         wavelength=_uniform(rng, recipe.ripple_wavelength),
                         angle=_uniform(rng, (0.0, 90.0)), phase=math.pi).shifted(centers[0]))
    for _ in range(_count(rng, recipe.plateaus)):
        parts.append(Plateau(amplitude=_uniform(rng, (1.0, 2.5)),
                             center=_spot(rng, half),
                             radius=_uniform(rng, (3.0, 6.0))))
    for _ in range(_count(rng, recipe.cliffs)):
        parts.append(Cliff(amplitude=_uniform(rng, (1.0, 2.5)), angle=_uniform(rng, (0.0, 360.0)),
                           offset=_uniform(rng, (-0.6 * half, 0.6 * half)),
                           width=_uniform(rng, recipe.cliff_width)))
    return Sum(parts)


def normalise(raw: Field):
    """f = k raw + c with k = HEIGHT_SPAN / (max - min) and c = -k min over a RASTER of raw.

    Returns f, its RASTER heights (H, W) [height units] and its steepest raster slope
    max |grad f| [height units / world].
    """
    h, g = raw.height_and_grad(grid_points(BOUNDS, RASTER))
    lo, hi = float(h.min()), float(h.max())
    k = HEIGHT_SPAN / (hi - lo)
    c = -k * lo
    steepest = k * float(np.sqrt(np.max(np.einsum("ij,ij->i", g, g))))
    return Sum([k * raw, Constant(c)]), (k * h + c).reshape(RASTER), steepest


def certify(terrain: Field, heights: np.ndarray, steepest: float) -> list[Minimum] | None:
    """Every minimum of ``terrain`` if the map is fair (see the module docstring), else None."""
    if steepest > MAX_SLOPE:
        return None
    minima = find_minima(terrain, BOUNDS, grid=MINIMA_GRID)
    if not minima:
        return None
    best = minima[0]
    (xmin, xmax), (ymin, ymax) = BOUNDS
    x, y = best.xy
    room = min(x - xmin, xmax - x, y - ymin, ymax - y)
    span = float(np.ptp(heights))
    if best.on_edge or room < EDGE_MARGIN * WIDTH or heights.min() < best.height - 1e-9 * span:
        return None
    if len(minima) > 1 and minima[1].height - best.height < MARGIN * span:
        return None
    return minima


def spawn_center(rng: np.random.Generator, terrain: Field, minima: list[Minimum], heights) -> tuple:
    """A spawn centre on the slopes, from 256 random points whose spawn disc lies inside the map.

    The first candidate that is at least SPAWN_DISTANCE from the global minimum, in the upper 70%
    of the height range, on a slope |grad f| >= SPAWN_MIN_SLOPE and with no minimum inside its disc
    (units do not start trapped); failing that, the same without the last condition, then only the
    distance, then the candidate farthest from the global minimum.
    """
    (xmin, xmax), (ymin, ymax) = BOUNDS
    pad = SPAWN_RADIUS + 0.02 * WIDTH
    pts = np.column_stack([rng.uniform(xmin + pad, xmax - pad, 256),
                           rng.uniform(ymin + pad, ymax - pad, 256)])
    h, g = terrain.height_and_grad(pts)
    spots = np.array([m.xy for m in minima])
    gap = np.hypot(pts[:, None, 0] - spots[None, :, 0], pts[:, None, 1] - spots[None, :, 1])  # (256, M)
    far = gap[:, 0] >= SPAWN_DISTANCE * WIDTH
    slope = (h >= heights.min() + 0.3 * np.ptp(heights)) & (np.hypot(*g.T) >= SPAWN_MIN_SLOPE)
    clear = gap.min(axis=1) > SPAWN_RADIUS
    for ok in (far & slope & clear, far & slope, far):
        if ok.any():
            i = int(np.argmax(ok))
            break
    else:
        i = int(np.argmax(gap[:, 0]))
    return float(pts[i, 0]), float(pts[i, 1])
