"""What a unit's network does: the decision-boundary inset and the activation card.

On the neural-network levels a unit's position (a, b) IS a parameter vector, theta* + a d1 + b d2
(see ``sim.nn``). Two pictures make that concrete:

    draw_decision_inset(screen, rect, landscape, xy, colour, label="unit 3", scale=s)
        the network at world point xy classifying the plane: each class's region in its own soft
        colour (deeper where the network is sure), the decision boundary as a crisp pale line, the
        training points on top in their true class's colour, and "unit 3 · accuracy 94% · loss 0.21".
    draw_activation_card(screen, rect, "sigmoid", scale=s)
        the hidden units' activation f and its derivative f' on x in [-5, 5], with one sentence
        about what f' does to the gradient that flows back through them.

The inset evaluates the network at every second pixel of its plot (one forward pass of one parameter
vector over some 8,000 points), interpolates the logits bilinearly to the other pixels, and keeps
the finished picture until the unit has moved MOVE_QUANTUM, so drawing it every frame costs a blit.
Both functions return where they drew (``InsetView``, ``CardView``), for the tests.
"""
from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import numpy as np
import pygame

from sim.nn import ACTIVATIONS, forward, probabilities
from sim.terrain import grid_points

from .widgets import ACCENT, CARD, FAINT, MUTED, PANEL_EDGE, TEXT, backdrop, text, text_width, wrap

LATTICE_STEP = 2           # the network is evaluated at every 2nd pixel of the inset's plot ...
MOVE_QUANTUM = 0.004       # ... and again only once the unit has moved this far [a, b units]
LOGIT_CAP = 1e4            # logits are clipped to +-this (a runaway network stays drawable)
INSET_WIDTH = 230          # the inset's width at scale 1 [px]
TITLE_LINE = 1.3           # a two-line title's line height / its type size
WIDEST_FIGURES = "accuracy 100%  \u00b7  loss > 100"   # the widest second line of a two-line title
CACHE_SIZE = 8             # finished inset pictures kept (one per landscape and size)
CLASS_COLOURS = [(86, 180, 233), (230, 159, 0), (0, 158, 115)]   # Okabe-Ito sky blue, orange, bluish green
INK = (9, 13, 18)          # the plot's ground, under the class tints
TINT = (0.12, 0.3)         # a region's tint over the ink: 0.12 where the network is unsure, + 0.3 where sure
BOUNDARY = (240, 236, 220)  # the decision boundary ...
BOUNDARY_WIDTH = 1.3        # ... a line this wide at scale 1 [px]
POINT_OUTLINE = (6, 8, 10)
CURVE_F = ACCENT           # the activation on the card ...
CURVE_DF = (110, 196, 255)  # ... and its derivative
X_RANGE = (-5.0, 5.0)      # the card plots f and f' over this x range ...
PLOT_HEIGHT = 92           # ... in plots this tall at scale 1 [px]

# activation key -> (name on the card, symbol in f(x) / f'(x), formula, what f' does to the gradient)
ACTIVATION_CARDS = {
    "sigmoid": ("sigmoid", "\u03c3", "\u03c3(x) = 1 / (1 + e\u207b\u02e3)",
                "\u03c3\u2032 \u2264 0.25 and \u2192 0 for |x| large: saturated units pass almost no gradient."),
    "tanh": ("tanh", "tanh", "tanh(x) = (e\u02e3 \u2212 e\u207b\u02e3) / (e\u02e3 + e\u207b\u02e3)",
             "tanh\u2032 peaks at 1, four times \u03c3\u2032, but \u2192 0 for |x| large: saturated units "
             "still pass almost no gradient."),
    "relu": ("ReLU", "ReLU", "ReLU(x) = max(0, x)",
             "ReLU\u2032 is 1 for x > 0 and 0 for x < 0: a unit that is off for every input passes no "
             "gradient and never wakes up again (a dead ReLU)."),
    "leaky_relu": ("leaky ReLU", "LReLU", "LReLU(x) = max(0.01 x, x)",
                   "LReLU\u2032 is 1 for x > 0 and 0.01 below: a switched-off unit still passes 1% of the "
                   "gradient, so it can come back to life."),
}


