"""Terrain fields: analytic gradients against finite differences, published minima, algebra."""
import numpy as np
import pytest

from sim import blocks as B, classic, terrain as T
from tests.gradcheck import grad_rel_error

RNG = np.random.default_rng(20261126)

COMPONENTS = {
    "bowl": T.Bowl(curvature=3.0, condition=10.0, angle=30.0, center=(1.0, 2.0)),
    "wells": T.GaussianWells(RNG.uniform(-3, 3, (6, 2)), RNG.uniform(-2, 2, 6), RNG.uniform(0.4, 1.5, 6)),
    "well": T.Well((0.5, -0.5), 2.0, 0.7),
    "ridge": T.Ridge(1.5, (0.0, 1.0), 20.0, 2.0, 0.5),
    "ripples": T.Ripples(0.3, 1.3, 15.0, 0.2),
    "plateau": T.Plateau(2.0, (1.0, 0.0), 1.5),
    "cliff": T.Cliff(3.0, 40.0, 0.5, 0.2),
    "saddle": T.Saddle(1.0, 2.0, 0.5),
    "constant": T.Constant(4.0),
    **{name: cls() for name, cls in classic.CLASSICS.items()},
    "composite": (T.Bowl(1.0) + 2 * T.Well((1, 1), 1, 0.7)).rotated(30, (1, 0)).stretched(1.5)
                 + T.Well((0, 0), 0.5, 0.3) - 0.5 * T.Cliff(1.0, 10, 0, 1.0).shifted((0.3, 0.2)),
}


@pytest.mark.parametrize("name", sorted(COMPONENTS))
def test_gradient_matches_finite_differences(name):
    field = COMPONENTS[name]
    xy = RNG.uniform(-3, 3, (250, 2))
    if name == "constant":
        assert np.all(field.grad(xy) == 0)
        return
    assert grad_rel_error(field, xy) <= 1e-6


@pytest.mark.parametrize("name", sorted(classic.CLASSICS))
def test_published_minima(name):
    field = classic.CLASSICS[name]()
    for xy, value in field.MINIMA:
        h = field.height(np.array(xy))[0]
        # published minimizers are given to 4-6 decimals, so the value agrees to that precision
        assert h == pytest.approx(value, abs=1e-4), (xy, h, value)
        # and it is a critical point: the gradient there is as small as that rounding allows
        assert np.abs(field.grad(np.array(xy))).max() < 2e-3


def test_exact_minima_values():
    assert classic.Rosenbrock().height(np.array([1.0, 1.0]))[0] == 0.0
    assert classic.Himmelblau().height(np.array([3.0, 2.0]))[0] == 0.0
    assert classic.Rastrigin().height(np.zeros(2))[0] == 0.0
    assert classic.Ackley().height(np.zeros(2))[0] == pytest.approx(0.0, abs=1e-14)
    assert classic.Beale().height(np.array([3.0, 0.5]))[0] == 0.0
    assert classic.Booth().height(np.array([1.0, 3.0]))[0] == 0.0
    # Styblinski-Tang: -39.16617 per dimension at -2.903534
    assert classic.StyblinskiTang().height(np.full(2, -2.903534))[0] / 2 == pytest.approx(-39.16617, abs=1e-5)
    assert classic.SixHumpCamel().height(np.array([0.0898, -0.7126]))[0] == pytest.approx(-1.0316, abs=1e-4)


def test_bowl_is_the_quadratic_form():
    bowl = T.Bowl(curvature=4.0, condition=8.0, angle=0.0)
    # shallow axis along x with curvature 4/8 = 0.5, steep along y with 4
    h = bowl.height(np.array([[2.0, 0.0], [0.0, 1.0]]))
    assert h == pytest.approx([0.5 * 0.5 * 4, 0.5 * 4 * 1])
    assert np.allclose(np.linalg.eigvalsh(T.Bowl(4.0, 8.0, 33.0).hessian), [0.5, 4.0])


def test_transforms_move_the_landscape():
    well = T.Well((0, 0), 1.0, 0.5)
    moved = well.shifted((2.0, -1.0))
    assert moved.height(np.array([2.0, -1.0]))[0] == pytest.approx(-1.0)
    turned = T.Bowl(1.0, 10.0, 0.0).rotated(90)
    # the shallow axis (x) is now along y
    assert turned.height(np.array([0.0, 2.0]))[0] == pytest.approx(T.Bowl(1.0, 10.0).height(np.array([2.0, 0.0]))[0])
    big = well.stretched(2.0)
    assert big.height(np.array([1.0, 0.0]))[0] == pytest.approx(well.height(np.array([0.5, 0.0]))[0])


