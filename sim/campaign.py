"""The campaign's chapters: ``levels/campaign.toml``, data read with ``tomllib`` and checked like a
level file (every problem one line naming the file and the field, a ``LevelError``)::

    [[chapter]]
    name = "The stride"                              # at most 60 characters, one line
    theme = "one line: what the chapter is about"    # at most 200 characters
    levels = ["01-bowl", "02-overshoot"]             # level files in levels/, in the order played
    bosses = ["02-overshoot"]                        # one or more of its levels: the hardest

The campaign is the chapters' levels in order (``campaign()``); a level opens once the one before it
is won. Level ids are the files' names and never change: the player's progress is kept by them.
A level belongs to one chapter at most; every boss is one of its chapter's levels. That the shares
of the orders box fall within each chapter, the bosses lowest, is measured (sim/difficulty.py) and
tested, not checked here.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from .files import quoted
from .level_file import LevelError, Reader, parse_toml, quoted_path, read_level_text

LEVELS_DIR = Path(__file__).resolve().parent.parent / "levels"
CAMPAIGN_FILE = LEVELS_DIR / "campaign.toml"
CHAPTER_KEYS = {"name", "theme", "levels", "bosses"}
TEXT_LIMITS = {"name": 60, "theme": 200}      # characters, one line each
MAX_CHAPTERS = 50                             # the campaign has a handful
MAX_CHAPTER_LEVELS = 50
LEVEL_ID = re.compile(r"[A-Za-z0-9_-]{1,100}")  # a level file's name in levels/, without .toml


@dataclass(frozen=True)
class Chapter:
    """A chapter: its ``name``, a one-line ``theme``, its ``levels`` (ids, in the order played) and
    its ``bosses`` (ids among them, the hardest of the chapter)."""
    name: str
    theme: str
    levels: tuple
    bosses: tuple

    def is_boss(self, level_id: str) -> bool:
        return level_id in self.bosses


def parse_chapters(data: dict, source: str, levels_dir: Path = LEVELS_DIR) -> tuple:
    """The checked chapters of a campaign table (``source`` names the file in errors)."""
    r = Reader(source)
    r.check_keys(data, {"chapter"}, "")
    tables = data.get("chapter")
    if not isinstance(tables, list) or not tables:
        r.fail("chapter", "expected one or more [[chapter]] tables")
    if len(tables) > MAX_CHAPTERS:
        r.fail("chapter", f"{len(tables):,} chapters; at most {MAX_CHAPTERS}")
    seen: dict = {}
    chapters = []
    for i, table in enumerate(tables):
        where = f"chapter[{i}]"
        r.check_keys(table, CHAPTER_KEYS, where + ".")
        for key in ("name", "theme", "levels", "bosses"):
            if key not in table:
                r.fail(f"{where}.{key}", "missing (every chapter needs it)")
        name, theme = (r.text(table[k], f"{where}.{k}", TEXT_LIMITS[k]) for k in ("name", "theme"))
        if not name:
            r.fail(f"{where}.name", "empty")
        levels = _names(r, table["levels"], f"{where}.levels")
        for k, level in enumerate(levels):
            if level in seen:
                r.fail(f"{where}.levels[{k}]", f"{level} is already in {seen[level]}")
            seen[level] = where
            if not (levels_dir / f"{level}.toml").is_file():
                r.fail(f"{where}.levels[{k}]", f"no level file {level}.toml in {quoted_path(levels_dir)}")
        bosses = _names(r, table["bosses"], f"{where}.bosses")
        for k, boss in enumerate(bosses):
            if boss not in levels:
                r.fail(f"{where}.bosses[{k}]", f"{boss} is not one of the chapter's levels")
        chapters.append(Chapter(name, theme, tuple(levels), tuple(dict.fromkeys(bosses))))
    return tuple(chapters)


def _names(r: Reader, value, where: str) -> list:
    """A non-empty list of level ids (file names in levels/ without .toml)."""
    if not isinstance(value, list) or not value:
        r.fail(where, f"expected a list of level names, got {quoted(value)}")
    if len(value) > MAX_CHAPTER_LEVELS:
        r.fail(where, f"{len(value):,} levels; a chapter may have at most {MAX_CHAPTER_LEVELS}")
    for k, name in enumerate(value):
        if not isinstance(name, str) or not LEVEL_ID.fullmatch(name):
            r.fail(f"{where}[{k}]", f"expected a level name such as '01-bowl', got {quoted(name)}")
    return list(value)


_CACHE: dict = {}           # (path, modification time, size) -> chapters


def chapters(path: Path = CAMPAIGN_FILE) -> tuple:
    """The campaign's chapters, in order (read again whenever the file changes)."""
    try:
        st = os.stat(path)
        key = (str(path), st.st_mtime_ns, st.st_size)
    except OSError:
        key = None
    if key is None or key not in _CACHE:
        text = read_level_text(path)
        found = parse_chapters(parse_toml(text, quoted_path(path)), quoted_path(path), Path(path).parent)
        if key is None:
            return found
        _CACHE.clear()
        _CACHE[key] = found
    return _CACHE[key]


def campaign(path: Path = CAMPAIGN_FILE) -> list[str]:
    """The campaign's level ids, in the order they are played: the chapters' levels, in order."""
    return [level for chapter in chapters(path) for level in chapter.levels]


def chapter_of(level_id: str, path: Path = CAMPAIGN_FILE) -> Chapter | None:
    """The chapter a campaign level belongs to (None for any other level)."""
    return next((c for c in chapters(path) if level_id in c.levels), None)


__all__ = ["Chapter", "LevelError", "CAMPAIGN_FILE", "chapters", "campaign", "chapter_of", "parse_chapters"]
