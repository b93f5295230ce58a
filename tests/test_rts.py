"""Decisions during the descent (sim/drops.py, sim/explored.py, supply in sim/world.py): supply and
its spending, holding a squad, drops and redeploys onto explored ground, the explored record against
a brute-force reference, and the same commands giving bit-identical worlds."""
import math

import numpy as np
import pytest

import sim
from sim.drops import DROP_COST, DROP_SPREAD
from sim.explored import Explored
from sim.levels import LevelError, parse_level
from sim.sweep import Swarm
from sim.world import TRAPPED, SETTLE_STEPS
from tests.test_world import world_arrays

RAVINE = "03-ravine"


def bowl_data(**top):
    """A small level table to vary: a bowl, 10 units, budget 100."""
    data = {"title": "t", "briefing": "b. c.", "bounds": [[-5, 5], [-5, 5]], "budget": 100, "goal_radius": 0.3,
            "units": 10, "spawn": {"center": [-3.0, 3.0], "radius": 0.5},
            "orders": {"optimizer": "sgd", "lr": 0.01, "lr_range": [0.001, 1.0]},
            "stars": {"steps": 50, "units_lost": 2}, "terrain": [{"type": "bowl"}]}
    data.update(top)
    return data


# -- supply -------------------------------------------------------------------------------------
def test_default_supply_is_units_times_budget_and_each_moving_unit_spends_one():
    level = sim.load_level(RAVINE)
    assert level.supply == level.units * level.budget and level.star_supply == level.supply
    w = sim.World(level)
    assert w.supply_left == w.supply == level.supply and w.spend_rate == level.units
    w.step(7)
    assert w.supply_spent == 7 * level.units
    assert sim.World(level, units=3).supply == 3 * level.budget       # scaled to the world's size


def test_running_out_of_supply_ends_the_run_and_later_arrivals_do_not_win():
    level = parse_level(bowl_data(supply=100), "<t>", "t")
    w = sim.World(level)
    w.set_orders(0, lr=0.02)                   # slow: needs far more than 10 steps of 10 units
    w.step(10)
    assert w.supply_left == 0 and w.over and not w.won and w.spend_rate == 0
    assert [e.kind for e in w.events] == ["out_of_supply"] and w.supply_out_step == 10
    w.set_orders(0, lr=0.5)
    w.step(40)                                 # the world steps on if asked, but the run is over
    assert (w.status == sim.ARRIVED).any() and not w.won and w.stars() == 0


def test_the_step_that_runs_supply_out_is_taken_whole():
    level = parse_level(bowl_data(supply=25), "<t>", "t")
    w = sim.World(level)
    w.step(3)
    assert w.supply_left == 0 and w.supply_spent == 25 and w.supply_out_step == 3


def test_a_third_star_needs_little_supply_too():
    for star_supply, stars in ((10_000, 3), (20, 2)):
        level = parse_level(bowl_data(supply=10_000, stars={"steps": 50, "units_lost": 9, "supply": star_supply}),
                            "<t>", "t")
        w = sim.World(level)
        w.set_orders(0, lr=0.5)
        while not w.over:
            w.step()
        assert w.won and w.stars() == stars


@pytest.mark.parametrize("change, message", [
    ({"supply": 0}, "supply: expected an integer in"), ({"supply": 1.5}, "supply: expected an integer"),
    ({"needs": "luck"}, "needs: expected one of"), ({"suply": 5}, "did you mean 'supply'"),
    ({"stars": {"steps": 5, "supply": 10 ** 6}}, "stars.supply"),
    ({"orders": {"optimizer": "sgd", "schedules": ["warmup"]}}, "orders.schedules[0]: unknown schedule")])
def test_bad_real_time_fields_are_one_line_errors(change, message):
    with pytest.raises(LevelError, match=message.replace("[", r"\[").replace("(", r"\(")):
        parse_level(bowl_data(**change), "lv.toml", "lv")


# -- hold ---------------------------------------------------------------------------------------
def test_holding_stops_and_resuming_carries_on_as_if_never_held():
    level = sim.load_level(RAVINE)
    held, free = sim.World(level), sim.World(level)
    for w in (held, free):
        w.set_orders(0, optimizer="adam", lr=0.05, momentum=0.9)
        w.step(10)
    before, state = held.positions.copy(), {k: v.copy() for k, v in held.optimizer(0).state.items()}
    held.hold(0)
    held.step(SETTLE_STEPS + 5)
    assert np.array_equal(held.positions, before) and (held.status == sim.DESCENDING).all()
    assert all(np.array_equal(v, held.optimizer(0).state[k]) for k, v in state.items())
    assert held.supply_spent == 10 * level.units and held.spend_rate == 0 and not held.over
    held.resume(0)
    held.step(30)
    free.step(30)
    assert np.array_equal(held.positions, free.positions) and np.array_equal(held.status, free.status)
    assert [e.kind for e in held.events if e.kind in ("held", "resumed")] == ["held", "resumed"]


