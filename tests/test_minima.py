"""find_minima against the published minima of the classic test functions, and against brute force."""
import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from sim.classic import (Ackley, Beale, Booth, Himmelblau, Rastrigin, Rosenbrock, SixHumpCamel,
                         StyblinskiTang)
from sim.minima import Minimum, find_minima, hessian
from sim.terrain import Bowl, Cliff, GaussianWells, Plateau, Ridge, Ripples, Saddle, grid_points


def locations(minima):
    return np.array([m.xy for m in minima])


def assert_has(minima, xy, tol):
    """Some found minimum lies within ``tol`` of ``xy``."""
    d = np.hypot(*(locations(minima) - np.asarray(xy)).T)
    assert d.min() <= tol, f"no minimum near {xy}: nearest at {d.min():.3g}"


def assert_local_minimum(field, m, bounds, radius=1e-3):
    """No point of a small ring around ``m`` (kept inside the box) is lower than m."""
    (xmin, xmax), (ymin, ymax) = bounds
    a = np.linspace(0, 2 * np.pi, 32, endpoint=False)
    ring = np.asarray(m.xy) + radius * np.column_stack([np.cos(a), np.sin(a)])
    ring = np.clip(ring, [xmin, ymin], [xmax, ymax])
    assert np.all(field.height(ring) >= m.height - 1e-9 * (1 + abs(m.height)))


def test_himmelblau_four_minima():
    minima = find_minima(Himmelblau(), ((-5, 5), (-5, 5)))
    assert len(minima) == 4
    for xy, value in Himmelblau.MINIMA:
        assert_has(minima, xy, 1e-6)
    assert all(abs(m.height) < 1e-12 and not m.on_edge for m in minima)


@pytest.mark.parametrize("bounds", [((-2, 2), (-1, 3)), ((-5, 5), (-5, 5)), ((-30, 30), (-30, 30))])
def test_rosenbrock_single_minimum_even_on_a_wide_box(bounds):
    minima = find_minima(Rosenbrock(b=100.0), bounds)
    assert len(minima) == 1
    assert np.allclose(minima[0].xy, (1, 1), atol=1e-8) and minima[0].height < 1e-14


def test_beale_global_minimum_despite_huge_gradients():
    minima = find_minima(Beale(), ((-4.5, 4.5), (-4.5, 4.5)))
    assert np.allclose(minima[0].xy, (3, 0.5), atol=1e-8) and minima[0].height < 1e-14
    assert not minima[0].on_edge
    assert [m for m in minima if not m.on_edge] == minima[:1]   # the rest lie on the boundary


def test_six_hump_camel_six_minima():
    minima = find_minima(SixHumpCamel(), ((-3, 3), (-2, 2)))
    assert len(minima) == 6 and not any(m.on_edge for m in minima)
    for xy, value in SixHumpCamel.MINIMA:
        assert_has(minima[:2], xy, 1e-4)
        assert minima[0].height == pytest.approx(value, abs=1e-4)
    assert minima[0].height == pytest.approx(minima[1].height, abs=1e-12)
    for xy in [(1.7036, -0.7961), (-1.7036, 0.7961), (1.6071, 0.5687), (-1.6071, -0.5687)]:
        assert_has(minima[2:], xy, 1e-4)


def test_styblinski_tang_four_minima():
    minima = find_minima(StyblinskiTang(), ((-5, 5), (-5, 5)))
    assert len(minima) == 4
    assert np.allclose(minima[0].xy, (-2.903534, -2.903534), atol=1e-6)
    assert minima[0].height == pytest.approx(-78.33234, abs=1e-4)
    for a in (-2.903534, 2.746803):
        for b in (-2.903534, 2.746803):
            assert_has(minima, (a, b), 1e-5)


def test_bowl_center():
    bowl = Bowl(curvature=3.0, condition=20.0, angle=35.0, center=(1.5, -2.0))
    minima = find_minima(bowl, ((-5, 5), (-5, 5)))
    assert len(minima) == 1
    assert np.allclose(minima[0].xy, (1.5, -2.0), atol=1e-9) and not minima[0].on_edge


def test_rastrigin_lattice_of_minima():
    minima = find_minima(Rastrigin(), ((-2.5, 2.5), (-2.5, 2.5)))
    assert len(minima) == 25                       # one near each integer point of [-2, 2]^2
    near = np.round(locations(minima))
    assert len({tuple(p) for p in near}) == 25
    p = locations(minima)
    assert np.all(np.abs(p - near) < 0.02)        # pulled towards 0 by the x^2 term: x ~ 0.995 n
    assert np.allclose(2 * p + 10 * 2 * np.pi * np.sin(2 * np.pi * p), 0, atol=1e-8)
    assert np.allclose(minima[0].xy, (0, 0), atol=1e-8) and minima[0].height < 1e-12


def test_ackley_flat_plate_and_cone_tip():
    minima = find_minima(Ackley(), ((-5, 5), (-5, 5)))
    assert np.allclose(minima[0].xy, (0, 0), atol=1e-4) and minima[0].height < 1e-3
    assert len(minima) == 121                      # a dimple near each integer point


def test_booth():
    minima = find_minima(Booth(), ((-10, 10), (-10, 10)))
    assert len(minima) == 1 and np.allclose(minima[0].xy, (1, 3), atol=1e-9)


