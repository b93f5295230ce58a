"""The battle scene: deploy your squads, then watch them descend.

Deploy: the units stand in the spawn zone. Select them (click, or drag a box), form squads with
Ctrl+1..9, and give each squad its orders in the panel. Enter (or the Start button) begins the
descent.

Descend: the world takes ``STEPS_PER_SECOND`` steps per second at 1x (from a quarter of that to
8 times as many: names.SPEEDS), on a fixed schedule independent of the frame rate: each frame adds
``dt * rate`` to an accumulator and takes one world step per whole unit in it. Orders may change at
any time, a squad may be held and resumed (H), redeployed (right click) or joined by a fresh drop
(L, landing.py); every command is sent through a ``Recorder`` so the run can be saved as a replay.
The fog is the world's own explored record: it lifts where units have been, and a landing may
aim only where it has. When the level is over (out of steps or supply, or nothing moves) the
results are shown.

On a neural-network level a unit's position is a set of network weights: an inset at the map's
top-left shows the decision boundary of the network the chosen unit stands for (``game.view.nn_view``).
"""
from __future__ import annotations

import numpy as np
import pygame

import sim
from sim.nn import landscape_of
from sim.replay import Recorder
from sim.world import MAX_SQUADS
from game.app import Scene
from game.view.advice import loss_hints, ran_out_of_supply
from game.view.names import next_speed, starting_momentum
from game.view.nn_view import place_inset
from game.view.render import SQUAD_COLOURS, Fog, labelled_fit_area
from game.view.viewpoint import Viewpoint
from game.view.widgets import ACCENT, BAD, GOOD, MUTED, TEXT, wrap
from game.view.world_view import unit_pixels

from . import battle_input, battle_screen, landing, retry
from .advice import describe_events
from .event_log import EventLog
from .framing import deploy_area, frame_spawn
from .hud import SquadPanel, battle_layout, squad_name
from .input import Selection
from .schedule_picker import default_schedule

STEPS_PER_SECOND = 15       # world steps per second at 1x speed
MAX_STEPS_PER_FRAME = 64    # a slow frame never triggers more than this (no spiral of death)
RESULTS_DELAY = 1.5         # seconds between the end of a level and the results screen



