"""The marks on the sand table's ground -- the spawn ring, the minima, the arrival flag -- are not
drawn over a hill that stands in front of them: a hidden dash or ring is left out, the goal's star
turns hollow (never lost), and a flag shows only what rises above the hill."""
import numpy as np
import pygame
import pytest

import sim
from game.view import marks
from game.view import palette as pal
from game.view.labels import Board
from game.view.relief_camera import TILTS, ReliefCamera
from game.view.relief_draw import draw_spawn_ring
from game.view.render import MapArt
from game.view.sprites import GOLD

SIZE = (800, 500)
P = pal.get("war-room")


@pytest.fixture(scope="module")
def table():
    level = sim.load_level("08-himmelblau")
    art = MapArt(level, resolution=512)
    cam = ReliefCamera(art.ground, pygame.Rect(0, 0, *SIZE))
    cam.set_pose(45.0, TILTS[1])
    return level, cam


def nothing_hidden(xy, lift_px=1.0):
    return np.zeros(len(np.atleast_2d(xy)), bool)


def all_hidden(xy, lift_px=1.0):
    return np.ones(len(np.atleast_2d(xy)), bool)


def drawn(draw) -> np.ndarray:
    """The pixels (W, H) a drawing call changes on a black surface."""
    surface = pygame.Surface(SIZE)
    draw(surface)
    return pygame.surfarray.array3d(surface).sum(axis=2) > 0


def test_a_spawn_ring_behind_a_hill_is_not_drawn(table):
    level, cam = table
    board = Board(pygame.Rect(0, 0, *SIZE))
    shown = drawn(lambda s: draw_spawn_ring(s, level, cam, nothing_hidden, P, board))
    gone = drawn(lambda s: draw_spawn_ring(s, level, cam, all_hidden, P, board))
    assert shown.sum() > 200 and gone.sum() == 0

    def back_half(xy, lift_px=1.0):                      # the half of the ring farther from the viewer
        return cam.depth(xy, np.zeros(len(xy))) > cam.depth(np.atleast_2d(level.spawn_center), [0.0])[0]
    half = drawn(lambda s: draw_spawn_ring(s, level, cam, back_half, P, board))
    assert 0.3 < half.sum() / shown.sum() < 0.7


def test_hidden_minima_are_left_out_and_a_hidden_goal_is_a_hollow_star(table):
    level, cam = table
    x, y = np.rint(cam.pos2pix(level.global_min)).astype(int)
    for hidden, others_shown, star_filled in ((nothing_hidden, True, True), (all_hidden, False, False)):
        surface = pygame.Surface(SIZE)
        marks.draw_minima(surface, level, cam, P, Board(pygame.Rect(0, 0, *SIZE)), hidden=hidden)
        picture = pygame.surfarray.array3d(surface)
        assert (tuple(picture[x, y]) == GOLD) == star_filled
        assert (picture[x - 13:x + 14, y - 13:y + 14] == GOLD).all(axis=2).any()     # the star is never lost
        for m in level.minima:
            mx, my = np.rint(cam.pos2pix(m.xy)).astype(int)
            if abs(mx - x) + abs(my - y) > 30:
                ring = picture[mx - 6:mx + 7, my - 6:my + 7].sum(axis=2) > 0
                assert ring.any() == others_shown


def test_a_flag_behind_a_hill_shows_only_what_rises_above_it(table):
    level, cam = table
    world = sim.World(level, seed=0, units=1, spawn=[level.global_min])
    world.step()
    assert world.won
    x, y = np.rint(cam.pos2pix(level.global_min)).astype(int)

    def hill(px):                                       # a hill in front hiding the lowest px pixels
        return lambda xy, lift_px=1.0: np.full(len(np.atleast_2d(xy)), lift_px < px)

    for covered in (0, 20, 60):
        board = Board(pygame.Rect(0, 0, *SIZE))
        pole = drawn(lambda s: marks.draw_goal_flag(s, world, cam, P, board, hidden=hill(covered)))
        rows = np.flatnonzero(pole[x - 8:x + 24].any(axis=0))
        if covered >= marks.FLAG_HEIGHT:
            assert rows.size == 0
        else:
            assert rows.max() <= y + 4 - (covered and covered + 4) and rows.min() <= y - 38


def test_a_unit_off_the_table_stands_on_its_edge(table):
    from game.view.relief_draw import LIFT, off_table, unit_points
    level, cam = table
    (x0, x1), (y0, y1) = level.bounds
    world = sim.World(level, seed=0, units=3, spawn=[level.spawn_center] * 3)
    world.positions[1] = (x1 + 40.0, (y0 + y1) / 2)            # flung far past the east edge
    world.positions[2] = (np.nan, np.nan)
    assert list(off_table(world, cam)) == [False, True, True]
    _, centre, z = unit_points(world, cam)
    edge = np.array([x1, (y0 + y1) / 2])
    assert np.allclose(centre[1], cam.project(edge[None], cam.ground.elevation_at(edge[None]))[0] - (0, LIFT))
    assert np.all(np.isfinite(centre)) and cam.map_rect().inflate(2, 2).collidepoint(*centre[1])


def test_a_unit_flung_off_the_table_bursts_on_its_edge(table, monkeypatch):
    """The burst of a unit that diverged far off the table is drawn on the table's edge, never
    below the table where the event log is."""
    from game.view import relief_draw, sprites
    level, cam = table
    (x0, x1), (y0, y1) = level.bounds
    world = sim.World(level, seed=0, units=2, spawn=[level.spawn_center] * 2)
    world.set_orders(0, lr=level.lr_range[1])
    world.positions[1] = ((x0 + x1) / 2, y0 - 60.0)              # far off the near edge
    world.status[1] = sim.DIVERGED
    world.events.append(sim.Event(world.step_count, "diverged", 0, 1, 0.0))
    burst = pygame.Surface((9, 9))
    burst.fill((255, 0, 255))
    monkeypatch.setattr(sprites, "explosion_frames", lambda palette, n: [burst])
    _, centre, _ = relief_draw.unit_points(world, cam)
    painted = drawn(lambda s: relief_draw._draw_explosions(s, world, centre, 0.0, P))
    cols, rows = np.nonzero(painted)
    table_rect = cam.map_rect()
    assert len(cols) == 81 and table_rect.inflate(12, 12).collidepoint(cols.mean(), rows.mean())
