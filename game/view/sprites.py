"""Pre-rendered sprites: units by squad and status, velocity arrows, explosions, trail colours.

Sprites are drawn once at 4x size (arrows, being many, at 2x) and smooth-scaled down (anti-aliased
edges), then blitted many times a frame. A unit disc's centre pixel is exactly its squad colour
(the tests rely on it).
"""
from __future__ import annotations

import math
from functools import lru_cache
from types import SimpleNamespace

import numpy as np
import pygame

from sim.world import ARRIVED, DESCENDING, DIVERGED, TRAPPED

from . import palette as pal
from .palette import SQUAD_COLOURS

UNIT_RADIUS = 6           # disc radius [px], outline outside it
OUTLINE = 1.6             # dark outline width [px]
SUPERSAMPLE = 4           # sprites are drawn this many times larger, then shrunk (anti-aliased)
GOLD = (255, 206, 72)     # the arrival flag
HELD = 4                  # a unit's fifth look, besides its four status codes: descending in a held squad
DRAW_ORDER = np.array([2, 3, 1, 0, 2])   # by look: diverged first, then trapped, descending (held too), arrived


def canvas(half: int) -> tuple:
    """A transparent supersampled canvas for a sprite of (2 half + 1) px, and its centre."""
    n = (2 * half + 1) * SUPERSAMPLE
    return pygame.Surface((n, n), pygame.SRCALPHA), n / 2


def finish(canvas: pygame.Surface) -> pygame.Surface:
    """The supersampled canvas shrunk to its sprite size (its edges anti-aliased)."""
    size = canvas.get_width() // SUPERSAMPLE
    return pygame.transform.smoothscale(canvas, (size, size))


def _ball(c, mid, colour, outline, shine=True):
    """Draw a unit on the canvas ``c`` around its centre ``mid``: a ``colour`` disc of UNIT_RADIUS
    [px] in a dark ring, a small highlight up-left and a soft shadow down-right (the map is lit
    from the north-west)."""
    s, r = SUPERSAMPLE, UNIT_RADIUS
    pygame.draw.circle(c, (*outline, 90), (mid + 1.4 * s, mid + 1.8 * s), (r + OUTLINE + 0.6) * s)
    pygame.draw.circle(c, outline, (mid, mid), (r + OUTLINE) * s)
    pygame.draw.circle(c, colour, (mid, mid), r * s)
    if shine:
        pygame.draw.circle(c, _mix(colour, (255, 255, 255), 0.55), (mid - 2.6 * s, mid - 2.6 * s), 1.5 * s)


def _disc(colour, p) -> pygame.Surface:
    """A unit on its way down."""
    c, mid = canvas(10)
    _ball(c, mid, colour, p.outline)
    return finish(c)


def _mix(colour, other, k) -> tuple:
    """``colour`` moved the fraction k of the way towards ``other`` (RGB)."""
    return tuple(int(round(a + (b - a) * k)) for a, b in zip(colour, other))


def looks(world, units=None) -> np.ndarray:
    """Each unit's look (N,) or that of ``units``: its status code, or HELD for a descending unit of
    a held squad (``unit_sprites`` has a sprite for every look and squad)."""
    look = world.status.astype(np.intp)
    held = world.held_units() & (world.status == DESCENDING)
    look[held] = HELD
    return look if units is None else look[units]


@lru_cache(maxsize=4)
def unit_sprites(palette="war-room") -> SimpleNamespace:
    """Sprites for every (look, squad): ``images[look * 9 + squad]`` centred by ``half`` [px] (an
    array; a look is a status code or HELD, see ``looks``); ``ring`` the selection highlight;
    ``reach`` the largest half size [px]."""
    p = pal.get(palette)
    n = len(SQUAD_COLOURS)
    table, half = [None] * (5 * n), [0] * (5 * n)
    for q, colour in enumerate(SQUAD_COLOURS):
        table[HELD * n + q], half[HELD * n + q] = _held(colour, p), 10
        table[DESCENDING * n + q], half[DESCENDING * n + q] = _disc(colour, p), 10
        table[ARRIVED * n + q], half[ARRIVED * n + q] = _arrived(colour, p), 10
        table[TRAPPED * n + q], half[TRAPPED * n + q] = _trapped(colour, p), 10
        table[DIVERGED * n + q], half[DIVERGED * n + q] = _cross(colour, p), 6
    images = np.empty(len(table), object)
    images[:] = table
    return SimpleNamespace(images=images, half=np.array(half), ring=_ring(p), reach=12)


def _arrived(colour, p) -> pygame.Surface:
    """A disc inside a gold ring: home."""
    s = SUPERSAMPLE
    c, mid = canvas(10)
    pygame.draw.circle(c, p.outline, (mid, mid), 9.6 * s)
    pygame.draw.circle(c, GOLD, (mid, mid), 8.8 * s, width=int(1.6 * s))
    _ball(c, mid, colour, p.outline)
    return finish(c)