def test_sum_merges_wells_into_one_kernel_without_changing_values():
    a, b = T.Well((1, 0), 1, 0.5), T.Well((-1, 0), -2, 0.8)
    s = a + b + T.Bowl()
    assert sum(isinstance(p, T.GaussianWells) for p in s.parts) == 1
    xy = RNG.uniform(-2, 2, (50, 2))
    assert np.allclose(s.height(xy), a.height(xy) + b.height(xy) + T.Bowl().height(xy), rtol=1e-12, atol=1e-12)


def test_large_batches_match_small_ones_exactly():
    """The blocked, threaded kernel gives the same bits as one block at a time."""
    w = COMPONENTS["wells"]
    xy = RNG.uniform(-4, 4, (B.PARALLEL_MIN + 1234, 2))
    h, g = w.height_and_grad(xy)
    h2, g2 = w.height_and_grad(xy[-500:])
    assert np.array_equal(h[-500:], h2) and np.array_equal(g[-500:], g2)


def test_raster_orientation():
    """Row 0 is the top of the map (largest y), column 0 the left (smallest x)."""
    f = T.Cliff(amplitude=1.0, angle=90.0, offset=0.0, width=1.0)     # rises with y
    z = f.raster(((-1, 1), (-2, 2)), (8, 4))
    assert z.shape == (8, 4)
    assert z[0, 0] > z[-1, 0]
    g = T.Cliff(amplitude=1.0, angle=0.0, offset=0.0, width=1.0)      # rises with x
    z = g.raster(((-1, 1), (-2, 2)), (8, 4))
    assert z[0, -1] > z[0, 0]
    xs = T.grid_points(((0, 4), (0, 2)), (2, 4))
    assert np.allclose(xs[0], [0.5, 1.5]) and np.allclose(xs[-1], [3.5, 0.5])


def test_wells_far_from_the_origin_keep_their_precision():
    """The kernel expands |x - c|^2; working relative to the wells' centre keeps it exact far out."""
    for c in (1e3, 1e5):
        well = T.Well((c, c), 1.0, 1e-3)
        assert well.height(np.array([c, c]))[0] == pytest.approx(-1.0, rel=1e-9)
    # against the formula written with x - c directly (finite differences are too coarse out here)
    c, d, s = np.array([(1e4, 1e4), (1e4 + 3, 1e4)]), np.array([1.0, 2.0]), np.array([0.5, 0.7])
    xy = 1e4 + RNG.uniform(-1, 4, (200, 2))
    diff = xy[:, None, :] - c[None]
    e = d * np.exp(-(diff ** 2).sum(-1) / (2 * s ** 2))
    h, g = T.GaussianWells(c, d, s).height_and_grad(xy)
    np.testing.assert_allclose(h, -e.sum(1), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(g, (e[..., None] * diff / (s ** 2)[None, :, None]).sum(1), rtol=1e-8, atol=1e-10)


def direct_wells(centers, depths, sigmas, xy):
    """f = -sum_k d_k exp(-|x - c_k|^2 / (2 s_k^2)) and its gradient, written with x - c directly."""
    diff = xy[:, None, :] - centers[None]                         # (N, K, 2)
    e = depths * np.exp(-(diff ** 2).sum(-1) / (2 * sigmas ** 2))  # (N, K)
    return -e.sum(1), (e[..., None] * diff / (sigmas ** 2)[None, :, None]).sum(1)


@pytest.mark.parametrize("k", [1, 2, 16])
@pytest.mark.parametrize("n", [1, 2, 3, B.CHUNK - 1, B.CHUNK + 1, B.PARALLEL_MIN + 5])
def test_wells_kernel_matches_the_direct_formula(k, n):
    """Every block size, a single well and many, hills among the wells, threads or not."""
    rng = np.random.default_rng(1000 * k + n)
    c, d, s = rng.uniform(-4, 4, (k, 2)), rng.uniform(-3, 3, k), rng.uniform(0.3, 2.5, k)
    xy = rng.uniform(-6, 6, (n, 2))
    h, g = T.GaussianWells(c, d, s).height_and_grad(xy)
    h0, g0 = direct_wells(c, d, s, xy)
    np.testing.assert_allclose(h, h0, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(g, g0, rtol=1e-11, atol=1e-13)


def test_one_thread_gives_the_same_bits():
    w = COMPONENTS["wells"]
    xy = RNG.uniform(-4, 4, (B.PARALLEL_MIN + 4321, 2))
    h, g = w.height_and_grad(xy)
    with B.one_thread():
        assert B.pool() is B._CallingThread
        h1, g1 = w.height_and_grad(xy)
    assert B.pool() is not B._CallingThread
    assert np.array_equal(h, h1) and np.array_equal(g, g1)
