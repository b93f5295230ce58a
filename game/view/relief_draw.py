"""The relief frame: the sand table with everything on it, drawn from the world's state.

    view = ReliefView(art.ground)          # once per level: renders of the ground, reused
    draw_relief(screen, world, camera, view, fog, selected=mask, time_s=t)

What a frame shows, back to front: the table (ground and plinth, ``relief_view``), the fog lying
on the ground (``relief_fog``), the spawn zone as a dashed ring on the ground, the trails along
the ground, on the results screen every minimum, the goal flag once a unit arrived (beside the
balls at the goal), the units' soft shadows, the units the ground hides as faint rings (a unit is
never lost), the units as balls resting on the ground (far ones first) with their velocity
arrows, explosions. A unit's ball stands on its exact height: its ground point is
(x, y, z(f(x, y))) with f from the world's own heights.
"""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import pygame

from sim.world import DESCENDING, DIVERGED

from . import marks, sprites
from .labels import Board
from . import palette as pal
from .palette import SQUAD_COLOURS
from .relief_fog import fog_overlay
from .trails import draw_trails

LIFT = sprites.UNIT_RADIUS + 1          # a ball's centre stands this far above its ground point [px]
SHADOW = (18, 7)                         # a ball's shadow: an ellipse this wide and tall [px] ...
SHADOW_ALPHA = 110                       # ... this dark ...
SHADOW_FALL = 3.0                        # ... cast this far away from the light [px]
GHOST_ALPHA = 120                        # a hidden unit's ring
SPAWN_DASHES = 40                        # dashes of the spawn ring on the ground
ARROW_GAIN, ARROW_MAX, ARROW_MIN = 4.0, 32, 3    # velocity arrows as on the map (render.py)
LIGHT = np.array([-1.0, 1.0]) / math.sqrt(2.0)   # light from the north-west, as the hillshade


def draw_relief(surface, world, camera, view, fog=None, *, selected=None, show_minima=False,
                time_s: float = 0.0, palette="war-room", squad_names=None, squad_colours=None, keep_clear=(),
                show_spawn=True, label_scale: float = 1.0):
    """Everything on the table into ``camera.viewport`` of ``surface`` (clipped to it). The
    arguments mean what they mean for ``render.draw_map``."""
    p = pal.get(palette)
    port = camera.viewport.clip(surface.get_rect())
    old_clip = surface.get_clip()
    surface.set_clip(port)
    try:
        view.update(camera)
        picture, at = view.picture(camera)
        if not at.contains(port):
            surface.fill(p.background, port)
        surface.blit(picture, at)
        if fog is not None and fog.enabled:
            surface.blit(*fog_overlay(view, camera, fog, p))
        board = Board(camera.map_rect().clip(port), keep_clear)
        behind = _ground_hider(view, camera)
        if show_spawn:
            draw_spawn_ring(surface, world.level, camera, behind, p, board, cache=view, label_scale=label_scale)
        draw_trails(surface, port, world, camera, palette, squad_colours, hidden=_trail_hider(view, camera),
                    hidden_key=view.renders)
        centre = unit_points(world, camera)[1]
        board.avoid_points(centre, sprites.UNIT_RADIUS + 2)
        if show_minima:                     # the marks under the balls: a unit at the goal stays in sight
            marks.draw_minima(surface, world.level, camera, p, board, hidden=behind, scale=label_scale)
        if world.won:
            marks.draw_goal_flag(surface, world, camera, p, board, names=squad_names, colours=squad_colours,
                                 hidden=behind, balls=centre[world.status != DIVERGED], scale=label_scale)
        _draw_units(surface, world, camera, view, selected, palette, port)
        _draw_explosions(surface, world, centre, time_s, palette)
        board.draw(surface, (p.marker, p.outline))
    finally:
        surface.set_clip(old_clip)


def _ground_hider(view, camera):
    """hidden(xy, lift_px=1): which ground points (N, 2), raised ``lift_px`` up the screen, the
    hills in front hide (for the marks that lie on the ground or stand on it)."""
    def hidden(xy, lift_px: float = 1.0):
        xy = np.asarray(xy, float)
        return view.hidden(camera, xy, camera.ground.elevation_at(xy), lift_px)
    return hidden


