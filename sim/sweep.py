"""Sweeps: where does each (learning rate, momentum) setting lead? One vectorized swarm.

Every cell of a grid of learning rates (log-spaced) x momenta gets its own copy of the same
starting units; all cells of one optimizer form one squad whose learning rate and momentum are
per-unit arrays, and every optimizer is a squad of the same world, so the whole sweep is a
single world stepped once per step.

That world is a ``Swarm``: a ``World`` that keeps no per-unit event log and, every few steps,
drops the units that have stopped. In a sweep the orders never change, so a unit that has
arrived, been trapped or diverged keeps that outcome for good; only the descending ones still
need their slope measured. The outcome of every unit is exactly what a plain ``World`` with
the same seed would give (a test checks it).
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from .levels import Level
from .optim import make_optimizer
from .world import ARRIVED, DESCENDING, DIVERGED, TRAPPED, World

MOMENTUM_PLANE = (0.0, 0.99)  # the whole momentum axis a sweep picture shows
COMPACT_EVERY = 4             # steps between looks at how many units still descend
COMPACT_BELOW = 0.9          # drop the stopped units once fewer than this share still descend
BENCH_LEVEL = "03-ravine"     # a campaign level with both outcomes well represented in its plane
UNLIMITED = 2 ** 62           # a sweep's supply [unit-steps]: it measures orders, not supply


@dataclass(frozen=True)
class SweepResult:
    """Outcome per optimizer and cell: arrays shaped (optimizers, len(momenta), len(lrs)).

    ``arrived``/``trapped``/``diverged``/``descending``: fraction of a cell's starts with that
    status at the end; ``first_arrival``: the first step at which any start of the cell arrived
    (-1: never); ``median_arrival``: the median arrival step of the starts that arrived (-1: none).
    ``budget`` is the number of steps asked for, ``steps`` the number run (fewer when every unit
    stopped early); ``starts`` the number of starts per cell.
    """
    optimizers: tuple
    lrs: np.ndarray
    momenta: np.ndarray
    arrived: np.ndarray
    trapped: np.ndarray
    diverged: np.ndarray
    first_arrival: np.ndarray
    steps: int
    descending: np.ndarray = None
    median_arrival: np.ndarray = None
    starts: int = 1
    seed: int = 0
    budget: int = 0

    def won(self) -> np.ndarray:
        """Cells in which at least one start reached the global minimum."""
        return self.first_arrival >= 0

    def outcome(self) -> np.ndarray:
        """The status most of a cell's starts ended with, as a status code per cell.

        Ties go to the first of: arrived, descending, trapped, diverged.
        """
        shares = np.stack([self.arrived, self.descending, self.trapped, self.diverged])
        codes = np.array([ARRIVED, DESCENDING, TRAPPED, DIVERGED], np.int8)
        return codes[np.argmax(shares, axis=0)]           # argmax takes the first of equal shares


# -- grids ------------------------------------------------------------------------------------
def log_grid(low: float, high: float, n: int) -> np.ndarray:
    """n values from ``low`` to ``high`` with a constant ratio between neighbours."""
    return np.geomspace(low, high, n) if high > low and n > 1 else np.full(1, float(low))


def linear_grid(low: float, high: float, n: int) -> np.ndarray:
    """n evenly spaced values from ``low`` to ``high`` (both included)."""
    return np.linspace(low, high, n) if high > low and n > 1 else np.full(1, float(low))


def lr_grid(level: Level, n: int) -> np.ndarray:
    """n learning rates log-spaced across the level's allowed range."""
    return log_grid(*level.lr_range, n)


def momentum_grid(level: Level, n: int) -> np.ndarray:
    """n momenta evenly spaced across the level's allowed range."""
    return linear_grid(*level.momentum_range, n)


def uses_momentum(optimizer: str) -> bool:
    """False for the rules that ignore ``momentum`` (sgd, adagrad)."""
    return make_optimizer(optimizer, lr=1.0).uses_momentum


def picture_optimizer(level: Level) -> str:
    """The optimizer a sweep picture shows by default: the level's own, except that plain SGD is
    shown as heavy-ball momentum when the level allows it (its mu = 0 row is exactly SGD, and the
    rest of the plane shows what momentum adds)."""
    if not uses_momentum(level.optimizer) and "momentum" in level.allowed:
        return "momentum"
    return level.optimizer