def test_holding_one_squad_leaves_the_others_moving():
    w = sim.World(sim.load_level(RAVINE))
    w.assign(np.arange(4), 1)
    w.hold(1)
    w.hold(1)                                         # again: nothing more happens
    before = w.positions.copy()
    w.step(5)
    moved = np.any(w.positions != before, axis=1)
    assert not moved[:4].any() and moved[4:].all()
    assert w.spend_rate == w.n_units - 4 and [e.kind for e in w.events] == ["held"]
    assert w.held_count() == 4 and w.counts()["descending"] == w.n_units      # held is not a status
    with pytest.raises(ValueError, match="no squad 5"):
        w.hold(5)


# -- drops --------------------------------------------------------------------------------------
def explored_point(w):
    """A point on explored ground: where unit 0 stands."""
    return w.positions[0].tolist()


def test_a_drop_grows_every_unit_array_and_starts_fresh_state():
    w = sim.World(sim.load_level(RAVINE))
    w.set_orders(0, optimizer="momentum", lr=0.5, momentum=0.5)
    w.step(5)
    n, velocity = w.n_units, w.optimizer(0).state["velocity"].copy()
    left = w.supply_left
    ids = w.drop(0, explored_point(w), units=3)
    assert ids == [n, n + 1, n + 2] and w.n_units == n + 3
    for name in sim.World.UNIT_ARRAYS:
        assert len(getattr(w, name)) == n + 3, name
    assert w.trail.shape[1] == n + 3
    assert w.supply_left == left - 3 * DROP_COST
    assert np.hypot(*(w.positions[n:] - w.positions[0]).T).max() <= DROP_SPREAD * w.level.size + 1e-12
    w.step()                                         # the old units keep their velocity, the new start at 0
    v = w.optimizer(0).state["velocity"]
    np.testing.assert_allclose(v[n:], w.level.terrain.grad(w.start[n:]))
    assert not np.allclose(v[:n], w.level.terrain.grad(w.trail_points(2)[0][:n]))
    assert np.array_equal(velocity.shape, (n, 2))
    assert any(e.kind == "dropped" and e.units == 3 and e.unit == n for e in w.events)


def test_a_drop_into_a_new_squad_takes_its_orders():
    w = sim.World(sim.load_level(RAVINE))
    ids = w.drop(2, explored_point(w), units=2, optimizer="adam", lr=0.1, momentum=0.9)
    assert w.n_squads == 3 and w.orders[2].optimizer == "adam" and w.orders[1].optimizer == w.orders[0].optimizer
    assert (w.squad[ids] == 2).all() and w.counts(2)["descending"] == 2
    w.step(3)
    assert w.optimizer(2).state["step"].tolist() == [3, 3]


@pytest.mark.parametrize("center, units, message", [
    ((4.9, -4.9), 1, "in the fog"), ((50.0, 0.0), 1, "off the map"), ((math.nan, 0.0), 1, "off the map"),
    ("here", 1, "centre"), (None, 0, "whole number of units"), (None, 10 ** 6, "too many units"),
    (None, 400, "not enough supply")])
def test_illegal_drops_are_refused_and_change_nothing(center, units, message):
    level = parse_level(bowl_data(supply=3000, bounds=[[-5, 5], [-5, 5]]), "<t>", "t")
    w = sim.World(level)
    w.unit_cap = 10_000 if units == 400 else w.unit_cap
    before = world_arrays(w)
    with pytest.raises(ValueError, match=message):
        w.drop(0, explored_point(w) if center is None else center, units=units)
    after = world_arrays(w)
    assert all(np.array_equal(before[k], after[k]) for k in before) and w.supply_left == 3000


def test_drops_need_whole_squad_orders_and_a_real_squad():
    w = sim.World(sim.load_level(RAVINE))
    with pytest.raises(ValueError, match="squad must be in"):
        w.drop(9, explored_point(w))
    w.set_orders(0, lr=np.linspace(0.1, 0.2, w.n_units))
    with pytest.raises(ValueError, match="one learning rate"):
        w.drop(0, explored_point(w))


