"""The campaign's measured difficulty (sim/solver.py), kept in ``levels/difficulty.json``.

Measuring a level that needs plans takes seconds, so the results are data: one entry per campaign
level, stamped with a fingerprint of the level file and of the solver (SOLVER_VERSION). An entry
whose stamp no longer matches is measured afresh when asked for (and kept in memory); the file is
written only by ``python -m sim.difficulty``, after a level or the solver changes::

    python -m sim.difficulty            # measure every campaign level, rewrite levels/difficulty.json
"""
from __future__ import annotations

import hashlib
import json
import sys
from functools import lru_cache
from pathlib import Path

from .files import write_json_atomic
from .levels import LEVELS_DIR, campaign, level_path, load_level
from .solver import solve

TABLE = LEVELS_DIR / "difficulty.json"
SOLVER_VERSION = 2          # bump when the solver's grids or rules change: every entry is then stale
_MEASURED: dict = {}        # entries measured in this process, by stamp


def stamp(name: str) -> str:
    """A fingerprint of the level file's bytes and the solver's version."""
    data = Path(level_path(name)).read_bytes()
    return hashlib.sha256(data + f"solver {SOLVER_VERSION}".encode()).hexdigest()[:16]


def load_table(path: Path = TABLE) -> dict:
    """The stored entries by level name ({} if the file is missing or unreadable)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data.get("levels", {}) if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def difficulty(name: str, table: dict | None = None) -> dict:
    """A campaign level's measured difficulty: the stored entry if its stamp matches, else measured now."""
    table = load_table() if table is None else table
    key = stamp(name)
    entry = table.get(name)
    if entry and entry.get("stamp") == key:
        return entry
    if key not in _MEASURED:
        _MEASURED[key] = {"stamp": key, **solve(load_level(name)).to_dict()}
    return _MEASURED[key]


@lru_cache(maxsize=64)
def stored_best(name: str) -> dict | None:
    """The best plan kept in the table for a level (see sim/solver.py ``Plan.to_dict``), if the
    table's entry was measured from the level file as it is now; None for any other level, or an
    entry that is not a plan. Read once per level and process."""
    if name not in campaign():
        return None
    entry = load_table().get(name)
    try:
        best = entry.get("best") if isinstance(entry, dict) and entry.get("stamp") == stamp(name) else None
    except OSError:                               # the level file went away since it was loaded
        return None
    keys = ("kind", "orders", "at", "then", "schedule", "steps")
    return best if isinstance(best, dict) and all(k in best for k in keys) else None


def summary(entry: dict) -> str:
    """A few words for ``main.py levels``: the share of the orders box, or of the plans, that wins."""
    if entry.get("plan_share") is None:
        return f"box {100 * entry['box_share']:.1f}%"
    return f"plans {100 * entry['plan_share']:.1f}%"


def write_table(names=None, path: Path = TABLE) -> dict:
    """Measure the levels (default: the campaign) and write the table; returns it."""
    names = campaign() if names is None else names
    table = {name: difficulty(name, {}) for name in names}
    write_json_atomic(path, {"solver_version": SOLVER_VERSION, "levels": table})
    return table


if __name__ == "__main__":
    for name, entry in write_table().items():
        print(f"{name:<20} {summary(entry)}", file=sys.stderr)
