"""The world: units descending a level's terrain, in squads, one vectorized step at a time.

Units are arrays, not objects: ``positions`` (N, 2) [world], ``heights`` (N,), ``grads`` (N, 2),
``status`` (N,) int8 codes, ``squad`` (N,) squad index. Each squad has its own optimizer and
settings, changeable between steps; a change of learning rate or momentum takes effect on the
next step, a change of optimizer starts that squad's optimizer state afresh.

A unit's status, each step:
  * DESCENDING while it moves;
  * ARRIVED once within ``level.goal_radius`` of the global minimum (it plants a flag and stops);
  * TRAPPED once it has stayed within ``settle_radius`` of one spot for ``settle_steps`` steps
    somewhere else -- a local minimum, a saddle or a plateau (a change of its squad's orders
    sends it on again). Its event tells why: ``near_minimum`` when it lies in one of the level's
    known minima, ``stalled`` when it stopped on a slope because its steps were too small to
    carry it (a learning rate far too small for the ground, not a trap of the terrain);
  * DIVERGED once a step would take it beyond the map plus a margin, or to a non-finite value:
    it stays frozen at its last finite position. World arrays never hold NaN or inf.

``step()`` never draws and never reads a clock; all randomness (spawn, gradient noise) comes
from one ``numpy.random.Generator`` seeded by ``seed``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .levels import Level
from .minima import hessian
from .optim import default_momentum, make_optimizer

DESCENDING, ARRIVED, TRAPPED, DIVERGED = 0, 1, 2, 3
STATUS_NAMES = ("descending", "arrived", "trapped", "diverged")
MAX_SQUADS = 9
DIVERGE_MARGIN = 0.5        # a unit diverges beyond the map enlarged by this fraction of its size
SETTLE_STEPS = 40           # steps a unit must stay put to count as trapped
SETTLE_FRACTION = 0.004     # ... within this fraction of the map size
STALL_SLOPE = 0.25          # a settled unit on ground steeper than this share of the level's mean slope ...
STALL_REACH = 4             # ... with no hollow bottom within this many settle radii has stalled, not been trapped


def _setting(v):
    """A learning rate or momentum: a float for the whole squad, or a float64 array, one per member."""
    return float(v) if np.ndim(v) == 0 else np.array(v, float)


def _rows(setting, keep):
    """A squad setting for the kept members: a number stays, a per-unit array is cut down."""
    return setting if np.ndim(setting) == 0 else setting[keep]


@dataclass
class Orders:
    """One squad's settings: optimizer name, learning rate, momentum (beta1 for Adam)."""
    optimizer: str
    lr: float
    momentum: float


@dataclass(frozen=True)
class Event:
    """Something that happened to a unit: kind is 'arrived', 'trapped' or 'diverged'."""
    step: int
    kind: str
    squad: int
    unit: int
    height: float
    near_minimum: bool = False    # trapped at one of the level's known minima (not a plateau)
    stalled: bool = False         # stopped on a slope, far from any hollow's bottom: its steps were too small


