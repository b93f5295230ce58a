"""The demo command: classroom mode in a window.

    python main.py demo 05-saddle --race sgd,momentum,nesterov,adam --scale 1.2 --fullscreen

Every flag is read as text and checked here before a window opens, so every error is one line.
"""
from __future__ import annotations

import os
import sys

import sim
from game.cli import NO_DISPLAY, UsageError, display_available, number, quoted, window_size

WINDOW_SIDES = (400, 8192)        # smallest and largest window side [px]


def race_names(text: str) -> list:
    """--race: optimizer names, comma-separated, each once."""
    names = [n.strip().lower() for n in text.split(",") if n.strip()]
    if not names:
        raise UsageError(f"--race {quoted(text)}: expected optimizer names separated by commas, e.g. sgd,momentum,adam")
    for name in names:
        if name not in sim.OPTIMIZERS:
            raise UsageError(f"--race: unknown optimizer {quoted(name)}; choose from {', '.join(sim.OPTIMIZERS)}")
        if names.count(name) > 1:
            raise UsageError(f"--race: {name} is listed twice; each optimizer races once")
    return names


def run(args) -> int:
    """Check the flags, open the classroom window and run it; returns the exit status."""
    level = sim.load_level(args.level or sim.campaign()[0])
    race = race_names(args.race) if args.race is not None else None
    exit_after = None if args.exit_after is None else number(args.exit_after, "--exit-after", float, 0, 1e6)
    scale = number(args.scale, "--scale", float, 0.5, 2.5)
    size = window_size(args.size, WINDOW_SIDES) if args.size else None
    if not display_available():
        print(NO_DISPLAY, file=sys.stderr)
        return 2
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    import pygame
    from .app import open_classroom, run_classroom
    try:
        app = open_classroom(level, race, args.autoplay, scale, size, args.fullscreen)
    except pygame.error:
        print(NO_DISPLAY, file=sys.stderr)
        return 2
    return run_classroom(app, exit_after)
