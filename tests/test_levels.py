"""The shipped campaign: every level loads, has exact gradients, is winnable inside its own ranges
and budget, is not won by its default orders, and teaches what its briefing says.

Each level's expensive work (one vectorized sweep over allowed optimizers x lr x momentum from the
level's own spawn, and one run of the default orders) happens once, in a module-scoped fixture.
"""
import re
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest

import sim
from sim.sweep import lr_grid, momentum_grid, sweep
from sim.world import DIVERGED
from tests.gradcheck import grad_rel_error

ROOT = Path(__file__).resolve().parent.parent
LEVELS = sim.campaign()
REQUIRED = ["01-bowl", "02-overshoot", "03-ravine", "04-banana", "05-saddle", "06-plateau", "07-cliff",
            "08-himmelblau", "09-rastrigin", "10-ackley", "11-weather", "12-boss", "13-boss-hard"]
GRAD_POINTS = 256
SWEEP_LRS, SWEEP_MOMENTA = 12, 6        # the proof sweep's grid (log-spaced lrs x evenly spaced momenta)


@pytest.fixture(scope="module", params=LEVELS)
def played(request):
    """A level with its sweep (every allowed optimizer x lr x momentum, from the level's own spawn
    for its default seed) and the run of its default orders."""
    level = sim.load_level(request.param)
    result = sweep(level, lrs=lr_grid(level, SWEEP_LRS), momenta=momentum_grid(level, SWEEP_MOMENTA))
    world = sim.World(level)
    while world.step_count < level.budget and (world.status == sim.DESCENDING).any():
        world.step()
    return level, result, world


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]


# -- the campaign as a whole -----------------------------------------------------------------
def test_campaign_has_the_arc_in_order():
    assert len(LEVELS) >= 13
    assert LEVELS[:len(REQUIRED)] == REQUIRED


def test_titles_unique_and_texts_complete():
    levels = [sim.load_level(n) for n in LEVELS]
    titles = [lv.title for lv in levels]
    assert len(set(titles)) == len(titles), titles
    for lv in levels:
        assert lv.title and lv.lesson and lv.hint, lv.id
        assert "\n" not in lv.lesson, lv.id
        assert 2 <= len(sentences(lv.briefing)) <= 4, (lv.id, sentences(lv.briefing))


def test_allowed_optimizers_grow_along_the_arc():
    allowed = [set(sim.load_level(n).allowed) for n in LEVELS]
    assert allowed[0] == {"sgd"}
    for before, after, name in zip(allowed, allowed[1:], LEVELS[1:]):
        assert before <= after, name
    assert allowed[-1] == set(sim.OPTIMIZERS)


def test_levels_command_lists_the_campaign_in_order():
    proc = subprocess.run([sys.executable, str(ROOT / "main.py"), "levels"], capture_output=True, text=True,
                          timeout=120, cwd=str(ROOT))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    headings = [line for line in lines if not line.startswith(" ")]
    assert headings == [f"Chapter {k}: {c.name} -- {c.theme}" for k, c in enumerate(sim.chapters(), 1)]
    rows = [line for line in lines if line.startswith("  ")]
    assert [line.split()[1] for line in rows] == LEVELS and len(rows) + len(headings) == len(lines)
    assert [line.split()[0] for line in rows] == [f"{k:02d}" for k in range(1, len(LEVELS) + 1)]
    assert sim.load_level("17").id == LEVELS[16] and sim.load_level("03").id == LEVELS[2]   # as the screen numbers
    bosses = {name for c in sim.chapters() for name in c.bosses}
    for line, name in zip(rows, LEVELS):
        assert sim.load_level(name).title in line
        assert re.search(r"\b(box|plans) \d+\.\d%", line), line            # its measured difficulty
        assert (" BOSS " in line) == (name in bosses), line