class InsetView(NamedTuple):
    """Where an inset was drawn: its box and plot [px], the data box the plot shows [input units]
    ((xmin, xmax), (ymin, ymax)), the accuracy and loss [nats] of the network it shows, and its title."""
    rect: pygame.Rect
    plot: pygame.Rect
    bounds: tuple
    accuracy: float
    loss: float
    title: str


class CardView(NamedTuple):
    """Where a card drew its two plots [px], the y ranges they show ((lo, hi) for f, for f') and their
    labels ("\u03c3(x)", "\u03c3\u2032(x)")."""
    rect: pygame.Rect
    f_plot: pygame.Rect
    df_plot: pygame.Rect
    f_range: tuple
    df_range: tuple
    labels: tuple


def px(v: float, scale: float) -> int:
    return int(round(v * scale))


# -- the decision inset ----------------------------------------------------------------------------
def inset_size(landscape, scale: float = 1.0, width: int = INSET_WIDTH, title_size: int | None = None) -> tuple:
    """(w, h) [px] of an inset ``width`` px wide at scale 1: a title row over a plot with the data box's
    aspect (kept between 3:4 and 4:3). With ``title_size`` [px] the title is two lines of that type
    (the unit; its accuracy and loss), and the inset at least wide enough for them."""
    w = px(width, scale)
    (x0, x1), (y0, y1) = landscape.data_bounds()
    aspect = min(4 / 3, max(3 / 4, (y1 - y0) / (x1 - x0)))
    pad = px(8, scale)
    if title_size is not None:
        w = max(w, text_width(WIDEST_FIGURES, title_size) + 2 * pad)
    return w, _title_height(scale, title_size) + int((w - 2 * pad) * aspect) + pad


def place_inset(landscape, room, scale: float = 1.0, anchor: str = "topleft", title_size: int | None = None) -> tuple:
    """(rect, scale) of an inset at the ``anchor`` corner of ``room`` [px], made smaller (scale and
    all, but not its ``title_size``) if it would not fit inside it."""
    room = pygame.Rect(room)
    w, h = inset_size(landscape, scale, title_size=title_size)
    shrink = min(1.0, room.width / w, room.height / h)
    if shrink < 1.0:
        scale *= shrink
        w, h = inset_size(landscape, scale, title_size=title_size)
    rect = pygame.Rect(0, 0, w, h)
    setattr(rect, anchor, getattr(room, anchor))
    return rect, scale


def _title_height(scale: float, title_size: int | None = None) -> int:
    """The title row's height [px]: one line at ``scale``, or two lines of ``title_size`` type."""
    return px(28, scale) if title_size is None else 2 * round(title_size * TITLE_LINE) + px(8, scale)


def _plot_rect(rect: pygame.Rect, bounds, scale: float, title_size: int | None = None) -> pygame.Rect:
    """The largest box with the data's aspect below the title row of ``rect``, centred."""
    pad, title = px(8, scale), _title_height(scale, title_size)
    room = pygame.Rect(rect.x + pad, rect.y + title, rect.width - 2 * pad, rect.height - title - pad)
    (x0, x1), (y0, y1) = bounds
    k = min(room.width / (x1 - x0), room.height / (y1 - y0))
    plot = pygame.Rect(0, 0, max(2, int((x1 - x0) * k)), max(2, int((y1 - y0) * k)))
    plot.center = room.center
    return plot


