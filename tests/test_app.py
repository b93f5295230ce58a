"""The game window, driven headless through its real loop with posted pygame events.

Every frame lasts exactly ``DT`` (the app's fixed_dt), so runs are deterministic and nothing sleeps.
"""
import json
import sys
from pathlib import Path

import numpy as np
import pygame
import pytest

import main
import sim
from game.play.app import GameApp as App
from game.play.battle import STEPS_PER_SECOND, Battle
from game.play.advice import describe_events, loss_advice
from game.play.hud import HELP, running_best
from game.play.progress import ENV_VAR, FILE_NAME
from sim.replay import load_replay
from game.play.results import Results
from game.play.briefing import Briefing
from game.play.campaign import Campaign
from game.play.title import Title
from game.view.widgets import ACCENT
from tests.drive import click, drag, post, press, run, run_until

DT = 1 / 10


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    folder = tmp_path / "saves"
    monkeypatch.setenv(ENV_VAR, str(folder))
    return folder


@pytest.fixture
def make_app(data_dir):
    apps = []

    def make(size=(1280, 720), **kw):
        app = App(size, fixed_dt=DT, **kw)
        pygame.event.clear()
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.close()


def deployed(make_app, level="03-ravine", size=(960, 600)) -> tuple:
    """An app at the deploy stage of ``level``: (app, battle)."""
    app = make_app(size, level=level)
    assert isinstance(app.scene, Briefing)
    press(app, pygame.K_RETURN)
    assert isinstance(app.scene, Battle) and app.scene.phase == "deploy"
    return app, app.scene


# -- the whole game: win level 1 -------------------------------------------------------------------
def test_win_level_one_by_mouse_and_keys_and_save_the_result(make_app, data_dir):
    app = make_app()
    run(app, 2)
    assert isinstance(app.scene, Title)
    click(app, app.scene.buttons[0].rect.center)                    # "Campaign"
    assert isinstance(app.scene, Campaign)
    run(app, 1)
    click(app, app.scene.cards[0].center)                           # level 1 card
    assert isinstance(app.scene, Briefing) and app.scene.level.id == "01-bowl"
    click(app, app.scene.buttons[0].rect.center)                    # "Deploy"
    battle = app.scene
    assert isinstance(battle, Battle) and battle.phase == "deploy"

    units = battle.unit_pixels()
    drag(app, units.min(0) - 12, units.max(0) + 12)                  # drag a box around every unit
    assert battle.selection.mask.all()
    press(app, pygame.K_1, mod=pygame.KMOD_CTRL)                     # Ctrl+1: squad 1
    assert (battle.world.squad == 0).all() and battle.recorder.timeline[0][1] == "assign"
    assert "Squad 1 formed: 12 units" in [line for line, _, _ in battle.log.lines]

    slider = battle.panel.lr                                         # drag the learning rate to 0.5
    assert battle.world.orders[0].lr == 0.01
    y = slider.track.centery
    drag(app, (slider.x_for(slider.value), y), (slider.x_for(0.5), y))
    assert 0.45 <= battle.world.orders[0].lr <= 0.55
    click(app, battle.panel.controls[0].rect.center)                # "Start descent"
    assert battle.phase == "descend"
    run_until(app, lambda: isinstance(app.scene, Results))

    world = app.scene.world
    assert world.won and world.stars() == 3
    assert any("reached the global minimum in" in line for line, _, _ in battle.log.lines)
    saved = json.loads((data_dir / FILE_NAME).read_text())
    assert saved["levels"]["01-bowl"] == {"stars": 3, "steps": world.step_count, "units_lost": 0}
    assert app.progress.unlocked(sim.campaign(), 1)

    press(app, pygame.K_s)                                           # save the replay: it replays exactly
    replays = list((data_dir / "replays").glob("01-bowl-*.json"))
    assert len(replays) == 1
    again = load_replay(replays[0]).play()
    assert again.positions.tobytes() == world.positions.tobytes()


def test_default_orders_lose_level_one_and_nothing_is_saved(make_app, data_dir):
    app, battle = deployed(make_app, "01-bowl")
    press(app, pygame.K_RETURN)
    for _ in range(3):
        press(app, pygame.K_PLUS)
    run_until(app, lambda: isinstance(app.scene, Results))
    assert not app.scene.world.won and app.scene.world.step_count == 60
    assert not (data_dir / FILE_NAME).exists()
    assert [b.label for b in app.scene.buttons][0].startswith("Retry")
    press(app, pygame.K_r)                                           # R: retry
    assert isinstance(app.scene, Battle) and app.scene is not battle


