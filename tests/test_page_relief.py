"""The sand table on the web page of a descent (game/video/page_relief.py), read back in Python.

The references are the game's own relief, built here apart from the page: the level's Ground (the
map art's heightfield at the page's resolution), a ReliefCamera of the relief view's picture size
at the page's heading, and a ReliefView rendered for it. On a test ground with one tall hill in
front of the spawn (seen from the page's side), so that the ground hides some units and not others.
"""
import io
from base64 import b64decode

import numpy as np
import pygame
import pytest
from PIL import Image

import main
import sim
from game.video import page, page_data, page_relief
from game.video.page_relief import decode_elevations, decode_hidden
from game.video.record import Recording
from game.view.relief_camera import DEFAULT_TILT, TILTS, ReliefCamera
from game.view.relief_draw import LIFT
from game.view.relief_view import ReliefView
from game.view.render import MapArt, frame_array

HILL = """title = "Behind the Hill"
lesson = "A tall hill hides the valley behind it."
briefing = "A bowl with one tall hill in it."
bounds = [[-5, 5], [-5, 5]]
budget = 40
goal_radius = 0.3
units = 8
seed = 1

[spawn]
center = [1.2, 2.6]
radius = 0.8

[orders]
allowed = ["sgd", "momentum"]
optimizer = "sgd"
lr = 0.05
lr_range = [0.003, 3.0]

[stars]
steps = 15
units_lost = 0

[[terrain]]
type = "bowl"
curvature = 0.3

[[terrain]]
type = "well"
center = [0.2, 1.0]
depth = -10.0
sigma = 0.6
"""
RACE = (sim.Orders("sgd", 0.05, 0.0), sim.Orders("momentum", 0.05, 0.8))
UNITS, STEPS = 8, 40


@pytest.fixture(scope="module")
def hill(tmp_path_factory):
    """(recording, data, views, the relief view, ground) of a race on the hill's page."""
    folder = tmp_path_factory.mktemp("hill")
    (folder / "hill.toml").write_text(HILL)
    level = sim.load_level(str(folder / "hill.toml"))
    rec = Recording(level, RACE, units=UNITS, steps=STEPS, seed=level.seed)
    page.write_page(rec, folder / "hill.html")
    data, views = page.read_page(folder / "hill.html")
    relief = next(v for v in views["views"] if v["id"] == "relief")
    ground = MapArt(level, resolution=page.MAP_RESOLUTION).ground
    return rec, data, views, relief, ground


def camera_for(view, ground) -> ReliefCamera:
    """The game's camera at the page's heading and default tilt, fitted to the view's picture."""
    return ReliefCamera(ground, pygame.Rect(0, 0, *view["size"]), yaw=page_relief.RELIEF_YAW)


def test_the_elevations_are_the_grounds_of_the_worlds_heights_step_for_step(hill):
    rec, data, _, _, ground = hill
    z = decode_elevations(data)
    tolerance = data["elevations"]["scale"] / 2 * (1 + 1e-9)                     # [world]
    assert tolerance <= 4e-5 * rec.level.size and z.shape == (STEPS + 1, 2 * UNITS)
    world = rec.new_world()
    for step in range(STEPS + 1):
        assert np.all(np.abs(z[step] - ground.elevation(world.heights)) <= tolerance), step
        world.step()
    assert np.ptp(z) > 0.1 * ground.top                                          # the units climb and fall
    e = data["elevations"]
    assert e["global_min"] == pytest.approx(ground.elevation(rec.level.global_min_height), abs=1e-6)
    assert e["minima"] == pytest.approx(ground.elevation([m.height for m in rec.level.minima]), rel=1e-5)


def test_the_relief_projection_puts_a_point_where_the_relief_camera_does(hill):
    _, _, _, view, ground = hill
    cam = camera_for(view, ground)
    assert cam.elevation == TILTS[DEFAULT_TILT]
    rng = np.random.default_rng(4)
    xy = rng.uniform(-5, 5, (200, 2))
    z = rng.uniform(0, 1.3 * ground.top, 200)
    m = np.asarray(view["projection"])
    q = np.column_stack([xy, z, np.ones(200)]) @ m.T
    on_page = q[:, :2] / q[:, 2:]
    assert np.abs(on_page - cam.project(xy, z)).max() <= 0.5                   # within half a picture pixel
    assert np.abs(on_page - cam.project(xy, z)).max() <= 1e-6                   # (in fact exactly)
    far = np.column_stack([xy, z, np.ones(200)]) @ np.asarray(view["depth"])
    np.testing.assert_allclose(far, cam.depth(xy, z) * cam.zoom, rtol=1e-12, atol=1e-9)     # [picture px]


def test_the_relief_picture_is_the_games_render_and_the_map_keeps_its_projection(hill):
    rec, _, views, view, ground = hill
    cam = camera_for(view, ground)
    game = ReliefView(ground, margin=0.0)
    game.update(cam)
    want = frame_array(game.frame.surface).astype(float)
    got = np.asarray(Image.open(io.BytesIO(b64decode(view["image"].split(",", 1)[1]))).convert("RGB"), float)
    assert got.shape == want.shape and np.abs(got - want).mean() < 3.0          # JPEG's loss only
    plan = next(v for v in views["views"] if v["id"] == "map")
    (x0, x1), (y0, y1) = rec.level.bounds
    corners = np.array([[x0, y1, 5.0, 1.0], [x1, y0, 0.0, 1.0]]) @ np.asarray(plan["projection"]).T
    np.testing.assert_allclose(corners[:, :2], [[0, 0], plan["size"]], atol=1e-9)   # north up, z ignored


@pytest.mark.parametrize("step", [0, 7, 20, STEPS])
def test_the_hidden_bits_are_what_the_relief_view_hides(hill, step):
    rec, data, _, view, ground = hill
    cam = camera_for(view, ground)
    game = ReliefView(ground, margin=0.0)
    game.update(cam)
    world = rec.new_world()
    world.step(step)
    want = game.hidden(cam, world.positions, ground.elevation(world.heights), LIFT)
    got = decode_hidden(data, "relief")[step]
    assert np.array_equal(got, want)
    assert got.any() and not got.all()                     # the hill hides some units, not all


def test_the_page_opens_on_the_view_it_was_recorded_for(tmp_path, capsys):
    default, flat = tmp_path / "relief.html", tmp_path / "map.html"
    assert main.main(["record", "01-bowl", "--out", str(default), "--steps", "4", "--units", "3"]) == 0
    assert main.main(["record", "01-bowl", "--out", str(flat), "--steps", "4", "--units", "3", "--view", "map"]) == 0
    ids = [[v["id"] for v in page.read_page(p)[1]["views"]] for p in (default, flat)]
    assert ids == [["relief", "map"], ["map", "relief"]]
    assert page.read_page(default)[0] == page.read_page(flat)[0]                 # the same run either way


def test_a_diverging_unit_keeps_a_finite_elevation():
    level = sim.load_level("07-cliff")
    rec = Recording(level, (sim.Orders("sgd", 3.0, 0.0),), units=6, steps=20, seed=level.seed)
    relief = page_relief.Relief(MapArt(level, resolution=256).ground, 256)
    data = page_data.gather(rec, relief)
    z = decode_elevations(data)
    assert np.isfinite(z).all() and z.min() >= 0 and z.max() <= 1.3 * relief.ground.top + relief.scale
    assert "3" in "".join(data["status"])                                        # some did diverge
