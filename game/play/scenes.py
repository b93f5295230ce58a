"""The screens before a battle: title, campaign map and briefing (the results are in ``results.py``).

Each is a ``Scene`` (see ``game.app``): it lays itself out for the window size, takes events,
draws, and asks the app for the next scene by name. Buttons carry their keyboard shortcut in
their label where they have one.
The briefing of a neural-network level adds a card with the hidden units' activation and its
derivative under the map (``game.view.nn_view``).
"""
from __future__ import annotations

import dataclasses
import math
import time

import numpy as np
import pygame

import sim
from sim.nn import landscape_of

from game.app import Scene
from game.view.camera import Camera
from game.view.names import OPTIMIZER_LABELS
from game.view.nn_view import card_height, draw_activation_card
from game.view.render import Fog, draw_map, labelled_fit_area
from game.view.widgets import (ACCENT, CARD, CARD_HOVER, FAINT, MUTED, PANEL, PANEL_EDGE, SHADE, TEXT, Button,
                               backdrop, draw_lock, draw_stars, ellipsize, text, text_width, wrap)

TITLE_LEVEL = "08-himmelblau"     # the terrain behind the title screen (falls back to the first level)
TITLE_UNITS = 45                  # units raining onto it, spread over the whole map
TITLE_SQUADS = (("momentum", 0.01, 0.9), ("adam", 0.05, 0.9), ("sgd", 0.02, 0.0))   # their orders
RANDOM_DIFFICULTY = "normal"


def level_number(level_id: str) -> str:
    """'03-ravine' -> '03'; other names give ''."""
    head = level_id.split("-", 1)[0]
    return head if head.isdigit() else ""


# -- title -----------------------------------------------------------------------------------------
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
        (x0, x1), (y0, y1) = self.level.bounds
        self.camera.zoom = max(w / (x1 - x0), h / (y1 - y0))       # fill the window
        bw, bh, gap = int(300 * scale), int(48 * scale), int(14 * scale)
        x, y = w // 2 - bw // 2, int(h * 0.5)
        items = [("Campaign", self.open_campaign, True), ("Uncharted ground", self.open_random, False),
                 ("Quit", self.app.pop, False)]
        self.buttons = [Button((x, y + k * (bh + gap), bw, bh), label, action, size=int(18 * scale), primary=p)
                        for k, (label, action, p) in enumerate(items)]

    def open_campaign(self):
        self.app.open("campaign")

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
        draw_map(surface, self.world, self.camera, self.art, time_s=self.app.time_s)
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