def test_watching_a_replay_reproduces_the_run(make_app, tmp_path):
    app, battle = deployed(make_app, "03-ravine")
    battle.select_all()
    battle.give_orders(optimizer="momentum", lr=0.8, momentum=0.7)
    press(app, pygame.K_RETURN)
    run(app, 20)
    battle.give_orders(lr=1.2)                                       # a live change mid-descent
    press(app, pygame.K_PLUS, frames=0)
    press(app, pygame.K_PLUS, frames=0)
    run_until(app, lambda: isinstance(app.scene, Results))
    path = battle.recorder.save(tmp_path / "ravine.json")
    watch = make_app(replay=load_replay(path))
    assert isinstance(watch.scene, Battle) and watch.scene.phase == "descend"
    press(watch, pygame.K_PLUS, frames=0)
    run_until(watch, lambda: isinstance(watch.scene, Results))
    assert watch.scene.world.positions.tobytes() == battle.world.positions.tobytes()
    assert watch.scene.world.step_count == battle.world.step_count


# -- fixed-rate simulation ---------------------------------------------------------------------------
@pytest.mark.parametrize("frame_dt", [1 / 144, 1 / 24, 1 / 7])
def test_the_sim_ticks_at_a_fixed_rate_whatever_the_frame_rate(make_app, frame_dt):
    app, battle = deployed(make_app, "04-banana", size=(800, 560))
    press(app, pygame.K_RETURN, frames=0)
    frames = round(0.5 / frame_dt)
    for _ in range(frames):
        app.frame(frame_dt)                                          # half a second at 1x
    assert abs(battle.world.step_count - frames * frame_dt * STEPS_PER_SECOND) <= 1
    press(app, pygame.K_PLUS, frames=0)
    press(app, pygame.K_PLUS, frames=0)                              # 4x
    start = battle.world.step_count
    for _ in range(frames):
        app.frame(frame_dt)
    assert abs(battle.world.step_count - start - 4 * frames * frame_dt * STEPS_PER_SECOND) <= 1


# -- every control in the help overlay ---------------------------------------------------------------
TESTED_CONTROLS = {"Left click / drag", "Ctrl+A", "Ctrl+1 - 9", "1 - 9", "Squad panel", "Enter", "Space", ".",
                   "+ / -", "Arrows / WASD", "Screen edge", "Middle drag", "Mouse wheel", "Home", "Minimap click",
                   "F", "F1 / H", "F11", "Esc", "R / N / S"}


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


def test_f1_and_h_show_the_help_and_esc_closes_it(make_app):
    app, b = deployed(make_app)
    for key, close in [(pygame.K_F1, pygame.K_F1), (pygame.K_h, pygame.K_ESCAPE), (pygame.K_h, pygame.K_h)]:
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


# -- window, layout, messages --------------------------------------------------------------------------
def widget_rects(b) -> list:
    p = b.panel
    rects = [w.rect for w in p.tabs + list(p.picker.buttons.values()) + p.controls]
    return rects + [p.lr.rect, p.momentum.rect, p.spark_rect]


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_layout_fits_the_window(make_app, size):
    app, b = deployed(make_app, "08-himmelblau", size)
    w, h = size
    panel = b.panel.rect
    assert panel.right == w and panel.height == h and b.map_rect.right == panel.x
    rects = widget_rects(b)
    for i, r in enumerate(rects):
        assert panel.contains(r)
        assert not any(r.colliderect(o) for o in rects[i + 1:]), r
        assert not r.colliderect(b.minimap_rect)
    assert panel.contains(b.minimap_rect) and b.minimap_rect.bottom > h * 0.9       # minimap: bottom corner
    assert b.map_rect.contains(b.log_rect) and b.log_rect.bottom > h * 0.9           # log: bottom of the map


def test_the_window_resizes_and_the_layout_follows(make_app):
    app, b = deployed(make_app)
    post(pygame.VIDEORESIZE, w=1600, h=900, size=(1600, 900))
    run(app, 1)
    assert app.screen.get_size() == (1600, 900)
    assert b.panel.rect.right == 1600 and b.map_rect.height == 900 and b.camera.viewport == b.map_rect


