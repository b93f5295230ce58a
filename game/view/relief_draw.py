"""The relief frame: the sand table with everything on it, drawn from the world's state.

    view = ReliefView(art.ground)          # once per level: renders of the ground, reused
    draw_relief(screen, world, camera, view, fog, selected=mask, time_s=t)

What a frame shows, back to front: the table (ground and plinth, ``relief_view``), the fog lying
on the ground, the spawn zone as a dashed ring on the ground, the trails along the ground, the
units' soft shadows, the units the ground hides as faint rings (a unit is never lost), the units
as balls resting on the ground (far ones first) with their velocity arrows, explosions, the goal
flag once a unit arrived, and on the results screen every minimum. A unit's ball stands on its
exact height: its ground point is (x, y, z(f(x, y))) with f from the world's own heights.
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
from .trails import draw_trails

LIFT = sprites.UNIT_RADIUS + 1          # a ball's centre stands this far above its ground point [px]
SHADOW = (18, 7)                         # a ball's shadow: an ellipse this wide and tall [px] ...
SHADOW_ALPHA = 110                       # ... this dark ...
SHADOW_FALL = 3.0                        # ... cast this far away from the light [px]
GHOST_ALPHA = 120                        # a hidden unit's ring
FOG_STEP = 6                             # the fog on the ground is worked out every 6th pixel, then smoothed
FOG_VEIL = 0.97                          # the fog's opacity on the table (its colours barely show through) ...
CLOTH_LIFT = 2.6                         # ... a cloth of the fog's colour this much lighter, lying on the ground:
CLOTH_FACE = 0.55                        # its folds catch the light (the ground's hillshade); the plinth's faces
SPAWN_DASHES = 40                        # dashes of the spawn ring on the ground
ARROW_GAIN, ARROW_MAX, ARROW_MIN = 4.0, 32, 3    # velocity arrows as on the map (render.py)
LIGHT = np.array([-1.0, 1.0]) / math.sqrt(2.0)   # light from the north-west, as the hillshade


def draw_relief(surface, world, camera, view, fog=None, *, selected=None, show_minima=False,
                time_s: float = 0.0, palette="war-room", squad_names=None, squad_colours=None, keep_clear=()):
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
            over, where = fog_overlay(view, camera, fog, p)
            surface.blit(over, where)
        board = Board(camera.map_rect().clip(port), keep_clear)
        draw_spawn_ring(surface, world.level, camera, view, p, board)
        hidden = lambda xy: view.hidden(camera, xy, camera.ground.elevation_at(xy), 1.0)  # noqa: E731
        draw_trails(surface, port, world, camera, palette, squad_colours, hidden=hidden)
        _draw_units(surface, world, camera, view, selected, palette, port)
        board.avoid_points(unit_points(world, camera)[1], sprites.UNIT_RADIUS + 2)
        _draw_explosions(surface, world, camera, time_s, palette)
        if world.won:
            marks.draw_goal_flag(surface, world, camera, p, board, names=squad_names, colours=squad_colours)
        if show_minima:
            marks.draw_minima(surface, world.level, camera, p, board)
        board.draw(surface, (p.marker, p.outline))
    finally:
        surface.set_clip(old_clip)


def unit_points(world, camera) -> tuple:
    """(ground pixels (N, 2), ball centres (N, 2), elevations (N,)) of every unit [px, px, world]."""
    z = camera.ground.elevation(world.heights)
    ground = camera.project(world.positions, z)
    centre = ground.copy()
    centre[:, 1] -= LIFT
    return ground, centre, z


def _draw_units(surface, world, camera, view, selected, palette, port):
    """Shadows, the hidden units' rings, then the balls far to near with their arrows."""
    ground, centre, z = unit_points(world, camera)
    near = _near(centre, port.inflate(40, 40))
    hidden = view.hidden(camera, world.positions, z, LIFT) & near
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
    kinds = world.status[first].astype(np.intp) * len(SQUAD_COLOURS) + world.squad[first]
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


