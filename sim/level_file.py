"""Reading a level file: the TOML table, with limits, and typed access that reports every problem
as one line naming the file and the field (``LevelError``), and the terrain components a level may
name. ``sim.levels`` turns the checked table into a ``Level``.

What a level file must keep to (each limit keeps any file that passes it loading in a few seconds):

* a regular file of at most MAX_FILE_BYTES, in UTF-8;
* arrays and inline tables nested at most MAX_NESTING deep, keys and table names of at most
  MAX_KEY_PARTS dotted parts, numbers of at most MAX_DIGITS digits -- checked on the text before the
  TOML reader sees it (the reader's time grows with the square of a key's parts);
* at most MAX_COMPONENTS terrain components, at most MAX_NETWORKS of them a network's loss, whose
  training run is bounded by NETWORK_LIMITS and NETWORK_SIZE;
* texts of at most TEXT_LIMITS characters, the one-line ones without control characters.
"""
from __future__ import annotations

import difflib
import math
import re
import tomllib
import unicodedata
from pathlib import Path


from . import classic, nn, terrain as T
from .files import UnreadableFile, quoted, read_regular

MAX_FILE_BYTES = 1_000_000        # a level is a few kB; refuse anything absurd before parsing
MAX_NESTING = 8                   # arrays / inline tables inside each other (a level needs 2)
MAX_KEY_PARTS = 8                 # parts of a dotted key or table name (a level needs 2 at most)
MAX_DIGITS = 64                   # digits of one number (an integer of thousands is refused by Python)
MAX_ABS = 1e6                     # no coordinate or parameter beyond this
MIN_POSITIVE = 1e-6               # widths, radii and scales below this are mistakes, not features
MAX_COMPONENTS = 16               # [[terrain]] tables (the campaign uses at most 4)
MAX_HINT_ORDERS = 8               # hint_orders tables (a hint names one or two settings)
MAX_NETWORKS = 1                  # loss_landscape components: each trains a network while loading
NETWORK_LIMITS = {"hidden": (1, 32), "samples": (2, 500), "train_steps": (1, 5000)}   # [low, high]
NETWORK_SIZE = 2000               # hidden x samples: the cost of one loss evaluation (the campaign: 400)
TEXT_LIMITS = {"title": 60, "lesson": 200, "briefing": 2000, "hint": 400}   # characters
ONE_LINE = ("title", "lesson")    # texts shown on one line: no line breaks
CONTROL = ("Cc", "Cs", "Zl", "Zp")   # Unicode categories no text may hold: controls, surrogates, line breaks

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
            "hint", "hint_when", "hint_orders", "spawn", "orders", "stars", "terrain", "procedural",
            "supply", "needs"}
