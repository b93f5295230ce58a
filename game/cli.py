"""What the command-line front ends share: a one-line usage error, reading a number from a flag's
text (for the commands that check their own flags), and whether a window can open at all.

Nothing here imports pygame or numpy, so ``python main.py --help`` stays instant.
"""
from __future__ import annotations

import math
import os
import sys
from pathlib import Path

NO_DISPLAY = ("error: no display to open a window on; without one try 'python main.py simulate LEVEL', "
              "'python main.py tui LEVEL' or 'python main.py record LEVEL --out descent.mp4'")


MESSAGE_CHARS = 400        # an error message is cut to this many characters


class UsageError(Exception):
    """Bad input from the command line: printed as one line, exit status 2."""


def quoted(value) -> str:
    """A bad value as an error message repeats it: its repr, cut to a few dozen characters."""
    from sim.files import quoted as cut      # here, so numpy (under sim) loads only to report an error
    return cut(value)


def shown(text: str) -> str:
    """A flag's text (a file name) as a message shows it: as typed if short and printable, else quoted."""
    return text if len(text) <= 120 and text.isprintable() else quoted(text)


def one_line(message: str) -> str:
    """``message`` as one printable line: control characters escaped, at most MESSAGE_CHARS characters."""
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(message)[:MESSAGE_CHARS * 2])
    return text if len(text) <= MESSAGE_CHARS else text[:MESSAGE_CHARS] + "..."


def path_flag(text: str, flag: str, error=UsageError) -> Path:
    """A file or folder name given to ``flag``, if the system can take it: printable, not too long,
    its folders searchable. It need not exist."""
    if not str(text).isprintable():
        raise error(f"{flag} {quoted(text)}: a file name with a control character")
    try:
        os.lstat(text)
    except FileNotFoundError:
        pass
    except OSError as err:
        raise error(f"{flag} {shown(text)}: {err.strerror or err}") from None
    except ValueError:
        raise error(f"{flag} {quoted(text)}: not a file name the system can take") from None
    return Path(text)


def range_note(level, flag: str, value) -> str | None:
    """The note for a --lr or --momentum ``value`` outside the level's own range (it is taken, and
    said on one line of stderr); None when it is inside or not given."""
    low, high = level.lr_range if flag == "--lr" else level.momentum_range
    if value is None or low <= value <= high:
        return None
    return f"note: {flag} {value:g} is outside {level.id}'s range [{low:g}, {high:g}]; running it anyway"


def display_available() -> bool:
    """False on Linux when there is no X11 or Wayland display and SDL was not told what to use."""
    if not sys.platform.startswith("linux") or os.environ.get("SDL_VIDEODRIVER"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def number(text, flag: str, kind, low, high, error=UsageError, hint: str = ""):
    """The number (``kind`` int or float) a flag's text holds, within [low, high]; otherwise
    ``error`` with a one-line message naming the flag and what is wrong."""
    try:
        v = kind(str(text).strip())
    except ValueError:
        raise error(f"{flag}: expected {'a whole number' if kind is int else 'a number'}, got {quoted(text)}") from None
    if kind is float and not math.isfinite(v):
        raise error(f"{flag}: expected a finite number, got {shown(str(text).strip())}")
    if not low <= v <= high:
        span = f"{low:g} to {high:g}" if kind is float else f"{low} to {high}"
        raise error(f"{flag}: expected a value from {span}, got {shown(str(text).strip())}{hint}")
    return v


def race_names(text: str, known, most: int, error=UsageError) -> list:
    """--race: optimizer names from ``known``, comma-separated, each once, at most ``most``."""
    names = [n.strip().lower() for n in str(text).split(",") if n.strip()]
    if not names:
        raise error(f"--race {quoted(text)}: expected optimizer names separated by commas, e.g. sgd,momentum,adam")
    if len(names) > most:
        raise error(f"--race: at most {most} squads, got {len(names)}")
    for name in names:
        if name not in known:
            raise error(f"--race: unknown optimizer {quoted(name)}; choose from {', '.join(known)}")
        if names.count(name) > 1:
            raise error(f"--race: {name} is listed twice; each optimizer races once")
    return names


def window_size(text: str, sides: tuple) -> tuple:
    """--size WxH [px], each side within ``sides`` (lowest, highest)."""
    w, _, h = text.lower().partition("x")
    lo, hi = sides
    return number(w, "--size width", int, lo, hi), number(h, "--size height", int, lo, hi)
