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
    [spawn]   center = [-3, 3]  radius = 0.5
    [orders]  allowed = ["sgd", "momentum"]  optimizer = "sgd"
              lr = 0.01  lr_range = [0.001, 1.0]  momentum = 0.0  momentum_range = [0.0, 0.99]
    [stars]   steps = 60  units_lost = 2
    [[terrain]] type = "bowl"  curvature = 1.0  condition = 10  angle = 30
                # optional on any component: shift = [x, y], rotate = degrees, stretch = s, weight = k
    # or instead of [[terrain]]:
    [procedural] seed = 7  difficulty = "hard"

``load_level("01-bowl")`` accepts a name in ``levels/``, a path, or ``random:SEED[:difficulty]``.
"""
from __future__ import annotations

import difflib
import math
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import classic, nn, terrain as T
from .minima import Minimum, find_minima
from .optim import OPTIMIZERS

LEVELS_DIR = Path(__file__).resolve().parent.parent / "levels"
MAX_FILE_BYTES = 1_000_000        # a level is a few kB; refuse anything absurd before parsing
MAX_ABS = 1e6                     # no coordinate or parameter beyond this
MIN_POSITIVE = 1e-6               # widths, radii and scales below this are mistakes, not features
MAX_BUDGET = 100_000              # steps
MAX_UNITS = 10_000


class LevelError(ValueError):
    """A level that cannot be loaded; ``str(err)`` is one line: 'file: field: problem'."""


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
    minima: tuple = ()             # every minimum found, lowest first (Minimum records)
    source: str = ""
    global_min: np.ndarray = field(default=None, compare=False)
    global_min_height: float = 0.0

    @property
    def size(self) -> float:
        """The larger side of the map [world]."""
        (x0, x1), (y0, y1) = self.bounds
        return max(x1 - x0, y1 - y0)


# -- terrain components a level may name: type -> (constructor, {param: (kind, default)}) ------
F, POS, POINT = "float", "positive", "point"     # parameter kinds
TEXT, INT = "text", "integer"                    # ... a name (string), a whole number >= 0
COMPONENTS = {
    "bowl": (T.Bowl, {"curvature": (POS, 1.0), "condition": (POS, 1.0), "angle": (F, 0.0),
                      "center": (POINT, (0.0, 0.0))}),
    "well": (T.Well, {"center": (POINT, (0.0, 0.0)), "depth": (F, 1.0), "sigma": (POS, 1.0)}),
    "ridge": (T.Ridge, {"amplitude": (F, 1.0), "center": (POINT, (0.0, 0.0)), "angle": (F, 0.0),
                        "length": (POS, 2.0), "width": (POS, 0.3)}),
    "ripples": (T.Ripples, {"amplitude": (F, 0.1), "wavelength": (POS, 1.0), "angle": (F, 0.0),
                            "phase": (F, 0.0)}),
    "plateau": (T.Plateau, {"amplitude": (F, 1.0), "center": (POINT, (0.0, 0.0)), "radius": (POS, 1.0)}),
    "cliff": (T.Cliff, {"amplitude": (F, 1.0), "angle": (F, 0.0), "offset": (F, 0.0), "width": (POS, 0.1)}),
    "saddle": (T.Saddle, {"a": (F, 1.0), "b": (F, 1.0), "c": (F, 1.0)}),
    "constant": (T.Constant, {"value": (F, 0.0)}),
    "rosenbrock": (classic.Rosenbrock, {"a": (F, 1.0), "b": (POS, 100.0)}),
    "rastrigin": (classic.Rastrigin, {"A": (POS, 10.0)}),
    # a neural network's training loss over a 2-D slice of its weights (sim/nn.py)
    "loss_landscape": (nn.NetworkLandscape, {
        "dataset": (TEXT, "moons"), "activation": (TEXT, "relu"), "hidden": (INT, 5), "samples": (INT, 80),
        "noise": (F, 0.3), "seed": (INT, 0), "data_shift": (POINT, (0.0, 0.0)), "view": (INT, 0),
        "train_steps": (INT, 400), "train_lr": (POS, 0.05), "train_activation": (TEXT, ""),
        "scale": (POS, 1.0)}),
}
for _name in ("himmelblau", "ackley", "beale", "booth", "six_hump_camel", "styblinski_tang"):
    COMPONENTS[_name] = (classic.CLASSICS[_name], {})
TRANSFORM_KEYS = {"shift": (POINT, (0.0, 0.0)), "rotate": (F, 0.0), "stretch": (POS, 1.0), "weight": (F, 1.0)}

TOP_KEYS = {"title", "lesson", "briefing", "bounds", "budget", "goal_radius", "units", "seed", "noise",
            "hint", "spawn", "orders", "stars", "terrain", "procedural"}
SPAWN_KEYS = {"center", "radius"}
ORDER_KEYS = {"allowed", "optimizer", "lr", "lr_range", "momentum", "momentum_range"}
STAR_KEYS = {"steps", "units_lost"}
PROC_KEYS = {"seed", "difficulty"}
DIFFICULTIES = ("easy", "normal", "hard")


class _Reader:
    """Typed access to a TOML table that reports errors as 'file: path.key: problem'."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, where: str, problem: str):
        raise LevelError(f"{self.source}: {where}: {problem}")

    def check_keys(self, table: dict, allowed: set, where: str):
        if not isinstance(table, dict):
            self.fail(where.rstrip(".") or "file", f"expected a table, got {type(table).__name__}")
        for key in table:
            if key not in allowed:
                close = difflib.get_close_matches(key, sorted(allowed), n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                self.fail(f"{where}{key}", f"unknown key{hint}")

    def number(self, value, where: str, positive=False, low=None, high=None) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(where, f"expected a number, got {type(value).__name__} {value!r}")
        v = float(value)
        if not math.isfinite(v):
            self.fail(where, f"expected a finite number, got {value}")
        if abs(v) > MAX_ABS:
            self.fail(where, f"{value} is too large (limit {MAX_ABS:g})")
        if positive and not v >= MIN_POSITIVE:
            self.fail(where, f"expected a number > 0 (at least {MIN_POSITIVE:g}), got {value}")
        if low is not None and v < low:
            self.fail(where, f"expected a number >= {low}, got {value}")
        if high is not None and v > high:
            self.fail(where, f"expected a number <= {high}, got {value}")
        return v

    def integer(self, value, where: str, low=0, high=MAX_ABS) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(where, f"expected an integer, got {type(value).__name__} {value!r}")
        if not low <= value <= high:
            self.fail(where, f"expected an integer in [{low}, {high:g}], got {value}")
        return value

    def text(self, value, where: str) -> str:
        if not isinstance(value, str):
            self.fail(where, f"expected a string, got {type(value).__name__} {value!r}")
        return value.strip()

    def pair(self, value, where: str, kind=F) -> tuple:
        if not isinstance(value, (list, tuple)) or len(value) != 2:
            self.fail(where, f"expected a list of two numbers, got {value!r}")
        return tuple(self.number(v, f"{where}[{i}]", positive=(kind == POS)) for i, v in enumerate(value))

    def value(self, value, where: str, kind) -> object:
        if kind == TEXT:
            return self.text(value, where)
        if kind == INT:
            return self.integer(value, where)
        return self.pair(value, where) if kind == POINT else self.number(value, where, positive=(kind == POS))


def _component(r: _Reader, table, where: str) -> T.Field:
    """One [[terrain]] entry -> a Field, with its optional transform applied."""
    if not isinstance(table, dict):
        r.fail(where, f"expected a table, got {type(table).__name__}")
    kind = table.get("type")
    if not isinstance(kind, str):
        r.fail(f"{where}.type", f"expected a terrain type name, got {kind!r}")
    if kind not in COMPONENTS:
        close = difflib.get_close_matches(str(kind), sorted(COMPONENTS), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else f"; choose from {', '.join(sorted(COMPONENTS))}"
        r.fail(f"{where}.type", f"unknown terrain type {kind!r}{hint}")
    make, params = COMPONENTS[kind]
    r.check_keys(table, {"type"} | set(params) | set(TRANSFORM_KEYS), f"{where}.")
    args = {k: r.value(table.get(k, d), f"{where}.{k}", kd) for k, (kd, d) in params.items()}
    tf = {k: r.value(table.get(k, d), f"{where}.{k}", kd) for k, (kd, d) in TRANSFORM_KEYS.items()}
    try:
        f = make(**args)
    except ValueError as err:
        r.fail(where, str(err))
    if tf["stretch"] != 1.0:
        f = f.stretched(tf["stretch"])
    if tf["rotate"] != 0.0:
        f = f.rotated(tf["rotate"])
    if tf["shift"] != (0.0, 0.0):
        f = f.shifted(tf["shift"])
    return f * tf["weight"] if tf["weight"] != 1.0 else f


def read_toml(path: Path) -> dict:
    """The TOML table in ``path``, or a LevelError naming what is wrong with the file."""
    if not path.exists():
        raise LevelError(f"{path}: file not found")
    if path.is_dir():
        raise LevelError(f"{path}: is a directory, not a level file")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise LevelError(f"{path}: file is {size:,} bytes; a level file may be at most {MAX_FILE_BYTES:,}")
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as err:
        raise LevelError(f"{path}: TOML syntax error: {err}") from None
    except RecursionError:
        raise LevelError(f"{path}: TOML nested too deeply") from None
    except (OSError, UnicodeDecodeError) as err:
        raise LevelError(f"{path}: cannot read: {err}") from None


def parse_level(data: dict, source: str, level_id: str) -> Level:
    """Validate a level's TOML table into a Level (minima found and the global one certified)."""
    r = _Reader(source)
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
            r.fail("procedural.difficulty", f"expected one of {', '.join(DIFFICULTIES)}, got {diff!r}")
        proc = generate(r.integer(p.get("seed", 0), "procedural.seed", 0, 2**63 - 1), diff)
        field_ = proc.terrain
    else:
        comps = data["terrain"]
        if not isinstance(comps, list) or not comps:
            r.fail("terrain", "expected one or more [[terrain]] tables")
        parts = [_component(r, c, f"terrain[{i}]") for i, c in enumerate(comps)]
        field_ = parts[0] if len(parts) == 1 else T.Sum(parts)

    if proc is not None and "bounds" in data:
        r.fail("bounds", "not allowed with [procedural]: a procedural map brings its own")
    if "bounds" in data:
        b = data["bounds"]
        if not isinstance(b, list) or len(b) != 2:
            r.fail("bounds", f"expected [[xmin, xmax], [ymin, ymax]], got {b!r}")
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
        r.fail("orders.allowed", f"expected a list of optimizer names, got {allowed!r}")
    for i, name in enumerate(allowed):
        if name not in OPTIMIZERS:
            r.fail(f"orders.allowed[{i}]", f"unknown optimizer {name!r}; choose from {', '.join(OPTIMIZERS)}")
    optimizer = r.text(o.get("optimizer", allowed[0]), "orders.optimizer")
    if optimizer not in allowed:
        r.fail("orders.optimizer", f"{optimizer!r} is not in orders.allowed {allowed}")
    lr_range = r.pair(o.get("lr_range", [1e-3, 1.0]), "orders.lr_range", POS)
    if not lr_range[0] <= lr_range[1] <= 100:
        r.fail("orders.lr_range", f"expected 0 < low <= high <= 100, got {list(lr_range)}")
    lr = r.number(o.get("lr", lr_range[0]), "orders.lr", low=lr_range[0], high=lr_range[1])
    mu_range = r.pair(o.get("momentum_range", [0.0, 0.0]), "orders.momentum_range")
    if not 0 <= mu_range[0] <= mu_range[1] < 1:
        r.fail("orders.momentum_range", f"expected 0 <= low <= high < 1, got {list(mu_range)}")
    mu = r.number(o.get("momentum", mu_range[0]), "orders.momentum", low=mu_range[0], high=mu_range[1])

    s = data["stars"]
    r.check_keys(s, STAR_KEYS, "stars.")
    budget = r.integer(data["budget"], "budget", 1, MAX_BUDGET)
    units = r.integer(data["units"], "units", 1, MAX_UNITS)
    level = Level(
        id=level_id, title=r.text(data["title"], "title"), lesson=r.text(data.get("lesson", ""), "lesson"),
        briefing=" ".join(r.text(data["briefing"], "briefing").split()), terrain=field_, bounds=bounds,
        spawn_center=center, spawn_radius=radius, units=units, allowed=tuple(allowed), optimizer=optimizer,
        lr=lr, lr_range=lr_range, momentum=mu, momentum_range=mu_range, budget=budget,
        goal_radius=r.number(data["goal_radius"], "goal_radius", positive=True, high=size / 4),
        star_steps=r.integer(s.get("steps", budget), "stars.steps", 1, budget),
        star_units_lost=r.integer(s.get("units_lost", units), "stars.units_lost", 0, units),
        noise=r.number(data.get("noise", 0.0), "noise", low=0.0),
        seed=r.integer(data.get("seed", 0), "seed", 0, 2**63 - 1),
        hint=" ".join(r.text(data.get("hint", ""), "hint").split()), source=source)
    return _with_minima(level, proc, r)


def _with_minima(level: Level, proc, r: _Reader) -> Level:
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


def level_path(name: str) -> Path:
    """A level name ('01-bowl') or a path -> the file it means."""
    p = Path(name)
    if p.suffix == ".toml" or os.sep in name or "/" in name:
        return p
    return LEVELS_DIR / f"{name}.toml"


def load_level(name: str) -> Level:
    """A level by name in levels/, by path to a .toml file, or 'random:SEED[:easy|normal|hard]'."""
    if name.startswith("random:"):
        return random_level(name)
    path = level_path(name)
    if path.parent == LEVELS_DIR and not path.exists():
        close = difflib.get_close_matches(name, campaign(), n=1, cutoff=0.5)
        hint = f"did you mean '{close[0]}'? " if close else ""
        raise LevelError(f"{name}: no such level; {hint}('python main.py levels' lists them)")
    st = path.stat() if path.is_file() else None
    key = (str(path.resolve()), (st.st_mtime_ns, st.st_size, st.st_ino) if st else None)
    if key not in _CACHE:
        _CACHE[key] = parse_level(read_toml(path), str(path), path.stem)
    return _CACHE[key]


def random_level(name: str) -> Level:
    """'random:SEED[:difficulty]' -> an endless procedural map with standard orders."""
    parts = name.split(":")
    try:
        seed = int(parts[1])
        if seed < 0:
            raise ValueError
    except (IndexError, ValueError):
        raise LevelError(f"{name}: expected random:SEED with SEED a whole number >= 0") from None
    diff = parts[2] if len(parts) > 2 else "normal"
    if diff not in DIFFICULTIES or len(parts) > 3:
        raise LevelError(f"{name}: difficulty must be one of {', '.join(DIFFICULTIES)}")
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


def campaign() -> list[str]:
    """The shipped levels' names, in campaign order."""
    return sorted(p.stem for p in LEVELS_DIR.glob("*.toml"))
