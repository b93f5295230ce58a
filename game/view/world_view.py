"""The world in whichever view its camera shows: the top-down map (``render.draw_map``) or the
sand table's relief (``relief_draw.draw_relief``). Front ends draw through here, so one key can
switch a scene between the two and everything else stays the same.

    draw_world(screen, world, camera, art, fog, selected=mask, time_s=t)
    unit_pixels(world, camera)        # where each unit shows [px]: what a click or a box picks
    ball_pixels(camera, xy)           # where a unit standing at xy would show [px]
    ground_under(camera, art, pos)    # the ground under a pixel [world]: where a landing aims
"""
from __future__ import annotations

import numpy as np

from .relief_camera import ReliefCamera
from .relief_draw import LIFT, draw_relief, unit_points
from .relief_view import ReliefView
from .render import draw_map

_VIEWS: dict = {}              # (art, palette) -> ReliefView: the renders of one level's relief


def relief_view(art, palette="war-room") -> ReliefView:
    """The relief renders of a level's terrain picture (kept while the art is in use)."""
    key = (id(art), palette)
    view = _VIEWS.get(key)
    if view is None or view.art is not art:
        if len(_VIEWS) >= 4:
            _VIEWS.pop(next(iter(_VIEWS)))
        view = _VIEWS[key] = ReliefView(art.ground, palette)
        view.art = art
    return view


def is_relief(camera) -> bool:
    return isinstance(camera, ReliefCamera)


def draw_world(surface, world, camera, art, fog=None, **options):
    """``draw_map`` or ``draw_relief``, whichever the camera is for (same options)."""
    if is_relief(camera):
        draw_relief(surface, world, camera, relief_view(art, options.get("palette", "war-room")), fog, **options)
    else:
        draw_map(surface, world, camera, art, fog, **options)


def hidden_units(world, camera, art, palette="war-room") -> np.ndarray:
    """Which units (N,) the ground hides from the camera (none on the map)."""
    if not is_relief(camera):
        return np.zeros(world.n_units, bool)
    view = relief_view(art, palette)
    if view.frame is None:                       # (the frame was drawn: its render is up to date)
        view.update(camera)
    z = camera.ground.elevation(world.heights)
    return view.hidden(camera, world.positions, z, LIFT)


def ball_pixels(camera, xy) -> np.ndarray:
    """Where a unit standing at the world points xy (N, 2) shows [px]: its disc on the map, the
    centre of its ball on the relief (LIFT px above the ground point). Marks that go from a unit
    (the classroom's arrows, target and ghost) start where the unit is drawn."""
    pix = np.asarray(camera.pos2pix(np.asarray(xy, float)), float)
    if is_relief(camera):
        pix = pix - (0.0, LIFT)
    return pix


def unit_pixels(world, camera) -> np.ndarray:
    """Each unit's position on screen (N, 2) [px]: its disc on the map, its ball on the relief."""
    if is_relief(camera):
        return unit_points(world, camera)[1]
    return np.asarray(camera.pos2pix(world.positions), float)


def ground_under(camera, art, pos, palette="war-room"):
    """The point (2,) [world] of the map's ground that shows at the screen pixel ``pos``: on the map
    the point under it, on the sand table the ground the view's ray meets first. None where no
    ground of the map shows (beyond its edge, the plinth's faces, the sky)."""
    if is_relief(camera):
        view = relief_view(art, palette)
        if view.frame is None:
            view.update(camera)
        xy, found = view.ground_at(camera, np.array([pos], float))
        return xy[0].copy() if found[0] else None
    xy = np.asarray(camera.pix2pos(pos), float).reshape(2)
    (x0, x1), (y0, y1) = camera.bounds
    return xy if x0 <= xy[0] <= x1 and y0 <= xy[1] <= y1 else None
