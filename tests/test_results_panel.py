"""The results panel lays its text out to fit: every level, every cause of loss, 1-9 squads, at
1280x720 and 800x600. Each text drawn (through the hook in game.view.widgets) lies inside the box
it must fit in, no string is cut short with an ellipsis, and scrolling the panel shows every
word of the advice and every squad. Only the panel is drawn, for worlds built without running."""
import re
from types import SimpleNamespace

import numpy as np
import pygame
import pytest

import sim
from game.app import ui_scale
from game.view.advice import loss_hints
from game.play.results import Results
from game.play.results_panel import schedule_words
from game.view.widgets import recording_text
from sim.level_file import LOSS_CAUSES
from sim.schedule import default_schedule
from tests.losses import lost_world

SIZES = [(1280, 720), (800, 600)]
LEVELS = sim.campaign() + ["random:42"]


def results_for(world) -> Results:
    """A results scene of ``world`` over a stand-in battle (no map, no camera: the panel only)."""
    still = SimpleNamespace(fit=lambda: None)
    eyes = SimpleNamespace(controls=SimpleNamespace(handle=lambda event: False), map=still, table=still,
                           set_viewport=lambda *a, **k: None)
    battle = SimpleNamespace(world=world, level=world.level, eyes=eyes, network=None, replay=None, new_best=False,
                             loss_hints=lambda: loss_hints(world))
    return Results(SimpleNamespace(has=lambda name: True), battle)