def spawn_starts(level: Level, n: int, seed: int | None = None) -> np.ndarray:
    """n starting points drawn from the level's spawn disc with ``seed`` (default: the level's)."""
    return World(level, seed=seed, units=n, trail_length=1).positions


# -- the swarm --------------------------------------------------------------------------------
class _NoiseRows:
    """The swarm's random source: each step's gradient noise is drawn for the whole original
    swarm, and the rows of the units still in play are handed out, so dropping stopped units
    never changes the noise any other unit feels."""

    def __init__(self, rng: np.random.Generator, n: int):
        self.rng, self.n = rng, n
        self.rows = np.arange(n)

    def standard_normal(self, shape):
        return self.rng.standard_normal((self.n, *shape[1:]))[self.rows]


class Swarm(World):
    """A World for sweeps: no event log, and ``compact()`` drops the units that have stopped.

    ``final_status`` and ``final_arrival`` hold every original unit's status and arrival step;
    ``rows`` maps the units still in the world to their original index. A Swarm keeps no explored
    record and its supply never runs out: a sweep measures orders, not supply.
    """

    reveals = False

    def __init__(self, level: Level, seed: int | None, spawn: np.ndarray):
        super().__init__(level, seed=seed, units=len(spawn), spawn=spawn, trail_length=1, supply=UNLIMITED)
        self.rng = _NoiseRows(self.rng, self.n_units)
        self.rows = self.rng.rows
        self.final_status = self.status.copy()
        self.final_arrival = self.arrival_step.copy()

    def _mark(self, mask, status, kind, heights=None):
        """Only the status: a sweep reads outcomes, not a log. (A unit that stops never moves
        again, so the optimizer state of a diverged unit is left as it is.)"""
        self.status[mask] = status

    def record(self):
        """Copy the statuses and arrival steps of the units in the world to the final records."""
        self.final_status[self.rows] = self.status
        self.final_arrival[self.rows] = self.arrival_step

    def keep(self, mask):
        """World.keep, and the kept units keep their rows of each step's gradient noise."""
        super().keep(mask)
        self.rows = self.rng.rows = self.rows[mask]

    def compact(self):
        """Drop every unit that is no longer descending, keeping each survivor's full state
        (at least one unit must still be descending)."""
        self.record()
        self.keep(self.status == DESCENDING)


def run_swarm(world: World, steps: int, compact: bool = True) -> World:
    """Step ``world`` until ``steps`` steps have run or no unit is still descending.

    With ``compact`` (a Swarm), the stopped units are dropped whenever fewer than COMPACT_BELOW of
    the units left are still descending, checked every COMPACT_EVERY steps.
    """
    while world.step_count < steps:
        moving = np.count_nonzero(world.status == DESCENDING)
        if moving == 0:
            break
        if compact and world.step_count % COMPACT_EVERY == 0 and moving < COMPACT_BELOW * world.n_units:
            world.compact()
        world.step()
    if compact:
        world.record()
    return world


