"""The words of a recording: a squad's name and orders, its units by status, and the outcome.

Shared by the video (film.py) and the web page (page_data.py); nothing here draws.
"""
from __future__ import annotations

import numpy as np

from sim.world import DESCENDING, DIVERGED

from game.view.names import OPTIMIZER_LABELS, uses_momentum
from game.view.palette import SQUAD_COLOURS
from game.view.widgets import MUTED, STATUS_COLOURS

OFF_MAP = "off the map"      # the legend's word for descending units flung past the map's edge


def orders_text(orders, lr_now=None) -> str:
    """'η 0.02  μ 0.9' -- the learning rate, and the momentum when the update rule has one; under a
    schedule the rate of this step ``lr_now`` and the schedule's kind ('η 0.0734 cosine  μ 0.9')."""
    lr, mu = float(np.mean(orders.lr)), float(np.mean(orders.momentum))
    scheduled = orders.schedule is not None and orders.schedule.kind != "constant"
    words = f"\u03b7 {float(np.mean(lr_now if scheduled and lr_now is not None else lr)):.3g}"
    if scheduled:
        words += f" {orders.schedule.kind}"
    if uses_momentum(orders.optimizer):
        words += f"  {'β₁' if orders.optimizer == 'adam' else 'μ'} {mu:.3g}"
    return words


def squad_label(world, squad: int, race: bool) -> str:
    """A squad's name on screen: its optimizer in a race, else 'Squad k · optimizer' when there are several."""
    name = OPTIMIZER_LABELS[world.orders[squad].optimizer]
    return name if race or world.n_squads == 1 else f"Squad {squad + 1} \u00b7 {name}"


def legend_counts(world, squad: int) -> dict:
    """A squad's units by status, as the legend lists them: the descending units that stand off
    the map (flung past its edge, drawn as rings on it) counted apart as OFF_MAP."""
    counts = world.counts(squad)
    (x0, x1), (y0, y1) = world.level.bounds
    x, y = world.positions[:, 0], world.positions[:, 1]
    off = (world.squad == squad) & (world.status == DESCENDING) & ~((x >= x0) & (x <= x1) & (y >= y0) & (y <= y1))
    counts[OFF_MAP] = int(off.sum())
    counts["descending"] -= counts[OFF_MAP]
    return counts


def outcome_text(world, race: bool, final: bool = True) -> tuple[str, tuple]:
    """The closing banner: who reached the global minimum first, and when; or that no unit did,
    and how many diverged (every one: when, and that the step was too large). ``final`` False: words
    true from the first arrival on (a web page shows them from that step), so no count of the end."""
    arrived = np.flatnonzero(world.arrival_step >= 0)
    if not len(arrived):
        n, diverged = world.n_units, int((world.status == DIVERGED).sum())
        if diverged == n:
            steps = sorted({e.step for e in world.events if e.kind == "diverged"}) or [world.step_count]
            when = f"at step {steps[0]}" if len(steps) == 1 else f"by step {steps[-1]}"
            return (f"All {n} units diverged {when}: the steps were too large and flung them off the map",
                    STATUS_COLOURS["diverged"])
        steps = world.step_count
        words = f"No unit reached the global minimum in {steps} step{'' if steps == 1 else 's'}"
        return words + (f"; {diverged} of {n} diverged" if diverged else ""), MUTED
    first = arrived[np.argmin(world.arrival_step[arrived])]
    squad, step = int(world.squad[first]), int(world.arrival_step[first])
    if world.n_squads == 1 and not final:               # the count of the end would tell the future
        return f"The first unit reached the global minimum at step {step}", SQUAD_COLOURS[squad]
    if world.n_squads == 1:
        return (f"Reached the global minimum at step {step}: {len(arrived)} of {world.n_units} units",
                SQUAD_COLOURS[squad])
    return f"{squad_label(world, squad, race)} reached the global minimum first, at step {step}", SQUAD_COLOURS[squad]
