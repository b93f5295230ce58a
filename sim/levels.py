"""Levels: TOML files in ``levels/`` validated into a frozen ``Level``.

A level file is data, read with ``tomllib`` -- never evaluated. Every problem is reported as a
``LevelError`` whose one-line message names the file and the field::

    levels/bad.toml: terrain[1].sigma: expected a number > 0, got -0.5

Format (all lengths in world units, heights in terrain units, steps in simulation steps)::

    title = "The Bowl"
    lesson = "one line for `main.py levels`"
    briefing = "2-4 sentences shown before the level"
    bounds = [[-5, 5], [-5, 5]]        # [[xmin, xmax], [ymin, ymax]]
    budget = 200                       # steps before the level is lost
    goal_radius = 0.3                  # a unit this close to the global minimum has arrived
    units = 12                         # units available to deploy
    seed = 1                           # spawn positions and weather
    noise = 0.0                        # std of gradient noise ("weather", minibatch SGD)
    hint = "shown after a loss"        # optional
    supply = 1500                      # optional: compute budget [unit-steps]; default units x budget
    needs = "change"                   # optional: "change" or "drop" -- no constant orders from the spawn
                                       # win; a change of orders mid-run / a scout and a drop do (sim/solver.py)
    hint_when = ["trapped", "slow"]    # optional: the causes of a loss the hint answers (default: all)
    hint_orders = [{optimizer = "momentum", lr = 0.3, momentum = 0.9}]   # optional: the settings it names
    [spawn]   center = [-3, 3]  radius = 0.5
    [orders]  allowed = ["sgd", "momentum"]  optimizer = "sgd"
              lr = 0.01  lr_range = [0.001, 1.0]  momentum = 0.0  momentum_range = [0.0, 0.99]
              schedules = ["constant", "step", "cosine"]   # optional: the schedules the player may give
    [stars]   steps = 60  units_lost = 2  supply = 900       # supply optional (default: the level's)
    [[terrain]] type = "bowl"  curvature = 1.0  condition = 10  angle = 30
                # optional on any component: shift = [x, y], rotate = degrees, stretch = s, weight = k
    # or instead of [[terrain]]:
    [procedural] seed = 7  difficulty = "hard"

``load_level("01-bowl")`` accepts a name in ``levels/``, a path, or ``random:SEED[:difficulty]``;
``level_from_text`` reads a level from its TOML text (a replay carries one). The limits a level
file must keep to are listed in ``sim/level_file.py``.
"""
from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import terrain as T
from .campaign import LEVELS_DIR, campaign
from .files import quoted
from .level_file import (DIFFICULTIES, LOSS_CAUSES, MAX_COMPONENTS, MAX_NETWORKS, ORDER_KEYS, POS, PROC_KEYS,
                         SPAWN_KEYS, STAR_KEYS, TOP_KEYS, LevelError, Reader, component, hint_orders, hint_when,
                         parse_toml, quoted_path, read_level_text)
from .minima import find_minima
from .optim import OPTIMIZERS, default_momentum
from .schedule import SCHEDULES

MAX_BUDGET = 100_000              # steps
MAX_UNITS = 10_000
MAX_SUPPLY = 100_000_000          # unit-steps
NEEDS = ("", "change", "drop")    # what a level's win takes beyond constant orders from the spawn
MAX_SEED = 2**63 - 1              # seeds of a level, a procedural map, a world
MAX_NAME = 100                    # characters of a campaign level's name
RANDOM_NAME = re.compile(r"random:(0|[1-9][0-9]{0,18})(?::(easy|normal|hard))?", re.ASCII)   # the one spelling


@dataclass(frozen=True)
class Level:
    """A validated level. Bounds, centres and radii in world units; budget in steps."""
    id: str
    title: str
    lesson: str
    briefing: str
    terrain: T.Field
    bounds: tuple                  # ((xmin, xmax), (ymin, ymax))
    spawn_center: tuple            # (x, y)
    spawn_radius: float
    units: int
    allowed: tuple                 # optimizer names the player may pick
    optimizer: str                 # default optimizer
    lr: float                      # default learning rate
    lr_range: tuple                # (low, high), the slider's log-scale span
    momentum: float                # default momentum (beta1 for Adam)
    momentum_range: tuple
    budget: int
    goal_radius: float
    star_steps: int                # arrive within this many steps for a star
    star_units_lost: int           # lose at most this many units for a star
    noise: float = 0.0
    seed: int = 0
    hint: str = ""
    hint_when: tuple = LOSS_CAUSES  # the causes of a loss the hint answers ("diverged", "trapped", ...)
    hint_orders: tuple = ()        # the settings the hint names: (optimizer, lr, momentum or None)
    minima: tuple = ()             # every minimum found, lowest first (Minimum records)
    source: str = ""
    global_min: np.ndarray = field(default=None, compare=False)
    global_min_height: float = 0.0
    supply: int = 0                # compute budget [unit-steps] (parse_level: default units x budget)
    star_supply: int = 0           # spend at most this much supply for a star (with star_units_lost)
    schedules: tuple = ("constant",)   # schedule kinds the player may give (sim/schedule.py)
    needs: str = ""                # "", "change" or "drop": what winning takes beyond constant orders
    text: str = field(default="", compare=False, repr=False)   # the TOML the level was read from, if any

    @property
    def size(self) -> float:
        """The larger side of the map [world]."""
        (x0, x1), (y0, y1) = self.bounds
        return max(x1 - x0, y1 - y0)