# -- every level ---------------------------------------------------------------------------------
@pytest.mark.parametrize("name", LEVELS)
def test_global_minimum_is_interior_and_lowest(name):
    lv = sim.load_level(name)
    (x0, x1), (y0, y1) = lv.bounds
    gx, gy = lv.global_min
    assert x0 < gx < x1 and y0 < gy < y1
    best = lv.minima[0]
    assert not best.on_edge
    assert np.allclose(best.xy, lv.global_min)
    assert all(lv.global_min_height <= m.height for m in lv.minima)
    assert lv.terrain.height(lv.global_min)[0] == pytest.approx(lv.global_min_height, abs=1e-9)
    # the goal is not an accident of rounding: any other minimum is clearly shallower
    others = [m.height for m in lv.minima[1:]]
    if others:
        assert min(others) - lv.global_min_height >= 0.05


@pytest.mark.parametrize("name", LEVELS)
def test_gradient_matches_finite_differences(name):
    lv = sim.load_level(name)
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    (x0, x1), (y0, y1) = lv.bounds
    xy = np.column_stack([rng.uniform(x0, x1, GRAD_POINTS), rng.uniform(y0, y1, GRAD_POINTS)])
    kinks = getattr(lv.terrain, "kink_distance", None)
    if kinks is not None:       # ReLU landscapes: a difference taken across a kink is no derivative
        xy = xy[kinks(xy) > 1e-4]
        assert len(xy) >= 200
    assert grad_rel_error(lv.terrain, xy) <= 1e-6


@pytest.mark.parametrize("name", LEVELS)
def test_orders_and_stars_are_sane(name):
    lv = sim.load_level(name)
    assert lv.optimizer in lv.allowed
    assert lv.lr_range[0] <= lv.lr <= lv.lr_range[1]
    assert 30 <= lv.budget <= 400
    assert 1 <= lv.star_steps < lv.budget
    assert 0 <= lv.star_units_lost < lv.units
    (x0, x1), (y0, y1) = lv.bounds
    cx, cy = lv.spawn_center
    assert x0 <= cx - lv.spawn_radius and cx + lv.spawn_radius <= x1
    assert y0 <= cy - lv.spawn_radius and cy + lv.spawn_radius <= y1
    assert np.hypot(*(np.asarray(lv.spawn_center) - lv.global_min)) > lv.spawn_radius + lv.goal_radius


def test_winnable_inside_its_ranges_and_budget(played):
    """A level that needs more than constant orders is proven winnable by a plan (tests/test_plans.py);
    here its sweep must find no winning cell at all."""
    level, result, _ = played
    assert result.optimizers == level.allowed
    if level.needs:
        assert not result.won().any(), f"{level.id}: constant orders win a level that says it needs a {level.needs}"
        return
    assert result.won().any(), f"{level.id}: no cell of the sweep reaches the global minimum"
    assert (result.first_arrival[result.won()] <= level.budget).all()


def test_default_orders_do_not_win(played):
    level, _, world = played
    assert not world.won, f"{level.id}: the default orders already win ({world.counts()})"
    assert world.step_count == level.budget or not (world.status == sim.DESCENDING).any()


# -- each level teaches its lesson: the naive approach loses, the intended fix wins broadly -------------
def cells(result, optimizer):
    """Winning cells of one optimizer, as a boolean (momenta, lrs) array."""
    return result.won()[result.optimizers.index(optimizer)]


def lr_span(result, won_row) -> float:
    """Ratio between the largest and smallest winning learning rate of a row (1 if none)."""
    lrs = result.lrs[won_row]
    return float(lrs.max() / lrs.min()) if len(lrs) else 1.0


