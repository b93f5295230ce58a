"""How hard is a level? The share of what a player could try that wins, and the best plan found.

Two measures, both from the level's own spawn and seed:

- **box share**: the share of the orders box -- allowed optimizers x BOX_LRS learning rates
  (log-spaced over the level's range) x BOX_MOMENTA momenta -- whose constant orders win, from one
  vectorised sweep (sim/sweep.py). A cell wins when a unit of the level's squad arrives within the
  budget; a sweep ignores supply, so on a level with its own supply a cell also needs its first
  arrival step x units <= supply (what the whole squad spends moving until then, at most).
- **plan share**, for a level that ``needs`` more than constant orders: the share of a small,
  fixed space of plans that wins.
    "change" levels -- every allowed optimizer with PLAN_LRS learning rates and the two ends of
    the momentum range ("settings"); plans are a setting followed by a schedule (each kind the
    level allows, SCHEDULE_SHAPES), or a setting that changes to another at CHANGE_AT x budget
    (the same optimizer keeps its state; a new one starts afresh).
    "drop" levels -- unit 0 scouts with a setting while the rest hold; after SCOUT_AT x budget
    steps the held squad is redeployed onto the lowest ground revealed so far, with the level's
    default orders or the scout's.
  Schedule and change plans are evaluated as vectorised swarms (supply aside, as a sweep); drop
  plans in real worlds, supply and all.

The best plan is the winning plan with the fewest steps to the first arrival, then the least
supply spent, replayed in a real World; three-star thresholds follow as STAR_SLACK x its steps
and supply (``stars_from``).
"""
from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field, replace

import numpy as np

from .levels import Level
from .schedule import make_schedule
from .sweep import Swarm, linear_grid, lr_grid, momentum_grid, run_swarm, sweep, uses_momentum
from .world import World

BOX_LRS, BOX_MOMENTA = 12, 6      # the orders box's grid (as the campaign tests' proof sweep)
PLAN_LRS = 4                      # learning rates per setting in the plan space
CHANGE_AT = (0.05, 0.125, 0.25)   # when a change plan changes orders [fraction of the budget]
SCOUT_AT = (0.2, 0.4, 0.6)        # when a drop plan redeploys [fraction of the budget]
STAR_SLACK = 1.25                 # stars for within this factor of the best plan's steps and supply
REPLAYS = 6                       # fastest winning plans replayed in real worlds to find the best


@dataclass(frozen=True)
class Plan:
    """Orders from the start and what happens later. ``kind``: "constant"; "schedule" (``schedule``:
    kind and parameters, the base rate from ``orders``); "change" (at step ``at`` the squad gets
    ``then``); "drop" (unit 0 scouts with ``orders``, the rest hold with ``then``; at step ``at``
    they are redeployed onto the lowest revealed ground). ``steps``/``supply``: its result (-1 unknown)."""
    kind: str
    orders: tuple                  # (optimizer, lr, momentum)
    at: int = 0
    then: tuple = ()
    schedule: dict = field(default_factory=dict)
    steps: int = -1
    supply: int = -1

    def run(self, level: Level, seed: int | None = None) -> World:
        """The plan in a World, stepped until the run is over."""
        w = World(level, seed=seed, trail_length=1)
        o = dict(zip(("optimizer", "lr", "momentum"), self.orders))
        if self.kind == "drop":
            w.assign([0], 1)
            w.set_orders(1, **o)
            w.set_orders(0, *self.then)
            w.hold(0)
            w.step(self.at)
            try:
                w.redeploy(0, lowest_revealed(w))
            except ValueError:               # nothing held is left to lift, or no supply: the plan fails
                pass
        else:
            sched = make_schedule(lr=o["lr"], **self.schedule) if self.kind == "schedule" else None
            w.set_orders(0, **o, schedule=sched)
            if self.kind == "change":
                w.step(self.at)
                w.set_orders(0, *self.then)
        while not w.over:
            w.step()
        return w

    def describe(self) -> str:
        o = "{} lr {:.3g} mu {:.2g}".format(*self.orders)
        if self.kind == "schedule":
            return f"{o}, {make_schedule(lr=self.orders[1], **self.schedule).describe()}"
        if self.kind == "change":
            return f"{o}, at step {self.at}: " + "{} lr {:.3g} mu {:.2g}".format(*self.then)
        if self.kind == "drop":
            return f"scout: {o}; at step {self.at} redeploy the held squad ({self.then[0]} lr {self.then[1]:.3g})"
        return o

    def to_dict(self) -> dict:
        return {"kind": self.kind, "orders": list(self.orders), "at": self.at, "then": list(self.then),
                "schedule": dict(self.schedule), "steps": self.steps, "supply": self.supply}


