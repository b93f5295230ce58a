"""What the command-line front ends share: a one-line usage error, reading a number from a flag's
text (for the commands that check their own flags), and whether a window can open at all.

Nothing here imports pygame or numpy, so ``python main.py --help`` stays instant.
"""
from __future__ import annotations

import math
import os
import sys

NO_DISPLAY = ("error: no display to open a window on; without one try 'python main.py simulate LEVEL', "
              "'python main.py tui LEVEL' or 'python main.py record LEVEL --out descent.mp4'")


class UsageError(Exception):
    """Bad input from the command line: printed as one line, exit status 2."""


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
        raise error(f"{flag}: expected {'a whole number' if kind is int else 'a number'}, got {text!r}") from None
    if not math.isfinite(v):
        raise error(f"{flag}: expected a finite number, got {text}")
    if not low <= v <= high:
        span = f"{low:g} to {high:g}" if kind is float else f"{low} to {high}"
        raise error(f"{flag}: expected a value from {span}, got {text}{hint}")
    return v


def window_size(text: str, sides: tuple) -> tuple:
    """--size WxH [px], each side within ``sides`` (lowest, highest)."""
    w, _, h = text.lower().partition("x")
    lo, hi = sides
    return number(w, "--size width", int, lo, hi), number(h, "--size height", int, lo, hi)
