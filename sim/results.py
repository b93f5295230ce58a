"""What a run comes to: won or over, counts by status, stars, the outcome summary, the trail.

``Results`` is part of ``World`` (sim/world.py); it only reads the world's arrays.
"""
from __future__ import annotations

import numpy as np

from .squads import DESCENDING, DIVERGED, STATUS_NAMES, TRAPPED


class Results:
    """The read-only side of a World."""

    def _arrived_in_time(self) -> np.ndarray:
        """Arrival steps of the units that reached the global minimum within the level's budget
        and before the supply ran out (the step that ran it out still counts)."""
        steps, last = self.arrival_step, self.level.budget
        if self.supply_out_step is not None:
            last = min(last, self.supply_out_step)
        return steps[(steps >= 0) & (steps <= last)]

    @property
    def won(self) -> bool:
        """A unit has reached the global minimum within the step budget."""
        return bool(len(self._arrived_in_time()))

    @property
    def over(self) -> bool:
        """Won, out of steps, out of supply, or no unit still descending."""
        return (self.won or self.step_count >= self.level.budget or self.supply_left <= 0
                or not (self.status == DESCENDING).any())

    @property
    def supply_spent(self) -> int:
        """Supply used so far [unit-steps]: moving units' steps and drops."""
        return self.supply - self.supply_left

    def counts(self, squad: int | None = None) -> dict:
        """Units by status name (for one squad, or all)."""
        s = self.status if squad is None else self.status[self.squad == squad]
        return {name: int((s == code).sum()) for code, name in enumerate(STATUS_NAMES)}

    def trail_points(self, length: int | None = None) -> np.ndarray:
        """The last ``length`` positions per unit, oldest first: (length, N, 2)."""
        k = len(self.trail)
        length = min(k, self.step_count + 1) if length is None else min(length, k, self.step_count + 1)
        order = (self.trail_head - np.arange(length)[::-1]) % k
        return self.trail[order]

    def stars(self) -> int:
        """0 if not won; else 1 + (arrived within stars.steps)
        + (lost at most stars.units_lost and spent at most stars.supply)."""
        if not self.won:
            return 0
        first = int(self._arrived_in_time().min())
        lost = int(((self.status == TRAPPED) | (self.status == DIVERGED)).sum())
        frugal = lost <= self.level.star_units_lost and self.supply_spent <= self.level.star_supply
        return 1 + (first <= self.level.star_steps) + frugal

    def outcome(self) -> dict:
        """A summary of the run so far (the fields of ``simulate --json``)."""
        arrived = self.arrival_step[self.arrival_step >= 0]
        return {
            "level": self.level.id, "seed": self.seed, "steps": self.step_count, "units": self.n_units,
            **self.counts(), "stalled": int(self.stalled[self.status == TRAPPED].sum()),
            "won": self.won, "stars": self.stars(),
            "first_arrival_step": int(arrived.min()) if len(arrived) else None,
            "best_height": self.best_height, "global_min_height": self.level.global_min_height,
            "global_min": [float(v) for v in self.level.global_min],
            "supply": self.supply, "supply_spent": self.supply_spent,
            "squads": [{"optimizer": o.optimizer, "lr": o.lr, "momentum": o.momentum,
                        "schedule": None if o.schedule is None else o.schedule.to_dict(),
                        "held": s in self._held, **self.counts(s)}
                       for s, o in enumerate(self.orders)],
        }
