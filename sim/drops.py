"""The commands of a descent besides orders: hold and resume a squad, drop fresh units, redeploy
stuck ones. Each is a plain ``World`` method with JSON-friendly arguments (squad numbers, an
(x, y) pair, counts, orders), so a replay can record it; each refuses what is illegal with a
ValueError that says why, and changes nothing when it refuses.

Hold: ``hold(squad)`` stops a squad where it stands. A held squad's units do not move, spend no
supply and are not marked trapped for standing still; its optimizer state and its schedule wait,
untouched, until ``resume(squad)``. Units dropped into a held squad are held too.

Drops (multi-start: "scatter balls, let each roll into a valley, compare the heights"):

- ``drop(squad, center, units=k, ...)`` lands k fresh units in ``squad`` (a new squad takes squad
  0's orders, like ``assign``), area-uniformly in a disc of radius DROP_SPREAD x the map's long
  side around ``center``, clamped onto the map. Their optimizer state starts from zero; the
  squad's other units keep theirs. Orders given with the drop become the squad's orders
  (``set_orders``, which also sends its trapped units on).
- ``redeploy(squad, center)`` lifts the squad's trapped units -- and, if the squad is held, its
  descending ones too -- to the same kind of disc around ``center``, with their optimizer state
  afresh; the squad is no longer held. Arrived and diverged units stay where they are.

A landing is legal when ``center`` is a point on the map whose cell is explored (sim/explored.py:
ground some unit has seen), the world stays within ``unit_cap`` units, and the supply covers the
cost plus one step of the landed units: DROP_COST unit-steps per unit landed. The landing spread
comes from the world's second generator (seeded by the world's seed), so the same commands at the
same steps land the same units in the same places.

``check_landing(center, units)`` asks the same question without landing anything: it raises the
``LandingRefused`` (a ValueError) that the landing would, whose ``reason`` ("off map", "fog",
"supply", "cap") lets a front end say it in its own words before the player commits.

Events: 'held', 'resumed' (``units``: the squad's descending units), 'dropped', 'redeployed'
(``unit``: the first unit landed, ``units``: how many, ``height``: the lowest of them).
"""
from __future__ import annotations

import math

import numpy as np

from .optim import make_optimizer
from .schedule import as_schedule
from .squads import DESCENDING, MAX_SQUADS, TRAPPED, Event, Orders

DROP_COST = 10            # supply a landing costs per unit [unit-steps]
DROP_SPREAD = 0.02        # radius of a landing disc [fraction of the map's long side]
UNIT_CAP_FACTOR = 4       # a world may hold this many times its level's units, drops included
DROP_STREAM = 1           # the spread's generator: seeded by (world seed, DROP_STREAM)
REASONS = ("off map", "fog", "supply", "cap")    # why a landing is refused (LandingRefused.reason)


