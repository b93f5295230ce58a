"""Widgets every screen uses: text, backdrops, star ratings, buttons, sliders and pickers.
Each widget draws itself on a surface and, if it is interactive, takes pygame events through
``handle(event) -> bool`` (True when it used the event).

All sizes are pixels [px]; all text is DejaVu Sans from ``game.fonts``. Colours are the
war-room theme below: a dark slate panel, pale text, one amber accent for what can be pressed.
"""
from __future__ import annotations

import math
from contextlib import contextmanager
from functools import lru_cache

import pygame

from .fonts import font

# -- theme -------------------------------------------------------------------------------------
PANEL = (17, 25, 33)             # HUD panel background
PANEL_EDGE = (52, 68, 80)
CARD = (27, 38, 49)              # raised boxes inside the panel
CARD_HOVER = (38, 53, 67)
TEXT = (228, 233, 236)
MUTED = (140, 156, 168)
FAINT = (84, 100, 112)
ACCENT = (240, 180, 70)          # amber: the thing to press, the active choice
ACCENT_DARK = (60, 45, 20)
GOOD = (112, 214, 140)
BAD = (236, 96, 88)
STATUS_COLOURS = {"descending": (130, 190, 250), "arrived": GOOD, "trapped": (236, 190, 84), "diverged": BAD}
SHADE = (8, 12, 16)              # translucent backdrops over the map


@lru_cache(maxsize=1024)
def rendered(s: str, size: int, colour=TEXT, bold=False, mono=False) -> pygame.Surface:
    """A line of text as an image (cached: the HUD draws the same lines every frame)."""
    return font(size, bold, mono).render(s, True, colour)


# -- what was drawn, for the tests: every text with its rect and the box it must fit in ----------
_LOG: list | None = None         # while recording: (text, rect, box or None, cut) per text drawn
_BOXES: list = []                # the boxes the text being drawn must fit in, innermost last


@contextmanager
def recording_text():
    """Record every ``text()`` drawn in the block as (s, rect, box, cut): ``box`` is the innermost
    ``text_box`` it was drawn in (None outside any), ``cut`` is True for a string ``ellipsize`` cut."""
    global _LOG
    old, _LOG = _LOG, []
    try:
        yield _LOG
    finally:
        _LOG = old


@contextmanager
def text_box(rect):
    """Declare that the text drawn in the block must fit inside ``rect`` [px] (see ``recording_text``)."""
    _BOXES.append(pygame.Rect(rect))
    try:
        yield
    finally:
        _BOXES.pop()


def text(surface, s: str, pos, size: int, colour=TEXT, bold=False, mono=False, anchor="topleft"):
    """Draw ``s`` with its ``anchor`` ('topleft', 'midtop', 'center', 'midright'...) at ``pos``; returns its rect."""
    img = rendered(s, int(size), tuple(colour), bold, mono)
    rect = img.get_rect(**{anchor: (int(pos[0]), int(pos[1]))})
    surface.blit(img, rect)
    if _LOG is not None:
        _LOG.append((s, rect, _BOXES[-1].copy() if _BOXES else None, False))
    return rect


def text_width(s: str, size: int, bold=False) -> int:
    return font(size, bold).size(s)[0]


def wrap(s: str, size: int, width: int, bold=False) -> list[str]:
    """Words of ``s`` into lines no wider than ``width`` px."""
    f, lines, line = font(size, bold), [], ""
    for word in s.split():
        trial = f"{line} {word}".strip()
        if line and f.size(trial)[0] > width:
            lines.append(line)
            line = word
        else:
            line = trial
    return lines + [line] if line else lines


def ellipsize(s: str, size: int, width: int, bold=False) -> str:
    """``s``, cut short with an ellipsis if it is wider than ``width`` px."""
    f = font(size, bold)
    if f.size(s)[0] <= width:
        return s
    whole = s
    while s and f.size(s + "\u2026")[0] > width:
        s = s[:-1]
    if _LOG is not None:
        _LOG.append((whole, None, _BOXES[-1].copy() if _BOXES else None, True))
    return s.rstrip() + "\u2026"


def backdrop(surface, rect, alpha=200, colour=SHADE, radius=8, edge=PANEL_EDGE):
    """A translucent rounded box (drawn before the text that sits on it)."""
    rect = pygame.Rect(rect)
    box = pygame.Surface(rect.size, pygame.SRCALPHA)
    pygame.draw.rect(box, (*colour, alpha), box.get_rect(), border_radius=radius)
    surface.blit(box, rect)
    if edge:
        pygame.draw.rect(surface, edge, rect, 1, border_radius=radius)


