"""World: determinism, divergence handling, statuses, squads and live orders."""
import warnings

import numpy as np
import pytest

import sim
from sim.world import ARRIVED, DESCENDING, DIVERGED, TRAPPED


def world_arrays(w):
    arrays = {"positions": w.positions, "heights": w.heights, "grads": w.grads, "status": w.status,
              "velocity": w.velocity, "trail": w.trail, "arrival": w.arrival_step, "squad": w.squad}
    for s in range(w.n_squads):
        for k, v in w.optimizer(s).state.items():
            arrays[f"opt{s}.{k}"] = v
    return arrays


@pytest.mark.parametrize("name", ["random:5:hard", "09-rastrigin", "11-weather"])
def test_same_seed_gives_bit_identical_worlds(name):
    runs = []
    for _ in range(2):
        if name.startswith("random:"):
            sim.levels._CACHE.clear()            # regenerate the procedural map too
        lvl = sim.load_level(name)
        w = sim.World(lvl, seed=123)
        w.assign(np.arange(w.n_units // 2), 1)
        w.set_orders(1, optimizer="adam" if "adam" in lvl.allowed else lvl.allowed[-1], lr=lvl.lr_range[1] / 3)
        w.step(250)
        w.set_orders(0, lr=lvl.lr_range[1] / 2)
        w.step(250)
        runs.append(world_arrays(w))
    for key in runs[0]:
        assert np.array_equal(runs[0][key], runs[1][key]), key


def test_different_seeds_spawn_differently():
    lvl = sim.load_level("01-bowl")
    assert not np.array_equal(sim.World(lvl, seed=1).positions, sim.World(lvl, seed=2).positions)


@pytest.mark.parametrize("name", sim.campaign())
def test_huge_learning_rate_diverges_cleanly(name):
    lvl = sim.load_level(name)
    w = sim.World(lvl)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        w.set_orders(0, optimizer="sgd" if "sgd" in lvl.allowed else lvl.allowed[0], lr=1e6)
        w.step(30)
    arrays = world_arrays(w)
    for key, a in arrays.items():
        if a.dtype.kind == "f":
            assert np.isfinite(a).all(), key
    # every unit either diverged or (for normalised rules whose step is ~lr) left too
    assert (w.status == DIVERGED).all(), w.counts()
    kinds = {e.kind for e in w.events}
    assert kinds == {"diverged"}


def test_diverged_unit_freezes_at_last_finite_position():
    lvl = sim.load_level("01-bowl")
    w = sim.World(lvl, units=3)
    w.set_orders(0, lr=2.5)           # GD on a bowl of curvature 1 is unstable for lr > 2
    last = None
    while not (w.status == DIVERGED).all():
        last = w.positions.copy()
        w.step()
    w.step(5)
    assert np.array_equal(w.positions, last)
    (x0, x1), _ = lvl.bounds
    assert np.abs(w.positions).max() <= (x1 - x0) * 1.5 + abs(x1)


def test_arrival_and_stars_on_the_bowl():
    lvl = sim.load_level("01-bowl")
    w = sim.World(lvl)
    w.set_orders(0, lr=0.5)
    while not w.over:
        w.step()
    assert w.won and (w.status == ARRIVED).any()
    first = w.outcome()["first_arrival_step"]
    # GD with lr 0.5 on f = |x|^2/2 halves the distance each step: x_k = x_0 / 2^k
    d0 = np.linalg.norm(w.start, axis=1).min()
    assert first == int(np.ceil(np.log2(d0 / lvl.goal_radius)))
    assert w.stars() >= 2


def test_default_orders_do_not_win_the_bowl():
    w = sim.World(sim.load_level("01-bowl"))
    while not w.over:
        w.step()
    assert not w.won


def test_units_settling_elsewhere_are_trapped_and_revived_by_new_orders():
    lvl = sim.load_level("09-rastrigin")
    w = sim.World(lvl)
    w.set_orders(0, optimizer="sgd", lr=lvl.lr_range[0] * 3, momentum=0.0)
    w.step(lvl.budget)
    assert (w.status == TRAPPED).any()
    ev = [e for e in w.events if e.kind == "trapped"]
    assert ev and all(e.near_minimum for e in ev)
    w.set_orders(0, lr=lvl.lr_range[0] * 4)
    assert not (w.status == TRAPPED).any()


def test_squads_follow_their_own_orders():
    lvl = sim.load_level("01-bowl")
    w = sim.World(lvl, units=4, spawn=np.array([[-3.0, 2.0]] * 4))
    w.assign([2, 3], 1)
    w.set_orders(1, lr=0.1)
    w.step()
    # gradient at (-3, 2) is (-3, 2); sgd: x - lr * g
    assert np.allclose(w.positions[0], [-3 + 0.01 * 3, 2 - 0.01 * 2])
    assert np.allclose(w.positions[2], [-3 + 0.1 * 3, 2 - 0.1 * 2])


def test_learning_rate_change_applies_from_the_next_step():
    lvl = sim.load_level("01-bowl")
    w = sim.World(lvl, units=1, spawn=np.array([[4.0, 0.0]]))
    w.step()
    assert w.positions[0, 0] == pytest.approx(4.0 * 0.99)
    w.set_orders(0, lr=0.5)
    w.step()
    assert w.positions[0, 0] == pytest.approx(4.0 * 0.99 * 0.5)


def test_gradient_noise_is_seeded_weather():
    lvl = sim.load_level("11-weather")
    assert lvl.noise > 0
    a, b = sim.World(lvl, seed=3), sim.World(lvl, seed=3)
    c = sim.World(lvl, seed=4)
    for w in (a, b, c):
        w.step(20)
    assert np.array_equal(a.positions, b.positions)
    assert not np.array_equal(a.positions, c.positions)


def test_trail_ring_buffer_holds_the_last_positions_in_order():
    lvl = sim.load_level("01-bowl")
    w = sim.World(lvl, units=2, trail_length=8)
    seen = [w.positions.copy()]
    for _ in range(11):
        w.step()
        seen.append(w.positions.copy())
    assert np.array_equal(w.trail_points(), np.array(seen[-8:]))
    assert np.array_equal(w.trail_points(3), np.array(seen[-3:]))


def test_import_sim_leaves_pygame_out():
    import subprocess
    import sys
    code = "import sys, sim; sim.load_level('01-bowl'); print('pygame' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=str(__import__('pathlib').Path(sim.__file__).parent.parent))
    assert out.stdout.strip() == "False"


def test_an_arrival_after_the_budget_does_not_win():
    lvl = sim.load_level("01-bowl")
    w = sim.World(lvl)
    w.set_orders(0, lr=0.02)                      # slow: arrives only well after the 60-step budget
    w.step(lvl.budget * 4)
    assert (w.status == ARRIVED).any() and w.arrival_step[w.arrival_step >= 0].min() > lvl.budget
    assert not w.won and w.stars() == 0


def test_events_carry_the_step_they_happened_at():
    w = sim.World(sim.load_level("01-bowl"), units=3)
    w.set_orders(0, lr=100.0)
    w.step()
    assert w.step_count == 1 and [e.step for e in w.events] == [1, 1, 1]


def test_bad_orders_change_nothing():
    w = sim.World(sim.load_level("03-ravine"))
    before = (w.orders[0].lr, w.optimizer(0).lr, w.orders[0].momentum, w.optimizer(0).momentum)
    with pytest.raises(ValueError, match="momentum"):
        w.set_orders(0, lr=0.77, momentum=1.5)
    assert (w.orders[0].lr, w.optimizer(0).lr, w.orders[0].momentum, w.optimizer(0).momentum) == before


def test_cached_level_global_min_is_read_only():
    lvl = sim.load_level("01-bowl")
    with pytest.raises(ValueError):
        lvl.global_min[0] = 9.0


def test_every_per_unit_array_is_listed_for_swarms():
    """Swarms drop units by cutting World.UNIT_ARRAYS; any (N,)-shaped array missing there would
    silently fall out of step."""
    w = sim.World(sim.load_level("01-bowl"), units=7)
    per_unit = {k for k, v in vars(w).items() if isinstance(v, np.ndarray) and v.shape[:1] == (7,)}
    assert per_unit == set(sim.World.UNIT_ARRAYS)


# -- keep: dropping units -------------------------------------------------------------------
SQUAD_ORDERS = [("momentum", "per-unit", 0.9), ("adam", 0.05, "per-unit"), ("rmsprop", "per-unit", 0.5),
                ("adagrad", 0.2, 0.0), ("nesterov", 0.01, "per-unit"), ("sgd", "per-unit", 0.0)]


def mixed_world(name, units=240, seed=7):
    """A world of six squads, one per rule, some with a learning rate or momentum per unit."""
    lvl = sim.load_level(name)
    assert lvl.noise == 0                          # fresh noise rows after keep() would differ
    w = sim.World(lvl, seed=seed, units=units, trail_length=16)
    rng = np.random.default_rng(seed)
    squads = np.arange(units) % len(SQUAD_ORDERS)
    for s in range(1, len(SQUAD_ORDERS)):
        w.assign(squads == s, s)
    for s, (opt, lr, mu) in enumerate(SQUAD_ORDERS):
        n = int((squads == s).sum())
        lo, hi = lvl.lr_range
        w.set_orders(s, optimizer=opt, lr=np.geomspace(lo, hi, n) if lr == "per-unit" else lr,
                     momentum=rng.uniform(0, 0.95, n) if mu == "per-unit" else mu)
    return w


@pytest.mark.parametrize("name", ["12-boss", "07-cliff", "09-rastrigin"])
def test_kept_units_go_on_bit_for_bit_as_in_the_whole_world(name):
    """Cut a stepped world down to a mask, step both: the kept rows never differ by a bit.
    (12-boss has Gaussian wells, 07-cliff diverges units, 09-rastrigin traps them.)"""
    whole, cut = mixed_world(name), mixed_world(name)
    whole.step(25)
    cut.step(25)
    mask = np.random.default_rng(1).random(whole.n_units) < 0.4
    mask[whole.squad == 3] = False                 # one squad (adagrad) is left with no one
    cut.keep(mask)
    assert cut.n_units == mask.sum() and cut.counts(3) == dict.fromkeys(sim.world.STATUS_NAMES, 0)
    whole.step(60)
    cut.step(60)
    for key in sim.World.UNIT_ARRAYS:
        assert np.array_equal(getattr(cut, key), getattr(whole, key)[mask]), key
    assert np.array_equal(cut.trail, whole.trail[:, mask])
    assert np.array_equal(cut.trail_points(), whole.trail_points()[:, mask])
    for s in range(whole.n_squads):
        rows = mask[whole.squad == s]
        for key, a in whole.optimizer(s).state.items():
            assert np.array_equal(cut.optimizer(s).state[key], a[rows]), (s, key)
        for key in ("lr", "momentum"):
            expect = getattr(whole.optimizer(s), key)
            expect = expect if np.ndim(expect) == 0 else expect[rows]
            assert np.array_equal(getattr(cut.optimizer(s), key), expect), (s, key)
            assert np.array_equal(getattr(cut.orders[s], key), expect), (s, key)
    assert (whole.status != DESCENDING).any()      # some units stopped on the way


def test_keep_cuts_every_per_unit_array_and_the_trail():
    w = mixed_world("12-boss", units=30)
    w.step(3)
    mask = np.zeros(30, bool)
    mask[[0, 4, 5, 17, 29]] = True
    before = {key: getattr(w, key).copy() for key in sim.World.UNIT_ARRAYS}
    trail = w.trail.copy()
    w.keep(mask)
    for key in sim.World.UNIT_ARRAYS:
        assert np.array_equal(getattr(w, key), before[key][mask]), key
    assert w.trail.shape == (16, 5, 2) and np.array_equal(w.trail, trail[:, mask])
    assert [len(m) for m in w._members] == [np.count_nonzero(w.squad == s) for s in range(w.n_squads)]
    w.step()                                       # and the cut world steps


@pytest.mark.parametrize("mask, match", [(np.zeros(6, bool), "at least one"),
                                         (np.ones(5, bool), "shape"),
                                         (np.ones((6, 1), bool), "shape"),
                                         (np.array([0, 1, 2]), "boolean"),
                                         (np.ones(6, int), "boolean")])
def test_keep_refuses_an_empty_or_malformed_mask_and_changes_nothing(mask, match):
    w = sim.World(sim.load_level("01-bowl"), units=6)
    w.step(2)
    positions = w.positions.copy()
    with pytest.raises(ValueError, match=match):
        w.keep(mask)
    assert np.array_equal(w.positions, positions) and w.trail.shape[1] == 6
