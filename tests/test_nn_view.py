"""The network views: the decision-boundary inset shows what the unit's network predicts, its title
reports the network's own accuracy, the activation card plots f and f', and the game, the briefing
and classroom mode draw them on neural-network levels only.

Predictions are checked against an independent forward pass (``sim.nn.forward`` on the parameters
``theta* + a d1 + b d2`` built here), not against the view's own arithmetic.
"""
import numpy as np
import pygame
import pytest

import sim
from game.play import battle_screen as battle_module
from game.classroom import screen as demo_module
from game.view import nn_view
from game.play.app import GameApp as App
from game.play.battle import Battle
from game.classroom.app import ClassroomApp
from game.view.nn_view import (ACTIVATION_CARDS, BOUNDARY, CLASS_COLOURS, CURVE_DF, CURVE_F, INK, MOVE_QUANTUM,
                          draw_activation_card, draw_decision_inset, inset_size)
from game.play.progress import ENV_VAR
from game.play.results import Results
from game.play.briefing import Briefing
from sim import nn
from sim.terrain import grid_points
from tests.drive import press

DT = 1 / 10


@pytest.fixture(scope="module")
def moons():
    level = sim.load_level("20-nn-train")
    return level, nn.landscape_of(level.terrain)


@pytest.fixture(scope="module")
def spiral():
    level = sim.load_level("24-nn-spiral")
    return level, nn.landscape_of(level.terrain)


def params_by_hand(f, xy):
    """theta* + a d1 + b d2, from the landscape's published vectors."""
    a, b = xy
    return f.theta_star + a * f.d1 + b * f.d2


def predicted_class(f, params, points):
    """Class and its probability at input points (n, 2), by a forward pass of sim.nn."""
    Z2 = nn.forward(f.net, params[None], points.T)[2][0]               # (K, n)
    if len(Z2) == 1:
        p1 = nn.sigmoid(Z2[0])
        return (Z2[0] > 0).astype(int), np.maximum(p1, 1 - p1)
    p = nn.probabilities(Z2[None])[0]
    return Z2.argmax(axis=0), p.max(axis=0)


def nearest_class(rgb):
    """The class whose colour points the same way from the ink as the pixel does (cosine similarity)."""
    v = np.asarray(rgb, float) - INK
    dirs = np.array(CLASS_COLOURS, float) - INK
    cos = dirs @ v / (np.linalg.norm(dirs, axis=1) * max(np.linalg.norm(v), 1e-9))
    return int(np.argmax(cos))


def draw_inset(f, xy, size=(320, 300), scale=1.0):
    surface = pygame.Surface(size)
    surface.fill((40, 40, 40))
    w, h = inset_size(f, scale)
    view = draw_decision_inset(surface, (10, 10, w, h), f, xy, (255, 166, 0), "unit 3", scale)
    return surface, view


# -- the decision inset ------------------------------------------------------------------------------
@pytest.mark.parametrize("which, where", [("moons", "min"), ("moons", "spawn"), ("moons", "off"),
                                          ("spiral", "min"), ("spiral", "spawn")])
def test_inset_colours_are_the_class_the_network_predicts(moons, spiral, which, where):
    level, f = moons if which == "moons" else spiral
    xy = {"min": level.global_min, "spawn": np.asarray(level.spawn_center), "off": np.array([0.6, -0.4])}[where]
    surface, view = draw_inset(f, xy)
    plot, ((x0, x1), (y0, y1)) = view.plot, view.bounds
    cols, rows = np.meshgrid(np.arange(plot.x + 1, plot.right - 1, 5), np.arange(plot.y + 1, plot.bottom - 1, 5))
    cols, rows = cols.ravel(), rows.ravel()
    data = np.column_stack([x0 + (cols - plot.x + 0.5) / plot.width * (x1 - x0),
                            y1 - (rows - plot.y + 0.5) / plot.height * (y1 - y0)])
    params = params_by_hand(f, xy)
    cls, sure = predicted_class(f, params, data)
    # away from the training points' discs (drawn on top) and from the boundary line (3 px either side),
    # where the network is not on the fence
    px_size = np.array([(x1 - x0) / plot.width, (y1 - y0) / plot.height])
    clear = np.hypot(*((data[:, None] - f.dataset.X[None]) / px_size).transpose(2, 0, 1)).min(axis=1) > 6
    clear &= sure > 0.55
    for shift in ((3, 0), (-3, 0), (0, 3), (0, -3)):
        clear &= predicted_class(f, params, data + np.multiply(shift, px_size))[0] == cls
    assert clear.sum() > 100
    pixels = pygame.surfarray.pixels3d(surface)
    shown = [nearest_class(pixels[c, r]) for c, r in zip(cols[clear], rows[clear])]
    assert np.array_equal(shown, cls[clear])


