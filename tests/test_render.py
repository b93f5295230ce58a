"""The map view, headless: camera maths, where units land, fog, the terrain's colours, markers.

Everything draws to a plain off-screen Surface (SDL's dummy video driver, set in conftest.py);
only pygame.font is initialised, by the first label drawn.
"""
import numpy as np
import pygame
import pytest

import sim
from game.view import marks
from game.view import palette as pal
from game.view.camera import Camera
from game.view.render import (SQUAD_COLOURS, Fog, MapArt, draw_map, draw_minimap, frame_array, minimap_pick,
                         ramp_colour)

SIZE = (640, 400)


@pytest.fixture(scope="module")
def bowl():
    return sim.load_level("01-bowl")


@pytest.fixture(scope="module")
def bowl_art(bowl):
    return MapArt(bowl, resolution=512)


@pytest.fixture(scope="module")
def wells():
    """A hand-made map whose global minimum is off-centre and off the grid of round numbers."""
    data = {"title": "t", "briefing": "b", "budget": 50, "goal_radius": 0.3, "units": 4,
            "bounds": [[-4, 6], [-3, 3]], "spawn": {"center": [4.5, 2.0], "radius": 0.4},
            "orders": {"optimizer": "sgd", "lr": 0.1, "lr_range": [0.01, 1.0]}, "stars": {},
            "terrain": [{"type": "bowl", "curvature": 0.1, "center": [1, 0]},
                        {"type": "well", "center": [-1.37, 0.61], "depth": 2.0, "sigma": 0.8},
                        {"type": "well", "center": [3.1, -1.2], "depth": 1.0, "sigma": 0.6}]}
    return sim.levels.parse_level(data, "<test>", "test")


def one_unit(level, xy, squad=0):
    world = sim.World(level, seed=0, units=1, spawn=[xy])
    if squad:
        world.assign([0], squad)
    return world


def pixel(surface, px) -> tuple:
    x, y = np.rint(px).astype(int)
    return tuple(surface.get_at((int(x), int(y))))[:3]


# -- units land where the camera says ------------------------------------------------------------------
@pytest.mark.parametrize("squad", [0, 2, 5])
def test_unit_drawn_at_its_pixel_at_several_zooms_and_pans(bowl, bowl_art, squad):
    world = one_unit(bowl, (1.3, -2.2), squad)
    cam = Camera(bowl.bounds, pygame.Rect(30, 20, *SIZE))
    screen = pygame.Surface((SIZE[0] + 60, SIZE[1] + 40))
    near = lambda dx, dy: cam.pos2pix(world.positions[0]) + (dx, dy)
    views = [lambda: None, lambda: cam.zoom_at(near(40, -30), 2.2), lambda: cam.pan_px(-50, 40),
             lambda: cam.zoom_at(near(-60, 20), 3.0)]     # the last one is past the art's own scale
    for move in views:
        move()
        draw_map(screen, world, cam, bowl_art)
        at = cam.pos2pix(world.positions[0])
        assert cam.viewport.collidepoint(*at)
        assert pixel(screen, at) == SQUAD_COLOURS[squad]


def test_drawing_stays_inside_the_viewport(bowl, bowl_art):
    world = one_unit(bowl, (4.9, 4.9))
    screen = pygame.Surface((500, 400))
    screen.fill((1, 2, 3))
    cam = Camera(bowl.bounds, pygame.Rect(50, 40, 300, 250))
    cam.zoom_at((340, 60), 3.0)
    draw_map(screen, world, cam, bowl_art, Fog(bowl), selected=[0], show_minima=True)
    rgb = frame_array(screen)
    outside = np.ones(rgb.shape[:2], bool)
    outside[40:290, 50:350] = False
    assert (rgb[outside] == (1, 2, 3)).all()
    assert rgb.shape == (400, 500, 3) and rgb.dtype == np.uint8


def test_drawing_never_changes_the_world(bowl, bowl_art):
    world = sim.World(bowl, seed=3, units=6)
    world.set_orders(0, lr=2.5)                   # too large: some diverge, explosions get drawn
    world.step(12)
    before = (world.positions.copy(), world.trail.copy(), world.status.copy(), list(world.events),
              world.step_count, world.velocity.copy())
    screen = pygame.Surface(SIZE)
    cam = Camera(bowl.bounds, screen.get_rect())
    fog = Fog(bowl)
    fog.reveal(world.positions)
    draw_map(screen, world, cam, bowl_art, fog, selected=[1, 2], show_minima=True, time_s=1.2)
    draw_minimap(screen, pygame.Rect(0, 0, 120, 120), world, cam, bowl_art, fog)
    after = (world.positions, world.trail, world.status, world.events, world.step_count, world.velocity)
    for a, b in zip(before, after):
        if isinstance(a, np.ndarray):
            np.testing.assert_array_equal(a, b)
        else:
            assert a == b


