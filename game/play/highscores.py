"""The endless mode's high-score table: the best runs, kept as JSON beside the progress file.

The file is ``highscores.json`` in the same folder as ``progress.json`` (``progress.data_dir``:
``platformdirs.user_data_dir("valley-command")``, or $VALLEY_COMMAND_DATA)::

    {"version": 1,
     "runs": [{"score": 1240, "maps": 5, "date": "2024-05-01", "seed": 7}]}

At most KEEP runs are kept, best first: the higher score, then more maps, then the earlier date.
Saves are atomic (sim/files.py ``write_json_atomic``). A file that cannot be read back -- broken
JSON, a run out of range, not a regular file -- is renamed ``highscores.json.corrupt-<timestamp>``
and the table starts afresh, with ``message`` saying so; it is never crashed on.
"""
from __future__ import annotations

import time

from sim.files import read_save, write_json_atomic

from .progress import data_dir

FILE_NAME = "highscores.json"
VERSION = 1
KEEP = 10                       # runs in the table
MAX_FILE_BYTES = 100_000        # ten runs are a few hundred bytes
FIELDS = {"score": (0, 10**9), "maps": (0, 10**6), "seed": (0, 2**63 - 1)}   # whole numbers [low, high]
DATE_CHARS = 10                 # "YYYY-MM-DD"


def _valid(run) -> bool:
    """A run of the table: whole numbers in FIELDS' ranges and a date of DATE_CHARS characters."""
    return (isinstance(run, dict) and set(run) == {*FIELDS, "date"}
            and all(isinstance(run[k], int) and not isinstance(run[k], bool) and lo <= run[k] <= hi
                    for k, (lo, hi) in FIELDS.items())
            and isinstance(run["date"], str) and len(run["date"]) == DATE_CHARS and run["date"].isprintable())


def _check(data):
    """Raise ValueError unless ``data`` is a table of this VERSION of at most KEEP valid runs."""
    runs = data["runs"]
    if data.get("version") != VERSION or not isinstance(runs, list) or len(runs) > KEEP:
        raise ValueError("unknown layout")
    if not all(_valid(run) for run in runs):
        raise ValueError("bad run")


def _rank(run: dict) -> tuple:
    """Sort key: best first."""
    return (-run["score"], -run["maps"], run["date"])


class HighScores:
    """The table of the best endless runs; ``add()`` saves at once."""

    def __init__(self, folder=None):
        self.folder = data_dir(folder)
        self.path = self.folder / FILE_NAME
        self.runs: list[dict] = []
        self.message = ""           # set when the file had to be moved aside, or cannot be written
        self._writable = True
        self._load()

    def _load(self):
        data, state, detail = read_save(self.path, MAX_FILE_BYTES, _check)
        if state == "ok":
            self.runs = sorted(data["runs"], key=_rank)
        elif state == "unreachable":
            self.message = f"High scores in {self.folder} cannot be read ({detail})"
        elif state == "moved":
            self.message = f"High-score file was unreadable; the table starts afresh (old file kept as {detail})"
        elif state == "stuck":
            self.message = f"High-score file was unreadable and cannot be moved aside ({detail})"
        self._writable = state not in ("unreachable", "stuck")

    def add(self, score: int, maps: int, seed: int, date: str | None = None) -> int | None:
        """Enter a finished run; save. Returns its place in the table (1 = best), or None if it
        did not make the table. OSError when the table cannot be written."""
        run = {"score": int(score), "maps": int(maps), "seed": int(seed), "date": date or time.strftime("%Y-%m-%d")}
        if not _valid(run):
            raise ValueError(f"not a run of the table: {run}")
        runs = sorted(self.runs + [run], key=_rank)[:KEEP]
        if not any(r is run for r in runs):
            return None
        self.runs = runs
        self.save()
        return next(k for k, r in enumerate(runs, 1) if r is run)

    def save(self):
        if not self._writable:
            raise OSError(self.message)
        write_json_atomic(self.path, {"version": VERSION, "runs": self.runs})