def _trapped(colour, p) -> pygame.Surface:
    """A dimmed disc under a 'no entry' sign (a ring with a slash): stuck in a local minimum."""
    s = SUPERSAMPLE
    c, mid = canvas(10)
    _ball(c, mid, _mix(colour, (70, 76, 84), 0.45), p.outline, shine=False)
    for width, col in ((3.4, p.outline), (1.6, p.marker)):
        pygame.draw.circle(c, col, (mid, mid), 9.0 * s, width=int(width * s))
        a = 9.0 * s * math.cos(math.radians(45))
        pygame.draw.line(c, col, (mid - a, mid + a), (mid + a, mid - a), int(width * s))
    return finish(c)


def _held(colour, p) -> pygame.Surface:
    """A dimmed disc with a pause sign on it: its squad is held (it waits, spending nothing)."""
    s = SUPERSAMPLE
    c, mid = canvas(10)
    _ball(c, mid, _mix(colour, (70, 76, 84), 0.4), p.outline, shine=False)
    for dx in (-1.7, 1.7):
        bar = pygame.Rect(0, 0, round(1.9 * s), round(6.4 * s))
        bar.center = (round(mid + dx * s), round(mid))
        pygame.draw.rect(c, p.outline, bar.inflate(round(1.4 * s), round(1.4 * s)), border_radius=s)
        pygame.draw.rect(c, p.marker, bar)
    return finish(c)


def _cross(colour, p) -> pygame.Surface:
    """An outlined x where a unit froze after diverging."""
    s = SUPERSAMPLE
    c, mid = canvas(6)
    a = 4.2 * s
    for width, col in ((4.2, p.outline), (2.0, colour)):
        for sx in (-1, 1):
            pygame.draw.line(c, col, (mid - a, mid - sx * a), (mid + a, mid + sx * a), int(width * s))
    return finish(c)


def _ring(p) -> pygame.Surface:
    """The selection highlight: a bright ring with a dark edge, around a unit."""
    s = SUPERSAMPLE
    c, mid = canvas(12)
    pygame.draw.circle(c, p.outline, (mid, mid), 11.5 * s, width=int(3.6 * s))
    pygame.draw.circle(c, p.marker, (mid, mid), 10.6 * s, width=int(1.8 * s))
    return finish(c)


