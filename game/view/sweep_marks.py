"""What the sweep map draws over its cells, and the legend that explains it: the level's allowed
box (dashed), its default orders (a ring), the closed-form stability limit on a quadratic bowl,
and the verdict in one sentence (``verdict``).
"""
from __future__ import annotations

import math

import numpy as np
import pygame

from sim.sweep import uses_momentum
from sim.terrain import Bowl
from sim.world import ARRIVED, DESCENDING, DIVERGED, TRAPPED

from .sweep_axes import (ARRIVED_FAST, ARRIVED_SLOW, OPTIMIZER_LABELS, OUTCOME_COLOURS, OUTLINE, OVERLAY, PlaneAxes,
                         blend, budget_of, momentum_symbol)
from .widgets import MUTED, TEXT, text, text_width, wrap

# -- overlays -------------------------------------------------------------------------------------
def stability_limit(level, optimizer: str):
    """On a level that is one quadratic bowl of steepest curvature a: (largest stable learning
    rate as a function of mu, its formula) -- 2 (1 + mu) / a for heavy-ball momentum, 2 / a for
    plain SGD (the roots of z^2 - (1 + mu - eta a) z + mu lie inside the unit circle iff
    0 < eta a < 2 (1 + mu)). None for other levels and update rules."""
    if not isinstance(level.terrain, Bowl) or optimizer not in ("sgd", "momentum"):
        return None
    a = level.terrain.curvature
    where = f"for the steepest curvature a = {a:g}"
    if optimizer == "sgd":
        return (lambda mu: np.full(np.shape(mu), 2.0 / a)), f"\u03b7 a = 2 {where}"
    return (lambda mu: 2.0 * (1.0 + np.asarray(mu)) / a), f"\u03b7 a = 2 (1 + \u03bc) {where}"


def _line(surface, a, b, width: int):
    """An overlay line with a dark edge, readable on every cell colour."""
    pygame.draw.line(surface, OUTLINE, a, b, width + 2)
    pygame.draw.line(surface, OVERLAY, a, b, width)


def _dashed(surface, points, dash: float, width: int):
    """A dashed overlay polyline through ``points`` [px]."""
    for (x0, y0), (x1, y1) in zip(points[:-1], points[1:]):
        length = math.hypot(x1 - x0, y1 - y0)
        at = lambda t: (x0 + t * (x1 - x0), y0 + t * (y1 - y0))                 # noqa: E731
        for start in np.arange(0.0, length, 2 * dash):
            _line(surface, at(start / length), at(min(start + dash, length) / length), width)