def _draw_explosions(surface, world, camera, time_s, palette):
    """A burst where a unit diverged, for a few steps after the event (as on the map)."""
    frames = sprites.explosion_frames(palette, 8)
    blits = []
    for ev in reversed(world.events):
        age = world.step_count - ev.step
        if age >= 8:
            break
        if ev.kind != "diverged":
            continue
        img = frames[min(len(frames) - 1, 2 * age + int(time_s * 12) % 2)]
        x, y = np.rint(camera.pos2pix(world.positions[ev.unit])).astype(int)
        blits.append((img, (x - img.get_width() // 2, y - LIFT - img.get_height() // 2)))
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


# -- the fog and the spawn zone on the ground ------------------------------------------------------
_FOG: dict = {}


def fog_overlay(view, camera, fog, p) -> tuple:
    """(overlay, rect): the fog lying on the ground like a cloth, with per-pixel alpha, covering
    the part ``rect`` of the viewport where the table stands. The cloth catches the light as the
    ground does (its hillshade) but shows none of its colours. The ground under every FOG_STEP-th
    pixel is found once per render and camera; a change of the explored set then only gathers the
    fog's opacity there (bilinear between cells), smooths it up and cuts it to the table's pixels."""
    where = (id(view.frame), camera.key())
    cached = _FOG.get(id(fog))
    if cached is None or cached["where"] != where:
        cached = _fog_layout(view, camera, fog, p)
        cached["where"] = where
        _FOG.clear()
        _FOG[id(fog)] = cached
    state = (fog.version, p.fog)
    if cached["state"] != state:
        small, big = cached["small"], cached["big"]
        opacity = fog.opacity_between(*cached["cells"]).reshape(cached["ok"].shape)
        alpha = pygame.surfarray.pixels_alpha(small)
        alpha[:] = _spread(opacity * FOG_VEIL, cached["ok"])
        del alpha
        pygame.transform.smoothscale(small, big.get_size(), big)
        if cached["mask"] is not None:
            alpha = pygame.surfarray.pixels_alpha(big)
            alpha *= cached["mask"]
            del alpha
        cached["state"] = state
    return cached["big"], cached["rect"]


def _fog_layout(view, camera, fog, p) -> dict:
    """What the fog overlay needs for one render and camera: the sample points' fog cells and
    whether they are on the table, the cloth's colours there, and the table's pixels."""
    area = camera.map_rect().clip(camera.viewport)
    xs = area.x + np.arange(0, max(area.width, 1), FOG_STEP) + FOG_STEP / 2
    ys = area.y + np.arange(0, max(area.height, 1), FOG_STEP) + FOG_STEP / 2
    gx, gy = np.meshgrid(xs, ys, indexing="ij")
    points = np.column_stack([gx.ravel(), gy.ravel()])
    xy, ok = view.ground_at(camera, points, faces=True)
    light = np.where(view.ground_at(camera, points)[1], camera.ground.shade_at(xy), CLOTH_FACE)
    ok = ok.reshape(gx.shape)
    small = pygame.Surface(gx.shape, pygame.SRCALPHA)
    rgb = pygame.surfarray.pixels3d(small)
    rgb[:] = np.clip(np.asarray(p.fog, np.float32) * CLOTH_LIFT * _spread(light.reshape(gx.shape), ok)[..., None],
                     0, 255)
    del rgb
    big = pygame.Surface((len(xs) * FOG_STEP, len(ys) * FOG_STEP), pygame.SRCALPHA)
    rect = big.get_rect(topleft=area.topleft)
    return {"cells": fog.corners(xy), "ok": ok, "small": small, "state": None, "big": big, "rect": rect,
            "mask": _table_mask(view, camera, rect)}


def _spread(values, ok) -> np.ndarray:
    """``values`` (W, H) with the points off the table (``ok`` False) given their neighbours'
    values, so that smoothing does not fade the fog at the table's edge."""
    out = np.where(ok, values, 0.0)
    have = ok.copy()
    for shift, axis in ((1, 0), (-1, 0), (1, 1), (-1, 1)):
        near = np.roll(out, shift, axis)
        near_ok = np.roll(ok, shift, axis)
        take = ~have & near_ok
        out[take] = near[take]
        have |= take
    return out


def _table_mask(view, camera, rect) -> np.ndarray | None:
    """Which pixels of ``rect`` [screen] show the table (ground or plinth), as a uint8 0/1 array
    (W, H); None while the render shows scaled (then the fog's edge stays soft)."""
    frame, placed = view.frame, view.placed(camera)
    if placed.size != frame.rect.size or frame.owner is None:
        return None
    cols = np.arange(rect.x, rect.right) - placed.x - frame.first
    rows = np.arange(rect.y, rect.bottom) - placed.y
    n_cols, n_rows = frame.owner.shape
    good_c, good_r = (cols >= 0) & (cols < n_cols), (rows >= 0) & (rows < n_rows)
    inside = frame.owner[np.clip(cols, 0, n_cols - 1)][:, np.clip(rows, 0, n_rows - 1)] < frame.height.shape[1]
    return (inside & good_c[:, None] & good_r[None, :]).astype(np.uint8)


def draw_spawn_ring(surface, level, camera, view, p, board):
    """The spawn zone: a dashed ring lying on the ground, and its caption (on the ``board``) above it."""
    a = np.linspace(0, 2 * math.pi, 4 * SPAWN_DASHES + 1)
    ring = level.spawn_center + level.spawn_radius * np.column_stack([np.cos(a), np.sin(a)])
    px = camera.pos2pix(ring)
    for k in range(SPAWN_DASHES):
        dash = px[4 * k:4 * k + 3]
        pygame.draw.lines(surface, p.outline, False, dash.tolist(), 4)
        pygame.draw.lines(surface, p.marker, False, dash.tolist(), 2)
    top = px[np.argmin(px[:, 1])]
    marks.want_spawn_caption(board, (int(top[0]), int(top[1])), p)