def _trail_hider(view, camera):
    """Which trail points (N, 2) not to draw: those off the table (a unit flung away leaves no line
    in the air) and those the ground hides."""
    (x0, x1), (y0, y1) = camera.bounds

    def hidden(xy):
        off = (xy[:, 0] < x0) | (xy[:, 0] > x1) | (xy[:, 1] < y0) | (xy[:, 1] > y1)
        return off | view.hidden(camera, xy, camera.ground.elevation_at(xy), 1.0)
    return hidden


def off_table(world, camera) -> np.ndarray:
    """Which units stand off the table (N,): flung past its edge, or not finite."""
    (x0, x1), (y0, y1) = camera.bounds
    x, y = world.positions[:, 0], world.positions[:, 1]
    return ~((x >= x0) & (x <= x1) & (y >= y0) & (y <= y1))


def flung_off(world, camera) -> tuple:
    """(mask (N,), where (N, 2) [world]): the units that diverged while on the table, and the
    point of its edge they left it by. The world keeps a diverged unit where it stood before its
    last step; that step went downhill, along -grad f there (exactly so for SGD, and for the first
    step of every rule), so the unit is shown gone that way, not left standing."""
    g = world.grads
    norm = np.hypot(g[:, 0], g[:, 1])
    flung = (world.status == DIVERGED) & ~off_table(world, camera) & np.isfinite(norm) & (norm > 0)
    where = world.positions.copy()
    if flung.any():
        where[flung] = exit_point(where[flung], -g[flung] / norm[flung, None], camera.bounds)
    return flung, where


def exit_point(xy, d, bounds) -> np.ndarray:
    """Where rays from points ``xy`` (N, 2) inside ``bounds`` along unit directions ``d`` (N, 2)
    leave it: xy + t d with t the least distance to a side the ray heads for [world]."""
    (x0, x1), (y0, y1) = bounds
    with np.errstate(divide="ignore", invalid="ignore"):
        tx = np.where(d[:, 0] > 0, (x1 - xy[:, 0]) / d[:, 0], np.where(d[:, 0] < 0, (x0 - xy[:, 0]) / d[:, 0], np.inf))
        ty = np.where(d[:, 1] > 0, (y1 - xy[:, 1]) / d[:, 1], np.where(d[:, 1] < 0, (y0 - xy[:, 1]) / d[:, 1], np.inf))
    return np.clip(xy + np.minimum(tx, ty)[:, None] * d, (x0, y0), (x1, y1))


def towards_edge(xy, bounds) -> np.ndarray:
    """Points (N, 2) [world] off the map ``bounds`` brought back along the line to the map's middle
    c, onto its edge: c + t (p - c), with t the largest in [0, 1] that keeps the point inside."""
    (x0, x1), (y0, y1) = bounds
    middle = np.array([(x0 + x1) / 2, (y0 + y1) / 2])
    half = np.array([(x1 - x0) / 2, (y1 - y0) / 2])
    d = np.asarray(xy, float) - middle
    with np.errstate(divide="ignore"):
        t = np.min(np.where(d != 0, half / np.abs(d), np.inf), axis=1, keepdims=True)
    return np.clip(middle + np.minimum(t, 1.0) * d, (x0, y0), (x1, y1))


def unit_points(world, camera) -> tuple:
    """(ground pixels (N, 2), ball centres (N, 2), elevations (N,)) of every unit [px, px, world].
    A unit off the table stands on its edge where the line from the table's middle to it crosses
    the edge, so units flung in different directions past one corner stand apart; one flung off
    by the step it diverged in, where it left (``flung_off``; see ``_draw_units``)."""
    z = camera.ground.elevation(world.heights)
    flung, xy = flung_off(world, camera)
    off = off_table(world, camera)
    if off.any():
        xy[off] = towards_edge(np.nan_to_num(xy[off], nan=0.0, posinf=0.0, neginf=0.0), camera.bounds)
    off |= flung
    if off.any():
        z = z.copy()
        z[off] = camera.ground.elevation_at(xy[off])
    ground = camera.project(xy, z)
    centre = ground.copy()
    centre[:, 1] -= LIFT
    return ground, centre, z


