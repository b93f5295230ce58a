"""Reading a level file: the TOML table, with limits, and typed access that reports every problem
as one line naming the file and the field (``LevelError``), and the terrain components a level may
name. ``sim.levels`` turns the checked table into a ``Level``.
"""
from __future__ import annotations

import difflib
import math
import tomllib
from pathlib import Path


from . import classic, nn, terrain as T

MAX_FILE_BYTES = 1_000_000        # a level is a few kB; refuse anything absurd before parsing
MAX_ABS = 1e6                     # no coordinate or parameter beyond this
MIN_POSITIVE = 1e-6               # widths, radii and scales below this are mistakes, not features


class LevelError(ValueError):
    """A level that cannot be loaded; ``str(err)`` is one line: 'file: field: problem'."""



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
            "hint", "hint_when", "hint_orders", "spawn", "orders", "stars", "terrain", "procedural"}
# why a run was lost, as a level's ``hint_when`` names it: most units flew off the map, settled in a
# local minimum, stalled on flat ground, or were still descending when the steps ran out
LOSS_CAUSES = ("diverged", "trapped", "stalled", "slow")
SPAWN_KEYS = {"center", "radius"}
ORDER_KEYS = {"allowed", "optimizer", "lr", "lr_range", "momentum", "momentum_range"}
STAR_KEYS = {"steps", "units_lost"}
PROC_KEYS = {"seed", "difficulty"}
DIFFICULTIES = ("easy", "normal", "hard")


class Reader:
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


def component(r: Reader, table, where: str) -> T.Field:
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


def hint_when(r: Reader, data: dict) -> tuple:
    """The causes of a loss (LOSS_CAUSES) after which the level's ``hint`` is shown, from the list
    ``hint_when``; left out, the hint answers every cause."""
    if "hint_when" not in data:
        return LOSS_CAUSES
    value = data["hint_when"]
    if not data.get("hint"):
        r.fail("hint_when", "given without a hint")
    if not isinstance(value, list) or not value:
        r.fail("hint_when", f"expected a list of causes ({', '.join(LOSS_CAUSES)}), got {value!r}")
    for i, cause in enumerate(value):
        if cause not in LOSS_CAUSES:
            close = difflib.get_close_matches(str(cause), LOSS_CAUSES, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else f"; choose from {', '.join(LOSS_CAUSES)}"
            r.fail(f"hint_when[{i}]", f"unknown cause {cause!r}{hint}")
    return tuple(dict.fromkeys(value))


HINT_ORDER_KEYS = {"optimizer", "lr", "momentum"}


def hint_orders(r: Reader, data: dict, allowed, lr_range, momentum_range) -> tuple:
    """The settings the level's ``hint`` names, as data: a list of tables {optimizer, lr, momentum}
    (momentum may be left out: the player's slider decides), each inside the level's orders ->
    a tuple of (optimizer, lr, momentum or None). The classroom races them; a test proves they win."""
    value = data.get("hint_orders", [])
    if value and not data.get("hint"):
        r.fail("hint_orders", "given without a hint")
    if not isinstance(value, list):
        r.fail("hint_orders", f"expected a list of {{optimizer, lr, momentum}} tables, got {value!r}")
    out = []
    for i, table in enumerate(value):
        where = f"hint_orders[{i}]"
        r.check_keys(table, HINT_ORDER_KEYS, where + ".")
        name = table.get("optimizer")
        if name not in allowed:
            r.fail(f"{where}.optimizer", f"expected one of orders.allowed {list(allowed)}, got {name!r}")
        if "lr" not in table:
            r.fail(f"{where}.lr", "missing")
        lr = r.number(table["lr"], f"{where}.lr", low=lr_range[0], high=lr_range[1])
        mu = table.get("momentum")
        if mu is not None:
            mu = r.number(mu, f"{where}.momentum", low=momentum_range[0], high=momentum_range[1])
        out.append((name, lr, mu))
    return tuple(out)