def test_a_corrupt_save_is_backed_up_and_a_message_shows(make_app, data_dir):
    data_dir.mkdir(parents=True)
    (data_dir / FILE_NAME).write_text('{"version": 1, "levels": {"01-bowl": ')
    app = make_app()
    run(app, 1)
    assert list(data_dir.glob(FILE_NAME + ".corrupt-*"))
    assert app.toasts and "progress reset" in app.toasts[0][0]
    top = pygame.surfarray.array3d(app.screen)[:, :60]
    assert (np.abs(top - np.array(ACCENT)).sum(-1) < 10).any()        # the notice's frame is on screen
    assert isinstance(app.scene, Title) and app.progress.levels == {}


def test_event_log_lines():
    E = sim.Event
    lines = describe_events([E(87, "arrived", 2, 5, 0.01), E(87, "arrived", 2, 6, 0.02)], first_arrival_seen=False)
    assert lines == [("Squad 3 reached the global minimum in 87 steps", 2)]
    assert describe_events([E(9, "diverged", 0, 1, 5.0)], True) == [("Squad 1 diverged: learning rate too large", 0)]
    assert describe_events([E(40, "trapped", 1, 3, 0.412, True)], True) == \
        [("Squad 2 trapped in a local minimum, h = 0.41", 1)]
    many = describe_events([E(9, "diverged", 0, u, 5.0) for u in range(3)], True)
    assert many == [("Squad 1: 3 units diverged: learning rate too large", 0)]


# -- the play command ------------------------------------------------------------------------------
def one_line(text: str) -> bool:
    return text.count("\n") == 1 and text.strip()


def test_no_display_prints_one_line_and_exits_2(monkeypatch, capsys):
    for var in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    assert main.main([]) == 2
    err = capsys.readouterr().err
    assert one_line(err) and "python main.py simulate LEVEL" in err
    assert "python main.py tui LEVEL" in err and "python main.py record LEVEL" in err


def test_a_display_that_fails_to_open_prints_one_line(monkeypatch, capsys):
    def no_window(*args, **kw):
        raise pygame.error("x11 not available")

    monkeypatch.setattr(pygame.display, "set_mode", no_window)
    assert main.main(["play"]) == 2
    err = capsys.readouterr().err
    assert one_line(err) and "simulate LEVEL" in err


def test_play_command_runs_frames(monkeypatch, data_dir):
    ran = []
    original = App.run

    def few_frames(self, max_frames=None):
        ran.append(type(self.scene).__name__)
        self.fixed_dt = DT
        return original(self, max_frames=3)

    monkeypatch.setattr(App, "run", few_frames)
    monkeypatch.setattr(pygame, "quit", lambda: None)              # keep the fonts other tests cached
    assert main.main(["play", "01-bowl"]) == 0
    assert ran == ["Briefing"]


def test_all_text_is_dejavu():
    for path in Path(__file__).resolve().parent.parent.joinpath("game").rglob("*.py"):
        if path.name != "fonts.py":
            source = path.read_text()
            assert "SysFont" not in source and "pygame.font.Font(" not in source and "freetype" not in source, path