def panel_texts(results, size) -> tuple[list, bool]:
    """(every text the panel shows, scrolled from top to bottom, as (s, rect, box, cut), scrolled?)."""
    results.layout(size, ui_scale(size))
    surface = pygame.Surface(size)
    box = results.column_rect()
    results.scroll = 0
    with recording_text() as log:
        while True:
            results._draw_panel(surface)
            height = results.column(box).height
            if results.scroll >= height - box.height:
                break
            results.scroll += max(1, box.height // 2)
    return log, height > box.height


def squad_orders(level, k: int) -> tuple:
    """Long orders for squad k: the level's optimizers in turn, a three-digit η, heavy momentum."""
    optimizer = level.allowed[k % len(level.allowed)]
    lo, hi = level.lr_range
    lr = float(f"{min(lo * 1.2345, hi):.3g}")
    return optimizer, lr, float(np.clip(0.95, *level.momentum_range))


def squad_schedule(level, k: int, lr: float):
    """On a level with schedules, every squad but the first follows one (the picker's, in turn)."""
    kinds = [kind for kind in level.schedules if kind != "constant"]
    return default_schedule(kinds[k % len(kinds)], lr, level.budget, level.lr_range[0]) if kinds and k else None


def check_panel(level, cause, squads, size):
    squads = min(squads, level.units)
    world = lost_world(level, cause, squads)
    for k in range(squads):
        optimizer, lr, mu = squad_orders(level, k)
        world.set_orders(k, optimizer, lr, mu, schedule=squad_schedule(level, k, lr))
    results = results_for(world)
    log, scrolled = panel_texts(results, size)
    panel = results.panel
    assert not [s for s, _, _, cut in log if cut], (level.id, cause, squads, size)
    for s, rect, box, _ in log:
        assert panel.contains(rect), (s, rect, panel)
        assert box is None or box.contains(rect), (s, rect, box)
    shown = " ".join(s for s, *_ in log)
    for line in loss_hints(world):
        assert all(word in shown for word in line.split()), (line, size)
    assert all(word in shown for word in level.title.upper().split())
    for k in range(squads):
        assert any(s == f"{k + 1}" for s, *_ in log)
        sched = world.orders[k].schedule
        assert sched is None or schedule_words(sched) in shown, (k, sched)
    return scrolled


@pytest.mark.parametrize("name", LEVELS)
def test_results_panel_fits_every_cause_and_squad_count(name):
    level = sim.load_level(name)
    for size in SIZES:
        for cause in LOSS_CAUSES:
            for squads in range(1, 10):
                check_panel(level, cause, squads, size)


def test_a_four_squad_loss_on_the_boss_fits_without_scrolling():
    """The advice and all four squads of a lost 12-boss at 1280x720 show at once."""
    assert not check_panel(sim.load_level("12-boss"), "trapped", 4, (1280, 720))


def test_a_panel_too_tall_even_when_set_smaller_scrolls_with_the_wheel():
    world = lost_world(sim.load_level("12-boss"), "trapped", 9)
    results = results_for(world)
    log, scrolled = panel_texts(results, (800, 420))
    assert scrolled and not [s for s, _, _, cut in log if cut]
    assert all(box is None or box.contains(rect) for _, rect, box, _ in log)
    assert all(word in " ".join(s for s, *_ in log) for line in loss_hints(world) for word in line.split())
    results.scroll = 0
    results.handle(pygame.event.Event(pygame.MOUSEMOTION, pos=results.panel.center, rel=(0, 0), buttons=(0, 0, 0)))
    results.handle(pygame.event.Event(pygame.MOUSEWHEEL, x=0, y=-2, flipped=False))
    assert results.scroll > 0


def test_every_unit_of_every_squad_is_counted():
    """Each squad's line counts all its units -- arrived, trapped, diverged, still moving -- so the
    lines add up to the units on the field."""
    world = lost_world(sim.load_level("09-rastrigin"), "trapped", 3)
    world.status[world.squad == 0] = np.resize([sim.TRAPPED, sim.DIVERGED, sim.DESCENDING],
                                               int((world.squad == 0).sum()))
    log, _ = panel_texts(results_for(world), (1280, 720))
    said = " ".join(s for s, *_ in log)
    squad_lines = said.split("SQUADS", 1)[1]
    counted = sum(int(n) for n in re.findall(r"(\d+) (?:arrived|trapped|diverged|moving)\b", squad_lines))
    assert counted == world.n_units


def test_a_win_short_of_three_stars_names_the_fastest_plan_found():
    """Second Wind won by the briefing's plan (Adam, then Momentum after 50 steps): one star, and
    the panel says how the solver's best plan (replayed to three stars in test_plans) goes."""
    from sim.difficulty import stored_best
    level = sim.load_level("16-second-wind")
    world = sim.World(level)
    world.set_orders(0, "adam", 0.08, 0.5)
    world.step(50)
    world.set_orders(0, "momentum", 0.08, 0.5)
    while not world.over:
        world.step()
    assert world.won and world.stars() == 1
    log, _ = panel_texts(results_for(world), SIZES[0])
    shown = " ".join(s for s, *_ in log)
    best = stored_best(level.id)
    assert best["kind"] == "change" and best["steps"] <= level.star_steps
    for words in ("For three stars", "RMSProp at", f"from step {best['at']} Nesterov", f"step {best['steps']}."):
        assert words in shown, (words, shown)
    bowl = sim.World(sim.load_level("01-bowl"))
    bowl.set_orders(0, "sgd", float(stored_best("01-bowl")["orders"][1]))
    while not bowl.over:
        bowl.step()
    assert bowl.stars() == 3 and "For three stars" not in " ".join(s for s, *_ in panel_texts(results_for(bowl),
                                                                                              SIZES[0])[0])


def test_units_stopped_outside_a_pit_are_counted_as_stalled_as_the_advice_says():
    """The Saddle with its own orders: every unit stops where the slope vanishes, in no minimum; the
    counts say 'stalled', as the advice ('...barely moved' / 'stalled') does, not 'trapped'."""
    world = sim.World(sim.load_level("05-saddle"))
    while not world.over:
        world.step()
    assert not world.won and world.counts()["trapped"] == world.n_units
    log, _ = panel_texts(results_for(world), SIZES[0])
    shown = [s for s, *_ in log]
    assert shown.count(f"{world.n_units} stalled") == 2 and "0 trapped" in shown, shown   # all units, the squad
