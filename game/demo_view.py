"""Drawing for classroom mode: the update-rule panel, arrows and ghost paths on the map, the loss
chart, the race legend and the briefing card.

Every function draws what it is handed and changes nothing else. Sizes are pixels at scale 1
times ``s`` (the presenter scale, about 2 at 1920x1080), so the type reads from the back of a room.
Colours are high contrast: white and yellow on near-black, with the map in its high-contrast palette.
"""
from __future__ import annotations

import math

import numpy as np
import pygame

from sim.world import ARRIVED, DESCENDING, DIVERGED

from .explain import SUPERSCRIPT, num
from .render import SQUAD_COLOURS
from .widgets import text, text_width, wrap

BG = (6, 8, 11)                  # panel and chart background
CARD = (22, 27, 33)              # boxes inside them
EDGE = (90, 100, 110)
INK = (255, 255, 255)            # main text
DIM = (185, 195, 205)            # secondary text
FAINT = (105, 115, 125)          # what is not revealed yet
YELLOW = (255, 214, 64)          # results and the current sub-step
GREEN = (110, 240, 140)
RED = (255, 96, 88)
OUTLINE = (0, 0, 0)
ARROW_COLOURS = {"gradient": (255, 72, 72), "carry": (205, 130, 255), "step": (80, 255, 150)}
ARROW_LEGEND = {"gradient": "−η·∇f(x)   gradient: straight downhill",
                "carry": "−η·μ·v   velocity carried over",
                "step": "Δx   velocity: the step it takes"}
STEP_LEGEND = "Δx   the step Δx it takes"    # for a rule without momentum (SGD, AdaGrad): no velocity
LINE = 1.34                      # line height / type size in the panel
# Squad colours in classroom mode: the game's table (render.SQUAD_COLOURS) in its order, without its
# white, which vanishes on the pale high ground of the high-contrast map.
RACE_COLOURS = tuple(c for c in SQUAD_COLOURS if min(c) < 200)


def squad_colour(k: int) -> tuple:
    """Squad k's colour in classroom mode (units, legend, loss chart, panel, ghost, flag)."""
    return RACE_COLOURS[int(k) % len(RACE_COLOURS)]


def px(v: float, s: float) -> int:
    return int(round(v * s))


# -- on the map -------------------------------------------------------------------------------------
def draw_arrow(surface, start, end, colour, width: int):
    """An arrow from ``start`` to ``end`` [px] with a dark outline; nothing if shorter than 3 px.
    Very long arrows are cut to 4000 px (the rest is off the screen anyway)."""
    start, end = np.asarray(start, float), np.asarray(end, float)
    d = end - start
    length = float(np.hypot(*d))
    if not np.isfinite(length) or length < 3:
        return
    if length > 4000:
        end, d, length = start + d * 4000 / length, d * 4000 / length, 4000.0
    u = d / length
    n = np.array([-u[1], u[0]])
    head = min(length * 0.5, width * 3.4)
    base = end - u * head
    wing = head * 0.6
    pygame.draw.line(surface, OUTLINE, start, base, width + 4)
    pygame.draw.polygon(surface, OUTLINE, [end + u * 3, base + n * (wing + 3) - u * 2, base - n * (wing + 3) - u * 2])
    pygame.draw.line(surface, colour, start, base + u, width)
    pygame.draw.polygon(surface, colour, [end, base + n * wing, base - n * wing])


def draw_arrows(surface, camera, x, arrows, s: float):
    """(kind, start offset, vector) arrows [world] from the point ``x`` [world], to scale."""
    for kind, offset, vector in arrows:
        a = camera.pos2pix(np.asarray(x) + offset)
        b = camera.pos2pix(np.asarray(x) + offset + vector)
        draw_arrow(surface, a, b, ARROW_COLOURS[kind], max(3, px(3.5, s)))


def draw_target(surface, camera, xy, s: float):
    """Where the unit will be after the step: a hollow ring in the step colour."""
    c = camera.pos2pix(xy)
    r = px(9, s)
    pygame.draw.circle(surface, OUTLINE, c, r + 2, max(2, px(2, s)) + 3)
    pygame.draw.circle(surface, ARROW_COLOURS["step"], c, r, max(2, px(2, s)))


