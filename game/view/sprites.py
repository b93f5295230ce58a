"""Pre-rendered unit sprites and the map's markers (spawn circle, minima, goal flag, labels).

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
from .fonts import font
from .palette import SQUAD_COLOURS

UNIT_RADIUS = 6           # disc radius [px], outline outside it
OUTLINE = 1.6             # dark outline width [px]
SUPERSAMPLE = 4
DRAW_ORDER = np.array([2, 3, 1, 0])   # by status code: diverged first, then trapped, descending, arrived
GOLD = (255, 206, 72)
MINIMA_LABELS = 12        # the results screen labels at most this many local minima
SMALL_CIRCLE = 160        # spawn circles up to this radius [px] are cached sprites


def _canvas(half: int) -> tuple:
    """A transparent supersampled canvas for a sprite of (2 half + 1) px, and its centre."""
    n = (2 * half + 1) * SUPERSAMPLE
    return pygame.Surface((n, n), pygame.SRCALPHA), n / 2


def _finish(canvas: pygame.Surface) -> pygame.Surface:
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
    c, mid = _canvas(10)
    _ball(c, mid, colour, p.outline)
    return _finish(c)


def _mix(colour, other, k) -> tuple:
    """``colour`` moved the fraction k of the way towards ``other`` (RGB)."""
    return tuple(int(round(a + (b - a) * k)) for a, b in zip(colour, other))


@lru_cache(maxsize=4)
def unit_sprites(palette="war-room") -> SimpleNamespace:
    """Sprites for every (status, squad): ``images[status * 9 + squad]`` centred by ``half`` [px]
    (an array); ``ring`` the selection highlight; ``reach`` the largest half size [px]."""
    p = pal.get(palette)
    n = len(SQUAD_COLOURS)
    table, half = [None] * (4 * n), [0] * (4 * n)
    for q, colour in enumerate(SQUAD_COLOURS):
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
    c, mid = _canvas(10)
    pygame.draw.circle(c, p.outline, (mid, mid), 9.6 * s)
    pygame.draw.circle(c, GOLD, (mid, mid), 8.8 * s, width=int(1.6 * s))
    _ball(c, mid, colour, p.outline)
    return _finish(c)


def _trapped(colour, p) -> pygame.Surface:
    """A dimmed disc under a 'no entry' sign (a ring with a slash): stuck in a local minimum."""
    s = SUPERSAMPLE
    c, mid = _canvas(10)
    _ball(c, mid, _mix(colour, (70, 76, 84), 0.45), p.outline, shine=False)
    for width, col in ((3.4, p.outline), (1.6, p.marker)):
        pygame.draw.circle(c, col, (mid, mid), 9.0 * s, width=int(width * s))
        a = 9.0 * s * math.cos(math.radians(45))
        pygame.draw.line(c, col, (mid - a, mid + a), (mid + a, mid - a), int(width * s))
    return _finish(c)


def _cross(colour, p) -> pygame.Surface:
    """An outlined x where a unit froze after diverging."""
    s = SUPERSAMPLE
    c, mid = _canvas(6)
    a = 4.2 * s
    for width, col in ((4.2, p.outline), (2.0, colour)):
        for sx in (-1, 1):
            pygame.draw.line(c, col, (mid - a, mid - sx * a), (mid + a, mid + sx * a), int(width * s))
    return _finish(c)


def _ring(p) -> pygame.Surface:
    """The selection highlight: a bright ring with a dark edge, around a unit."""
    s = SUPERSAMPLE
    c, mid = _canvas(12)
    pygame.draw.circle(c, p.outline, (mid, mid), 11.5 * s, width=int(3.6 * s))
    pygame.draw.circle(c, p.marker, (mid, mid), 10.6 * s, width=int(1.8 * s))
    return _finish(c)


@lru_cache(maxsize=4)
def explosion_frames(palette="war-room", steps: int = 8) -> list:
    """2 * steps frames of a burst: a flash, an expanding ring and sparks, fading; odd frames are
    the flicker of even ones (slightly brighter)."""
    s, half = SUPERSAMPLE, 24
    frames = []
    for f in range(2 * steps):
        q = (f // 2) / max(1, steps - 1)
        flick = 1.0 if f % 2 else 0.8
        c, mid = _canvas(half)
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
        frames.append(_finish(c))
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


# -- markers ------------------------------------------------------------------------------------------
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


def height_text(h: float) -> str:
    """'h = 0.41' (no minus sign on a rounded zero; big heights in 3 significant figures)."""
    text = f"{h:.2f}" if abs(h) < 1000 else f"{h:.3g}"
    return "h = " + ("0.00" if text == "-0.00" else text)


def _place(surface, img, x, y, taken: list, gap=10, force=False) -> bool:
    """Blit a label beside the point (x, y) [px] -- right or left (or, with ``force``, above or
    below), the first that stays inside the clip and clear of ``taken`` boxes (updated). Else skip
    it, or with ``force`` put it right (or left, near the clip's edge) anyway."""
    clip = surface.get_clip()
    spots = [dict(midleft=(x + gap, y)), dict(midright=(x - gap, y))]
    if force:
        spots += [dict(midbottom=(x, y - gap)), dict(midtop=(x, y + gap))]
    boxes = [img.get_rect(**spot) for spot in spots]
    free = [b for b in boxes if clip.contains(b) and b.collidelist(taken) < 0]
    if not free and not force:
        return False
    box = free[0] if free else (boxes[0] if boxes[0].right <= clip.right else boxes[1])
    taken.append(box.inflate(6, 2))
    surface.blit(img, box)
    return True


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


def draw_spawn(surface, level, camera, p):
    """The spawn zone: a dashed circle with a small caption."""
    cx, cy = np.rint(camera.pos2pix(level.spawn_center)).astype(int)
    r = int(round(level.spawn_radius * camera.zoom))
    if r <= SMALL_CIRCLE:
        ring = _dashed_circle(r, p)
        surface.blit(ring, (cx - ring.get_width() // 2, cy - ring.get_height() // 2))
    else:                                             # too big for a sprite: draw the dashes
        for dash in _dashes(cx, cy, r, 1):
            pygame.draw.lines(surface, p.marker, False, dash, 2)
    cap = label("SPAWN", 10, p.marker, True, p.label_shadow)
    surface.blit(cap, (cx - cap.get_width() // 2, cy - r - cap.get_height() - 2))


def _dashes(cx, cy, r, scale) -> list:
    """The dashes of a dashed circle of radius r around (cx, cy), as short polylines, all times ``scale``."""
    n = int(np.clip(r / 4, 12, 48))
    return [[((cx + r * math.cos(a)) * scale, (cy + r * math.sin(a)) * scale)
             for a in np.linspace(2 * math.pi * k / n, 2 * math.pi * (k + 0.55) / n, 4)] for k in range(n)]


@lru_cache(maxsize=8)
def _dashed_circle(r: int, p) -> pygame.Surface:
    """A dashed circle of radius ``r`` [px], anti-aliased, on a transparent sprite."""
    half = r + 2
    c, _ = _canvas(half)
    s = SUPERSAMPLE
    for dash in _dashes(half + 0.5, half + 0.5, r, s):
        pygame.draw.lines(c, p.marker, False, dash, int(1.4 * s))
    return _finish(c)


def _star(cx, cy, r_out, r_in=None) -> list:
    """The 10 corners of a five-pointed star around (cx, cy) [px], point up."""
    r_in = r_out * 0.45 if r_in is None else r_in
    return [(cx + (r_out if k % 2 == 0 else r_in) * math.sin(math.pi * k / 5),
             cy - (r_out if k % 2 == 0 else r_in) * math.cos(math.pi * k / 5)) for k in range(10)]


def draw_minima(surface, level, camera, p):
    """The results screen: every minimum with its height; the global one as a gold star. Labels
    go to the MINIMA_LABELS lowest minima, lowest first, and are left out where they would cover
    another label or marker (a Rastrigin egg-crate has dozens of minima; their rings all show)."""
    gx, gy = level.global_min
    others = sorted((m for m in level.minima if abs(m.xy[0] - gx) + abs(m.xy[1] - gy) > 1e-9),
                    key=lambda m: m.height)
    rings = [(camera.pos2pix(m.xy), 3.0 if m.on_edge else 4.0) for m in others]
    x, y = camera.pos2pix(level.global_min)
    taken = [pygame.Rect(0, 0, 2 * r + 4, 2 * r + 4).move(c[0] - r - 2, c[1] - r - 2) for c, r in rings]
    taken.append(pygame.Rect(x - 13, y - 13, 26, 26))
    for (mx, my), r in rings:
        pygame.draw.circle(surface, p.outline, (mx, my), r + 1.5)
        pygame.draw.circle(surface, p.marker, (mx, my), r, width=2)
    pygame.draw.polygon(surface, p.outline, _star(x, y, 12.5, 6.0))
    pygame.draw.polygon(surface, GOLD, _star(x, y, 10))
    star = label(f"global minimum  {height_text(level.global_min_height)}", 14, GOLD, True, p.label_shadow)
    _place(surface, star, x, y, taken, gap=15, force=True)
    for m, ((mx, my), _) in list(zip(others, rings))[:MINIMA_LABELS]:
        _place(surface, label(height_text(m.height), 12, p.marker, False, p.label_shadow), mx, my, taken)


def draw_goal_flag(surface, world, camera, p, names=None, colours=None):
    """A flag planted at the goal in the colour of the first squad to arrive, with a banner.

    ``names`` / ``colours``: per-squad names and colours (e.g. the optimizers of a classroom race);
    without them the banner says "SQUAD k" and the flag wears SQUAD_COLOURS."""
    steps = np.where(world.arrival_step >= 0, world.arrival_step, np.iinfo(np.int64).max)
    first = int(np.argmin(steps))
    squad = int(world.squad[first])
    palette = colours if colours else SQUAD_COLOURS
    colour = tuple(palette[squad % len(palette)])
    x, y = np.rint(camera.pos2pix(world.level.global_min)).astype(int)
    pygame.draw.ellipse(surface, p.outline, (x - 6, y - 3, 12, 6))
    pygame.draw.line(surface, p.outline, (x, y), (x, y - 40), 4)
    pygame.draw.line(surface, p.marker, (x, y), (x, y - 40), 2)
    flag = [(x + 1, y - 40), (x + 21, y - 34), (x + 1, y - 28)]
    pygame.draw.polygon(surface, colour, flag)
    pygame.draw.polygon(surface, p.outline, flag, 1)
    who = names[squad].upper() if names is not None and squad < len(names) else f"SQUAD {squad + 1}"
    text = f"{who} ARRIVED  ·  step {int(world.arrival_step[first])}"
    banner = _banner(text, colour, p)
    surface.blit(banner, (x + 25, y - 34 - banner.get_height() // 2))


@lru_cache(maxsize=32)
def _banner(text, colour, p) -> pygame.Surface:
    """Text on a dark translucent plate edged in ``colour``."""
    words = label(text, 12, p.marker, True, p.label_shadow)
    plate = pygame.Surface((words.get_width() + 10, words.get_height() + 4), pygame.SRCALPHA)
    plate.fill((*p.outline, 190))
    pygame.draw.rect(plate, (*colour, 255), plate.get_rect(), 1)
    plate.blit(words, (5, 2))
    return plate
