"""A retry starts from the plan the player started with -- squads, orders, holds and tempo as the
descent began -- not from the orders the run ended with (game/play/retry.py)."""
import numpy as np
import pygame

from game.play.battle import Battle
from game.view.widgets import recording_text
from tests.drive import press, run
from tests.test_rts_game import battle, ground_file, scout  # noqa: F401  (ground_file: a fixture)


def test_a_retry_starts_from_the_opening_plan_not_the_last_orders(make_app, ground_file):  # noqa: F811
    app, b = battle(make_app, ground_file)
    b.give_orders(lr=0.002)                          # squad 1's opening rate ...
    press(app, pygame.K_MINUS)                       # ... at half speed
    scout(app, b, steps=6)                           # unit 1 scouts as squad 2, squad 1 held
    opening = [(o.optimizer, float(np.mean(o.lr)), float(np.mean(o.momentum))) for o in b.world.orders]
    press(app, pygame.K_2)
    b.give_orders("adam", 0.3, 0.9)                  # mid-run changes: a bold squad 2, squad 1 let go
    press(app, pygame.K_1)
    press(app, pygame.K_h)
    assert not b.world.is_held(0)
    b._finish()
    b.app.swap("battle", b.level, previous=b)
    again = app.scene
    assert isinstance(again, Battle) and again is not b and again.phase == "deploy"
    assert [(o.optimizer, float(np.mean(o.lr)), float(np.mean(o.momentum))) for o in again.world.orders] == opening
    assert again.world.is_held(0) and not again.world.is_held(1)
    assert list(again.world.squad) == list(b.world.squad[:again.world.n_units])
    assert again.speed == 0.5
    run(app, 1)
    assert "as they were at the start" in again.log.lines[-1][0]


def stopped_battle(make_app):
    """Egg Crate with every unit on SGD at a small η: each settles in the nearest pit by step 70."""
    app, b = battle(make_app, "09-rastrigin")
    b.give_orders("sgd", 3 * b.level.lr_range[0])
    press(app, pygame.K_RETURN)
    for _ in range(400):
        if b.paused or b.phase == "over":
            break
        app.frame()
    return app, b


def test_when_every_unit_stops_the_run_waits_for_a_landing(make_app):
    from game.play.landing import STOPPED_WORDS
    from tests.test_rts_game import aim_at
    app, b = stopped_battle(make_app)
    w = b.world
    assert b.phase == "descend" and b.paused and w.over and not w.won, w.counts()
    assert b.log.lines[-1][0] == STOPPED_WORDS
    steps = w.step_count
    pygame.event.post(pygame.event.Event(pygame.MOUSEMOTION, pos=aim_at(b, explored=True), rel=(0, 0),
                                         buttons=(0, 0, 0)))
    press(app, pygame.K_l)
    assert not w.over and (w.status == 0).sum() == 3          # three fresh units descend
    press(app, pygame.K_SPACE, frames=3)
    assert b.phase == "descend" and w.step_count > steps


def test_a_pause_key_never_ends_a_stopped_run_enter_does(make_app):
    """Space, the Resume button and '.' while every unit has stopped only repeat what to do; Enter
    (or the End run button) ends the run."""
    from game.play.landing import STOPPED_WORDS
    app, b = stopped_battle(make_app)
    assert b.paused and b.world.over and b.stopped
    steps = b.world.step_count
    b.log.add("something else")
    press(app, pygame.K_SPACE, frames=2)
    press(app, pygame.K_SPACE, frames=2)
    assert b.phase == "descend" and b.log.lines[-1][0] == STOPPED_WORDS
    assert [line for line, *_ in b.log.lines].count(STOPPED_WORDS) == 1          # said again, not twice
    press(app, pygame.K_PERIOD, frames=2)
    assert b.phase == "descend" and b.world.step_count == steps
    with recording_text() as drawn:
        run(app, 1)
    assert "End run" in [s for s, *_ in drawn] and "Resume" not in [s for s, *_ in drawn]
    press(app, pygame.K_RETURN, frames=2)
    assert b.phase == "over" and b.log.lines[-1][0] == "No unit is still descending"
