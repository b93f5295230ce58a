"""Record a descent as a video, with no window: ``python main.py record LEVEL --out descent.mp4``.

A video (its look is film.py) opens with a title card of about a second -- the level, its
lesson, every squad's orders --, then shows the descent as the game draws it: terrain, trails,
units, a caption with the level and the step, a legend with each squad's orders and units. It
closes with a second on the last step, every minimum revealed and the outcome in a banner. Fog of
war is off unless asked for: a video should show the ground.

Timing: the descent ends early once no unit is still moving (a dry run of the world finds the
step first). Without ``duration`` it lasts at least ``pace`` seconds (MIN_DESCENT) so it can be
followed: one frame per step, or each step held over several frames when there are few steps;
with ``pace`` None, one frame per step however short. A run in which every unit diverges has
nothing to follow: it lasts at least DIVERGED_DESCENT, and its banner says they diverged. With
``duration`` the video lasts that many seconds and the steps are spread evenly over the frames
between the cards (several steps per frame, or one step held over several frames).

Frames go to an MP4 (H.264), a GIF or numbered PNGs (see encoders.py), through the one drawing
path of the game: a pygame Surface drawn by the renderer. The same settings and seed give the same
frames, bit for bit. Ctrl-C stops after the frame being drawn and the file is closed properly:
shorter, but playable; a file the recording was to replace (--force) is left as it was, and the
shorter one kept beside it as NAME.partial.mp4.
"""
from __future__ import annotations

import math
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pygame
from tqdm import tqdm

import sim
from game.view.render import Fog
from sim.world import DESCENDING, DIVERGED, MAX_SQUADS

from . import encoders
from .film import Film

FPS = 30                     # frames per second of video
CARD_SECONDS = 1.0           # the title card and the closing picture each last this long ...
CARD_SHARE = 0.2             # ... or this share of a short --duration
MIN_DESCENT = 6.0            # [s] a descent lasts at least this long unless told otherwise ...
DIVERGED_DESCENT = 1.0       # [s] ... or this long when every unit diverges (the banner says so)


@dataclass(frozen=True)
class Recording:
    """What to record. ``squads`` holds one ``sim.Orders`` per squad; several squads race from the
    same start positions, ``units`` each. A ``replay`` (sim.replay.Replay) brings its own world,
    orders, units and seed instead."""
    level: sim.Level
    squads: tuple = ()
    units: int = 12
    steps: int = 100
    seed: int = 0
    fps: int = FPS
    size: tuple = (1280, 720)             # (width, height) [px]
    duration: float | None = None         # [s] of video; None: one step per frame, at least ``pace`` s
    pace: float | None = MIN_DESCENT      # [s] the shortest descent without a duration; None: no minimum
    fog: bool = False
    replay: object = None
    view: str = "relief"                  # "relief" (the sand table) or "map"
    orbit: float = 0.0                    # [deg] the table turns by over the film (relief only)

    @property
    def race(self) -> bool:
        return len(self.squads) > 1

    def new_world(self) -> sim.World:
        """The world at step 0, orders given."""
        if self.replay is not None:
            world = self.replay.world()
            self.replay.apply_due(world)
            return world
        n, k = self.units, len(self.squads)
        if k == 1:
            world = sim.World(self.level, seed=self.seed, units=n)
        else:                                   # every squad starts where the first would
            start = sim.World(self.level, seed=self.seed, units=n).start
            world = sim.World(self.level, seed=self.seed, units=n * k, spawn=np.tile(start, (k, 1)))
            for s in range(1, k):
                world.assign(np.arange(s * n, (s + 1) * n), s)
        for s, o in enumerate(self.squads):
            world.set_orders(s, o.optimizer, o.lr, o.momentum, schedule=o.schedule)
        return world

    def summary(self) -> str:
        """The title card's last line: units, steps, seed."""
        each = " per squad" if self.race else ""
        source = "replay  \u00b7  " if self.replay is not None else ""
        return f"{source}{self.units} units{each}  \u00b7  {self.steps} steps  \u00b7  seed {self.seed}"


@dataclass(frozen=True)
class Schedule:
    """Which picture each frame shows: ``title`` frames of title card, then one descent frame per
    entry of ``steps`` (the world step it shows), then ``ending`` frames of the closing picture."""
    title: int
    steps: tuple
    ending: int

    @property
    def frames(self) -> int:
        return self.title + len(self.steps) + self.ending