def _labelled_map(camera, level):
    """The fitted map's rectangle with its frame and tick labels round it [px]."""
    from game.view.fog import grid_step
    from game.view.marks import frame_room
    left, bottom = frame_room(level, grid_step(camera))
    r = camera.map_rect()
    return pygame.Rect(r.x - left, r.y - 1, r.width + left + 1, r.height + bottom + 1)


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
@pytest.mark.parametrize("level", ["02-overshoot", "03-ravine", "12-boss"])
def test_fitted_map_labels_clear_of_the_event_log(make_app, size, level):
    app, b = deployed(make_app, level, size)
    press(app, pygame.K_RETURN)
    app.frame()
    assert b.phase == "descend" and b.camera.fitted
    labelled = _labelled_map(b.camera, b.level)
    assert b.camera.viewport.contains(labelled)
    assert not labelled.colliderect(b.log_rect)


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_briefing_map_leaves_room_for_the_widest_tick_label(make_app, size):
    app = make_app(size, level="random:123:normal")
    assert isinstance(app.scene, Briefing)
    labelled = _labelled_map(app.scene.camera, app.scene.level)
    assert app.scene.camera.viewport.contains(labelled)


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080), (960, 600)])
def test_campaign_card_titles_stay_clear_of_the_stars(make_app, size):
    from game.view.fonts import font
    from game.play.campaign import _fit_title
    app = make_app(size)
    press(app, pygame.K_RETURN)
    c = app.scene
    assert isinstance(c, Campaign)
    s, rect = c.scale, c.cards[0]
    pad = int(12 * s)
    side = rect.height - 2 * pad
    width = rect.width - side - 3 * pad                # as _draw_card lays a card out
    room = side - int(38 * s)                          # from under "LEVEL nn" to over the stars line
    for title in ["Three Arms of the Spiral", "The Bowl", "A Very Long Title That Cannot Possibly Fit In One Card"]:
        size_px, lines = _fit_title(title, width, room, s)
        assert 1 <= len(lines) and len(lines) * int(size_px * 1.3) <= max(room, int(size_px * 1.3))
        assert all(font(size_px, bold=True).size(line)[0] <= width for line in lines)


# -- play-test fixes: retry, leaving a run, hints, results camera, sparkline, notices -------------


def lose(app, b):
    """Run ``b`` to the results screen (the caller's orders make it a loss)."""
    press(app, pygame.K_RETURN, frames=0)
    for _ in range(3):
        press(app, pygame.K_PLUS, frames=0)
    run_until(app, lambda: isinstance(app.scene, Results))
    assert not app.scene.world.won
    return app.scene


def test_retry_keeps_the_squads_and_their_last_orders(make_app):
    app, b = deployed(make_app, "03-ravine")
    b.selection.set(np.arange(b.world.n_units) < 5)
    press(app, pygame.K_2, mod=pygame.KMOD_CTRL)                     # squad 2: units 0-4
    b.give_orders(optimizer="momentum", lr=5.0, momentum=0.4)
    press(app, pygame.K_1)
    b.give_orders(lr=5.0)                                            # squad 1: SGD, far too bold
    results = lose(app, b)
    squads, spawn = b.world.squad.copy(), b.world.start.copy()
    press(app, pygame.K_r)
    retry = app.scene
    assert isinstance(retry, Battle) and retry is not b and retry.phase == "deploy"
    assert np.array_equal(retry.world.squad, squads) and np.array_equal(retry.world.positions, spawn)
    assert [(o.optimizer, o.lr, o.momentum) for o in retry.world.orders] == \
        [("sgd", 5.0, b.level.momentum), ("momentum", 5.0, 0.4)]
    assert all(e[0] == 0 for e in retry.recorder.timeline)           # a replay of the retry starts the same
    assert results.battle is b


def test_esc_during_the_descent_asks_before_leaving(make_app):
    app, b = deployed(make_app)
    press(app, pygame.K_RETURN)
    run(app, 3)
    press(app, pygame.K_ESCAPE)
    assert app.scene is b and b.confirm_leave
    steps = b.world.step_count
    run(app, 10)
    assert b.world.step_count == steps                              # paused while it asks
    press(app, pygame.K_SPACE)                                      # any other key: resume
    assert app.scene is b and not b.confirm_leave and not b.paused
    run(app, 5)
    assert b.world.step_count > steps
    press(app, pygame.K_F1)                                         # help's Esc only closes the help
    press(app, pygame.K_ESCAPE)
    assert app.scene is b and not b.show_help and not b.confirm_leave
    press(app, pygame.K_ESCAPE)
    press(app, pygame.K_ESCAPE)                                     # Esc twice: leave
    assert isinstance(app.scene, Briefing)