@pytest.mark.parametrize("units", [6, 1000])
def test_a_frame_depends_only_on_the_state_it_shows(bowl, bowl_art, units):
    """Drawing every step, or only the last one from cold caches, gives the same pixels."""
    import game.view.trails as trails
    world = sim.World(bowl, seed=5, units=units)
    world.set_orders(0, lr=0.3)
    screen = pygame.Surface(SIZE)
    cam = Camera(bowl.bounds, screen.get_rect())
    for _ in range(20):                     # warm caches through a varied history
        draw_map(screen, world, cam, bowl_art, None)
        world.set_orders(0, lr=world.orders[0].lr * 1.15)
        world.step()
    draw_map(screen, world, cam, bowl_art, None, time_s=0.5)
    warm = frame_array(screen)
    trails._LAYERS.clear()
    draw_map(screen, world, cam, bowl_art, None, time_s=0.5)
    np.testing.assert_array_equal(frame_array(screen), warm)


# -- fog of war --------------------------------------------------------------------------------------
def test_fog_hides_unexplored_ground_until_a_unit_passes(bowl, bowl_art):
    world = one_unit(bowl, (-3.5, 3.0))
    fog = Fog(bowl)
    fog.reveal(world.positions)
    screen = pygame.Surface(SIZE)
    cam = Camera(bowl.bounds, screen.get_rect())
    spot = np.array([2.13, -1.71])
    draw_map(screen, world, cam, bowl_art, fog=None)
    terrain = pixel(screen, cam.pos2pix(spot))
    draw_map(screen, world, cam, bowl_art, fog)
    hidden = pixel(screen, cam.pos2pix(spot))
    fog_rgb = np.array(pal.WAR_ROOM.fog)
    assert np.abs(np.array(hidden) - fog_rgb).max() <= np.array(pal.WAR_ROOM.fog_grid).max()
    assert not fog.explored_at(spot) and fog.explored_at(world.positions[0])

    path = np.linspace(world.positions[0], spot + (0.5, -0.3), 40)      # a trail through the spot
    fog.reveal(path)
    assert fog.explored_at(spot)
    draw_map(screen, world, cam, bowl_art, fog)
    assert pixel(screen, cam.pos2pix(spot)) == terrain

    fog.enabled = False
    fog.reset()
    draw_map(screen, world, cam, bowl_art, fog)
    assert pixel(screen, cam.pos2pix(spot + (0.1, 0.0))) != tuple(fog_rgb)


def test_fog_reveals_a_disc_of_the_reveal_radius(bowl):
    fog = Fog(bowl, cells=200, reveal_radius=1.0)
    fog.reveal([[0.0, 0.0]])
    assert fog.explored_at([[0.5, 0.0], [0.0, -0.6]]).all()
    assert not fog.explored_at([[1.3, 0.0], [0.0, 1.4], [3.0, 3.0]]).any()
    version = fog.version
    fog.reveal([[0.01, -0.01]])                   # the same cell again: nothing new
    assert fog.version == version
    fog.reset()
    assert not fog.explored_at([0.0, 0.0])


# -- the terrain picture -------------------------------------------------------------------------------
def test_ramp_runs_from_deep_teal_to_pale():
    deep, top = ramp_colour(0.0), ramp_colour(1.0)
    assert deep.sum() < 120 and deep[1] > deep[0] and deep[2] > deep[0]      # dark, blue-green
    assert top.min() > 200                                                   # pale
    assert np.all(np.diff(ramp_colour(np.linspace(0, 1, 50)).sum(1)) > 0)    # brightens all the way


def test_hillshade_is_neutral_on_flat_ground():
    flat = np.zeros((4, 4), np.float32)
    np.testing.assert_allclose(pal.hillshade(flat, flat, 3.0), 1.0)
    one = np.ones((1, 1), np.float32)
    lit = pal.hillshade(one, -one, 1.0)            # rises to the south-east: faces the north-west light
    dark = pal.hillshade(-one, one, 1.0)
    assert lit[0, 0] > 1.0 > dark[0, 0]


