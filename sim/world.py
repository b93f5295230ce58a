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

A squad may be *held* (``hold``/``resume``): it stands still, spends no supply, is not marked
trapped for standing still, and its optimizer state and schedule wait untouched.

Supply is the level's compute budget in unit-steps: each step, every unit that moves (DESCENDING
and not held) spends one; drops spend more (sim/drops.py). ``supply_left`` never goes below 0:
the step that runs it out is taken whole, and the run is ``over`` from then on. Like the step
budget, the supply ends the run, not the world: asked to, the world steps on, but an arrival after
the supply ran out (``supply_out_step``) or after the budget does not win.

``explored`` (sim/explored.py) records the ground the units have seen, for drops.

``step()`` never draws and never reads a clock; all randomness (spawn, gradient noise) comes
from one ``numpy.random.Generator`` seeded by ``seed`` (drops draw their spread from a second one,
so a drop never changes the weather the other units feel).
"""
from __future__ import annotations

import numpy as np

from .drops import UNIT_CAP_FACTOR, Commands
from .explored import Explored
from .levels import MAX_UNITS, Level
from .minima import hessian
from .optim import default_momentum, make_optimizer
from .results import Results
from .schedule import Schedule, as_schedule
from .squads import (ARRIVED, DESCENDING, DIVERGED, MAX_SQUADS, STATUS_NAMES, TRAPPED, Event, Orders,  # noqa: F401
                     rows as _rows, setting as _setting)

DIVERGE_MARGIN = 0.5        # a unit diverges beyond the map enlarged by this fraction of its size
SETTLE_STEPS = 40           # steps a unit must stay put to count as trapped
SETTLE_FRACTION = 0.004     # ... within this fraction of the map size
STALL_SLOPE = 0.25          # a settled unit on ground steeper than this share of the level's mean slope ...
STALL_REACH = 4             # ... with no hollow bottom within this many settle radii has stalled, not been trapped


class World(Commands, Results):
    """Units of a level in squads; ``step(n)`` advances them all."""

    # the arrays with one row per unit (the trail holds one column per unit); keep() cuts all of
    # these when it drops units and a landing grows them (sim/drops.py gives each its fresh rows),
    # so a new per-unit array must be listed here and there
    UNIT_ARRAYS = ("positions", "start", "status", "squad", "arrival_step", "_anchor_x", "_anchor_y",
                   "_still", "velocity", "heights", "grads", "stalled", "in_pit")
    reveals = True      # keep ``explored`` up to date every step (a sweep's Swarm does not need it)

    def __init__(self, level: Level, seed: int | None = None, units: int | None = None,
                 trail_length: int = 64, spawn: np.ndarray | None = None, supply: int | None = None):
        """``supply`` [unit-steps] defaults to the level's, scaled to ``units`` when the world has
        more or fewer units than the level (so a default world of any size spends as before)."""
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
        self.in_pit = np.zeros(n, bool)                # TRAPPED units in one of the level's minima (near_minimum)
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
        self.supply = -(-level.supply * n // level.units) if supply is None else int(supply)
        if self.supply < 1:
            raise ValueError(f"a world needs a supply of at least 1 unit-step, got {self.supply}")
        self.supply_left = self.supply          # [unit-steps]
        self.supply_out_step = None             # the step that ran the supply out
        self._held: set[int] = set()            # squads standing still
        self._schedule_t = [0]                  # each squad's schedule step (steps since its orders)
        self.unit_cap = max(n, min(MAX_UNITS, UNIT_CAP_FACTOR * level.units))   # drops included
        self.explored = None
        self._spawned_inside = bool(self._inside(self.positions).all())   # else clamp every reveal
        if self.reveals:
            self.explored = Explored(level.bounds, margin=pad)
            self.explored.reveal(self.positions)

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
        of squad 0). Squads that gain or lose units start their optimizer state (and schedule) afresh;
        the others keep it."""
        if not 0 <= squad < MAX_SQUADS:
            raise ValueError(f"squad must be in 0..{MAX_SQUADS - 1}, got {squad}")
        idx = np.flatnonzero(np.asarray(units)) if np.asarray(units).dtype == bool else np.asarray(units, int)
        while self.n_squads <= squad:
            first = self.orders[0]
            self.orders.append(Orders(first.optimizer, first.lr, first.momentum, first.schedule))
            self._schedule_t.append(0)
        self.squad[idx] = squad
        self._rebuild()

    def _rebuild(self):
        """Squads whose membership changed get a fresh optimizer (state from zero); the others
        keep theirs, velocities and all."""
        members = [np.flatnonzero(self.squad == s) for s in range(self.n_squads)]
        old = getattr(self, "_members", [])
        same = [s < len(old) and np.array_equal(old[s], m) for s, m in enumerate(members)]
        self._optimizers = [self._optimizers[s] if same[s] else self._new_optimizer(o, len(m))
                            for s, (o, m) in enumerate(zip(self.orders, members))]
        self._schedule_t = [t if same[s] else 0 for s, t in enumerate(self._schedule_t)]
        self._members = members

    def set_orders(self, squad: int, optimizer: str | None = None, lr: float | None = None,
                   momentum: float | None = None, schedule: Schedule | dict | None = None):
        """Change a squad's orders; they apply from the next step. Trapped units move on again.

        ``schedule`` (from ``sim.make_schedule``, or its ``to_dict()`` form) makes the squad follow
        it from its step 0, now; its base rate becomes the squad's ``lr``. A running schedule starts
        afresh (same kind and parameters, t = 0) from the new base rate when ``lr`` changes, and
        from the same one when the optimizer changes (its state starts afresh too); with both
        ``lr`` and ``schedule`` given, the schedule starts from ``lr``. A change of momentum alone
        leaves it running. To drop a schedule, give a "constant" one. None leaves a setting as it is.
        """
        if not 0 <= squad < self.n_squads:
            raise ValueError(f"squad must be in 0..{self.n_squads - 1} (the squads formed), got {squad}")
        o = self.orders[squad]
        if momentum is None and optimizer is not None and optimizer != o.optimizer:
            momentum = default_momentum(optimizer)            # a new optimizer takes torch's default
        sched = o.schedule if schedule is None else as_schedule(schedule)
        new_lr = o.lr if lr is None else _setting(lr)
        if schedule is not None and lr is None:
            new_lr = sched.lr
        new = Orders(optimizer or o.optimizer, new_lr, o.momentum if momentum is None else _setting(momentum))
        make_optimizer(new.optimizer, lr=new.lr, momentum=new.momentum)       # validate both first
        restart = schedule is not None or new.optimizer != o.optimizer or not np.array_equal(new.lr, o.lr)
        if sched is not None:
            new.schedule = sched if np.array_equal(sched.lr, new.lr) else sched.with_lr(new.lr)
        opt = self._optimizers[squad]
        if new.optimizer != o.optimizer:
            opt = self._new_optimizer(new, len(self._members[squad]))
        else:
            opt.momentum = new.momentum
            if restart or sched is None:
                opt.lr = new.lr
        if restart:
            self._schedule_t[squad] = 0
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
        self.orders = [Orders(o.optimizer, _rows(o.lr, k), _rows(o.momentum, k),
                              o.schedule if o.schedule is None else o.schedule.take(k))
                       for o, k in zip(self.orders, kept)]
        self._members = [np.flatnonzero(self.squad == s) for s in range(self.n_squads)]

    def optimizer(self, squad: int):
        """The squad's optimizer (read its ``state`` for the classroom view)."""
        return self._optimizers[squad]

    def lr_now(self, squad: int):
        """The learning rate the squad's next step uses (its schedule's, if it follows one)."""
        o = self.orders[squad]
        return o.lr if o.schedule is None else o.schedule.lr_at(self._schedule_t[squad])

    def schedule_step(self, squad: int) -> int:
        """The squad's step t on its schedule: steps its optimizer has taken since its orders."""
        return self._schedule_t[squad]

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
            if len(self._members) == 1 and not self._held:
                self._follow_schedule(0)
                new = self._optimizers[0].step(x, g)
            else:
                new = x.copy()
                for s, (opt, idx) in enumerate(zip(self._optimizers, self._members)):
                    if len(idx) and s not in self._held:
                        self._follow_schedule(s)
                        new[idx] = opt.step(x[idx], g[idx])
        moving = self.status == DESCENDING
        held = self._held_mask() if self._held else None
        if held is not None:
            moving &= ~held
        self.step_count += 1
        self._spend(int(np.count_nonzero(moving)))
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
        self._update_status(moving, held)
        self.best_height = min(self.best_height, float(h.min()))
        if self.explored is not None:     # a unit beyond the map's margin diverged where it stood before
            self.explored.reveal(new, clamp=not self._spawned_inside)

    def _follow_schedule(self, squad: int):
        """Before a squad's step: set its optimizer's lr from its schedule, and count the step."""
        sched = self.orders[squad].schedule
        if sched is not None and sched.kind != "constant":
            self._optimizers[squad].lr = sched.lr_at(self._schedule_t[squad])
        self._schedule_t[squad] += 1

    def _spend(self, unit_steps: int):
        """Take a step's supply; the step that runs it out is taken whole (supply stops at 0)."""
        if unit_steps and self.supply_left > 0:
            self.supply_left = max(0, self.supply_left - unit_steps)
            if self.supply_left == 0:
                self.supply_out_step = self.step_count
                self.events.append(Event(self.step_count, "out_of_supply", -1, -1, self.best_height, units=0))

    def _inside(self, xy: np.ndarray) -> np.ndarray:
        """Points within the map plus the divergence margin (False for NaN)."""
        (x0, y0), (x1, y1) = self._outer
        x, y = xy[:, 0], xy[:, 1]
        return (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)

    def _update_status(self, moving: np.ndarray, held: np.ndarray | None = None):
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
        still = np.where(away, 0, self._still + 1).astype(np.int32, copy=False)
        self._still = still if held is None else np.where(held, self._still, still)   # holding is no settling
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
            if kind == "trapped":
                self.in_pit[i] = near
            self.events.append(Event(self.step_count, kind, int(self.squad[i]), int(i), float(h[i]), near,
                                     stalled=bool(stall)))

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