def lowest_revealed(world: World) -> list:
    """The centre (x, y) of the lowest explored cell of the map: where a player would drop."""
    ex = world.explored
    centres = ex.centres()[ex.grid]
    return centres[int(np.argmin(world.level.terrain.height(centres)))].tolist()


def settings(level: Level, n_lrs: int = PLAN_LRS) -> list[tuple]:
    """(optimizer, lr, momentum) for every allowed optimizer, n_lrs rates, the momentum range's ends."""
    lrs = lr_grid(level, n_lrs)
    out = []
    for name in level.allowed:
        mus = linear_grid(*level.momentum_range, 2) if uses_momentum(name) else [level.momentum_range[0]]
        out += [(name, float(lr), float(mu)) for mu in mus for lr in lrs]
    return out


def schedule_shapes(level: Level) -> list[dict]:
    """The schedules a plan may follow on this level (kind and parameters, no base rate)."""
    b, low = level.budget, level.lr_range[0]
    shapes = {"step": [{"kind": "step", "step_size": max(1, b // d), "gamma": g} for d in (4, 2) for g in (0.1, 0.3)],
              "cosine": [{"kind": "cosine", "t_max": max(1, b // d), "eta_min": low} for d in (2, 1)]}
    return [s for kind in level.schedules for s in shapes.get(kind, [])]


# -- the box ------------------------------------------------------------------------------------
def box(level: Level) -> tuple[float, list[Plan]]:
    """The share of the orders box that wins, and its REPLAYS fastest winning cells as constant
    plans, fastest first (a sweep's weather is not a World's: on a noisy level a cell may win in
    the one and not in the other, so the best plan is looked for among several)."""
    r = sweep(level, lrs=lr_grid(level, BOX_LRS), momenta=momentum_grid(level, BOX_MOMENTA))
    won = r.won() & (r.first_arrival * r.starts <= level.supply)
    steps = np.where(won, r.first_arrival, np.iinfo(np.int64).max).ravel()
    fastest = np.argsort(steps, kind="stable")[:min(REPLAYS, int(won.sum()))]
    cells = []
    for o, m, k in zip(*np.unravel_index(fastest, won.shape)):
        cell = (r.optimizers[o], float(r.lrs[k]), float(r.momenta[m]))
        cells.append(Plan("constant", cell, steps=int(r.first_arrival[o, m, k])))
    return float(won.mean()), cells


# -- change plans ---------------------------------------------------------------------------------
def _first_arrivals(level: Level, plans: list, phase1: list, phase2: list, at: int) -> np.ndarray:
    """Step of the first arrival (-1: none) of each plan, all run at once in one Swarm: every plan's
    squad starts with its ``phase1`` setting; at step ``at`` it takes its ``phase2`` setting, in the
    squad of its new optimizer. Squads are by optimizer, so either every plan keeps its optimizer
    (then no squad changes and all keep their state) or every plan changes it (then every squad
    changes and starts afresh): give the two kinds in separate calls."""
    starts = World(level, trail_length=1).positions
    k = len(starts)
    world = Swarm(level, None, np.tile(starts, (len(plans), 1)))
    unit_plan = np.repeat(np.arange(len(plans)), k)
    names = sorted({s[0] for s in phase1} | {s[0] for s in phase2})

    def give(orders):
        opt = np.array([names.index(orders[p][0]) for p in unit_plan])
        for s in range(len(names) - 1, -1, -1):
            world.assign(np.flatnonzero(opt == s), s)
        for s, name in enumerate(names):
            idx = opt == s
            if idx.any():
                world.set_orders(s, optimizer=name, lr=np.array([orders[p][1] for p in unit_plan[idx]]),
                                 momentum=np.array([orders[p][2] for p in unit_plan[idx]]))

    give(phase1)
    run_swarm(world, at, compact=False)
    give(phase2)                             # squads whose members change start afresh; the others keep theirs
    run_swarm(world, level.budget, compact=True)
    arrival = world.final_arrival.reshape(len(plans), k)
    arrival = np.where((arrival >= 0) & (arrival <= level.budget), arrival, np.iinfo(np.int64).max)
    first = arrival.min(axis=1)
    return np.where(first == np.iinfo(np.int64).max, -1, first)


def change_plans(level: Level) -> list[Plan]:
    """Every schedule and change plan of the level's space, with its first arrival step (-1: none)."""
    base = settings(level)
    out = []
    for shape in schedule_shapes(level):
        params = {k: v for k, v in shape.items() if k != "kind"}
        try:
            for o in base:
                make_schedule(shape["kind"], lr=o[1], **params)
        except ValueError:                   # e.g. a floor above the lowest rate: not a plan here
            continue
        r = sweep(level, lrs=lr_grid(level, PLAN_LRS), momenta=linear_grid(*level.momentum_range, 2),
                  schedule=make_schedule(shape["kind"], lr=level.lr_range[1], **params))
        for o in base:
            i, k = r.optimizers.index(o[0]), int(np.argmin(abs(r.lrs - o[1])))
            m = int(np.argmin(abs(r.momenta - o[2])))
            out.append(Plan("schedule", o, schedule=shape, steps=int(r.first_arrival[i, m, k])))
    same = [(a, b) for a in base for b in base if a != b and a[0] == b[0]]      # a new rate: state kept
    switch = [(a, b) for a in base for b in base if a[0] != b[0]]               # a new optimizer: afresh
    for frac in CHANGE_AT:
        at = max(1, round(frac * level.budget))
        for pairs in (same, switch):
            if not pairs:                    # one allowed optimizer: nothing to switch to
                continue
            first = _first_arrivals(level, pairs, [a for a, _ in pairs], [b for _, b in pairs], at)
            out += [Plan("change", a, at, b, steps=int(s)) for (a, b), s in zip(pairs, first)]
    return out


# -- drop plans ----------------------------------------------------------------------------------
def drop_plans(level: Level) -> list[Plan]:
    """Every drop plan of the level's space, each run in a real World (supply and all)."""
    default = (level.optimizer, level.lr, level.momentum)
    out = []
    for scout in settings(level):
        w = World(level, trail_length=1)
        w.assign([0], 1)
        w.set_orders(1, *scout)
        w.hold(0)
        for frac in SCOUT_AT:
            at = max(1, round(frac * level.budget))
            w.step(at - w.step_count)
            for then in dict.fromkeys([default, scout]):
                plan = Plan("drop", scout, at, then)
                out.append(_finish(plan, w, level))
    return out


def _finish(plan: Plan, scouted: World, level: Level) -> Plan:
    """A drop plan's result, going on from a copy of the scouted world."""
    w = copy.deepcopy(scouted, memo={id(level): level})
    w.set_orders(0, *plan.then)
    try:
        w.redeploy(0, lowest_revealed(w))
    except ValueError:
        pass
    while not w.over:
        w.step()
    return replace(plan, steps=first_arrival(w), supply=w.supply_spent)


def first_arrival(world: World) -> int:
    """The step of the world's first arrival that counts (in budget and supply), or -1."""
    return int(world._arrived_in_time().min()) if world.won else -1


# -- the verdict ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Difficulty:
    """A level's measured difficulty: ``box_share`` of the orders box wins; ``plan_share`` of the
    ``plans`` plans (None for a level that needs nothing beyond constant orders); ``best`` plan."""
    level: str
    box_share: float
    plan_share: float | None
    plans: int
    best: Plan | None

    def stars(self) -> dict | None:
        return None if self.best is None else stars_from(self.best)

    def to_dict(self) -> dict:
        return {"box_share": self.box_share, "plan_share": self.plan_share, "plans": self.plans,
                "best": None if self.best is None else self.best.to_dict(), "stars": self.stars()}


def stars_from(best: Plan) -> dict:
    """Three-star thresholds: within STAR_SLACK of the best plan's steps and supply."""
    return {"steps": math.ceil(STAR_SLACK * best.steps), "supply": math.ceil(STAR_SLACK * best.supply)}


def best_plan(level: Level, winners: list[Plan]) -> Plan | None:
    """The REPLAYS fastest winners replayed in real worlds; the fewest steps, then the least supply.
    If none of them wins there (on a stormy level the fastest wins of a swarm may all be lucky
    gusts), the next REPLAYS are replayed, and so on, until a batch has a winner."""
    ranked = sorted(winners, key=lambda p: (p.steps, p.supply))
    for first in range(0, len(ranked), REPLAYS):
        replayed = []
        for plan in ranked[first:first + REPLAYS]:
            w = plan.run(level)
            if w.won:
                replayed.append(replace(plan, steps=first_arrival(w), supply=w.supply_spent))
        if replayed:
            return min(replayed, key=lambda p: (p.steps, p.supply))
    return None


def solve(level: Level) -> Difficulty:
    """Measure a level (a few seconds for one that needs plans; a sweep's time for the others)."""
    share, cells = box(level)
    if not level.needs:
        return Difficulty(level.id, share, None, 0, best_plan(level, cells))
    plans = change_plans(level) if level.needs == "change" else drop_plans(level)
    winners = [p for p in plans if p.steps >= 0]
    return Difficulty(level.id, share, len(winners) / len(plans), len(plans), best_plan(level, winners + cells))
