"""Replays: a run as the commands that made it, small enough to share and exact enough to repeat.

A replay file is JSON::

    {"version": 1, "level": "01-bowl", "seed": 1, "units": 12, "steps": 17,
     "timeline": [[0, "assign", [0, 1, 2, 3], 1],
                  [0, "set_orders", 0, "sgd", 0.5, 0.0],
                  [9, "set_orders", 1, "sgd", 0.2, 0.0]]}

Each timeline entry is ``[step, command, args...]`` where the command is a ``World`` call:
``assign(units, squad)`` or ``set_orders(squad, optimizer, lr, momentum)``. ``step`` is the
world's step count when the command was given, so replaying applies it just before step
``step + 1`` is taken -- exactly where the player gave it. The world is seeded, and JSON keeps
every float exactly (Python writes the shortest repr that reads back to the same double), so a
replay reproduces the run bit for bit.

A ``Recorder`` stands between the player and the world: the game sends its commands through it.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from .files import write_json_atomic
from .levels import MAX_BUDGET, MAX_UNITS, level_path, load_level
from .optim import OPTIMIZERS
from .world import MAX_SQUADS, World

VERSION = 1
MAX_REPLAY_BYTES = 5_000_000


class ReplayError(ValueError):
    """A replay that cannot be used; ``str(err)`` is one line naming the file and the field."""


def level_ref(level) -> str:
    """How a replay names its level: the campaign name, 'random:...', or the file's path."""
    if level.id.startswith("random:"):
        return level.id
    try:
        if level_path(level.id).resolve() == Path(level.source).resolve():
            return level.id
    except OSError:
        pass
    return level.source


class Recorder:
    """Sends commands to a world and writes them into a timeline."""

    def __init__(self, world: World):
        self.world = world
        self.timeline: list[list] = []

    def assign(self, units, squad: int):
        idx = np.asarray(units)
        idx = np.flatnonzero(idx) if idx.dtype == bool else idx.astype(int)
        self.world.assign(idx, squad)
        self.timeline.append([self.world.step_count, "assign", [int(i) for i in idx], int(squad)])

    def set_orders(self, squad: int, optimizer: str | None = None, lr: float | None = None,
                   momentum: float | None = None):
        """Give a squad new orders. The full orders are recorded; repeated changes to one squad
        within one step (a slider being dragged) collapse into one entry when that gives the same
        world -- i.e. when the optimizer does not change back in between."""
        before = self.world.orders[squad].optimizer
        self.world.set_orders(squad, optimizer, lr, momentum)
        o = self.world.orders[squad]
        entry = [self.world.step_count, "set_orders", int(squad), o.optimizer, float(o.lr), float(o.momentum)]
        last = self.timeline[-1] if self.timeline else None
        if (last and last[:3] == entry[:3] and last[3] == o.optimizer) and before == o.optimizer:
            self.timeline[-1] = entry
        else:
            self.timeline.append(entry)

    def to_dict(self) -> dict:
        w = self.world
        return {"version": VERSION, "level": level_ref(w.level), "seed": w.seed, "units": w.n_units,
                "steps": w.step_count, "timeline": [list(e) for e in self.timeline]}

    def save(self, path) -> Path:
        path = Path(path)
        write_json_atomic(path, self.to_dict())
        return path


# -- reading ---------------------------------------------------------------------------------
def _check_entry(fail, entry, i: int, last_step: int, units: int) -> int:
    where = f"timeline[{i}]"
    if not isinstance(entry, list) or len(entry) < 2:
        fail(where, "expected [step, command, args...]")
    step, command, args = entry[0], entry[1], entry[2:]
    if not _is_int(step) or step < last_step:
        fail(f"{where}[0]", f"expected a step >= {last_step}, got {step!r}")
    if command == "assign":
        if len(args) != 2 or not isinstance(args[0], list) or not _is_int(args[1]):
            fail(where, "assign takes [step, \"assign\", [unit, ...], squad]")
        if not all(_is_int(u) and 0 <= u < units for u in args[0]):
            fail(f"{where}[2]", f"unit indices must be whole numbers in 0..{units - 1}")
        if not 0 <= args[1] < MAX_SQUADS:
            fail(f"{where}[3]", f"squad must be in 0..{MAX_SQUADS - 1}, got {args[1]}")
    elif command == "set_orders":
        if len(args) != 4 or not _is_int(args[0]) or not isinstance(args[1], str):
            fail(where, "set_orders takes [step, \"set_orders\", squad, optimizer, lr, momentum]")
        if args[1] not in OPTIMIZERS:
            fail(f"{where}[3]", f"unknown optimizer {args[1]!r}")
        for j, v in ((4, args[2]), (5, args[3])):
            if not _is_number(v):
                fail(f"{where}[{j}]", f"expected a finite number, got {v!r}")
    else:
        fail(f"{where}[1]", f"unknown command {command!r} (expected 'assign' or 'set_orders')")
    return step


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def parse_replay(data, source: str) -> dict:
    """Check a replay's layout (not yet its level); returns the dict, or raises ReplayError."""
    def fail(where, problem):
        raise ReplayError(f"{source}: {where}: {problem}")

    if not isinstance(data, dict):
        fail("file", "expected a JSON object")
    for key in ("level", "seed", "units", "steps", "timeline"):
        if key not in data:
            fail(key, "missing")
    if not isinstance(data["level"], str) or not data["level"]:
        fail("level", f"expected a level name, got {data['level']!r}")
    for key, low in (("seed", 0), ("units", 1), ("steps", 0)):
        if not _is_int(data[key]) or data[key] < low:
            fail(key, f"expected a whole number >= {low}, got {data[key]!r}")
    if data["steps"] > MAX_BUDGET or data["units"] > MAX_UNITS:
        fail("steps" if data["steps"] > MAX_BUDGET else "units", "too large")
    if not isinstance(data["timeline"], list):
        fail("timeline", "expected a list of [step, command, args...]")
    last = 0
    for i, entry in enumerate(data["timeline"]):
        last = _check_entry(fail, entry, i, last, data["units"])
    return data


def load_replay(path) -> "Replay":
    """Read and check a replay file (its level is loaded too); raises ReplayError / LevelError."""
    path = Path(path)
    source = str(path)
    try:
        if path.stat().st_size > MAX_REPLAY_BYTES:
            raise ReplayError(f"{source}: file is too large for a replay")
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReplayError(f"{source}: file not found") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ReplayError(f"{source}: cannot read: {err}") from None
    except json.JSONDecodeError as err:
        raise ReplayError(f"{source}: not valid JSON: {err}") from None
    return Replay(parse_replay(data, source), source)


class Replay:
    """A checked replay: ``world()`` builds its start, ``apply_due(world)`` gives the orders due."""

    def __init__(self, data: dict, source: str = "replay"):
        self.data = data
        self.source = source
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
                if command == "assign":
                    world.assign(np.asarray(args[0], int), args[1])
                else:
                    squad, optimizer, lr, momentum = args
                    if squad >= world.n_squads:
                        raise ValueError(f"squad {squad} has not been formed yet")
                    world.set_orders(squad, optimizer, lr, momentum)
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
