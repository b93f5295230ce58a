"""The neural-network loss landscapes (sim/nn.py, sim/datasets.py) and their levels (levels/2*-nn-*.toml).

* backpropagation against central finite differences, for every activation and both losses, batched;
  and one tiny network worked out by hand;
* the landscape's gradient against finite differences along (a, b), and its certified global minimum
  against an independent dense-grid search;
* every network level winnable inside its ranges and not by its default orders, each teaching its lesson;
* determinism: one seed, one data set, one theta*, one pair of directions, bit for bit.

The levels are also in the campaign, so tests/test_levels.py runs its full default sweep on them; the
sweeps here use a coarser grid (12 learning rates x 3 momenta) to keep this file fast.
"""
import math

import numpy as np
import pytest

import sim
from sim import datasets, nn
from sim.levels import LevelError, parse_level
from sim.minima import hessian
from sim.sweep import lr_grid, momentum_grid, sweep
from sim.terrain import grid_points
from tests.gradcheck import grad_rel_error

NN_LEVELS = ["20-nn-train", "21-nn-sigmoid", "22-nn-dead-relu", "23-nn-explode", "24-nn-spiral",
             "25-nn-leaky-relu"]
ACTS = sorted(nn.ACTIVATIONS)


def fd_params(net, params, X, Y, h=1e-5):
    """Central differences of the loss in every parameter: (U, P)."""
    g = np.empty_like(params)
    for k in range(params.shape[1]):
        e = np.zeros(params.shape[1])
        e[k] = h
        g[:, k] = (nn.loss(net, params + e, X, Y) - nn.loss(net, params - e, X, Y)) / (2 * h)
    return g


def toy_problem(outputs, activation, seed=0, units=4, hidden=3, m=7):
    rng = np.random.default_rng(seed)
    net = nn.Net(hidden, activation, outputs)
    X = rng.standard_normal((2, m))
    labels = rng.integers(0, net.classes, m)
    params = rng.standard_normal((units, net.n_params))
    return net, params, X, net.targets(labels)


# -- backpropagation --------------------------------------------------------------------------------
@pytest.mark.parametrize("outputs", [1, 3], ids=["bce", "softmax"])
@pytest.mark.parametrize("activation", ACTS)
def test_backprop_matches_finite_differences(activation, outputs):
    net, params, X, Y = toy_problem(outputs, activation, seed=len(activation) + outputs)
    loss, grad = nn.loss_and_grad(net, params, X, Y)
    assert loss.shape == (4,) and grad.shape == params.shape
    ref = fd_params(net, params, X, Y)
    rel = np.linalg.norm(grad - ref, axis=1) / np.linalg.norm(ref, axis=1)
    assert rel.max() <= 1e-6, rel
    # batched = one at a time
    for u in range(len(params)):
        l1, g1 = nn.loss_and_grad(net, params[u], X, Y)
        assert l1[0] == pytest.approx(loss[u], rel=1e-14) and np.allclose(g1[0], grad[u], rtol=1e-13, atol=0)


def test_tiny_network_by_hand():
    """One ReLU hidden unit, two samples x1 = (1, 0) (class 1) and x2 = (0, 1) (class 0).

    W1 = [1, -1], b1 = 0.5:  z1 = (1.5, -0.5), a1 = relu(z1) = (1.5, 0)
    W2 = 2, b2 = -1:         z2 = (2, -1),     yh = (s(2), s(-1)),  s = sigmoid
    L   = 1/2 [-log s(2) - log(1 - s(-1))] = 1/2 [log(1 + e^-2) + log(1 + e^-1)]
    dZ2 = yh - y = (s(2) - 1, s(-1))
    dW2 = dZ2 a1^T / 2 = 1.5 (s(2) - 1) / 2,   db2 = (s(2) - 1 + s(-1)) / 2
    dZ1 = W2 dZ2 * relu'(z1) = (2 (s(2) - 1), 0)
    dW1 = dZ1 X^T / 2 = ((s(2) - 1), 0),       db1 = (s(2) - 1)
    """
    net = nn.Net(hidden=1, activation="relu")
    params = net.pack(np.array([[[1.0, -1.0]]]), np.array([[0.5]]), np.array([[[2.0]]]), np.array([[-1.0]]))
    X = np.array([[1.0, 0.0], [0.0, 1.0]])
    Y = np.array([[1.0, 0.0]])
    s = lambda z: 1 / (1 + math.exp(-z))
    loss, grad = nn.loss_and_grad(net, params, X, Y)
    assert loss[0] == pytest.approx(0.5 * (math.log1p(math.exp(-2)) + math.log1p(math.exp(-1))), rel=1e-15)
    assert loss[0] == pytest.approx(0.22009484928059774, rel=1e-15)
    W1, b1, W2, b2 = (a[0] for a in net.unpack(grad))
    assert W1[0] == pytest.approx([s(2) - 1, 0.0], rel=1e-15)      # -0.11920292202211769, 0
    assert b1 == pytest.approx([s(2) - 1], rel=1e-15)
    assert W2[0] == pytest.approx([0.75 * (s(2) - 1)], rel=1e-15)  # -0.08940219151658827
    assert b2 == pytest.approx([(s(2) - 1 + s(-1)) / 2], rel=1e-15)  # 0.07486924967393871