def parse_level(data: dict, source: str, level_id: str) -> Level:
    """Validate a level's TOML table into a Level (minima found and the global one certified)."""
    r = Reader(source)
    r.check_keys(data, TOP_KEYS, "")
    for key in ("title", "briefing", "budget", "goal_radius", "units", "orders", "stars"):
        if key not in data:
            r.fail(key, "missing (every level needs it)")
    if ("terrain" in data) == ("procedural" in data):
        r.fail("terrain", "give either [[terrain]] components or a [procedural] table, exactly one")

    proc = None
    if "procedural" in data:
        from .procgen import generate
        p = data["procedural"]
        r.check_keys(p, PROC_KEYS, "procedural.")
        diff = r.text(p.get("difficulty", "normal"), "procedural.difficulty")
        if diff not in DIFFICULTIES:
            r.fail("procedural.difficulty", f"expected one of {', '.join(DIFFICULTIES)}, got {quoted(diff)}")
        proc = generate(r.integer(p.get("seed", 0), "procedural.seed", 0, MAX_SEED), diff)
        field_ = proc.terrain
    else:
        comps = data["terrain"]
        if not isinstance(comps, list) or not comps:
            r.fail("terrain", "expected one or more [[terrain]] tables")
        if len(comps) > MAX_COMPONENTS:
            r.fail("terrain", f"{len(comps):,} components; a level may have at most {MAX_COMPONENTS}")
        networks = [i for i, c in enumerate(comps) if isinstance(c, dict) and c.get("type") == "loss_landscape"]
        if len(networks) > MAX_NETWORKS:
            r.fail(f"terrain[{networks[MAX_NETWORKS]}]", f"a level may have at most {MAX_NETWORKS} loss_landscape")
        parts = [component(r, c, f"terrain[{i}]") for i, c in enumerate(comps)]
        field_ = parts[0] if len(parts) == 1 else T.Sum(parts)

    if proc is not None and "bounds" in data:
        r.fail("bounds", "not allowed with [procedural]: a procedural map brings its own")
    if "bounds" in data:
        b = data["bounds"]
        if not isinstance(b, list) or len(b) != 2:
            r.fail("bounds", f"expected [[xmin, xmax], [ymin, ymax]], got {quoted(b)}")
        bounds = (r.pair(b[0], "bounds[0]"), r.pair(b[1], "bounds[1]"))
        for i, (lo, hi) in enumerate(bounds):
            if not lo < hi:
                r.fail(f"bounds[{i}]", f"expected min < max, got [{lo}, {hi}]")
    elif proc is not None:
        bounds = proc.bounds
    else:
        r.fail("bounds", "missing (every hand-made level needs it)")

    spawn = data.get("spawn", {})
    r.check_keys(spawn, SPAWN_KEYS, "spawn.")
    if proc is None and "center" not in spawn:
        r.fail("spawn.center", "missing")
    center = r.pair(spawn["center"], "spawn.center") if "center" in spawn else tuple(proc.spawn_center)
    radius = r.number(spawn.get("radius", proc.spawn_radius if proc else 0.5), "spawn.radius", positive=True)
    for i, (lo, hi) in enumerate(bounds):
        if not lo <= center[i] <= hi:
            r.fail("spawn.center", f"{center} lies outside the map bounds {bounds}")
    size = max(hi - lo for lo, hi in bounds)
    if radius > size / 2:
        r.fail("spawn.radius", f"{radius} is too large for a map of size {size:g} (at most half of it)")

    o = data["orders"]
    r.check_keys(o, ORDER_KEYS, "orders.")
    allowed = o.get("allowed", list(OPTIMIZERS))
    if not isinstance(allowed, list) or not allowed:
        r.fail("orders.allowed", f"expected a list of optimizer names, got {quoted(allowed)}")
    for i, name in enumerate(allowed):
        if name not in OPTIMIZERS:
            r.fail(f"orders.allowed[{i}]", f"unknown optimizer {quoted(name)}; choose from {', '.join(OPTIMIZERS)}")
        if name in allowed[:i]:
            r.fail(f"orders.allowed[{i}]", f"{name} is listed twice")
    optimizer = r.text(o.get("optimizer", allowed[0]), "orders.optimizer")
    if optimizer not in allowed:
        r.fail("orders.optimizer", f"{quoted(optimizer)} is not in orders.allowed {allowed}")
    lr_range = r.pair(o.get("lr_range", [1e-3, 1.0]), "orders.lr_range", POS)
    if not lr_range[0] <= lr_range[1] <= 100:
        r.fail("orders.lr_range", f"expected 0 < low <= high <= 100, got {list(lr_range)}")
    lr = r.number(o.get("lr", lr_range[0]), "orders.lr", low=lr_range[0], high=lr_range[1])
    mu_range = r.pair(o.get("momentum_range", [0.0, 0.0]), "orders.momentum_range")
    if not 0 <= mu_range[0] <= mu_range[1] < 1:
        r.fail("orders.momentum_range", f"expected 0 <= low <= high < 1, got {list(mu_range)}")
    mu_default = min(max(default_momentum(optimizer), mu_range[0]), mu_range[1])   # torch's, within the range
    mu = r.number(o.get("momentum", mu_default), "orders.momentum", low=mu_range[0], high=mu_range[1])

    s = data["stars"]
    r.check_keys(s, STAR_KEYS, "stars.")
    budget = r.integer(data["budget"], "budget", 1, MAX_BUDGET)
    units = r.integer(data["units"], "units", 1, MAX_UNITS)
    supply, star_supply, schedules, needs = rts_fields(r, data, units, budget)
    level = Level(
        id=level_id, title=r.prose(data["title"], "title"), lesson=r.prose(data.get("lesson", ""), "lesson"),
        briefing=r.prose(data["briefing"], "briefing"), terrain=field_, bounds=bounds,
        spawn_center=center, spawn_radius=radius, units=units, allowed=tuple(allowed), optimizer=optimizer,
        lr=lr, lr_range=lr_range, momentum=mu, momentum_range=mu_range, budget=budget,
        goal_radius=r.number(data["goal_radius"], "goal_radius", positive=True, high=size / 4),
        star_steps=r.integer(s.get("steps", budget), "stars.steps", 1, budget),
        star_units_lost=r.integer(s.get("units_lost", units), "stars.units_lost", 0, units),
        noise=r.number(data.get("noise", 0.0), "noise", low=0.0),
        seed=r.integer(data.get("seed", 0), "seed", 0, MAX_SEED),
        hint=r.prose(data.get("hint", ""), "hint"), hint_when=hint_when(r, data),
        hint_orders=hint_orders(r, data, allowed, lr_range, mu_range), source=source,
        supply=supply, star_supply=star_supply, schedules=schedules, needs=needs)
    return _with_minima(level, proc, r)