class Battle(Scene):
    """One level, from deployment to the last step. ``replay`` plays a saved run instead;
    ``previous`` (a finished battle of the same level: a retry) hands over its squads, their orders,
    holds and tempo as the descent began, so the player starts again from the same plan (retry.py)."""
    name = "battle"

    def __init__(self, app, level: sim.Level, replay=None, previous: "Battle | None" = None):
        super().__init__(app)
        self.level, self.replay = level, replay
        self.previous = previous
        self.confirm_leave = False       # Esc during the descent asks first: a second Esc leaves
        self.world = replay.world() if replay is not None else sim.World(level)
        self.recorder = Recorder(self.world)
        self.phase = "deploy"            # then "descend", then "over"
        self.paused, self.speed = False, 1
        self.squad = 0                   # the squad the panel shows
        self.show_help = False
        self.time_s = 0.0
        self._ticks = 0.0                # the fixed-rate accumulator [steps]
        self._over_for = 0.0
        self.new_best = False            # this run beat the saved best
        self.selection = Selection(self.world.n_units)
        self.art = app.map_art(level)
        self.eyes = Viewpoint(level, self.art, getattr(app, "view", "relief"))
        if previous is not None:                 # a retry looks at the table from where the player left it
            self.eyes.table.set_pose(previous.eyes.table.target_yaw, previous.eyes.table.target_elevation)
            self.eyes.table.tilt = previous.eyes.table.tilt
        self.controls = self.eyes.controls
        self.network = landscape_of(level.terrain)     # the network behind an NN level, else None
        self.fog = Fog.of(level, self.world.explored)     # the world's own record: drops land where it lifts
        self.panel = SquadPanel(self)
        self.log = EventLog()
        self._events_seen = 0
        self._first_arrival = False
        self._tally: dict = {}           # units per kind of event and squad so far (advice.describe_events)
        self._minimap_drag = False
        self._deploy_view = {}           # view mode -> (center, zoom) of its deploy close-up, once framed
        self.history = np.full((MAX_SQUADS, level.budget + 1), np.nan)   # best height per squad per step
        self._record_history()
        self.map_rect = self.minimap_rect = self.log_rect = self.inset_rect = pygame.Rect(0, 0, 0, 0)
        self.hint_rect, self._hint_lines = pygame.Rect(0, 0, 0, 0), []
        self.inset_scale = 1.0
        self.opening = None              # the plan as the descent began (retry.py): what a retry starts from
        if previous is not None and replay is None:
            retry.carry_over(self, previous)
            self._record_history()
        if replay is not None:
            replay.apply_due(self.world)
            self.log.add(f"Replay of {level.title}", ACCENT)
            self.start()
        elif previous is not None:
            self.log.add("Retry: your squads and orders as they were at the start. Enter starts", MUTED)
        else:
            self.log.add("Drag a box around units, press Ctrl+1-9 to form a squad, then Enter", MUTED)

    # -- hints ------------------------------------------------------------------------------------
    def loss_hints(self) -> list[str]:
        """After a lost run: what went wrong (from the world's outcome), then the level's own hint
        if it answers that (advice.py ``loss_hints``)."""
        if self.world.won or self.replay is not None:
            return []
        return loss_hints(self.world)

    def deploy_hints(self) -> list[str]:
        """Deploying, once this level has been lost this session: the last loss's advice (on a
        retry) and the level's hint. Before a first loss: nothing (the puzzle stays a puzzle)."""
        if self.replay is not None or not self.app.losses.get(self.level.id):
            return []
        if self.previous is not None and not self.previous.world.won:
            return self.previous.loss_hints()
        return [self.level.hint] if self.level.hint else []
    # -- layout -----------------------------------------------------------------------------------
    def layout(self, size, scale):
        self.scale = scale
        close_up = {mode: self._on_close_up(mode) for mode in ("map", "relief")}   # before the resize moves them
        self.map_rect, panel = battle_layout(size, scale)
        pad = int(14 * scale)
        log_w = min(self.map_rect.width - 2 * pad, int(640 * scale))
        self.log_rect = pygame.Rect(self.map_rect.x + pad, 0, log_w, EventLog.height(int(14 * scale)))
        self.log_rect.bottom = self.map_rect.bottom - pad
        fit = pygame.Rect(self.map_rect.x, self.map_rect.y, self.map_rect.width,   # a fitted map and its tick
                          self.log_rect.y - pad // 2 - self.map_rect.y)            # labels stay above the log
        self.eyes.set_viewport(self.map_rect, map_fit=labelled_fit_area(self.level, self.eyes.map, fit), table_fit=fit)
        bottom = self.panel.layout(panel, scale)
        (x0, x1), (y0, y1) = self.level.bounds
        aspect = (x1 - x0) / (y1 - y0)
        room = panel.bottom - bottom - 2 * pad
        mm_h = min(room, (panel.width - 2 * pad) / aspect, int(260 * scale))
        if mm_h >= 90 * scale:
            self.minimap_rect = pygame.Rect(0, 0, int(mm_h * aspect), int(mm_h))
            self.minimap_rect.midbottom = (panel.centerx, panel.bottom - pad)
        else:                            # a short window: the minimap goes to the map's top-right corner
            side = int(150 * scale)
            self.minimap_rect = pygame.Rect(self.map_rect.right - pad - side, self.map_rect.y + pad,
                                            side, int(side / aspect))
        self._layout_hints(pad, log_w)
        if self.phase == "deploy":              # the close-up on the spawn, clear of the hints (again after a resize)
            for mode, cam in (("map", self.eyes.map), ("relief", self.eyes.table)):
                if mode not in self._deploy_view or close_up[mode]:
                    self._deploy_view[mode] = frame_spawn(cam, self.level, deploy_area(self))
        above = self.hint_rect.y if self._hint_lines else self.log_rect.y
        if self.network is not None:                 # below the banner, above the log, left of the minimap
            top = pad + int(26 * scale) + pad // 2
            room = pygame.Rect(self.map_rect.x + pad, top, self.map_rect.width // 2 - pad, above - pad - top)
            self.inset_rect, self.inset_scale = place_inset(self.network, room, scale)

    def _layout_hints(self, pad, width):
        """The deploy hint box: just above the event log, as wide, wrapped to fit."""
        size = int(13 * self.scale)
        lines = []
        for k, hint in enumerate(self.deploy_hints() if self.phase == "deploy" else []):
            lines += [(line, ACCENT if k == 0 else TEXT) for line in wrap(("Hint: " if k == 0 else "") + hint,
                                                                         size, width - pad)[:3]]
        self._hint_lines = lines
        h = len(lines) * int(size * 1.45) + pad // 2 + 4 if lines else 0
        self.hint_rect = pygame.Rect(self.log_rect.x, self.log_rect.y - pad // 2 - h, width, h)

    def toast_area(self, size, scale):
        """Notices go over the map, below the banner line (never on the F1 help tag)."""
        pad = int(14 * scale)
        top = pad + int(13 * scale) * 2 + pad // 2
        return pygame.Rect(self.map_rect.x, top, self.map_rect.width, self.map_rect.bottom - top)

    # -- commands (the panel and the keys call these) ---------------------------------------------
    @property
    def commanding(self) -> bool:
        """Whether the player may give orders (not in a replay, not after the end)."""
        return self.replay is None and self.phase != "over"

    def orders(self) -> sim.Orders:
        return self.world.orders[min(self.squad, self.world.n_squads - 1)]

    def select_squad(self, squad: int):
        members = self.world.squad == squad
        if not members.any():
            self.log.add(f"{squad_name(squad)} has no units: select some and press Ctrl+{squad + 1}", MUTED)
            return
        self.squad = squad
        self.selection.set(members)

    def form_squad(self, squad: int):
        if not self.commanding:
            return
        if not self.selection.mask.any():
            self.log.add("Select units first: drag a box around them", MUTED)
            return
        self.recorder.assign(self.selection.mask, squad)
        self.squad = squad
        self._record_history()
        n = int(self.selection.mask.sum())
        self.log.add(f"{squad_name(squad)} formed: {n} unit{'s' if n != 1 else ''}", SQUAD_COLOURS[squad])

    def give_orders(self, optimizer=None, lr=None, momentum=None):
        """New orders for the panel's squad, kept inside the level's ranges; they apply from the next step."""
        if not self.commanding:
            return
        if optimizer is not None and optimizer not in self.level.allowed:
            return
        if lr is not None:
            lr = float(np.clip(lr, *self.level.lr_range))
        if momentum is None and optimizer not in (None, self.world.orders[self.squad].optimizer):
            momentum = starting_momentum(optimizer)     # torch's default; 0.9 for Momentum and Nesterov
        if momentum is not None:
            momentum = float(np.clip(momentum, *self.level.momentum_range))
        self.recorder.set_orders(self.squad, optimizer, lr, momentum)

    def give_schedule(self, kind: str):
        """The panel squad follows the schedule ``kind`` from its learning rate (schedule_picker.py)."""
        if not self.commanding or kind not in self.level.schedules or self.squad >= self.world.n_squads:
            return
        lr = float(np.mean(self.world.orders[self.squad].lr))
        self.recorder.set_orders(self.squad, schedule=default_schedule(self.level, kind, lr))

    def toggle_hold(self):
        """H: hold the panel's squad where it stands (it spends no supply), or let it go on."""
        if not self.commanding or not (self.world.squad == self.squad).any():
            return
        if self.world.is_held(self.squad):
            self.recorder.resume(self.squad)
        else:
            self.recorder.hold(self.squad)
        self._log_events()

    def after_landing(self):
        """A drop or a redeploy changed the world: the selection, the fog, the chart and the log follow."""
        self.selection.grow(self.world.n_units)
        self.fog.sync()
        self._record_history()
        self._log_events()

    def _on_close_up(self, mode: str) -> bool:
        """Whether the ``mode`` view's camera still shows the deploy close-up (the player has not moved it)."""
        cam = self.eyes.map if mode == "map" else self.eyes.table
        center, zoom = self._deploy_view.get(mode, (None, None))
        return center is not None and np.array_equal(cam.center, center) and cam.zoom == zoom

    def start(self):
        """Begin the descent; a camera still on the deploy close-up pulls back to the whole map."""
        if self.phase == "deploy":
            self.phase = "descend"
            if self.replay is None:
                self.opening = retry.opening(self)
                self.log.add("Descent started", ACCENT)
            for mode, cam in (("map", self.eyes.map), ("relief", self.eyes.table)):
                if self._on_close_up(mode):
                    cam.fit()

    @property
    def stopped(self) -> bool:
        """Every unit has stopped, and the run waits for a landing (or for Enter, which ends it)."""
        return self.phase == "descend" and self.world.over and landing.may_still_land(self)

    def toggle_pause(self):
        if self.phase == "deploy":
            self.start()
        elif self.stopped:                               # nothing would move: never end the run by a pause key
            self.log.add(landing.STOPPED_WORDS, ACCENT, key="stopped")
        elif self.phase == "descend":
            self.paused = not self.paused

    def step_once(self):
        """Pause and take exactly one step."""
        self.start()
        if self.stopped:
            self.log.add(landing.STOPPED_WORDS, ACCENT, key="stopped")
        elif self.phase == "descend":
            self.paused = True
            self._tick()

    def end_run(self):
        """Enter, or the End run button, while every unit has stopped: the run ends as it stands."""
        if self.stopped:
            self._finish()

    def change_speed(self, direction: int):
        self.speed = next_speed(self.speed, direction)

    def select_all(self):
        self.selection.set(np.ones(self.world.n_units, bool))

    # -- the simulation ---------------------------------------------------------------------------
    def update(self, dt: float):
        self.time_s += dt
        self.log.tick(dt)
        self.selection.grow(self.world.n_units)     # (a replay's drops add units)
        self.fog.sync()
        self.eyes.update(dt)
        if not self.show_help and not self.confirm_leave:
            self.controls.update(dt, self.app.screen.get_size())
        if self.phase == "descend" and not self.paused and not self.show_help and not self.confirm_leave:
            self._ticks += dt * STEPS_PER_SECOND * self.speed
            steps = int(self._ticks)
            self._ticks -= steps
            for _ in range(min(steps, MAX_STEPS_PER_FRAME)):
                self._tick()
                if self.phase != "descend":
                    break
        elif self.phase == "over":
            self._over_for += dt
            if self._over_for >= RESULTS_DELAY:
                from .results import Results
                self.app.replace(Results(self.app, self))

    def _tick(self):
        """One world step, and everything that follows from it. A world that ended only because every
        unit stopped, with supply left for a landing, waits paused for the player (landing.py)."""
        if self.world.over and self.replay is None:          # (never reached while a landing may come)
            self._finish()
            return
        if self.replay is not None:
            self.replay.apply_due(self.world)
        self.world.step()
        self.fog.reveal(self.world.positions)
        self._record_history()
        self._log_events()
        done = self.world.over or (self.replay is not None and self.world.step_count >= self.replay.steps)
        if done and landing.may_still_land(self):
            self.paused = True
            self.log.add(landing.STOPPED_WORDS, ACCENT, key="stopped")
        elif done:
            self._finish()

    def _record_history(self):
        """Each squad's lowest height at this step (the sparkline plots the running best of it)."""
        step = self.world.step_count
        if step < self.history.shape[1]:
            self.history[:, step] = np.nan               # squads re-formed at this step start afresh
            for k in range(self.world.n_squads):
                members = self.world.squad == k
                if members.any():
                    self.history[k, step] = self.world.heights[members].min()

    def _log_events(self):
        new = [e for e in self.world.events[self._events_seen:]     # (a supply of units x budget runs
               if e.kind != "out_of_supply" or e.step < self.level.budget]   # out with the steps: no news)
        self._events_seen = len(self.world.events)
        for line, squad, key in describe_events(new, self._first_arrival, self._tally):
            self.log.add(line, BAD if squad is None else SQUAD_COLOURS[squad], key=key)
        self._first_arrival = self._first_arrival or any(e.kind == "arrived" for e in new)

    def _finish(self):
        self.phase = "over"
        w = self.world
        if w.won:
            self.log.add(f"Valley taken: {w.stars()} star{'s' if w.stars() != 1 else ''}", GOOD)
        elif ran_out_of_supply(w):
            self.log.add("Out of supply", BAD)
        elif w.step_count >= self.level.budget:
            self.log.add("Out of steps", BAD)
        else:
            self.log.add("No unit is still descending", BAD)
        if not w.won and self.replay is None:
            self.app.losses[self.level.id] = self.app.losses.get(self.level.id, 0) + 1
        if w.won and self.replay is None:
            lost = int(((w.status == sim.TRAPPED) | (w.status == sim.DIVERGED)).sum())
            try:
                self.new_best = self.app.progress.record(self.level.id, w.stars(), w.step_count, lost)
            except OSError as err:
                self.app.notify(f"Could not save progress: {err}", seconds=6.0, local=False)

    # -- input ------------------------------------------------------------------------------------
    def unit_pixels(self) -> np.ndarray:
        return unit_pixels(self.world, self.camera)

    def network_unit(self) -> int:
        """The unit whose network the inset shows (battle_screen.network_unit)."""
        return battle_screen.network_unit(self)

    @property
    def camera(self):
        """The camera in use: the sand table's or the map's (V switches)."""
        return self.eyes.camera

    def toggle_view(self):
        """V: relief <-> map; the choice carries over to the next battles of this session."""
        self.app.view = self.eyes.toggle()

    # -- input and drawing (battle_input.py, battle_screen.py) -------------------------------------------
    def handle(self, event) -> bool:
        """Returning False for Esc lets the app leave the battle."""
        return battle_input.handle(self, event)

    def draw(self, surface):
        battle_screen.draw(self, surface)

    def draw_network(self, surface, rect=None, scale=None):
        """The decision-boundary inset of ``network_unit`` (NN levels only), by default at ``inset_rect``."""
        battle_screen.draw_network(self, surface, rect, scale)