def test_loss_advice_follows_what_went_wrong_and_what_the_player_did():
    def outcome(level, optimizer, lr, momentum=0.0):
        w = sim.World(sim.load_level(level))
        w.set_orders(0, optimizer, lr, momentum)
        while not w.over:
            w.step()
        return w

    w = outcome("03-ravine", "sgd", 5.0)
    assert loss_advice(w) == ["Your learning rate was too large: units flew off the map. Lower \u03b7."]
    assert loss_advice(outcome("03-ravine", "sgd", 0.5)) == ["Too slow: raise \u03b7 or add momentum."]
    slow = loss_advice(outcome("08-himmelblau", "momentum", 0.02, 0.9))
    assert slow == ["Too slow: raise \u03b7."]                       # momentum 0.9 used: not "add momentum"
    trapped = loss_advice(outcome("09-rastrigin", "sgd", 0.01))[0]
    assert "local minimum" in trapped and "momentum" in trapped and "Adam" in trapped
    flat = loss_advice(outcome("06-plateau", "momentum", 0.1, 0.9))[0]
    assert "flat ground" in flat and "momentum" not in flat and "\u03b7" in flat
    assert loss_advice(outcome("01-bowl", "sgd", 0.5)) == []         # a win needs no advice


def test_hints_show_after_a_first_loss_on_results_and_the_retry_deploy(make_app):
    app, b = deployed(make_app, "03-ravine")
    assert b.deploy_hints() == [] and not b._hint_lines              # the puzzle stays a puzzle
    b.give_orders(lr=5.0)
    results = lose(app, b)
    hints = b.loss_hints()
    assert hints[0].startswith("Your learning rate was too large") and hints[1] == b.level.hint
    run(app, 1)                                                      # the results panel draws them
    press(app, pygame.K_r)
    retry = app.scene
    assert retry.deploy_hints() == hints and retry._hint_lines
    assert retry.map_rect.contains(retry.hint_rect) and not retry.hint_rect.colliderect(retry.log_rect)
    run(app, 1)
    assert results is not retry
    press(app, pygame.K_ESCAPE)                                      # back via the briefing: the level's hint
    press(app, pygame.K_RETURN)
    assert isinstance(app.scene, Battle) and app.scene.deploy_hints() == [b.level.hint]


def test_results_fit_the_whole_map_whatever_the_battle_zoom(make_app):
    app, b = deployed(make_app, "03-ravine")
    b.give_orders(lr=5.0)
    press(app, pygame.K_RETURN)
    b.camera.zoom_at(b.map_rect.center, 3.0)
    run_until(app, lambda: isinstance(app.scene, Results))
    cam = app.scene.camera
    assert cam.fitted and cam.zoom == pytest.approx(cam.fit_zoom)
    for m in b.level.minima:
        assert app.scene.map_rect.collidepoint(cam.pos2pix(np.asarray(m.xy)))


def test_the_sparkline_plots_the_running_best_and_the_star_tick_is_labelled(make_app):
    assert np.array_equal(running_best([np.nan, 3, 2, 5, 1, 4]), [np.nan, 3, 2, 2, 1, 1], equal_nan=True)
    app, b = deployed(make_app, "03-ravine")
    b.give_orders(lr=5.0)                                            # every unit diverges
    press(app, pygame.K_RETURN)
    run_until(app, lambda: b.phase == "over")
    best = running_best(b.history[0][:b.world.step_count + 1])
    assert np.all(np.diff(best) <= 0)
    b.panel.draw(app.screen)
    tick = b.panel.star_tick
    assert b.panel.rect.contains(tick) and not any(tick.colliderect(t.rect) for t in b.panel.tabs)


def test_notices_expire_stay_with_their_scene_and_clear_the_help_tag(make_app):
    app, b = deployed(make_app, "03-ravine")
    b.give_orders(lr=5.0)
    results = lose(app, b)
    app.notify("Replay saved: " + "/a/very/long/path" * 20)
    run(app, 1)
    assert app.toasts and app.toasts[0][2] is results
    press(app, pygame.K_r)                                           # the notice stays behind
    assert app.toasts == []
    battle = app.scene
    app.notify("Replay saved: " + "/a/very/long/path" * 20)
    run(app, 1)
    assert app.toast_rects and not app.toast_rects[0].colliderect(battle.help_rect)
    run(app, round(3.0 / DT) + 1)                                    # gone after ~3 s
    assert app.toasts == []


def test_every_help_overlay_control_is_in_the_readme():
    """The README's controls tables name every key of the game's and the classroom's help overlay."""
    from pathlib import Path

    from game.classroom.keys import CLASSROOM_HELP
    from game.play.hud import HELP
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    cells = {line.split("|")[1].strip() for line in readme.splitlines() if line.startswith("| ")}
    missing = [keys for _, rows in HELP + CLASSROOM_HELP for keys, _ in rows if keys not in cells]
    assert not missing, missing
