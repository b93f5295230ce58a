"""The sweep map: where every (learning rate, momentum) setting of one optimizer leads.

    result = sim.sweep.sweep_plane(level, "momentum")      # 100 x 100 cells, 8 starts each
    draw_sweep(surface, rect, result, level)                # into a rect of any Surface
    save_sweep("map.png", result, level, (1100, 760))       # off-screen, no window needed

Across: the learning rate eta on a log scale; up: the momentum mu (beta1 for Adam). Each cell is
coloured by the outcome most of its starts share, in the HUD's status colours: reached the
global minimum (green), still descending when the budget ran out (blue), trapped short of it
(amber), diverged (red). An arrived cell is shaded by the median number of steps its starts
took: brighter is faster. Each cell is drawn centred on the setting it ran, so the axes reach
half a cell beyond the first and last settings.

Over the cells: the level's allowed box (lr_range x momentum_range, dashed), its default orders
(a ring), and, on a level that is one quadratic bowl, the stability limit of the update rule:
heavy-ball momentum converges on a curvature a iff eta a < 2 (1 + mu), plain SGD iff eta a < 2.
"""
from __future__ import annotations

import math

import numpy as np
import pygame

from sim.sweep import uses_momentum
from sim.terrain import Bowl
from sim.world import ARRIVED, DESCENDING, DIVERGED, TRAPPED

from .widgets import FAINT, MUTED, STATUS_COLOURS, TEXT, ellipsize, rendered, text, text_width, wrap

BACKGROUND = (10, 33, 41)                     # dark teal, the colour of the map's deep valleys
ARRIVED_FAST = (205, 255, 175)                # arrived on the first step ...
ARRIVED_SLOW = (38, 112, 70)                  # ... and on the last step of the budget
OUTCOME_COLOURS = {DESCENDING: (62, 112, 170),                 # the HUD's blue, dimmed: "not yet"
                   TRAPPED: STATUS_COLOURS["trapped"],
                   DIVERGED: (200, 74, 68)}                    # the HUD's red, a little deeper
OVERLAY = TEXT                                # allowed box, default marker, stability limit
OUTLINE = (6, 14, 18)                         # dark edge under every overlay line
MOMENTUM_TICKS = (0.0, 0.2, 0.4, 0.6, 0.8, 0.9, 0.99)
OPTIMIZER_LABELS = {"sgd": "plain SGD", "momentum": "heavy-ball momentum", "nesterov": "Nesterov momentum",
                    "adagrad": "AdaGrad", "rmsprop": "RMSprop", "adam": "Adam"}


class PlaneAxes:
    """Settings <-> pixels over a plot rect: x is linear in log10(eta), y linear in mu (up).

    The axes span the cells, each centred on the setting it ran: half a cell beyond the first
    and the last setting. Pixel coordinates are [px] on the surface the plot is drawn on.
    """

    def __init__(self, rect, lrs, momenta):
        self.rect = pygame.Rect(rect)
        self.lrs, self.momenta = np.asarray(lrs, float), np.asarray(momenta, float)
        self.log_lo, self.log_hi = _extent(np.log10(lrs), 0.5)
        self.mu_lo, self.mu_hi = _extent(np.asarray(momenta, float), 0.05)

    def x(self, lr):
        """Pixel column of learning rate(s) ``lr``."""
        share = (np.log10(lr) - self.log_lo) / (self.log_hi - self.log_lo)
        return self.rect.left + share * self.rect.width

    def y(self, mu):
        """Pixel row of momentum(s) ``mu``."""
        share = (np.asarray(mu, float) - self.mu_lo) / (self.mu_hi - self.mu_lo)
        return self.rect.bottom - share * self.rect.height

    def lr_span(self) -> tuple:
        """The learning rates at the left and right edges."""
        return 10.0 ** self.log_lo, 10.0 ** self.log_hi


def _extent(values: np.ndarray, lone: float) -> tuple:
    """The span of cells centred on evenly spaced ``values``: half a spacing beyond each end
    (``lone`` either side of a single value)."""
    if len(values) == 1:
        return values[0] - lone, values[0] + lone
    half = (values[-1] - values[0]) / (len(values) - 1) / 2
    return values[0] - half, values[-1] + half


