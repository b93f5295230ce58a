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


LEGEND_TITLE = 38          # the line-up's title line, above its rows [px at scale 1]
LEGEND_ROW = 26            # one squad's row [px at scale 1]
LEGEND_TYPE = 15           # the rows' type size [px at scale 1]
LEGEND_PAD = 12            # side padding, and the gap between two columns [px at scale 1]
LEGEND_DISC = 24           # the colour disc and its gap before the name [px at scale 1]
LEGEND_READABLE = 0.9      # the first layout whose scale reaches this is taken (else the largest)
MEASURE = 40               # type size [px] at which widths are measured (widths scale with size)


def _row_parts(row, settings: bool) -> list:
    """(text, bold) pieces of one line-up row: name, settings (if shown), result."""
    _, name, st, result, _ = row
    return [(name, True)] + ([(f"  {st}", False)] if settings else []) + [(f"   {result}", True)]


def legend_layout(rect, rows, s: float) -> tuple:
    """(factor, columns, settings shown): how the line-up fits ``rect`` [px] with every squad listed.

    Layouts are tried in turn -- one column, two columns, then both without the settings -- and the
    first whose type scale (``s``, or less to fit the height and the widest row) reaches
    LEGEND_READABLE is taken, else the one with the largest scale. No row is ever left out."""
    rect = pygame.Rect(rect)
    best = None
    for columns, settings in ((1, True), (2, True), (1, False), (2, False)):
        per_column = math.ceil(len(rows) / columns)
        widest = max(LEGEND_DISC + sum(text_width(t, MEASURE, b) for t, b in _row_parts(r, settings))
                     * LEGEND_TYPE / MEASURE for r in rows)
        by_width = rect.width / (LEGEND_PAD * (columns + 1) + columns * widest)
        by_height = rect.height / (LEGEND_TITLE + per_column * LEGEND_ROW + LEGEND_PAD / 2)
        f = min(s, by_width, by_height)
        if f >= LEGEND_READABLE:
            return f, columns, settings
        if best is None or f > best[0]:
            best = (f, columns, settings)
    return best