@pytest.mark.parametrize("which, where", [("moons", "min"), ("moons", "off"), ("spiral", "min")])
def test_the_boundary_line_is_where_the_predicted_class_changes(moons, spiral, which, where):
    level, f = moons if which == "moons" else spiral
    xy = level.global_min if where == "min" else np.array([0.6, -0.4])
    surface, view = draw_inset(f, xy)
    plot = view.plot
    data = grid_points(view.bounds, (plot.height, plot.width))        # every pixel centre, row by row
    cls = predicted_class(f, params_by_hand(f, xy), data)[0].reshape(plot.height, plot.width)
    crossing = np.zeros_like(cls, bool)
    crossing[:, :-1] = cls[:, :-1] != cls[:, 1:]
    px_size = np.array([np.ptp(view.bounds[0]) / plot.width, np.ptp(view.bounds[1]) / plot.height])
    near_point = np.hypot(*((data[:, None] - f.dataset.X[None]) / px_size).transpose(2, 0, 1)).min(axis=1) < 6
    crossing &= ~near_point.reshape(cls.shape)
    rows, cols = np.nonzero(crossing[1:-1, 1:-1])
    assert len(rows) > 20
    area = pygame.surfarray.array3d(surface)[plot.x:plot.right, plot.y:plot.bottom].transpose(1, 0, 2).astype(int)
    pale = np.abs(area - BOUNDARY).sum(axis=2) < 150                   # mostly covered by the line
    lit = [pale[r:r + 3, c:c + 3].any() for r, c in zip(rows, cols)]  # within a pixel of the crossing
    assert np.mean(lit) >= 0.95


def test_the_title_reports_the_networks_accuracy_and_loss(moons):
    level, f = moons
    for xy in (level.global_min, np.asarray(level.spawn_center)):
        _, view = draw_inset(f, xy)
        P = params_by_hand(f, xy)[None]
        accuracy = float(f.accuracy(P)[0])
        assert view.accuracy == accuracy and view.loss == pytest.approx(f.loss_of(P)[0])
        assert view.title == f"unit 3  \u00b7  accuracy {accuracy:.0%}  \u00b7  loss {f.loss_of(P)[0]:.2f}"
    assert nn_view.inset_title("unit 1", 0.9625, 0.1026) == "unit 1  \u00b7  accuracy 96%  \u00b7  loss 0.10"


def test_the_picture_is_kept_until_the_unit_moves(moons):
    level, f = moons
    xy = np.array([0.3, -0.2])
    draw_inset(f, xy)
    key = next(k for k, v in nn_view._CACHE.items() if v[0] is f and np.array_equal(v[1], xy))
    first = nn_view._CACHE[key][2]
    draw_inset(f, xy + MOVE_QUANTUM / 3)
    assert nn_view._CACHE[key][2] is first                              # a tiny move: the same picture
    draw_inset(f, xy + 3 * MOVE_QUANTUM)
    assert nn_view._CACHE[key][2] is not first


def test_a_point_that_is_not_finite_draws_nothing(moons):
    surface = pygame.Surface((300, 300))
    assert draw_decision_inset(surface, (0, 0, 230, 200), moons[1], [np.nan, 0.0]) is None
    assert not pygame.surfarray.array3d(surface).any()


