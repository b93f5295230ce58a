"""Replays: a run as the commands that made it, small enough to share and exact enough to repeat.

A replay file is JSON::

    {"version": 1, "level": "01-bowl", "seed": 1, "units": 12, "steps": 17,
     "timeline": [[0, "assign", [0, 1, 2, 3], 1],
                  [0, "set_orders", 0, "sgd", 0.5, 0.0],
                  [9, "set_orders", 1, "sgd", 0.2, 0.0]]}

``level`` names a campaign level or ``random:SEED[:difficulty]``; a level from a file of one's own
travels inside the replay as its TOML text, ``"level_toml": "..."`` (checked like a level file),
with ``level`` its name. A replay never names a path: a shared replay opens no file on the
machine that plays it. ``seed`` is a whole number from 0 to 2^63 - 1, ``squad`` from 0 to 8; a replay holds at most
MAX_TIMELINE commands and MAX_WORK unit-steps (units x steps), since it is run once to be checked.

Each timeline entry is ``[step, command, args...]`` where the command is a ``World`` call:

    [step, "assign", [unit, ...], squad]
    [step, "set_orders", squad, optimizer, lr, momentum]              (the squad's full orders)
    [step, "set_orders", squad, optimizer, lr, momentum, schedule]    (a schedule given: Schedule.to_dict())
    [step, "hold", squad]        [step, "resume", squad]
    [step, "drop", squad, [x, y], units]  or  [..., units, {"optimizer": ..., "lr": ..., "momentum": ...,
                                                            "schedule": ...}]   (the orders given with it)
    [step, "redeploy", squad, [x, y]]

``step`` is the world's step count when the command was given, so replaying applies it just before
step ``step + 1`` is taken -- exactly where the player gave it. The world is seeded (the drops'
spread too), and JSON keeps every float exactly (Python writes the shortest repr that reads back to
the same double), so a replay reproduces the run bit for bit: positions, supply and the explored
ground. Version 1 files (assign and set_orders only) still load; ``units`` is the world's units at
the start, before any drop.

A ``Recorder`` stands between the player and the world: the game sends its commands through it.
"""
from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np

from .files import UnreadableFile, quoted, read_regular, write_json_atomic
from .level_file import MAX_FILE_BYTES
from .levels import (LEVELS_DIR, MAX_BUDGET, MAX_SEED, MAX_UNITS, LevelError, campaign, level_from_text, load_level,
                     random_name)
from .optim import OPTIMIZERS
from .schedule import SCHEDULES, as_schedule
from .world import MAX_SQUADS, World

VERSION = 2
VERSIONS = (1, 2)                 # the versions this program reads (1: before holds, drops and schedules)
ORDER_FIELDS = ("optimizer", "lr", "momentum", "schedule")      # the orders a drop may carry
MAX_REPLAY_BYTES = 5_000_000
MAX_NUMBER_DIGITS = 30            # digits of a whole number in a replay (a seed has at most 19)
MAX_NAME = 100                    # characters of the name of a level carried as text
MAX_WORK = 10_000_000             # units x steps of a replay: it is run through once to be checked (~2 s)
MAX_TIMELINE = 20_000             # commands in a replay (a player gives a few per step at most)
LEVEL_NAME = re.compile(r"[A-Za-z0-9_.-]+")     # such a name: no path, no spaces


class ReplayError(ValueError):
    """A replay that cannot be used; ``str(err)`` is one line naming the file and the field."""


def level_fields(level) -> dict:
    """How a replay names its level: {"level": campaign name or 'random:...'}, or for a level read
    from a file outside levels/ its name and text {"level": name, "level_toml": text}."""
    if level.id.startswith("random:"):
        return {"level": level.id}
    try:
        campaign_file = Path(level.source).resolve() == (LEVELS_DIR / f"{level.id}.toml").resolve()
    except (OSError, ValueError):
        campaign_file = False
    if campaign_file and level.id in campaign():
        return {"level": level.id}
    if not level.text:
        raise ValueError(f"level {level.id!r} has no TOML text to put in a replay")
    name = level.id if LEVEL_NAME.fullmatch(level.id) and len(level.id) <= MAX_NAME else "level"
    return {"level": name, "level_toml": level.text}


