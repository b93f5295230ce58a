"""Classroom mode: the command line, the explained numbers are the simulation's, the ghost never
touches the world, races start level; and what newcomers found.

The window runs headless through its real loop (SDL's dummy driver, a fixed clock), driven by
posted pygame events as in test_app.py.
"""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pygame
import pytest

import sim
from game.classroom import autoplay
from game.classroom.autoplay import next_level_name
from game.classroom.race import Entry, ghost_paths, race_starts, race_world, sensible_orders, winning_lineup
from game.view.explain import explain, num, vec
from sim.world import DESCENDING, Orders
from tests.drive import press, run
from tests.play import RACE

ROOT = Path(__file__).resolve().parent.parent


# -- the command line -------------------------------------------------------------------------------
def test_demo_autoplay_runs_headless_and_exits_0():
    env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}
    out = subprocess.run([sys.executable, "main.py", "demo", "03-ravine", "--autoplay", "--exit-after", "3"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr


@pytest.mark.parametrize("flags, message", [
    (["--race", "sgd,rmsprp"], "--race: unknown optimizer 'rmsprp'"),
    (["--race", "adam,adam"], "adam is listed twice"),
    (["--scale", "0"], "--scale: expected a value from 0.5 to 2.5"),
    (["--exit-after", "soon"], "--exit-after: expected a number"),
])
def test_bad_demo_flags_are_one_line_errors(flags, message, capsys):
    import main
    assert main.main(["demo", "03-ravine", *flags]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


# -- the explained numbers are the simulation's -----------------------------------------------------
STATE = {"momentum": [(1, "velocity")], "nesterov": [(1, "velocity")], "adagrad": [(0, "sum_sq")],
         "rmsprop": [(0, "square_avg"), (2, "momentum_buffer")], "adam": [(0, "exp_avg"), (1, "exp_avg_sq")]}


@pytest.mark.parametrize("level", ["03-ravine", "11-weather"])         # 11 has noisy gradients
@pytest.mark.parametrize("optimizer", sim.OPTIMIZERS)
def test_explained_new_x_is_where_the_world_puts_the_unit(optimizer, level):
    lvl = sim.load_level(level)
    starts = race_starts(lvl)
    others = [Entry(sensible_orders(lvl, "adam"), "Adam"), Entry(sensible_orders(lvl, optimizer), "")]
    world = race_world(lvl, others, starts)                             # the unit's squad is not squad 0
    n = len(starts)
    world.set_orders(1, lr=np.geomspace(0.3, 0.9, n) * world.orders[1].lr)   # one learning rate per unit
    checked = 0
    for _ in range(25):
        told = {u: explain(world, u) for u in range(n, 2 * n)}
        world.step()
        opt = world.optimizer(1)
        for u, e in told.items():
            if not e.moves or world.status[u] not in (DESCENDING, sim.ARRIVED):
                continue
            assert np.array_equal(e.new_x, world.positions[u])
            assert np.array_equal(e.substeps[-1].value, world.positions[u])
            for k, name in STATE.get(optimizer, []):
                assert np.array_equal(e.substeps[k].value, opt.state[name][u - n])
            checked += 1
    assert checked >= 2 * n


@pytest.mark.parametrize("kind", ["step", "cosine"])
@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_explained_step_uses_the_schedules_rate(optimizer, kind):
    """With a schedule the rule is written with ηₜ, the rate of the squad's step t, and its new x is
    still where the world puts the unit."""
    lvl = sim.load_level("03-ravine")
    world = race_world(lvl, [Entry(sensible_orders(lvl, optimizer), "")], race_starts(lvl))
    lr = world.orders[0].lr
    sched = (sim.make_schedule("step", lr=lr, step_size=3, gamma=0.5) if kind == "step"
             else sim.make_schedule("cosine", lr=lr, t_max=10, eta_min=lr / 20))
    world.set_orders(0, schedule=sched)
    for t in range(12):
        e = explain(world, 0)
        assert e.given[2] == ("ηₜ", num(sched.lr_at(t))) and any("t = " in note for note in e.notes)
        world.step()
        if e.moves and world.status[0] in (DESCENDING, sim.ARRIVED):
            assert np.array_equal(e.new_x, world.positions[0])


def test_the_panel_reads_the_selected_units_next_step(make_classroom):
    """Select a unit of each squad, read the explanation, step with '.', compare."""
    app, c = make_classroom("05-saddle", race=list(sim.OPTIMIZERS))
    run(app, 2)
    for squad in range(c.world.n_squads):
        press(app, pygame.K_1 + squad)
        assert c.squad == squad
        e = c.explanation()
        press(app, pygame.K_PERIOD)
        if e.moves and c.world.status[c.unit] != sim.DIVERGED:
            assert np.array_equal(c.world.positions[c.unit], e.new_x)


def test_momentum_substeps_add_up_tip_to_tail():
    lvl = sim.load_level("03-ravine")
    world = race_world(lvl, [Entry(Orders("momentum", 0.4, 0.8), "")], race_starts(lvl))
    world.step(3)
    e = explain(world, 0)
    decay, add, move = e.substeps
    (_, o1, carry), (_, o2, grad) = add.arrows
    assert np.allclose(o2, o1 + carry)                                  # the slope starts where the carry ends
    assert np.allclose(carry + grad, move.arrows[0][2])                 # together they make the step
    assert "\u03bc\u00b7v" in decay.rule and "v \u2190 \u03bc\u00b7v + \u2207f(x)" == add.rule
    assert move.numbers.startswith(f"= {vec(e.x)} \u2212 0.4\u00b7")


def test_adaptive_rules_show_the_per_axis_step_size():
    lvl = sim.load_level("05-saddle")
    for name in ("adagrad", "rmsprop", "adam"):
        world = race_world(lvl, [Entry(sensible_orders(lvl, name), "")], race_starts(lvl))
        world.step(2)
        e = explain(world, 0)
        sizes = [s for s in e.substeps if s.what == "step size per axis"]
        assert len(sizes) == 1 and np.array_equal(sizes[0].value, e.step_size)
        assert "\u221a" in sizes[0].rule and e.step_size.shape == (2,)
    assert "bias correction, t = 3" in explain(world, 0).substeps[2].what


def test_numbers_are_written_with_four_significant_digits():
    assert num(-0.56781) == "\u22120.5678" and num(0.0) == "0" and num(1234.5) == "1234"
    assert num(2.5e-5) == "2.5\u00d710\u207b\u2075" and num(-3e12) == "\u22123\u00d710\u00b9\u00b2"
    assert vec([3.0, -0.25]) == "(3, \u22120.25)"


# -- the ghost, the race ----------------------------------------------------------------------------
def snapshot(world) -> list:
    opt_state = [{k: v.copy() for k, v in world.optimizer(s).state.items()} for s in range(world.n_squads)]
    return [world.positions.copy(), world.status.copy(), world.velocity.copy(), world.trail.copy(),
            world.heights.copy(), world.grads.copy(), world.step_count, len(world.events),
            str(world.rng.bit_generator.state), list(world.orders), opt_state]


def same(a, b) -> bool:
    if isinstance(a, np.ndarray):
        return np.array_equal(a, b)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return a == b


def test_ghost_preview_never_changes_the_world(make_classroom):
    app, c = make_classroom("11-weather", race=list(sim.OPTIMIZERS))
    c.world.step(5)
    before = snapshot(c.world)
    for squad in range(c.world.n_squads):
        ghost_paths(c.world, squad, 20)
        press(app, pygame.K_1 + squad)
        press(app, pygame.K_g, frames=2) if squad == 0 else run(app, 1)
    assert c.show_ghost
    assert same(snapshot(c.world), before)


def test_ghost_is_the_path_the_world_then_takes():
    lvl = sim.load_level("03-ravine")                                   # no weather: the ghost is exact
    world = race_world(lvl, [Entry(Orders("momentum", 2.0, 0.7), "")], race_starts(lvl))
    world.step(2)
    path = ghost_paths(world, 0, 20)
    assert path.shape == (21, world.n_units, 2)
    for k in range(1, 21):
        world.step()
        assert np.allclose(path[k], world.positions)


def test_race_gives_each_squad_the_same_starts(make_classroom):
    app, c = make_classroom("05-saddle", race=RACE)
    w, n = c.world, len(c.starts)
    assert w.n_squads == len(RACE) and w.n_units == n * len(RACE)
    for k, name in enumerate(RACE):
        members = np.flatnonzero(w.squad == k)
        assert np.array_equal(w.start[members], c.starts)
        o = w.orders[k]
        assert o.optimizer == name
        assert c.level.lr_range[0] <= o.lr <= c.level.lr_range[1]
        assert c.level.momentum_range[0] <= o.momentum <= c.level.momentum_range[1]
    press(app, pygame.K_r)                                              # a restart keeps the starts
    assert all(np.array_equal(c.world.start[c.world.squad == k], c.starts) for k in range(len(RACE)))


def test_winning_lineup_wins_the_ravine():
    lvl = sim.load_level("03-ravine")
    starts = race_starts(lvl)
    entries = winning_lineup(lvl, starts)
    assert [e.orders.optimizer for e in entries] == ["sgd", "momentum"]
    world = race_world(lvl, entries, starts)
    world.step(lvl.budget)
    assert (world.arrival_step[world.squad == 1] >= 0).any()            # momentum wins
    assert not (world.arrival_step[world.squad == 0] >= 0).any()        # plain SGD cannot, as the level says


def test_autoplay_shows_the_card_races_and_moves_on(make_classroom):
    app, c = make_classroom("02-overshoot", race=None, autoplay=True, dt=0.25)
    assert c.show_card and c.world.step_count == 0
    run(app, int(autoplay.BRIEFING_SECONDS / 0.25) + 2)
    assert not c.show_card and c.world.step_count > 0
    assert c.world.n_squads == 2                                        # one optimizer: tuned vs the level's orders
    for _ in range(400):
        run(app, 1)
        if c.level.id != "02-overshoot":
            break
    assert c.level.id == next_level_name("02-overshoot") and c.show_card


# -- newcomer play-test fixes --------------------------------------------------------------------------
def test_racers_have_bright_distinct_non_white_colours(make_classroom):
    from game.classroom import look as demo_view
    app, c = make_classroom(race=("sgd", "momentum", "nesterov", "adam", "adagrad", "rmsprop"))
    colours = [row[0] for row in c.legend_rows()]
    assert len(set(colours)) == len(colours) and all(min(rgb) < 200 for rgb in colours)   # no white
    assert colours == [demo_view.squad_colour(k) for k in range(6)]


def test_racers_are_named_uniquely_after_o(make_classroom):
    app, c = make_classroom(race=("sgd", "momentum"))
    c.select_squad(0)
    c.next_optimizer()                                   # sgd -> momentum: two heavy-ball squads
    assert c.squad_labels() == ["Momentum", "Momentum 2"]
    c.restart()
    assert c.squad_labels() == ["Momentum", "Momentum 2"]
    from game.classroom.race import default_lineup, unique_labels
    assert unique_labels(["SGD", "SGD", "Adam", "SGD"]) == ["SGD", "SGD 2", "Adam", "SGD 3"]
    assert [e.label for e in default_lineup(c.level, ["adam", "adam"])] == ["Adam", "Adam 2"]


def test_step_is_not_called_velocity_without_momentum():
    from game.classroom.panel import legend_rows
    assert "velocity" in legend_rows(["gradient", "step"])[1].s
    sgd = [r.s for r in legend_rows(["gradient", "step"], velocity=False)]
    assert "velocity" not in " ".join(sgd) and "the step \u0394x" in sgd[1]


def test_sweep_overlay_is_large_and_one_row_without_momentum(make_classroom):
    app, c = make_classroom(size=(1920, 1080))
    c.select_squad(0)                                    # SGD
    press(app, pygame.K_w)
    assert c.show_sweep and len(c.sweep_result().momenta) == 1
    box, (w, h) = c.sweep_rect(), app.screen.get_size()
    assert box.width >= 0.8 * w - 1 and box.height >= 0.8 * h - 1
    app.frame()                                          # draws at the presenter's type size


def test_goal_flag_banner_can_name_the_squad():
    from game.view import marks
    from game.view.camera import Camera
    from game.view.labels import Board
    from game.view.palette import get
    level = sim.load_level("01-bowl")
    world = sim.World(level, seed=0)
    world.set_orders(0, lr=0.5)
    world.step(30)
    assert world.won
    surface = pygame.Surface((400, 300))
    camera = Camera(level.bounds, surface.get_rect())
    board = Board(surface.get_rect())
    marks.draw_goal_flag(surface, world, camera, get("high-contrast"), board, names=["Adam"], colours=[(255, 166, 0)])
    marks.draw_goal_flag(surface, world, camera, get("high-contrast"), board)    # as before: "SQUAD 1"
    board.draw(surface)
    assert [words.split("ARRIVED")[0] for words, _ in board.labels] == ["ADAM ", "SQUAD 1 "]
