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
from game.play.app import GameApp
from game.play.advice import describe_events
from game.play.battle import STEPS_PER_SECOND, Battle
from game.play.event_log import EventLog
from game.play.briefing import Briefing
from game.play.campaign import Campaign
from game.play.progress import FILE_NAME
from game.play.results import Results
from game.play.title import Title
from game.view.widgets import ACCENT
from sim.replay import load_replay
from tests.drive import DT, click, drag, post, press, run, run_until
from tests.play import deployed


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

    slider = battle.panel.lr                # drag the learning rate to 0.85: a stride that earns three stars
    assert battle.world.orders[0].lr == 0.01
    y = slider.track.centery
    drag(app, (slider.x_for(slider.value), y), (slider.x_for(0.85), y))
    assert 0.8 <= battle.world.orders[0].lr <= 0.9
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

    def said(events, first_seen=True):
        return [(line, squad) for line, squad, _ in describe_events(events, first_seen)]

    lines = said([E(87, "arrived", 2, 5, 0.01), E(87, "arrived", 2, 6, 0.02)], first_seen=False)
    assert lines == [("Squad 3 reached the global minimum in 87 steps", 2)]
    assert said([E(9, "diverged", 0, 1, 5.0)]) == [("Squad 1: 1 unit diverged: learning rate too large", 0)]
    assert said([E(40, "trapped", 1, 3, 0.412, True)]) == [("Squad 2: 1 unit trapped in a local minimum, h = 0.41", 1)]
    many = said([E(9, "diverged", 0, u, 5.0) for u in range(3)])
    assert many == [("Squad 1: 3 units diverged: learning rate too large", 0)]


def test_a_repeated_event_keeps_one_log_line_with_a_count():
    """Four units of squad 2 trapped in the same pit at four steps: one line, counting them."""
    log, tally = EventLog(), {}
    for step in range(4):
        for line, squad, key in describe_events([sim.Event(40 + step, "trapped", 1, step, 5.0213, True)], True,
                                                tally):
            log.add(line, (0, 0, 0), key=key)
        log.add(f"something else {step}")
    trapped = [line for line, _, _ in log.lines if "trapped" in line]
    assert trapped == ["Squad 2: 4 units trapped in a local minimum, h = 5.02"]
    assert log.lines[-2][0] == trapped[0]                                  # moved down to the newest
    again = describe_events([sim.Event(60, "trapped", 1, 2, 5.0213, True)], True, tally)   # redeployed, trapped
    assert again[0][0] == trapped[0]                                       # there again: still 4 units


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
    original = GameApp.run

    def few_frames(self, max_frames=None):
        ran.append(type(self.scene).__name__)
        self.fixed_dt = DT
        return original(self, max_frames=3)

    monkeypatch.setattr(GameApp, "run", few_frames)
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


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080), (960, 600), (800, 560)])
def test_campaign_card_titles_stay_clear_of_the_stars(make_app, size):
    from game.view.fonts import font
    from game.play.campaign import _fit_title
    app = make_app(size)
    press(app, pygame.K_RETURN)
    c = app.scene
    assert isinstance(c, Campaign)
    s = c.scale
    for rect in c.cards:
        picture, box, star_y = c.card_parts(rect)
        assert rect.contains(box) and box.bottom < star_y - int(8 * s)             # the title's box over the stars
        assert picture is None or (rect.contains(picture) and picture.right < box.x)
        for title in ["Three Arms of the Spiral", "The Bowl", "A Very Long Title That Cannot Possibly Fit In One Card"]:
            size_px, lines = _fit_title(title, box.width, box.height, s)
            assert 1 <= len(lines) and len(lines) * int(size_px * 1.3) <= max(box.height, int(size_px * 1.3))
            assert all(font(size_px, bold=True).size(line)[0] <= box.width for line in lines)
        title = sim.load_level(c.names[c.cards.index(rect)]).title          # the card's own title: never cut
        assert " ".join(_fit_title(title, box.width, box.height, s)[1]) == title, (title, size)
    rows = [r.y for r in c.headings]
    assert rows == sorted(rows) and all(any(card.y == y for card in c.cards) for y in rows)   # one row per chapter


def test_a_window_larger_than_the_desktop_is_cut_to_fit(monkeypatch):
    """--size 1024x768 on a 1280x720 projector: the window keeps its width and loses the height
    the screen has not got (room left for a frame and a task bar); one that fits is left alone."""
    from game import app as app_module
    monkeypatch.setattr(pygame.display, "get_driver", lambda: "x11")
    monkeypatch.setattr(pygame.display, "get_desktop_sizes", lambda: [(1280, 720)])
    w, h = app_module.fit_to_desktop((1024, 768))
    assert w == 1024 and h == 720 - app_module.DESKTOP_ROOM[1]
    assert app_module.fit_to_desktop((1280, 720)) == (1280, 720)
    monkeypatch.setattr(pygame.display, "get_driver", lambda: "dummy")
    assert app_module.fit_to_desktop((4000, 3000)) == (4000, 3000)