class Recorder:
    """Sends commands to a world and writes them into a timeline."""

    def __init__(self, world: World):
        self.world = world
        self.units = world.n_units           # the world's units at the start (drops add more)
        self.timeline: list[list] = []

    def _note(self, *entry):
        self.timeline.append([self.world.step_count, *entry])

    def assign(self, units, squad: int):
        idx = np.asarray(units)
        idx = np.flatnonzero(idx) if idx.dtype == bool else idx.astype(int)
        self.world.assign(idx, squad)
        self._note("assign", [int(i) for i in idx], int(squad))

    def set_orders(self, squad: int, optimizer: str | None = None, lr: float | None = None,
                   momentum: float | None = None, schedule=None):
        """Give a squad new orders. The full orders are recorded (with the schedule, when one is
        given); repeated changes to one squad within one step (a slider being dragged) collapse
        into one entry when that gives the same world -- when the optimizer does not change back in
        between and neither carries a schedule."""
        before = self.world.orders[squad].optimizer
        self.world.set_orders(squad, optimizer, lr, momentum, schedule)
        o = self.world.orders[squad]
        entry = [self.world.step_count, "set_orders", int(squad), o.optimizer, float(o.lr), float(o.momentum)]
        if schedule is not None:
            entry.append(o.schedule.to_dict())
        last = self.timeline[-1] if self.timeline else None
        if (last and len(last) == len(entry) == 6 and last[:3] == entry[:3] and last[3] == o.optimizer
                and before == o.optimizer):
            self.timeline[-1] = entry
        else:
            self.timeline.append(entry)

    def hold(self, squad: int):
        self.world.hold(squad)
        self._note("hold", int(squad))

    def resume(self, squad: int):
        self.world.resume(squad)
        self._note("resume", int(squad))

    def drop(self, squad: int, center, units: int = 1, **orders) -> list[int]:
        """Land fresh units (``World.drop``; ``orders``: optimizer, lr, momentum, schedule); returns their numbers."""
        landed = self.world.drop(squad, center, units, **orders)
        entry = ["drop", int(squad), [float(c) for c in np.asarray(center, float).reshape(2)], int(units)]
        given = {k: v for k, v in orders.items() if v is not None}
        if "schedule" in given:
            given["schedule"] = as_schedule(given["schedule"]).to_dict()
        self._note(*entry, *([given] if given else []))
        return landed

    def redeploy(self, squad: int, center) -> list[int]:
        """Lift a squad's trapped (or held) units to ``center`` (``World.redeploy``); returns their numbers."""
        landed = self.world.redeploy(squad, center)
        self._note("redeploy", int(squad), [float(c) for c in np.asarray(center, float).reshape(2)])
        return landed

    def to_dict(self) -> dict:
        w = self.world
        return {"version": VERSION, **level_fields(w.level), "seed": w.seed, "units": self.units,
                "steps": w.step_count, "timeline": [list(e) for e in self.timeline]}

    def save(self, path) -> Path:
        path = Path(path)
        write_json_atomic(path, self.to_dict())
        return path


# -- reading ---------------------------------------------------------------------------------
COMMANDS = {"assign": 'assign takes [step, "assign", [unit, ...], squad]',
            "set_orders": 'set_orders takes [step, "set_orders", squad, optimizer, lr, momentum(, schedule)]',
            "hold": 'hold takes [step, "hold", squad]', "resume": 'resume takes [step, "resume", squad]',
            "drop": 'drop takes [step, "drop", squad, [x, y], units(, {orders})]',
            "redeploy": 'redeploy takes [step, "redeploy", squad, [x, y]]'}
ARITY = {"assign": (2,), "set_orders": (4, 5), "hold": (1,), "resume": (1,), "drop": (3, 4), "redeploy": (2,)}


