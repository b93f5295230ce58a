"""Classroom mode: the explained numbers are the simulation's, the ghost never touches the world,
races start level, and every control in the help overlay does what it says.

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
from game.classroom import autoplay, keys
from game.classroom import classroom as demo
from game.classroom.autoplay import next_level_name
from game.classroom.app import ClassroomApp
from game.classroom.keys import CLASSROOM_HELP
from game.classroom.explain import explain, num, vec
from game.play.progress import ENV_VAR
from tests.drive import click, post, press, run
from game.classroom.race import Entry, ghost_paths, race_starts, race_world, sensible_orders, winning_lineup
from sim.world import DESCENDING, Orders

ROOT = Path(__file__).resolve().parent.parent
DT = 1 / 10
RACE = ["sgd", "momentum", "nesterov", "adam"]


@pytest.fixture
def make_classroom(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "saves"))
    apps = []

    def make(level="03-ravine", race=tuple(RACE), autoplay=False, size=(1280, 720), dt=DT):
        app = ClassroomApp(sim.load_level(level), race, autoplay, 1.0, size=size, fixed_dt=dt)
        pygame.event.clear()
        apps.append(app)
        return app, app.scene

    yield make
    for app in apps:
        app.close()


def apart(scene, min_px=3) -> int:
    """A unit well inside the map view with no other unit within ``min_px`` pixels."""
    xy = scene.camera.pos2pix(scene.world.positions)
    d = np.hypot(*(xy[:, None] - xy[None]).transpose(2, 0, 1))
    d[np.diag_indices(len(xy))] = np.inf
    inner = scene.map_rect.inflate(-40, -40)
    ok = [i for i in np.flatnonzero(d.min(1) > min_px) if inner.collidepoint(xy[i])]
    assert ok, "no unit stands apart"
    return int(ok[0])


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


# -- every control in the help overlay ----------------------------------------------------------------
TESTED_CONTROLS = {"Click a unit", "Tab / 1 - 9", ",", ".", "Space", "S", "G", "W", "[ / ]", "Shift+[ / Shift+]",
                   "O", "R", "+ / -", "L", "Z", "Arrows / wheel", "Home", "F", "B", "N", "A", "F1 / H", "F11",
                   "Esc"}


def test_the_help_lists_exactly_the_controls_tested_here():
    assert {keys for _, rows in CLASSROOM_HELP for keys, _ in rows} == TESTED_CONTROLS


def test_click_selects_a_unit(make_classroom):
    app, c = make_classroom()
    c.world.step(8)
    run(app, 1)
    u = apart(c)
    click(app, c.camera.pos2pix(c.world.positions[u]))
    assert c.unit == u and c.explanation().unit == u
    corner = np.array([c.map_rect.right - 5, c.map_rect.bottom - 5])
    assert np.hypot(*(c.camera.pos2pix(c.world.positions) - corner).T).min() > keys.PICK_PX * c.scale
    click(app, corner)
    assert c.unit == u                                                  # empty ground keeps the selection


def test_tab_and_digits_pick_the_same_start_in_another_squad(make_classroom):
    app, c = make_classroom()
    n = len(c.starts)
    c.select(2)
    press(app, pygame.K_TAB)
    assert c.unit == n + 2
    press(app, pygame.K_4)
    assert c.unit == 3 * n + 2
    press(app, pygame.K_TAB)
    assert c.unit == 2                                                  # back round to squad 1
    press(app, pygame.K_9)                                              # no squad 9: nothing changes
    assert c.unit == 2


def test_comma_walks_the_substeps_then_takes_the_step(make_classroom):
    app, c = make_classroom()
    press(app, pygame.K_2)                                              # momentum: three sub-steps
    c.world.step(3)
    e = c.explanation()
    for k in (1, 2, 3):
        press(app, pygame.K_COMMA)
        assert c.cursor == k and c.paused and c.world.step_count == 3
    press(app, pygame.K_COMMA)
    assert c.world.step_count == 4 and c.cursor == 1
    assert np.array_equal(c.world.positions[c.unit], e.new_x)


def test_period_takes_one_step_and_space_runs_and_pauses(make_classroom):
    app, c = make_classroom()
    assert c.paused
    run(app, 5)
    assert c.world.step_count == 0
    press(app, pygame.K_PERIOD)
    assert c.world.step_count == 1 and c.paused
    press(app, pygame.K_SPACE, frames=10)
    assert not c.paused and c.world.step_count == 1 + round(10 * DT * demo.STEPS_PER_SECOND)
    press(app, pygame.K_SPACE)
    at = c.world.step_count
    run(app, 5)
    assert c.paused and c.world.step_count == at


def test_s_doubles_the_speed(make_classroom):
    app, c = make_classroom()
    press(app, pygame.K_s)
    assert c.speed == 2
    press(app, pygame.K_SPACE, frames=10)
    assert c.world.step_count == round(10 * DT * 2 * demo.STEPS_PER_SECOND)
    for _ in range(3):
        press(app, pygame.K_s)
    assert c.speed == 1                                                 # 2, 4, 8, back to 1


def test_g_draws_the_ghost(make_classroom):
    app, c = make_classroom()
    c.world.step(3)
    run(app, 1)
    plain = pygame.surfarray.array3d(app.screen).copy()
    press(app, pygame.K_g)
    assert c.show_ghost
    assert not np.array_equal(pygame.surfarray.array3d(app.screen), plain)
    press(app, pygame.K_g)
    assert not c.show_ghost


def test_w_shows_the_sweep_map_and_esc_closes_it(make_classroom):
    app, c = make_classroom()
    press(app, pygame.K_2)
    press(app, pygame.K_w)
    assert c.show_sweep and c.sweep_result().optimizers == ("momentum",)
    press(app, pygame.K_ESCAPE)
    assert not c.show_sweep and app.running


def test_w_without_the_sweep_map_says_so(make_classroom, monkeypatch):
    app, c = make_classroom()
    monkeypatch.setitem(sys.modules, "game.view.sweep_map", None)            # as if the module were absent
    press(app, pygame.K_w)
    assert not c.show_sweep and "not available" in c.notice[0]


def test_brackets_change_the_learning_rate_and_shift_the_momentum(make_classroom):
    app, c = make_classroom()
    press(app, pygame.K_2)
    lr, mu = c.world.orders[1].lr, c.world.orders[1].momentum
    press(app, pygame.K_RIGHTBRACKET)
    assert c.world.orders[1].lr == pytest.approx(lr * 1.5, rel=1e-2)
    press(app, pygame.K_LEFTBRACKET)
    press(app, pygame.K_LEFTBRACKET)
    assert c.world.orders[1].lr == pytest.approx(lr / 1.5, rel=1e-2)
    press(app, pygame.K_LEFTBRACKET, mod=pygame.KMOD_SHIFT)
    assert c.world.orders[1].momentum == pytest.approx(mu - 0.05)
    press(app, pygame.K_RIGHTBRACKET, mod=pygame.KMOD_SHIFT)
    assert c.world.orders[1].momentum == pytest.approx(mu)
    assert c.world.optimizer(1).lr == c.world.orders[1].lr             # the world uses it from the next step
    press(app, pygame.K_1)
    press(app, pygame.K_RIGHTBRACKET, mod=pygame.KMOD_SHIFT)            # SGD has no momentum
    assert "no momentum" in c.notice[0]


def test_o_gives_the_squad_the_next_optimizer(make_classroom):
    app, c = make_classroom()
    press(app, pygame.K_2)
    press(app, pygame.K_o)
    assert c.world.orders[1].optimizer == "nesterov" and c.world.optimizer(1).name == "nesterov"
    assert "Nesterov" in c.squad_label(1)


def test_r_restarts_from_the_same_starts_with_the_current_orders(make_classroom):
    app, c = make_classroom()
    press(app, pygame.K_2)
    press(app, pygame.K_RIGHTBRACKET)
    lr = c.world.orders[1].lr
    c.world.step(7)
    press(app, pygame.K_r)
    assert c.world.step_count == 0 and len(c.losses) == 1
    assert np.array_equal(c.world.positions, np.tile(c.starts, (len(RACE), 1)))
    assert c.world.orders[1].lr == lr


def test_plus_and_minus_scale_the_type(make_classroom):
    app, c = make_classroom()
    s, panel = c.scale, c.panel_rect.width
    press(app, pygame.K_EQUALS)
    assert c.scale > s and c.panel_rect.width > panel
    press(app, pygame.K_MINUS)
    press(app, pygame.K_MINUS)
    assert c.scale < s


def test_l_switches_the_chart_to_a_log_scale(make_classroom):
    app, c = make_classroom()
    c.world.step(5)
    run(app, 1)
    linear = pygame.surfarray.array3d(app.screen.subsurface(c.chart_rect)).copy()
    press(app, pygame.K_l)
    assert c.log_scale
    assert not np.array_equal(pygame.surfarray.array3d(app.screen.subsurface(c.chart_rect)), linear)


def test_z_zooms_to_the_unit_and_back_and_home_fits(make_classroom):
    app, c = make_classroom()
    press(app, pygame.K_z)
    assert c.follow and c.camera.zoom > 2 * c.camera.fit_zoom
    assert np.allclose(c.camera.pos2pix(c.world.positions[c.unit]), c.map_rect.center, atol=1) or \
        not c.camera.fitted
    press(app, pygame.K_z)
    assert not c.follow and c.camera.fitted
    press(app, pygame.K_z)
    press(app, pygame.K_HOME)
    assert not c.follow and c.camera.fitted


def test_arrows_pan_and_the_wheel_zooms(make_classroom):
    app, c = make_classroom()
    c.camera.zoom_at(c.map_rect.center, 2.0)
    before = c.camera.center.copy()
    post(pygame.KEYDOWN, key=pygame.K_RIGHT, mod=0, unicode="", scancode=0)
    run(app, 3)
    post(pygame.KEYUP, key=pygame.K_RIGHT, mod=0, unicode="", scancode=0)
    run(app, 1)
    assert c.camera.center[0] > before[0]
    zoom = c.camera.zoom
    post(pygame.MOUSEMOTION, pos=c.map_rect.center, rel=(0, 0), buttons=(0, 0, 0))
    post(pygame.MOUSEWHEEL, x=0, y=1, flipped=False, precise_x=0.0, precise_y=1.0)
    run(app, 1)
    assert c.camera.zoom > zoom


def test_f_toggles_the_fog_which_starts_off(make_classroom):
    app, c = make_classroom()
    assert not c.fog.enabled
    press(app, pygame.K_f)
    assert c.fog.enabled


def test_b_shows_the_briefing_card(make_classroom):
    app, c = make_classroom()
    press(app, pygame.K_b)
    assert c.show_card
    press(app, pygame.K_ESCAPE)
    assert not c.show_card and app.running


def test_n_opens_the_next_lesson_with_the_same_race(make_classroom):
    app, c = make_classroom()
    press(app, pygame.K_n)
    assert c.level.id == "04-banana" and [o.optimizer for o in c.world.orders] == RACE


def test_a_switches_autoplay_on_and_off(make_classroom):
    app, c = make_classroom()
    press(app, pygame.K_a)
    assert c.autoplay is not None and c.show_card
    press(app, pygame.K_a)
    assert c.autoplay is None and not c.show_card


def test_f1_and_h_show_the_help_esc_closes_it_then_quits(make_classroom):
    app, c = make_classroom()
    for key in (pygame.K_F1, pygame.K_h):
        press(app, key)
        assert c.show_help
        press(app, pygame.K_PERIOD)                                     # keys do nothing under the help
        assert c.world.step_count == 0
        press(app, key)
        assert not c.show_help
    press(app, pygame.K_h)
    press(app, pygame.K_ESCAPE)
    assert not c.show_help and app.running
    press(app, pygame.K_ESCAPE)
    assert not app.running


def test_f11_toggles_fullscreen(make_classroom):
    app, c = make_classroom()
    press(app, pygame.K_F11)
    assert app.fullscreen
    press(app, pygame.K_F11)
    assert not app.fullscreen and app.screen.get_size() == (1280, 720)


def test_space_on_the_autoplay_card_starts_the_race_at_once(make_classroom):
    app, c = make_classroom("03-ravine", race=None, autoplay=True)
    assert c.show_card and c.autoplay.phase == "card"
    press(app, pygame.K_SPACE, frames=3)
    assert not c.show_card and c.autoplay.phase == "race" and c.world.step_count > 0


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
    from game.view.palette import get
    level = sim.load_level("01-bowl")
    world = sim.World(level, seed=0)
    world.set_orders(0, lr=0.5)
    world.step(30)
    assert world.won
    surface = pygame.Surface((400, 300))
    camera = Camera(level.bounds, surface.get_rect())
    marks.draw_goal_flag(surface, world, camera, get("high-contrast"), names=["Adam"], colours=[(255, 166, 0)])
    marks.draw_goal_flag(surface, world, camera, get("high-contrast"))          # as before: "SQUAD 1"
