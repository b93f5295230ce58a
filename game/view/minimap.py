"""The minimap: the whole map small, the fog, every unit as a dot, and the camera's view as a frame
(on the sand table, the ground its view shows: a turned quadrilateral).

The map keeps its aspect ratio inside the given rectangle (centred). Its picture (terrain with the
fog over it) is cached until the fog changes; a frame then costs one blit, one dot per unit and a
rectangle. ``minimap_pick`` turns a click on it into a world point, for click-to-jump.
"""
from __future__ import annotations

import numpy as np
import pygame

from sim.world import DIVERGED

from . import palette as pal
from .palette import SQUAD_COLOURS

DOT = 3                   # unit dot size [px]
_CACHE: dict = {}         # (size, palette) -> (art, fog, fog state, picture)


def map_area(rect, level) -> pygame.Rect:
    """Where the map sits inside the minimap ``rect`` [px]: as large as fits, aspect kept, centred."""
    rect = pygame.Rect(rect)
    (x0, x1), (y0, y1) = level.bounds
    k = min(rect.width / (x1 - x0), rect.height / (y1 - y0))
    w, h = max(1, round((x1 - x0) * k)), max(1, round((y1 - y0) * k))
    return pygame.Rect(rect.x + (rect.width - w) // 2, rect.y + (rect.height - h) // 2, w, h)


def _world2mini(area: pygame.Rect, level, xy) -> np.ndarray:
    """World points (..., 2) [world] -> minimap pixels [px] inside ``area``."""
    (x0, x1), (y0, y1) = level.bounds
    xy = np.asarray(xy, float)
    out = np.empty(xy.shape)
    out[..., 0] = area.x + (xy[..., 0] - x0) / (x1 - x0) * area.width
    out[..., 1] = area.y + (y1 - xy[..., 1]) / (y1 - y0) * area.height
    return out


def minimap_pick(rect, level, px) -> np.ndarray:
    """A pixel ``px`` inside the minimap ``rect`` -> the world point (2,) it shows (clamped to the map)."""
    area = map_area(rect, level)
    (x0, x1), (y0, y1) = level.bounds
    u = np.clip((px[0] - area.x) / area.width, 0, 1)
    v = np.clip((px[1] - area.y) / area.height, 0, 1)
    return np.array([x0 + u * (x1 - x0), y1 - v * (y1 - y0)])


def _picture(art, fog, size, palette) -> pygame.Surface:
    """Terrain with the fog over it at ``size``; kept until the art, the fog or its state changes."""
    state = (fog.version, fog.enabled) if fog is not None else None
    cached = _CACHE.get((size, palette))
    if cached and cached[0] is art and cached[1] is fog and cached[2] == state:
        return cached[3]
    img = art.scaled(size).copy()
    if fog is not None and fog.enabled:
        rows, cols = fog.shape                     # the grid may reach a little past the map
        (x0, x1), (y0, y1) = fog.bounds
        full = (round(cols * fog.cell / (x1 - x0) * size[0]),
                round(rows * fog.cell / (y1 - y0) * size[1]))
        img.blit(pygame.transform.scale(fog.tinted_grid(palette), full), (0, 0))   # nearest: plenty here
    if len(_CACHE) >= 4:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[(size, palette)] = (art, fog, state, img)
    return img


def draw_minimap(surface, rect, world, camera, art, fog=None, palette="war-room"):
    """The whole map small in ``rect`` [px]: terrain, fog, units as dots, the camera's view framed."""
    p = pal.get(palette)
    rect = pygame.Rect(rect)
    area = map_area(rect, world.level)
    old_clip = surface.get_clip()
    surface.set_clip(rect.clip(old_clip) if old_clip else rect)
    try:
        surface.fill(p.background, rect)
        surface.blit(_picture(art, fog, area.size, palette), area)
        _dots(surface, area, world)
        if hasattr(camera, "footprint"):             # the sand table: the ground the view shows, turned
            surface.set_clip(area.clip(surface.get_clip()))
            quad = _world2mini(area, world.level, camera.footprint()).tolist()
            pygame.draw.polygon(surface, p.outline, quad, 3)
            pygame.draw.polygon(surface, p.marker, quad, 1)
            surface.set_clip(rect.clip(old_clip) if old_clip else rect)
        else:
            (vx0, vx1), (vy0, vy1) = camera.world_rect()
            (l, t), (r, b) = _world2mini(area, world.level, np.array([[vx0, vy1], [vx1, vy0]]))
            view = pygame.Rect(round(l), round(t), round(r - l), round(b - t)).clip(area)
            pygame.draw.rect(surface, p.outline, view.inflate(2, 2), 1)
            pygame.draw.rect(surface, p.marker, view, 1)
        pygame.draw.rect(surface, p.marker, rect, 1)
    finally:
        surface.set_clip(old_clip)


def _dots(surface, area, world):
    """Every unit as a small squad-coloured square (diverged units are left out)."""
    alive = np.flatnonzero(world.status != DIVERGED)
    xy = np.rint(_world2mini(area, world.level, world.positions[alive])).astype(int) - DOT // 2
    surface.fblits(list(zip(_squares()[world.squad[alive] % len(SQUAD_COLOURS)].tolist(), xy.tolist())))


_SQUARES: list = []


def _squares() -> np.ndarray:
    """One DOT x DOT square per squad colour (an object array, for gathering by squad)."""
    if not _SQUARES:
        images = np.empty(len(SQUAD_COLOURS), object)
        for q, colour in enumerate(SQUAD_COLOURS):
            images[q] = pygame.Surface((DOT, DOT))
            images[q].fill(colour)
        _SQUARES.append(images)
    return _SQUARES[0]
