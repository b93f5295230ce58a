"""The closing picture of a recording: the marks (goal star, flag, labels) leave the balls in sight."""
import numpy as np
import pygame
import pytest

import sim
from game.video.film import Film
from game.view import marks
from game.view.palette import SQUAD_COLOURS
from game.view.relief_draw import unit_points
from game.view.render import frame_array
from game.view.sprites import UNIT_RADIUS

SIZE = (960, 540)


def arrived_world():
    """Cooling Down with its hint's orders (eta 0.03 on a cosine schedule): the units that arrive
    gather on the goal, under its star and its flag."""
    level = sim.load_level("26-annealing")
    world = sim.World(level, seed=level.seed)
    world.set_orders(0, lr=0.03, schedule=sim.schedule.schedule_from_text("cosine:150", 0.03))
    world.step(level.budget)
    assert world.won and (world.status == sim.ARRIVED).sum() >= 3
    return world


def test_the_flag_is_planted_beside_the_balls_at_the_goal():
    goal = (400, 300)
    balls = np.array([[400, 293], [404, 295], [396, 296], [401, 290]], float)     # a cluster on the goal
    dx = marks.flag_spot(goal, balls)
    rect = marks.flag_rect(goal[0] + dx, goal[1]).inflate(2 * 7, 2 * 7)
    assert dx != 0 and not any(rect.collidepoint(*b) for b in balls)
    assert marks.flag_spot(goal, np.zeros((0, 2))) == 0                           # nobody there: on the goal


@pytest.mark.parametrize("view", ["relief", "map"])
def test_the_closing_picture_shows_the_balls_at_the_goal(view):
    world = arrived_world()
    film = Film(world.level, SIZE, view=view)
    surface = pygame.Surface(SIZE)
    film.ending(surface, world, race=False)
    image = frame_array(surface).astype(int)
    if view == "relief":
        centres = unit_points(world, film.camera)[1]
    else:
        centres = film.camera.pos2pix(world.positions)
    at_goal = centres[world.status == sim.ARRIVED]
    squad = np.array(SQUAD_COLOURS[0])
    r = UNIT_RADIUS + 1                     # a ball, or the ring of one a hill hides, lies within this
    for x, y in np.rint(at_goal).astype(int):
        patch = image[y - r:y + r + 1, x - r:x + r + 1].reshape(-1, 3)
        assert (np.abs(patch - squad).sum(1) < 60).sum() >= 30, (view, x, y)      # a whole ring (2 pi 6 px) or ball


@pytest.mark.parametrize("view", ["relief", "map"])
def test_map_labels_grow_with_the_frame(view):
    from game.view.labels import recording_labels
    world = arrived_world()
    heights = {}
    for size in ((1280, 720), (1920, 1080)):
        film = Film(world.level, size, view=view)
        with recording_labels() as boards:
            film.ending(pygame.Surface(size), world, race=False)
        placed = dict(boards[-1].labels)
        heights[size[1]] = [placed[name].height for name in ("SPAWN", f"global minimum  h = {-184.4:.2f}")]
    for small, large in zip(heights[720], heights[1080]):
        assert 1.3 < large / small < 1.7, heights                     # 1080 / 720 = 1.5