def _check_entry(fail, entry, i: int, last_step: int, units: int) -> tuple[int, int]:
    """Check one timeline entry; returns its step and the world's units after it (a drop adds some)."""
    where = f"timeline[{i}]"
    if not isinstance(entry, list) or len(entry) < 2:
        fail(where, "expected [step, command, args...]")
    step, command, args = entry[0], entry[1], entry[2:]
    if not _is_int(step) or not last_step <= step <= MAX_BUDGET:
        fail(f"{where}[0]", f"expected a step from {last_step} to {MAX_BUDGET}, got {quoted(step)}")
    if not isinstance(command, str) or command not in COMMANDS:
        fail(f"{where}[1]", f"unknown command {quoted(command)} (expected {', '.join(map(repr, COMMANDS))})")
    if len(args) not in ARITY[command] or not _is_int(args[1] if command == "assign" else args[0]):
        fail(where, COMMANDS[command])
    squad = args[1] if command == "assign" else args[0]
    if not 0 <= squad < MAX_SQUADS:
        fail(f"{where}[{3 if command == 'assign' else 2}]", f"squad must be in 0..{MAX_SQUADS - 1}, got {squad}")
    if command == "assign":
        if not isinstance(args[0], list) or not all(_is_int(u) and 0 <= u < units for u in args[0]):
            fail(f"{where}[2]", f"unit indices must be whole numbers in 0..{units - 1}")
    elif command == "set_orders":
        _check_orders(fail, where, dict(zip(ORDER_FIELDS, args[1:])), {"optimizer": 3, "lr": 4, "momentum": 5,
                                                                        "schedule": 6})
    elif command in ("drop", "redeploy"):
        if not isinstance(args[1], list) or len(args[1]) != 2 or not all(_is_number(v) for v in args[1]):
            fail(f"{where}[3]", f"expected a landing centre [x, y] of two finite numbers, got {quoted(args[1])}")
    if command == "drop":
        if not _is_int(args[2]) or not 1 <= args[2] <= MAX_UNITS:
            fail(f"{where}[4]", f"expected a whole number of units from 1 to {MAX_UNITS}, got {quoted(args[2])}")
        orders = args[3] if len(args) == 4 else {}
        if not isinstance(orders, dict) or not set(orders) <= set(ORDER_FIELDS):
            fail(f"{where}[5]", f"expected the drop's orders as {{{', '.join(ORDER_FIELDS)}}}, got {quoted(orders)}")
        _check_orders(fail, f"{where}[5]", orders, {})
        units += args[2]
    return step, units


def _check_orders(fail, where: str, orders: dict, index: dict):
    """An optimizer name, finite lr and momentum, a schedule in its to_dict() form; ``index`` names
    each field's place in the entry (else it is named by its key)."""
    def at(key):
        return f"{where}[{index[key]}]" if key in index else f"{where}.{key}"
    if "optimizer" in orders and orders["optimizer"] not in OPTIMIZERS:
        fail(at("optimizer"), f"unknown optimizer {quoted(orders['optimizer'])}")
    for key in ("lr", "momentum"):
        if key in orders and not _is_number(orders[key]):
            fail(at(key), f"expected a finite number, got {quoted(orders[key])}")
    sched = orders.get("schedule")
    if "schedule" in orders:
        if not isinstance(sched, dict) or sched.get("kind") not in SCHEDULES or not _is_number(sched.get("lr")):
            fail(at("schedule"), f"expected a schedule {{kind: {'|'.join(SCHEDULES)}, lr, ...}}, got {quoted(sched)}")
        try:
            as_schedule(sched)
        except (ValueError, TypeError) as err:
            fail(at("schedule"), str(err)[:200])


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v) -> bool:
    """A finite number that a float holds (an integer too large for a float is not)."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return False
    try:
        return math.isfinite(float(v))
    except OverflowError:
        return False


def parse_replay(data, source: str) -> dict:
    """Check a replay's layout (not yet its level); returns the dict, or raises ReplayError."""
    def fail(where, problem):
        raise ReplayError(f"{source}: {where}: {problem}")

    if not isinstance(data, dict):
        fail("file", "expected a JSON object")
    for key in ("version", "level", "seed", "units", "steps", "timeline"):
        if key not in data:
            fail(key, "missing")
    unknown = sorted(set(data) - {"version", "level", "level_toml", "seed", "units", "steps", "timeline"})
    if unknown:
        fail(quoted(unknown[0]), "unknown key")
    if not _is_int(data["version"]) or data["version"] not in VERSIONS:
        fail("version", f"expected {' or '.join(map(str, VERSIONS))}, got {quoted(data['version'])} "
                        f"(a replay of another version)")
    _check_level(fail, data)
    for key, low, high in (("seed", 0, MAX_SEED), ("units", 1, MAX_UNITS), ("steps", 0, MAX_BUDGET)):
        if not _is_int(data[key]) or not low <= data[key] <= high:
            fail(key, f"expected a whole number from {low} to {high}, got {quoted(data[key])}")
    if data["units"] * data["steps"] > MAX_WORK:
        fail("steps", f"{data['units']:,} units x {data['steps']:,} steps is more than a replay may hold "
                      f"({MAX_WORK:,} unit-steps)")
    if not isinstance(data["timeline"], list) or len(data["timeline"]) > MAX_TIMELINE:
        fail("timeline", f"expected a list of at most {MAX_TIMELINE:,} [step, command, args...]")
    last, units = 0, data["units"]
    for i, entry in enumerate(data["timeline"]):
        last, units = _check_entry(fail, entry, i, last, units)
    if units * data["steps"] > MAX_WORK:
        fail("timeline", f"{units:,} units (with the drops) x {data['steps']:,} steps is more than a replay may "
                         f"hold ({MAX_WORK:,} unit-steps)")
    return data


