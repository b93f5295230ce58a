"""Where the deploy view looks: the spawn zone, close up, in the part of the map that nothing
covers -- below the banner line, above the hint box and the event log, left of a minimap laid
in the map's corner -- in either view, and again after the window is resized.

    area = deploy_area(battle)
    center, zoom = frame_spawn(camera, level, area)
"""
from __future__ import annotations

import numpy as np
import pygame

from game.view.sprites import UNIT_RADIUS

SPAWN_SHARE = 0.3           # deploying, the spawn zone's diameter fills this share of the free area ...
ZOOM_MAX = 2.5              # ... zoomed in at most this much past the whole-map view
RING_POINTS = 32            # points around the spawn circle whose pixels must be in the free area
UNIT_ROOM = 3 * UNIT_RADIUS  # room around the ring for the balls standing in it [px]


def deploy_area(b) -> pygame.Rect:
    """The part of battle ``b``'s map the deploy view may use [px] (see the module's docstring)."""
    pad, m = int(14 * b.scale), b.map_rect
    top = m.y + pad + int(13 * b.scale) * 2 + pad // 2
    bottom = (b.hint_rect.y if b._hint_lines else b.log_rect.y) - pad // 2
    right = b.minimap_rect.x - pad if m.colliderect(b.minimap_rect) else m.right
    return pygame.Rect(m.x, top, max(1, right - m.x), max(1, bottom - top))


def spawn_box(cam, level) -> pygame.Rect:
    """The pixels the spawn circle and the units in it take on screen [px]."""
    a = np.linspace(0, 2 * np.pi, RING_POINTS, endpoint=False)
    ring = np.asarray(level.spawn_center) + level.spawn_radius * np.column_stack([np.cos(a), np.sin(a)])
    px = cam.pos2pix(ring)
    (x0, y0), (x1, y1) = px.min(0), px.max(0)
    return pygame.Rect(int(x0), int(y0), int(x1 - x0) + 1, int(y1 - y0) + 1).inflate(UNIT_ROOM, 2 * UNIT_ROOM)


def frame_spawn(cam, level, area) -> tuple:
    """Close in on the spawn zone so that it fills SPAWN_SHARE of ``area`` [px] and stands inside
    it; the map's view stays on the map when that keeps the spawn in the area. Returns the
    close-up's (center, zoom)."""
    area = pygame.Rect(area)
    cam.fit()
    span = 2 * level.spawn_radius / SPAWN_SHARE                    # world units the area should show
    zoom = min(area.width, area.height) / span
    cam.zoom_at(cam.viewport.center, min(max(zoom / cam.zoom, 1.0), ZOOM_MAX))
    centre = np.asarray(level.spawn_center, float)
    if not hasattr(cam, "ground"):                                 # the map: its view stays on the map if it can
        half = np.array(cam.viewport.size) / 2 / cam.zoom
        (x0, x1), (y0, y1) = level.bounds
        lo, hi = np.array([x0, y0]) + half, np.array([x1, y1]) - half
        centre = np.where(lo <= hi, np.clip(centre, lo, hi), (lo + hi) / 2)
    cam.center_on(centre)
    if hasattr(cam, "keep_table_in_view"):                          # the sand table: none of it slides away
        cam.keep_table_in_view()
    for _ in range(6):
        if area.contains(spawn_box(cam, level)):
            break
        x, y = cam.pos2pix(level.spawn_center)
        cam.pan_px(area.centerx - x, area.centery - y)
        if not area.contains(spawn_box(cam, level)):
            cam.zoom_at(cam.pos2pix(level.spawn_center), 0.8)
    return cam.center.copy(), cam.zoom
