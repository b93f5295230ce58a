"""A unit that barely moves because its steps are tiny has stalled on a slope; one that settles in a
hollow is trapped there. Both keep the status TRAPPED; the event tells them apart."""
import numpy as np
import pytest

import sim
from game.play.advice import describe_events
from game.view.advice import loss_advice
from game.terminal.text import event_text
from tests.cli_run import cli


def crawl(name: str, lr: float = 1e-8) -> sim.World:
    level = sim.load_level(name)
    world = sim.World(level)
    world.set_orders(0, lr=lr)
    world.step(level.budget)
    return world


def trapped(world):
    return [e for e in world.events if e.kind == "trapped"]


@pytest.mark.parametrize("name", ["01-bowl", "03-ravine", "09-rastrigin", "20-nn-train"])
def test_tiny_steps_stall_on_a_slope_and_are_not_a_local_minimum(name):
    world = crawl(name)
    events = trapped(world)
    assert events and all(e.stalled and not e.near_minimum for e in events)
    assert (world.status == sim.TRAPPED).all() and world.stalled.all()
    assert world.outcome()["stalled"] == world.outcome()["trapped"]


def test_the_crawl_near_a_minimum_once_counted_as_trapped_in_it():
    """On Rastrigin some spawns lie within reach of a local minimum: at lr 1e-8 they are still only crawling."""
    world = crawl("09-rastrigin")
    near = [e for e in trapped(world) if world._near_minimum(world.positions[e.unit])]
    assert near and all(e.stalled and not e.near_minimum for e in near)


def test_units_settled_in_a_hollow_are_trapped_not_stalled():
    level = sim.load_level("09-rastrigin")
    world = crawl("09-rastrigin", lr=level.lr_range[0] * 3)
    events = trapped(world)
    assert events and all(e.near_minimum and not e.stalled for e in events)
    assert all(world.in_pit[e.unit] for e in events) and not crawl("09-rastrigin").in_pit.any()
    assert world.outcome()["stalled"] == 0


@pytest.mark.parametrize("name", ["05-saddle", "06-plateau"])
def test_flat_ground_is_neither_a_stall_nor_a_minimum(name):
    level = sim.load_level(name)
    world = sim.World(level)
    world.step(level.budget)
    events = trapped(world)
    assert events and not any(e.stalled or e.near_minimum for e in events)


def test_new_orders_release_a_stalled_unit_and_keep_cuts_the_flags():
    world = crawl("01-bowl")
    keep = np.arange(world.n_units) % 2 == 0
    world.keep(keep)
    assert world.stalled.shape == (world.n_units,) and world.stalled.all()
    world.set_orders(0, lr=0.5)
    assert not world.stalled.any() and (world.status == sim.DESCENDING).all()


def test_the_event_log_and_the_advice_say_stalled_and_raise_the_rate():
    world = crawl("01-bowl")
    events = trapped(world)
    lines = [text for text, _, _ in describe_events(events, False)]
    assert lines and all("stalled on a slope" in t and "local minimum" not in t for t in lines)
    squads = {e.squad for e in events if e.stalled}
    assert len(lines) == len(squads) < len(events), lines         # one line a squad, whatever each one's height
    advice = loss_advice(world)
    assert len(advice) == 1 and "barely moved" in advice[0] and "Raise" in advice[0]
    assert "stalled on a slope" in event_text(trapped(world)[0])


def test_the_advice_for_a_real_trap_is_unchanged():
    level = sim.load_level("09-rastrigin")
    world = crawl("09-rastrigin", lr=level.lr_range[0] * 3)
    assert "local minimum" in loss_advice(world)[0]
    assert all("trapped in a local minimum" in t for t, _, _ in describe_events(trapped(world), False))


def test_simulate_counts_the_stalled(capsys):
    status, out, _ = cli(capsys, "simulate", "01-bowl", "--lr", "1e-8")
    assert status == 0 and "trapped 12 (12 stalled" in out