def test_losses_are_stable_for_huge_logits():
    Y = np.array([[1.0, 0.0]])
    z = np.array([[[800.0, -800.0]], [[-800.0, 800.0]]])            # right and sure; wrong and sure
    assert nn.loss_from_logits(z, Y) == pytest.approx([0.0, 800.0])
    Y3 = np.eye(3)
    z3 = 900.0 * np.eye(3)[None]
    assert nn.loss_from_logits(z3, Y3) == pytest.approx([0.0])
    assert nn.loss_from_logits(-z3, Y3) == pytest.approx([900.0 + math.log(2)])   # log(e^0 + e^0 + e^-900) + 900
    assert np.isfinite(nn.probabilities(np.array([[[1e4, -1e4]]]))).all()


@pytest.mark.parametrize("name", ACTS)
def test_activation_derivatives(name):
    f, df = nn.ACTIVATIONS[name]
    z = np.linspace(-4, 4, 81) + 0.013                          # no point on the kink
    h = 1e-6
    assert np.allclose(df(z), (f(z + h) - f(z - h)) / (2 * h), atol=1e-8)
    if name == "leaky_relu":
        assert f(np.array([-2.0]))[0] == -0.02 and df(np.array([-2.0]))[0] == 0.01
    if name == "relu":
        assert df(np.array([-1.0, 0.0, 1.0])).tolist() == [0.0, 0.0, 1.0]


# -- data sets ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(datasets.DATASETS))
def test_datasets_are_seeded_and_balanced(name):
    a = datasets.make_dataset(name, 61, 0.2, np.random.default_rng(5))
    b = datasets.make_dataset(name, 61, 0.2, np.random.default_rng(5))
    c = datasets.make_dataset(name, 61, 0.2, np.random.default_rng(6))
    assert a.X.shape == (61, 2) and a.Y.shape == (61,) and a.X.dtype == np.float64
    assert np.array_equal(a.X, b.X) and np.array_equal(a.Y, b.Y)
    assert not np.array_equal(a.X, c.X)
    counts = np.bincount(a.Y)
    assert len(counts) == a.classes and counts.max() - counts.min() <= 1
    with pytest.raises(ValueError, match="dataset"):
        datasets.make_dataset("mooons", 60, 0.2, np.random.default_rng(0))


# -- the landscape -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def levels():
    return {name: sim.load_level(name) for name in NN_LEVELS}


def land(level) -> nn.NetworkLandscape:
    f = nn.landscape_of(level.terrain)
    assert f is not None
    return f


