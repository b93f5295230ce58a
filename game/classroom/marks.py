"""What the classroom draws on the map: the update rule's arrows to scale, the ring where the unit
will be, the units with the selected one on top, and the ghost of the next steps.

Every function draws what it is handed and changes nothing else; positions go through the camera.
"""
from __future__ import annotations

import numpy as np
import pygame

from game.view.world_view import ball_pixels
from sim.world import ARRIVED, DESCENDING, DIVERGED

from .look import ARROW_COLOURS, INK, OUTLINE, px, squad_colour

GROUND_SAMPLES = 24      # points along an arrow lying on the sand table's ground

def draw_arrow(surface, start, end, colour, width: int):
    """An arrow from ``start`` to ``end`` [px] with a dark outline; nothing if shorter than 3 px.
    Very long arrows are cut to 4000 px (the rest is off the screen anyway)."""
    start, end = np.asarray(start, float), np.asarray(end, float)
    d = end - start
    length = float(np.hypot(*d))
    if not np.isfinite(length) or length < 3:
        return
    if length > 4000:
        end, d, length = start + d * 4000 / length, d * 4000 / length, 4000.0
    u = d / length
    n = np.array([-u[1], u[0]])
    head = min(length * 0.5, width * 3.4)
    base = end - u * head
    wing = head * 0.6
    pygame.draw.line(surface, OUTLINE, start, base, width + 4)
    pygame.draw.polygon(surface, OUTLINE, [end + u * 3, base + n * (wing + 3) - u * 2, base - n * (wing + 3) - u * 2])
    pygame.draw.line(surface, colour, start, base + u, width)
    pygame.draw.polygon(surface, colour, [end, base + n * wing, base - n * wing])


def draw_arrows(surface, camera, x, arrows, s: float):
    """(kind, start offset, vector) arrows [world] from the point ``x`` [world], to scale. On the
    sand table an arrow lies on the ground: its shaft follows the relief between its ends."""
    on_ground = hasattr(camera, "ground")
    for kind, offset, vector in arrows:
        start = np.asarray(x, float) + offset
        if not on_ground:
            draw_arrow(surface, ball_pixels(camera, start), ball_pixels(camera, start + vector), ARROW_COLOURS[kind],
                       max(3, px(3.5, s)))
            continue
        t = np.linspace(0.0, 1.0, GROUND_SAMPLES)[:, None]
        path = ball_pixels(camera, start + t * np.asarray(vector, float))
        draw_arrow_path(surface, path, ARROW_COLOURS[kind], max(3, px(3.5, s)))


def draw_arrow_path(surface, path, colour, width: int):
    """An arrow along the pixel polyline ``path`` (n, 2): the shaft follows it, the head (as
    ``draw_arrow`` draws it) points along its last part; nothing if it is shorter than 3 px."""
    path = np.asarray(path, float)
    steps = np.hypot(*np.diff(path, axis=0).T)
    if not np.all(np.isfinite(path)) or steps.sum() < 3:
        return
    head = min(steps.sum() * 0.5, width * 3.4)
    from_tip = np.cumsum(steps[::-1])                        # length from the tip back to each point
    cut = len(path) - 1 - int(np.searchsorted(from_tip, head))   # the last point the shaft keeps
    shaft = path[:max(cut, 0) + 1]
    if len(shaft) >= 2:
        pygame.draw.lines(surface, OUTLINE, False, shaft.tolist(), width + 4)
        pygame.draw.lines(surface, colour, False, shaft.tolist(), width)
    draw_arrow(surface, shaft[-1], path[-1], colour, width)


def draw_target(surface, camera, xy, s: float):
    """Where the unit will be after the step: a hollow ring in the step colour."""
    c = ball_pixels(camera, xy)
    r = px(9, s)
    pygame.draw.circle(surface, OUTLINE, c, r + 2, max(2, px(2, s)) + 3)
    pygame.draw.circle(surface, ARROW_COLOURS["step"], c, r, max(2, px(2, s)))


def draw_units(surface, world, xy, s: float, selected: int | None, hidden=None):
    """Every unit as a big disc in its squad colour with a black rim (stopped ones hollow or
    crossed), the selected one in a white ring; drawn over the map's own small units at their
    pixels ``xy`` (N, 2). Units the ground ``hidden`` (N,) are only outlined. The selected unit's
    squad is drawn over the others (squads racing from the same starts cover each other), and
    within each, the moving units over the stopped ones."""
    r = px(7, s)
    view = surface.get_clip().inflate(4 * r, 4 * r)
    chosen = world.squad == world.squad[selected] if selected is not None else np.zeros(world.n_units, bool)
    order = np.lexsort((world.status == DESCENDING, chosen))             # last drawn: on top
    for i in order:
        c = xy[i]
        if not view.collidepoint(c):
            continue
        colour, status = squad_colour(world.squad[i]), world.status[i]
        if hidden is not None and hidden[i]:
            pygame.draw.circle(surface, OUTLINE, c, r + max(2, px(1.6, s)), max(2, px(3, s)))
            pygame.draw.circle(surface, colour, c, r, max(1, px(1.6, s)))
            continue
        pygame.draw.circle(surface, OUTLINE, c, r + max(2, px(1.6, s)))
        pygame.draw.circle(surface, colour, c, r)
        if status == ARRIVED:
            pygame.draw.circle(surface, OUTLINE, c, max(2, r // 2))
        elif status == DIVERGED:
            k = r * 0.7
            pygame.draw.line(surface, OUTLINE, c - (k, k), c + (k, k), max(2, px(2, s)))
            pygame.draw.line(surface, OUTLINE, c - (k, -k), c + (k, -k), max(2, px(2, s)))
    if selected is not None:
        c = xy[selected]
        pygame.draw.circle(surface, OUTLINE, c, r + px(7, s), px(5, s))
        pygame.draw.circle(surface, INK, c, r + px(6, s), px(3, s))


def draw_ghost(surface, camera, paths, colour, row: int, s: float):
    """The ghost preview: dots at each future position of every unit of a squad (``paths``:
    (steps + 1, n, 2) [world]); the selected unit's (``row``) larger and joined by a thin line."""
    pts = ball_pixels(camera, paths)
    r_small, r_big = max(2, px(2.2, s)), max(3, px(3.6, s))
    for j in range(pts.shape[1]):
        big = j == row
        if big and len(pts) > 1:
            pygame.draw.lines(surface, OUTLINE, False, pts[:, j].tolist(), max(1, px(1.2, s)))
        for p in pts[1:, j]:
            r = r_big if big else r_small
            pygame.draw.circle(surface, OUTLINE, p, r + 2)
            pygame.draw.circle(surface, INK if big else colour, p, r)