# -- the activation card -------------------------------------------------------------------------------
def curve_rows(surface, plot, colour):
    """For each pixel column of ``plot``, the rows where the curve's colour is."""
    pixels = pygame.surfarray.pixels3d(surface)
    hit = (pixels[plot.x:plot.right, plot.y:plot.bottom] == colour).all(axis=2)
    return [np.flatnonzero(column) for column in hit]


def column_x(plot, i):
    (x0, x1) = nn_view.X_RANGE
    return x0 + i / (plot.width - 1) * (x1 - x0)


def row_of(plot, value, y_range):
    lo, hi = y_range
    return plot.height - 1 - (value - lo) / (hi - lo) * (plot.height - 1)


@pytest.mark.parametrize("name", list(nn.ACTIVATIONS))
def test_the_card_plots_the_activation_and_its_derivative(name):
    surface = pygame.Surface((520, 300))
    card = draw_activation_card(surface, (0, 0, 520, nn_view.card_height(520, name)), name)
    f, df = nn.ACTIVATIONS[name]
    symbol = ACTIVATION_CARDS[name][1]
    assert card.labels == (f"{symbol}(x)", f"{symbol}\u2032(x)")
    for plot, fn, colour, y_range in ((card.f_plot, f, CURVE_F, card.f_range), (card.df_plot, df, CURVE_DF,
                                                                                  card.df_range)):
        rows = curve_rows(surface, plot, colour)
        for i in range(2, plot.width - 2, 3):
            if abs(column_x(plot, i)) < 0.1:                            # the kink (and ReLU's jump) at 0
                continue
            expected = row_of(plot, float(fn(np.array(column_x(plot, i)))), y_range)
            assert len(rows[i]) and np.abs(rows[i] - expected).min() <= 2.5, (name, i)


def test_relus_derivative_is_0_on_the_left_and_1_on_the_right():
    surface = pygame.Surface((520, 300))
    card = draw_activation_card(surface, (0, 0, 520, 240), "relu")
    plot = card.df_plot
    rows = curve_rows(surface, plot, CURVE_DF)
    zero, one = row_of(plot, 0.0, card.df_range), row_of(plot, 1.0, card.df_range)
    mid = plot.width // 2
    for i in list(range(2, mid - 3)) + list(range(mid + 3, plot.width - 2)):
        assert len(rows[i]) and np.abs(rows[i] - (zero if i < mid else one)).max() <= 1.5, i
    assert "sigmoid" in ACTIVATION_CARDS and "0.25" in ACTIVATION_CARDS["sigmoid"][3]


# -- in the game -------------------------------------------------------------------------------------------
@pytest.fixture
def make_app(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "saves"))
    apps = []

    def make(level, size=(1280, 720)):
        app = App(size, fixed_dt=DT, level=level)
        pygame.event.clear()
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.close()


def counting(monkeypatch, module):
    """Count (and pass on) the calls of ``module.draw_decision_inset``."""
    calls = []
    real = module.draw_decision_inset

    def spy(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, "draw_decision_inset", spy)
    return calls


def differs(a, b) -> int:
    return int((np.abs(a.astype(int) - b.astype(int)).sum(axis=2) > 30).sum())