@pytest.mark.parametrize("level_name", ["01-bowl", "wells"])
def test_global_minimum_wears_the_deepest_colour(level_name, bowl, wells):
    level = bowl if level_name == "01-bowl" else wells
    art = MapArt(level, resolution=600)
    world = one_unit(level, level.spawn_center)
    screen = pygame.Surface(SIZE)
    cam = Camera(level.bounds, screen.get_rect())
    deepest = ramp_colour(0.0)
    (x0, x1), (y0, y1) = level.bounds
    w, h = art.surface.get_size()
    col, row = ((level.global_min - (x0, y1)) * (w / (x1 - x0), -h / (y1 - y0))).astype(int)
    own = np.array(tuple(art.surface.get_at((int(col), int(row))))[:3])
    assert np.abs(own - deepest).max() <= 1, (own, deepest)          # the picture itself: exact
    # on screen: the map shrunk to fit (pygame's smoothscale rounds down by a level or two when
    # shrinking), then a close-up rendered afresh. Contour levels sit at t = k / 20, k >= 1, so no
    # line passes through the minimum itself.
    for tolerance in (4, 1):
        draw_map(screen, world, cam, art)
        got = np.array(pixel(screen, cam.pos2pix(level.global_min)))   # no contour passes there
        assert np.abs(got - deepest).max() <= tolerance, (got, deepest)
        cam.zoom_at(cam.pos2pix(level.global_min), 6.0)


def test_height_scale_starts_at_the_global_minimum(wells):
    art = MapArt(wells, resolution=200)
    h = np.linspace(wells.global_min_height, art.scale.h_max, 500)
    t = art.scale(h)
    assert t[0] == 0.0 and t[-1] == pytest.approx(1.0)
    assert np.all(np.diff(t) >= 0)
    others = [m.height for m in wells.minima if m.height > wells.global_min_height + 1e-6]
    assert min(art.scale(others)) > 0.05          # every other valley is visibly lighter


def test_view_is_cached_for_a_still_camera(bowl, bowl_art):
    cam = Camera(bowl.bounds, pygame.Rect(0, 0, *SIZE))
    a, _ = bowl_art.view(cam)
    b, _ = bowl_art.view(cam)
    assert a.get_parent() is b.get_parent()
    cam.zoom_at((300, 200), 8.0)
    c, at = bowl_art.view(cam)
    d, _ = bowl_art.view(cam)
    assert c.get_parent() is d.get_parent()
    assert pygame.Rect(at, c.get_size()).contains(cam.viewport)


def test_high_contrast_palette_builds(bowl):
    art = MapArt(bowl, palette="high-contrast", resolution=256)
    screen = pygame.Surface(SIZE)
    draw_map(screen, one_unit(bowl, (0, 0)), Camera(bowl.bounds, screen.get_rect()), art,
             palette="high-contrast")
    with pytest.raises(ValueError):
        MapArt(bowl, palette="sepia", resolution=64)


# Machado, Oliveira & Fernandes (2009), severity 1, acting on linear RGB
CVD = {"normal": np.eye(3),
       "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                      [-0.003882, -0.048116, 1.051998]],
       "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                        [-0.011820, 0.042940, 0.968881]]}


def linear(rgb) -> np.ndarray:
    """sRGB 0..255 -> linear RGB 0..1."""
    c = np.asarray(rgb, float) / 255
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def cielab(lin) -> np.ndarray:
    """Linear RGB (N, 3) -> CIELAB (N, 3), D65 white."""
    xyz = lin @ np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]).T
    r = xyz / (0.95047, 1.0, 1.08883)
    f = np.where(r > 0.008856, np.cbrt(r), 7.787 * r + 16 / 116)
    return np.stack([116 * f[:, 1] - 16, 500 * (f[:, 0] - f[:, 1]), 200 * (f[:, 1] - f[:, 2])], 1)


def test_squad_colours_stay_distinct_for_colour_blind_players():
    assert len(SQUAD_COLOURS) == 9
    for name, m in CVD.items():
        lab = cielab(np.clip(linear(SQUAD_COLOURS) @ np.asarray(m).T, 0, 1))
        d = np.linalg.norm(lab[:, None] - lab[None], axis=2) + 1e9 * np.eye(9)
        assert d.min() >= 15, name
        assert d[:4, :4].min() >= 20, name
    assert (cielab(linear(SQUAD_COLOURS))[:, 0] > 50).all()     # light enough for the dark valleys


def test_no_squad_wears_the_selection_rings_colour():
    """The ring around selected units is the palette's marker colour: no squad may look like it."""
    rings = [pal.get(name).marker for name in ("war-room", "high-contrast")]
    lab = cielab(linear(SQUAD_COLOURS + rings))
    assert np.linalg.norm(lab[:9, None] - lab[None, 9:], axis=2).min() >= 25


# -- markers -----------------------------------------------------------------------------------------
def test_goal_is_hidden_until_the_results(wells):
    art = MapArt(wells, resolution=400)
    world = one_unit(wells, wells.spawn_center)
    screen = pygame.Surface(SIZE)
    cam = Camera(wells.bounds, screen.get_rect())
    star = cam.pos2pix(wells.global_min) + (0, -6)     # a point of the star
    draw_map(screen, world, cam, art)
    plain = pixel(screen, star)
    draw_map(screen, world, cam, art, show_minima=True)
    assert pixel(screen, star) != plain
    assert np.abs(np.array(pixel(screen, star)) - (255, 206, 72)).max() < 40    # gold


