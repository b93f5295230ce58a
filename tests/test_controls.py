"""Every control of the game's help overlay, driven headless through the real loop with posted events."""
from pathlib import Path

import numpy as np
import pygame
import pytest

import sim
from game.play.briefing import Briefing
from game.play.campaign import Campaign
from game.play.keys import HELP
from game.play.results import Results
from game.play.title import Title
from tests.drive import click, drag, post, press, run, run_until
from tests.play import deployed


# -- every control in the help overlay ---------------------------------------------------------------
TESTED_CONTROLS = {"Left click / drag", "Ctrl+A", "Ctrl+1 - 9", "1 - 9", "Squad panel", "Enter", "Space", ".",
                   "+ / -", "Arrows / WASD", "Screen edge", "Middle drag", "Mouse wheel", "Home", "Minimap click",
                   "F", "F1", "F11", "Esc", "R / N / S",
                   "V", "Q / E", "PgUp / PgDn",                    # the sand table's: test_relief_app.py
                   "H", "Right click", "L"}                        # holds and landings: test_rts_game.py


def test_the_help_lists_exactly_the_controls_tested_here():
    assert {keys for _, rows in HELP for keys, _ in rows} == TESTED_CONTROLS


def test_click_drag_and_shift_select_units(make_app):
    app, b = deployed(make_app)
    units = b.unit_pixels()
    click(app, units[3])
    assert b.selection.mask.sum() == 1
    pygame.key.set_mods(pygame.KMOD_SHIFT)
    click(app, units[7])
    pygame.key.set_mods(0)
    assert b.selection.mask[[3, 7]].all() and b.selection.mask.sum() == 2 or np.allclose(units[3], units[7])
    left = units[:, 0] < np.median(units[:, 0])
    drag(app, units[left].min(0) - (3, 3), units[left].max(0) + (3, 3))
    assert b.selection.mask[left].all()
    click(app, (b.map_rect.right - 30, b.map_rect.bottom - 200))    # empty ground clears the selection
    assert not b.selection.mask.any()


def test_ctrl_a_ctrl_digit_and_digit_form_and_select_squads(make_app):
    app, b = deployed(make_app)
    press(app, pygame.K_a, mod=pygame.KMOD_CTRL)
    assert b.selection.mask.all()
    b.selection.set(np.arange(b.world.n_units) < 4)
    press(app, pygame.K_3, mod=pygame.KMOD_CTRL)                     # Ctrl+3: squad 3 (index 2)
    assert (b.world.squad[:4] == 2).all() and (b.world.squad[4:] == 0).all() and b.squad == 2
    press(app, pygame.K_1)
    assert b.squad == 0 and np.array_equal(b.selection.mask, b.world.squad == 0)
    press(app, pygame.K_3)
    assert b.squad == 2 and np.array_equal(b.selection.mask, b.world.squad == 2)
    press(app, pygame.K_5)                                           # no squad 5: nothing changes
    assert b.squad == 2


def test_squad_panel_sets_the_optimizer_learning_rate_and_momentum_live(make_app):
    app, b = deployed(make_app, "03-ravine")
    mu = b.panel.momentum
    assert not mu.enabled                                            # SGD has no momentum: greyed
    drag(app, (mu.x_for(0.0), mu.track.centery), (mu.x_for(0.9), mu.track.centery))
    assert b.world.orders[0].momentum == 0.0
    click(app, b.panel.picker.buttons["momentum"].rect.center)
    assert b.world.orders[0].optimizer == "momentum"
    mu = b.panel.momentum
    assert mu.enabled
    drag(app, (mu.x_for(mu.value), mu.track.centery), (mu.x_for(0.7), mu.track.centery))
    assert b.world.orders[0].momentum == pytest.approx(0.7, abs=0.02)
    press(app, pygame.K_RETURN)
    run(app, 10)
    lr = b.panel.lr
    drag(app, (lr.x_for(lr.value), lr.track.centery), (lr.x_for(lr.high), lr.track.centery))
    assert b.world.orders[0].lr == b.level.lr_range[1]                # mid-descent, clamped to the range
    assert b.recorder.timeline[-1][0] > 0                             # given at a later step