def test_redeploy_lifts_trapped_units_with_fresh_state():
    level = sim.load_level("09-rastrigin")
    w = sim.World(level)
    w.set_orders(0, optimizer="momentum", lr=0.005, momentum=0.5)
    while not (w.status == TRAPPED).any():
        w.step()
    trapped = np.flatnonzero(w.status == TRAPPED)
    target = w.positions[np.flatnonzero(w.status != TRAPPED)[0]] if (w.status != TRAPPED).any() else w.positions[0]
    ids = w.redeploy(0, target.tolist())
    assert ids == trapped.tolist() and (w.status[ids] == sim.DESCENDING).all()
    assert np.abs(w.optimizer(0).state["velocity"][ids]).max() == 0
    assert np.array_equal(w.trail[:, ids], np.broadcast_to(w.positions[ids], w.trail[:, ids].shape))
    assert w.events[-1].kind == "redeployed" and w.events[-1].units == len(ids)
    with pytest.raises(ValueError, match="no trapped"):
        sim.World(level).redeploy(0, w.positions[0].tolist())


def test_redeploying_a_held_squad_lifts_it_and_lets_it_go():
    w = sim.World(sim.load_level(RAVINE))
    w.assign(np.arange(3), 1)
    w.hold(1)
    w.step(5)
    ids = w.redeploy(1, w.positions[5].tolist())
    assert ids == [0, 1, 2] and not w.is_held(1) and w.spend_rate == w.n_units


# -- the explored record --------------------------------------------------------------------------
def brute_force_explored(ex: Explored, points: np.ndarray) -> np.ndarray:
    """Cells whose centre is within the reveal radius of the centre of a cell some point stood in."""
    (x0, x1), (y0, y1) = ex.bounds
    col = np.floor((points[:, 0] - x0) / ex.cell)
    row = np.floor((y1 - points[:, 1]) / ex.cell)
    visited = np.unique(np.column_stack([row, col]), axis=0)
    centres = np.column_stack([x0 + (visited[:, 1] + 0.5) * ex.cell, y1 - (visited[:, 0] + 0.5) * ex.cell])
    grid = ex.centres().reshape(-1, 2)
    d2 = ((grid[:, None, :] - centres[None]) ** 2).sum(-1).min(1)
    return (d2 <= ex.reveal_radius ** 2 * (1 + 1e-12)).reshape(ex.shape)


def test_explored_matches_the_brute_force_rule():
    level = sim.load_level("08-himmelblau")
    w = sim.World(level, units=6, trail_length=200)
    w.set_orders(0, optimizer="momentum", lr=0.02, momentum=0.9)
    w.step(150)
    points = w.trail_points().reshape(-1, 2)
    points = points[(points[:, 0] >= level.bounds[0][0]) & (points[:, 0] < level.bounds[0][1])
                    & (points[:, 1] > level.bounds[1][0]) & (points[:, 1] <= level.bounds[1][1])]
    assert np.array_equal(w.explored.grid, brute_force_explored(w.explored, points))
    assert 0 < w.explored.fraction() < 0.5


def test_points_beyond_the_margin_reveal_nothing_on_the_map():
    ex = Explored(((-5, 5), (-5, 5)), margin=5.0)
    assert not ex.reveal([[1e9, -1e9], [40.0, 0.0], [-10.1, 3.0]]) or not ex.grid.any()
    assert not ex.grid.any()
    ex.reveal([[0.0, 0.0]])
    assert ex.at([0.0, 0.0]) and not ex.at([4.0, 4.0]) and not ex.at([50.0, 0.0])


def test_a_swarm_keeps_no_explored_record_and_never_runs_out():
    level = sim.load_level(RAVINE)
    s = Swarm(level, None, sim.World(level).positions)
    assert s.explored is None and s.supply_left > 10 ** 12


# -- determinism ----------------------------------------------------------------------------------
def command_run(seed):
    level = sim.load_level("11-weather")             # gradient noise too
    w = sim.World(level, seed=seed)
    home = list(level.spawn_center)
    w.set_orders(0, lr=level.lr_range[0] * 3)
    w.assign(np.arange(4), 1)
    w.set_orders(1, optimizer="adam", schedule=sim.make_schedule("cosine", lr=0.05, t_max=30, eta_min=0.005))
    w.step(12)
    w.hold(0)
    w.step(8)
    w.drop(2, home, units=5, optimizer="momentum", lr=0.01, momentum=0.8)
    w.step(6)
    w.resume(0)
    w.hold(1)
    w.redeploy(1, home)
    w.drop(1, home, units=2)
    w.step(30)
    return w


def test_same_seed_and_commands_give_bit_identical_worlds():
    a, b, c = command_run(5), command_run(5), command_run(6)
    arrays_a, arrays_b = world_arrays(a), world_arrays(b)
    for key in arrays_a:
        assert np.array_equal(arrays_a[key], arrays_b[key]), key
    assert a.events == b.events and a.supply_left == b.supply_left
    assert np.array_equal(a.explored.grid, b.explored.grid)
    assert not np.array_equal(a.positions, c.positions)