def _check_level(fail, data: dict):
    """``level``: a campaign level or random:SEED; with ``level_toml`` (the level's own text) a plain
    name. Never a path."""
    name, text = data["level"], data.get("level_toml")
    if not isinstance(name, str) or not name:
        fail("level", f"expected a level name, got {quoted(name)}")
    if text is not None:
        if not isinstance(text, str) or len(text) > MAX_FILE_BYTES:
            fail("level_toml", f"expected the TOML text of a level (at most {MAX_FILE_BYTES:,} characters)")
        if not LEVEL_NAME.fullmatch(name) or len(name) > MAX_NAME:
            fail("level", f"expected a plain name for the level carried in level_toml, got {quoted(name)}")
    elif name.startswith("random:"):
        try:
            random_name(name)
        except LevelError as err:
            fail("level", str(err))
    elif name not in campaign():
        what = "a path: a replay names a campaign level or random:SEED, or carries the level's text" \
            if "/" in name or "\\" in name or name.endswith(".toml") else "no such campaign level"
        fail("level", f"{quoted(name)} is {what}")


def _whole(text: str) -> int:
    """json's reading of a whole number, refusing one of more than MAX_NUMBER_DIGITS digits."""
    if len(text.lstrip("-")) > MAX_NUMBER_DIGITS:
        raise ValueError(f"a number of more than {MAX_NUMBER_DIGITS} digits")
    return int(text)


def _constant(text: str):
    raise ValueError(f"{text} is not a number a replay may hold")


def load_replay(path) -> "Replay":
    """Read and check a replay file (its level is loaded too); raises ReplayError / LevelError.
    Only a regular file of at most MAX_REPLAY_BYTES is read."""
    source = _shown(path)
    try:
        raw = read_regular(path, MAX_REPLAY_BYTES)
    except UnreadableFile as err:
        raise ReplayError(f"{source}: {err}") from None
    try:
        data = json.loads(raw.decode("utf-8"), parse_int=_whole, parse_constant=_constant)
    except UnicodeDecodeError as err:
        raise ReplayError(f"{source}: not UTF-8 text (byte {err.start})") from None
    except RecursionError:
        raise ReplayError(f"{source}: not a replay: arrays or objects nested too deeply") from None
    except ValueError as err:               # JSONDecodeError, and the refusals above
        raise ReplayError(f"{source}: not valid JSON: {str(err)[:100]}") from None
    return Replay(parse_replay(data, source), source)


def _apply(world: World, command: str, args: list):
    """Give one checked timeline command to the world (raises ValueError when the world refuses it)."""
    if command == "assign":
        world.assign(np.asarray(args[0], int), args[1])
    elif command == "set_orders":
        if args[0] >= world.n_squads:
            raise ValueError(f"squad {args[0]} has not been formed yet")
        world.set_orders(*args)
    elif command == "drop":
        world.drop(args[0], args[1], args[2], **(args[3] if len(args) == 4 else {}))
    else:                                   # hold, resume, redeploy
        getattr(world, command)(*args)


def _shown(path) -> str:
    text = str(path)
    return text if len(text) <= 200 and text.isprintable() else quoted(text, 60)


class Replay:
    """A checked replay: ``world()`` builds its start, ``apply_due(world)`` gives the orders due."""

    def __init__(self, data: dict, source: str = "replay"):
        self.data = data
        self.source = source
        if data.get("level_toml") is not None:
            self.level = level_from_text(data["level_toml"], f"{source}: level_toml", data["level"])
        else:
            self.level = load_level(data["level"])
        self.seed, self.units, self.steps = data["seed"], data["units"], data["steps"]
        self.timeline = data["timeline"]
        self._next = 0

    def world(self) -> World:
        self._next = 0
        return World(self.level, seed=self.seed, units=self.units)

    def apply_due(self, world: World):
        """Apply every command given at the world's current step (before the next step is taken)."""
        while self._next < len(self.timeline) and self.timeline[self._next][0] <= world.step_count:
            step, command, *args = self.timeline[self._next]
            where = f"{self.source}: timeline[{self._next}]"
            self._next += 1
            try:
                _apply(world, command, args)
            except (ValueError, IndexError) as err:
                raise ReplayError(f"{where}: {err}") from None

    @property
    def finished(self) -> bool:
        return self._next >= len(self.timeline)

    def play(self) -> World:
        """Run the whole replay without a window; returns the final world."""
        world = self.world()
        while world.step_count < self.steps:
            self.apply_due(world)
            world.step()
        self.apply_due(world)
        return world
