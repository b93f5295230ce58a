"""Autoplay: classroom mode walks through the campaign's lessons with nobody at the keyboard.

For each level: its briefing card for BRIEFING_SECONDS, then a race of every allowed optimizer
with the settings that win it (``race.winning_lineup``), the panel explaining each squad's
rule in turn, the finished race for RESULT_SECONDS, then the next campaign level. While one
lesson runs, the next is prepared on a background thread, so the show never stalls on a sweep.
"""
from __future__ import annotations

import threading

import sim

from .race import race_starts, winning_lineup

RACE_SECONDS = 15.0           # a race runs at least budget / RACE_SECONDS steps per second
BRIEFING_SECONDS = 7.0        # each briefing card shows this long [s]
RESULT_SECONDS = 4.0          # ... and the finished race this long
ROTATE_SECONDS = 5.0          # ... explaining each squad's rule in turn for this long


def next_level_name(level_id: str) -> str:
    """The campaign level after ``level_id`` (the first after the last, or for a level outside it)."""
    names = sim.campaign()
    return names[(names.index(level_id) + 1) % len(names)] if level_id in names else names[0]


class Lesson:
    """A level with its race line-up of winning settings, prepared on a background thread (level
    files, minima and sweeps are pure NumPy), so autoplay moves on without a pause."""

    def __init__(self, name: str):
        self.name, self._result, self._error = name, None, None
        self._thread = threading.Thread(target=self._prepare, daemon=True)
        self._thread.start()

    def _prepare(self):
        try:
            level = sim.load_level(self.name)
            starts = race_starts(level)
            self._result = (level, starts, winning_lineup(level, starts))
        except Exception as err:            # handed to the main thread by get()
            self._error = err

    def get(self) -> tuple:
        """(level, starts, entries), waiting for them if need be."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._result


class Autoplay:
    """Hands-free lessons: the briefing card, then the race, the result, then the next level."""

    def __init__(self):
        self.phase, self.clock, self.rotate = "card", 0.0, 0.0
        self.next = None                    # the next Lesson, prepared while this one runs

    def begin(self, scene):
        """A new level: show its card first, and start preparing the one after it."""
        self.phase, self.clock, self.rotate = "card", 0.0, 0.0
        scene.show_card, scene.paused = True, False
        self.next = Lesson(next_level_name(scene.level.id))

    def update(self, scene, dt: float):
        self.clock += dt
        if self.phase == "card" and (self.clock >= BRIEFING_SECONDS or not scene.show_card):
            self.phase, self.clock = "race", 0.0
            scene.show_card, scene.paused = False, False
        elif self.phase == "race":
            self.rotate += dt
            if self.rotate >= ROTATE_SECONDS and scene.world.n_squads > 1:
                self.rotate = 0.0
                scene.next_squad()
            if scene.over:
                self.phase, self.clock = "result", 0.0
        elif self.phase == "result" and self.clock >= RESULT_SECONDS:
            scene.next_lesson()

    @property
    def progress(self) -> float | None:
        return self.clock / BRIEFING_SECONDS if self.phase == "card" else None