def draw_allowed_box(surface, axes: PlaneAxes, level, size: int, single: bool = False):
    """Dashed, just outside the cells whose settings the level allows (a row when momentum is
    fixed), so it never hides them; where the box meets the plot's edge it runs along the frame.
    ``single``: the plot is one band of learning rates, so the box spans its height."""
    (l0, l1), (m0, m1) = level.lr_range, level.momentum_range
    if single:
        m0 = m1 = float(axes.momenta[0])
    width = max(2, size // 8)
    half_x = axes.rect.width / len(axes.lrs) / 2 + width / 2 + 1
    half_y = axes.rect.height / len(axes.momenta) / 2 + width / 2 + 1
    x0, x1 = float(axes.x(l0)) - half_x, float(axes.x(l1)) + half_x
    y0, y1 = float(axes.y(m0)) + half_y, float(axes.y(m1)) - half_y
    _dashed(surface, [(x0, y0), (x0, y1), (x1, y1), (x1, y0), (x0, y0)], size * 0.5, width)


def draw_limit(surface, axes: PlaneAxes, largest_lr, size: int):
    """The stability limit as a solid line from the bottom of the plot to the top."""
    mu = np.linspace(axes.mu_lo, axes.mu_hi, 64)
    _draw_polyline(surface, list(zip(axes.x(largest_lr(mu)).tolist(), axes.y(mu).tolist())), size)


def _draw_polyline(surface, points, size: int):
    width = max(2, size // 8)
    pygame.draw.lines(surface, OUTLINE, False, points, width + 3)
    pygame.draw.lines(surface, (255, 255, 255), False, points, width)


def _ring(surface, centre, size: int):
    """The default-orders marker: a ring with a dot."""
    r = max(4, int(size * 0.5))
    pygame.draw.circle(surface, OUTLINE, centre, r + 2, 4)
    pygame.draw.circle(surface, OVERLAY, centre, r, 2)
    pygame.draw.circle(surface, OUTLINE, centre, 3)
    pygame.draw.circle(surface, OVERLAY, centre, 2)


def default_point(axes: PlaneAxes, level, single: bool = False):
    """Where the level's default orders are ringed [px], or None off the plot (on one band of
    learning rates: in the middle of the band)."""
    mu = float(axes.momenta[0]) if single else level.momentum
    x, y = round(float(axes.x(level.lr))), round(float(axes.y(mu)))
    return (x, y) if axes.rect.inflate(2, 2).collidepoint(x, y) else None


def _first_clear(boxes, inside, avoid) -> pygame.Rect:
    """The first of ``boxes`` inside ``inside`` that overlaps none of ``avoid``; else the first inside
    (else the first)."""
    fits = [b for b in boxes if inside.contains(b)] or boxes[:1]
    return next((b for b in fits if b.collidelist(list(avoid)) < 0), fits[0])


def draw_default(surface, axes: PlaneAxes, level, size: int, single: bool = False, avoid=()):
    """Ring the level's default learning rate and momentum, labelled 'default' above or below the
    ring, right or left of it, wherever the label is on the plot and clear of ``avoid`` [px]."""
    at = default_point(axes, level, single)
    if at is None:
        return
    x, y = at
    _ring(surface, at, size)
    r = int(size * 0.5) + 4
    label = pygame.Rect(0, 0, text_width("default", size, bold=True), int(size * 1.2))
    boxes = []
    for anchor, spot in (("bottomleft", (x + r, y - r // 2)), ("bottomright", (x - r, y - r // 2)),
                         ("topleft", (x + r, y + r // 2)), ("topright", (x - r, y + r // 2))):
        box = label.copy()
        setattr(box, anchor, spot)
        boxes.append(box)
    box = _first_clear(boxes, axes.rect, avoid)
    _shadowed(surface, "default", box.topleft, size, "topleft", bold=True)


def draw_sgd_note(surface, axes: PlaneAxes, size: int, avoid=()):
    """Point out that the bottom row, mu = 0, is plain SGD (true of heavy ball and Nesterov): just
    above the row, at its left end or else its right, clear of ``avoid`` [px]. Returns its rect."""
    if not axes.mu_lo < 0 < axes.mu_hi:
        return None
    note, small = "\u03bc = 0: plain SGD \u2193", int(size * 0.85)
    box = pygame.Rect(0, 0, text_width(note, small), int(small * 1.2))
    left, right = box.copy(), box.copy()
    left.bottomleft = (axes.rect.left + size // 2, round(float(axes.y(0)) - size // 2))
    right.bottomright = (axes.rect.right - size // 2, left.bottom)
    box = _first_clear([left, right], axes.rect, avoid)
    _shadowed(surface, note, box.topleft, small, "topleft")
    return box


def _shadowed(surface, s: str, pos, size: int, anchor: str, bold=False):
    """Text over the cells, with a dark shadow so it reads on every colour."""
    text(surface, s, (pos[0] + 1, pos[1] + 1), size, OUTLINE, bold=bold, anchor=anchor)
    text(surface, s, pos, size, TEXT, bold=bold, anchor=anchor)


# -- legend ---------------------------------------------------------------------------------------
def draw_legend(surface, rect, size: int, result, level, index: int, limit):
    """Outcome swatches (arrived as a fast-to-slow bar), overlay samples and the verdict."""
    x, y, gap, budget = rect.left, rect.top, size // 2, budget_of(result)
    y = paragraph(surface, f"Outcome of most of a cell's {result.starts} starts", x, y, rect.width, size,
                   bold=True) + gap
    y = _arrival_bar(surface, pygame.Rect(x, y, rect.width, size), size, budget) + gap
    (l0, l1), (m0, m1) = level.lr_range, level.momentum_range
    default = OPTIMIZER_LABELS.get(level.optimizer, level.optimizer)
    mu = uses_momentum(result.optimizers[index])          # else the plot is one band: no mu to speak of
    rows = [(_swatch(OUTCOME_COLOURS[DESCENDING]), f"still descending after {budget} steps"),
            (_swatch(OUTCOME_COLOURS[TRAPPED]), "trapped short of the goal (local minimum, saddle or plateau)"),
            (_swatch(OUTCOME_COLOURS[DIVERGED]), "diverged: flew off the map"),
            (_dot_sample, "some starts arrived, most did not"),
            None,
            (_dash_sample, f"allowed here: \u03b7={_span(l0, l1)}" + (f", \u03bc={_span(m0, m1)}" if mu else "")),
            (_ring_sample, f"level default: {default}, \u03b7={level.lr:g}"
                           + (f", \u03bc={level.momentum:g}" if mu else ""))]
    if limit:
        rows.append((_limit_sample, f"stability limit {limit[1]}"))
    sample = pygame.Rect(0, 0, int(size * 1.6), size)
    for row in rows:
        if row is None:
            y += gap
            continue
        draw_sample, label = row
        draw_sample(surface, sample.move(x, y + size // 6), size)
        y = paragraph(surface, label, x + sample.width + gap, y, rect.width - sample.width - gap, size) + gap
    paragraph(surface, verdict(result, index), x, y + gap, rect.width, size)


def _arrival_bar(surface, bar: pygame.Rect, size: int, budget: int) -> int:
    """'reached the global minimum' over the fast-to-slow colour bar; returns the y below."""
    y = paragraph(surface, "reached the global minimum", bar.left, bar.top, bar.width, size) + size // 4
    bar = bar.move(0, y - bar.top)
    colours = blend(ARRIVED_FAST, ARRIVED_SLOW, np.linspace(0, 1, bar.width)).astype(np.uint8)
    surface.blit(pygame.surfarray.make_surface(np.repeat(colours[:, None], bar.height, axis=1)), bar)
    small = int(size * 0.85)
    text(surface, "fast: 1 step", (bar.left, bar.bottom + 2), small, MUTED)
    text(surface, f"slow: {budget} steps", (bar.right, bar.bottom + 2), small, MUTED, anchor="topright")
    return bar.bottom + int(small * 1.3)


def _span(low: float, high: float) -> str:
    return f"{low:g}" if low == high else f"{low:g}\u2013{high:g}"


def _swatch(colour):
    return lambda surface, rect, size: surface.fill(colour, rect)


def _dot_sample(surface, rect, size):
    dot = pygame.Rect(0, 0, max(2, size // 3), max(2, size // 3))
    dot.center = rect.center
    surface.fill(ARRIVED_FAST, dot)


def _dash_sample(surface, rect, size):
    _dashed(surface, [(rect.left, rect.centery), (rect.right, rect.centery)], size * 0.4, max(2, size // 8))


def _ring_sample(surface, rect, size):
    _ring(surface, rect.center, size)


def _limit_sample(surface, rect, size):
    _draw_polyline(surface, [(rect.left, rect.centery), (rect.right, rect.centery)], size)


def paragraph(surface, s: str, x: int, y: int, width: int, size: int, colour=TEXT, bold=False) -> int:
    """``s`` wrapped to ``width`` [px] from (x, y); returns the y below it."""
    for line in wrap(s, size, max(size, width), bold):
        y = text(surface, line, (x, y), size, colour, bold=bold).bottom
    return y


def verdict(result, index: int = 0) -> str:
    """A sentence or two: in what share of the settings most starts (and at least one) arrive,
    and the fastest setting in which every start arrives (or, failing that, most)."""
    outcome, name = result.outcome()[index], result.optimizers[index]
    most, some = outcome == ARRIVED, result.arrived[index] > 0
    if not some.any():
        return "No setting brings a single start to the global minimum."
    said = f"Most starts arrive in {_share(most)} of the settings, at least one in {_share(some)}."
    everyone = result.arrived[index] == 1
    best, who = (everyone, "every start arrives") if everyone.any() else (most, "most starts arrive")
    if not best.any():
        return said
    steps = np.where(best, result.median_arrival[index], np.inf)
    i, j = np.unravel_index(np.argmin(steps), steps.shape)
    where = f"\u03b7={result.lrs[j]:.3g}"
    if uses_momentum(name):
        where += f", {momentum_symbol(name)}={result.momenta[i]:.2f}"
    n = int(steps[i, j])
    return f"{said} Fastest setting where {who}: {where}, {n} step{'s' * (n != 1)}."


def _share(mask) -> str:
    """The share of True cells as a percentage, never rounded to 0% or 100% when it is not."""
    p = 100 * np.mean(mask)
    return "<1%" if 0 < p < 1 else ">99%" if 99 < p < 100 else f"{p:.0f}%"
