"""The deploy close-up keeps the spawn zone and its units in the part of the map nothing covers:
on a retry (the hint box above the event log), and after the window is resized, in both views."""
import numpy as np
import pygame
import pytest

from game.play.battle import Battle
from game.play.framing import deploy_area, spawn_box
from game.play.results import Results
from tests.drive import post, press, run, run_until
from tests.play import deployed


def units_in_view(b) -> bool:
    """Every unit's pixel and the spawn circle inside the deploy view's free area."""
    area = deploy_area(b)
    xy = b.unit_pixels()
    inside = (xy[:, 0] >= area.left) & (xy[:, 0] < area.right) & (xy[:, 1] >= area.top) & (xy[:, 1] < area.bottom)
    return bool(inside.all()) and area.contains(spawn_box(b.camera, b.level))


@pytest.mark.parametrize("view", ["map", "relief"])
@pytest.mark.parametrize("level,size", [("12-boss", (1280, 720)), ("24-nn-spiral", (800, 600))])
def test_on_a_retry_the_hint_box_leaves_the_spawn_in_view(make_app, view, level, size):
    app = make_app(size, level=level, view=view)
    press(app, pygame.K_RETURN)
    b = app.scene                                                     # the level's own orders lose
    b.start()
    while b.phase != "over":
        b._tick()
    run_until(app, lambda: isinstance(app.scene, Results))
    press(app, pygame.K_r)
    retry = app.scene
    assert isinstance(retry, Battle) and retry.phase == "deploy" and retry._hint_lines
    assert not spawn_box(retry.camera, retry.level).colliderect(retry.hint_rect)
    assert units_in_view(retry)
    press(app, pygame.K_v)                                            # the other view too
    assert not spawn_box(retry.camera, retry.level).colliderect(retry.hint_rect) and units_in_view(retry)


@pytest.mark.parametrize("view", ["map", "relief"])
@pytest.mark.parametrize("level", ["03-ravine", "08-himmelblau", "12-boss"])
def test_a_resize_keeps_the_deploy_close_up_on_the_spawn(make_app, view, level):
    app, b = deployed(make_app, level, size=(1280, 720))
    if b.eyes.mode != view:
        press(app, pygame.K_v)
    assert units_in_view(b)
    for size in [(800, 600), (1600, 900), (800, 600)]:
        post(pygame.VIDEORESIZE, w=size[0], h=size[1], size=size)
        run(app, 1)
        assert app.screen.get_size() == size and units_in_view(b), size


def test_a_camera_the_player_moved_is_left_alone_by_a_resize(make_app):
    app, b = deployed(make_app, "03-ravine", size=(1280, 720))
    b.camera.pan_px(200, 0)
    moved = b.camera.center.copy()
    post(pygame.VIDEORESIZE, w=800, h=600, size=(800, 600))
    run(app, 1)
    assert np.allclose(b.camera.center, moved)