def rts_fields(r: Reader, data: dict, units: int, budget: int) -> tuple:
    """The real-time fields: supply [unit-steps], stars.supply, orders.schedules and needs."""
    supply = units * budget
    if "supply" in data:
        supply = r.integer(data["supply"], "supply", 1, MAX_SUPPLY)
    star_supply = r.integer(data["stars"].get("supply", supply), "stars.supply", 1, supply)
    kinds = data["orders"].get("schedules", ["constant"])
    if not isinstance(kinds, list) or not kinds:
        r.fail("orders.schedules", f"expected a list of schedule names, got {kinds!r}")
    for i, kind in enumerate(kinds):
        if kind not in SCHEDULES:
            r.fail(f"orders.schedules[{i}]", f"unknown schedule {kind!r}; choose from {', '.join(SCHEDULES)}")
    needs = r.text(data.get("needs", ""), "needs")
    if needs not in NEEDS:
        r.fail("needs", f"expected one of {', '.join(repr(n) for n in NEEDS[1:])}, got {needs!r}")
    return supply, star_supply, tuple(kinds), needs


def _with_minima(level: Level, proc, r: Reader) -> Level:
    """Attach every minimum of the terrain and the global one (the level's goal)."""
    with np.errstate(all="ignore"):          # a wild terrain may overflow while probed; judged below
        minima = tuple(proc.minima) if proc is not None else tuple(find_minima(level.terrain, level.bounds))
    interior = [m for m in minima if not m.on_edge]
    if not interior:
        r.fail("terrain", "has no minimum inside the map bounds")
    best = min(minima, key=lambda m: m.height)
    if best.on_edge:
        r.fail("terrain", f"the lowest point {best.xy} is on the map's edge, not a valley; enlarge the bounds")
    g = np.array(best.xy, float)
    g.flags.writeable = False                 # shared by every caller of the cached level
    if np.hypot(*(g - level.spawn_center)) < level.goal_radius + level.spawn_radius:
        r.fail("spawn", "the spawn zone overlaps the goal around the global minimum")
    object.__setattr__(level, "minima", minima)
    object.__setattr__(level, "global_min", g)
    object.__setattr__(level, "global_min_height", float(best.height))
    return level


