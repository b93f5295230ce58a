"""The squad panel's learning-rate schedule: a picker of the schedules the level allows (constant,
step decay, cosine annealing), what the squad's schedule does, and the rate it takes this step.

A schedule picked here starts from the squad's learning rate η (the slider above it) with
parameters made from the level's step budget B:

    step     η_t = η · γ^⌊t / s⌋           s = B / 4 steps, γ = 0.3 (sim.schedule.STEP_GAMMA)
    cosine   η_t = η_min + (η − η_min)(1 + cos(π t / T)) / 2     T = B, η_min the level's lowest rate

so a step decay cuts the rate three times over the budget and a cosine eases it to the floor by
the end of it. t counts the squad's steps since the schedule was given (sim/schedule.py); a new
η on the slider starts the schedule afresh from it. The panel shows η_t live: the rate the squad's
next step uses (``World.lr_now``).
"""
from __future__ import annotations

import numpy as np
import pygame

import sim

from game.view.widgets import ACCENT, FAINT, MUTED, TEXT, Picker, ellipsize, text

LABELS = {"constant": "Constant", "step": "Step decay", "cosine": "Cosine"}


def default_schedule(level, kind: str, lr: float) -> sim.Schedule:
    """The schedule ``kind`` from base rate ``lr`` with parameters made from the level's budget
    (sim.schedule.default_schedule), its floor the level's lowest rate."""
    return sim.schedule.default_schedule(kind, lr, level.budget, float(level.lr_range[0]))


def shown(level) -> bool:
    """Whether the panel has a schedule picker: the level allows a schedule besides the constant rate."""
    return any(kind != "constant" for kind in level.schedules)


def describe(world, squad: int) -> str:
    """What the squad's schedule does, in a few words."""
    sched = world.orders[squad].schedule
    if sched is None or sched.kind == "constant":
        return "the rate stays at \u03b7"
    if sched.kind == "step":
        words = f"\u00d7{sched.gamma:g} every {sched.step_size} steps"
    else:
        words = f"cosine to {sched.eta_min:.3g} over {sched.t_max} steps"
    return f"{words}  (t = {world.schedule_step(squad)})"


class SchedulePicker:
    """The schedule section of the squad panel, from ``y`` down; ``bottom`` is where it ends [px]."""

    def __init__(self, battle, x: int, y: int, w: int, px, editable: bool):
        self.battle, self.px = battle, px
        self.x, self.y, self.w = x, y, w
        kinds = ["constant"] + [k for k in battle.level.schedules if k != "constant"]
        o = battle.orders()
        now = o.schedule.kind if o.schedule is not None else "constant"
        top = y + int(px(14) * 1.45)
        self.picker = Picker((x, top, w, px(26)), kinds, LABELS, now, battle.give_schedule, size=px(12))
        for button in self.picker.buttons.values():
            button.enabled = editable or button.selected
        self.y_note = top + px(26) + px(4)
        self.bottom = self.y_note + px(16)

    @staticmethod
    def height(px) -> int:
        """The section's height at the panel's scale [px]."""
        return int(px(14) * 1.45) + px(26) + px(4) + px(16)

    def handle(self, event) -> bool:
        return self.picker.handle(event)

    def draw(self, surface):
        """The label and η_t (the rate of the squad's next step), the picker, what the schedule does."""
        b, px = self.battle, self.px
        squad = min(b.squad, b.world.n_squads - 1)
        lr_now = float(np.mean(b.world.lr_now(squad)))
        sched = b.world.orders[squad].schedule
        scheduled = sched is not None and sched.kind != "constant"
        text(surface, "schedule", (self.x + 2, self.y), px(14), TEXT)
        text(surface, f"\u03b7\u209c {lr_now:.3g}", (self.x + self.w - 2, self.y), px(14),
             ACCENT if scheduled else FAINT, bold=scheduled, anchor="topright")
        self.picker.draw(surface)
        note = ellipsize(describe(b.world, squad), px(11), self.w - 4)
        text(surface, note, (self.x + 2, self.y_note), px(11), MUTED if scheduled else FAINT)


def schedule_rect(picker: SchedulePicker) -> pygame.Rect:
    """The section's rectangle [px] (for tests and layout checks)."""
    return pygame.Rect(picker.x, picker.y, picker.w, picker.bottom - picker.y)
