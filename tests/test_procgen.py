"""Procedural maps: every seed certified by an independent dense raster, deterministic, and harder
difficulties composed of more and rougher parts."""
import hashlib
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from sim import procgen
from sim.procgen import BOUNDS, ProcMap, generate
from sim.terrain import GaussianWells, Ripples, Scaled, Sum, Transformed, grid_points

SEEDS = range(200)
DENSE = (300, 300)                # 5.5 times the points of the certification raster
ROOT = Path(__file__).resolve().parents[1]


def difficulty_of(seed):
    return procgen.DIFFICULTIES[seed % 3]


@pytest.fixture(scope="module")
def maps():
    return {seed: generate(seed, difficulty_of(seed)) for seed in SEEDS}


def dense_raster(terrain, shape=DENSE):
    """Heights on a dense raster, evaluated in blocks of rows to stay in cache."""
    pts = grid_points(BOUNDS, shape)
    step = 40 * shape[1]
    blocks = [terrain.height(pts[i:i + step]) for i in range(0, len(pts), step)]
    return np.concatenate(blocks).reshape(shape)


def leaves(field):
    """The components of a composed field, through sums, scalings and moves."""
    if isinstance(field, Sum):
        for part in field.parts:
            yield from leaves(part)
    elif isinstance(field, (Scaled, Transformed)):
        yield from leaves(field.inner)
    else:
        yield field


def digest(m, shape=(64, 64)):
    """sha256 of the map's raster bytes."""
    return hashlib.sha256(m.terrain.raster(BOUNDS, shape).tobytes()).hexdigest()


def raster_minima(heights):
    """Flat indices of the cells lower than all eight neighbours (the map's edge counts as +inf)."""
    p = np.pad(heights, 1, constant_values=np.inf)
    centre = p[1:-1, 1:-1]
    lowest = np.ones(heights.shape, bool)
    for di in (-1, 0, 1):
        for dj in (-1, 0, 1):
            if di or dj:
                lowest &= centre < p[1 + di:p.shape[0] - 1 + di, 1 + dj:p.shape[1] - 1 + dj]
    return np.flatnonzero(lowest)


def plain_descent(field, xy, steps=1500):
    """Monotone gradient descent: step 0.01 [world / slope], 1.2x after a success, 0.5x after a failure."""
    x = np.array(xy, float)
    h, g = field.height_and_grad(x)
    lr = np.full(len(x), 0.01)
    for _ in range(steps):
        trial = np.clip(x - lr[:, None] * g, -10.0, 10.0)
        ht, gt = field.height_and_grad(trial)
        ok = ht < h
        x[ok], h[ok], g[ok] = trial[ok], ht[ok], gt[ok]
        lr = np.where(ok, 1.2 * lr, 0.5 * lr)
    return x


@pytest.mark.parametrize("seed", SEEDS)
def test_single_interior_global_minimum_with_margin(maps, seed):
    m = maps[seed]
    best, margin = m.minima[0], procgen.MARGIN * m.height_range
    assert m.global_min == best.xy and not best.on_edge
    (xmin, xmax), (ymin, ymax) = m.bounds
    x, y = m.global_min
    assert min(x - xmin, xmax - x, y - ymin, ymax - y) >= procgen.EDGE_MARGIN * procgen.WIDTH
    assert m.height_range == pytest.approx(procgen.HEIGHT_SPAN, rel=1e-12)
    assert all(other.height - best.height >= margin for other in m.minima[1:])
    # independently: nothing on a dense raster is lower, and its lowest cell is at the global minimum
    pts = grid_points(BOUNDS, DENSE)
    heights = dense_raster(m.terrain)
    assert heights.min() >= best.height - 1e-9
    assert np.hypot(*(pts[np.argmin(heights)] - m.global_min)) < 0.25
    assert -0.5 <= heights.min() and heights.max() <= procgen.HEIGHT_SPAN + 0.5
    # every other valley of the raster is higher by the margin, or drains into the global minimum
    cells = raster_minima(heights)
    elsewhere = np.hypot(*(pts[cells] - m.global_min).T) > 0.5
    close_call = cells[elsewhere & (heights.ravel()[cells] < best.height + margin)]
    if len(close_call):
        ends = plain_descent(m.terrain, pts[close_call])
        assert np.all(np.hypot(*(ends - m.global_min).T) < 1e-3)


