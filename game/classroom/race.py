"""Races for the classroom: one squad per optimizer on the same terrain, from the same starts.

    starts = race_starts(level)                            # RACE_UNITS points in the spawn zone
    entries = default_lineup(level, ["sgd", "momentum"])   # the level's orders, or sensible ones
    entries = winning_lineup(level, starts)                # the fastest winning setting of each
    world = race_world(level, entries, starts)             #   allowed optimizer, from a sweep
    paths = ghost_paths(world, squad=1, steps=20)          # a preview on a scratch copy

Every squad starts from the very same points, so the squads differ only in their update rule and
its settings. Nothing here draws; ``ghost_paths`` never changes the world it is given.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import sim
from sim.world import DESCENDING, DIVERGE_MARGIN, MAX_SQUADS, Orders

from sim.race_orders import sensible_orders            # shared with the recorder's races

RACE_UNITS = 6              # starts per squad
GHOST_STEPS = 20            # steps of the ghost preview
SWEEP_LRS = 16              # learning rates tried per optimizer for a winning line-up ...
SWEEP_MOMENTA = 6           # ... times this many momenta (within the level's ranges)
LABELS = {"sgd": "SGD", "momentum": "Momentum", "nesterov": "Nesterov", "adagrad": "AdaGrad",
          "rmsprop": "RMSProp", "adam": "Adam"}


@dataclass(frozen=True)
class Entry:
    """One squad of a race: its orders and its name in the legend."""
    orders: Orders
    label: str


def race_starts(level, n: int = RACE_UNITS) -> np.ndarray:
    """n starting points in the level's spawn zone, drawn with the level's seed: (n, 2) [world]."""
    return sim.World(level, units=min(n, level.units), trail_length=1).positions


def default_lineup(level, optimizers) -> list[Entry]:
    """One squad per optimizer with sensible orders (an optimizer named twice: "SGD", "SGD 2")."""
    labels = unique_labels([LABELS[name] for name in optimizers])
    return [Entry(sensible_orders(level, name), label) for name, label in zip(optimizers, labels)]


def unique_labels(labels) -> list[str]:
    """``labels`` with each repeat numbered: ["Momentum", "SGD", "Momentum"] -> ["Momentum",
    "SGD", "Momentum 2"] (a number already taken is skipped)."""
    out: list[str] = []
    for label in labels:
        name, k = label, 1
        while name in out:
            k += 1
            name = f"{label} {k}"
        out.append(name)
    return out


def winning_lineup(level, starts, optimizers=None) -> list[Entry]:
    """For each optimizer (default: the level's allowed ones) the setting in the level's ranges
    that brings the most of ``starts`` to the global minimum, the fastest among equals, found by
    a sweep from those very starts. An optimizer that cannot win keeps its sensible orders. When
    only one optimizer races, the level's default orders race beside it, to show what tuning does."""
    from sim.sweep import lr_grid, momentum_grid, sweep
    optimizers = tuple(optimizers or level.allowed)
    result = sweep(level, optimizers, lr_grid(level, SWEEP_LRS), momentum_grid(level, SWEEP_MOMENTA), starts)
    entries = []
    for k, name in enumerate(optimizers):
        best = _fastest_win(result, k)
        if best is None:
            entries.append(Entry(sensible_orders(level, name), LABELS[name]))
        else:
            i, j = best
            entries.append(Entry(Orders(name, float(result.lrs[j]), float(result.momenta[i])), LABELS[name]))
    if len(entries) == 1 and entries[0].orders != sensible_orders(level, optimizers[0]):
        name = LABELS[optimizers[0]]
        entries = [Entry(entries[0].orders, f"{name}, tuned"),
                   Entry(sensible_orders(level, optimizers[0]), f"{name}, level default")]
    return entries[:MAX_SQUADS]


def _fastest_win(result, k: int):
    """(momentum index, lr index) of the cell with the largest arrived share, then the earliest
    median arrival; None if no start arrives anywhere."""
    share = result.arrived[k]
    if share.max() <= 0:
        return None
    steps = np.where(share == share.max(), result.median_arrival[k], np.inf)
    return np.unravel_index(int(np.argmin(steps)), steps.shape)


def race_world(level, entries, starts, seed: int | None = None) -> sim.World:
    """A world with one squad per entry, every squad on the same ``starts``: squad k holds the
    units k*n .. (k+1)*n - 1, unit k*n + i starting at starts[i]."""
    starts = np.asarray(starts, float).reshape(-1, 2)
    n, k = len(starts), len(entries)
    world = sim.World(level, seed=seed, units=n * k, spawn=np.tile(starts, (k, 1)))
    for s in range(1, k):
        world.assign(np.arange(s * n, (s + 1) * n), s)
    for s, e in enumerate(entries):
        world.set_orders(s, e.orders.optimizer, e.orders.lr, e.orders.momentum)
    return world


def ghost_paths(world, squad: int, steps: int = GHOST_STEPS) -> np.ndarray:
    """Where the squad's units would be over the next ``steps`` steps with the current orders:
    (steps + 1, n, 2) [world], the first row their positions now.

    It runs on a scratch copy -- the positions and a ``take()`` of the optimizer with its state
    -- and on the plain slope (no weather). Units stop as in the world: at the goal, off the map
    (diverged), or already stopped; the world itself is never touched.
    """
    level = world.level
    members = np.flatnonzero(world.squad == squad)
    opt = world.optimizer(squad).take(np.arange(len(members)))
    x = world.positions[members].copy()
    moving = world.status[members] == DESCENDING
    (x0, x1), (y0, y1) = level.bounds
    pad = DIVERGE_MARGIN * level.size
    path = [x.copy()]
    with np.errstate(all="ignore"):
        for _ in range(steps):
            new = opt.step(x, level.terrain.grad(x))
            inside = (new[:, 0] >= x0 - pad) & (new[:, 0] <= x1 + pad) & (new[:, 1] >= y0 - pad) & \
                     (new[:, 1] <= y1 + pad)
            moving &= inside
            x = np.where(moving[:, None], new, x)
            moving &= np.hypot(*(x - level.global_min).T) > level.goal_radius
            path.append(x.copy())
    return np.stack(path)


def mean_losses(world) -> np.ndarray:
    """Each squad's mean loss above the global minimum, f(x) − f*: (squads,)."""
    loss = world.heights - world.level.global_min_height
    counts = np.bincount(world.squad, minlength=world.n_squads)
    sums = np.bincount(world.squad, weights=loss, minlength=world.n_squads)
    return sums[:world.n_squads] / np.maximum(counts[:world.n_squads], 1)