@pytest.mark.parametrize("name", NN_LEVELS)
def test_landscape_gradient_matches_finite_differences(levels, name):
    level = levels[name]
    f = land(level)
    rng = np.random.default_rng(len(name))
    (x0, x1), (y0, y1) = level.bounds
    xy = np.column_stack([rng.uniform(x0, x1, 300), rng.uniform(y0, y1, 300)])
    # a central difference that straddles a ReLU kink measures the average of two slopes: skip those
    xy = xy[f.kink_distance(xy) > 1e-4]
    assert len(xy) >= 250
    assert grad_rel_error(f, xy) <= 1e-6
    # the fast (a, b) kernel agrees with the general batched backprop projected on the directions
    h, g = f.height_and_grad(xy)
    loss, grad = nn.loss_and_grad(f.net, f.params_at(xy), f.dataset.X.T, f.net.targets(f.dataset.Y))
    assert np.allclose(h, loss, rtol=1e-12, atol=1e-12)
    assert np.allclose(g, np.column_stack([grad @ f.d1, grad @ f.d2]), rtol=1e-10, atol=1e-10)
    assert np.array_equal(f.height(xy), h)


@pytest.mark.parametrize("name", NN_LEVELS)
def test_certified_minimum_matches_a_dense_grid_search(levels, name):
    level = levels[name]
    f = land(level)
    gm = level.global_min
    grid = grid_points(level.bounds, (300, 300))
    heights = f.height(grid)
    best = int(np.argmin(heights))
    # nothing on the grid is lower, and the lowest grid point lies in the same valley
    assert heights[best] >= level.global_min_height - 1e-12
    assert heights[best] - level.global_min_height <= 0.01
    assert np.hypot(*(grid[best] - gm)) <= level.goal_radius
    # a clean minimum: a true stationary point, away from every kink, with a positive definite Hessian
    assert np.abs(f.grad(gm)).max() <= 1e-8
    assert f.kink_distance(gm)[0] >= 1e-4
    assert np.linalg.eigvalsh(hessian(f, gm)[0]).min() > 0


def test_api_shapes_and_meaning(levels):
    f = land(levels["20-nn-train"])
    xy = np.array([[0.0, 0.0], [0.3, -0.2], [-1.0, 1.0]])
    P = f.params_at(xy)
    assert P.shape == (3, f.net.n_params)
    assert np.array_equal(P[0], f.theta_star)
    assert np.allclose(P[1], f.theta_star + 0.3 * f.d1 - 0.2 * f.d2)
    assert np.allclose(f.loss_of(P), f.height(xy))
    box = f.data_bounds()
    g = grid_points(box, (16, 20))
    p = f.decision_surface(P, g)
    assert p.shape == (3, 320, 2) and np.allclose(p.sum(axis=2), 1.0)
    acc = f.accuracy(P)
    assert acc.shape == (3,) and acc[0] > 0.9 and acc[2] < acc[0]
    assert np.array_equal(f.predict(P, g), p.argmax(axis=2))       # the boundary is where argmax changes
    X, Y = f.dataset.X, f.dataset.Y
    assert X.shape == (80, 2) and set(np.unique(Y)) == {0, 1}
    spiral = land(levels["24-nn-spiral"])
    assert spiral.net.outputs == 3
    q = spiral.decision_surface(spiral.theta_star, g)
    assert q.shape == (1, 320, 3) and np.allclose(q.sum(axis=2), 1.0)
    # the filter-normalised directions: every weight row as long as theta*'s, biases zero
    for d in (f.d1, f.d2):
        dW1, db1, dW2, db2 = f.net.unpack(d[None])
        tW1, _, tW2, _ = f.net.unpack(f.theta_star[None])
        assert np.allclose(np.linalg.norm(dW1, axis=2), np.linalg.norm(tW1, axis=2))
        assert np.allclose(np.linalg.norm(dW2, axis=2), np.linalg.norm(tW2, axis=2))
        assert not db1.any() and not db2.any()


def test_same_seed_same_network():
    kw = dict(dataset="moons", activation="relu", hidden=4, samples=40, noise=0.25, seed=7, train_steps=50)
    nn._trained.cache_clear()
    a = nn.NetworkLandscape(**kw)
    nn._trained.cache_clear()
    b = nn.NetworkLandscape(**kw)
    for x, y in ((a.dataset.X, b.dataset.X), (a.dataset.Y, b.dataset.Y), (a.theta, b.theta), (a.d1, b.d1),
                 (a.d2, b.d2)):
        assert x is not y and np.array_equal(x, y)
    c = nn.NetworkLandscape(**{**kw, "seed": 8})
    assert not np.array_equal(a.dataset.X, c.dataset.X) and not np.array_equal(a.theta, c.theta)
    v = nn.NetworkLandscape(**{**kw, "view": 1})
    assert np.array_equal(a.theta, v.theta) and not np.array_equal(a.d1, v.d1)
    xy = np.random.default_rng(0).uniform(-1, 1, (50, 2))
    assert np.array_equal(a.height_and_grad(xy)[1], b.height_and_grad(xy)[1])