class World:
    """Units of a level in squads; ``step(n)`` advances them all."""

    # the arrays with one row per unit (the trail holds one column per unit); keep() cuts all of
    # these when it drops units, so a new per-unit array must be listed here
    UNIT_ARRAYS = ("positions", "start", "status", "squad", "arrival_step", "_anchor_x", "_anchor_y",
                   "_still", "velocity", "heights", "grads", "stalled")

    def __init__(self, level: Level, seed: int | None = None, units: int | None = None,
                 trail_length: int = 64, spawn: np.ndarray | None = None):
        self.level = level
        self.seed = level.seed if seed is None else int(seed)
        self.rng = np.random.default_rng(self.seed)
        n = level.units if units is None else int(units)
        if n < 1:
            raise ValueError(f"a world needs at least one unit, got {n}")
        self.positions = self._spawn(n) if spawn is None else np.array(spawn, float).reshape(n, 2)
        self.start = self.positions.copy()
        self.status = np.zeros(n, np.int8)
        self.squad = np.zeros(n, np.int16)
        self.arrival_step = np.full(n, -1, np.int64)
        self.stalled = np.zeros(n, bool)               # TRAPPED units that stalled on a slope (see Event)
        self.step_count = 0
        self.events: list[Event] = []
        (x0, x1), (y0, y1) = level.bounds
        pad = DIVERGE_MARGIN * level.size
        self._outer = np.array([[x0 - pad, y0 - pad], [x1 + pad, y1 + pad]])
        self.settle_radius = SETTLE_FRACTION * level.size
        with np.errstate(all="ignore"):     # the mean slope from the spawn down to the goal [height / world]
            relief = float(level.terrain.height(np.array([level.spawn_center], float))[0]) - level.global_min_height
        self.mean_slope = relief / level.size if np.isfinite(relief) and relief > 0 else 0.0
        self._anchor_x = self.positions[:, 0].copy()   # where each unit last settled [world]
        self._anchor_y = self.positions[:, 1].copy()
        self._still = np.zeros(n, np.int32)            # steps it has stayed within settle_radius of it
        self.velocity = np.zeros((n, 2))          # last displacement x_t - x_{t-1} [world/step]
        self.trail = np.repeat(self.positions[None], trail_length, axis=0)   # ring buffer (K, N, 2)
        self.trail_head = 0                         # index of the newest row
        self.orders = [Orders(level.optimizer, level.lr, level.momentum)]
        self._optimizers = [self._new_optimizer(self.orders[0], n)]
        self._members = [np.arange(n)]       # unit indices of each squad
        self.heights, self.grads = level.terrain.height_and_grad(self.positions)
        self.best_height = float(self.heights.min())

    # -- setup ------------------------------------------------------------------------------
    def _spawn(self, n: int) -> np.ndarray:
        """n points uniform in the level's spawn disc (area-uniform: r = R sqrt(u))."""
        r = self.level.spawn_radius * np.sqrt(self.rng.random(n))
        a = 2 * np.pi * self.rng.random(n)
        return np.asarray(self.level.spawn_center) + np.column_stack([r * np.cos(a), r * np.sin(a)])

    @staticmethod
    def _new_optimizer(o: Orders, n: int):
        return make_optimizer(o.optimizer, lr=o.lr, momentum=o.momentum)

    @property
    def n_units(self) -> int:
        return len(self.positions)

    @property
    def n_squads(self) -> int:
        return len(self.orders)

    def assign(self, units, squad: int):
        """Move ``units`` (indices or a boolean mask) into ``squad`` (new squads take the orders
        of squad 0). Squads that gain or lose units start their optimizer state afresh; the others keep it."""
        if not 0 <= squad < MAX_SQUADS:
            raise ValueError(f"squad must be in 0..{MAX_SQUADS - 1}, got {squad}")
        idx = np.flatnonzero(np.asarray(units)) if np.asarray(units).dtype == bool else np.asarray(units, int)
        while self.n_squads <= squad:
            first = self.orders[0]
            self.orders.append(Orders(first.optimizer, first.lr, first.momentum))
        self.squad[idx] = squad
        self._rebuild()

    def _rebuild(self):
        """Squads whose membership changed get a fresh optimizer (state from zero); the others
        keep theirs, velocities and all."""
        members = [np.flatnonzero(self.squad == s) for s in range(self.n_squads)]
        old = getattr(self, "_members", [])
        self._optimizers = [
            self._optimizers[s] if s < len(old) and np.array_equal(old[s], m) else self._new_optimizer(o, len(m))
            for s, (o, m) in enumerate(zip(self.orders, members))]
        self._members = members

    def set_orders(self, squad: int, optimizer: str | None = None, lr: float | None = None,
                   momentum: float | None = None):
        """Change a squad's orders; they apply from the next step. Trapped units move on again.
        A new optimizer without a ``momentum`` takes torch's default for it (beta1 = 0.9 for Adam,
        else 0); the same optimizer keeps its momentum."""
        if not 0 <= squad < self.n_squads:
            raise ValueError(f"squad must be in 0..{self.n_squads - 1} (the squads formed), got {squad}")
        o = self.orders[squad]
        switch = optimizer is not None and optimizer != o.optimizer
        if momentum is None:
            momentum = default_momentum(optimizer) if switch else o.momentum
        new = Orders(optimizer or o.optimizer, o.lr if lr is None else _setting(lr), _setting(momentum))
        opt = self._optimizers[squad]
        if new.optimizer != o.optimizer:
            opt = self._new_optimizer(new, len(self._members[squad]))
        else:
            make_optimizer(new.optimizer, lr=new.lr, momentum=new.momentum)   # validate both first
            opt.lr, opt.momentum = new.lr, new.momentum
        self._optimizers[squad], self.orders[squad] = opt, new
        trapped = self._members[squad][self.status[self._members[squad]] == TRAPPED]
        self.status[trapped] = DESCENDING
        self.stalled[trapped] = False
        self._still[trapped] = 0

    def keep(self, mask):
        """Keep only the units where the boolean ``mask`` (N,) is True and drop the others.

        The kept units go on exactly as they would have: every array in UNIT_ARRAYS, the trail's
        unit axis, each squad's optimizer state and per-unit learning rates and momenta are cut
        to their rows, in their old order (kept unit j was unit ``flatnonzero(mask)[j]``). A
        squad may be left empty. Events already logged keep the old unit numbers; later ones use
        the new.

        On a level with gradient noise the kept units draw fresh noise rows from then on, not
        the rows they would have drawn among all N (a Swarm keeps those: see sim/sweep.py).

        Raises ValueError unless ``mask`` is a boolean array of shape (N,) with at least one
        True: a world needs at least one unit, and integer indices are refused, not guessed at.
        """
        mask = np.asarray(mask)
        if mask.dtype != bool or mask.shape != (self.n_units,):
            raise ValueError(f"keep needs a boolean mask of shape ({self.n_units},), "
                             f"got {mask.dtype} of shape {mask.shape}")
        if not mask.any():
            raise ValueError("keep needs at least one True in the mask: a world needs at least one unit")
        for name in self.UNIT_ARRAYS:
            setattr(self, name, getattr(self, name)[mask])
        self.trail = self.trail[:, mask]              # (K, N, 2): units are the second axis
        kept = [mask[m] for m in self._members]       # each squad's members that stay
        self._optimizers = [opt.take(k) for opt, k in zip(self._optimizers, kept)]
        self.orders = [Orders(o.optimizer, _rows(o.lr, k), _rows(o.momentum, k))
                       for o, k in zip(self.orders, kept)]
        self._members = [np.flatnonzero(self.squad == s) for s in range(self.n_squads)]

    def optimizer(self, squad: int):
        """The squad's optimizer (read its ``state`` for the classroom view)."""
        return self._optimizers[squad]

    # -- the step ---------------------------------------------------------------------------
    def step(self, n: int = 1):
        """Advance every descending unit ``n`` optimizer steps."""
        for _ in range(int(n)):
            self._step_once()

    def _step_once(self):
        x, g = self.positions, self.grads
        if self.level.noise > 0:
            g = g + self.level.noise * self.rng.standard_normal(g.shape)
        with np.errstate(all="ignore"):
            if len(self._members) == 1:
                new = self._optimizers[0].step(x, g)
            else:
                new = x.copy()
                for opt, idx in zip(self._optimizers, self._members):
                    if len(idx):
                        new[idx] = opt.step(x[idx], g[idx])
        moving = self.status == DESCENDING
        self.step_count += 1
        ok = self._inside(new)              # NaN compares False, so non-finite steps fail too
        self._mark(moving & ~ok, DIVERGED, "diverged")
        moving &= ok
        if not moving.all():
            np.copyto(new, x, where=~moving[:, None])
        h, g = self.level.terrain.height_and_grad(new)
        if not np.isfinite(h.sum() + g.sum()):
            bad = ~(np.isfinite(h) & np.isfinite(g[:, 0]) & np.isfinite(g[:, 1]))
            new[bad], h[bad], g[bad] = x[bad], self.heights[bad], self.grads[bad]   # freeze where it was
            self._mark(moving & bad, DIVERGED, "diverged", h)
            moving &= ~bad
        self.velocity = new - x
        self.positions, self.heights, self.grads = new, h, g
        self.trail_head = (self.trail_head + 1) % len(self.trail)
        self.trail[self.trail_head] = new
        self._update_status(moving)
        self.best_height = min(self.best_height, float(h.min()))

    def _inside(self, xy: np.ndarray) -> np.ndarray:
        """Points within the map plus the divergence margin (False for NaN)."""
        (x0, y0), (x1, y1) = self._outer
        x, y = xy[:, 0], xy[:, 1]
        return (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)

    def _update_status(self, moving: np.ndarray):
        x, lvl = self.positions, self.level
        dx, dy = x[:, 0] - lvl.global_min[0], x[:, 1] - lvl.global_min[1]
        arrived = moving & (dx * dx + dy * dy <= lvl.goal_radius ** 2)
        if arrived.any():
            self.arrival_step[arrived] = self.step_count
            self._mark(arrived, ARRIVED, "arrived")
            moving &= ~arrived
        x0, x1 = x[:, 0], x[:, 1]
        ax, ay = x0 - self._anchor_x, x1 - self._anchor_y
        away = ax * ax + ay * ay > self.settle_radius ** 2
        # branch-free selects: much faster than masked copies when the mask is ragged
        self._anchor_x = np.where(away, x0, self._anchor_x)
        self._anchor_y = np.where(away, x1, self._anchor_y)
        self._still = np.where(away, 0, self._still + 1).astype(np.int32, copy=False)
        settled = moving & (self._still >= SETTLE_STEPS)
        if settled.any():
            self._mark(settled, TRAPPED, "trapped")

    def _mark(self, mask: np.ndarray, status: int, kind: str, heights=None):
        idx = np.flatnonzero(mask)
        if not len(idx):
            return
        self.status[idx] = status
        if status == DIVERGED:              # its optimizer state may hold overflowed values: clear it
            for opt, members in zip(self._optimizers, self._members):
                if opt.state:
                    opt.reset(mask[members])
        h = self.heights if heights is None else heights
        stalled = self._stalls(idx) if kind == "trapped" else np.zeros(len(idx), bool)
        if kind == "trapped":
            self.stalled[idx] = stalled
        for i, stall in zip(idx, stalled):
            near = kind == "trapped" and not stall and self._near_minimum(self.positions[i])
            self.events.append(Event(self.step_count, kind, int(self.squad[i]), int(i), float(h[i]), near,
                                     bool(stall)))

    def _stalls(self, idx: np.ndarray) -> np.ndarray:
        """Which of the units ``idx``, settled this step, stalled on a slope instead of settling in a
        hollow: the ground under them is steeper than STALL_SLOPE x ``mean_slope``, and the bottom of
        their hollow -- a Newton step H^-1 g away, H the Hessian -- is farther than STALL_REACH settle
        radii, or there is no hollow (H not positive definite). Such a unit barely moved because its
        steps are tiny (lr x slope), not because the ground holds it."""
        g = self.grads[idx]
        steep = np.hypot(g[:, 0], g[:, 1]) > STALL_SLOPE * self.mean_slope
        if not steep.any():
            return steep
        with np.errstate(all="ignore"):
            H = hessian(self.level.terrain, self.positions[idx[steep]])
            a, b, d = H[:, 0, 0], H[:, 0, 1], H[:, 1, 1]
            det = a * d - b * b
            gx, gy = g[steep, 0], g[steep, 1]
            newton = np.hypot(d * gx - b * gy, a * gy - b * gx) / det      # |H^-1 g| [world]
            hollow = (a > 0) & (det > 0) & (newton <= STALL_REACH * self.settle_radius)
        steep[steep] = ~hollow
        return steep

    def _near_minimum(self, xy) -> bool:
        r = 4 * self.settle_radius + 0.02 * self.level.size
        return any(np.hypot(*(np.asarray(m.xy) - xy)) <= r for m in self.level.minima)

    # -- results ----------------------------------------------------------------------------
    def _arrived_in_time(self) -> np.ndarray:
        """Arrival steps of the units that reached the global minimum within the level's budget."""
        steps = self.arrival_step
        return steps[(steps >= 0) & (steps <= self.level.budget)]

    @property
    def won(self) -> bool:
        """A unit has reached the global minimum within the step budget."""
        return bool(len(self._arrived_in_time()))

    @property
    def over(self) -> bool:
        """Won, out of steps, or no unit still descending."""
        return self.won or self.step_count >= self.level.budget or not (self.status == DESCENDING).any()

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
        """0 if not won; else 1 + (arrived within stars.steps) + (lost at most stars.units_lost)."""
        if not self.won:
            return 0
        first = int(self._arrived_in_time().min())
        lost = int(((self.status == TRAPPED) | (self.status == DIVERGED)).sum())
        return 1 + (first <= self.level.star_steps) + (lost <= self.level.star_units_lost)

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
            "squads": [{"optimizer": o.optimizer, "lr": o.lr, "momentum": o.momentum, **self.counts(s)}
                       for s, o in enumerate(self.orders)],
        }