def test_arrival_plants_a_flag_and_divergence_explodes(wells):
    art = MapArt(wells, resolution=400)
    world = sim.World(wells, seed=0, units=2, spawn=[wells.global_min + (0.35, 0.1), (4.5, 2.0)])
    world.assign([1], 1)
    world.set_orders(0, lr=0.3)
    world.set_orders(1, lr=900.0)
    world.step(3)
    assert world.won and world.status[1] == sim.DIVERGED
    screen = pygame.Surface(SIZE)
    cam = Camera(wells.bounds, screen.get_rect())
    draw_map(screen, world, cam, art)
    goal = np.rint(cam.pos2pix(wells.global_min)).astype(int)
    beside = marks.flag_spot(goal, cam.pos2pix(world.positions[:1]))   # planted beside the unit on the goal
    assert beside != 0
    assert pixel(screen, goal + (beside, -22)) == pal.WAR_ROOM.marker
    # the diverged unit: a cross in its squad colour where it froze, and a burst around it
    cross = np.array(pixel(screen, cam.pos2pix(world.positions[1])))
    assert np.abs(cross - SQUAD_COLOURS[1]).max() < 60


# -- minimap -----------------------------------------------------------------------------------------
def test_minimap_pick_inverts_the_minimap(bowl, bowl_art):
    rect = pygame.Rect(500, 300, 120, 90)
    world = one_unit(bowl, (2.0, -1.0))
    screen = pygame.Surface((640, 400))
    cam = Camera(bowl.bounds, pygame.Rect(0, 0, 640, 400))
    draw_minimap(screen, rect, world, cam, bowl_art, Fog(bowl))
    np.testing.assert_allclose(minimap_pick(rect, bowl, rect.center), (0.0, 0.0), atol=0.1)
    corner = minimap_pick(rect, bowl, (rect.centerx - 45, rect.top))
    np.testing.assert_allclose(corner, (-5.0, 5.0), atol=0.1)
    assert np.all(np.abs(minimap_pick(rect, bowl, (0, 0))) <= 5)     # clamped to the map


def test_bench_frame_reports_its_figures():
    from game.view.perf import bench_frame
    figures = bench_frame(quick=True)
    assert {"frame_ms_median", "frame_ms_p95", "first_frame_s"} <= set(figures)
    assert all(v > 0 for v in figures.values())


def test_trails_arrows_and_bursts_stay_inside_the_map_rect(bowl, bowl_art):
    """Units flown off the map leave no trail across the margins (the labels and the HUD live there)."""
    import copy
    world = sim.World(bowl, seed=3, units=6)
    world.set_orders(0, lr=2.5)                   # too large: units leave the map and blow up
    world.step(6)
    (x0, x1), (y0, y1) = bowl.bounds
    p = world.positions
    assert ((p[:, 0] < x0) | (p[:, 0] > x1) | (p[:, 1] < y0) | (p[:, 1] > y1)).any()
    still = copy.deepcopy(world)
    still.trail[:] = still.positions              # the same frame without any trail
    cam = Camera(bowl.bounds, pygame.Rect(0, 0, *SIZE))
    cam.zoom_at(cam.viewport.center, 1 / 1.5)     # zoomed out: wide margins round the map
    frames = []
    for w in (world, still):
        screen = pygame.Surface(SIZE)
        draw_map(screen, w, cam, bowl_art, time_s=0.5)
        frames.append(frame_array(screen))
    differs = (frames[0] != frames[1]).any(axis=2)
    on_map = np.zeros(differs.shape, bool)
    r = cam.map_rect()
    on_map[r.top:r.bottom, r.left:r.right] = True
    assert differs[on_map].any()                  # the trails are drawn ...
    assert not differs[~on_map].any()             # ... only on the map


def test_squad_colours_recolour_the_trails(bowl, bowl_art):
    """A classroom race passes its own colours; the default is SQUAD_COLOURS."""
    world = sim.World(bowl, seed=2, units=4)
    world.assign([2, 3], 1)
    world.set_orders(0, lr=0.2)
    world.set_orders(1, lr=0.05)
    world.step(15)
    screen = pygame.Surface(SIZE)
    cam = Camera(bowl.bounds, screen.get_rect())
    frames = []
    for colours in (None, SQUAD_COLOURS, [(255, 0, 0)] * 9):
        draw_map(screen, world, cam, bowl_art, None, squad_colours=colours)
        frames.append(frame_array(screen))
    np.testing.assert_array_equal(frames[0], frames[1])
    changed = np.any(frames[0] != frames[2], axis=-1)
    assert changed.sum() > 50