def test_the_battle_shows_the_inset_on_a_network_level(make_app, moons, monkeypatch):
    calls = counting(monkeypatch, battle_module)                      # the results screen draws it through here too
    app = make_app("20-nn-train")
    card = app.scene.card_rect
    assert isinstance(app.scene, Briefing) and card is not None and card.width > 0
    press(app, pygame.K_RETURN)
    battle = app.scene
    assert isinstance(battle, Battle) and battle.phase == "deploy"
    rect = battle.inset_rect
    assert rect.width >= 180 and battle.map_rect.contains(rect)
    assert not rect.colliderect(battle.minimap_rect) and not rect.colliderect(battle.log_rect)
    with_inset = pygame.surfarray.array3d(app.screen)[rect.x:rect.right, rect.y:rect.bottom]
    battle.network = None                                             # the same frame without the inset
    battle.draw(app.screen)
    without = pygame.surfarray.array3d(app.screen)[rect.x:rect.right, rect.y:rect.bottom]
    assert differs(with_inset, without) > 0.5 * rect.width * rect.height
    battle.network = moons[1]
    assert calls and calls[-1][1] == rect
    # it follows the selection: one unit selected, its network is shown
    mask = np.zeros(battle.world.n_units, bool)
    mask[5] = True
    battle.selection.set(mask)
    assert battle.network_unit() == 5
    battle.selection.set(np.zeros(battle.world.n_units, bool))
    assert battle.network_unit() == 0
    press(app, pygame.K_RETURN, frames=3)                             # descend ...
    assert battle.phase == "descend"
    drawn = len(calls)
    app.frame()
    assert len(calls) == drawn + 1 and np.array_equal(calls[-1][3], battle.world.positions[0])
    for _ in range(3):
        press(app, pygame.K_PLUS, frames=0)
    for _ in range(200):                                              # ... to the results
        app.frame()
        if isinstance(app.scene, Results):
            break
    assert isinstance(app.scene, Results)
    drawn = len(calls)
    app.frame()
    assert len(calls) == drawn + 1 and calls[-1][1] == app.scene.inset_rect
    assert app.scene.inset_rect.width >= 180 and app.scene.map_rect.contains(app.scene.inset_rect)


def test_a_plain_level_has_no_inset_and_no_card(make_app, monkeypatch):
    calls = counting(monkeypatch, battle_module)
    app = make_app("01-bowl", size=(960, 600))
    assert app.scene.card_rect is None
    press(app, pygame.K_RETURN, frames=2)
    battle = app.scene
    assert battle.network is None and battle.inset_rect.width == 0
    press(app, pygame.K_RETURN, frames=5)
    assert battle.phase == "descend" and not calls


def test_classroom_shows_the_selected_units_network_on_network_levels_only(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "saves"))
    calls = counting(monkeypatch, demo_module)
    app = ClassroomApp(sim.load_level("20-nn-train"), None, False, 1.0, size=(1280, 720), fixed_dt=DT)
    try:
        classroom = app.scene
        classroom.select(3)
        app.frame()
        assert len(calls) == 1
        surface, rect, landscape, xy = calls[0][:4]
        assert landscape is classroom.network and np.array_equal(xy, classroom.world.positions[3])
        assert classroom.map_rect.contains(rect)
        classroom.load(sim.load_level("01-bowl"))
        app.frame()
        assert len(calls) == 1 and classroom.network is None
    finally:
        app.close()


# -- the lesson: a trained network separates the moons ----------------------------------------------------
def test_the_inset_at_the_global_minimum_shows_a_trained_network(moons):
    level, f = moons
    _, view = draw_inset(f, level.global_min)
    assert view.accuracy >= 0.9 and view.loss < 0.35
    box = grid_points(f.data_bounds(), (12, 12))
    cls, _ = predicted_class(f, params_by_hand(f, level.global_min), box)
    assert set(cls) == {0, 1}                                          # both classes have ground in the plot


def test_after_a_win_the_inset_shows_a_network_that_arrived():
    """A won run's inset shows the trained network -- an arrived unit -- even when the squad's
    first unit is still moving or another squad's unit arrived."""
    from types import SimpleNamespace
    from game.play.battle_screen import network_unit
    world = sim.World(sim.load_level("20-nn-train"))
    world.assign([0, 1, 2], 1)
    world.status[:] = sim.DESCENDING
    b = SimpleNamespace(world=world, squad=0, selection=SimpleNamespace(mask=np.zeros(world.n_units, bool)))
    assert network_unit(b) == 3                                    # descending: the squad's first unit
    world.status[1], world.arrival_step[1] = sim.ARRIVED, 5
    assert world.won and network_unit(b) == 1                      # won: the unit that arrived