@pytest.mark.parametrize("seed", SEEDS[::10])
def test_slopes_and_spawn_zone(maps, seed):
    m = maps[seed]
    g = m.terrain.grad(grid_points(BOUNDS, (200, 200)))
    assert np.hypot(*g.T).max() <= procgen.MAX_SLOPE
    spawn = np.asarray(m.spawn_center)
    assert np.hypot(*(spawn - m.global_min)) >= procgen.SPAWN_DISTANCE * procgen.WIDTH
    (xmin, xmax), (ymin, ymax) = m.bounds
    r = m.spawn_radius
    assert xmin + r <= spawn[0] <= xmax - r and ymin + r <= spawn[1] <= ymax - r
    h = m.terrain.height(spawn)[0]
    assert h > m.minima[0].height + procgen.MARGIN * m.height_range


def test_spawn_zones_usually_hold_no_trap(maps):
    clear = [all(np.hypot(*(np.asarray(mm.xy) - m.spawn_center)) > m.spawn_radius for mm in m.minima)
             for m in maps.values()]
    assert np.mean(clear) >= 0.95


def test_types_and_frozen(maps):
    m = maps[0]
    assert isinstance(m, ProcMap) and m.seed == 0 and m.difficulty == "easy"
    assert m.bounds == ((-10.0, 10.0), (-10.0, 10.0))
    numbers = (*m.global_min, *m.spawn_center, m.height_range, m.spawn_radius)
    assert all(isinstance(v, float) for v in numbers)
    assert isinstance(m.rerolls, int) and m.rerolls >= 0
    with pytest.raises(AttributeError):
        m.seed = 1


def test_same_seed_same_map(maps):
    for seed in (0, 1, 2, 57):
        again = generate(seed, difficulty_of(seed))
        first = maps[seed].terrain.raster(BOUNDS, (97, 101))
        assert np.array_equal(again.terrain.raster(BOUNDS, (97, 101)), first)
        assert again.minima == maps[seed].minima and again.spawn_center == maps[seed].spawn_center
        assert again.rerolls == maps[seed].rerolls


def test_same_seed_same_map_in_a_fresh_process():
    code = ("import hashlib, sys; sys.path.insert(0, sys.argv[1]); from sim.procgen import BOUNDS, generate; "
            "r = generate(11, 'hard').terrain.raster(BOUNDS, (64, 64)); "
            "print(hashlib.sha256(r.tobytes()).hexdigest())")
    out = subprocess.run([sys.executable, "-c", code, str(ROOT)], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == digest(generate(11, "hard"))


def test_different_seeds_different_maps(maps):
    digests = {digest(m) for m in maps.values()}
    assert len(digests) == len(maps)
    assert len({m.global_min for m in maps.values()}) == len(maps)
    assert digest(generate(5, "easy")) != digest(generate(5, "hard"))


def test_rerolls_are_deterministic_and_rejected_attempts_fail_certification(maps):
    rerolled = [m for m in maps.values() if m.rerolls > 0]
    assert 0 < len(rerolled) < len(maps) / 3
    m = rerolled[0]
    for attempt in range(m.rerolls):
        rng = np.random.default_rng([m.seed, attempt])
        raw = procgen.compose(rng, procgen.RECIPES[m.difficulty])
        terrain, heights, steepest = procgen.normalise(raw)
        assert procgen.certify(terrain, heights, steepest) is None


def composition(m):
    kinds = Counter(type(leaf).__name__ for leaf in leaves(m.terrain))
    wells = next(leaf for leaf in leaves(m.terrain) if isinstance(leaf, GaussianWells))
    ripples = next(leaf for leaf in leaves(m.terrain) if isinstance(leaf, Ripples))
    return kinds, len(wells.depths), ripples.amplitude


def test_difficulty_changes_the_composition(maps):
    by = {d: [composition(m) for m in maps.values() if m.difficulty == d]
          for d in procgen.DIFFICULTIES}
    wells = {d: np.mean([w for _, w, _ in c]) for d, c in by.items()}
    ripple = {d: np.mean([a for _, _, a in c]) for d, c in by.items()}
    assert wells["easy"] < wells["normal"] < wells["hard"]
    assert ripple["easy"] < ripple["normal"] < ripple["hard"]
    assert all(k["Cliff"] == 0 and k["Plateau"] == 0 for k, _, _ in by["easy"])
    assert all(k["Cliff"] >= 1 and k["Plateau"] >= 1 for k, _, _ in by["hard"])
    ridges = {d: np.mean([k["Ridge"] for k, _, _ in c]) for d, c in by.items()}
    assert ridges["easy"] < ridges["normal"] < ridges["hard"]
    minima = {d: np.median([len(m.minima) for m in maps.values() if m.difficulty == d]) for d in by}
    assert minima["easy"] < minima["normal"] < minima["hard"]


@pytest.mark.parametrize("seed, difficulty",
                         [(-1, "easy"), (1.5, "easy"), (True, "easy"), (3, "nightmare")])
def test_bad_arguments(seed, difficulty):
    with pytest.raises(ValueError):
        generate(seed, difficulty)
