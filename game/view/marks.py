"""The map's markers: its frame with coordinate ticks, the spawn circle, the minima (results
screen), the goal flag with the arrival banner, and the text labels they carry.

Markers are drawn at once; their labels are handed to the frame's label ``Board`` (labels.py),
which places them, after every marker is known, clear of each other and inside the map.
"""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import pygame

from .fonts import font
from .names import height_label
from .palette import SQUAD_COLOURS
from .sprites import GOLD, SUPERSAMPLE, UNIT_RADIUS, canvas, finish

MINIMA_LABELS = 12        # the results screen labels at most this many local minima
SMALL_CIRCLE = 160        # spawn circles up to this radius [px] are cached sprites


@lru_cache(maxsize=256)
def label(text: str, size: int = 13, colour=(236, 232, 214), bold=False, shadow=(6, 8, 10)) -> pygame.Surface:
    """Text with a 1 px dark shadow, so it reads on any ground."""
    f = font(size, bold=bold)
    fg, bg = f.render(text, True, colour), f.render(text, True, shadow)
    out = pygame.Surface((fg.get_width() + 2, fg.get_height() + 2), pygame.SRCALPHA)
    for dx, dy in ((0, 1), (1, 0), (2, 1), (1, 2), (2, 2)):
        out.blit(bg, (dx, dy))
    out.blit(fg, (1, 1))
    return out


def _ticks(lo: float, hi: float, step: float) -> np.ndarray:
    """The multiples of ``step`` in [lo, hi]."""
    return np.arange(math.ceil(lo / step), math.floor(hi / step) + 1) * step


def frame_room(level, step: float) -> tuple:
    """(left, bottom) [px]: the room ``draw_frame`` needs outside the map for its tick labels --
    the widest y label with its tick, and the x labels' height with theirs."""
    (x0, x1), (y0, y1) = level.bounds
    widest = max((label(f"{gy:g}", 10).get_width() for gy in _ticks(y0, y1, step)), default=0)
    return widest + 8, label("0", 10).get_height() + 5