def test_tilted_plane_lowest_point_is_a_corner_on_the_edge():
    plane = Cliff(amplitude=1.0, angle=30.0, width=5.0)   # tanh of a wide band: nearly a tilted plane
    minima = find_minima(plane, ((-1, 1), (-1, 1)))
    assert len(minima) == 1
    assert minima[0].xy == (-1.0, -1.0) and minima[0].on_edge


def test_minimum_in_the_middle_of_one_side():
    minima = find_minima(Bowl(center=(3.0, 0.25)), ((-1, 1), (-1, 1)))
    assert len(minima) == 1 and minima[0].on_edge
    assert np.allclose(minima[0].xy, (1.0, 0.25), atol=1e-9)


def test_maxima_and_saddles_are_dropped():
    cap = -1.0 * Bowl(curvature=2.0)                      # a maximum at 0: minima only in the corners
    minima = find_minima(cap, ((-1, 1), (-1, 1)))
    assert sorted(m.xy for m in minima) == [(-1.0, -1.0), (-1.0, 1.0), (1.0, -1.0), (1.0, 1.0)]
    assert all(m.on_edge for m in minima)
    minima = find_minima(Saddle(a=1.0, b=1.0, c=1.0), ((-3, 3), (-3, 3)))
    assert len(minima) == 2
    assert_has(minima, (0, 1), 1e-9)
    assert_has(minima, (0, -1), 1e-9)


def test_plateau_flat_rim_is_not_a_minimum():
    minima = find_minima(Plateau(amplitude=2.0, center=(1.0, 1.0), radius=1.0), ((-10, 10), (-10, 10)))
    assert len(minima) == 1 and np.allclose(minima[0].xy, (1, 1), atol=1e-9)


def test_sorted_frozen_and_deterministic():
    field = Himmelblau() + 0.1 * Ripples(amplitude=1.0, wavelength=1.3)
    a = find_minima(field, ((-5, 5), (-5, 5)))
    assert a == find_minima(field, ((-5, 5), (-5, 5)))
    assert [m.height for m in a] == sorted(m.height for m in a)
    with pytest.raises(dataclasses.FrozenInstanceError):
        a[0].height = 0.0
    assert isinstance(a[0], Minimum) and isinstance(a[0].xy[0], float)


def test_bad_bounds():
    with pytest.raises(ValueError, match="bounds"):
        find_minima(Bowl(), ((1, -1), (-1, 1)))


def test_hessian_matches_analytic():
    bowl = Bowl(curvature=4.0, condition=3.0, angle=20.0, center=(0.5, 0.5))
    xy = np.random.default_rng(0).uniform(-3, 3, (50, 2))
    assert np.allclose(hessian(bowl, xy), bowl.hessian, atol=1e-6)
    x, y = xy.T                                           # Rosenbrock b = 100
    exact = np.stack([np.stack([2 - 400 * (y - 3 * x * x), -400 * x], -1),
                      np.stack([-400 * x, np.full_like(x, 200.0)], -1)], -2)
    assert np.allclose(hessian(Rosenbrock(), xy), exact, rtol=1e-6, atol=1e-4)


def wells_terrain(seed, n_wells, ripple):
    rng = np.random.default_rng(seed)
    return (Bowl(curvature=0.05, condition=2.0, angle=rng.uniform(0, 180))
            + GaussianWells(rng.uniform(-4, 4, (n_wells, 2)), rng.uniform(0.5, 2, n_wells),
                            rng.uniform(0.4, 1.5, n_wells))
            + Ridge(amplitude=1.0, center=tuple(rng.uniform(-3, 3, 2)), angle=rng.uniform(0, 180))
            + Ripples(amplitude=ripple, wavelength=1.7))


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2 ** 32 - 1), n_wells=st.integers(1, 8), ripple=st.floats(0.0, 0.1))
def test_sums_every_minimum_is_real_and_the_lowest_matches_brute_force(seed, n_wells, ripple):
    bounds = ((-5, 5), (-5, 5))
    field = wells_terrain(seed, n_wells, ripple)
    minima = find_minima(field, bounds)
    for m in minima:
        assert_local_minimum(field, m, bounds)
        if not m.on_edge:
            assert np.linalg.eigvalsh(hessian(field, m.xy))[0, 0] > 0
    lowest = field.height(grid_points(bounds, (300, 300))).min()
    assert minima[0].height <= lowest + 1e-12
    assert minima[0].height >= lowest - 0.05      # the raster cell nearest the minimum is close


@pytest.mark.parametrize("field, bounds", [
    (Rosenbrock(b=100.0) + Rastrigin(A=1.0), ((-3, 3), (-3, 3))),
    (Beale() + 10.0 * Ripples(amplitude=1.0, wavelength=2.0), ((-4.5, 4.5), (-4.5, 4.5))),
    (Ackley() + Plateau(amplitude=5.0, radius=3.0) + Cliff(amplitude=2.0, offset=1.0, width=0.1),
     ((-6, 6), (-6, 6))),
    (Himmelblau().rotated(30).stretched(2.0).shifted((1, 1)), ((-10, 10), (-10, 10))),
])
def test_steep_and_flat_sums_against_brute_force(field, bounds):
    minima = find_minima(field, bounds)
    for m in minima:
        assert_local_minimum(field, m, bounds)
    raster = field.height(grid_points(bounds, (400, 400)))
    assert minima[0].height <= raster.min() + 1e-12
    assert math.isfinite(minima[0].height)
