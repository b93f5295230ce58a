"""Classroom mode: every control in its help overlay does what it says, driven headless through
the real loop with posted pygame events."""
import sys
from pathlib import Path

import numpy as np
import pygame
import pytest

from game.classroom import keys
from game.classroom import classroom as demo
from game.classroom.keys import CLASSROOM_HELP
from game.view.explain import num
from tests.drive import DT, click, post, press, run
from tests.play import RACE

ROOT = Path(__file__).resolve().parent.parent


def apart(scene, min_px=3) -> int:
    """A unit well inside the map view with no other unit within ``min_px`` pixels."""
    xy = scene.camera.pos2pix(scene.world.positions)
    d = np.hypot(*(xy[:, None] - xy[None]).transpose(2, 0, 1))
    d[np.diag_indices(len(xy))] = np.inf
    inner = scene.map_rect.inflate(-40, -40)
    ok = [i for i in np.flatnonzero(d.min(1) > min_px) if inner.collidepoint(xy[i])]
    assert ok, "no unit stands apart"
    return int(ok[0])



# -- every control in the help overlay ----------------------------------------------------------------
TESTED_CONTROLS = {"Click a unit", "Tab / 1 - 9", ",", ".", "Space", "S", "G", "W", "[ / ]", "Shift+[ / Shift+]",
                   "O", "C", "R", "+ / -", "Ctrl + / Ctrl -", "L", "Z", "Arrows / wheel", "Home", "F", "B", "N", "A",
                   "F1 / H", "F11", "Esc", "V", "Q / E", "PgUp / PgDn"}     # the sand table's: test_relief_app.py


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


def test_s_steps_through_the_speeds(make_classroom):
    app, c = make_classroom()
    press(app, pygame.K_s)
    assert c.speed == 2
    press(app, pygame.K_SPACE, frames=10)
    assert c.world.step_count == round(10 * DT * 2 * demo.STEPS_PER_SECOND)
    speeds = []
    for _ in range(5):
        press(app, pygame.K_s)
        speeds.append(c.speed)
    assert speeds == [4, 8, 0.25, 0.5, 1]
    for _ in range(4):
        press(app, pygame.K_s)                                          # 2, 4, 8, then a quarter
    assert c.speed == 0.25 and c.clock_state(c.explanation())[0] == "\u25b6 RUNNING \u00bc\u00d7"
    at = c.world.step_count
    run(app, 40)
    assert c.world.step_count - at == round(40 * DT * 0.25 * demo.STEPS_PER_SECOND)


def test_c_gives_the_squad_a_schedule_and_the_panel_shows_its_rate(make_classroom):
    app, c = make_classroom("03-ravine", race=["momentum"])
    lr = c.world.orders[0].lr
    press(app, pygame.K_c)
    sched = c.world.orders[0].schedule
    assert sched.kind == "step" and sched.lr == lr and c.explanation().given[2][0] == "ηₜ"
    press(app, pygame.K_SPACE, frames=60)
    t = c.world.schedule_step(0)
    assert t > sched.step_size and c.explanation().given[2][1] == num(sched.lr_at(t))
    press(app, pygame.K_c)
    assert c.world.orders[0].schedule.kind == "cosine" and c.world.schedule_step(0) == 0
    press(app, pygame.K_c)
    assert c.world.orders[0].schedule.kind == "constant" and c.explanation().given[2][0] == "η"


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


def test_ctrl_plus_and_minus_scale_the_type(make_classroom):
    app, c = make_classroom()
    s, panel = c.scale, c.panel_rect.width
    press(app, pygame.K_EQUALS, mod=pygame.KMOD_CTRL)
    assert c.scale > s and c.panel_rect.width > panel and c.speed == 1
    press(app, pygame.K_MINUS, mod=pygame.KMOD_LCTRL)
    press(app, pygame.K_KP_MINUS, mod=pygame.KMOD_CTRL)
    assert c.scale < s and c.speed == 1


def test_plus_and_minus_are_faster_and_slower_as_in_the_game(make_classroom):
    app, c = make_classroom()
    s, ladder = c.scale, []
    for key in [pygame.K_PLUS, pygame.K_EQUALS, pygame.K_KP_PLUS, pygame.K_PLUS]:
        press(app, key)
        ladder.append(c.speed)
    assert ladder == [2, 4, 8, 8] and c.scale == s                    # the fastest stays the fastest
    for _ in range(6):
        press(app, pygame.K_MINUS)
        ladder.append(c.speed)
    assert ladder[4:] == [4, 2, 1, 0.5, 0.25, 0.25]
    press(app, pygame.K_SPACE, frames=40)
    assert c.world.step_count == round(40 * DT * 0.25 * demo.STEPS_PER_SECOND)


def test_a_speed_chosen_while_paused_shows(make_classroom):
    app, c = make_classroom()
    assert c.paused and c.clock_state(c.explanation())[0] == "PAUSED \u00b7 1\u00d7"
    press(app, pygame.K_s)
    assert c.paused and c.clock_state(c.explanation())[0] == "PAUSED \u00b7 2\u00d7"
    assert "speed 2\u00d7" in c.notice[0]
    press(app, pygame.K_MINUS)
    assert "speed 1\u00d7" in c.notice[0]


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
    press(app, pygame.K_ESCAPE)                                         # nothing open: it asks first
    assert app.running and c.confirm_quit and c.banner()[0] == demo.QUIT_QUESTION
    press(app, pygame.K_ESCAPE)
    assert not app.running


def test_esc_asks_before_it_quits_and_any_other_key_stays(make_classroom):
    app, c = make_classroom()
    press(app, pygame.K_ESCAPE)
    assert app.running and c.confirm_quit
    press(app, pygame.K_PERIOD)                                         # another key: stay, and it steps
    assert app.running and not c.confirm_quit and c.world.step_count == 1
    press(app, pygame.K_ESCAPE)
    click(app, c.map_rect.center)                                       # a click stays too
    assert app.running and not c.confirm_quit
    press(app, pygame.K_ESCAPE)
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