# -- the sweep --------------------------------------------------------------------------------
def sweep(level: Level, optimizers=None, lrs=None, momenta=None, starts: np.ndarray | None = None,
          steps: int | None = None, seed: int | None = None, compact: bool = True, schedule=None) -> SweepResult:
    """Run every (optimizer, momentum, lr) cell from the same ``starts`` for ``steps`` steps.

    With a ``schedule`` (sim/schedule.py) every cell follows it from its own learning rate (the
    schedule's kind and parameters, each cell's lr as its base rate).

    ``starts`` defaults to the level's own spawn for ``seed``; ``steps`` to the level's budget.
    An optimizer that ignores momentum (sgd, adagrad) runs one row of cells, shared by every
    momentum. ``compact=False`` steps a plain World instead of a Swarm (same outcomes, slower).
    """
    optimizers = tuple(optimizers or level.allowed)
    lrs = lr_grid(level, 24) if lrs is None else np.asarray(lrs, float).ravel()
    momenta = momentum_grid(level, 6) if momenta is None else np.asarray(momenta, float).ravel()
    if starts is None:
        starts = World(level, seed=seed, trail_length=1).positions
    starts = np.asarray(starts, float).reshape(-1, 2)
    k, steps = len(starts), level.budget if steps is None else int(steps)
    if not (len(lrs) and len(momenta) and k and optimizers):
        raise ValueError("a sweep needs at least one optimizer, learning rate, momentum and start")
    rows = [momenta if uses_momentum(name) else momenta[:1] for name in optimizers]
    first = np.cumsum([0] + [len(r) * len(lrs) * k for r in rows])       # each squad's first unit
    spawn = np.tile(starts, (first[-1] // k, 1))
    world = Swarm(level, seed, spawn) if compact else World(level, seed=seed, units=len(spawn), spawn=spawn,
                                                            trail_length=1, supply=UNLIMITED)
    for s in range(len(optimizers) - 1, -1, -1):
        world.assign(np.arange(first[s], first[s + 1]), s)
    for s, (name, mus) in enumerate(zip(optimizers, rows)):
        mu_cell, lr_cell = (a.ravel() for a in np.meshgrid(mus, lrs, indexing="ij"))
        world.set_orders(s, optimizer=name, lr=np.repeat(lr_cell, k), momentum=np.repeat(mu_cell, k),
                         schedule=schedule)
    run_swarm(world, steps, compact)
    status = world.final_status if compact else world.status
    arrival = world.final_arrival if compact else world.arrival_step
    cells = [_cells(status[a:b], arrival[a:b], len(r), len(lrs), k, len(momenta))
             for a, b, r in zip(first[:-1], first[1:], rows)]
    out = {key: np.stack([c[key] for c in cells]) for key in cells[0]}
    return SweepResult(optimizers, lrs, momenta, steps=world.step_count, starts=k, seed=world.seed,
                       budget=steps, **out)


def _cells(status, arrival, n_mu, n_lr, k, n_momenta) -> dict:
    """One squad's unit outcomes -> per-cell shares and arrival steps, (n_momenta, n_lr) each
    (a single row of cells is repeated for every momentum)."""
    status = status.reshape(n_mu, n_lr, k)
    steps = np.where(arrival >= 0, arrival, np.nan).reshape(n_mu, n_lr, k)
    arrived = arrival.reshape(n_mu, n_lr, k) >= 0
    some = arrived.any(-1)
    first = np.where(some, np.where(arrived, steps, np.inf).min(-1), -1)
    median = np.full((n_mu, n_lr), -1.0)
    median[some] = np.nanmedian(steps[some], axis=-1)
    out = {"arrived": (status == ARRIVED).mean(-1), "trapped": (status == TRAPPED).mean(-1),
           "diverged": (status == DIVERGED).mean(-1), "descending": (status == DESCENDING).mean(-1),
           "first_arrival": first.astype(int), "median_arrival": median}
    return {key: np.broadcast_to(v, (n_momenta, n_lr)) if n_mu == 1 else v for key, v in out.items()}


def sweep_plane(level: Level, optimizer: str | None = None, lr_cells: int = 100, momentum_cells: int = 100,
                starts: int = 8, steps: int | None = None, seed: int | None = None,
                lr_range: tuple | None = None, momentum_range: tuple = MOMENTUM_PLANE) -> SweepResult:
    """The sweep a picture shows: one optimizer over learning rates log-spaced across
    ``lr_range`` (default: the level's) x momenta across ``momentum_range`` (default: the whole
    plane [0, 0.99]), ``starts`` starts per cell drawn from the spawn disc with ``seed``."""
    optimizer = optimizer or picture_optimizer(level)
    lrs = log_grid(*(lr_range or level.lr_range), lr_cells)
    momenta = linear_grid(*momentum_range, momentum_cells)
    return sweep(level, [optimizer], lrs, momenta, spawn_starts(level, starts, seed), steps, seed)


def bench_sweep(quick: bool = False) -> dict:
    """``sweep_s``: seconds for the picture sweep of BENCH_LEVEL with momentum, 100 x 100 cells x
    8 starts over the level's budget (quick: 20 x 20 x 4)."""
    import sim
    level = sim.load_level(BENCH_LEVEL)
    n, k = (20, 4) if quick else (100, 8)
    sweep_plane(level, "momentum", 4, 4, 2)                    # warm up
    t = time.perf_counter()
    result = sweep_plane(level, "momentum", n, n, k)
    seconds = time.perf_counter() - t
    units = n * n * k
    return {"sweep_s": round(seconds, 3), "sweep_level": BENCH_LEVEL, "sweep_units": units,
            "sweep_steps": result.steps, "sweep_unit_steps_per_s": round(units * result.steps / seconds)}