def test_enter_space_period_and_speed_keys(make_app):
    app, b = deployed(make_app)
    press(app, pygame.K_PERIOD)                                      # '.' in deploy: start paused, one step
    assert b.phase == "descend" and b.paused and b.world.step_count == 1
    run(app, 10)
    assert b.world.step_count == 1
    press(app, pygame.K_PERIOD)
    assert b.world.step_count == 2
    press(app, pygame.K_SPACE)
    assert not b.paused
    run(app, 10)
    assert b.world.step_count > 2
    press(app, pygame.K_SPACE)
    assert b.paused
    speeds = []
    for key in (pygame.K_PLUS, pygame.K_EQUALS, pygame.K_KP_PLUS, pygame.K_PLUS, pygame.K_MINUS, pygame.K_KP_MINUS):
        press(app, key)
        speeds.append(b.speed)
    assert speeds == [2, 4, 8, 8, 4, 2]

    app2, b2 = deployed(make_app)
    press(app2, pygame.K_SPACE)                                      # Space in deploy starts too
    assert b2.phase == "descend"
    app3, b3 = deployed(make_app)
    press(app3, pygame.K_RETURN)
    assert b3.phase == "descend" and not b3.paused


def test_arrow_and_wasd_keys_pan_while_held(make_app):
    app, b = deployed(make_app)
    press(app, pygame.K_HOME, frames=0)
    b.camera.zoom_at(b.map_rect.center, 1.4)
    for key, direction in [(pygame.K_RIGHT, (1, 0)), (pygame.K_a, (-1, 0)), (pygame.K_UP, (0, 1)),
                           (pygame.K_s, (0, -1)), (pygame.K_d, (1, 0)), (pygame.K_w, (0, 1))]:
        before = b.camera.center.copy()
        post(pygame.KEYDOWN, key=key, mod=0, unicode="", scancode=0)
        run(app, 5)
        post(pygame.KEYUP, key=key, mod=0, unicode="", scancode=0)
        run(app, 1)
        moved = b.camera.center - before
        assert np.dot(moved, direction) > 0, key
        still = b.camera.center.copy()
        run(app, 3)
        assert np.array_equal(b.camera.center, still)                # released: it stops


def test_screen_edge_and_middle_drag_pan(make_app):
    app, b = deployed(make_app)
    b.camera.zoom_at(b.map_rect.center, 1.4)
    before = b.camera.center.copy()
    post(pygame.MOUSEMOTION, pos=(1, 300), rel=(0, 0), buttons=(0, 0, 0))
    run(app, 5)
    assert b.camera.center[0] < before[0]                            # left edge: the view moves left
    post(pygame.WINDOWLEAVE)
    run(app, 1)
    still = b.camera.center.copy()
    run(app, 3)
    assert np.array_equal(b.camera.center, still)
    press(app, pygame.K_HOME)
    start = np.array(b.map_rect.center)
    under = b.camera.pix2pos(start)
    drag(app, start, start + (80, -40), button=2)
    assert np.allclose(b.camera.pos2pix(under), start + (80, -40))   # the ground follows the hand


def test_mouse_wheel_zooms_around_the_cursor_and_home_fits(make_app):
    app, b = deployed(make_app)
    cursor = (b.map_rect.centerx + 90, b.map_rect.centery - 60)
    under = b.camera.pix2pos(cursor)
    zoom = b.camera.zoom
    post(pygame.MOUSEMOTION, pos=cursor, rel=(0, 0), buttons=(0, 0, 0))
    post(pygame.MOUSEWHEEL, x=0, y=2, flipped=False, precise_x=0.0, precise_y=2.0)
    run(app, 1)
    assert b.camera.zoom > zoom * 1.3
    assert np.allclose(b.camera.pos2pix(under), cursor)
    press(app, pygame.K_HOME)
    assert b.camera.fitted and b.camera.zoom == pytest.approx(b.camera.fit_zoom)


