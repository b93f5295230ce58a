"""Lost runs built cheaply for the tests of what the game says after a loss: a level's world with
its units in squads, each unit set to the status of a cause of loss, no step taken."""
import numpy as np

import sim
from sim.level_file import LOSS_CAUSES
from sim.world import Event

CAUSE_STATUS = {"diverged": sim.DIVERGED, "trapped": sim.TRAPPED, "stalled": sim.TRAPPED, "slow": sim.DESCENDING,
                "supply": sim.DESCENDING}
assert set(CAUSE_STATUS) == set(LOSS_CAUSES)


def lost_world(level, cause: str, squads: int = 1, orders=None) -> sim.World:
    """``level``'s world at the end of its budget, every unit lost to ``cause`` (see
    sim.level_file.LOSS_CAUSES), its units dealt round-robin into ``squads`` squads, each with
    ``orders`` (optimizer, lr, momentum) if given."""
    w = sim.World(level)
    n = w.n_units
    for k in range(1, squads):
        w.assign(np.flatnonzero(np.arange(n) % squads == k), k)
    if orders is not None:
        for k in range(squads):
            w.set_orders(k, *orders)
    w.step_count = level.budget
    w.status[:] = CAUSE_STATUS[cause]
    if cause == "supply":                    # it ran out a little before the budget
        w.step_count = max(1, level.budget // 2)
        w.supply_left, w.supply_out_step = 0, w.step_count
    kind = {"diverged": "diverged", "trapped": "trapped", "stalled": "trapped"}.get(cause)
    if kind is not None:
        w.events = [Event(level.budget, kind, int(w.squad[i]), i, float(w.heights[i]), cause == "trapped")
                    for i in range(n)]
        w.in_pit[:] = cause == "trapped"                  # as the world marks a unit its event calls near a minimum
    return w


def order_variants(level) -> list:
    """Orders a player may have lost with: every allowed optimizer at the lowest, the default and the
    highest learning rate, with no momentum and with heavy momentum (inside the level's ranges)."""
    lo, hi = level.lr_range
    mus = sorted({float(np.clip(m, *level.momentum_range)) for m in (0.0, 0.95)})
    return [(o, lr, mu) for o in level.allowed for lr in sorted({lo, level.lr, hi}) for mu in mus]
