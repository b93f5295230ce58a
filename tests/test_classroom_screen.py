"""The classroom's screen as a class sees it: Ctrl + never makes the update rule's text smaller, the
selected squad shows on top of the squads racing from the same starts (map and sand table), and
the sweep overlay's closing tag sits on its own strip, clear of the panel's footer."""
import numpy as np
import pygame
import pytest

import sim
from game.classroom.charts import draw_card
from game.classroom.look import squad_colour
from game.classroom.screen import presenter_scale
from game.view import relief_draw
from game.view.palette import SQUAD_COLOURS
from game.view.render import MapArt
from game.view.viewpoint import Viewpoint
from game.view.widgets import recording_text
from game.view.relief_view import ReliefView
from game.view.world_view import unit_pixels
from tests.drive import press, run


def panel_text(app, c) -> dict:
    """{text: height [px]} of what the rule panel shows in one frame."""
    with recording_text() as log:
        run(app, 1)
    return {s: rect.height for s, rect, _, _ in log if c.panel_rect.contains(rect)}


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
@pytest.mark.parametrize("squad", [0, 1, 3])                 # SGD, momentum, Adam
def test_ctrl_plus_never_makes_the_rule_smaller(make_classroom, size, squad):
    app, c = make_classroom("05-saddle", size=size)
    run(app, 1)
    press(app, pygame.K_1 + squad)
    before = panel_text(app, c)
    for _ in range(8):
        press(app, pygame.K_PLUS, mod=pygame.KMOD_CTRL, frames=0)
        now = panel_text(app, c)
        shrunk = {s: (before[s], h) for s, h in now.items() if s in before and h < before[s]}
        assert not shrunk, (c.scale, shrunk)
        assert any("\u2190" in s for s in now)                          # the rule is still there
        before = now


def ball_colour(surface, at) -> np.ndarray:
    x, y = np.rint(at).astype(int)
    return np.array(surface.get_at((int(x), int(y)))[:3], float)


@pytest.mark.parametrize("view", ["map", "relief"])
def test_the_selected_squad_is_drawn_over_the_others_on_the_same_starts(make_classroom, view):
    app, c = make_classroom("03-ravine", race=["sgd", "momentum"], view=view)
    n = int((c.world.squad == 0).sum())
    run(app, 1)
    c.camera.zoom_at(unit_pixels(c.world, c.camera)[0], 5.0)       # close enough to tell the units apart
    for squad in (0, 1, 0):
        press(app, pygame.K_1 + squad, frames=3)
        xy = unit_pixels(c.world, c.camera)
        a, b = xy[c.unit], c.camera.pos2pix(c.explanation().new_x)   # the rule's arrow runs from a to b
        t = np.clip((xy[:n] - a) @ (b - a) / max((b - a) @ (b - a), 1e-9), 0, 1)
        other = int(np.argmax(np.hypot(*(xy[:n] - a - t[:, None] * (b - a)).T)))   # the pair farthest from it
        at = xy[other]
        assert np.allclose(at, unit_pixels(c.world, c.camera)[other + n])        # on the same spot
        seen = ball_colour(app.screen, at)
        assert np.abs(seen - squad_colour(squad)).max() < 40, (squad, seen)


def test_the_tables_balls_draw_the_selection_last_at_one_depth():
    level = sim.load_level("03-ravine")
    start = sim.World(level, units=3).positions
    world = sim.World(level, units=6, spawn=np.tile(start, (2, 1)))
    world.assign([3, 4, 5], 1)
    eyes = Viewpoint(level, MapArt(level, resolution=256), "relief")
    eyes.set_viewport(pygame.Rect(0, 0, 640, 400))
    eyes.fit()
    view, surface = ReliefView(eyes.camera.ground), pygame.Surface((640, 400))
    centre = relief_draw.unit_points(world, eyes.camera)[1][0]
    for squad in (0, 1, 0):
        relief_draw.draw_relief(surface, world, eyes.camera, view, selected=world.squad == squad)
        seen = ball_colour(surface, centre + (2, 2))
        other = SQUAD_COLOURS[1 - squad]
        assert np.abs(seen - SQUAD_COLOURS[squad]).sum() < np.abs(seen - other).sum(), (squad, seen)