def schedule(steps: int, fps: float, duration: float | None = None, least: float = 0.0) -> Schedule:
    """One frame per step from 0 to ``steps``, each step held over several frames if that lasts
    less than ``least`` seconds; or ``duration`` seconds with the steps spread evenly."""
    card = round(CARD_SECONDS * fps)
    if duration is None:
        n = max(steps + 1, math.ceil(least * fps))
        return Schedule(card, tuple(round(k * steps / max(1, n - 1)) for k in range(n)), card)
    total = max(1, round(duration * fps))
    card = min(card, int(total * CARD_SHARE))
    n = total - 2 * card
    return Schedule(card, tuple(round(k * steps / max(1, n - 1)) for k in range(n)), card)


class Descent:
    """The world being recorded, stepped on demand -- a replay's orders applied on time, the fog
    lifted -- and ``best``: the height of each squad's lowest unit at every step so far (NaN for
    the steps to come), for the legend's chart."""

    def __init__(self, rec: Recording, fog=None):
        self.rec, self.fog, self.world = rec, fog, rec.new_world()
        self.best = np.full((MAX_SQUADS, rec.steps + 1), np.nan)
        self._note()

    def _note(self):
        """Lift the fog where the units stand; note each squad's lowest height at this step."""
        w = self.world
        if self.fog is not None:
            self.fog.reveal(w.positions)
        for s in range(w.n_squads):
            members = w.squad == s
            if members.any():
                self.best[s, w.step_count] = w.heights[members].min()

    def advance(self, step: int):
        """Step up to ``step``, unless every unit has stopped first."""
        while self.world.step_count < step and not self.finished:
            if self.rec.replay is not None:
                self.rec.replay.apply_due(self.world)
            self.world.step()
            self._note()

    @property
    def finished(self) -> bool:
        """No unit is still moving, and no order is still to come."""
        still = (self.world.status == DESCENDING).any()
        return not still and (self.rec.replay is None or self.rec.replay.finished)


def plan(rec: Recording) -> Schedule:
    """The frames of ``rec`` (see the module's docstring): without a duration, a dry run of the
    world finds the step at which nothing moves any more, and the descent ends there."""
    if rec.duration is not None:
        return schedule(rec.steps, rec.fps, rec.duration)
    dry = Descent(rec)
    dry.advance(rec.steps)
    least = rec.pace or 0.0
    if (dry.world.status == DIVERGED).all():         # nothing to follow: the units fly off at once
        least = min(least, DIVERGED_DESCENT)
    return schedule(dry.world.step_count, rec.fps, None, least)


def film_for(rec: Recording) -> Film:
    """The look of the recording (a replay says so in its title)."""
    title = f"Replay: {rec.level.title}" if rec.replay is not None else None
    return Film(rec.level, rec.size, fog=rec.fog, steps=rec.steps, title=title, view=rec.view, orbit=rec.orbit)


def frames(rec: Recording, film: Film, surface, frames_of: Schedule | None = None):
    """Draw every frame of the recording into ``surface`` in turn (``frames_of``: its ``plan``);
    yields after each one. (A card is drawn once and yielded for each of its frames.)"""
    frames_of = frames_of or plan(rec)
    descent = Descent(rec)
    world = descent.world
    if film.fog is not None:                   # the world's own record of the ground its units have seen
        film.fog = descent.fog = Fog.of(rec.level, world.explored)
    turning = film.view == "relief" and bool(film.orbit)   # cards are drawn once, unless the table turns
    n = [0]

    def turn():
        film.turn_to(n[0] / max(1, frames_of.frames - 1))
        n[0] += 1

    for f in range(frames_of.title):
        if turning or not f:
            turn()
            film.title_card(surface, world, rec.race, rec.summary())
        yield
    k = 0
    for k, step in enumerate(frames_of.steps):
        descent.advance(step)
        turn()
        film.descent(surface, world, k / rec.fps, rec.race, descent.best)
        yield
    for f in range(frames_of.ending):
        if turning or not f:
            turn()
            film.ending(surface, world, k / rec.fps, rec.race, descent.best)
        yield


# -- recording --------------------------------------------------------------------------------------
@dataclass
class Result:
    """What a recording wrote."""
    frames: int = 0
    written: list = field(default_factory=list)     # paths of the finished files (and PNG folder)
    interrupted: bool = False
    error: str | None = None                        # a write error, one line
    seconds: float = 0.0


