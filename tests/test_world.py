"""World: determinism, divergence handling, statuses, squads and live orders."""
import warnings

import numpy as np
import pytest

import sim
from sim.world import ARRIVED, DIVERGED, TRAPPED


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
