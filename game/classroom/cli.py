"""The demo command: classroom mode in a window.

    python main.py demo 05-saddle --race sgd,momentum,nesterov,adam --scale 1.2 --fullscreen

Every flag is read as text and checked here before a window opens, so every error is one line.
"""
from __future__ import annotations

import os
import sys

import sim
from game.cli import NO_DISPLAY, UsageError, display_available, number, window_size
from game.cli import race_names as cli_race_names

WINDOW_SIDES = (400, 8192)        # smallest and largest window side [px]


def race_names(text: str) -> list:
    """--race: optimizer names, comma-separated, each once, at most MAX_SQUADS (game.cli.race_names)."""
    return cli_race_names(text, sim.OPTIMIZERS, sim.world.MAX_SQUADS, UsageError)


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
