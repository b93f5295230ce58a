"""Save data: the best result on each level, kept as JSON in the player's data folder.

The file is ``progress.json`` in ``platformdirs.user_data_dir("valley-command")``, or in the
folder named by the environment variable ``VALLEY_COMMAND_DATA`` (the tests use a temporary one)::

    {"version": 1,
     "levels": {"01-bowl": {"stars": 3, "steps": 14, "units_lost": 0}}}

Only won levels are listed; a level's entry keeps its best run (more stars, then fewer steps,
then fewer units lost). Every save is atomic: the data goes to a temporary file in the same
folder, which then replaces ``progress.json`` in one ``os.replace``, so a crash mid-write never
leaves a half-written file. A file that cannot be read back -- whatever it holds, or if it is not
a regular file at all (a device, a pipe) -- is renamed ``progress.json.corrupt-<timestamp>`` and
progress starts afresh; ``Progress.message`` then says so, for the game to show. A file is read
only if it is a regular file of at most MAX_SAVE_BYTES. A save folder that cannot be looked into
(no permission) leaves progress empty and unsaved, and the message says so.
"""
from __future__ import annotations

import os
from pathlib import Path

from sim.files import read_save, write_json_atomic

ENV_VAR = "VALLEY_COMMAND_DATA"
APP_NAME = "valley-command"
FILE_NAME = "progress.json"
VERSION = 1
MAX_SAVE_BYTES = 1_000_000      # a save lists a few dozen levels: a few kB
STARS = (1, 3)                  # a won level has 1 to 3 stars
MAX_STEPS = 100_000             # = sim.levels.MAX_BUDGET
MAX_UNITS = 10_000              # = sim.levels.MAX_UNITS


def data_dir(override: str | os.PathLike | None = None) -> Path:
    """Where save data lives: ``override``, else $VALLEY_COMMAND_DATA, else the platform's user data dir."""
    if override is not None:
        return Path(override)
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR])
    import platformdirs
    return Path(platformdirs.user_data_dir(APP_NAME))


FIELDS = {"stars": STARS, "steps": (0, MAX_STEPS), "units_lost": (0, MAX_UNITS)}    # [low, high]


def _check(data):
    """Raise ValueError unless ``data`` is a save of this VERSION whose every entry is valid."""
    levels = data["levels"]
    if data.get("version") != VERSION or not isinstance(levels, dict):
        raise ValueError("unknown layout")
    if not all(isinstance(k, str) and _valid_result(v) for k, v in levels.items()):
        raise ValueError("bad level entry")


def _valid_result(entry) -> bool:
    """A won level's entry: whole numbers of stars (1-3), steps and units lost, each in FIELDS' range."""
    return (isinstance(entry, dict)
            and all(isinstance(entry.get(k), int) and not isinstance(entry.get(k), bool) and lo <= entry[k] <= hi
                    for k, (lo, hi) in FIELDS.items()))


def _rank(result: dict) -> tuple:
    """Sort key of a result: larger is better."""
    return (result["stars"], -result["steps"], -result["units_lost"])


class Progress:
    """The player's best results; ``record()`` saves at once."""

    def __init__(self, folder: str | os.PathLike | None = None):
        self.folder = data_dir(folder)
        self.path = self.folder / FILE_NAME
        self.levels: dict[str, dict] = {}
        self.message = ""           # set when the save file had to be reset
        self._writable = True       # False when an unreadable file could not be moved aside: never overwrite it
        self._load()

    def _load(self):
        data, state, detail = read_save(self.path, MAX_SAVE_BYTES, _check)
        if state == "ok":
            self.levels = {k: {f: v[f] for f in ("stars", "steps", "units_lost")} for k, v in data["levels"].items()}
        elif state == "unreachable":
            self.message = f"Save folder {self.folder} cannot be read ({detail}); progress will not be kept"
        elif state == "moved":
            self.message = f"Save file was unreadable; progress reset (old file kept as {detail})"
        elif state == "stuck":
            self.message = f"Save file was unreadable and cannot be moved aside ({detail}); progress is not saved"
        self._writable = state not in ("unreachable", "stuck")

    # -- queries ---------------------------------------------------------------------------
    def stars(self, level_id: str) -> int:
        return self.levels.get(level_id, {}).get("stars", 0)

    def won(self, level_id: str) -> bool:
        return level_id in self.levels

    def unlocked(self, campaign: list[str], index: int) -> bool:
        """A campaign level is open once the one before it is won (the first is always open), and
        a level won before stays open when the campaign gains a new level in front of it."""
        return index == 0 or self.won(campaign[index - 1]) or self.won(campaign[index])

    # -- updates ---------------------------------------------------------------------------
    def record(self, level_id: str, stars: int, steps: int, units_lost: int) -> bool:
        """Keep a won run if it beats the best so far; save. Returns True if it is a new best."""
        if stars < 1:
            return False
        new = {"stars": int(stars), "steps": int(steps), "units_lost": int(units_lost)}
        old = self.levels.get(level_id)
        if old is not None and _rank(old) >= _rank(new):
            return False
        self.levels[level_id] = new
        self.save()
        return True

    def save(self):
        """Write the file (atomically); OSError when it must not or cannot be written."""
        if not self._writable:
            raise OSError(self.message)
        write_json_atomic(self.path, {"version": VERSION, "levels": self.levels})