class LandingRefused(ValueError):
    """A landing the rules refuse; ``reason`` is one of REASONS, ``str(err)`` says it in full."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


class Commands:
    """Hold, resume, drop and redeploy: part of ``World`` (sim/world.py)."""

    # -- hold --------------------------------------------------------------------------------
    def hold(self, squad: int):
        """Stop a squad where it stands (see the module docstring). Holding a held squad does nothing."""
        self._formed(squad)
        if squad not in self._held:
            self._held.add(squad)
            self._squad_event("held", squad)

    def resume(self, squad: int):
        """A held squad carries on, its optimizer state untouched. Resuming a moving squad does nothing."""
        self._formed(squad)
        if squad in self._held:
            self._held.discard(squad)
            self._squad_event("resumed", squad)

    def is_held(self, squad: int) -> bool:
        return squad in self._held

    @property
    def spend_rate(self) -> int:
        """Supply the next step spends [unit-steps]: the units moving now (descending, not held)."""
        if self.supply_left <= 0:
            return 0
        moving = self.status == DESCENDING
        if self._held:
            moving &= ~self._held_mask()
        return int(np.count_nonzero(moving))

    def held_units(self) -> np.ndarray:
        """(N,) True for the units of held squads (whatever their status)."""
        return self._held_mask() if self._held else np.zeros(self.n_units, bool)

    def held_count(self) -> int:
        """How many units stand still in held squads that would otherwise still be descending."""
        return int(np.count_nonzero(self.held_units() & (self.status == DESCENDING))) if self._held else 0

    def _held_mask(self) -> np.ndarray:
        """(N,) True for the units of held squads."""
        return np.isin(self.squad, np.fromiter(self._held, np.int16, len(self._held)))

    # -- drops -------------------------------------------------------------------------------
    def drop(self, squad: int, center, units: int = 1, optimizer: str | None = None, lr: float | None = None,
             momentum: float | None = None, schedule=None) -> list[int]:
        """Land ``units`` fresh units in ``squad`` around ``center`` (x, y); returns their unit
        numbers. Costs DROP_COST x units supply. See the module docstring for the rules."""
        if isinstance(squad, bool) or not isinstance(squad, (int, np.integer)) or not 0 <= squad < MAX_SQUADS:
            raise ValueError(f"squad must be in 0..{MAX_SQUADS - 1}, got {squad!r}")
        if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or units < 1:
            raise ValueError(f"a drop needs a whole number of units >= 1, got {units!r}")
        k = int(units)
        self.check_landing(center, k, new_units=True)
        source = self.orders[squad] if squad < self.n_squads else self.orders[0]
        if np.ndim(source.lr) or np.ndim(source.momentum):
            raise ValueError("drops need orders with one learning rate and momentum for the whole squad")
        self._check_orders(source, optimizer, lr, momentum, schedule)
        xy = self._landing(center, k)
        while self.n_squads <= squad:             # a new squad, with squad 0's orders (as assign)
            first = self.orders[0]
            self.orders.append(Orders(first.optimizer, first.lr, first.momentum, first.schedule))
            self._optimizers.append(self._new_optimizer(first, 0))
            self._members.append(np.arange(0))
            self._schedule_t.append(0)
        first_unit = self.n_units
        self._append_units(xy, squad)
        self._grow_optimizer(squad, k)
        self._members[squad] = np.concatenate([self._members[squad], np.arange(first_unit, first_unit + k)])
        if (optimizer, lr, momentum, schedule) != (None, None, None, None):
            self.set_orders(squad, optimizer, lr, momentum, schedule)
        return self._landed("dropped", squad, np.arange(first_unit, first_unit + k))

    def redeploy(self, squad: int, center) -> list[int]:
        """Lift the squad's trapped units (and its descending ones, if it is held) to ``center``;
        returns their unit numbers. Costs DROP_COST x units supply; the squad is no longer held."""
        self._formed(squad)
        members = self._members[squad]
        stuck = self.status[members] == TRAPPED
        if squad in self._held:
            stuck |= self.status[members] == DESCENDING
        idx = members[stuck]
        if not len(idx):
            raise ValueError(f"squad {squad} has no trapped{' or held' if squad in self._held else ''} "
                             f"units to redeploy")
        xy = self._landing(center, len(idx))
        h, g = self.level.terrain.height_and_grad(xy)
        self.positions[idx], self.start[idx], self.heights[idx], self.grads[idx] = xy, xy, h, g
        self.status[idx] = DESCENDING
        self._anchor_x[idx], self._anchor_y[idx] = xy[:, 0], xy[:, 1]
        self._still[idx] = 0
        self.velocity[idx] = 0.0
        self.trail[:, idx] = xy
        self._optimizers[squad].reset(stuck)
        self._held.discard(squad)
        return self._landed("redeployed", squad, idx)

    # -- the parts of a landing --------------------------------------------------------------
    def _formed(self, squad):
        if isinstance(squad, bool) or not isinstance(squad, (int, np.integer)) or not 0 <= squad < self.n_squads:
            raise ValueError(f"no squad {squad!r}: the squads formed are 0..{self.n_squads - 1}")

    @staticmethod
    def _check_orders(source: Orders, optimizer, lr, momentum, schedule):
        """Refuse bad orders before anything changes (set_orders applies them afterwards)."""
        sched = source.schedule if schedule is None else as_schedule(schedule)
        rate = lr if lr is not None else (sched.lr if schedule is not None else source.lr)
        make_optimizer(optimizer or source.optimizer, lr=rate, momentum=source.momentum if momentum is None
                       else momentum)
        if sched is not None:
            sched.with_lr(rate)

    def check_landing(self, center, units: int, new_units: bool = False) -> np.ndarray:
        """The landing centre (2,) [world] if ``units`` units may land at ``center`` now (fresh ones
        if ``new_units``: they count against the unit cap); else raises LandingRefused saying why.
        Changes nothing."""
        try:
            c = np.array(center, dtype=float).reshape(2)
        except (TypeError, ValueError):
            raise ValueError(f"a landing needs a centre (x, y), got {center!r}") from None
        k = int(units)
        (x0, x1), (y0, y1) = self.level.bounds
        if not (np.isfinite(c).all() and x0 <= c[0] <= x1 and y0 <= c[1] <= y1):
            raise LandingRefused("off map", f"the landing centre {tuple(c.tolist())} is off the map "
                                            f"{self.level.bounds}")
        if self.explored is None or not self.explored.at(c):
            raise LandingRefused("fog", f"the landing centre {tuple(c.tolist())} is in the fog: land only on "
                                        f"explored ground")
        if new_units and self.n_units + k > self.unit_cap:
            raise LandingRefused("cap", f"too many units: {self.n_units} + {k} would pass the cap of {self.unit_cap}")
        cost = DROP_COST * k
        if cost + k > self.supply_left:
            raise LandingRefused("supply", f"not enough supply: landing {k} unit(s) costs {cost} and one step of "
                                           f"theirs {k} more, but {self.supply_left} is left")
        return c

    def _landing(self, center, k: int) -> np.ndarray:
        """Check a landing at ``center`` for k units and draw where they land: (k, 2) [world]."""
        c = self.check_landing(center, k)
        cost = DROP_COST * k
        (x0, x1), (y0, y1) = self.level.bounds
        if not hasattr(self, "_drop_rng"):
            self._drop_rng = np.random.default_rng([self.seed, DROP_STREAM])
        r = DROP_SPREAD * self.level.size * np.sqrt(self._drop_rng.random(k))
        a = 2 * math.pi * self._drop_rng.random(k)
        xy = c + np.column_stack([r * np.cos(a), r * np.sin(a)])
        self.supply_left -= cost
        return np.column_stack([np.clip(xy[:, 0], x0, x1), np.clip(xy[:, 1], y0, y1)])

    def _append_units(self, xy: np.ndarray, squad: int):
        """Grow every per-unit array (World.UNIT_ARRAYS) and the trail by the units landing at xy."""
        k = len(xy)
        h, g = self.level.terrain.height_and_grad(xy)
        fresh = {"positions": xy, "start": xy.copy(), "status": np.full(k, DESCENDING),
                 "squad": np.full(k, squad), "arrival_step": np.full(k, -1), "_anchor_x": xy[:, 0].copy(),
                 "_anchor_y": xy[:, 1].copy(), "_still": np.zeros(k), "velocity": np.zeros((k, 2)),
                 "heights": h, "grads": g, "stalled": np.zeros(k, bool),
                 "in_pit": np.zeros(k, bool)}
        for name in self.UNIT_ARRAYS:             # a KeyError here: a new per-unit array needs a fresh value
            old = getattr(self, name)
            setattr(self, name, np.concatenate([old, fresh[name].astype(old.dtype)]))
        self.trail = np.concatenate([self.trail, np.broadcast_to(xy, (len(self.trail), k, 2))], axis=1)

    def _grow_optimizer(self, squad: int, k: int):
        """The squad's optimizer with k fresh rows after its members' (state zero, as if just deployed)."""
        n = len(self._members[squad])
        if n == 0:
            self._optimizers[squad] = self._new_optimizer(self.orders[squad], k)
            return
        grown = self._optimizers[squad].take(np.concatenate([np.arange(n), np.zeros(k, int)]))
        grown.reset(np.arange(n + k) >= n)
        self._optimizers[squad] = grown

    def _landed(self, kind: str, squad: int, idx: np.ndarray) -> list[int]:
        """Log a landing, reveal the ground around it, note the lowest height reached."""
        h = self.heights[idx]
        self.best_height = min(self.best_height, float(h.min()))
        self.events.append(Event(self.step_count, kind, squad, int(idx[0]), float(h.min()), units=len(idx)))
        self.explored.reveal(self.positions[idx])
        return [int(i) for i in idx]

    def _squad_event(self, kind: str, squad: int):
        members = self._members[squad]
        moving = members[self.status[members] == DESCENDING]
        height = float(self.heights[members].min()) if len(members) else math.nan
        self.events.append(Event(self.step_count, kind, squad, -1, height, units=len(moving)))