# why a run was lost, as a level's ``hint_when`` names it: most units flew off the map, settled in a
# local minimum, stalled on flat ground, or were still descending when the steps ran out; or the
# supply ran out first
LOSS_CAUSES = ("diverged", "trapped", "stalled", "slow", "supply")
SPAWN_KEYS = {"center", "radius"}
ORDER_KEYS = {"allowed", "optimizer", "lr", "lr_range", "momentum", "momentum_range", "schedules"}
STAR_KEYS = {"steps", "units_lost", "supply"}
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
                close = difflib.get_close_matches(key[:100], sorted(allowed), n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                self.fail(f"{where}{key_text(key)}", f"unknown key{hint}")

    def number(self, value, where: str, positive=False, low=None, high=None) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(where, f"expected a number, got {type(value).__name__} {quoted(value)}")
        v = float(value)
        if not math.isfinite(v):
            self.fail(where, f"expected a finite number, got {v}")
        if abs(v) > MAX_ABS:
            self.fail(where, f"{v:g} is too large (limit {MAX_ABS:g})")
        if positive and not v >= MIN_POSITIVE:
            self.fail(where, f"expected a number > 0 (at least {MIN_POSITIVE:g}), got {v:g}")
        if low is not None and v < low:
            self.fail(where, f"expected a number >= {low:g}, got {v:g}")
        if high is not None and v > high:
            self.fail(where, f"expected a number <= {high:g}, got {v:g}")
        return v

    def integer(self, value, where: str, low=0, high=MAX_ABS) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(where, f"expected an integer, got {type(value).__name__} {quoted(value)}")
        if not low <= value <= high:
            self.fail(where, f"expected an integer in [{low}, {high:g}], got {quoted(value, 24)}")
        return value

    def text(self, value, where: str, limit: int = 100) -> str:
        """A short name (an optimizer, a data set...): a string of at most ``limit`` characters on one line."""
        if not isinstance(value, str):
            self.fail(where, f"expected a string, got {type(value).__name__} {quoted(value)}")
        if len(value) > limit:
            self.fail(where, f"a text of {len(value):,} characters; at most {limit:,}")
        if any(unicodedata.category(c) in CONTROL for c in value):
            self.fail(where, f"{quoted(value)} holds a line break or a control character")
        return value.strip()

    def prose(self, value, where: str) -> str:
        """A title, lesson, briefing or hint: its words separated by single spaces, at most
        TEXT_LIMITS[where] characters, no control characters (titles and lessons: no line breaks)."""
        if isinstance(value, str) and where not in ONE_LINE:
            value = " ".join(value.split())
        return " ".join(self.text(value, where, TEXT_LIMITS[where]).split())

    def pair(self, value, where: str, kind=F) -> tuple:
        if not isinstance(value, (list, tuple)) or len(value) != 2:
            self.fail(where, f"expected a list of two numbers, got {quoted(value)}")
        return tuple(self.number(v, f"{where}[{i}]", positive=(kind == POS)) for i, v in enumerate(value))

    def value(self, value, where: str, kind) -> object:
        if kind == TEXT:
            return self.text(value, where)
        if kind == INT:
            return self.integer(value, where)
        return self.pair(value, where) if kind == POINT else self.number(value, where, positive=(kind == POS))


def key_text(key: str) -> str:
    """A TOML key as an error message shows it: bare if it is a short plain name, else quoted."""
    return key if len(key) <= 40 and re.fullmatch(r"[A-Za-z0-9_-]+", key) else quoted(key)


def _check_network(r: Reader, args: dict, where: str):
    """A loss_landscape's network and its training run within NETWORK_LIMITS and NETWORK_SIZE."""
    for key, (low, high) in NETWORK_LIMITS.items():
        if not low <= args[key] <= high:
            r.fail(f"{where}.{key}", f"expected an integer in [{low}, {high}], got {args[key]}")
    if args["hidden"] * args["samples"] > NETWORK_SIZE:
        r.fail(f"{where}.hidden", f"hidden x samples is {args['hidden'] * args['samples']:,}; at most "
                                  f"{NETWORK_SIZE:,} (each loss evaluation runs every sample through every unit)")


def component(r: Reader, table, where: str) -> T.Field:
    """One [[terrain]] entry -> a Field, with its optional transform applied."""
    if not isinstance(table, dict):
        r.fail(where, f"expected a table, got {type(table).__name__}")
    kind = table.get("type")
    if not isinstance(kind, str):
        r.fail(f"{where}.type", f"expected a terrain type name, got {quoted(kind)}")
    if kind not in COMPONENTS:
        close = difflib.get_close_matches(kind[:100], sorted(COMPONENTS), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else f"; choose from {', '.join(sorted(COMPONENTS))}"
        r.fail(f"{where}.type", f"unknown terrain type {quoted(kind)}{hint}")
    make, params = COMPONENTS[kind]
    r.check_keys(table, {"type"} | set(params) | set(TRANSFORM_KEYS), f"{where}.")
    args = {k: r.value(table.get(k, d), f"{where}.{k}", kd) for k, (kd, d) in params.items()}
    if kind == "loss_landscape":
        _check_network(r, args, where)
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


# the tokens of a TOML text that matter for its shape; strings and comments are matched whole so
# that what they hold is skipped (each alternative starts with a different character: linear time)
_TOKENS = re.compile(r'''
    (?P<string> """(?:\\[\s\S]|[^\\"]|"{1,2}(?!"))*"{3,5}    # multi-line basic
              | \'\'\'(?:[^\']|\'{1,2}(?!\'))*\'{3,5}          # multi-line literal
              | "(?:[^"\\\n]|\\.)*"  | \'[^\'\n]*\' )         # basic, literal
  | (?P<comment> \#[^\n]* )
  | (?P<open> [\[{] ) | (?P<close> [\]}] ) | (?P<sep> [=,\n] ) | (?P<dot> \. )
  | (?P<digits> [0-9_]{%d,} )
''' % (MAX_DIGITS + 1), re.VERBOSE)


def check_shape(text: str, source: str):
    """Refuse, before parsing, a TOML text nested deeper than MAX_NESTING, with a key of more than
    MAX_KEY_PARTS parts or a number of more than MAX_DIGITS digits. Invalid TOML is left to the parser."""
    depth = dots = 0
    line = 1
    for m in _TOKENS.finditer(text):
        kind = m.lastgroup
        if kind == "open":
            depth, dots = depth + 1, 0
            if depth > MAX_NESTING:
                raise LevelError(f"{source}: line {line}: arrays or tables nested too deeply (more than {MAX_NESTING})")
        elif kind == "close":
            depth, dots = max(depth - 1, 0), 0
        elif kind == "sep":
            dots = 0
            line += m.group() == "\n"
        elif kind == "dot":
            dots += 1
            if dots >= MAX_KEY_PARTS:
                raise LevelError(f"{source}: line {line}: a dotted key of more than {MAX_KEY_PARTS} parts")
        elif kind == "digits":
            raise LevelError(f"{source}: line {line}: a number of more than {MAX_DIGITS} digits")
        elif kind == "string":
            line += m.group().count("\n")


def parse_toml(text: str, source: str) -> dict:
    """The TOML table in ``text`` (a level file's contents), or a LevelError naming ``source``."""
    if len(text) > MAX_FILE_BYTES:
        raise LevelError(f"{source}: {len(text):,} characters; a level may have at most {MAX_FILE_BYTES:,}")
    check_shape(text, source)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise LevelError(f"{source}: TOML syntax error: {err}") from None
    except (RecursionError, ValueError) as err:
        raise LevelError(f"{source}: TOML the reader cannot take: {str(err)[:100]}") from None


def read_level_text(path: Path) -> str:
    """The text of the level file at ``path`` (a regular file of at most MAX_FILE_BYTES, UTF-8),
    or a LevelError naming what is wrong with the file."""
    try:
        data = read_regular(path, MAX_FILE_BYTES)
    except UnreadableFile as err:
        raise LevelError(f"{quoted_path(path)}: {err}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise LevelError(f"{quoted_path(path)}: not UTF-8 text (byte {err.start})") from None


def quoted_path(path) -> str:
    """A path as an error message shows it: as written if it is short and printable, else quoted."""
    text = str(path)
    return text if len(text) <= 200 and text.isprintable() else quoted(text, 60)


def hint_when(r: Reader, data: dict) -> tuple:
    """The causes of a loss (LOSS_CAUSES) after which the level's ``hint`` is shown, from the list
    ``hint_when``; left out, the hint answers every cause."""
    if "hint_when" not in data:
        return LOSS_CAUSES
    value = data["hint_when"]
    if not data.get("hint"):
        r.fail("hint_when", "given without a hint")
    if not isinstance(value, list) or not value:
        r.fail("hint_when", f"expected a list of causes ({', '.join(LOSS_CAUSES)}), got {quoted(value)}")
    for i, cause in enumerate(value):
        if cause not in LOSS_CAUSES:
            close = difflib.get_close_matches(str(cause)[:100], LOSS_CAUSES, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else f"; choose from {', '.join(LOSS_CAUSES)}"
            r.fail(f"hint_when[{i}]", f"unknown cause {quoted(cause)}{hint}")
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
        r.fail("hint_orders", f"expected a list of {{optimizer, lr, momentum}} tables, got {quoted(value)}")
    if len(value) > MAX_HINT_ORDERS:
        r.fail("hint_orders", f"{len(value)} settings; a hint names at most {MAX_HINT_ORDERS}")
    out = []
    for i, table in enumerate(value):
        where = f"hint_orders[{i}]"
        r.check_keys(table, HINT_ORDER_KEYS, where + ".")
        name = table.get("optimizer")
        if name not in allowed:
            r.fail(f"{where}.optimizer", f"expected one of orders.allowed {list(allowed)}, got {quoted(name)}")
        if "lr" not in table:
            r.fail(f"{where}.lr", "missing")
        lr = r.number(table["lr"], f"{where}.lr", low=lr_range[0], high=lr_range[1])
        mu = table.get("momentum")
        if mu is not None:
            mu = r.number(mu, f"{where}.momentum", low=momentum_range[0], high=momentum_range[1])
        out.append((name, lr, mu))
    return tuple(out)