# -- campaign ----------------------------------------------------------------------------------------
class Campaign(Scene):
    """Every campaign level as a card with its stars; a level opens once the one before it is won."""
    name = "campaign"

    def __init__(self, app):
        super().__init__(app)
        self.names = sim.campaign()
        self.levels: list = [None] * len(self.names)     # loaded one per frame (finding minima takes a while)
        self.focus = self._first_unwon()
        self.cards: list[pygame.Rect] = []
        self.hover = -1
        self._thumbs: dict = {}

    def _first_unwon(self) -> int:
        for i, name in enumerate(self.names):
            if not self.app.progress.won(name):
                return i
        return 0

    def unlocked(self, i: int) -> bool:
        return self.app.progress.unlocked(self.names, i)

    def level(self, i: int) -> sim.Level:
        if self.levels[i] is None:
            self.levels[i] = sim.load_level(self.names[i])
        return self.levels[i]

    def update(self, dt):
        waiting = [i for i, level in enumerate(self.levels) if level is None]
        if waiting:
            self.level(waiting[0])

    def layout(self, size, scale):
        self.size, self.scale = size, scale
        w, h = size
        n = max(1, len(self.levels))
        self.columns = cols = 3 if n <= 6 else 4
        rows = math.ceil(n / cols)
        margin, gap = int(48 * scale), int(16 * scale)
        top, bottom = int(118 * scale), h - int(132 * scale)      # cards between; the focused level's lesson below
        cw = (w - 2 * margin - (cols - 1) * gap) // cols
        ch = min(int(150 * scale), (bottom - top - (rows - 1) * gap) // rows)
        self.cards = [pygame.Rect(margin + (i % cols) * (cw + gap), top + (i // cols) * (ch + gap), cw, ch)
                      for i in range(n)]
        self.detail = pygame.Rect(margin, bottom + gap, w - 2 * margin, int(56 * scale))
        self._thumbs.clear()
        bh = int(40 * scale)
        self.back_button = Button((margin, h - int(20 * scale) - bh, int(150 * scale), bh),
                                  "\u2039  Back  (Esc)", self.back, size=int(14 * scale))

    def open(self, i: int):
        if 0 <= i < len(self.levels) and self.unlocked(i):
            self.app.open("briefing", self.level(i))

    def handle(self, event) -> bool:
        if self.back_button.handle(event):
            return True
        if event.type == pygame.MOUSEMOTION:
            self.hover = next((i for i, r in enumerate(self.cards) if r.collidepoint(event.pos)), -1)
        elif event.type == pygame.MOUSEBUTTONDOWN and event.button == 1:
            for i, r in enumerate(self.cards):
                if r.collidepoint(event.pos):
                    self.focus = i
                    self.open(i)
                    return True
        elif event.type == pygame.KEYDOWN:
            cols = self.columns
            move = {pygame.K_RIGHT: 1, pygame.K_LEFT: -1, pygame.K_DOWN: cols, pygame.K_UP: -cols}
            if event.key in move:
                self.focus = max(0, min(len(self.levels) - 1, self.focus + move[event.key]))
                self.hover = -1
            elif event.key in (pygame.K_RETURN, pygame.K_KP_ENTER, pygame.K_SPACE):
                self.open(self.focus)
        return False

    def _thumb(self, i: int, rect: pygame.Rect) -> pygame.Surface:
        """A small picture of a level's terrain (cached until the next layout)."""
        if i not in self._thumbs:
            level = self.levels[i]
            surf = pygame.Surface(rect.size)
            cam = Camera(level.bounds, surf.get_rect())
            cam.zoom = max(rect.width / (level.bounds[0][1] - level.bounds[0][0]),
                           rect.height / (level.bounds[1][1] - level.bounds[1][0]))
            img, at = self.app.map_art(level, thumbnail=True).view(cam)
            surf.blit(img, at)
            self._thumbs[i] = surf
        return self._thumbs[i]

    def draw(self, surface):
        s, w = self.scale, self.size[0]
        surface.fill(PANEL)
        margin = int(48 * s)
        text(surface, "Campaign", (margin, int(36 * s)), int(34 * s), TEXT, bold=True)
        earned = sum(self.app.progress.stars(n) for n in self.names)
        text(surface, f"{earned} / {3 * len(self.names)} stars", (w - margin, int(44 * s)), int(18 * s), ACCENT,
             anchor="topright")
        text(surface, "Each valley teaches one thing about gradient descent. Win a level to open the next.",
             (margin, int(80 * s)), int(15 * s), MUTED)
        for i, rect in enumerate(self.cards):
            self._draw_card(surface, i, rect)
        self._draw_detail(surface)
        self.back_button.draw(surface)
        text(surface, "Click a level, or use the arrows and Enter", (w - margin, self.back_button.rect.centery),
             int(13 * s), FAINT, anchor="midright")

    def _draw_card(self, surface, i, rect):
        s, level, open_ = self.scale, self.levels[i], self.unlocked(i)
        focus = i == (self.hover if self.hover >= 0 else self.focus)
        pygame.draw.rect(surface, CARD_HOVER if focus and open_ else CARD, rect, border_radius=8)
        if level is None:
            text(surface, "loading\u2026", rect.center, int(13 * s), FAINT, anchor="center")
            return
        pad = int(12 * s)
        side = rect.height - 2 * pad
        thumb = pygame.Rect(rect.x + pad, rect.y + pad, side, side)
        surface.blit(self._thumb(i, thumb), thumb)
        if not open_:
            veil = pygame.Surface(thumb.size, pygame.SRCALPHA)
            veil.fill((*PANEL, 200))
            surface.blit(veil, thumb)
            draw_lock(surface, thumb.center, int(24 * s))
        pygame.draw.rect(surface, PANEL_EDGE, thumb, 1)
        x, tw = thumb.right + pad, rect.right - thumb.right - 2 * pad
        number = level_number(level.id)
        text(surface, f"LEVEL {number}" if number else level.id, (x, thumb.y), int(11 * s),
             ACCENT if open_ else FAINT, bold=True)
        top = thumb.y + int(18 * s)
        size, lines = _fit_title(level.title, tw, thumb.bottom - int(20 * s) - top, s)
        for k, line in enumerate(lines):
            text(surface, line, (x, top + k * int(size * 1.3)), size, TEXT if open_ else FAINT, bold=True)
        if open_:
            draw_stars(surface, (x + int(30 * s), thumb.bottom - int(9 * s)), self.app.progress.stars(level.id),
                       int(9 * s))
        else:
            text(surface, "locked", (x, thumb.bottom), int(12 * s), FAINT, anchor="bottomleft")
        edge = ACCENT if focus and open_ else PANEL_EDGE
        pygame.draw.rect(surface, edge, rect, 2 if focus and open_ else 1, border_radius=8)

    def _draw_detail(self, surface):
        """The lesson and best result of the focused level, under the cards."""
        s, r = self.scale, self.detail
        i = self.hover if self.hover >= 0 else self.focus
        if not 0 <= i < len(self.levels) or self.levels[i] is None:
            return
        level = self.levels[i]
        if not self.unlocked(i):
            line, best = f"Win \u201c{self.level(i - 1).title}\u201d to open this level.", ""
        else:
            line = level.lesson
            result = self.app.progress.levels.get(level.id)
            best = (f"Best: {result['steps']} steps, {result['units_lost']} lost" if result else "Not won yet")
        text(surface, level.title, (r.x, r.y), int(17 * s), TEXT, bold=True)
        if best:
            text(surface, best, (r.right, r.y + int(2 * s)), int(14 * s), ACCENT, anchor="topright")
        text(surface, ellipsize(line, int(15 * s), r.width), (r.x, r.y + int(28 * s)), int(15 * s), MUTED)


def _fit_title(title: str, width: int, height: int, scale: float) -> tuple:
    """(size, lines): a card title in as few lines as fit ``height`` [px] (over the stars or
    'locked' line), each no wider than ``width``; long titles shrink from 16 to 12 (times
    ``scale``) before the last line that fits is cut short with an ellipsis."""
    for size in range(int(16 * scale), int(12 * scale) - 1, -1):
        lines = wrap(title, size, width, bold=True)
        if len(lines) <= max(1, height // int(size * 1.3)):
            break
    keep = max(1, height // int(size * 1.3))
    if len(lines) > keep:
        lines = lines[:keep - 1] + [ellipsize(" ".join(lines[keep - 1:]), size, width, bold=True)]
    return size, [ellipsize(line, size, width, bold=True) for line in lines]


# -- briefing ----------------------------------------------------------------------------------------
class Briefing(Scene):
    """What a level teaches and what the player has to work with, beside the fogged map."""
    name = "briefing"

    def __init__(self, app, level: sim.Level):
        super().__init__(app)
        self.level = level
        self.world = sim.World(level)
        self.art = app.map_art(level)
        self.network = landscape_of(level.terrain)     # the network behind an NN level, else None
        self.card_rect = None
        self.fog = Fog(level)
        self.fog.reveal(self.world.positions)
        self.camera = Camera(level.bounds, pygame.Rect(0, 0, 400, 400))

    def layout(self, size, scale):
        self.size, self.scale = size, scale
        w, h = size
        margin = int(48 * scale)
        side = min(h - 2 * margin, int(w * 0.45))
        self.map_rect = pygame.Rect(w - margin - side, (h - side) // 2, side, side)
        if self.network is not None:                 # the activation card under the map, the map smaller
            card_h = card_height(side, self.network.activation, scale)
            self.card_rect = pygame.Rect(w - margin - side, h - margin - card_h, side, card_h)
            map_side = min(side, self.card_rect.y - margin - int(34 * scale))
            self.map_rect = pygame.Rect(self.card_rect.centerx - map_side // 2, margin, map_side, map_side)
        self.camera.set_viewport(self.map_rect, fit_area=labelled_fit_area(self.level, self.camera, self.map_rect))
        self.camera.fit()                                # the widest tick label fits left of the map
        self.text_w = w - side - 3 * margin              # left of the map's column
        bw, bh = int(220 * scale), int(46 * scale)
        y = h - margin - bh
        self.buttons = [Button((margin, y, bw, bh), "Deploy  \u25b6   (Enter)", self.deploy, size=int(16 * scale),
                               primary=True),
                        Button((margin + bw + int(14 * scale), y, int(150 * scale), bh), "Back  (Esc)", self.back,
                               size=int(15 * scale))]

    def deploy(self):
        from .battle import Battle
        self.app.push(Battle(self.app, self.level))

    def handle(self, event) -> bool:
        if event.type == pygame.KEYDOWN and event.key in (pygame.K_RETURN, pygame.K_KP_ENTER, pygame.K_SPACE):
            self.deploy()
            return True
        return any(b.handle(event) for b in self.buttons)

    def draw(self, surface):
        s, lvl = self.scale, self.level
        surface.fill(PANEL)
        margin = int(48 * s)
        x, y, tw = margin, margin, self.text_w
        number = level_number(lvl.id)
        text(surface, f"LEVEL {number}  \u00b7  BRIEFING" if number else "BRIEFING", (x, y), int(13 * s), ACCENT,
             bold=True)
        y += int(26 * s)
        for line in wrap(lvl.title, int(36 * s), tw, bold=True):
            text(surface, line, (x, y), int(36 * s), TEXT, bold=True)
            y += int(46 * s)
        for line in wrap(lvl.lesson, int(17 * s), tw):
            text(surface, line, (x, y), int(17 * s), ACCENT)
            y += int(24 * s)
        y += int(14 * s)
        for line in wrap(lvl.briefing, int(15 * s), tw):
            text(surface, line, (x, y), int(15 * s), TEXT)
            y += int(23 * s)
        y += int(18 * s)
        self._draw_facts(surface, x, y, tw)
        for b in self.buttons:
            b.draw(surface)
        draw_map(surface, self.world, self.camera, self.art, self.fog, time_s=self.app.time_s)
        pygame.draw.rect(surface, PANEL_EDGE, self.map_rect, 1)
        text(surface, "What your units know: only the ground where they stand",
             (self.map_rect.centerx, self.map_rect.bottom + int(8 * s)), int(12 * s), FAINT, anchor="midtop")
        if self.card_rect is not None:
            draw_activation_card(surface, self.card_rect, self.network.activation, s)

    def _draw_facts(self, surface, x, y, width):
        s, lvl = self.scale, self.level
        lo, hi = lvl.lr_range
        facts = [("Optimizers", ", ".join(OPTIMIZER_LABELS[o] for o in lvl.allowed)),
                 ("Learning rate", f"{lo:g} \u2013 {hi:g}   (starts at {lvl.lr:g})"),
                 ("Units", f"{lvl.units}"),
                 ("Step budget", f"{lvl.budget}"),
                 ("Stars", f"win  \u00b7  arrive within {lvl.star_steps} steps  \u00b7  lose at most "
                           f"{lvl.star_units_lost} unit{'s' if lvl.star_units_lost != 1 else ''}")]
        mlo, mhi = lvl.momentum_range
        if mhi > mlo:
            facts.insert(2, ("Momentum", f"{mlo:g} \u2013 {mhi:g}"))
        if lvl.noise > 0:
            facts.append(("Weather", f"noisy gradients (\u03c3 = {lvl.noise:g})"))
        key_w = int(130 * s)
        for key, value in facts:
            text(surface, key.upper(), (x, y + int(2 * s)), int(11 * s), MUTED, bold=True)
            text(surface, ellipsize(value, int(14 * s), width - key_w), (x + key_w, y), int(14 * s), TEXT)
            y += int(24 * s)
