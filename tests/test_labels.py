"""The map's labels -- the minima's heights, the global minimum, the arrival banner, the spawn --
never cover each other, a unit, a flag or anything laid over the map, and stay inside the map's
rectangle: on several levels, on the map and on the sand table, on the results screen and on a
film's closing frame (game.view.labels records every board drawn)."""
import numpy as np
import pygame
import pytest

import sim
from game.play.results import Results
from game.video.record import Descent, Recording, film_for
from game.view.labels import recording_labels
from game.view.render import MapArt
from game.view.viewpoint import Viewpoint
from game.view.widgets import recording_text
from game.view.world_view import draw_world
from tests.drive import run, run_until
from tests.play import deployed

# a winning setting for each level, to have a flag and a crowd of units at the goal
WINNERS = {"04-banana": ("momentum", 0.05, 0.97), "07-cliff": ("sgd", 0.5, 0.0),
           "08-himmelblau": ("momentum", 0.05, 0.95), "09-rastrigin": ("momentum", 0.02, 0.9),
           "10-ackley": ("sgd", 0.3, 0.0), "11-weather": ("sgd", 0.05, 0.0), "random:42": ("rmsprop", 0.5, 0.0)}


def check(board, must=("global minimum",)):
    """The labels of ``board`` cover nothing and stay in its frame; the ``must`` ones are there."""
    rects = [rect for _, rect in board.labels]
    for (text, rect) in board.labels:
        assert board.frame.contains(rect), (text, rect, board.frame)
        assert rect.collidelist(board.blocked) < 0, (text, rect, board.blocked[rect.collidelist(board.blocked)])
    for i in range(len(rects)):
        assert rects[i].collidelist(rects[:i]) < 0, (board.labels[i], board.labels[rects[i].collidelist(rects[:i])])
    for words in must:
        assert any(text.startswith(words) for text, _ in board.labels), (words, board.labels)


def crowd(name, units=60, squads=4) -> sim.World:
    """``units`` units of ``name`` in ``squads`` squads on a winning setting, run to the budget."""
    level = sim.load_level(name)
    world = sim.World(level, units=units)
    for k in range(1, squads):
        world.assign(np.flatnonzero(np.arange(units) % squads == k), k)
    for k in range(squads):
        world.set_orders(k, *WINNERS[name])
    world.step(min(level.budget, 150))
    assert world.won
    return world


@pytest.mark.parametrize("name", sorted(WINNERS))
def test_labels_on_a_crowded_results_map_in_both_views(name):
    world = crowd(name)
    art = MapArt(world.level, resolution=512)
    surface = pygame.Surface((1280, 720))
    for view in ("map", "relief"):
        eyes = Viewpoint(world.level, art, view)
        eyes.set_viewport(pygame.Rect(0, 0, 970, 720))
        eyes.fit()
        log = pygame.Rect(14, 600, 640, 100)                      # something laid over the map
        with recording_labels() as boards:
            draw_world(surface, world, eyes.camera, art, None, show_minima=True, keep_clear=[log])
        check(boards[-1], must=("global minimum", "SQUAD", "SPAWN"))
        assert boards[-1].labels[0][0].startswith("global minimum")


@pytest.mark.parametrize("view", ["map", "relief"])
def test_labels_on_the_results_screen(make_app, view):
    app, b = deployed(make_app, "09-rastrigin", size=(1280, 720))
    app.view = view
    b.eyes.mode = view
    b.select_all()
    b.give_orders(optimizer="momentum", lr=0.02, momentum=0.9)
    b.start()
    while b.phase != "over":
        b._tick()
    run_until(app, lambda: isinstance(app.scene, Results))
    with recording_labels() as boards:
        run(app, 1)
    check(boards[-1], must=("global minimum", "SQUAD 1 ARRIVED"))


@pytest.mark.parametrize("size,view", [((640, 360), "map"), ((640, 360), "relief"), ((1280, 720), "map")])
def test_labels_on_a_films_closing_frame(size, view):
    level = sim.load_level("08-himmelblau")
    rec = Recording(level, (sim.Orders("sgd", 0.02, 0.0), sim.Orders("momentum", 0.1, 0.95),
                            sim.Orders("adam", 0.1, 0.9)), steps=80, size=size, view=view)
    film = film_for(rec)
    descent = Descent(rec)
    descent.advance(rec.steps)
    with recording_labels() as boards, recording_text() as texts:
        film.ending(pygame.Surface(size), descent.world, 0.0, True, descent.best)
    check(boards[-1], must=("global minimum", "MOMENTUM ARRIVED  ·  step"))
    assert boards[-1].frame.right <= film.legend.x or not film.beside
    assert not [s for s, _, _, cut in texts if cut]
    outcome = [s for s, _, _, _ in texts if "reached the global minimum" in s or "step 16" in s]
    assert outcome and all(s[-1].isdigit() for s in outcome)


def test_a_unit_on_the_spawn_rings_top_leaves_the_caption_beside_the_ring_not_on_a_leader():
    """SPAWN is asked for above the ring; a unit standing there sends it beside another point of
    the ring, next to it (no leader line drawn across the unit)."""
    from game.view import palette as pal
    from game.view.labels import Board
    from game.view.marks import want_spawn_caption
    cx, cy, r = 300, 200, 40
    around = [(cx + r * np.cos(a), cy + r * np.sin(a)) for a in np.radians([-135, -45, 180, 0])]
    surface = pygame.Surface((600, 400))
    board = Board(surface.get_rect())
    board.avoid_points([(cx, cy - r)], 8)                                # a unit on the ring's top
    want_spawn_caption(board, (cx, cy - r), pal.get("war-room"), 1.0, around)
    board.draw(surface)
    (text, rect), = board.labels
    assert text == "SPAWN" and rect.collidelist(board.blocked) < 0
    gap = min(np.hypot(*(np.clip(point, rect.topleft, rect.bottomright) - point)) for point in around)
    assert gap <= 6, (rect, gap)                                          # right beside a point of the ring