def test_the_sweeps_closing_tag_is_on_its_own_strip(make_classroom):
    app, c = make_classroom("03-ravine")
    run(app, 1)
    press(app, pygame.K_w, frames=0)
    with recording_text() as log:
        run(app, 1)
    box = c.sweep_rect()
    footer = next(k for k, (s, *_) in enumerate(log) if s.startswith(",  sub-step"))
    tag = next(rect for s, rect, _, _ in log if s == "W or Esc closes")
    assert box.contains(tag) and not tag.colliderect(log[footer][1])
    sweep = [(s, rect) for s, rect, _, _ in log[footer + 1:] if s != "W or Esc closes"]
    assert sweep and not [s for s, rect in sweep if rect.colliderect(tag)]


@pytest.mark.parametrize("size", [(1280, 720), (800, 600)])
def test_every_lesson_card_fits_its_box_with_every_optimizer(size):
    """B shows the card over the map and charts: title, lesson, briefing and a line-up of all six
    optimizers, inside its box, every word of it."""
    s = presenter_scale(size)
    w, h = size
    area = pygame.Rect(0, 0, w - int(min(w * 0.42, max(w * 0.3, 400 * s))), h)      # as screen.layout
    surface = pygame.Surface(size)
    rows = [(squad_colour(k), name.upper(), "η=0.0123 μ=0.95", "", (0, 0, 0)) for k, name in enumerate(sim.OPTIMIZERS)]
    for name in sim.campaign():
        level = sim.load_level(name)
        with recording_text() as log:
            draw_card(surface, area, level, rows, s)
        assert log and not [text for text, _, _, cut in log if cut]
        assert all(box is not None and box.contains(rect) and area.contains(box) for _, rect, box, _ in log), name
        shown = " ".join(text for text, *_ in log)
        assert all(word in shown for word in (level.lesson + " " + level.briefing).split()), name


@pytest.mark.parametrize("view", ["map", "relief"])
def test_the_target_ring_is_where_the_unit_shows_after_the_step(make_classroom, view):
    """The rule's arrows and its ring start and end where the unit is drawn: on the sand table at
    the ball's centre, LIFT px above its ground point, not at the ground point."""
    from game.view.world_view import ball_pixels
    app, c = make_classroom("03-ravine", race=["momentum"], view=view)
    run(app, 2)
    start = ball_pixels(c.camera, c.world.positions[c.unit][None])[0]
    assert np.allclose(start, unit_pixels(c.world, c.camera)[c.unit])
    ring = ball_pixels(c.camera, c.explanation().new_x[None])[0]
    press(app, pygame.K_PERIOD, frames=2)
    assert np.hypot(*(unit_pixels(c.world, c.camera)[c.unit] - ring)) < 1.0


def test_no_rule_arrows_for_a_unit_flung_off_the_map(make_classroom):
    """A selected unit far off the map shows as a ball on the table's edge: arrows drawn from where
    it really is would float in the dark away from it, so none are drawn."""
    from game.classroom.screen import draw_unit_arrows
    app, c = make_classroom("03-ravine", race=["sgd"], view="relief")
    run(app, 1)
    (x0, x1), (y0, y1) = c.level.bounds
    blank = pygame.Surface(app.screen.get_size())
    draw_unit_arrows(c, blank, c.explanation())
    assert pygame.surfarray.array3d(blank).any()                    # on the map: the arrows are drawn
    from game.view.explain import explain
    here = c.world.positions[c.unit].copy()
    c.world.positions[c.unit] = (x1 + 0.2 * (x1 - x0), (y0 + y1) / 2)    # flung past the edge, still flying
    blank.fill((0, 0, 0))
    draw_unit_arrows(c, blank, explain(c.world, c.unit))
    assert not pygame.surfarray.array3d(blank).any()
    c.world.positions[c.unit], c.world.status[c.unit] = here, sim.DIVERGED   # diverged on the table: shown
    draw_unit_arrows(c, blank, explain(c.world, c.unit))                     # on its edge, so no arrows here
    assert not pygame.surfarray.array3d(blank).any()
