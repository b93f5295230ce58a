"""Classroom mode: gradient descent on a projector, every step explained.

    python main.py demo 03-ravine                                   the level's squad, paused
    python main.py demo 05-saddle --race sgd,momentum,nesterov,adam  one squad per optimizer
    python main.py demo 01-bowl --autoplay                          the campaign's lessons, hands-free
    python main.py demo 03-ravine --autoplay --exit-after 60 --scale 1.2

What it shows: the map in the high-contrast palette with the fog off; the selected unit's update
rule written out with its live numbers (``game.explain``) and its gradient and velocity arrows to
scale; a loss-versus-step chart of every squad; on request the next 20 steps as a dotted ghost
(``game.race.ghost_paths``, on a scratch copy) and the sweep map of the squad's optimizer. On a
neural-network level, the selected unit's decision boundary in a corner of the map (``game.nn_view``).

A race puts one squad per optimizer on the very same starts (``game.race``). Autoplay walks the
campaign: each level's briefing card, then a race of the settings that win (found by a sweep), the
result, then the next level (``game.autoplay``).

Controls: ``CLASSROOM_HELP`` (F1 shows them; docs/CONTROLS.md lists them too).
"""
from __future__ import annotations

import os
import time

import numpy as np
import pygame

import sim
from sim.nn import landscape_of
from sim.world import DESCENDING

from . import demo_view as view
from .app import App, Scene
from .autoplay import RACE_SECONDS, Autoplay, next_level_name
from .camera import Camera
from .explain import MOMENTUM_SYMBOL, explain, num
from .hud import draw_help
from .input import CameraControls
from .nn_view import draw_decision_inset, place_inset
from .race import LABELS, Entry, default_lineup, ghost_paths, mean_losses, race_starts, race_world, \
    sensible_orders, unique_labels, winning_lineup
from .render import Fog, draw_map

PALETTE = "high-contrast"
STEPS_PER_SECOND = 6          # world steps per second at 1x: slow enough to read along
SPEEDS = (1, 2, 4, 8)
MAX_STEPS_PER_FRAME = 64
SCALE_STEP = 1.12             # + / - change the presenter scale by this factor ...
SCALE_RANGE = (0.5, 2.5)      # ... within this range
LR_FACTOR = 1.5               # [ / ] divide / multiply the learning rate by this
MOMENTUM_STEP = 0.05          # Shift+[ / Shift+] change the momentum by this
NOTICE_SECONDS = 5.0          # an announcement stays this long [s]
ZOOM_TO_UNIT = 3.0            # Z zooms to this many times the whole-map view
PICK_PX = 22                  # a click picks the nearest unit within this distance [px at scale 1]
HEADLESS_FPS = 30             # frames per second of the fixed clock without a display
INSET_SCALE = 0.75            # the decision-boundary inset's size relative to the presenter scale
INSET_CORNERS = ("bottomleft", "topleft", "bottomright")   # where it may go (top-right has the help tag)
SWEEP_CELLS = 32              # the W sweep map: learning rates x momenta (one row if momentum has no effect)
SWEEP_SHARE = 0.8             # ... drawn over this share of the window's width and height
SWEEP_TYPE = 13               # ... its body text at least this size [px at presenter scale 1]

CLASSROOM_HELP = [
    ("Explain", [
        ("Click a unit", "show its update rule with live numbers"),
        ("Tab / 1 - 9", "same start in the next squad / in squad 1-9"),
        (",", "next sub-step of the rule (then the step itself)"),
        (".", "one whole step (pauses)"),
        ("Space", "run / pause"),
        ("S", "speed 1\u00d7 2\u00d7 4\u00d7 8\u00d7"),
        ("G", "ghost: the next 20 steps, dotted"),
        ("W", "sweep map of the squad's optimizer"),
    ]),
    ("Orders", [
        ("[ / ]", "learning rate \u03b7 \u00f7 / \u00d7 1.5"),
        ("Shift+[ / Shift+]", "momentum \u03bc (\u03b2\u2081) \u2212 / + 0.05"),
        ("O", "next optimizer for the squad"),
        ("R", "restart from the same starts"),
    ]),
    ("View", [
        ("+ / -", "bigger / smaller text and lines"),
        ("L", "loss chart: linear / log scale"),
        ("Z", "zoom to the unit / whole map"),
        ("Arrows / wheel", "pan / zoom the map"),
        ("Home", "the whole map"),
        ("F", "fog of war on / off"),
    ]),
    ("Lesson", [
        ("B", "the level's briefing card"),
        ("N", "next lesson (campaign level)"),
        ("A", "autoplay on / off"),
        ("F1 / H", "this help"),
        ("F11", "fullscreen"),
        ("Esc", "close what is open / quit"),
    ]),
]