_CACHE: dict = {}


def is_path(name: str) -> bool:
    """A path to a level file (ends in .toml or names a folder), not a campaign level's name."""
    return name.endswith(".toml") or os.sep in name or "/" in name


def level_path(name: str) -> Path:
    """A level name ('01-bowl') or a path -> the file it means."""
    return Path(name) if is_path(name) else LEVELS_DIR / f"{name}.toml"


def load_level(name: str) -> Level:
    """A level by name in levels/, by its place in the campaign as the game numbers it ('17', '03'),
    by path to a .toml file, or 'random:SEED[:easy|normal|hard]'."""
    if not isinstance(name, str) or not name:
        raise LevelError(f"{quoted(name)}: expected a level name, a path to a .toml file or random:SEED")
    if name.startswith("random:"):
        return random_level(name)
    if name.isdecimal() and name.isascii() and len(name) <= 3:
        if not 1 <= int(name) <= len(campaign()):
            raise LevelError(f"{name}: no such level; the campaign's levels are numbered 1 to {len(campaign())} "
                             "('python main.py levels' lists them)")
        name = campaign()[int(name) - 1]
    path = level_path(name)
    if not is_path(name) and name not in campaign():
        if len(name) > MAX_NAME or not name.isprintable():
            raise LevelError(f"{quoted(name)}: no such level ('python main.py levels' lists them)")
        close = difflib.get_close_matches(name, campaign(), n=1, cutoff=0.5)
        hint = f"did you mean '{close[0]}'? " if close else ""
        raise LevelError(f"{name}: no such level; {hint}('python main.py levels' lists them)")
    text = read_level_text(path)
    try:
        where = os.path.realpath(path)
    except (OSError, ValueError):
        where = str(path)
    key = (where, text)
    if key not in _CACHE:
        level = parse_level(parse_toml(text, quoted_path(path)), quoted_path(path), path.stem)
        object.__setattr__(level, "text", text)
        _CACHE[key] = level
    return _CACHE[key]


def level_from_text(text: str, source: str, level_id: str) -> Level:
    """A level from the TOML text of a level file (as a replay carries it), checked like a file:
    errors name ``source``."""
    if not isinstance(text, str):
        raise LevelError(f"{source}: expected the TOML text of a level, got {type(text).__name__}")
    key = ("text", level_id, text)
    if key not in _CACHE:
        level = parse_level(parse_toml(text, source), source, level_id)
        object.__setattr__(level, "text", text)
        _CACHE[key] = level
    return _CACHE[key]


def random_name(name: str) -> tuple:
    """'random:SEED[:difficulty]' -> (seed, difficulty), for its one spelling: SEED in digits 0-9
    without leading zeros, at most MAX_SEED; otherwise a LevelError."""
    m = RANDOM_NAME.fullmatch(name)
    if m is None or int(m.group(1)) > MAX_SEED:
        raise LevelError(f"{quoted(name)}: expected random:SEED[:easy|normal|hard], SEED a whole number from 0 "
                         f"to {MAX_SEED} in digits 0-9, e.g. random:7 or random:7:hard")
    return int(m.group(1)), m.group(2) or "normal"


def random_level(name: str) -> Level:
    """'random:SEED[:difficulty]' -> an endless procedural map with standard orders. Its id is the
    name without ':normal' (the default difficulty), so each map has one name."""
    seed, diff = random_name(name)
    name = f"random:{seed}" if diff == "normal" else f"random:{seed}:{diff}"
    data = {
        "title": f"Uncharted ground #{seed} ({diff})",
        "lesson": "A procedural map: scout, then commit.",
        "briefing": "Nobody has mapped this ground. Somewhere lies one valley deeper than all the others. "
                    "Send scouts, watch where they settle, and adjust your orders.",
        "budget": {"easy": 400, "normal": 500, "hard": 600}[diff], "goal_radius": 0.5, "units": 24,
        "seed": seed, "procedural": {"seed": seed, "difficulty": diff},
        "orders": {"optimizer": "sgd", "lr": 0.01, "lr_range": [0.001, 3.0], "momentum": 0.0,
                   "momentum_range": [0.0, 0.99]},
        "stars": {"steps": 200, "units_lost": 12},
    }
    key = ("random", seed, diff)
    if key not in _CACHE:
        _CACHE[key] = parse_level(data, name, name)
    return _CACHE[key]
