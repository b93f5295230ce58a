"""Classroom mode: gradient descent on a projector, every step explained. This is the scene: the
lesson's state, its clock and its commands; ``keys.py`` maps keys to the commands, ``screen.py``
draws the frame, ``app.py`` opens the window.

    python main.py demo 03-ravine                                   the level's squad, paused
    python main.py demo 05-saddle --race sgd,momentum,nesterov,adam  one squad per optimizer
    python main.py demo 01-bowl --autoplay                          the campaign's lessons, hands-free
    python main.py demo 03-ravine --autoplay --exit-after 60 --scale 1.2

What it shows: the map in the high-contrast palette with the fog off; the selected unit's update
rule written out with its live numbers (``explain.py``) and its gradient and velocity arrows to
scale; a loss-versus-step chart of every squad; on request the next 20 steps as a dotted ghost
(``race.ghost_paths``, on a scratch copy) and the sweep map of the squad's optimizer. On a
neural-network level, the selected unit's decision boundary in a corner of the map (``game.view.nn_view``).

A race puts one squad per optimizer on the very same starts (``race.py``). Autoplay walks the
campaign: each level's briefing card, then a race of the settings that win (found by a sweep), the
result, then the next level (``autoplay.py``).

Controls: ``keys.CLASSROOM_HELP`` (F1 shows them; the README lists them too).
"""
from __future__ import annotations

import numpy as np
import pygame

import sim
from sim.nn import landscape_of
from sim.world import DESCENDING

from game.app import Scene
from game.view.explain import MOMENTUM_SYMBOL, explain
from game.view.names import speed_text
from game.view.render import Fog
from game.view.viewpoint import Viewpoint

from . import keys, screen
from .autoplay import RACE_SECONDS, Autoplay, next_level_name
from .lineup import arrival_notice, lineup_rows, race_result
from .look import DIM, GREEN, YELLOW
from .race import LABELS, Entry, default_lineup, ghost_paths, mean_losses, race_starts, race_world, \
    sensible_orders, unique_labels, winning_lineup

STEPS_PER_SECOND = 6          # world steps per second at 1x: slow enough to read along
MAX_STEPS_PER_FRAME = 64
SCALE_RANGE = (0.5, 2.5)      # the presenter scale (Ctrl + / Ctrl -) stays within this range
ZOOM_TO_UNIT = 3.0            # Z zooms to this many times the whole-map view
TABLE_YAW = 30.0              # the sand table is first seen from this heading [deg]: its slopes read in 3-D
SWEEP_CELLS = 32              # the W sweep map: learning rates x momenta (one row if momentum has no effect)
QUIT_QUESTION = "Esc again quits  \u00b7  any other key stays"     # Esc with nothing open asks this
SWEEP_SHARE = 0.8             # ... drawn over this share of the window's width and height

