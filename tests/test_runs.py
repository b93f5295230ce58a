"""After a run: retry with the same squads, leaving a run, hints after a loss, the results camera,
the sparkline and the notices -- driven headless through the real loop."""

import numpy as np
import pygame
import pytest

import sim
from game.view.advice import loss_advice
from game.play.battle import Battle
from game.play.briefing import Briefing
from game.play.hud import running_best
from game.play.results import Results
from tests.drive import DT, press, run, run_until
from tests.play import deployed


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
    b.give_orders(lr=0.3)                                            # too slow: the level's hint answers that
    results = lose(app, b)
    hints = b.loss_hints()
    assert hints[0].startswith("Too slow") and hints[1] == b.level.hint
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