# -- colours --------------------------------------------------------------------------------------
def cell_colours(result, index: int = 0) -> np.ndarray:
    """(momenta, lrs, 3) uint8: each cell's outcome colour; arrived cells go from ARRIVED_FAST
    (1 step) to ARRIVED_SLOW (the whole budget) with the median steps their starts took."""
    outcome = result.outcome()[index]
    rgb = np.zeros(outcome.shape + (3,))
    for code, colour in OUTCOME_COLOURS.items():
        rgb[outcome == code] = colour
    arrived = outcome == ARRIVED
    slow = np.clip((result.median_arrival[index] - 1) / max(1, _budget(result) - 1), 0.0, 1.0)
    rgb[arrived] = _blend(ARRIVED_FAST, ARRIVED_SLOW, slow[arrived])
    return rgb.astype(np.uint8)


def _blend(a, b, t) -> np.ndarray:
    """Colours from a (t = 0) to b (t = 1): (len(t), 3)."""
    t = np.asarray(t, float)[..., None]
    return (1 - t) * np.asarray(a, float) + t * np.asarray(b, float)


def _budget(result) -> int:
    return result.budget or result.steps


# -- the whole picture ----------------------------------------------------------------------------
def draw_sweep(surface: pygame.Surface, rect, result, level, optimizer: str | None = None,
               background=BACKGROUND, min_size: int = 9):
    """Draw the sweep map of ``optimizer`` (default: the result's first) into ``rect`` of any
    Surface: title, cells, axes, overlays and legend, with type sized to the rect but never
    smaller than ``min_size`` [px] (a presenter passes its UI scale here, so the type reads from
    the back of a room). Nothing is drawn outside ``rect``; ``background=None`` leaves what is
    under the picture's gaps.

    For a rule that ignores momentum (SGD, AdaGrad) every row of the plane is the same, so one
    band of learning rates is drawn, labelled "momentum has no effect for ..."."""
    rect = pygame.Rect(rect)
    index = result.optimizers.index(optimizer) if optimizer else 0
    name = result.optimizers[index]
    size = int(np.clip(min(rect.height / 46, rect.width / 66), max(9, min_size), max(40, min_size)))  # body [px]
    pad = size
    single = not uses_momentum(name)
    old_clip = surface.get_clip()
    surface.set_clip(rect)
    if background is not None:
        surface.fill(background, rect)
    top = _draw_title(surface, rect, pad, size, result, level, name)
    legend_w = int(np.clip(rect.width * 0.3, 11 * size, 24 * size))
    plot = _plot_rect(rect, top, legend_w, pad, size)
    momenta = result.momenta[:1] if single else result.momenta
    if single:                                          # one band, not a plane of identical rows
        plot.height = min(plot.height, max(3 * size, plot.height // 3))
    axes = PlaneAxes(plot, result.lrs, momenta)
    _draw_cells(surface, axes, cell_colours(result, index)[:len(momenta)])
    _draw_some_arrived(surface, axes, result, index, len(momenta))
    _draw_axes(surface, axes, size, name)
    limit = stability_limit(level, name)
    surface.set_clip(plot.inflate(size // 2, size // 2).clip(rect))
    _draw_allowed_box(surface, axes, level, size, single)
    surface.set_clip(plot.clip(rect))
    if limit:
        _draw_limit(surface, axes, limit[0], size)
    surface.set_clip(rect)
    if name in ("momentum", "nesterov"):
        _draw_sgd_note(surface, axes, size)
    _draw_default(surface, axes, level, size, single)
    if single:
        note = f"momentum has no effect for {OPTIMIZER_LABELS.get(name, name)}: one row of learning rates"
        y = plot.bottom + max(4, size // 3) + int(size * 0.85 * 1.3) + size // 3 + int(size * 1.6)
        _paragraph(surface, note, plot.left, y, plot.width, size, colour=TEXT, bold=True)
    legend = pygame.Rect(rect.right - pad - legend_w, plot.top, legend_w, rect.bottom - pad - plot.top)
    _draw_legend(surface, legend, size, result, level, index, limit)
    surface.set_clip(old_clip)


def _draw_title(surface, rect, pad, size, result, level, name) -> int:
    """Title and subtitle; returns the y of the space below them [px]."""
    title = f"{level.title} ({level.id}) \u00b7 {OPTIMIZER_LABELS.get(name, name)}"
    if name not in level.allowed:
        title += " (not allowed in this level)"
    width, big = rect.width - 2 * pad, int(size * 1.45)
    r = text(surface, ellipsize(title, big, width, bold=True), (rect.left + pad, rect.top + pad), big, TEXT,
             bold=True)
    if uses_momentum(name):
        sub = (f"Where each learning rate \u03b7 and momentum {momentum_symbol(name)} leads: "
               f"{len(result.lrs)} \u00d7 {len(result.momenta)} settings, {result.starts} starts each, "
               f"{_budget(result)} steps")
    else:
        sub = (f"Where each learning rate \u03b7 leads: {len(result.lrs)} settings, {result.starts} starts each, "
               f"{_budget(result)} steps")
    r = text(surface, ellipsize(sub, size, width), (rect.left + pad, r.bottom + size // 4), size, MUTED)
    return r.bottom + pad


def _plot_rect(rect, top, legend_w, pad, size) -> pygame.Rect:
    """The cells' rect: room on the left for tick labels and the rotated axis label, below for
    tick labels and the axis label, on the right for the legend."""
    tick = int(size * 0.85)
    left = rect.left + pad + int(size * 1.3) + text_width("0.99", tick) + size
    bottom = rect.bottom - pad - int(size * 1.3) - int(tick * 1.3) - size // 2
    right = rect.right - pad - legend_w - int(pad * 1.6)
    return pygame.Rect(left, top + size // 2, max(10, right - left), max(10, bottom - top - size // 2))


def _draw_cells(surface, axes: PlaneAxes, rgb: np.ndarray):
    """Blit the cell colours over the plot rect, each cell a block of whole pixels."""
    n_mu, n_lr = rgb.shape[:2]
    w, h = axes.rect.size
    cols = ((np.arange(w) + 0.5) * n_lr / w).astype(int)
    rows = n_mu - 1 - ((np.arange(h) + 0.5) * n_mu / h).astype(int)      # the top row is the largest mu
    image = np.ascontiguousarray(rgb[rows][:, cols].transpose(1, 0, 2))  # (w, h, 3) for surfarray
    surface.blit(pygame.surfarray.make_surface(image), axes.rect)


def _draw_some_arrived(surface, axes: PlaneAxes, result, index: int, rows: int | None = None):
    """A bright dot in every cell where some starts arrived but most did not: winnable with luck
    (in the first ``rows`` rows only, if given)."""
    some = ((result.arrived[index] > 0) & (result.outcome()[index] != ARRIVED))[:rows]
    side = max(2, min(axes.rect.width // len(axes.lrs), axes.rect.height // len(axes.momenta)) // 3)
    dot = pygame.Rect(0, 0, side, side)
    for i, j in zip(*np.nonzero(some)):
        dot.center = (round(float(axes.x(axes.lrs[j]))), round(float(axes.y(axes.momenta[i]))))
        surface.fill(ARRIVED_FAST, dot)


# -- axes -----------------------------------------------------------------------------------------
def _draw_axes(surface, axes: PlaneAxes, size: int, optimizer: str):
    """Frame, ticks (learning rate: every decade labelled, 2..9 x decade minor), axis labels."""
    plot, tick, tick_len = axes.rect, int(size * 0.85), max(4, size // 3)
    pygame.draw.rect(surface, MUTED, plot.inflate(2, 2), 1)
    lo, hi = axes.lr_span()
    for e in range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1):
        for m in range(1, 10):
            lr = m * 10.0 ** e
            if not lo <= lr <= hi:
                continue
            x, length = round(float(axes.x(lr))), tick_len if m == 1 else tick_len // 2
            colour = MUTED if m == 1 else FAINT
            pygame.draw.line(surface, colour, (x, plot.bottom + 1), (x, plot.bottom + length))
            if m == 1:
                text(surface, f"{lr:g}", (x, plot.bottom + tick_len + 2), tick, TEXT, anchor="midtop")
    below = plot.bottom + tick_len + int(tick * 1.3) + size // 3
    text(surface, "learning rate \u03b7 (log scale)", (plot.centerx, below), size, TEXT, anchor="midtop")
    if not uses_momentum(optimizer):
        return                                          # one band: no momentum axis to label
    for mu in MOMENTUM_TICKS:
        if axes.mu_lo <= mu <= axes.mu_hi:
            y = round(float(axes.y(mu)))
            pygame.draw.line(surface, MUTED, (plot.left - tick_len, y), (plot.left - 1, y))
            text(surface, f"{mu:g}", (plot.left - tick_len - 3, y), tick, TEXT, anchor="midright")
    label = pygame.transform.rotate(rendered(momentum_axis_label(optimizer), size), 90)
    left = plot.left - tick_len - 3 - text_width("0.99", tick) - size // 2
    surface.blit(label, label.get_rect(midright=(left, plot.centery)))


def momentum_symbol(optimizer: str) -> str:
    """beta1 for Adam, mu for every other rule."""
    return "\u03b2\u2081" if optimizer == "adam" else "\u03bc"


def momentum_axis_label(optimizer: str) -> str:
    """What the vertical axis means for this update rule."""
    return {"adam": "\u03b2\u2081 (Adam's momentum)", "rmsprop": "RMSprop momentum \u03bc",
            "sgd": "momentum \u03bc (plain SGD ignores it)",
            "adagrad": "momentum \u03bc (AdaGrad ignores it)"}.get(optimizer, "momentum \u03bc")


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


def _draw_allowed_box(surface, axes: PlaneAxes, level, size: int, single: bool = False):
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


def _draw_limit(surface, axes: PlaneAxes, largest_lr, size: int):
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


def _draw_default(surface, axes: PlaneAxes, level, size: int, single: bool = False):
    """Ring the level's default learning rate and momentum, labelled 'default' (on one band of
    learning rates: in the middle of the band)."""
    mu = float(axes.momenta[0]) if single else level.momentum
    x, y = round(float(axes.x(level.lr))), round(float(axes.y(mu)))
    if not axes.rect.inflate(2, 2).collidepoint(x, y):
        return
    _ring(surface, (x, y), size)
    r = int(size * 0.5) + 4
    right = x + r + text_width("default", size) < axes.rect.right
    pos, anchor = ((x + r, y - r // 2), "bottomleft") if right else ((x - r, y - r // 2), "bottomright")
    _shadowed(surface, "default", pos, size, anchor, bold=True)


def _draw_sgd_note(surface, axes: PlaneAxes, size: int):
    """Point out that the bottom row, mu = 0, is plain SGD (true of heavy ball and Nesterov)."""
    if axes.mu_lo < 0 < axes.mu_hi:
        where = (axes.rect.left + size // 2, float(axes.y(0)) - size // 2)
        _shadowed(surface, "\u03bc = 0: plain SGD \u2193", where, int(size * 0.85), "bottomleft")


def _shadowed(surface, s: str, pos, size: int, anchor: str, bold=False):
    """Text over the cells, with a dark shadow so it reads on every colour."""
    text(surface, s, (pos[0] + 1, pos[1] + 1), size, OUTLINE, bold=bold, anchor=anchor)
    text(surface, s, pos, size, TEXT, bold=bold, anchor=anchor)


# -- legend ---------------------------------------------------------------------------------------
def _draw_legend(surface, rect, size: int, result, level, index: int, limit):
    """Outcome swatches (arrived as a fast-to-slow bar), overlay samples and the verdict."""
    x, y, gap, budget = rect.left, rect.top, size // 2, _budget(result)
    y = _paragraph(surface, f"Outcome of most of a cell's {result.starts} starts", x, y, rect.width, size,
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
        y = _paragraph(surface, label, x + sample.width + gap, y, rect.width - sample.width - gap, size) + gap
    _paragraph(surface, verdict(result, index), x, y + gap, rect.width, size)


def _arrival_bar(surface, bar: pygame.Rect, size: int, budget: int) -> int:
    """'reached the global minimum' over the fast-to-slow colour bar; returns the y below."""
    y = _paragraph(surface, "reached the global minimum", bar.left, bar.top, bar.width, size) + size // 4
    bar = bar.move(0, y - bar.top)
    colours = _blend(ARRIVED_FAST, ARRIVED_SLOW, np.linspace(0, 1, bar.width)).astype(np.uint8)
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


def _paragraph(surface, s: str, x: int, y: int, width: int, size: int, colour=TEXT, bold=False) -> int:
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


# -- off-screen -----------------------------------------------------------------------------------
def render_sweep(result, level, size=(1100, 760), optimizer: str | None = None) -> pygame.Surface:
    """The sweep map on a new off-screen Surface of ``size`` (w, h) [px]."""
    surface = pygame.Surface(size)
    draw_sweep(surface, surface.get_rect(), result, level, optimizer)
    return surface


def save_sweep(path, result, level, size=(1100, 760), optimizer: str | None = None):
    """Render the sweep map and write it to ``path`` as PNG (OSError if it cannot be written)."""
    surface = render_sweep(result, level, size, optimizer)
    try:
        pygame.image.save(surface, str(path))
    except pygame.error as err:
        raise OSError(str(err)) from None