def presenter_scale(size, factor: float = 1.0) -> float:
    """Type and line scale: about 1.9 at 1920x1080, times the presenter's ``factor``."""
    w, h = size
    return 1.25 * min(w / 1280, h / 720) * factor


class PresenterControls(CameraControls):
    """Arrows pan, the wheel zooms and a middle drag pans -- but the pointer resting at the window's
    edge does not pan the map (in a talk it often rests there)."""

    def update(self, dt: float, window_size):
        mouse, self.mouse = self.mouse, None
        super().update(dt, window_size)
        self.mouse = mouse


class Classroom(Scene):
    """One level on the projector: a race (or the level's squad) with one unit's rule explained."""

    def __init__(self, app, level: sim.Level, race=None, autoplay=False, scale=1.0):
        super().__init__(app)
        self.race = tuple(race) if race else None
        self.factor = float(scale)
        self.autoplay = Autoplay() if autoplay else None
        self.show_help = self.show_ghost = self.show_sweep = self.show_card = False
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
        self.art = self.app.map_art(level, palette=PALETTE)
        self.camera = Camera(level.bounds, self.map_rect)
        self.controls = PresenterControls(self.camera)
        self.fog = Fog(level)
        self.fog.enabled = False
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
        self.cursor, self._ticks, self.paused = None, 0.0, self.autoplay is None
        self._events_seen, self._cache = 0, {}
        if self.autoplay is not None and self.autoplay.phase == "result":
            self.autoplay.phase = "race"                    # a restarted race runs to its end again
        self.fog.reset()
        self.fog.reveal(self.world.positions)

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
            if self.notice[1] >= NOTICE_SECONDS:
                self.notice = None
        if self.show_help:
            return
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
            if e.kind == "arrived" and (self.world.arrival_step[self.world.squad == e.squad] >= 0).sum() == 1:
                self.say(f"{self.squad_label(e.squad)} reached the global minimum in {e.step} steps")

    def say(self, message: str):
        """Announce ``message`` at the top of the map for NOTICE_SECONDS."""
        self.notice = [message, 0.0]

    # -- what the panel explains ---------------------------------------------------------------------
    def _cached(self, what: str, make):
        """``make()``, computed again only when the step, the selected unit or the orders change."""
        w = self.world
        key = (id(w), w.step_count, self.unit, tuple((o.optimizer, o.lr, o.momentum) for o in w.orders))
        if self._cache.get(what, (None,))[0] != key:
            self._cache[what] = (key, make())
        return self._cache[what][1]

    def explanation(self):
        """The selected unit's next step, sub-step by sub-step (game.explain)."""
        return self._cached("explain", lambda: explain(self.world, self.unit))

    def ghost(self) -> np.ndarray:
        """The selected squad's next steps on a scratch copy (game.race.ghost_paths)."""
        return self._cached("ghost", lambda: ghost_paths(self.world, self.squad))

    def squad_labels(self) -> list[str]:
        """Every squad's name: its entry's label, or its optimizer's once O changed it; repeats
        numbered ("Momentum", "Momentum 2"), so no two squads share a name."""
        return unique_labels([self._own_label(k) for k in range(self.world.n_squads)])

    def _own_label(self, squad: int) -> str:
        e, o = self.entries[squad], self.world.orders[squad]
        return e.label if e.orders.optimizer == o.optimizer else LABELS[o.optimizer]

    def squad_label(self, squad: int) -> str:
        return self.squad_labels()[squad]

    def settings(self, squad: int) -> str:
        o = self.world.orders[squad]
        s = f"\u03b7={num(o.lr, 3)}"
        return s + (f" {MOMENTUM_SYMBOL[o.optimizer]}={num(o.momentum, 3)}" if o.optimizer in MOMENTUM_SYMBOL else "")

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
            from .sweep_map import draw_sweep  # noqa: F401  (checked here, drawn in draw())
        except ImportError:
            self.say("The sweep map is not available in this build")
            return None
        name = self.world.orders[self.squad].optimizer
        key = (self.level.id, self.level.source, name)
        if key not in self._sweeps:                 # a rule that ignores momentum needs one row only
            rows = SWEEP_CELLS if uses_momentum(name) else 1
            self._sweeps[key] = sweep_plane(self.level, name, lr_cells=SWEEP_CELLS, momentum_cells=rows, starts=4)
        return self._sweeps[key]

    # -- input ---------------------------------------------------------------------------------------
    def handle(self, event) -> bool:
        """Help first; Esc closes an overlay before it quits; then the camera, the keys, clicks."""
        if event.type == pygame.KEYDOWN and (self.show_help or event.key == pygame.K_ESCAPE):
            return self._close(event.key)
        if self.show_help:
            return True
        if event.type == pygame.KEYDOWN and event.key in (pygame.K_w, pygame.K_a, pygame.K_s, pygame.K_d):
            return self._key_command(event)              # letters are commands here, not panning
        if self.controls.handle(event):
            return False
        if event.type == pygame.KEYDOWN:
            return self._key_command(event)
        if event.type == pygame.MOUSEBUTTONDOWN and event.button == 1 and self.map_rect.collidepoint(event.pos):
            self._click(event.pos)
        return False

    def _close(self, key) -> bool:
        """Esc, F1 or H with an overlay open: close it (True). Esc with none open: False, so the app quits."""
        if self.show_help:
            if key in (pygame.K_ESCAPE, pygame.K_F1, pygame.K_h):
                self.show_help = False
            return True
        for name in ("show_sweep", "show_card"):
            if getattr(self, name):
                setattr(self, name, False)
                return True
        return False

    def _click(self, pos):
        d = np.hypot(*(self.camera.pos2pix(self.world.positions) - np.asarray(pos, float)).T)
        if d.min() <= PICK_PX * self.scale:
            self.select(int(np.argmin(d)))

    def _key_command(self, event) -> bool:
        k, shift = event.key, bool(getattr(event, "mod", 0) & pygame.KMOD_SHIFT)
        simple = {pygame.K_SPACE: self.toggle_pause, pygame.K_PERIOD: self.step_once, pygame.K_COMMA: self.substep,
                  pygame.K_TAB: self.next_squad, pygame.K_r: self.restart, pygame.K_n: self.next_lesson,
                  pygame.K_o: self.next_optimizer, pygame.K_a: self.toggle_autoplay, pygame.K_w: self.toggle_sweep,
                  pygame.K_z: self.toggle_follow, pygame.K_HOME: self._fit}
        flags = {pygame.K_g: "show_ghost", pygame.K_l: "log_scale", pygame.K_b: "show_card"}
        if k in simple:
            simple[k]()
        elif k in flags:
            setattr(self, flags[k], not getattr(self, flags[k]))
        elif k in (pygame.K_F1, pygame.K_h):
            self.show_help = True
        elif k == pygame.K_s:
            self.speed = SPEEDS[(SPEEDS.index(self.speed) + 1) % len(SPEEDS)]
        elif k == pygame.K_f:
            self.fog.enabled = not self.fog.enabled
        elif k in (pygame.K_LEFTBRACKET, pygame.K_RIGHTBRACKET):
            up = k == pygame.K_RIGHTBRACKET
            if shift:
                self.change_momentum(MOMENTUM_STEP if up else -MOMENTUM_STEP)
            else:
                self.change_lr(LR_FACTOR if up else 1 / LR_FACTOR)
        elif k in (pygame.K_PLUS, pygame.K_EQUALS, pygame.K_KP_PLUS, pygame.K_MINUS, pygame.K_KP_MINUS):
            up = k in (pygame.K_PLUS, pygame.K_EQUALS, pygame.K_KP_PLUS)
            self.set_factor(self.factor * (SCALE_STEP if up else 1 / SCALE_STEP))
        elif pygame.K_1 <= k <= pygame.K_9:
            self.select_squad(k - pygame.K_1)
        return True

    def toggle_follow(self):
        """Z: zoom in on the selected unit and follow it; again: the whole map."""
        if self.follow:
            self._fit()
        else:
            self.follow = True
            self.camera.zoom_at(self.camera.viewport.center, ZOOM_TO_UNIT * self.camera.fit_zoom / self.camera.zoom)

    def _fit(self):
        self.follow = False
        self.camera.fit()

    # -- layout and drawing ------------------------------------------------------------------------------
    def layout(self, size, scale):
        """The rule panel on the right; the map on the left, the squads and the loss chart under it."""
        self.size = size
        s = self.scale = presenter_scale(size, self.factor)
        w, h = size
        panel_w = int(min(w * 0.42, max(w * 0.3, 400 * s)))
        strip_h = int(min(h * 0.3, 170 * s))
        left = w - panel_w
        legend_w = int(min(left * 0.45, 270 * s))
        self.panel_rect = pygame.Rect(left, 0, panel_w, h)
        self.map_rect = pygame.Rect(0, 0, left, h - strip_h)
        self.legend_rect = pygame.Rect(0, h - strip_h, legend_w, strip_h)
        self.chart_rect = pygame.Rect(legend_w, h - strip_h, left - legend_w, strip_h)
        self.camera.set_viewport(self.map_rect)

    def draw(self, surface):
        s = self.scale
        surface.fill(view.BG)
        draw_map(surface, self.world, self.camera, self.art, self.fog, time_s=self.app.time_s, palette=PALETTE,
                 squad_names=self.squad_labels(), squad_colours=view.RACE_COLOURS)
        old = surface.get_clip()
        surface.set_clip(self.map_rect)
        e = self.explanation()
        if self.show_ghost:
            view.draw_ghost(surface, self.camera, self.ghost(), view.squad_colour(self.squad),
                            int(np.searchsorted(np.flatnonzero(self.world.squad == self.squad), self.unit)), s)
        view.draw_units(surface, self.world, self.camera, s, self.unit)
        self._draw_arrows(surface, e)
        if self.network is not None and not self.show_sweep:
            self._draw_network(surface)
        if self.notice is None:
            view.draw_tag(surface, (self.map_rect.right - view.px(12, s), self.map_rect.y + view.px(12, s)),
                          "F1  help", s)
        if self.notice is not None:
            view.draw_notice(surface, self.map_rect, self.notice[0], self.notice[1], s, NOTICE_SECONDS)
        surface.set_clip(old)
        view.draw_loss_chart(surface, self.chart_rect, np.array(self.losses),
                             [view.squad_colour(k) for k in range(self.world.n_squads)], self.level.budget,
                             self.log_scale, s, highlight=self.squad)
        view.draw_squad_legend(surface, self.legend_rect, self.legend_rows(), s)
        self._draw_panel(surface, e)
        if self.show_sweep:
            self._draw_sweep(surface)
        if self.show_card:
            left = self.map_rect.union(self.chart_rect).union(self.legend_rect)
            view.draw_card(surface, left, self.level, self.legend_rows(), s,
                           self.autoplay.progress if self.autoplay else None)
        if self.show_help:
            draw_help(surface, surface.get_rect(), s * 0.85, CLASSROOM_HELP)

    def legend_rows(self) -> list:
        rows = []
        for k in range(self.world.n_squads):
            members = self.world.squad == k
            arrived = self.world.arrival_step[members]
            counts = self.world.counts(k)
            if (arrived >= 0).any():
                result, colour = f"\u2713 step {int(arrived[arrived >= 0].min())}", view.GREEN
            elif counts["diverged"] == members.sum():
                result, colour = "\u2717 diverged", view.RED
            elif counts["descending"] == 0:
                result, colour = "stalled", view.YELLOW
            else:
                result, colour = "", view.DIM
            rows.append((view.squad_colour(k), self.squad_label(k), self.settings(k), result, colour))
        return rows

    def arrows(self, e) -> tuple:
        """The arrows on the map: the whole step's, or the current sub-step's."""
        return e.arrows if self.cursor is None else e.substeps[self.cursor - 1].arrows

    def _draw_arrows(self, surface, e):
        view.draw_arrows(surface, self.camera, e.x, self.arrows(e), self.scale)
        if e.moves and (self.cursor is None or self.cursor == len(e.substeps)):
            view.draw_target(surface, self.camera, e.new_x, self.scale)

    def _draw_network(self, surface):
        """The selected unit's decision boundary, in the corner of the map farthest from the spawn."""
        pad = view.px(12, self.scale)
        room = self.map_rect.inflate(-2 * pad, -2 * pad)
        spawn = np.asarray(self.camera.pos2pix(self.level.spawn_center), float)
        placed = [place_inset(self.network, room, self.scale * INSET_SCALE, corner) for corner in INSET_CORNERS]
        rect, scale = max(placed, key=lambda p: np.hypot(*(np.asarray(p[0].center) - spawn)))
        members = np.flatnonzero(self.world.squad == self.squad)
        draw_decision_inset(surface, rect, self.network, self.world.positions[self.unit], view.squad_colour(self.squad),
                            f"unit {np.searchsorted(members, self.unit) + 1}", scale)

    def sweep_rect(self) -> pygame.Rect:
        """The sweep overlay: SWEEP_SHARE of the window, centred."""
        w, h = self.app.screen.get_size()
        box = pygame.Rect(0, 0, int(w * SWEEP_SHARE), int(h * SWEEP_SHARE))
        box.center = (w // 2, h // 2)
        return box

    def _draw_sweep(self, surface):
        from .sweep_map import draw_sweep
        box = self.sweep_rect()
        draw_sweep(surface, box, self.sweep_result(), self.level, self.world.orders[self.squad].optimizer,
                   min_size=view.px(SWEEP_TYPE, self.scale))
        pygame.draw.rect(surface, view.EDGE, box.inflate(4, 4), 2)
        view.draw_tag(surface, (box.right, box.bottom + view.px(8, self.scale)), "W or Esc closes", self.scale)

    def _draw_panel(self, surface, e):
        squad = self.squad
        members = np.flatnonzero(self.world.squad == squad)
        who = f"squad {squad + 1}  \u00b7  unit {np.searchsorted(members, self.unit) + 1} of {len(members)}  " \
              f"\u00b7  {e.status}"
        header = (view.squad_colour(squad), self.squad_label(squad), who,
                  f"step {self.world.step_count} / {self.level.budget}", *self.clock_state(e))
        drawn = {kind for kind, _, _ in self.arrows(e)}
        kinds = [k for k in view.ARROW_COLOURS if k in drawn or k != "carry"]
        velocity = self.world.orders[squad].optimizer in MOMENTUM_SYMBOL        # SGD, AdaGrad: no velocity
        view.draw_panel(surface, self.panel_rect, e, self.cursor, header, kinds, self.show_ghost, self.scale, velocity)

    def clock_state(self, e) -> tuple:
        if self.over:
            return "RACE OVER" if self.world.n_squads > 1 else "OVER", view.DIM
        if self.cursor is not None:
            return f"SUB-STEP {self.cursor} OF {len(e.substeps)}", view.YELLOW
        if self.show_card or self.paused:
            return "PAUSED", view.YELLOW
        return f"\u25b6 RUNNING {self.speed}\u00d7", view.GREEN


# -- the window ---------------------------------------------------------------------------------------
class ClassroomApp(App):
    """The game's app loop with a Classroom as its only scene."""

    def __init__(self, level: sim.Level, race=None, autoplay=False, scale=1.0, **app_options):
        self._classroom = (level, race, autoplay, scale)
        super().__init__(**app_options)

    def _start(self, level, replay):
        level, race, autoplay, scale = self._classroom
        self.push(Classroom(self, level, race=race, autoplay=autoplay, scale=scale))


def default_size(headless: bool) -> tuple:
    """1920x1080, or the desktop if it is smaller; 1280x720 without a display."""
    if headless:
        return (1280, 720)
    pygame.display.init()
    desktops = pygame.display.get_desktop_sizes()
    w, h = desktops[0] if desktops else (1920, 1080)
    return (min(1920, w), min(1080, h))


def open_classroom(level: sim.Level, race=None, autoplay=False, scale=1.0, size=None, fullscreen=False,
                   data_dir=None) -> ClassroomApp:
    """The classroom window (raises pygame.error when no window can open). Without a display
    (SDL's dummy driver) the clock is fixed: every frame lasts 1 / HEADLESS_FPS s."""
    headless = os.environ.get("SDL_VIDEODRIVER") in ("dummy", "offscreen")
    return ClassroomApp(level, race, autoplay, scale, size=size or default_size(headless), data_dir=data_dir,
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
