"""The sand table in the game and the classroom, driven through the real app loop with posted
events: it is the default view, V switches to the map and back, Q / E turn the table (animated),
PgUp / PgDn tilt it, a click picks the ball under the cursor and a drag box the balls inside it,
the minimap frames the ground the view shows."""
import numpy as np
import pygame

from game.play.app import GameApp
from game.view.minimap import map_area
from game.view.relief_camera import TILTS, TURN_STEP, ReliefCamera
from game.view.world_view import relief_view, unit_pixels
from tests.drive import DT, click, drag, press, run
from tests.play import deployed


def relief_battle(make_app, level="08-himmelblau", size=(1280, 720)):
    app, b = deployed(make_app, level, size)
    if not isinstance(b.camera, ReliefCamera):
        press(app, pygame.K_v)
    assert isinstance(b.camera, ReliefCamera)
    return app, b


def test_the_game_opens_on_the_sand_table(tmp_path, monkeypatch):
    monkeypatch.setenv("VALLEY_COMMAND_DATA", str(tmp_path))
    app = GameApp((960, 600), fixed_dt=DT, level="01-bowl")
    try:
        press(app, pygame.K_RETURN)
        assert isinstance(app.scene.camera, ReliefCamera) and app.view == "relief"
    finally:
        app.close()


def test_v_switches_to_the_map_and_back_and_the_next_battle_remembers(make_app):
    app, b = relief_battle(make_app)
    press(app, pygame.K_v)
    assert not isinstance(b.camera, ReliefCamera) and app.view == "map"
    press(app, pygame.K_v)
    assert isinstance(b.camera, ReliefCamera) and app.view == "relief"
    before = pygame.surfarray.array3d(app.screen).copy()
    press(app, pygame.K_v)
    assert np.abs(pygame.surfarray.array3d(app.screen).astype(int) - before).sum() > 0   # another picture


def test_q_and_e_turn_the_table_in_animated_steps(make_app):
    app, b = relief_battle(make_app)
    cam = b.camera
    yaw = cam.yaw
    press(app, pygame.K_e, frames=1)
    assert cam.target_yaw == yaw + TURN_STEP and yaw < cam.yaw < yaw + TURN_STEP      # on its way
    run(app, 10)
    assert cam.yaw == (yaw + TURN_STEP) % 360 and not cam.moving
    press(app, pygame.K_q, frames=12)
    assert cam.yaw == yaw % 360
    drafts = relief_view(b.art).renders
    press(app, pygame.K_e, frames=12)
    assert relief_view(b.art).renders >= drafts + 3                 # each frame of the turn is drawn anew


def test_pgup_and_pgdn_tilt_the_view_within_its_tilts(make_app):
    app, b = relief_battle(make_app)
    cam = b.camera
    for _ in range(5):
        press(app, pygame.K_PAGEUP, frames=8)
    assert cam.elevation == TILTS[-1]
    for _ in range(5):
        press(app, pygame.K_PAGEDOWN, frames=8)
    assert cam.elevation == TILTS[0]


def test_a_click_picks_the_ball_under_the_cursor_and_a_box_the_balls_inside(make_app):
    app, b = relief_battle(make_app)
    balls = unit_pixels(b.world, b.camera)
    assert np.allclose(balls, b.unit_pixels())
    d = np.hypot(*(balls[:, None] - balls[None]).transpose(2, 0, 1)) + np.eye(len(balls)) * 1e9
    u = int(np.argmax(d.min(1)))                                   # the ball farthest from the others
    click(app, balls[u])
    assert np.flatnonzero(b.selection.mask).tolist() == [u]
    right = balls[:, 0] > np.median(balls[:, 0])
    drag(app, balls[right].min(0) - (4, 4), balls[right].max(0) + (4, 4))
    inside = ((balls >= balls[right].min(0) - 4) & (balls <= balls[right].max(0) + 4)).all(1)
    assert np.array_equal(b.selection.mask, inside)


def test_the_minimap_frames_the_ground_the_relief_shows(make_app):
    app, b = relief_battle(make_app)
    press(app, pygame.K_RETURN)                                    # the descent: the whole table
    b.camera.zoom_at(b.map_rect.center, 2.5)
    run(app, 2)
    quad = b.camera.footprint()
    area = map_area(b.minimap_rect, b.level)
    (x0, x1), (y0, y1) = b.level.bounds
    centre = quad.mean(0)
    cx = area.x + (centre[0] - x0) / (x1 - x0) * area.width
    cy = area.y + (y1 - centre[1]) / (y1 - y0) * area.height
    assert area.collidepoint(cx, cy)
    frame = pygame.surfarray.array3d(app.screen)
    corner = quad[0]
    px = int(area.x + (corner[0] - x0) / (x1 - x0) * area.width)
    py = int(area.y + (y1 - corner[1]) / (y1 - y0) * area.height)
    if area.collidepoint(px, py):                                  # the footprint's corner is drawn light
        patch = frame[px - 2:px + 3, py - 2:py + 3]
        assert patch.max() > 180


def test_the_classroom_shows_the_sand_table_and_v_switches(make_classroom):
    app, c = make_classroom(view="relief")
    assert isinstance(c.camera, ReliefCamera)
    c.world.step(5)
    run(app, 1)
    balls = unit_pixels(c.world, c.camera)
    d = np.hypot(*(balls[:, None] - balls[None]).transpose(2, 0, 1)) + np.eye(len(balls)) * 1e9
    u = int(np.argmax(d.min(1)))
    click(app, balls[u])
    assert c.unit == u
    press(app, pygame.K_v)
    assert not isinstance(c.camera, ReliefCamera)
    press(app, pygame.K_v)
    yaw = c.camera.yaw
    press(app, pygame.K_e, frames=12)
    assert c.camera.yaw == (yaw + TURN_STEP) % 360
