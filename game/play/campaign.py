"""The campaign map: every campaign level as a card with a picture of its terrain and its stars,
the focused level's lesson and best result underneath. A level opens once the one before it is won."""
from __future__ import annotations

import math

import pygame

import sim
from game.app import Scene
from game.view.camera import Camera
from game.view.names import level_number
from game.view.widgets import (ACCENT, CARD, CARD_HOVER, FAINT, MUTED, PANEL, PANEL_EDGE, TEXT, Button, draw_lock,
                               draw_stars, ellipsize, text, wrap)


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
        edge = (ACCENT if open_ else MUTED) if focus else PANEL_EDGE       # a locked card shows the focus too, muted
        pygame.draw.rect(surface, edge, rect, 2 if focus else 1, border_radius=8)

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
        top = r.y + int(26 * s)
        for size in range(int(15 * s), int(10 * s) - 1, -1):            # wrapped, then smaller: never cut
            lines = wrap(line, size, r.width)
            if len(lines) * int(size * 1.3) <= self.back_button.rect.y - int(6 * s) - top:
                break
        for k, words in enumerate(lines):
            text(surface, words, (r.x, top + k * int(size * 1.3)), size, MUTED)


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