def test_minimap_click_jumps_the_camera(make_app):
    app, b = deployed(make_app)
    b.camera.zoom_at(b.map_rect.center, 1.4)
    mm = b.minimap_rect
    target = (mm.x + mm.width * 3 // 4, mm.y + mm.height * 3 // 4)
    click(app, target)
    (x0, x1), (y0, y1) = b.level.bounds
    assert b.camera.center[0] > (x0 + x1) / 2 and b.camera.center[1] < (y0 + y1) / 2
    assert not b.selection.mask.any()                                # a minimap click selects nothing


def test_f_toggles_fog_and_fog_lifts_where_units_go(make_app):
    app, b = deployed(make_app, "01-bowl")
    assert b.fog.enabled
    press(app, pygame.K_f)
    assert not b.fog.enabled
    press(app, pygame.K_f)
    assert b.fog.enabled
    centre = np.array([[0.0, 0.0]])
    assert not b.fog.explored_at(centre).any()
    b.give_orders(lr=0.5)
    press(app, pygame.K_RETURN)
    run_until(app, lambda: b.phase == "over")
    assert b.fog.explored_at(centre).all()


def test_f1_shows_the_help_and_f1_or_esc_closes_it(make_app):
    app, b = deployed(make_app)
    for key, close in [(pygame.K_F1, pygame.K_F1), (pygame.K_F1, pygame.K_ESCAPE)]:
        press(app, key)
        assert b.show_help
        before = b.world.step_count
        press(app, pygame.K_RETURN)                                  # keys do nothing under the help
        assert b.phase == "deploy" and b.world.step_count == before
        press(app, close)
        assert not b.show_help and app.scene is b                    # Esc closed the help, not the battle


def test_f11_toggles_fullscreen(make_app):
    app = make_app()
    press(app, pygame.K_F11)
    assert app.fullscreen
    press(app, pygame.K_F11)
    assert not app.fullscreen and app.screen.get_size() == (1280, 720)


def test_esc_goes_back_one_scene_and_quits_from_the_title(make_app):
    app, b = deployed(make_app)
    press(app, pygame.K_ESCAPE)
    assert isinstance(app.scene, Briefing)
    press(app, pygame.K_ESCAPE)
    assert isinstance(app.scene, Campaign)
    press(app, pygame.K_ESCAPE)
    assert isinstance(app.scene, Title)
    post(pygame.KEYDOWN, key=pygame.K_ESCAPE, mod=0, unicode="", scancode=0)
    assert app.frame() is False and not app.running


def test_results_keys_next_and_campaign(make_app, data_dir):
    app, b = deployed(make_app, "01-bowl")
    b.give_orders(lr=0.5)
    press(app, pygame.K_RETURN)
    run_until(app, lambda: isinstance(app.scene, Results))
    press(app, pygame.K_n)                                           # N: the next level's briefing
    assert isinstance(app.scene, Briefing) and app.scene.level.id == sim.campaign()[1]
    press(app, pygame.K_RETURN)
    press(app, pygame.K_RETURN)
    app.scene.give_orders(lr=3.0)                                    # far too bold: a loss
    for _ in range(3):
        press(app, pygame.K_PLUS, frames=0)
    run_until(app, lambda: isinstance(app.scene, Results))
    press(app, pygame.K_ESCAPE)                                      # Esc: back to the campaign
    assert isinstance(app.scene, Campaign)


def test_every_help_overlay_control_is_in_the_readme():
    """The README's controls tables name every key of the game's and the classroom's help overlay."""

    from game.classroom.keys import CLASSROOM_HELP
    from game.play.keys import HELP
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    cells = {line.split("|")[1].strip() for line in readme.splitlines() if line.startswith("| ")}
    missing = [keys for _, rows in HELP + CLASSROOM_HELP for keys, _ in rows if keys not in cells]
    assert not missing, missing


def test_f_leaves_the_fog_on_during_a_run_on_a_scouting_level(make_app):
    """On Over the Ridge the fog hides the puzzle: F says so and changes nothing until the run ends."""
    app, b = deployed(make_app, "17-over-the-ridge")
    press(app, pygame.K_f)
    assert b.fog.enabled and "fog stays" in b.log.lines[-1][0]


def test_nothing_shows_through_the_help_overlay():
    """Drawn over two different screens, the help's box has the same pixels: it is opaque."""
    from game.play.keys import HELP
    from game.view.help import draw_help
    frames = []
    for colour in ((0, 0, 0), (255, 255, 255)):
        s = pygame.Surface((1280, 720))
        s.fill(colour)
        draw_help(s, s.get_rect(), 1.0, HELP)
        frames.append(pygame.surfarray.array3d(s))
    same = (frames[0] == frames[1]).all(axis=2)
    cols, rows = np.nonzero(same)
    box = same[cols.min() + 20:cols.max() - 20, rows.min() + 20:rows.max() - 20]
    assert box.size > 300 * 200 and box.all()
