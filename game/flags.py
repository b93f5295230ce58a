"""Reading a number from a command-line flag's text, for the commands that check their own flags."""
from __future__ import annotations

import math


def number(text, flag: str, kind, low, high, error=ValueError, hint: str = ""):
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
