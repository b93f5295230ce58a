"""The campaign map: one row per chapter (``sim.chapters()``, levels/campaign.toml) -- its number,
name and stars on the left, its levels as cards beside them, each with a picture of its terrain and
its stars, a boss marked as such. Over the rows, the focused level's chapter and its theme; under
them, the focused level's lesson and best result. A level opens once the one before it is won.

Arrows: left and right walk the campaign in order, up and down go to the chapter above or below;
Enter opens the focused level, a click the level under the mouse.
"""
from __future__ import annotations


import pygame

import sim
from game.app import Scene
from game.view.camera import Camera
from game.view.names import level_number
from game.view.widgets import (ACCENT, BAD, CARD, CARD_HOVER, FAINT, MUTED, PANEL, PANEL_EDGE, TEXT, Button,
                               draw_lock, draw_stars, ellipsize, star_points, text, text_width, wrap)

HEADING_WIDTH = 170     # the chapters' column [px at scale 1]
MIN_TEXT_WIDTH = 92     # a card keeps at least this much room for its title beside the picture [px at scale 1]
MIN_PICTURE = 28        # ... and shows no picture smaller than this [px at scale 1]


class Campaign(Scene):
    """Every campaign level as a card with its stars, in chapter rows; a level opens once the one
    before it is won."""
    name = "campaign"

    def __init__(self, app):
        super().__init__(app)
        self.chapters = sim.chapters()
        self.names = [name for chapter in self.chapters for name in chapter.levels]
        self.row_of = [k for k, chapter in enumerate(self.chapters) for _ in chapter.levels]   # level -> chapter
        self.levels: list = [None] * len(self.names)     # loaded one per frame (finding minima takes a while)
        self.focus = self._first_unwon()
        self.cards: list[pygame.Rect] = []
        self.headings: list[pygame.Rect] = []
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

    # -- layout -----------------------------------------------------------------------------------
    def layout(self, size, scale):
        self.size, self.scale = size, scale
        w, h = size
        margin, gap = int(40 * scale), int(8 * scale)
        top, bottom = int(104 * scale), h - int(126 * scale)       # the rows between; the focused lesson below
        rows = max(1, len(self.chapters))
        row_h = min(int(100 * scale), (bottom - top - (rows - 1) * gap) // rows)
        head_w = int(HEADING_WIDTH * scale)
        slots = max((len(c.levels) for c in self.chapters), default=1)
        x0 = margin + head_w + gap
        card_w = (w - margin - x0 - (slots - 1) * gap) // slots
        self.headings, self.cards = [], []
        for k, chapter in enumerate(self.chapters):
            y = top + k * (row_h + gap)
            self.headings.append(pygame.Rect(margin, y, head_w, row_h))
            self.cards += [pygame.Rect(x0 + j * (card_w + gap), y, card_w, row_h) for j in range(len(chapter.levels))]
        self.detail = pygame.Rect(margin, bottom + int(14 * scale), w - 2 * margin, int(56 * scale))
        self._thumbs.clear()
        bh = int(40 * scale)
        self.back_button = Button((margin, h - int(16 * scale) - bh, int(150 * scale), bh),
                                  "\u2039  Back  (Esc)", self.back, size=int(14 * scale))

    # -- input ------------------------------------------------------------------------------------
    def open(self, i: int):
        if 0 <= i < len(self.levels) and self.unlocked(i):
            self.app.open("briefing", self.level(i))

    def move(self, key) -> int:
        """The level the arrow ``key`` moves the focus to: left/right the one before/after in the
        campaign, up/down the same place in the chapter above/below (or its last level)."""
        i = self.focus
        if key in (pygame.K_LEFT, pygame.K_RIGHT):
            return max(0, min(len(self.names) - 1, i + (1 if key == pygame.K_RIGHT else -1)))
        row = self.row_of[i] + (1 if key == pygame.K_DOWN else -1)
        if not 0 <= row < len(self.chapters):
            return i
        place = i - self.row_of.index(self.row_of[i])
        return self.row_of.index(row) + min(place, len(self.chapters[row].levels) - 1)

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
            if event.key in (pygame.K_RIGHT, pygame.K_LEFT, pygame.K_DOWN, pygame.K_UP):
                self.focus, self.hover = self.move(event.key), -1
            elif event.key in (pygame.K_RETURN, pygame.K_KP_ENTER, pygame.K_SPACE):
                self.open(self.focus)
        return False

    # -- drawing ----------------------------------------------------------------------------------
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

    def focused(self) -> int:
        return self.hover if self.hover >= 0 else self.focus

    def draw(self, surface):
        s, w = self.scale, self.size[0]
        surface.fill(PANEL)
        margin = self.headings[0].x if self.headings else int(40 * s)
        text(surface, "Campaign", (margin, int(24 * s)), int(32 * s), TEXT, bold=True)
        earned = sum(self.app.progress.stars(n) for n in self.names)
        text(surface, f"{earned} / {3 * len(self.names)} stars", (w - margin, int(32 * s)), int(18 * s), ACCENT,
             anchor="topright")
        if self.chapters:
            k = self.row_of[self.focused()] if self.names else 0
            line = f"Chapter {k + 1} \u00b7 {self.chapters[k].name}: {self.chapters[k].theme}"
            text(surface, ellipsize(line, int(15 * s), w - 2 * margin), (margin, int(68 * s)), int(15 * s), MUTED)
        for k, rect in enumerate(self.headings):
            self._draw_heading(surface, k, rect)
        for i, rect in enumerate(self.cards):
            self._draw_card(surface, i, rect)
        self._draw_detail(surface)
        self.back_button.draw(surface)
        text(surface, "Click a level, or use the arrows and Enter", (w - margin, self.back_button.rect.centery),
             int(13 * s), FAINT, anchor="midright")

    def _draw_heading(self, surface, k: int, rect: pygame.Rect):
        """A chapter's number, name (wrapped, then smaller) and stars, left of its row."""
        s, chapter = self.scale, self.chapters[k]
        first = self.names.index(chapter.levels[0])
        open_ = self.unlocked(first)
        pygame.draw.line(surface, PANEL_EDGE, (rect.right, rect.y + int(4 * s)), (rect.right, rect.bottom - int(4 * s)))
        text(surface, f"CHAPTER {k + 1}", (rect.x, rect.y + int(4 * s)), int(11 * s), ACCENT if open_ else FAINT,
             bold=True)
        top, room = rect.y + int(20 * s), rect.width - int(10 * s)
        bottom = rect.bottom - int(22 * s)
        for size in range(int(16 * s), int(11 * s) - 1, -1):
            lines = wrap(chapter.name, size, room, bold=True)
            if len(lines) * int(size * 1.25) <= max(bottom - top, int(size * 1.25)):
                break
        lines = lines[:max(1, (bottom - top) // int(size * 1.25))]
        for j, words in enumerate(lines):
            text(surface, ellipsize(words, size, room, bold=True), (rect.x, top + j * int(size * 1.25)), size,
                 TEXT if open_ else FAINT, bold=True)
        got = sum(self.app.progress.stars(n) for n in chapter.levels)
        y = rect.bottom - int(10 * s)
        pygame.draw.polygon(surface, ACCENT if got else FAINT, star_points((rect.x + int(7 * s), y), int(7 * s)))
        text(surface, f"{got} / {3 * len(chapter.levels)}", (rect.x + int(18 * s), y), int(13 * s),
             MUTED if open_ else FAINT, anchor="midleft")

    def _draw_card(self, surface, i, rect):
        s, level, open_ = self.scale, self.levels[i], self.unlocked(i)
        focus = i == self.focused()
        pygame.draw.rect(surface, CARD_HOVER if focus and open_ else CARD, rect, border_radius=8)
        if level is not None:
            self._card_face(surface, i, rect, level, open_)
        else:
            text(surface, "loading\u2026", rect.center, int(13 * s), FAINT, anchor="center")
        edge = (ACCENT if open_ else MUTED) if focus else PANEL_EDGE       # a locked card shows the focus too, muted
        pygame.draw.rect(surface, edge, rect, 2 if focus else 1, border_radius=8)

    def card_parts(self, rect: pygame.Rect) -> tuple:
        """How a card is laid out: (picture or None, the title's box, the y of the stars line) [px].
        The picture is square, left, as tall as the card allows while the text keeps MIN_TEXT_WIDTH;
        the number line is on top, the stars line at the bottom, the title between."""
        s = self.scale
        pad = int(8 * s)
        side = min(rect.height - 2 * pad, rect.width - int(MIN_TEXT_WIDTH * s) - 3 * pad)
        picture = None
        if side >= int(MIN_PICTURE * s):
            picture = pygame.Rect(rect.x + pad, rect.y + (rect.height - side) // 2, side, side)
        x = picture.right + pad if picture else rect.x + pad
        edge = int(6 * s)                                   # the text's margin at the card's top and bottom
        star_y = rect.bottom - edge - int(8 * s)
        top = rect.y + edge + int(14 * s)                   # under the number line
        return picture, pygame.Rect(x, top, rect.right - pad - x, star_y - int(10 * s) - top), star_y

    def _card_face(self, surface, i, rect, level, open_):
        """The picture (when the card has room for it), the number, BOSS, the title and the stars."""
        s = self.scale
        picture, box, star_y = self.card_parts(rect)
        if picture is not None:
            surface.blit(self._thumb(i, picture), picture)
            if not open_:
                veil = pygame.Surface(picture.size, pygame.SRCALPHA)
                veil.fill((*PANEL, 200))
                surface.blit(veil, picture)
                draw_lock(surface, picture.center, int(min(24 * s, picture.width * 0.45)))
            pygame.draw.rect(surface, PANEL_EDGE, picture, 1)
        x, tw, top = box.x, box.width, rect.y + int(6 * s)
        boss = self.chapters[self.row_of[i]].is_boss(level.id)
        label = f"LEVEL {level_number(level.id)}"
        tag_w = text_width("BOSS", int(10 * s), bold=True) + int(6 * s) if boss else 0
        if text_width(label, int(10 * s), bold=True) + tag_w > tw:
            label = level_number(level.id)
        text(surface, label, (x, top), int(10 * s), ACCENT if open_ else FAINT, bold=True)
        if boss:
            text(surface, "BOSS", (x + tw, top), int(10 * s), BAD if open_ else FAINT, bold=True, anchor="topright")
        size, lines = _fit_title(level.title, tw, box.height, s)
        for k, line in enumerate(lines):
            text(surface, line, (x, box.y + k * int(size * 1.3)), size, TEXT if open_ else FAINT, bold=True)
        if open_:
            draw_stars(surface, (x + int(23 * s), star_y), self.app.progress.stars(level.id), int(8 * s))
        else:
            text(surface, "locked", (x, star_y), int(11 * s), FAINT, anchor="midleft")

    def _draw_detail(self, surface):
        """The lesson and best result of the focused level, under the rows."""
        s, r = self.scale, self.detail
        i = self.focused()
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
    """(size, lines): a card title in lines no wider than ``width`` and together no taller than
    ``height`` [px]. Every card starts at one size, the largest from 15 down to 10 (times ``scale``)
    at which two lines fit the height, so titles wrap rather than shrink; a title that still needs
    more lines than fit is set smaller, then its last line is cut short with an ellipsis."""
    low = int(10 * scale)
    start = next((size for size in range(int(15 * scale), low - 1, -1) if 2 * int(size * 1.3) <= height), low)
    for size in range(start, low - 1, -1):
        lines = wrap(title, size, width, bold=True)
        if len(lines) <= max(1, height // int(size * 1.3)):
            break
    keep = max(1, height // int(size * 1.3))
    if len(lines) > keep:
        lines = lines[:keep - 1] + [ellipsize(" ".join(lines[keep - 1:]), size, width, bold=True)]
    return size, [ellipsize(line, size, width, bold=True) for line in lines]
