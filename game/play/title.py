"""The title screen: the game's name over a live descent (units raining onto a map in three squads,
each with its own orders), and the main menu: the campaign, endless mode (procedural maps until the first
loss, with a high-score table), uncharted ground (one random map), quit."""
from __future__ import annotations

import dataclasses
import time

import numpy as np
import pygame

import sim
from game.app import Scene
from game.view.camera import Camera
from game.view.relief_camera import ReliefCamera
from game.view.widgets import ACCENT, MUTED, SHADE, TEXT, Button, backdrop, text, text_width
from game.view.world_view import draw_world

TITLE_LEVEL = "08-himmelblau"     # the terrain behind the title screen (falls back to the first level)
TITLE_UNITS = 45                  # units raining onto it, spread over the whole map
TITLE_SQUADS = (("momentum", 0.01, 0.9), ("adam", 0.05, 0.9), ("sgd", 0.02, 0.0))   # their orders
RANDOM_DIFFICULTY = "normal"
TITLE_YAW = 30.0                  # the sand table behind the title is seen from this heading [deg] ...
TITLE_ZOOM = 1.2                  # ... this much closer than the whole table


class Title(Scene):
    """The game's name over a live descent, and the main menu."""
    name = "title"

    def __init__(self, app):
        super().__init__(app)
        names = sim.campaign()
        name = TITLE_LEVEL if TITLE_LEVEL in names else (names[0] if names else "random:1")
        level = sim.load_level(name)
        self.art = app.map_art(level)
        # the units behind the title wander for ever: their goal is moved far off the map
        self.level = dataclasses.replace(level, global_min=np.array([1e12, 1e12]))
        if getattr(app, "view", "relief") == "relief":            # the sand table, seen from a corner
            self.camera = ReliefCamera(self.art.ground, pygame.Rect(0, 0, 1280, 720), yaw=TITLE_YAW)
        else:
            self.camera = Camera(self.level.bounds, pygame.Rect(0, 0, 1280, 720))
        self._new_world()
        self._ticks = 0.0
        self.buttons = []

    def _new_world(self):
        """Units dropped all over the map in three squads, each with its own orders."""
        rng = np.random.default_rng(self.app.frames)
        (x0, x1), (y0, y1) = self.level.bounds
        spawn = np.column_stack([rng.uniform(x0, x1, TITLE_UNITS), rng.uniform(y0, y1, TITLE_UNITS)])
        self.world = sim.World(self.level, seed=self.app.frames, units=TITLE_UNITS, spawn=spawn)
        for k, (optimizer, lr, momentum) in enumerate(TITLE_SQUADS):
            self.world.assign(np.arange(k, TITLE_UNITS, len(TITLE_SQUADS)), k)
            self.world.set_orders(k, optimizer, lr, momentum)

    def layout(self, size, scale):
        self.size, self.scale = size, scale
        w, h = size
        self.camera.set_viewport(pygame.Rect(0, 0, w, h))
        if isinstance(self.camera, ReliefCamera):
            self.camera.fit()
            self.camera.zoom_at((w // 2, h // 2), TITLE_ZOOM)          # the table a little larger than the window
        else:
            (x0, x1), (y0, y1) = self.level.bounds
            self.camera.zoom = max(w / (x1 - x0), h / (y1 - y0))   # fill the window
        bw, bh, gap = int(300 * scale), int(48 * scale), int(14 * scale)
        x, y = w // 2 - bw // 2, int(h * 0.5)
        items = [("Campaign", self.open_campaign, True), ("Endless", self.open_endless, False),
                 ("Uncharted ground", self.open_random, False), ("Quit", self.app.pop, False)]
        self.buttons = [Button((x, y + k * (bh + gap), bw, bh), label, action, size=int(18 * scale), primary=p)
                        for k, (label, action, p) in enumerate(items)]

    def open_campaign(self):
        self.app.open("campaign")

    def open_endless(self):
        self.app.open("endless")

    def open_random(self):
        seed = int(time.time() * 1000) % 100_000
        self.app.open("briefing", sim.load_level(f"random:{seed}:{RANDOM_DIFFICULTY}"))

    def handle(self, event) -> bool:
        if event.type == pygame.KEYDOWN and event.key in (pygame.K_RETURN, pygame.K_KP_ENTER, pygame.K_SPACE):
            self.open_campaign()
            return True
        return any(b.handle(event) for b in self.buttons)

    def update(self, dt):
        self._ticks += dt * 12
        steps, self._ticks = int(self._ticks), self._ticks % 1
        self.world.step(steps)
        if not (self.world.status == sim.DESCENDING).any() or self.world.step_count > 400:
            self._new_world()

    def draw(self, surface):
        s, (w, h) = self.scale, self.size
        draw_world(surface, self.world, self.camera, self.art, time_s=self.app.time_s, show_spawn=False)
        shade = pygame.Surface((w, h), pygame.SRCALPHA)
        shade.fill((*SHADE, 150))
        surface.blit(shade, (0, 0))
        text(surface, "VALLEY COMMAND", (w // 2, int(h * 0.2)), int(64 * s), TEXT, bold=True, anchor="midtop")
        text(surface, "Gradient descent, played as a real-time strategy game", (w // 2, int(h * 0.2 + 84 * s)),
             int(20 * s), ACCENT, anchor="midtop")
        for b in self.buttons:
            b.draw(surface)
        names = sim.campaign()
        earned = sum(self.app.progress.stars(n) for n in names)
        footer = f"Campaign stars  {earned} / {3 * len(names)}     \u00b7     F11 fullscreen     \u00b7     Esc quits"
        strip = pygame.Rect(0, 0, text_width(footer, int(14 * s)) + int(40 * s), int(34 * s))
        strip.midbottom = (w // 2, h - int(18 * s))
        backdrop(surface, strip, alpha=190, radius=int(17 * s), edge=None)
        text(surface, footer, strip.center, int(14 * s), MUTED, anchor="center")