@lru_cache(maxsize=4)
def explosion_frames(palette="war-room", steps: int = 8) -> list:
    """2 * steps frames of a burst: a flash, an expanding ring and sparks, fading; odd frames are
    the flicker of even ones (slightly brighter)."""
    s, half = SUPERSAMPLE, 24
    frames = []
    for f in range(2 * steps):
        q = (f // 2) / max(1, steps - 1)
        flick = 1.0 if f % 2 else 0.8
        c, mid = canvas(half)
        alpha = int(255 * (1 - q) ** 1.2 * flick)
        r = (4 + 18 * q ** 0.7) * s
        if q < 0.35:
            pygame.draw.circle(c, (255, 244, 200, int(255 * (1 - q / 0.35))), (mid, mid), (7 - 10 * q) * s)
        pygame.draw.circle(c, (255, 150, 50, alpha), (mid, mid), r, width=max(1, int((3 - 2 * q) * s)))
        for k in range(8):
            a = math.radians(k * 45 + 22.5 * (f % 2))
            r0, r1 = r * 0.75, r * 1.15 + 3 * s
            pygame.draw.line(c, (255, 220, 110, alpha), (mid + r0 * math.cos(a), mid + r0 * math.sin(a)),
                             (mid + r1 * math.cos(a), mid + r1 * math.sin(a)), max(1, int(1.5 * s)))
        frames.append(finish(c))
    return frames


ARROW_DIRECTIONS = 32     # velocity arrows come in this many directions ...
ARROW_LENGTH_STEP = 4     # ... and lengths in steps of this many px
ARROW_LENGTHS = 8         # ... up to this many steps
ARROW_SUPERSAMPLE = 2     # arrows are many and small: drawn at 2x, not 4x


class ArrowBook:
    """Velocity arrow sprites for one palette, indexed by one integer per (squad, direction, length);
    each is drawn (anti-aliased) the first time it is needed and kept."""

    def __init__(self, palette):
        self.palette = pal.get(palette)
        n = len(SQUAD_COLOURS) * ARROW_DIRECTIONS * ARROW_LENGTHS
        self.images = np.empty(n, object)
        self.offset = np.zeros((n, 2), np.int64)          # sprite corner relative to the unit [px]
        self._made = np.zeros(n, bool)

    def keys(self, squad, angle, length) -> np.ndarray:
        """Sprite index for squads (n,), screen angles (n,) [radians, y down] and shaft lengths (n,) [px]."""
        k = np.rint(np.asarray(angle) * (ARROW_DIRECTIONS / (2 * np.pi))).astype(np.int64) % ARROW_DIRECTIONS
        n = np.clip(np.rint(np.asarray(length) / ARROW_LENGTH_STEP), 1, ARROW_LENGTHS).astype(np.int64) - 1
        keys = (np.asarray(squad, np.int64) % len(SQUAD_COLOURS) * ARROW_DIRECTIONS + k) * ARROW_LENGTHS + n
        for key in np.unique(keys[~self._made[keys]]).tolist():
            self._make(key)
        return keys

    def _make(self, key: int):
        """Draw the sprite for one key (squad, direction, length) and keep it."""
        rest, n = divmod(key, ARROW_LENGTHS)
        squad, k = divmod(rest, ARROW_DIRECTIONS)
        img, corner = _arrow(SQUAD_COLOURS[squad], 2 * math.pi * k / ARROW_DIRECTIONS,
                             (n + 1) * ARROW_LENGTH_STEP, self.palette)
        self.images[key], self.offset[key], self._made[key] = img, corner, True


@lru_cache(maxsize=4)
def arrows(palette="war-room") -> ArrowBook:
    """The arrow sprites of a palette."""
    return ArrowBook(palette)


def _arrow(colour, angle, length, p) -> tuple:
    """Draw one arrow: a lightened squad-colour shaft and head with a dark outline.
    Returns the sprite and its corner relative to the unit's centre [px]."""
    s = ARROW_SUPERSAMPLE
    ux, uy = math.cos(angle), math.sin(angle)
    vx, vy = -uy, ux
    r0, r1 = UNIT_RADIUS + 1.0, UNIT_RADIUS + 1.0 + length
    head = min(6.0, 2.0 + 0.4 * length)
    tip = r1 + 1.0
    shaft = [(r0, 0.9), (tip - head, 0.9), (tip - head, -0.9), (r0, -0.9)]
    point = [(tip - head, 0.6 * head), (tip, 0.0), (tip - head, -0.6 * head)]
    pts = [(a * ux + b * vx, a * uy + b * vy) for a, b in shaft + point]
    xs, ys = [x for x, _ in pts], [y for _, y in pts]
    left, top = math.floor(min(xs)) - 2, math.floor(min(ys)) - 2
    w, h = math.ceil(max(xs)) + 3 - left, math.ceil(max(ys)) + 3 - top
    c = pygame.Surface((w * s, h * s), pygame.SRCALPHA)
    polys = [[((x - left + 0.5) * s, (y - top + 0.5) * s) for x, y in poly] for poly in (pts[:4], pts[4:])]
    for poly in polys:
        pygame.draw.polygon(c, p.outline, poly, width=int(2.2 * s))
    for poly in polys:
        pygame.draw.polygon(c, _mix(colour, (255, 255, 255), 0.45), poly)
    return pygame.transform.smoothscale(c, (w, h)), (left, top)


# -- packed colours for the NumPy-splatted layer ------------------------------------------------------
def _pack(shifts, rgba) -> np.ndarray:
    """RGBA rows (..., 4) -> 32-bit pixel values of a surface with these channel ``shifts``."""
    rgba = np.asarray(rgba, np.uint32)
    out = np.zeros(rgba.shape[:-1], np.uint32)
    for k in range(4):
        out |= rgba[..., k] << np.uint32(shifts[k])
    return out


@lru_cache(maxsize=16)
def _trail_table(shifts, palette, length, alpha, shadow, colours) -> np.ndarray:
    """Packed colours [squad, age]: opacity ``alpha`` * (1 - age / (length - 1))^1.4."""
    age = np.arange(max(1, length - 1))                         # 0 = newest segment
    fade = alpha * (1 - age / max(1, length - 1)) ** 1.4
    rgba = np.zeros((len(colours), len(age), 4))
    for q, colour in enumerate(colours):
        rgba[q, :, :3] = pal.get(palette).outline if shadow else _mix(colour, (255, 255, 255), 0.15)
        rgba[q, :, 3] = fade
    return _pack(shifts, rgba.round())


def trail_colours(layer, palette, length: int, alpha: float, shadow=False, colours=None) -> np.ndarray:
    """Packed trail colours for ``layer``, shape (squads, length - 1), indexed [squad, age] with age 0
    the newest segment (opacity ``alpha``) fading to transparent at the oldest; with ``shadow``
    the palette's outline colour instead of the squad's. ``colours``: per-squad colours
    (default SQUAD_COLOURS)."""
    colours = tuple(map(tuple, colours or SQUAD_COLOURS))
    return _trail_table(layer.get_shifts(), palette, length, float(alpha), shadow, colours)