def draw_units(surface, world, camera, s: float, selected: int | None):
    """Every unit as a big disc in its squad colour with a black rim (stopped ones hollow or
    crossed), the selected one in a white ring; drawn over the map's own small units."""
    xy = camera.pos2pix(world.positions)
    r = px(7, s)
    view = surface.get_clip().inflate(4 * r, 4 * r)
    order = np.argsort(world.status == DESCENDING, kind="stable")        # moving ones on top
    for i in order:
        c = xy[i]
        if not view.collidepoint(c):
            continue
        colour, status = squad_colour(world.squad[i]), world.status[i]
        pygame.draw.circle(surface, OUTLINE, c, r + max(2, px(1.6, s)))
        pygame.draw.circle(surface, colour, c, r)
        if status == ARRIVED:
            pygame.draw.circle(surface, OUTLINE, c, max(2, r // 2))
        elif status == DIVERGED:
            k = r * 0.7
            pygame.draw.line(surface, OUTLINE, c - (k, k), c + (k, k), max(2, px(2, s)))
            pygame.draw.line(surface, OUTLINE, c - (k, -k), c + (k, -k), max(2, px(2, s)))
    if selected is not None:
        c = xy[selected]
        pygame.draw.circle(surface, OUTLINE, c, r + px(7, s), px(5, s))
        pygame.draw.circle(surface, INK, c, r + px(6, s), px(3, s))


def draw_ghost(surface, camera, paths, colour, row: int, s: float):
    """The ghost preview: dots at each future position of every unit of a squad (``paths``:
    (steps + 1, n, 2) [world]); the selected unit's (``row``) larger and joined by a thin line."""
    pts = camera.pos2pix(paths)
    r_small, r_big = max(2, px(2.2, s)), max(3, px(3.6, s))
    for j in range(pts.shape[1]):
        big = j == row
        if big and len(pts) > 1:
            pygame.draw.lines(surface, OUTLINE, False, pts[:, j].tolist(), max(1, px(1.2, s)))
        for p in pts[1:, j]:
            r = r_big if big else r_small
            pygame.draw.circle(surface, OUTLINE, p, r + 2)
            pygame.draw.circle(surface, INK if big else colour, p, r)


# -- the legends ------------------------------------------------------------------------------------
def draw_box(surface, rect, alpha=225):
    box = pygame.Surface(rect.size, pygame.SRCALPHA)
    pygame.draw.rect(box, (*BG, alpha), box.get_rect(), border_radius=8)
    surface.blit(box, rect)
    pygame.draw.rect(surface, EDGE, rect, 1, border_radius=8)


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


def draw_tag(surface, rect_corner, label: str, s: float, anchor="topright"):
    """A small boxed label (e.g. 'F1  help') at a corner of the map."""
    size, pad = px(13, s), px(8, s)
    box = pygame.Rect(0, 0, text_width(label, size) + 2 * pad, int(size * 1.9))
    setattr(box, anchor, rect_corner)
    draw_box(surface, box, alpha=200)
    text(surface, label, box.center, size, DIM, anchor="center")
    return box


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
def draw_card(surface, area, level, rows, s: float, progress: float | None = None):
    """The level's briefing over the map: title, lesson, briefing, and the race line-up (``rows`` as
    in ``draw_squad_legend``). ``progress`` in [0, 1] draws the autoplay countdown bar."""
    area = pygame.Rect(area)
    shade = pygame.Surface(area.size, pygame.SRCALPHA)
    shade.fill((0, 0, 0, 160))
    surface.blit(shade, area)
    w = min(area.width - px(40, s), px(760, s))
    pad, body = px(24, s), px(17, s)
    lines = wrap(level.briefing, body, w - 2 * pad)
    lesson = wrap(level.lesson, body, w - 2 * pad, bold=True)
    h = pad * 2 + px(30, s) + px(46, s) + len(lesson) * px(26, s) + px(12, s) + len(lines) * px(25, s) \
        + px(16, s) + len(rows) * px(26, s) + px(16, s)
    box = pygame.Rect(0, 0, w, min(h, area.height - px(20, s)))
    box.center = area.center
    draw_box(surface, box, alpha=245)
    x, y = box.x + pad, box.y + pad
    number = level.id.split("-", 1)[0]
    text(surface, f"LESSON {number}" if number.isdigit() else "LESSON", (x, y), px(14, s), YELLOW, bold=True)
    y += px(30, s)
    text(surface, level.title, (x, y), px(32, s), INK, bold=True)
    y += px(46, s)
    for line in lesson:
        text(surface, line, (x, y), body, YELLOW, bold=True)
        y += px(26, s)
    y += px(12, s)
    for line in lines:
        text(surface, line, (x, y), body, INK)
        y += px(25, s)
    y += px(16, s)
    for colour, name, settings, _, _ in rows:
        pygame.draw.circle(surface, colour, (x + px(8, s), y + px(12, s)), px(8, s))
        r = text(surface, name, (x + px(24, s), y), body, colour, bold=True)
        text(surface, f"  {settings}", (r.right, y), body, INK)
        y += px(26, s)
    if progress is not None:
        bar = pygame.Rect(box.x, box.bottom - px(6, s), int(box.width * min(1.0, progress)), px(6, s))
        pygame.draw.rect(surface, YELLOW, bar)


# -- the update-rule panel ----------------------------------------------------------------------------
class Row:
    """One line of the panel: text at a size [px at scale 1], with an optional sub-step ``badge``
    number, a highlight ``bar`` (the current sub-step) or an ``arrow`` sample (the legend)."""

    def __init__(self, s: str, size: float, colour=INK, bold=False, indent=0.0, gap=0.0, badge=None, bar=False,
                 arrow=None):
        self.s, self.size, self.colour, self.bold, self.indent = s, size, colour, bold, indent
        self.gap, self.badge, self.bar, self.arrow = gap, badge, bar, arrow


def rule_rows(e, cursor, detail: int = 0) -> list:
    """The explanation as rows: what is given, then each sub-step, then notes.

    With ``cursor`` k, the sub-steps after the k-th show only their title. ``detail`` trims long
    rules to fit: 0 shows every sub-step whole (title, rule, numbers, result); 1 keeps the numbers
    only for the sub-step in focus (the cursor's, else the move); 2 also keeps only its title.
    """
    rows = [Row(f"{name} = {value}", 17, INK if name != "∇f(x)" else ARROW_COLOURS["gradient"], bold=True,
                gap=6 if k == 0 else 0) for k, (name, value) in enumerate(e.given[:2])]
    rows.append(Row("     ".join(f"{name} = {value}" for name, value in e.given[2:]), 17, YELLOW, bold=True))
    focus = cursor if cursor is not None else len(e.substeps)
    for k, sub in enumerate(e.substeps, start=1):
        shown, current = cursor is None or k <= cursor, cursor == k
        titled = detail < 2 or k == focus or not shown
        if titled:
            rows.append(Row(sub.what, 14, DIM if shown else FAINT, gap=10, badge=k, bar=current))
        if not shown:
            continue
        rows.append(Row(sub.rule, 19, INK, bold=True, indent=1 if titled else 0, bar=current,
                        gap=0 if titled else 10, badge=None if titled else k))
        if detail == 0 or k == focus:
            rows.append(Row(sub.numbers, 17, INK, indent=1.6, bar=current))
        rows.append(_result_row(e, sub, k, current))
    for note in e.notes:
        rows.append(Row(note, 13, DIM, gap=10))
    return rows


def _result_row(e, sub, k: int, current: bool) -> Row:
    result = f"= {sub.result}" if not sub.result.startswith("m̂") else sub.result
    if k < len(e.substeps):
        return Row(result, 17, YELLOW, bold=True, indent=1.6, bar=current)
    if not e.moves:
        return Row(f"{result}   (not taken: {e.status})", 17, FAINT, bold=True, indent=1.6, bar=current)
    return Row(result, 17, GREEN, bold=True, indent=1.6, bar=current)


def legend_rows(kinds, velocity: bool = True) -> list:
    """The arrows' legend; ``velocity`` False for a rule without momentum, whose Δx is just the step."""
    words = {**ARROW_LEGEND, **({} if velocity else {"step": STEP_LEGEND})}
    return [Row(words[k], 14, INK, gap=4 if i else 12, arrow=k) for i, k in enumerate(kinds)]


def fit_factor(rows, rect, s: float) -> float:
    """How much ``rows`` must shrink (<= 1) to fit the height of ``rect`` at scale ``s``."""
    need_h = sum(px((r.size * LINE + r.gap), s) for r in rows)
    return min(1.0, rect.height / max(1, need_h))


def _row_size(r: Row, f: float, width: int) -> int:
    """The row's type size [px] at scale f, made smaller (to 60 % at most) if the row is wider than ``width``."""
    size = px(r.size, f)
    lead = px(r.indent * 26 + (34 if r.badge is not None else 0) + (38 if r.arrow else 0), f)
    wide = text_width(r.s, size, r.bold)
    return size if lead + wide <= width else max(int(size * 0.6), int(size * (width - lead) / wide))


def draw_rule(surface, rect, e, cursor, s: float, least: float = 0.8):
    """The explanation in ``rect``: the most detailed layout that fits at ``least`` of full size
    (else the tightest one, shrunk to fit). Lines too wide for the panel break before a + or −."""
    rect = pygame.Rect(rect)
    for detail in (0, 1, 2):
        rows = [part for r in rule_rows(e, cursor, detail) for part in _split_wide(r, rect.width, s)]
        if fit_factor(rows, rect, s) >= least:
            break
    draw_rows(surface, rect, rows, s)


def _split_wide(r: Row, width: int, s: float) -> list:
    """A row of numbers wider than ``width`` as two rows, broken at the + or − (outside brackets)
    nearest its middle; any other row as it is."""
    lead = px(r.indent * 26 + (34 if r.badge is not None else 0), s)
    if not r.s.startswith("= ") or lead + text_width(r.s, px(r.size, s), r.bold) <= width:
        return [r]
    depth, cuts = 0, []
    for i, ch in enumerate(r.s):
        depth += (ch == "(") - (ch == ")")
        if depth == 0 and ch in "+−" and r.s[i - 1:i] == " " and i > 2:
            cuts.append(i)
    if not cuts:
        return [r]
    cut = min(cuts, key=lambda i: abs(i - len(r.s) / 2))
    head = Row(r.s[:cut].rstrip(), r.size, r.colour, r.bold, r.indent, r.gap, r.badge, r.bar)
    tail = Row(r.s[cut:], r.size, r.colour, r.bold, r.indent + 0.6, 0, None, r.bar)
    return [head, tail]


def draw_rows(surface, rect, rows, s: float, fit=True) -> int:
    """Draw ``rows`` top-down inside ``rect``, shrunk together (to no less than half size) if they
    would not fit; returns the y below the last row."""
    rect = pygame.Rect(rect)
    f = s * max(0.5, fit_factor(rows, rect, s)) if fit else s
    y = rect.y
    for r in rows:
        y += px(r.gap, f)
        size, line = _row_size(r, f, rect.width), px(r.size * LINE, f)
        x = rect.x + px(r.indent * 26, f)
        if r.bar:
            pygame.draw.rect(surface, YELLOW, (rect.x - px(12, f), y, max(3, px(5, f)), line))
        if r.badge is not None:
            c = (x + px(12, f), y + line // 2)
            pygame.draw.circle(surface, YELLOW if r.colour != FAINT else FAINT, c, px(11, f))
            text(surface, str(r.badge), c, px(13, f), BG, bold=True, anchor="center")
            x += px(34, f)
        if r.arrow is not None:
            mid = y + line // 2
            draw_arrow(surface, (x, mid), (x + px(28, f), mid), ARROW_COLOURS[r.arrow], max(3, px(3.5, f)))
            x += px(38, f)
        text(surface, r.s, (x, y + line // 2), size, r.colour, bold=r.bold, anchor="midleft")
        y += line
    return y


def draw_panel_header(surface, rect, colour, title: str, who: str, step: str, state: str, state_colour, s):
    """Optimizer name in the squad's colour, which unit, the step and what the clock is doing."""
    x, y = rect.x, rect.y
    pygame.draw.circle(surface, OUTLINE, (x + px(11, s), y + px(17, s)), px(11, s) + 2)
    pygame.draw.circle(surface, colour, (x + px(11, s), y + px(17, s)), px(11, s))
    text(surface, title, (x + px(30, s), y), px(26, s), colour, bold=True)
    text(surface, step, (rect.right, y + px(2, s)), px(16, s), INK, bold=True, anchor="topright")
    text(surface, state, (rect.right, y + px(24, s)), px(14, s), state_colour, bold=True, anchor="topright")
    text(surface, who, (x, y + px(40, s)), px(14, s), DIM)
    y += px(66, s)
    pygame.draw.line(surface, EDGE, (rect.x, y), (rect.right, y), 1)
    return y + px(10, s)


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


def draw_panel(surface, rect, e, cursor, header: tuple, arrow_kinds, ghost: bool, s: float, velocity: bool = True):
    """The right-hand panel: the header (colour, title, who, step, state, state colour), the update
    rule of explanation ``e`` (``cursor``: sub-steps shown), the legend of the arrows on the map
    (and of the ghost; ``velocity`` False: the rule has none), and the keys that walk through a step."""
    rect = pygame.Rect(rect)
    pygame.draw.rect(surface, BG, rect)
    pygame.draw.line(surface, EDGE, rect.topleft, rect.bottomleft, 2)
    inner = rect.inflate(-px(40, s), -px(32, s))
    y = draw_panel_header(surface, inner, *header, s)
    legend = legend_rows(arrow_kinds, velocity)
    if ghost:
        legend.append(Row("•••   ghost: the next 20 steps  (G)", 14, DIM, gap=4))
    legend.append(Row(",  sub-step    .  step    Space  run    F1  help", 14, DIM, gap=10))
    bottom_h = sum(px(r.size * LINE + r.gap, s) for r in legend)
    draw_rule(surface, pygame.Rect(inner.x, y, inner.width, inner.bottom - y - bottom_h - px(8, s)), e, cursor, s)
    y = inner.bottom - bottom_h
    pygame.draw.line(surface, EDGE, (inner.x, y - px(4, s)), (inner.right, y - px(4, s)), 1)
    draw_rows(surface, pygame.Rect(inner.x, y, inner.width, bottom_h), legend, s, fit=False)
