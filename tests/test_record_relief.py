"""Films of the sand table: the relief by default, the map on request, and the orbit.

The orbit turns the table smoothly by the asked angle over the film, at one zoom that fits the table
at every heading: the table never leaves the picture's map area.
"""
import numpy as np
import pygame

import sim
from game.video.film import Film
from game.video.record import Recording, frames
from game.view.relief_camera import ReliefCamera

LEVEL = "08-himmelblau"
SIZE = (480, 270)


def film_and_frames(view="relief", orbit=0.0, steps=12):
    level = sim.load_level(LEVEL)
    rec = Recording(level, (sim.Orders("momentum", 0.1, 0.9),), units=4, steps=steps, seed=3, fps=10,
                    size=SIZE, duration=2.0, view=view, orbit=orbit)
    film = Film(level, SIZE, steps=steps, view=view, orbit=orbit)
    return rec, film


def test_a_film_shows_the_sand_table_by_default_and_the_map_on_request():
    rec, film = film_and_frames()
    assert isinstance(film.camera, ReliefCamera)
    _, flat = film_and_frames(view="map")
    assert not isinstance(flat.camera, ReliefCamera)
    a, b = pygame.Surface(SIZE), pygame.Surface(SIZE)
    world = rec.new_world()
    film.descent(a, world)
    flat.descent(b, world)
    assert not np.array_equal(pygame.surfarray.array3d(a), pygame.surfarray.array3d(b))


def test_the_orbit_turns_the_table_evenly_and_keeps_it_in_the_picture():
    rec, film = film_and_frames(orbit=90.0)
    surface = pygame.Surface(SIZE)
    headings, boxes = [], []
    for _ in frames(rec, film, surface):
        headings.append(film.camera.yaw)
        boxes.append(film.camera.map_rect())
    turns = np.diff(headings)
    assert headings[0] == 0.0 and abs(headings[-1] - 90.0) < 1e-9
    assert np.allclose(turns, turns[0]) and turns[0] > 0              # smoothly: the same turn each frame
    area = film.map_rect
    assert all(area.contains(box) for box in boxes)                    # the table stays in the map's area
    zooms = {round(film.camera.zoom, 9)}
    assert len(zooms) == 1                                             # one zoom for the whole film


def test_without_an_orbit_every_frame_looks_from_one_heading():
    rec, film = film_and_frames()
    surface = pygame.Surface(SIZE)
    headings = {film.camera.yaw for _ in frames(rec, film, surface)}
    assert headings == {0.0}