def test_repeated_rows_are_reused_not_recomputed():
    f = nn.NetworkLandscape(seed=1)
    xy = np.random.default_rng(1).uniform(-1, 1, (40, 2))
    h1, g1 = f.height_and_grad(xy)
    xy2 = xy.copy()
    xy2[::3] += 0.01
    h2, g2 = f.height_and_grad(xy2)
    fresh = nn.NetworkLandscape(seed=1)
    hr, gr = fresh.height_and_grad(xy2)
    assert np.array_equal(h2, hr) and np.array_equal(g2, gr)
    h2[:] = 0.0                                          # a caller's writes do not leak into the memo
    assert np.array_equal(f.height_and_grad(xy2)[0], hr)


def test_large_batches_use_blocks_and_threads():
    f = nn.NetworkLandscape(seed=1)
    xy = np.random.default_rng(2).uniform(-1.5, 1.5, (5000, 2))
    h, g = f.height_and_grad(xy)
    small = np.concatenate([f.height(xy[i:i + 7]) for i in range(0, 5000, 7)])
    assert np.allclose(h, small, rtol=1e-13, atol=1e-13)


def test_bench_reports_the_raster_time():
    out = nn.bench_nn_raster(quick=True)
    assert set(out) == {"nn_raster_s"} and 0 < out["nn_raster_s"] < 5


# -- the levels ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def played(levels):
    """Each level's coarse sweep (12 lrs x 3 momenta, all its optimizers) and its default-orders run."""
    out = {}
    for name, level in levels.items():
        result = sweep(level, lrs=lr_grid(level, 12), momenta=momentum_grid(level, 3))
        world = sim.World(level)
        while world.step_count < level.budget and (world.status == sim.DESCENDING).any():
            world.step()
        out[name] = (result, world)
    return out


@pytest.mark.parametrize("name", NN_LEVELS)
def test_level_is_winnable_and_not_by_default(levels, played, name):
    level = levels[name]
    result, world = played[name]
    assert result.won().any(), f"{name}: no cell of the sweep reaches the global minimum"
    assert not world.won, f"{name}: the default orders already win ({world.counts()})"
    assert level.allowed == tuple(sim.OPTIMIZERS)
    card = land(level)
    assert card.activation in nn.ACTIVATIONS
    assert level.global_min_height < 0.35                         # a trained network, in nats


def winning_orders(result, optimizer):
    """(lr, momentum) of the winning cell of ``optimizer`` that arrives first."""
    i = result.optimizers.index(optimizer)
    first = np.where(result.first_arrival[i] >= 0, result.first_arrival[i], 10**9)
    j, k = np.unravel_index(np.argmin(first), first.shape)
    assert first[j, k] < 10**9, f"{optimizer} never wins"
    return float(result.lrs[k]), float(result.momenta[j])


def test_trained_network_separates_the_moons(levels, played):
    level = levels["20-nn-train"]
    f = land(level)
    assert f.accuracy(f.params_at(level.global_min))[0] >= 0.9
    lr, mu = winning_orders(played["20-nn-train"][0], "momentum")
    world = sim.World(level)
    world.set_orders(0, optimizer="momentum", lr=lr, momentum=mu)
    while not world.over:
        world.step()
    arrived = world.positions[world.status == sim.ARRIVED]
    assert len(arrived)
    assert (f.accuracy(f.params_at(arrived)) >= 0.9).all()
    assert (f.accuracy(f.params_at(world.start)) < 0.8).all()     # the spawn is an untrained network
    # wherever a unit may arrive -- anywhere in the goal disc -- the network separates the moons
    rng = np.random.default_rng(0)
    r = level.goal_radius * np.sqrt(rng.random(2000))
    a = 2 * np.pi * rng.random(2000)
    disc = level.global_min + np.column_stack([r * np.cos(a), r * np.sin(a)])
    assert f.accuracy(f.params_at(disc)).min() >= 0.9