def draw_frame(surface, level, camera, p, step: float):
    """The map's edge: a thin frame with ticks and coordinates every ``step`` [world] outside it
    (``frame_room`` says how much room they take)."""
    rect = camera.map_rect()
    pygame.draw.rect(surface, p.frame, rect.inflate(2, 2), 1)
    (x0, x1), (y0, y1) = level.bounds
    for gx in _ticks(x0, x1, step):
        x = round(camera.pos2pix((gx, 0.0))[0])
        pygame.draw.line(surface, p.frame, (x, rect.bottom), (x, rect.bottom + 4))
        text = label(f"{gx:g}", 10, p.frame, False, p.label_shadow)
        surface.blit(text, (x - text.get_width() // 2, rect.bottom + 4))
    for gy in _ticks(y0, y1, step):
        y = round(camera.pos2pix((0.0, gy))[1])
        pygame.draw.line(surface, p.frame, (rect.left - 5, y), (rect.left - 1, y))
        text = label(f"{gy:g}", 10, p.frame, False, p.label_shadow)
        surface.blit(text, (rect.left - 7 - text.get_width(), y - text.get_height() // 2))


def draw_spawn(surface, level, camera, p, board, scale: float = 1.0):
    """The spawn zone: a dashed circle, and its caption on the ``board`` (above it, if there is room),
    its type ``scale`` times its usual size."""
    cx, cy = np.rint(camera.pos2pix(level.spawn_center)).astype(int)
    r = int(round(level.spawn_radius * camera.zoom))
    if r <= SMALL_CIRCLE:
        ring = _dashed_circle(r, p)
        surface.blit(ring, (cx - ring.get_width() // 2, cy - ring.get_height() // 2))
    else:                                             # too big for a sprite: draw the dashes
        for dash in _dashes(cx, cy, r, 1):
            pygame.draw.lines(surface, p.marker, False, dash, 2)
    around = [(cx + r * math.cos(a), cy + r * math.sin(a)) for a in np.radians([-135, -45, 180, 0, 135, 45, 90])]
    want_spawn_caption(board, (cx, cy - r), p, scale, around)


def text_px(size: int, scale: float) -> int:
    """A label's type size [px] at ``scale`` (a large video frame sets its labels larger)."""
    return max(1, round(size * scale))


def want_spawn_caption(board, top, p, scale: float = 1.0, around=()):
    """The spawn zone's caption, asked for just above the ring's top point ``top`` [px], else beside
    another of its points ``around`` [px] (a unit standing on the top leaves the caption a place
    beside the ring, not a leader line across the unit)."""
    board.want(label("SPAWN", text_px(10, scale), p.marker, True, p.label_shadow), "SPAWN", top, gap=4, must=True,
               priority=2, above_first=True, alternatives=around)


def _dashes(cx, cy, r, scale) -> list:
    """The dashes of a dashed circle of radius r around (cx, cy), as short polylines, all times ``scale``."""
    n = int(np.clip(r / 4, 12, 48))
    return [[((cx + r * math.cos(a)) * scale, (cy + r * math.sin(a)) * scale)
             for a in np.linspace(2 * math.pi * k / n, 2 * math.pi * (k + 0.55) / n, 4)] for k in range(n)]


@lru_cache(maxsize=8)
def _dashed_circle(r: int, p) -> pygame.Surface:
    """A dashed circle of radius ``r`` [px], anti-aliased, on a transparent sprite."""
    half = r + 2
    c, _ = canvas(half)
    s = SUPERSAMPLE
    for dash in _dashes(half + 0.5, half + 0.5, r, s):
        pygame.draw.lines(c, p.marker, False, dash, int(1.4 * s))
    return finish(c)


def _star(cx, cy, r_out, r_in=None) -> list:
    """The 10 corners of a five-pointed star around (cx, cy) [px], point up."""
    r_in = r_out * 0.45 if r_in is None else r_in
    return [(cx + (r_out if k % 2 == 0 else r_in) * math.sin(math.pi * k / 5),
             cy - (r_out if k % 2 == 0 else r_in) * math.cos(math.pi * k / 5)) for k in range(10)]


def draw_minima(surface, level, camera, p, board, hidden=None, scale: float = 1.0):
    """The results screen: every minimum with its height; the global one as a gold star. Labels
    go to the MINIMA_LABELS lowest minima, lowest first, and are left out where the board finds no
    room (a Rastrigin egg-crate has dozens of minima; their rings all show).

    ``hidden``: on the sand table, which ground points (N, 2) a hill hides. A hidden minimum's ring
    and label are left out; the global minimum is always marked, behind a hill as a hollow star
    (as a hidden ball is a ring), so the goal is never lost. ``scale``: the labels' type size."""
    gx, gy = level.global_min
    others = sorted((m for m in level.minima if abs(m.xy[0] - gx) + abs(m.xy[1] - gy) > 1e-9),
                    key=lambda m: m.height)
    goal_hidden = False
    if hidden is not None:
        points = np.array([m.xy for m in others] + [level.global_min], float).reshape(-1, 2)
        behind = hidden(points)
        others = [m for m, b in zip(others, behind[:-1]) if not b]
        goal_hidden = bool(behind[-1])
    rings = [(camera.pos2pix(m.xy), 3.0 if m.on_edge else 4.0) for m in others]
    x, y = camera.pos2pix(level.global_min)
    for (mx, my), r in rings:
        pygame.draw.circle(surface, p.outline, (mx, my), r + 1.5)
        pygame.draw.circle(surface, p.marker, (mx, my), r, width=2)
        board.avoid(pygame.Rect(0, 0, 2 * r + 4, 2 * r + 4).move(mx - r - 2, my - r - 2))
    pygame.draw.polygon(surface, p.outline, _star(x, y, 12.5, 6.0), 4 if goal_hidden else 0)
    pygame.draw.polygon(surface, GOLD, _star(x, y, 10), 2 if goal_hidden else 0)
    board.avoid(pygame.Rect(x - 13, y - 13, 26, 26))
    words = f"global minimum  {height_label(level.global_min_height)}"
    board.want(label(words, text_px(14, scale), GOLD, True, p.label_shadow), words, (x, y), gap=15, must=True,
               priority=0)
    for k, (m, ((mx, my), _)) in enumerate(list(zip(others, rings))[:MINIMA_LABELS]):
        words = height_label(m.height)
        board.want(label(words, text_px(12, scale), p.marker, False, p.label_shadow), words, (mx, my), gap=8,
                   priority=10 + k)


def draw_goal_flag(surface, world, camera, p, board, names=None, colours=None, hidden=None, balls=None,
                   scale: float = 1.0):
    """A flag planted at the goal in the colour of the first squad to arrive, with a banner (on
    the ``board``: beside the pennant if there is room). ``hidden`` (the sand table: which ground
    points a hill hides): a flag behind a hill shows only the part of its pole and pennant above
    the hill's outline, as a real one would. ``balls``: the units' centres (N, 2) [px]; the flag
    is planted beside the ones gathered at the goal, not on them (``flag_spot``). ``scale``: the
    banner's type size.

    ``names`` / ``colours``: per-squad names and colours (e.g. the optimizers of a classroom race);
    without them the banner says "SQUAD k" and the flag wears SQUAD_COLOURS."""
    steps = np.where(world.arrival_step >= 0, world.arrival_step, np.iinfo(np.int64).max)
    first = int(np.argmin(steps))
    squad = int(world.squad[first])
    palette = colours if colours else SQUAD_COLOURS
    colour = tuple(palette[squad % len(palette)])
    x, y = np.rint(camera.pos2pix(world.level.global_min)).astype(int)
    if balls is not None:
        x += flag_spot((x, y), balls)
    old_clip = surface.get_clip()
    if hidden is not None:
        lift = _hidden_height(world.level.global_min, hidden)           # the hill in front hides this much [px]
        base = y + 4 if lift == 0 else y - lift
        surface.set_clip(pygame.Rect(x - 8, y - FLAG_HEIGHT, 32, base - (y - FLAG_HEIGHT)).clip(old_clip))
    pygame.draw.ellipse(surface, p.outline, (x - 6, y - 3, 12, 6))
    pygame.draw.line(surface, p.outline, (x, y), (x, y - 40), 4)
    pygame.draw.line(surface, p.marker, (x, y), (x, y - 40), 2)
    flag = [(x + 1, y - 40), (x + 21, y - 34), (x + 1, y - 28)]
    pygame.draw.polygon(surface, colour, flag)
    pygame.draw.polygon(surface, p.outline, flag, 1)
    surface.set_clip(old_clip)
    board.avoid(flag_rect(x, y))
    who = names[squad].upper() if names is not None and squad < len(names) else f"SQUAD {squad + 1}"
    words = f"{who} ARRIVED  ·  step {int(world.arrival_step[first])}"
    board.want(_banner(words, colour, p, text_px(12, scale)), words, (x + 11, y - 34), gap=14, must=True,
               priority=1)


FLAG_HEIGHT = 44           # the flag's pole and pennant reach this far up the screen [px]
FLAG_SHIFTS = np.array([0, 10, -10, 20, -20, 30, -30, 42, -42, 56, -56, 72, -72, 90, -90, 110, -110])   # [px]


def flag_rect(x: int, y: int) -> pygame.Rect:
    """The flag planted at (x, y) [px]: its foot, pole and pennant."""
    return pygame.Rect(x - 6, y - 41, 29, 45)


def flag_spot(goal, balls, radius: float = UNIT_RADIUS + 1) -> int:
    """How far sideways [px] from the goal's point ``goal`` to plant the flag so that it covers
    none of the balls (centres (N, 2) [px], ``radius`` [px]): the smallest shift of FLAG_SHIFTS
    that does, else the one that covers the fewest."""
    x, y = goal
    xy = np.asarray(balls, float).reshape(-1, 2)
    xy = xy[np.isfinite(xy).all(1)]

    def covered(dx):
        r = flag_rect(x + dx, y)
        return int(((xy[:, 0] > r.left - radius) & (xy[:, 0] < r.right + radius) &
                    (xy[:, 1] > r.top - radius) & (xy[:, 1] < r.bottom + radius)).sum())
    counts = [covered(int(dx)) for dx in FLAG_SHIFTS]
    return int(FLAG_SHIFTS[int(np.argmin(counts))])


def _hidden_height(xy, hidden) -> int:
    """How far up the screen [px] from the ground point ``xy`` a hill in front hides, 0 when
    nothing does (and FLAG_HEIGHT when the whole flag is behind it): the lowest lift, in 2 px steps,
    that ``hidden(xy, lift)`` no longer hides."""
    for lift in range(0, FLAG_HEIGHT + 1, 2):
        if not hidden(np.asarray([xy], float), lift)[0]:
            return lift
    return FLAG_HEIGHT


@lru_cache(maxsize=32)
def _banner(text, colour, p, size: int = 12) -> pygame.Surface:
    """Text of ``size`` [px] on a dark translucent plate edged in ``colour``."""
    words = label(text, size, p.marker, True, p.label_shadow)
    plate = pygame.Surface((words.get_width() + 10, words.get_height() + 4), pygame.SRCALPHA)
    plate.fill((*p.outline, 190))
    pygame.draw.rect(plate, (*colour, 255), plate.get_rect(), 1)
    plate.blit(words, (5, 2))
    return plate
