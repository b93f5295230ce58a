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


import numpy as np
import pygame

from sim.sweep import uses_momentum
from sim.world import ARRIVED

from .sweep_axes import (ARRIVED_FAST, BACKGROUND, OPTIMIZER_LABELS, PlaneAxes, budget_of, cell_colours, draw_axes,
                         momentum_symbol)
from .sweep_marks import (default_point, draw_allowed_box, draw_default, draw_legend, draw_limit, draw_sgd_note,
                          paragraph, stability_limit)
from .widgets import MUTED, TEXT, ellipsize, text, text_width

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
    draw_axes(surface, axes, size, name)
    limit = stability_limit(level, name)
    surface.set_clip(plot.inflate(size // 2, size // 2).clip(rect))
    draw_allowed_box(surface, axes, level, size, single)
    surface.set_clip(plot.clip(rect))
    if limit:
        draw_limit(surface, axes, limit[0], size)
    surface.set_clip(rect)
    ring = default_point(axes, level, single)
    ring = [pygame.Rect(ring[0] - size, ring[1] - size, 2 * size, 2 * size)] if ring else []
    note = draw_sgd_note(surface, axes, size, avoid=ring) if name in ("momentum", "nesterov") else None
    draw_default(surface, axes, level, size, single, avoid=[note] if note else [])
    if single:
        note = f"momentum has no effect for {OPTIMIZER_LABELS.get(name, name)}: one row of learning rates"
        y = plot.bottom + max(4, size // 3) + int(size * 0.85 * 1.3) + size // 3 + int(size * 1.6)
        paragraph(surface, note, plot.left, y, plot.width, size, colour=TEXT, bold=True)
    legend = pygame.Rect(rect.right - pad - legend_w, plot.top, legend_w, rect.bottom - pad - plot.top)
    draw_legend(surface, legend, size, result, level, index, limit)
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
               f"{budget_of(result)} steps")
    else:
        sub = (f"Where each learning rate \u03b7 leads: {len(result.lrs)} settings, {result.starts} starts each, "
               f"{budget_of(result)} steps")
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
