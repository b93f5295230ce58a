"""The classroom's charts and cards: the line-up of squads, the loss-versus-step chart, the level's
briefing card and the announcements over the map.

Every function draws what it is handed and changes nothing else.
"""
from __future__ import annotations

import math

import numpy as np
import pygame

from game.view.explain import SUPERSCRIPT, num
from game.view.names import level_number
from game.view.widgets import text, text_box, text_width, wrap

from .look import BG, CARD, DIM, EDGE, INK, OUTLINE, YELLOW, draw_box, px

CARD_SHRINK = 0.6          # the briefing card's type shrinks to at most this share of its size to fit


def draw_squad_legend(surface, rect, rows, s: float):
    """The line-up beside the loss chart: per squad (colour, name, settings, result, result colour),
    one line each, the type shrunk to fit ``rect``."""
    rect = pygame.Rect(rect)
    pygame.draw.rect(surface, BG, rect)
    pygame.draw.line(surface, EDGE, rect.topleft, rect.topright, 1)
    pad = px(12, s)
    text(surface, "squads", (rect.x + pad, rect.y + px(8, s)), px(14, s), INK, bold=True)
    f = s
    widest = max(text_width(f"{n}  {st}   {r}", px(15, s), bold=True) for _, n, st, r, _ in rows) + px(30, s)
    line = px(26, s)
    room = rect.height - px(40, s)
    f = s * max(0.55, min(1.0, (rect.width - 2 * pad) / widest, room / max(1, line * len(rows))))
    size, line = px(15, f), px(26, f)
    y = rect.y + px(38, s)
    for colour, name, settings, result, result_colour in rows:
        mid = y + line // 2
        pygame.draw.circle(surface, OUTLINE, (rect.x + pad + px(8, f), mid), px(8, f) + 2)
        pygame.draw.circle(surface, colour, (rect.x + pad + px(8, f), mid), px(8, f))
        r = text(surface, name, (rect.x + pad + px(24, f), mid), size, colour, bold=True, anchor="midleft")
        r = text(surface, f"  {settings}", (r.right, mid), size, INK, anchor="midleft")
        text(surface, f"   {result}", (r.right, mid), size, result_colour, bold=True, anchor="midleft")
        y += line


# -- the loss chart ---------------------------------------------------------------------------------
def _nice_ticks(lo: float, hi: float, n: int = 5) -> list:
    """Round numbers from lo to hi, about n of them."""
    span = max(hi - lo, 1e-12)
    step = 10 ** math.floor(math.log10(span / n))
    for m in (1, 2, 5, 10):
        if span / (m * step) <= n:
            step *= m
            break
    first = math.ceil(lo / step) * step
    return [first + k * step for k in range(int((hi - first) / step + 1e-9) + 1)]