def test_sigmoid_plateau_vanishes_and_adam_crosses(levels, played):
    level = levels["21-nn-sigmoid"]
    f = land(level)
    world = sim.World(level)
    a1 = nn.sigmoid(f.preactivations(world.positions))
    assert (a1 < 0.01).all()                                      # every unit saturated off, every input
    assert (np.hypot(*world.grads.T) < 1e-3).all() and (np.hypot(*world.grads.T) > 1e-6).all()
    result = played["21-nn-sigmoid"][0]
    for opt in ("sgd", "momentum", "nesterov"):
        assert not result.won()[result.optimizers.index(opt)].any(), opt
    assert result.won()[result.optimizers.index("adam")].sum() >= 10


def test_dead_relus_stay_dead(levels, played):
    level = levels["22-nn-dead-relu"]
    f = land(level)
    world = played["22-nn-dead-relu"][1]
    on_dead_ground = f.dead_fraction(world.positions) == 1      # every unit off for every input
    assert on_dead_ground.sum() >= level.units // 2
    assert (world.status[on_dead_ground] == sim.TRAPPED).all()
    assert not f.grad(world.positions[on_dead_ground]).any()    # exactly zero: no optimizer moves them
    assert (f.dead_fraction(world.start) < 1).all()               # they were alive at the spawn
    lr, mu = winning_orders(played["22-nn-dead-relu"][0], "sgd")
    assert lr < level.lr                                          # the careful step wins


def test_leaky_relu_revives_the_same_ground(levels):
    dead, leaky = land(levels["22-nn-dead-relu"]), land(levels["25-nn-leaky-relu"])
    assert leaky.activation == "leaky_relu" and dead.activation == "relu"
    for x, y in ((dead.theta, leaky.theta), (dead.d1, leaky.d1), (dead.d2, leaky.d2)):
        assert np.array_equal(x, y)                               # the same weights, the same slice
    spawn = sim.World(levels["25-nn-leaky-relu"]).positions
    assert (dead.dead_fraction(spawn) == 1).all()
    assert not dead.grad(spawn).any()                             # plain ReLU: flat, dead
    assert (np.hypot(*leaky.grad(spawn).T) > 0.1).all()           # leaky: a slope that leads out
    relu = leaky.with_activation("relu")
    assert np.array_equal(relu.height(spawn), dead.height(spawn))


def test_exploding_learning_rate(levels, played):
    level = levels["23-nn-explode"]
    f = land(level)
    lam = np.linalg.eigvalsh(hessian(f, level.global_min)[0]).max()
    assert level.lr > 2.0 / lam                                  # above the stability limit of GD
    world = played["23-nn-explode"][1]
    assert world.counts()["diverged"] >= level.units // 2
    diverged = [e for e in world.events if e.kind == "diverged"]
    assert diverged and diverged[0].step <= 10
    i = list(played["23-nn-explode"][0].optimizers).index("sgd")
    result = played["23-nn-explode"][0]
    won_lrs = result.lrs[result.won()[i].any(axis=0)]
    assert won_lrs.min() < 2.0 / lam


def test_level_errors_name_the_field():
    data = {"title": "t", "briefing": "b.", "bounds": [[-1, 1], [-1, 1]], "budget": 10, "goal_radius": 0.1,
            "units": 2, "spawn": {"center": [0.5, 0.5]}, "orders": {}, "stars": {},
            "terrain": [{"type": "loss_landscape", "dataset": "moons", "activation": "swish"}]}
    with pytest.raises(LevelError, match=r"<t>: terrain\[0\]: activation: unknown 'swish'"):
        parse_level(data, "<t>", "t")
    data["terrain"][0].update(activation="relu", hidden=2.5)
    with pytest.raises(LevelError, match=r"terrain\[0\]\.hidden: expected an integer"):
        parse_level(data, "<t>", "t")
    data["terrain"][0].update(hidden=3, dataset=7)
    with pytest.raises(LevelError, match=r"terrain\[0\]\.dataset: expected a string"):
        parse_level(data, "<t>", "t")