class _CtrlC:
    """While active, Ctrl-C (SIGINT) only sets ``pressed``: the loop stops between frames, so the
    encoders are never cut off in the middle of one. Outside the main thread it does nothing."""

    def __init__(self):
        self.pressed, self._old = False, None

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            self._old = signal.signal(signal.SIGINT, self._press)
        return self

    def _press(self, signum, frame):
        self.pressed = True

    def __exit__(self, *exc):
        if self._old is not None:
            signal.signal(signal.SIGINT, self._old)


def record(rec: Recording, out: Path | None = None, frames_dir: Path | None = None, progress=False,
           on_frame=None) -> Result:
    """Render ``rec`` to ``out`` (.mp4 or .gif) and/or numbered PNGs in ``frames_dir``, with a
    progress bar on stderr if ``progress`` and stderr is a terminal.

    ``on_frame(n)`` is called after the n-th frame is written (it may raise KeyboardInterrupt to
    stop, as Ctrl-C does). A stop or a write error still closes every file properly: the result
    tells how many frames were written, and where.
    """
    start = time.perf_counter()
    film = film_for(rec)
    surface = pygame.Surface(rec.size)
    frames_of = plan(rec)
    total = frames_of.frames
    result = Result()
    with _CtrlC() as ctrl_c, tqdm(total=total, unit="frame", file=sys.stderr, disable=None if progress else True,
                                  leave=False, dynamic_ncols=True) as bar:         # None: only on a terminal
        writers = []
        try:
            if out is not None:
                writers.append(encoders.open_writer(out, rec.size, rec.fps, film.palette_sample(),
                                                    encoders.raw_layout(surface)))
            if frames_dir is not None:
                writers.append(encoders.PngWriter(frames_dir))
            for _ in frames(rec, film, surface, frames_of):
                for w in writers:
                    w.add(surface)
                result.frames += 1
                bar.update()
                if on_frame is not None:
                    on_frame(result.frames)
                if ctrl_c.pressed:
                    raise KeyboardInterrupt
        except KeyboardInterrupt:
            result.interrupted = True
        except encoders.EncodeError as err:
            result.error = str(err)
        except BaseException:                   # a bug: leave no half-written file behind
            for w in writers:
                w.discard()
            raise
        result.written, error = _close(writers, complete=not result.interrupted and result.error is None)
        result.error = result.error or error
    result.seconds = time.perf_counter() - start
    return result


def _close(writers, complete: bool) -> tuple[list, str | None]:
    """Finish every writer (a recording not ``complete`` leaves an existing file as it was: see
    encoders.destination); returns the paths written and the first error."""
    written, error = [], None
    for w in writers:
        try:
            path = w.close(complete)
        except encoders.EncodeError as err:
            path, error = None, error or str(err)
        if path is not None:
            written.append(path)
    return written, error


# -- performance ----------------------------------------------------------------------------------------
BENCH_LEVEL = "08-himmelblau"
BENCH_RACE = (("sgd", 0.02, 0.0), ("momentum", 0.1, 0.95), ("adam", 0.1, 0.9))


def bench_record(quick: bool = False) -> dict:
    """Frames per second of whole recordings -- setup, simulation, drawing, encoding and closing
    the file, by the wall clock -- of a three-squad race on 08-himmelblau (36 units), 10 s of video
    (2 s when ``quick``, where the setup weighs more):

    * ``record_fps``: 1280x720 MP4 of the map (60 fps is twice real time at 30 fps);
    * ``gif_fps``: 640x360 GIF of the map;
    * ``relief_record_fps``: 1280x720 MP4 of the sand table turning by 60 degrees over the video
      (every frame a fresh render of the table).
    """
    import tempfile
    level = sim.load_level(BENCH_LEVEL)
    squads = tuple(sim.Orders(*o) for o in BENCH_RACE)
    out = {}
    runs = (("record_fps", (1280, 720), "bench.mp4", "map", 0.0), ("gif_fps", (640, 360), "bench.gif", "map", 0.0),
            ("relief_record_fps", (1280, 720), "relief.mp4", "relief", 60.0))
    with tempfile.TemporaryDirectory() as tmp:
        for key, size, name, view, orbit in runs:
            rec = Recording(level, squads, units=12, steps=level.budget, seed=level.seed, size=size,
                            duration=2 if quick else 10, view=view, orbit=orbit)
            result = record(rec, Path(tmp) / name)
            out[key] = round(result.frames / result.seconds, 1)
    return out
