"""Sweeps: where does each (learning rate, momentum) setting lead? One vectorized swarm.

Every cell of a grid of learning rates (log-spaced) x momenta gets its own copy of the same
starting units; all cells of one optimizer form one squad whose learning rate and momentum are
per-unit arrays, and every optimizer is a squad of the same world, so the whole sweep is a
single ``World`` stepped once per step.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .levels import Level
from .world import ARRIVED, DESCENDING, DIVERGED, TRAPPED, World


@dataclass(frozen=True)
class SweepResult:
    """Outcome per optimizer and cell: arrays shaped (optimizers, len(momenta), len(lrs)).

    ``arrived``/``trapped``/``diverged``: fraction of a cell's starts with that status at the end;
    ``first_arrival``: the first step at which any start of the cell arrived (-1: never).
    """
    optimizers: tuple
    lrs: np.ndarray
    momenta: np.ndarray
    arrived: np.ndarray
    trapped: np.ndarray
    diverged: np.ndarray
    first_arrival: np.ndarray
    steps: int

    def won(self) -> np.ndarray:
        """Cells in which at least one start reached the global minimum."""
        return self.first_arrival >= 0


def lr_grid(level: Level, n: int) -> np.ndarray:
    """n learning rates log-spaced across the level's allowed range."""
    lo, hi = level.lr_range
    return np.geomspace(lo, hi, n) if hi > lo else np.full(1, lo)


def momentum_grid(level: Level, n: int) -> np.ndarray:
    """n momenta evenly spaced across the level's allowed range."""
    lo, hi = level.momentum_range
    return np.linspace(lo, hi, n) if hi > lo else np.full(1, lo)


def sweep(level: Level, optimizers=None, lrs=None, momenta=None, starts: np.ndarray | None = None,
          steps: int | None = None, seed: int | None = None) -> SweepResult:
    """Run every (optimizer, momentum, lr) cell from the same ``starts`` for ``steps`` steps.

    ``starts`` defaults to the level's own spawn for ``seed``; ``steps`` to the level's budget.
    """
    optimizers = tuple(optimizers or level.allowed)
    lrs = lr_grid(level, 24) if lrs is None else np.asarray(lrs, float)
    momenta = momentum_grid(level, 6) if momenta is None else np.asarray(momenta, float)
    if starts is None:
        starts = World(level, seed=seed).positions
    starts = np.asarray(starts, float).reshape(-1, 2)
    k, cells = len(starts), len(lrs) * len(momenta)
    mu_cell, lr_cell = (a.ravel() for a in np.meshgrid(momenta, lrs, indexing="ij"))
    per_opt = cells * k
    world = World(level, seed=seed, units=per_opt * len(optimizers),
                  spawn=np.tile(starts, (cells * len(optimizers), 1)), trail_length=1)
    for s in range(len(optimizers) - 1, -1, -1):
        world.assign(np.arange(s * per_opt, (s + 1) * per_opt), s)
    for s, name in enumerate(optimizers):
        world.set_orders(s, optimizer=name, lr=np.repeat(lr_cell, k), momentum=np.repeat(mu_cell, k))
    steps = level.budget if steps is None else int(steps)
    while world.step_count < steps and (world.status == DESCENDING).any():
        world.step()
    shape = (len(optimizers), len(momenta), len(lrs), k)
    status = world.status.reshape(shape)
    first = world.arrival_step.reshape(shape).astype(float)
    first[first < 0] = np.inf
    first = first.min(-1)
    return SweepResult(optimizers, lrs, momenta, (status == ARRIVED).mean(-1), (status == TRAPPED).mean(-1),
                       (status == DIVERGED).mean(-1), np.where(np.isfinite(first), first, -1).astype(int),
                       world.step_count)