def star_points(center, radius):
    """The ten corners of a five-pointed star [px]."""
    cx, cy = center
    return [(cx + (radius if k % 2 == 0 else radius * 0.45) * math.sin(k * math.pi / 5),
             cy - (radius if k % 2 == 0 else radius * 0.45) * math.cos(k * math.pi / 5)) for k in range(10)]


def draw_stars(surface, center, earned: int, radius: int, of: int = 3, gap=None):
    """``of`` stars in a row centred on ``center``, the first ``earned`` of them filled."""
    gap = gap or radius * 2.4
    x0 = center[0] - gap * (of - 1) / 2
    for k in range(of):
        pts = star_points((x0 + k * gap, center[1]), radius)
        if k < earned:
            pygame.draw.polygon(surface, ACCENT, pts)
        else:
            pygame.draw.polygon(surface, FAINT, pts, max(1, radius // 8))


def draw_lock(surface, center, size: int, colour=MUTED):
    """A small padlock: a shackle arc over a body."""
    cx, cy = center
    body = pygame.Rect(0, 0, size, int(size * 0.75))
    body.midtop = (cx, cy - size * 0.1)
    shackle = pygame.Rect(0, 0, int(size * 0.64), int(size * 0.8))
    shackle.midbottom = (cx, body.top + size * 0.3)
    pygame.draw.arc(surface, colour, shackle, 0, math.pi, max(2, size // 7))
    pygame.draw.rect(surface, colour, body, border_radius=max(1, size // 8))


# -- interactive widgets -------------------------------------------------------------------------
class Button:
    """A labelled box that calls ``on_click`` when pressed with the left mouse button."""

    def __init__(self, rect, label: str, on_click, size=15, primary=False, enabled=True, selected=False,
                 colour=None):
        self.rect, self.label, self.on_click = pygame.Rect(rect), label, on_click
        self.size, self.primary, self.enabled, self.selected = size, primary, enabled, selected
        self.colour = colour             # a squad colour for squad tabs
        self.hover = False

    def handle(self, event) -> bool:
        if event.type == pygame.MOUSEMOTION:
            self.hover = self.rect.collidepoint(event.pos)
        elif event.type == pygame.MOUSEBUTTONDOWN and event.button == 1 and self.rect.collidepoint(event.pos):
            if self.enabled:
                self.on_click()
            return True
        return False

    def draw(self, surface):
        r = self.rect
        if not self.enabled:
            fill, fg, edge = CARD, FAINT, PANEL_EDGE
        elif self.primary:
            fill, fg, edge = (ACCENT if not self.hover else (255, 200, 100)), (20, 20, 20), ACCENT
        elif self.selected:
            fill, fg, edge = ACCENT_DARK, ACCENT, ACCENT
        else:
            fill, fg, edge = (CARD_HOVER if self.hover else CARD), TEXT, PANEL_EDGE
        if self.colour is not None and self.enabled:
            fill, fg = (self.colour, (12, 16, 20)) if self.selected else (CARD, self.colour)
            edge = TEXT if self.selected else self.colour
        pygame.draw.rect(surface, fill, r, border_radius=5)
        pygame.draw.rect(surface, edge, r, 2 if self.selected or self.primary else 1, border_radius=5)
        text(surface, self.label, r.center, self.size, fg, bold=self.primary or self.selected, anchor="center")


class Slider:
    """A horizontal slider over [low, high]; ``log=True`` spaces it by orders of magnitude.

    Values are kept to ``digits`` significant digits (0.5, not 0.49873), so orders read cleanly.
    """

    def __init__(self, rect, label: str, low: float, high: float, value: float, on_change,
                 log=False, digits=2, size=14, enabled=True, note=""):
        self.rect, self.label = pygame.Rect(rect), label
        self.low, self.high, self.log, self.digits = float(low), float(high), log, digits
        self.value, self.on_change = float(value), on_change
        self.size, self.enabled, self.note = size, enabled and high > low, note
        self.dragging = False

    @property
    def knob_radius(self) -> int:
        return max(6, int(self.size * 0.6))

    @property
    def track(self) -> pygame.Rect:
        """The bar the knob runs along, below the label row."""
        r = self.knob_radius
        cy = self.rect.y + int(self.size * 1.45) + r
        return pygame.Rect(self.rect.x + r, cy - 2, self.rect.width - 2 * r, 4)

    @staticmethod
    def height(size: int) -> int:
        """The height a slider with text ``size`` needs: label, knob, range labels [px]."""
        return int(size * 1.45) + 2 * max(6, int(size * 0.6)) + int(max(9, size - 3) * 1.3)

    def fraction(self, value: float) -> float:
        if self.high <= self.low:
            return 0.0
        if self.log:
            return (math.log(value) - math.log(self.low)) / (math.log(self.high) - math.log(self.low))
        return (value - self.low) / (self.high - self.low)

    def x_for(self, value: float) -> int:
        """The pixel column where ``value`` sits on the track."""
        t = min(1.0, max(0.0, self.fraction(value)))
        return int(round(self.track.x + t * self.track.width))

    def value_at(self, x: float) -> float:
        t = min(1.0, max(0.0, (x - self.track.x) / max(1, self.track.width)))
        v = (math.exp(math.log(self.low) + t * (math.log(self.high) - math.log(self.low))) if self.log
             else self.low + t * (self.high - self.low))
        v = float(f"{v:.{self.digits}g}") if self.log else round(v, self.digits)
        return min(self.high, max(self.low, v))

    def _set_from(self, x):
        v = self.value_at(x)
        if v != self.value:
            self.value = v
            self.on_change(v)

    def handle(self, event) -> bool:
        if event.type == pygame.MOUSEBUTTONDOWN and event.button == 1:
            if self.rect.collidepoint(event.pos):
                if self.enabled:
                    self.dragging = True
                    self._set_from(event.pos[0])
                return True
        elif event.type == pygame.MOUSEMOTION and self.dragging:
            self._set_from(event.pos[0])
            return True
        elif event.type == pygame.MOUSEBUTTONUP and event.button == 1 and self.dragging:
            self.dragging = False
            return True
        return False

    def draw(self, surface):
        on = self.enabled
        text(surface, self.label, (self.rect.x + 2, self.rect.y), self.size, TEXT if on else FAINT)
        shown = f"{self.value:.3g}" if self.log else f"{self.value:.2f}"
        text(surface, self.note or shown, (self.rect.right - 2, self.rect.y), self.size,
             ACCENT if on else FAINT, bold=on, mono=False, anchor="topright")
        track = self.track
        pygame.draw.rect(surface, CARD_HOVER, track, border_radius=2)
        if on:
            filled = track.copy()
            filled.width = self.x_for(self.value) - track.x
            pygame.draw.rect(surface, ACCENT, filled, border_radius=2)
            r = self.knob_radius
            pygame.draw.circle(surface, ACCENT, (self.x_for(self.value), track.centery), r)
            pygame.draw.circle(surface, PANEL, (self.x_for(self.value), track.centery), r, 2)
            small = max(9, self.size - 3)
            text(surface, f"{self.low:g}", (self.rect.x + 2, track.centery + r), small, FAINT)
            text(surface, f"{self.high:g}", (self.rect.right - 2, track.centery + r), small, FAINT, anchor="topright")


class Picker:
    """Mutually exclusive choices laid out as a grid of buttons (the optimizer picker)."""

    def __init__(self, rect, options: list[str], labels: dict, selected: str, on_pick, size=14, columns=3):
        self.rect, self.options, self.selected, self.on_pick = pygame.Rect(rect), list(options), selected, on_pick
        cols = min(columns, len(self.options))
        rows = math.ceil(len(self.options) / cols)
        gap = 6
        w = (self.rect.width - gap * (cols - 1)) / cols
        h = (self.rect.height - gap * (rows - 1)) / rows
        self.buttons = {}
        for i, name in enumerate(self.options):
            r, c = divmod(i, cols)
            box = (self.rect.x + c * (w + gap), self.rect.y + r * (h + gap), w, h)
            self.buttons[name] = Button(box, labels.get(name, name), lambda n=name: self._pick(n), size=size,
                                        selected=(name == selected))

    @staticmethod
    def height(n_options: int, row: int, columns=3) -> int:
        rows = math.ceil(n_options / min(columns, n_options))
        return rows * row + (rows - 1) * 6

    def _pick(self, name):
        if name != self.selected:
            self.selected = name
            for n, b in self.buttons.items():
                b.selected = n == name
            self.on_pick(name)

    def handle(self, event) -> bool:
        return any(b.handle(event) for b in self.buttons.values())

    def draw(self, surface):
        for b in self.buttons.values():
            b.draw(surface)