class Classroom(Scene):
    """One level on the projector: a race (or the level's squad) with one unit's rule explained."""

    def __init__(self, app, level: sim.Level, race=None, autoplay=False, scale=1.0, view="relief"):
        super().__init__(app)
        self.view = view                    # "relief" or "map" (V switches; kept from lesson to lesson)
        self.race = tuple(race) if race else None
        self.factor = float(scale)
        self.autoplay = Autoplay() if autoplay else None
        self.show_help = self.show_ghost = self.show_sweep = self.show_card = False
        self.confirm_quit = False           # Esc with nothing open asks first: a second Esc quits
        self.log_scale = self.follow = False
        self.speed, self.unit, self.cursor = 1, 0, None
        self.map_rect = pygame.Rect(0, 0, 960, 540)
        self._cache: dict = {}
        self._sweeps: dict = {}
        self.notice = None                  # [message, age in seconds]
        self.load(level)

    # -- the level and its squads -------------------------------------------------------------------
    def load(self, level: sim.Level, prepared: tuple | None = None):
        """A level with its line-up: winning settings in autoplay (``prepared`` (starts, entries) if
        already found), the named optimizers in a race, else the level's own squad and orders."""
        self.level = level
        self.network = landscape_of(level.terrain)     # the network behind an NN level, else None
        self.art = self.app.map_art(level, palette=screen.PALETTE)
        self.eyes = Viewpoint(level, self.art, self.view, controls=keys.PresenterControls, yaw=TABLE_YAW)
        self.eyes.set_viewport(self.map_rect)
        self.controls = self.eyes.controls
        self.fog = None                     # the fog of war, off (F): made for each world in restart()
        racing = self.race or self.autoplay
        self.starts = race_starts(level) if racing else sim.World(level, trail_length=1).positions
        if self.autoplay and prepared is not None:
            self.starts, self.entries = prepared
        elif self.autoplay:
            self.entries = winning_lineup(level, self.starts)
        elif self.race:
            self.entries = default_lineup(level, self.race)
        else:
            self.entries = [Entry(sim.Orders(level.optimizer, level.lr, level.momentum), LABELS[level.optimizer])]
        self.unit = 0
        self.restart(fresh=True)
        if self.autoplay:
            self.autoplay.begin(self)

    def restart(self, fresh: bool = False):
        """The same starts again, with each squad's current orders (``fresh``: with the entries' own,
        as when a level is loaded)."""
        if not fresh:
            self.entries = [Entry(o, self._own_label(k)) for k, o in enumerate(self.world.orders)]
        self.world = race_world(self.level, self.entries, self.starts)
        self.losses = [mean_losses(self.world)]
        self.unit = min(self.unit, self.world.n_units - 1)
        self.cursor, self._ticks, self.paused, self.notice = None, 0.0, self.autoplay is None, None
        self._events_seen, self._cache, self.arrived_as = 0, {}, {}     # squad -> its name when it arrived
        if self.autoplay is not None and self.autoplay.phase == "result":
            self.autoplay.phase = "race"                    # a restarted race runs to its end again
        shown = self.fog is not None and self.fog.enabled
        self.fog = Fog.of(self.level, self.world.explored)      # the world's own explored record
        self.fog.enabled = shown

    def next_lesson(self):
        """The next campaign level (autoplay has it ready)."""
        lesson = self.autoplay.next if self.autoplay is not None else None
        if lesson is not None and lesson.name == next_level_name(self.level.id):
            level, starts, entries = lesson.get()
            self.load(level, (starts, entries))
        else:
            self.load(sim.load_level(next_level_name(self.level.id)))

    @property
    def squad(self) -> int:
        return int(self.world.squad[self.unit])

    @property
    def over(self) -> bool:
        """The race ends at the step budget, or when no unit is still descending."""
        w = self.world
        return w.step_count >= self.level.budget or not (w.status == DESCENDING).any()

    # -- time --------------------------------------------------------------------------------------
    @property
    def steps_per_second(self) -> float:
        rate = STEPS_PER_SECOND if self.autoplay is None else max(STEPS_PER_SECOND, self.level.budget / RACE_SECONDS)
        return rate * self.speed

    def update(self, dt: float):
        if self.notice is not None:
            self.notice[1] += dt
            if self.notice[1] >= screen.NOTICE_SECONDS:
                self.notice = None
        if self.show_help:
            return
        self.eyes.update(dt)
        self.controls.update(dt, self.app.screen.get_size())
        if self.follow:
            self.camera.center_on(self.world.positions[self.unit])
        if self.autoplay is not None and not self.paused:
            self.autoplay.update(self, dt)
        if self.paused or self.show_card or self.over:
            return
        self._ticks += dt * self.steps_per_second
        steps = int(self._ticks)
        self._ticks -= steps
        for _ in range(min(steps, MAX_STEPS_PER_FRAME)):
            if self.over:
                break
            self.step()

    def step(self):
        """One world step, and what follows from it: the chart, the fog, the announcements."""
        self.world.step()
        self.fog.reveal(self.world.positions)
        self.losses.append(mean_losses(self.world))
        self._announce()
        if self.over and self.world.n_squads > 1:
            self.say(race_result(self.world, self.result_labels()))    # the winner, not the last to arrive

    def step_once(self):
        """Pause and take exactly one step."""
        self.paused, self.show_card, self.cursor = True, False, None
        if not self.over:
            self.step()

    def substep(self):
        """Reveal the next sub-step of the selected unit's rule; after the last one, take the step
        and start over at the first sub-step of the next."""
        self.paused, self.show_card = True, False
        k = len(self.explanation().substeps)
        if self.cursor is None or self.cursor < k:
            self.cursor = 1 if self.cursor is None else self.cursor + 1
        elif not self.over:
            self.step()
            self.cursor = 1

    def toggle_pause(self):
        """Run or pause; on the briefing card, close it and run."""
        if self.show_card:
            self.show_card, self.paused = False, False
        else:
            self.paused = not self.paused
        self.cursor = None

    def _announce(self):
        """A notice when a squad first reaches the global minimum."""
        new = self.world.events[self._events_seen:]
        self._events_seen = len(self.world.events)
        for e in new:
            if e.kind == "arrived" and e.squad not in self.arrived_as:        # the squad's first arrival
                self.arrived_as[e.squad] = self.squad_labels()[e.squad]
                self.say(arrival_notice(self.world, self.squad_labels(), e.squad, e.step))

    def banner(self):
        """(message, age [s]) for the top of the map, or None: the latest notice while it lasts; after
        a race, its result (the winner first), which stays until the race restarts. Esc's question first."""
        if self.confirm_quit:
            return QUIT_QUESTION, 0.0
        if self.notice is not None:
            return tuple(self.notice)
        if self.over and self.world.n_squads > 1:
            return race_result(self.world, self.result_labels()), 0.0
        return None

    def say(self, message: str):
        """Announce ``message`` at the top of the map for ``screen.NOTICE_SECONDS``."""
        self.notice = [message, 0.0]

    # -- what the panel explains ---------------------------------------------------------------------
    def _cached(self, what: str, make):
        """``make()``, computed again only when the step, the selected unit or the orders change."""
        w = self.world
        key = (id(w), w.step_count, self.unit, tuple((o.optimizer, o.lr, o.momentum, repr(o.schedule))
                                                     for o in w.orders))
        if self._cache.get(what, (None,))[0] != key:
            self._cache[what] = (key, make())
        return self._cache[what][1]

    def explanation(self):
        """The selected unit's next step, sub-step by sub-step (explain.py)."""
        return self._cached("explain", lambda: explain(self.world, self.unit))

    def ghost(self) -> np.ndarray:
        """The selected squad's next steps on a scratch copy (race.ghost_paths)."""
        return self._cached("ghost", lambda: ghost_paths(self.world, self.squad))

    def squad_labels(self) -> list[str]:
        """Every squad's name: its entry's label, or its optimizer's once O changed it; repeats
        numbered ("Momentum", "Momentum 2"), so no two squads share a name."""
        return unique_labels([self._own_label(k) for k in range(self.world.n_squads)])

    def _own_label(self, squad: int) -> str:
        e, o = self.entries[squad], self.world.orders[squad]
        return e.label if e.orders.optimizer == o.optimizer else LABELS[o.optimizer]

    def result_labels(self) -> list[str]:
        """The squads' names for what they did: a squad that arrived keeps the name it arrived under
        (O may have changed its optimizer since)."""
        return [self.arrived_as.get(k, name) for k, name in enumerate(self.squad_labels())]

    def squad_label(self, squad: int) -> str:
        return self.squad_labels()[squad]

    # -- commands ------------------------------------------------------------------------------------
    def select(self, unit: int):
        self.unit, self.cursor = int(unit), None

    def select_squad(self, squad: int):
        """The unit on the same start as the selected one, in ``squad``."""
        members = np.flatnonzero(self.world.squad == squad)
        if len(members):
            here = np.flatnonzero(self.world.squad == self.squad)
            self.select(members[min(int(np.searchsorted(here, self.unit)), len(members) - 1)])

    def next_squad(self):
        if self.world.n_squads == 1:
            self.select((self.unit + 1) % self.world.n_units)
        else:
            self.select_squad((self.squad + 1) % self.world.n_squads)

    def change_lr(self, factor: float):
        lr = float(f"{self.world.orders[self.squad].lr * factor:.3g}")        # 3 significant digits
        self.world.set_orders(self.squad, lr=float(np.clip(lr, *self.level.lr_range)))

    def change_momentum(self, delta: float):
        o = self.world.orders[self.squad]
        if o.optimizer not in MOMENTUM_SYMBOL:
            self.say(f"{LABELS[o.optimizer]} has no momentum")
            return
        mu = float(np.clip(round(o.momentum + delta, 4), *self.level.momentum_range))
        self.world.set_orders(self.squad, momentum=mu)

    def next_optimizer(self):
        """The squad's next update rule (any of the six), with sensible orders for it; its state starts afresh."""
        names = sim.OPTIMIZERS
        now = names.index(self.world.orders[self.squad].optimizer)
        new = sensible_orders(self.level, names[(now + 1) % len(names)])
        self.world.set_orders(self.squad, new.optimizer, new.lr, new.momentum)
        self.cursor = None

    def next_schedule(self):
        """C: the squad's next learning-rate schedule -- constant, step decay, cosine -- from its η, with
        parameters made from the level's budget (sim.schedule.default_schedule); it starts at t = 0."""
        o = self.world.orders[self.squad]
        now = o.schedule.kind if o.schedule is not None else "constant"
        kind = sim.SCHEDULES[(sim.SCHEDULES.index(now) + 1) % len(sim.SCHEDULES)]
        self.world.set_orders(self.squad, schedule=sim.schedule.default_schedule(
            kind, float(np.mean(o.lr)), self.level.budget, float(self.level.lr_range[0])))
        self.say(f"{self.squad_label(self.squad)}: {kind} schedule")
        self.cursor = None

    def set_speed(self, speed: float):
        """The pace, ``speed`` times STEPS_PER_SECOND; while the clock stands, a line says it too."""
        self.speed = speed
        if self.over or self.paused or self.show_card:
            self.say(f"speed {speed_text(speed)}" + ("" if self.over else "  \u00b7  Space runs"))

    def toggle_autoplay(self):
        if self.autoplay is None:
            self.autoplay = Autoplay()
            self.load(self.level)
        else:
            self.autoplay = None
            self.show_card = False

    def set_factor(self, factor: float):
        self.factor = float(np.clip(factor, *SCALE_RANGE))
        self.layout(self.app.screen.get_size(), None)

    def toggle_sweep(self):
        if self.show_sweep:
            self.show_sweep = False
            return
        if self.sweep_result() is not None:
            self.show_sweep = True

    def sweep_result(self):
        """The sweep of the selected squad's optimizer over this level (cached), or None when the
        sweep map is not part of this build."""
        try:
            from sim.sweep import sweep_plane, uses_momentum
            from game.view.sweep_map import draw_sweep  # noqa: F401  (checked here, drawn in draw())
        except ImportError:
            self.say("The sweep map is not available in this build")
            return None
        name = self.world.orders[self.squad].optimizer
        key = (self.level.id, self.level.source, name)
        if key not in self._sweeps:                 # a rule that ignores momentum needs one row only
            rows = SWEEP_CELLS if uses_momentum(name) else 1
            self._sweeps[key] = sweep_plane(self.level, name, lr_cells=SWEEP_CELLS, momentum_cells=rows, starts=4)
        return self._sweeps[key]

    def toggle_follow(self):
        """Z: zoom in on the selected unit and follow it; again: the whole map."""
        if self.follow:
            self.fit()
        else:
            self.follow = True
            self.camera.zoom_at(self.camera.viewport.center, ZOOM_TO_UNIT * self.camera.fit_zoom / self.camera.zoom)

    def fit(self):
        """Home: the whole map (and stop following the unit)."""
        self.follow = False
        self.camera.fit()

    @property
    def camera(self):
        """The camera in use: the sand table's or the map's (V switches)."""
        return self.eyes.camera

    def toggle_view(self):
        """V: the sand table <-> the map."""
        self.view = self.eyes.toggle()

    # -- input, layout and drawing (keys.py, screen.py) -------------------------------------------
    def handle(self, event) -> bool:
        return keys.handle(self, event)

    def layout(self, size, scale):
        screen.layout(self, size, scale)

    def draw(self, surface):
        screen.draw(self, surface)

    def legend_rows(self) -> list:
        """The line-up: per squad (colour, name, settings, result, result colour) (lineup.py)."""
        return lineup_rows(self.world, self.squad_labels())

    def arrows(self, e) -> tuple:
        """The arrows on the map: the whole step's, or the current sub-step's."""
        return e.arrows if self.cursor is None else e.substeps[self.cursor - 1].arrows

    def sweep_rect(self) -> pygame.Rect:
        """The sweep overlay: SWEEP_SHARE of the window, centred."""
        w, h = self.app.screen.get_size()
        box = pygame.Rect(0, 0, int(w * SWEEP_SHARE), int(h * SWEEP_SHARE))
        box.center = (w // 2, h // 2)
        return box

    def clock_state(self, e) -> tuple:
        if self.over:
            return "RACE OVER" if self.world.n_squads > 1 else "OVER", DIM
        if self.cursor is not None:
            return f"SUB-STEP {self.cursor} OF {len(e.substeps)}", YELLOW
        if self.show_card or self.paused:
            return f"PAUSED \u00b7 {speed_text(self.speed)}", YELLOW
        return f"\u25b6 RUNNING {speed_text(self.speed)}", GREEN