def decision_logits(landscape, params, bounds, size) -> np.ndarray:
    """The logits Z2 (K, H, W) of one network ``params`` (P,) at the pixel centres of a ``size`` (W, H)
    picture of ``bounds`` [input units], row 0 at the top (K = 1 for a binary set).

    The network is evaluated on a lattice of every LATTICE_STEP-th pixel and the logits are
    interpolated bilinearly in between: logits change smoothly where probabilities jump from 0 to 1,
    so the boundary between lattice points stays a smooth curve."""
    shape = (-(-size[1] // LATTICE_STEP), -(-size[0] // LATTICE_STEP))     # (rows, columns), rounded up
    grid = grid_points(bounds, shape)
    with np.errstate(all="ignore"):
        logits = forward(landscape.net, params, grid.T)[2][0]                 # (K, G)
    logits = np.nan_to_num(logits, nan=0.0, posinf=LOGIT_CAP, neginf=-LOGIT_CAP)
    return _bilinear(np.clip(logits, -LOGIT_CAP, LOGIT_CAP).astype(np.float32).reshape(-1, *shape), size)


def class_probabilities(z: np.ndarray) -> np.ndarray:
    """Class probabilities (C, H, W) from logits z (K, H, W): [1 - p, p] with p = sigmoid(z) for a
    binary net (as ``NetworkLandscape.decision_surface``), the softmax otherwise."""
    with np.errstate(over="ignore"):
        p = probabilities(z[None])[0]
    return np.concatenate([1.0 - p, p]) if len(p) == 1 else p


def _bilinear(p: np.ndarray, size) -> np.ndarray:
    """Samples p (C, h, w) at cell centres -> (C, H, W) at the centres of a ``size`` (W, H) picture
    covering the same box (values beyond the outer centres are held at the edge)."""
    def axis(n_out, n_in):
        """For each output centre: the sample i at or before it and its fraction t of the way to i + 1."""
        t = np.clip((np.arange(n_out) + 0.5) * n_in / n_out - 0.5, 0, n_in - 1)
        i = np.minimum(t.astype(int), n_in - 2)
        return i, (t - i).astype(p.dtype)

    (w, h), (gh, gw) = size, p.shape[1:]
    i, ty = axis(h, gh)
    rows = p[:, i] + (p[:, i + 1] - p[:, i]) * ty[None, :, None]               # (C, H, w)
    j, tx = axis(w, gw)
    return rows[:, :, j] + (rows[:, :, j + 1] - rows[:, :, j]) * tx           # (C, H, W)


def _top_two(z: np.ndarray) -> tuple:
    """Index maps (H, W) of the largest and the second largest of z (K, H, W) along K."""
    first, second = np.zeros(z.shape[1:], np.intp), np.ones(z.shape[1:], np.intp)
    swap = z[1] > z[0]
    first[swap], second[swap] = 1, 0
    for k in range(2, len(z)):
        top, runner_up = np.take_along_axis(z, first[None], 0)[0], np.take_along_axis(z, second[None], 0)[0]
        above, between = z[k] > top, (z[k] <= top) & (z[k] > runner_up)
        second[above], first[above] = first[above], k
        second[between] = k
    return first, second


def boundary_coverage(z: np.ndarray, width: float) -> np.ndarray:
    """How much of each pixel (H, W), 0 to 1, a decision boundary ``width`` px wide covers, from the
    logits z (K, H, W). The boundary is where the two largest logits tie (z = 0 for a binary net);
    a pixel's distance to it is their gap d divided by |grad d| [per px] -- the contour lines of the
    map are drawn the same way (game.view.palette)."""
    if len(z) == 1:
        gap = z[0]
        gy, gx = np.gradient(gap)
    else:
        first, second = _top_two(z)
        pick = lambda a, k: np.take_along_axis(a, k[None], 0)[0]              # noqa: E731
        gap = pick(z, first) - pick(z, second)
        gy, gx = (pick(g, first) - pick(g, second) for g in np.gradient(z, axis=(1, 2)))
    distance = np.abs(gap) / np.maximum(np.hypot(gx, gy), 1e-12)
    return np.clip(width / 2 + 0.5 - distance, 0.0, 1.0)


def _region_colours(z: np.ndarray, scale: float) -> np.ndarray:
    """RGB (W, H, 3) uint8 (x-major, for pygame.surfarray) of logits z (K, H, W): each pixel tinted
    with its most likely class's colour, more strongly the surer the network is there, and the
    decision boundary over it as an anti-aliased BOUNDARY line."""
    p = class_probabilities(z)
    classes = len(p)
    best, top = np.zeros(p.shape[1:], np.intp), p[0].copy()
    for k in range(1, classes):
        more = p[k] > top
        best[more], top[more] = k, p[k][more]
    tint = TINT[0] + TINT[1] * (top - 1 / classes) / (1 - 1 / classes)       # 0 on the boundary, 1 when certain
    line = boundary_coverage(z, BOUNDARY_WIDTH * scale)
    rgb = np.empty(best.shape[::-1] + (3,), np.uint8)
    for c in range(3):
        lift = np.array([colour[c] - INK[c] for colour in CLASS_COLOURS[:classes]], np.float32)
        channel = INK[c] + np.take(lift, best) * tint
        channel += (BOUNDARY[c] - channel) * line
        rgb[:, :, c] = channel.T
    return rgb


def _picture(landscape, params, plot_size, bounds, scale: float) -> pygame.Surface:
    """The plot: class regions and boundary, with the training points on top."""
    z = decision_logits(landscape, params, bounds, plot_size)
    surf = pygame.Surface(plot_size)
    pygame.surfarray.blit_array(surf, _region_colours(z, scale))
    surf.blit(_training_points(landscape, plot_size, bounds, scale), (0, 0))
    return surf


@lru_cache(maxsize=CACHE_SIZE)
def _training_points(landscape, plot_size, bounds, scale: float) -> pygame.Surface:
    """The training points as outlined discs in their label's colour, on a transparent layer the
    size of the plot (drawn once: they do not move)."""
    layer = pygame.Surface(plot_size, pygame.SRCALPHA)
    (x0, x1), (y0, y1) = bounds
    w, h = plot_size
    r = max(2.5, 3.2 * scale)
    for (x, y), label in zip(landscape.dataset.X, landscape.dataset.Y):
        c = ((x - x0) / (x1 - x0) * w, (y1 - y) / (y1 - y0) * h)
        pygame.draw.aacircle(layer, POINT_OUTLINE, c, r + 1.2)
        pygame.draw.aacircle(layer, CLASS_COLOURS[int(label)], c, r)
    return layer


_CACHE: dict = {}          # (id(landscape), plot size, scale) -> (landscape, xy, picture, accuracy, loss)


def _network_at(landscape, xy, plot_size, bounds, scale: float) -> tuple:
    """(picture, accuracy, loss) of the network at xy, reused while xy stays within MOVE_QUANTUM."""
    key = (id(landscape), plot_size, scale)
    hit = _CACHE.get(key)
    if hit is not None and hit[0] is landscape and np.abs(hit[1] - xy).max() < MOVE_QUANTUM:
        return hit[2:]
    params = landscape.params_at(xy[None])
    with np.errstate(all="ignore"):
        accuracy, loss = float(landscape.accuracy(params)[0]), float(landscape.loss_of(params)[0])
    if len(_CACHE) >= CACHE_SIZE and key not in _CACHE:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[key] = (landscape, xy.copy(), _picture(landscape, params[0], plot_size, bounds, scale), accuracy, loss)
    return _CACHE[key][2:]


def draw_decision_inset(surface, rect, landscape, xy, squad_colour=None, label: str = "this unit",
                        scale: float = 1.0, title_size: int | None = None) -> InsetView | None:
    """The decision boundary of the network at world point ``xy`` (2,) [a, b] over the training data,
    in a translucent box ``rect``, titled "``label`` · accuracy 94% · loss 0.21" (a dot in
    ``squad_colour`` first, if given); with ``title_size`` [px] the title is two lines of that
    type (as ``inset_size`` makes room for). Nothing is drawn for a point that is not finite."""
    xy = np.asarray(xy, float).reshape(2)
    if not np.isfinite(xy).all():
        return None
    rect = pygame.Rect(rect)
    bounds = landscape.data_bounds()
    plot = _plot_rect(rect, bounds, scale, title_size)
    picture, accuracy, loss = _network_at(landscape, xy, plot.size, bounds, scale)
    title = inset_title(label, accuracy, loss)
    backdrop(surface, rect, alpha=240, radius=px(8, scale))
    _draw_title(surface, rect, squad_colour, title, scale, title_size)
    surface.blit(picture, plot)
    pygame.draw.rect(surface, PANEL_EDGE, plot.inflate(2, 2), 1)
    return InsetView(rect, plot, bounds, accuracy, loss, title)


def inset_title(label: str, accuracy: float, loss: float) -> str:
    """"unit 3  ·  accuracy 94%  ·  loss 0.21" (a loss past 100 nats as "> 100")."""
    loss_text = f"{loss:.2f}" if np.isfinite(loss) and loss < 100 else ("> 100" if np.isfinite(loss) else "\u221e")
    return f"{label}  \u00b7  accuracy {accuracy:.0%}  \u00b7  loss {loss_text}"


def _draw_title(surface, rect, colour, line: str, scale, size: int | None = None):
    """The title row: a dot in the squad's ``colour`` (if any), then ``line``, shrunk if the row is too
    narrow; or with ``size`` [px], two lines of that type: the unit, then its accuracy and loss."""
    pad, row = px(8, scale), round(size * TITLE_LINE) if size else 0
    x, mid = rect.x + pad, rect.y + (px(4, scale) + row // 2 if size else _title_height(scale) // 2 + 1)
    if colour is not None:
        r = max(px(5, scale), (size or 0) // 3)
        pygame.draw.circle(surface, POINT_OUTLINE, (x + r, mid), r + 1)
        pygame.draw.circle(surface, colour, (x + r, mid), r)
        x += 2 * r + px(6, scale)
    if size:
        who, figures = line.split("  \u00b7  ", 1)
        text(surface, who, (x, mid), size, TEXT, bold=True, anchor="midleft")
        text(surface, figures, (rect.x + pad, mid + row), size, TEXT, anchor="midleft")
        return
    size = px(12, scale)
    room = rect.right - pad - x
    if text_width(line, size) > room:
        size = max(8, int(size * room / text_width(line, size)))
    text(surface, line, (x, mid), size, TEXT, anchor="midleft")


# -- the activation card ---------------------------------------------------------------------------
def card_height(width: int, name: str, scale: float = 1.0) -> int:
    """The height [px] the card for activation ``name`` needs at ``width`` px."""
    pad = px(14, scale)
    lines = wrap(ACTIVATION_CARDS[name][3], px(13, scale), width - 2 * pad)
    return pad + px(44, scale) + px(PLOT_HEIGHT, scale) + px(28, scale) + len(lines) * px(18, scale) + pad


def draw_activation_card(surface, rect, name: str, scale: float = 1.0) -> CardView:
    """The hidden units' activation ``name`` (a key of ``sim.nn.ACTIVATIONS``) and its derivative, side
    by side on x in X_RANGE, with its formula and one sentence about the gradient it passes back."""
    rect = pygame.Rect(rect)
    title, symbol, formula, note = ACTIVATION_CARDS[name]
    f, df = ACTIVATIONS[name]
    pad, gap, margin = px(14, scale), px(22, scale), px(30, scale)
    backdrop(surface, rect, alpha=255, colour=CARD, radius=px(8, scale))
    x, y = rect.x + pad, rect.y + pad
    head = text(surface, f"HIDDEN UNITS  \u00b7  {title.upper()}", (x, y), px(11, scale), MUTED, bold=True)
    if head.right + gap + text_width(formula, px(13, scale)) <= rect.right - pad:
        text(surface, formula, (rect.right - pad, y - px(2, scale)), px(13, scale), TEXT, anchor="topright")
    y += px(44, scale)
    half = (rect.width - 2 * pad - gap) // 2
    plots = [pygame.Rect(x + margin + k * (half + gap), y, half - margin, px(PLOT_HEIGHT, scale)) for k in range(2)]
    xs = np.linspace(*X_RANGE, 2 * plots[0].width + 1)
    with np.errstate(all="ignore"):
        ys, dys = np.asarray(f(xs), float), np.asarray(df(xs), float)
    f_ticks = sorted({0.0, float(round(ys.max()))} | ({float(round(ys.min()))} if ys.min() < -0.5 else set()))
    peak = float(dys.max())
    f_range, df_range = _padded(min(f_ticks), max(f_ticks)), _padded(0.0, 1.0)
    labels = (f"{symbol}(x)", f"{symbol}\u2032(x)")
    _plot(surface, plots[0], xs, ys, f_range, CURVE_F, labels[0], f_ticks, [], scale)
    _plot(surface, plots[1], xs, dys, df_range, CURVE_DF, labels[1], [0.0],
          [1.0] + ([round(peak, 2)] if peak < 0.9 else []), scale)
    y = plots[0].bottom + px(28, scale)
    for line in wrap(note, px(13, scale), rect.width - 2 * pad):
        text(surface, line, (x, y), px(13, scale), TEXT)
        y += px(18, scale)
    return CardView(rect, plots[0], plots[1], f_range, df_range, labels)


def _padded(lo: float, hi: float, share: float = 0.08) -> tuple:
    span = hi - lo if hi > lo else 1.0
    return lo - share * span, hi + share * span


def _plot(surface, plot, xs, ys, y_range, colour, label, ticks, guides, scale):
    """One curve ys(xs) in ``plot`` over X_RANGE x ``y_range``, titled ``label`` in the curve's colour:
    the axes x = 0 and y = 0, x ticks at -5, 0, 5, y values ``ticks`` marked and ``guides`` dashed."""
    (x0, x1), (lo, hi) = X_RANGE, y_range
    to_x = lambda v: plot.x + (v - x0) / (x1 - x0) * (plot.width - 1)             # noqa: E731
    to_y = lambda v: plot.bottom - 1 - (v - lo) / (hi - lo) * (plot.height - 1)   # noqa: E731
    small, tick = px(10, scale), px(4, scale)
    text(surface, label, (plot.x, plot.y - px(4, scale)), px(13, scale), colour, bold=True, anchor="bottomleft")
    pygame.draw.rect(surface, INK, plot)
    for g in guides:
        _dashed(surface, FAINT, (plot.x, to_y(g)), plot.right, tick)
    pygame.draw.line(surface, PANEL_EDGE, (plot.x, to_y(0)), (plot.right - 1, to_y(0)), 1)
    pygame.draw.line(surface, PANEL_EDGE, (to_x(0), plot.y), (to_x(0), plot.bottom - 1), 1)
    for v in sorted(set(ticks) | set(guides)):
        text(surface, _number(v), (plot.x - tick, to_y(v)), small, MUTED, anchor="midright")
    for v in (x0, 0.0, x1):
        text(surface, _number(v), (to_x(v), plot.bottom + px(3, scale)), small, MUTED, anchor="midtop")
    points = np.column_stack([to_x(xs), to_y(np.clip(ys, lo, hi))])
    pygame.draw.lines(surface, colour, False, points.tolist(), max(2, px(2, scale)))
    pygame.draw.rect(surface, PANEL_EDGE, plot, 1)


def _number(v: float) -> str:
    """A tick label: 0.25, 5, \u22121 (a real minus sign)."""
    return f"{v:g}".replace("-", "\u2212")


def _dashed(surface, colour, start, right, dash: int):
    x, y = start
    while x < right:
        pygame.draw.line(surface, colour, (x, y), (min(x + dash, right - 1), y), 1)
        x += 2 * dash