def draw_loss_chart(surface, rect, losses, colours, budget: int, log: bool, s: float, highlight: int = -1):
    """Loss above the global minimum, f(x) − f*, against the step: one line per squad.

    ``losses`` is (steps + 1, squads); the x axis spans the level's step budget. ``log`` plots
    log10 of the loss (values below 10⁻⁸ sit on the floor).
    """
    rect = pygame.Rect(rect)
    pygame.draw.rect(surface, BG, rect)
    pygame.draw.line(surface, EDGE, rect.topleft, rect.topright, 1)
    size, small = px(14, s), px(12, s)
    title = text(surface, "loss f(x) − f*", (rect.x + px(12, s), rect.y + px(8, s)), size, INK, bold=True)
    note = f"squad mean · {'log' if log else 'linear'} (L)"
    if title.right + px(20, s) + text_width(note, small) < rect.right - px(12, s):
        text(surface, note, (rect.right - px(12, s), rect.y + px(10, s)), small, DIM, anchor="topright")
    plot = pygame.Rect(rect.x + px(62, s), rect.y + px(38, s), rect.width - px(118, s), rect.height - px(72, s))
    if plot.width < 40 or plot.height < 30:
        return
    data = np.asarray(losses, float)
    values = np.log10(np.maximum(data, 1e-8)) if log else data
    finite = values[np.isfinite(values)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    if not log:
        lo = 0.0
    else:
        lo, hi = math.floor(lo), math.ceil(hi)
    hi = hi if hi > lo else lo + 1.0

    def to_px(step, v):
        return (plot.x + plot.width * step / max(1, budget), plot.bottom - plot.height * (v - lo) / (hi - lo))

    _chart_axes(surface, plot, lo, hi, budget, log, small)
    order = sorted(range(values.shape[1]), key=lambda k: k == highlight)
    for k in order:
        col = values[:, k]
        ok = np.flatnonzero(np.isfinite(col))
        pts = [to_px(i, col[i]) for i in ok]
        width = max(2, px(3.2 if k == highlight else 2.4, s))
        if len(pts) >= 2:
            pygame.draw.lines(surface, colours[k], False, pts, width)
        elif pts:
            pygame.draw.circle(surface, colours[k], pts[0], width)


def _chart_axes(surface, plot, lo, hi, budget, log, size):
    pygame.draw.rect(surface, CARD, plot)
    for v in _nice_ticks(lo, hi, 4) if not log else range(int(lo), int(hi) + 1, max(1, int(hi - lo) // 4 or 1)):
        y = plot.bottom - plot.height * (v - lo) / (hi - lo)
        pygame.draw.line(surface, EDGE, (plot.x, y), (plot.right, y), 1)
        label = f"10{str(int(v)).translate(SUPERSCRIPT)}" if log else num(v, 3)
        text(surface, label, (plot.x - 8, y), size, DIM, anchor="midright")
    for v in _nice_ticks(0, budget, 6):
        x = plot.x + plot.width * v / max(1, budget)
        pygame.draw.line(surface, EDGE, (x, plot.bottom), (x, plot.bottom + 6), 1)
        text(surface, f"{int(v)}", (x, plot.bottom + 7), size, DIM, anchor="midtop")
    text(surface, "step", (plot.right + 10, plot.bottom), size, INK, bold=True, anchor="midleft")
    pygame.draw.rect(surface, EDGE, plot, 1)


# -- the briefing card -------------------------------------------------------------------------------
def card_layout(area, level, rows, s: float) -> tuple:
    """(factor, width, lesson lines, briefing lines, height): the briefing card at the largest type
    scale from ``s`` down to CARD_SHRINK * s at which it fits ``area`` [px] (else the smallest)."""
    area = pygame.Rect(area)
    w = min(area.width - px(40, s), px(760, s))
    for k in range(7):
        f = s * (1 - (1 - CARD_SHRINK) * k / 6)
        pad, body = px(24, f), px(17, f)
        lesson = wrap(level.lesson, body, w - 2 * pad, bold=True)
        lines = wrap(level.briefing, body, w - 2 * pad)
        h = pad * 2 + px(30, f) + px(46, f) + len(lesson) * px(26, f) + px(12, f) + len(lines) * px(25, f) \
            + px(16, f) + len(rows) * px(26, f) + px(16, f)
        if h <= area.height - px(20, s):
            break
    return f, w, lesson, lines, h


def draw_card(surface, area, level, rows, s: float, progress: float | None = None):
    """The level's briefing over the map: title, lesson, briefing, and the race line-up (``rows`` as
    in ``draw_squad_legend``), set smaller if it must to fit. ``progress`` in [0, 1] draws the
    autoplay countdown bar."""
    area = pygame.Rect(area)
    shade = pygame.Surface(area.size, pygame.SRCALPHA)
    shade.fill((0, 0, 0, 160))
    surface.blit(shade, area)
    f, w, lesson, lines, h = card_layout(area, level, rows, s)
    pad, body = px(24, f), px(17, f)
    box = pygame.Rect(0, 0, w, min(h, area.height))
    box.center = area.center
    draw_box(surface, box, alpha=245)
    x, y = box.x + pad, box.y + pad
    number = level_number(level.id)                    # its place in the campaign, as the game shows it
    with text_box(box):
        text(surface, f"LESSON {number}" if number else "LESSON", (x, y), px(14, f), YELLOW, bold=True)
        y += px(30, f)
        text(surface, level.title, (x, y), px(32, f), INK, bold=True)
        y += px(46, f)
        for line in lesson:
            text(surface, line, (x, y), body, YELLOW, bold=True)
            y += px(26, f)
        y += px(12, f)
        for line in lines:
            text(surface, line, (x, y), body, INK)
            y += px(25, f)
        y += px(16, f)
        for colour, name, settings, _, _ in rows:
            pygame.draw.circle(surface, colour, (x + px(8, f), y + px(12, f)), px(8, f))
            r = text(surface, name, (x + px(24, f), y), body, colour, bold=True)
            text(surface, f"  {settings}", (r.right, y), body, INK)
            y += px(26, f)
    if progress is not None:
        bar = pygame.Rect(box.x, box.bottom - px(6, s), int(box.width * min(1.0, progress)), px(6, s))
        pygame.draw.rect(surface, YELLOW, bar)


# -- announcements -----------------------------------------------------------------------------------
def draw_notice(surface, rect, message: str, age: float, s: float, seconds: float):
    """A large announcement at the top of the map that fades out over its last second."""
    size = px(18, s)
    alpha = max(0.0, min(1.0, seconds - age))
    box = pygame.Rect(0, 0, min(rect.width - px(40, s), text_width(message, size, bold=True) + px(40, s)),
                      int(size * 2.2))
    box.midtop = (rect.centerx, rect.y + px(14, s))
    draw_box(surface, box, alpha=int(235 * alpha))
    colour = tuple(int(c * alpha + b * (1 - alpha)) for c, b in zip(YELLOW, BG))
    text(surface, message, box.center, size, colour, bold=True, anchor="center")