def draw_squad_legend(surface, rect, rows, s: float):
    """The line-up beside the loss chart: per squad (colour, name, settings, result, result colour),
    one row each, in one or two columns, at the type scale that fits ``rect`` (``legend_layout``)."""
    rect = pygame.Rect(rect)
    pygame.draw.rect(surface, BG, rect)
    pygame.draw.line(surface, EDGE, rect.topleft, rect.topright, 1)
    f, columns, settings = legend_layout(rect, rows, s)
    pad, size, line = px(LEGEND_PAD, f), px(LEGEND_TYPE, f), px(LEGEND_ROW, f)
    text(surface, "squads", (rect.x + pad, rect.y + px(8, f)), px(14, f), INK, bold=True)
    per_column = math.ceil(len(rows) / columns)
    column_w = (rect.width - pad) // columns
    old = surface.get_clip()
    surface.set_clip(rect)
    for k, (colour, name, st, result, result_colour) in enumerate(rows):
        x = rect.x + pad + (k // per_column) * column_w
        mid = rect.y + px(LEGEND_TITLE, f) + (k % per_column) * line + line // 2
        pygame.draw.circle(surface, OUTLINE, (x + px(8, f), mid), px(8, f) + 2)
        pygame.draw.circle(surface, colour, (x + px(8, f), mid), px(8, f))
        r = text(surface, name, (x + px(LEGEND_DISC, f), mid), size, colour, bold=True, anchor="midleft")
        if settings:
            r = text(surface, f"  {st}", (r.right, mid), size, INK, anchor="midleft")
        if result:
            text(surface, f"   {result}", (r.right, mid), size, result_colour, bold=True, anchor="midleft")
    surface.set_clip(old)


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


CHART_TALL = 172          # the loss chart's height at which its type is at full scale [px at scale 1]
CHART_WIDE = 330          # ... and its width
TICK_GAP = 14             # the least room between two tick labels [px at scale 1]


def chart_factor(rect, s: float) -> float:
    """The loss chart's type scale: ``s``, or less when the chart is too small for it, so its
    plot keeps room to show the lines (the strip under the map does not grow with ``s``)."""
    rect = pygame.Rect(rect)
    return min(s, rect.height / CHART_TALL, rect.width / CHART_WIDE)


def draw_loss_chart(surface, rect, losses, colours, budget: int, log: bool, s: float, highlight: int = -1):
    """Loss above the global minimum, f(x) − f*, against the step: one line per squad.

    ``losses`` is (steps + 1, squads); the x axis spans the level's step budget. ``log`` plots
    log10 of the loss (values below 10⁻⁸ sit on the floor).
    """
    rect = pygame.Rect(rect)
    pygame.draw.rect(surface, BG, rect)
    pygame.draw.line(surface, EDGE, rect.topleft, rect.topright, 1)
    s = chart_factor(rect, s)
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

    _chart_axes(surface, plot, lo, hi, budget, log, small, px(TICK_GAP, s))
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


def step_ticks(budget: int, width: int, label_width: int, gap: int) -> list:
    """Round step numbers from 0 to ``budget`` for an axis ``width`` px long whose labels are up to
    ``label_width`` px wide: as many as leave ``gap`` px between neighbours (at least the two ends'
    worth of room, else just 0)."""
    room = max(1, width // (label_width + gap))          # labels that fit side by side
    for n in range(room, 0, -1):
        ticks = _nice_ticks(0, budget, n)
        spacing = width * (ticks[1] - ticks[0]) / max(1, budget) if len(ticks) > 1 else width
        if spacing >= label_width + gap:
            return ticks
    return [0]


def _chart_axes(surface, plot, lo, hi, budget, log, size, gap):
    pygame.draw.rect(surface, CARD, plot)
    rows = max(1, plot.height // (2 * size))            # y labels at least two lines apart
    for v in _nice_ticks(lo, hi, min(4, rows)) if not log else \
            range(int(lo), int(hi) + 1, max(1, -(-int(hi - lo) // min(4, rows)))):
        y = plot.bottom - plot.height * (v - lo) / (hi - lo)
        pygame.draw.line(surface, EDGE, (plot.x, y), (plot.right, y), 1)
        label = f"10{str(int(v)).translate(SUPERSCRIPT)}" if log else num(v, 3)
        text(surface, label, (plot.x - 8, y), size, DIM, anchor="midright")
    step = text(surface, "step", (plot.right + 10, plot.bottom - 2), size, INK, bold=True, anchor="bottomleft")
    last = None
    for v in step_ticks(budget, plot.width, text_width(str(int(budget)), size), gap):
        x = plot.x + plot.width * v / max(1, budget)
        pygame.draw.line(surface, EDGE, (x, plot.bottom), (x, plot.bottom + 6), 1)
        label = pygame.Rect(0, 0, text_width(f"{int(v)}", size), size)
        label.midtop = (int(x), plot.bottom + 7)
        if (last is None or label.x >= last.right + gap // 2) and not label.colliderect(step):
            last = text(surface, f"{int(v)}", label.midtop, size, DIM, anchor="midtop")
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
    draw_box(surface, box, alpha=255)                  # opaque: the panel does not show through
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
NOTICE_GAP = 20            # the announcement's padding, and its margin to the map's sides [px at scale 1] ...
NOTICE_GAP_MOST = 24       # ... at most this [px]
SEPARATOR = "  \u00b7  "   # between the items of an announcement's second line


def _notice_lines(rect, message: str, s: float) -> tuple:
    """(lines, type sizes, box) of an announcement over the map ``rect``: the first line at 18 [px at
    scale 1], set smaller if it must to fit; what follows a newline at 14 (at most 0.8 of the first
    line's type), its items (between SEPARATOR) packed into as many lines as they need."""
    gap = min(px(NOTICE_GAP, s), NOTICE_GAP_MOST)
    room = rect.width - 4 * gap
    head, *rest = message.split("\n")
    size = px(18, s)
    lines, sizes = [head], [max(8, min(size, int(size * room / max(1, text_width(head, size, bold=True)))))]
    small = min(px(14, s), int(sizes[0] * 0.8))         # never larger than the first line
    for part in rest:
        line = ""
        for item in part.split(SEPARATOR):
            joined = f"{line}{SEPARATOR}{item}" if line else item
            if line and text_width(joined, small) > room:
                lines.append(line)
                joined = item
            line = joined
        lines.append(line)
    for line in lines[1:]:
        sizes.append(max(8, min(small, int(small * room / max(1, text_width(line, small))))))
    widest = max(text_width(line, size, bold=k == 0) for k, (line, size) in enumerate(zip(lines, sizes)))
    tall = sum(int(size * 1.5) for size in sizes) + int(sizes[0] * 0.7)
    box = pygame.Rect(0, 0, min(rect.width - 2 * gap, widest + 2 * gap), tall)
    box.midtop = (rect.centerx, rect.y + px(14, s))
    return lines, sizes, box


def notice_box(rect, message: str, s: float) -> pygame.Rect:
    """Where ``draw_notice`` puts its box over the map ``rect`` [px]."""
    return _notice_lines(pygame.Rect(rect), message, s)[2]


def draw_notice(surface, rect, message: str, age: float, s: float, seconds: float):
    """A large announcement at the top of the map that fades out over its last second; a second
    line (after a newline) is set smaller (``_notice_lines``)."""
    alpha = max(0.0, min(1.0, seconds - age))
    lines, sizes, box = _notice_lines(pygame.Rect(rect), message, s)
    draw_box(surface, box, alpha=int(235 * alpha))
    y = box.y + int(sizes[0] * 0.35)
    for k, (line, size) in enumerate(zip(lines, sizes)):
        ink = YELLOW if k == 0 else INK
        colour = tuple(int(c * alpha + b * (1 - alpha)) for c, b in zip(ink, BG))
        text(surface, line, (box.centerx, y + int(size * 1.5) // 2), size, colour, bold=k == 0, anchor="center")
        y += int(size * 1.5)
