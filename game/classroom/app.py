"""Classroom mode's window: the shared app loop (``game.app``) with one scene, the classroom.

    app = open_classroom(level, race=["sgd", "adam"])      # raises pygame.error without a display
    run_classroom(app, exit_after=60)

At 1920x1080 (or the screen, if smaller) in a window; without a display (SDL's dummy driver) at
1280x720 on a fixed clock, so a run is the same frames every time.
"""
from __future__ import annotations

import os
import time

import pygame

import sim
from game.app import App

from .classroom import Classroom

HEADLESS_FPS = 30             # frames per second of the fixed clock without a display


class ClassroomApp(App):
    """The shared app loop with a Classroom as its only scene."""

    scene_types = {"classroom": Classroom}

    def __init__(self, level: sim.Level, race=None, autoplay=False, scale=1.0, view="relief", **app_options):
        self._classroom = (level, race, autoplay, scale, view)
        super().__init__(**app_options)

    def start(self):
        level, race, autoplay, scale, view = self._classroom
        self.open("classroom", level, race=race, autoplay=autoplay, scale=scale, view=view)


def default_size(headless: bool) -> tuple:
    """1920x1080, or the desktop if it is smaller; 1280x720 without a display."""
    if headless:
        return (1280, 720)
    pygame.display.init()
    desktops = pygame.display.get_desktop_sizes()
    w, h = desktops[0] if desktops else (1920, 1080)
    return (min(1920, w), min(1080, h))


def open_classroom(level: sim.Level, race=None, autoplay=False, scale=1.0, size=None,
                   fullscreen=False, view="relief") -> ClassroomApp:
    """The classroom window (raises pygame.error when no window can open). Without a display
    (SDL's dummy driver) the clock is fixed: every frame lasts 1 / HEADLESS_FPS s."""
    headless = os.environ.get("SDL_VIDEODRIVER") in ("dummy", "offscreen")
    return ClassroomApp(level, race, autoplay, scale, view, size=size or default_size(headless),
                        fixed_dt=1 / HEADLESS_FPS if headless else None, fullscreen=fullscreen)


def run_classroom(app: ClassroomApp, exit_after: float | None = None) -> int:
    """Run until the window closes, or for ``exit_after`` seconds: wall clock in a window, frames
    x dt on the fixed clock. Returns the exit status (0)."""
    start = time.monotonic()
    try:
        while app.running:
            app.frame()
            elapsed = app.frames * app.fixed_dt if app.fixed_dt else time.monotonic() - start
            if exit_after is not None and elapsed >= exit_after:
                break
    finally:
        pygame.quit()
    return 0