def _draw_units(surface, world, camera, view, selected, palette, port):
    """Shadows, the hidden units' rings, then the balls far to near with their arrows. A unit off
    the table shows as a ring on its edge (it may come back); one that diverged off it, or was
    flung off by the step it diverged in (``flung_off``), is gone."""
    ground, centre, z = unit_points(world, camera)
    off = off_table(world, camera) | flung_off(world, camera)[0]
    near = _near(centre, port.inflate(40, 40)) & ~(off & (world.status == DIVERGED))
    hidden = (view.hidden(camera, world.positions, z, LIFT) | off) & near
    shown = near & ~hidden
    chosen = _mask(selected, world.n_units)
    order = np.lexsort((chosen, -camera.depth(world.positions, z)))   # far first; at one depth the selection last
    alive = world.status != DIVERGED
    sh = _shadow()
    offset = _shadow_offset(camera)
    spots = np.rint(ground[order[(shown & alive)[order]]] + offset).astype(np.int64) - (SHADOW[0] // 2, SHADOW[1] // 2)
    surface.fblits([(sh, q) for q in spots.tolist()])
    ghosts = np.flatnonzero(hidden)
    if len(ghosts):
        rings = _ghost_rings()
        xy = np.rint(centre[ghosts]).astype(np.int64) - rings[1]
        surface.fblits(list(zip(rings[0][world.squad[ghosts] % len(SQUAD_COLOURS)].tolist(), xy.tolist())))
    book = sprites.unit_sprites(palette)
    first = order[shown[order]]
    xy = np.rint(centre).astype(np.int64)
    if selected is not None:
        r = book.ring.get_width() // 2
        surface.fblits([(book.ring, q) for q in (xy[chosen & near] - r).tolist()])
    kinds = sprites.looks(world, first) * len(SQUAD_COLOURS) + world.squad[first]
    surface.fblits(list(zip(book.images[kinds].tolist(), (xy[first] - book.half[kinds, None]).tolist())))
    _draw_arrows(surface, world, camera, xy, shown, palette)


def _mask(selected, n: int) -> np.ndarray:
    """``selected`` (None, a boolean mask or unit indices) as a boolean mask (n,)."""
    mask = np.zeros(n, bool)
    if selected is not None:
        chosen = np.asarray(selected)
        mask[chosen.astype(np.intp) if chosen.dtype != bool else np.flatnonzero(chosen)] = True
    return mask


def _draw_arrows(surface, world, camera, xy, shown, palette):
    """Velocity arrows from the balls of the descending units the ground does not hide."""
    moving = np.flatnonzero((world.status == DESCENDING) & shown)
    v = camera.vec2pix(world.velocity[moving])
    length = np.minimum(ARROW_GAIN * np.hypot(v[:, 0], v[:, 1]), ARROW_MAX)
    on = length >= ARROW_MIN
    book = sprites.arrows(palette)
    keys = book.keys(world.squad[moving[on]], np.arctan2(v[on, 1], v[on, 0]), length[on])
    surface.fblits(list(zip(book.images[keys].tolist(), (xy[moving[on]] + book.offset[keys]).tolist())))


def _draw_explosions(surface, world, centre, time_s, palette):
    """A burst where a unit diverged, for a few steps after the event (as on the map), on its ball's
    centre ``centre`` (N, 2) [px]: a unit flung off the table bursts on the table's edge."""
    frames = sprites.explosion_frames(palette, 8)
    blits = []
    for ev in reversed(world.events):
        age = world.step_count - ev.step
        if age >= 8:
            break
        if ev.kind != "diverged":
            continue
        img = frames[min(len(frames) - 1, 2 * age + int(time_s * 12) % 2)]
        x, y = np.rint(centre[ev.unit]).astype(int)
        blits.append((img, (x - img.get_width() // 2, y - img.get_height() // 2)))
    surface.fblits(blits[:256])


def _shadow_offset(camera) -> np.ndarray:
    """Where a ball's shadow falls from its ground point [px]: away from the light, on screen."""
    d = camera.vec2pix(-LIGHT)
    return d / max(float(np.hypot(*d)), 1e-9) * SHADOW_FALL


@lru_cache(maxsize=1)
def _shadow() -> pygame.Surface:
    """A soft dark ellipse: the shadow a ball casts on the ground."""
    w, h = SHADOW
    s = sprites.SUPERSAMPLE
    c = pygame.Surface((w * s, h * s), pygame.SRCALPHA)
    for k in range(4):
        a = SHADOW_ALPHA * (k + 1) // 4
        rect = pygame.Rect(0, 0, (w - 1.5 * (3 - k)) * s, (h - 0.8 * (3 - k)) * s)
        rect.center = (w * s // 2, h * s // 2)
        pygame.draw.ellipse(c, (0, 0, 0, a // 2 + 10), rect)
    return pygame.transform.smoothscale(c, (w, h))


@lru_cache(maxsize=1)
def _ghost_rings() -> tuple:
    """(object array of ring sprites per squad, their half size): a hidden unit's outline."""
    r = sprites.UNIT_RADIUS + 1
    half = r + 2
    images = np.empty(len(SQUAD_COLOURS), object)
    for q, colour in enumerate(SQUAD_COLOURS):
        c, mid = sprites.canvas(half)
        s = sprites.SUPERSAMPLE
        pygame.draw.circle(c, (0, 0, 0, GHOST_ALPHA // 2), (mid, mid), (r + 1) * s, width=int(2.6 * s))
        pygame.draw.circle(c, (*colour, GHOST_ALPHA), (mid, mid), r * s, width=int(1.6 * s))
        images[q] = sprites.finish(c)
    return images, half


def _near(xy, rect) -> np.ndarray:
    x, y = xy[:, 0], xy[:, 1]
    return (x >= rect.left) & (x < rect.right) & (y >= rect.top) & (y < rect.bottom)


# -- the spawn zone on the ground ------------------------------------------------------------------
def draw_spawn_ring(surface, level, camera, hidden, p, board, cache=None, label_scale: float = 1.0):
    """The spawn zone: a dashed ring lying on the ground, and its caption (on the ``board``) above
    it. A dash a hill hides (``hidden``: ground points -> bool) is not drawn. ``cache``: the
    ReliefView, which keeps the ring's projection while its render and the camera stay the same."""
    key = (cache.renders, camera.key(), tuple(level.spawn_center), level.spawn_radius) if cache else None
    ring_cache = getattr(cache, "spawn_ring", (None,))
    if key is None or ring_cache[0] != key:
        a = np.linspace(0, 2 * math.pi, 4 * SPAWN_DASHES + 1)
        ring = level.spawn_center + level.spawn_radius * np.column_stack([np.cos(a), np.sin(a)])
        ring_cache = (key, camera.pos2pix(ring), hidden(ring))
        if cache is not None:
            cache.spawn_ring = ring_cache
    _, px, behind = ring_cache
    for k in range(SPAWN_DASHES):
        if behind[4 * k:4 * k + 3].all():
            continue
        dash = px[4 * k:4 * k + 3][~behind[4 * k:4 * k + 3]]
        if len(dash) < 2:
            continue
        pygame.draw.lines(surface, p.outline, False, dash.tolist(), 4)
        pygame.draw.lines(surface, p.marker, False, dash.tolist(), 2)
    top = px[np.argmin(px[:, 1])]
    eighths = px[:-1][::max(1, (len(px) - 1) // 8)]               # other points of the ring, highest first
    around = eighths[np.argsort(eighths[:, 1])][1:]
    marks.want_spawn_caption(board, (int(top[0]), int(top[1])), p, label_scale, [tuple(q) for q in around])
