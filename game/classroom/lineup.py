"""The race in words: each squad's result for the line-up under the map, the notice when a squad
first reaches the goal, and the race's result once it is over -- in the words the update-rule
panel uses for a unit (``game.view.explain.status_word``: 'trapped' only in a local minimum,
'stalled' where the steps became too small), so one unit never gets two names on one screen.

Nothing here draws; every function reads the world it is handed.
"""
from __future__ import annotations

import numpy as np

from game.view.explain import MOMENTUM_SYMBOL, num, status_word
from sim.world import TRAPPED

from .look import DIM, GREEN, RED, YELLOW, squad_colour

ORDINALS = ("first", "second", "third")      # "... reached the global minimum second, in 26 steps"


def squad_result(world, squad: int) -> tuple:
    """(words, colour) of a squad's result: its first arrival ("✓ step 4"), "✗ diverged" when every
    unit diverged, else once none descends the status word its stopped units share ("trapped",
    "stalled", or "trapped / stalled" for a mix); "" while it is still on its way."""
    members = np.flatnonzero(world.squad == squad)
    arrived = world.arrival_step[members]
    counts = world.counts(squad)
    if (arrived >= 0).any():
        return f"\u2713 step {int(arrived[arrived >= 0].min())}", GREEN
    if counts["diverged"] == len(members):
        return "\u2717 diverged", RED
    if counts["descending"] == 0:
        words = sorted({status_word(world, i) for i in members if world.status[i] == TRAPPED}, reverse=True)
        return " / ".join(words), YELLOW
    return "", DIM


def settings_text(orders) -> str:
    """A squad's orders in short: "η=0.3 μ=0.9", and its schedule if it has one ("η=0.3 cosine")."""
    s = f"\u03b7={num(orders.lr, 3)}"
    if orders.optimizer in MOMENTUM_SYMBOL:
        s += f" {MOMENTUM_SYMBOL[orders.optimizer]}={num(orders.momentum, 3)}"
    schedule = orders.schedule
    return s + (f" {schedule.kind}" if schedule is not None and schedule.kind != "constant" else "")


def lineup_rows(world, labels) -> list:
    """Per squad (colour, name, settings, result, result colour), for the line-up and the card."""
    return [(squad_colour(k), labels[k], settings_text(world.orders[k]), *squad_result(world, k))
            for k in range(world.n_squads)]


def first_arrivals(world) -> list:
    """(squad, step) of each squad that reached the global minimum, at its first unit's arrival,
    earliest first (ties: the lower squad number)."""
    steps = []
    for k in range(world.n_squads):
        arrived = world.arrival_step[world.squad == k]
        if (arrived >= 0).any():
            steps.append((int(arrived[arrived >= 0].min()), k))
    return [(k, step) for step, k in sorted(steps)]


def arrival_notice(world, labels, squad: int, step: int) -> str:
    """The notice when ``squad`` first reaches the goal at ``step``: which it is to arrive, in a race."""
    if world.n_squads == 1:
        return f"{labels[squad]} reached the global minimum in {step} steps"
    place = [k for k, _ in first_arrivals(world)].index(squad)
    nth = ORDINALS[place] if place < len(ORDINALS) else f"#{place + 1}"
    return f"{labels[squad]} reached the global minimum {nth}, in {step} steps"


def race_result(world, labels) -> str:
    """The race's result in two lines: the winner -- the first squad to reach the global minimum --
    then every squad's first arrival step in order, and how the others ended ("SGD stalled")."""
    order = first_arrivals(world)
    others = [k for k in range(world.n_squads) if k not in dict(order)]
    ended = [f"{labels[k]} {squad_result(world, k)[0].lstrip(chr(0x2717) + ' ') or chr(0x2014)}" for k in others]
    if not order:
        return "Race over: no squad reached the global minimum\n" + "  \u00b7  ".join(ended)
    step = order[0][1]
    first = [labels[k] for k, s in order if s == step]
    head = f"{' and '.join(first)} {'tie' if len(first) > 1 else 'wins'}: first to the global minimum, in {step} steps"
    return head + "\nfirst arrival:  " + "  \u00b7  ".join([*(f"{labels[k]} {s}" for k, s in order), *ended])
