"""The map camera: world <-> pixel round trips, fitting, zooming around the cursor, panning."""
import numpy as np
import pygame
import pytest

import sim
from game.view.camera import Camera

SIZE = (640, 400)


@pytest.fixture(scope="module")
def bowl():
    return sim.load_level("01-bowl")


def test_camera_round_trip_and_orientation(bowl):
    cam = Camera(bowl.bounds, pygame.Rect(20, 10, *SIZE))
    pts = np.random.default_rng(0).uniform(-5, 5, (50, 2))
    for _ in range(2):
        np.testing.assert_allclose(cam.pix2pos(cam.pos2pix(pts)), pts, atol=1e-9)
        np.testing.assert_allclose(cam.pos2pix(cam.pix2pos(pts * 30)), pts * 30, atol=1e-9)
        cam.zoom_at((100, 80), 3.0)
        cam.pan_px(37, -12)
    cam.fit()
    assert tuple(np.rint(cam.pos2pix(cam.center))) == cam.viewport.center
    up = cam.pos2pix((0, 1)) - cam.pos2pix((0, 0))
    assert up[1] < 0 and up[0] == 0                      # world +y is screen up
    np.testing.assert_allclose(cam.vec2pix((1.0, 1.0)), (cam.zoom, -cam.zoom))


def test_fit_shows_whole_map_centred(bowl):
    cam = Camera(bowl.bounds, pygame.Rect(0, 0, *SIZE))
    (x0, x1), (y0, y1) = cam.world_rect()
    assert x0 <= -5 and x1 >= 5 and y0 <= -5 and y1 >= 5
    assert cam.viewport.contains(cam.map_rect())
    np.testing.assert_allclose(cam.center, (0, 0))


def test_zoom_at_keeps_the_point_under_the_cursor(bowl):
    cam = Camera(bowl.bounds, pygame.Rect(0, 0, *SIZE))
    for px, factor in [((400, 150), 2.5), ((100, 300), 1.7), ((320, 200), 0.8)]:
        before = cam.pix2pos(px)
        cam.zoom_at(px, factor)
        np.testing.assert_allclose(cam.pix2pos(px), before, atol=1e-9)
        np.testing.assert_allclose(cam.pos2pix(before), px, atol=1e-9)


def test_zoom_is_clamped_and_panning_keeps_the_map_on_screen(bowl):
    cam = Camera(bowl.bounds, pygame.Rect(0, 0, *SIZE))
    fit = cam.zoom
    cam.zoom_at((320, 200), 1e6)
    assert cam.zoom == pytest.approx(fit * 40)
    cam.zoom_at((320, 200), 1e-9)
    assert cam.zoom == pytest.approx(fit / 1.5)
    cam.pan_px(1e6, -1e6)
    assert cam.map_rect().colliderect(cam.viewport)


def test_set_viewport_refits_a_fitted_map_and_keeps_a_chosen_view(bowl):
    cam = Camera(bowl.bounds, pygame.Rect(0, 0, *SIZE))
    cam.set_viewport(pygame.Rect(0, 0, 1280, 720))
    assert cam.viewport.contains(cam.map_rect()) and cam.zoom == pytest.approx(cam.fit_zoom)
    cam.zoom_at((300, 300), 2.0)
    centre, zoom = cam.center.copy(), cam.zoom
    cam.set_viewport(pygame.Rect(0, 0, 1000, 700))
    np.testing.assert_allclose(cam.center, centre)
    assert cam.zoom == zoom