LESSONS = {
    # level: (optimizers that must never win, {optimizer: least number of winning cells of the 12 x 6})
    "01-bowl": ((), {"sgd": 4}),
    "02-overshoot": ((), {"sgd": 4}),
    "03-ravine": (("sgd",), {"momentum": 6}),
    "04-banana": (("sgd",), {"momentum": 6, "nesterov": 4}),
    "05-saddle": (("sgd",), {"momentum": 5, "adam": 20}),
    "06-plateau": (("sgd",), {"adam": 30, "rmsprop": 20}),
    "07-cliff": ((), {"sgd": 12, "adam": 25}),
    "08-himmelblau": (("sgd",), {"momentum": 8}),
    "09-rastrigin": (("sgd",), {"momentum": 10}),
    "10-ackley": ((), {"sgd": 12}),
    "11-weather": ((), {"sgd": 15}),
    "12-boss": (("sgd",), {"rmsprop": 15}),
    "13-boss-hard": (("sgd",), {"rmsprop": 10}),
}


def test_lesson_is_real(played):
    level, result, _ = played
    if level.id not in LESSONS:
        pytest.skip("no lesson table for this level")
    losers, winners = LESSONS[level.id]
    for opt in losers:
        assert not cells(result, opt).any(), f"{level.id}: {opt} should never win"
        # not even at a learning rate between the grid's points: a fine scan (plain SGD ignores momentum)
        fine = sweep(level, optimizers=[opt], lrs=lr_grid(level, 60), momenta=[0.0])
        assert not fine.won().any(), f"{level.id}: {opt} wins at lr {fine.lrs[fine.won()[0, 0]]}"
    for opt, n in winners.items():
        got = int(cells(result, opt).sum())
        assert got >= n, f"{level.id}: {opt} wins only {got} cells, expected at least {n}"


@pytest.mark.parametrize("name", ["02-overshoot", "07-cliff", "11-weather"])
def test_too_bold_defaults_fly_off_the_map(name):
    """The default lr is too bold: every unit leaves the map, and no bolder lr wins either."""
    level = sim.load_level(name)
    world = sim.World(level)
    world.step(level.budget)
    assert (world.status == DIVERGED).all(), world.counts()
    bold = sweep(level, optimizers=["sgd"], lrs=np.geomspace(level.lr, level.lr_range[1], 4), momenta=[0.0])
    if level.noise > 0:          # weather: a lucky gust may carry a unit in, but almost never
        assert bold.arrived.mean() <= 0.02
    else:
        assert not bold.won().any()


def test_overshoot_obeys_the_stability_limit():
    level = sim.load_level("02-overshoot")
    limit = 2.0 / level.terrain.curvature           # GD on curvature a is stable iff lr < 2/a
    assert level.lr > limit
    r = sweep(level, lrs=[0.95 * limit, 1.05 * limit])
    assert r.won()[0, 0].tolist() == [True, False]


def test_momentum_wins_where_sgd_crawls():
    """03-ravine: for momenta 0.6 to 0.8 a band of learning rates at least 2x wide wins."""
    level = sim.load_level("03-ravine")
    r = sweep(level, optimizers=["momentum"], momenta=[0.6, 0.7, 0.8])
    for row in r.won()[0]:
        assert lr_span(r, row) >= 2.0


def test_rastrigin_traps_small_sgd_steps_in_local_minima():
    level = sim.load_level("09-rastrigin")
    w = sim.World(level)
    w.set_orders(0, optimizer="sgd", lr=level.lr_range[0] * 3)
    w.step(level.budget)
    assert (w.status == sim.TRAPPED).all()
    trapped = [e for e in w.events if e.kind == "trapped"]
    assert trapped and all(e.near_minimum for e in trapped)
    assert all(e.height > level.global_min_height + 0.3 for e in trapped)


def test_saddle_stalls_plain_descent_on_the_pass():
    level = sim.load_level("05-saddle")
    w = sim.World(level)
    w.step(level.budget)
    trapped = [e for e in w.events if e.kind == "trapped"]
    assert trapped and not any(e.near_minimum for e in trapped)     # stuck on the pass, not in a valley


def test_plateau_gradient_is_small_but_above_adam_eps():
    level = sim.load_level("06-plateau")
    w = sim.World(level)
    g = np.hypot(*w.grads.T)
    assert (g < 1e-3).all() and (g > 1e-6).all()
