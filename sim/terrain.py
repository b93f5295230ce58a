"""Terrain: differentiable height fields f: R^2 -> R, vectorized over many points.

Every field takes points ``xy`` as a float64 array of shape (N, 2) in world units and
returns heights (N,) and exact analytic gradients (N, 2) -- never finite differences.
Fields compose into a small algebra::

    f = Bowl(curvature=2, condition=10, angle=30) + 0.5 * GaussianWells(...)
    g = f.shifted((1, -2)).rotated(45)        # move and turn the whole map
    f.height(xy), f.grad(xy), f.height_and_grad(xy), f.raster(bounds, (H, W))

The classic optimisation test functions (Rosenbrock, Himmelblau, ...) are in
``sim/classic.py`` and are fields like these.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .blocks import CHUNK, for_each_block


def _rotation(angle_deg: float) -> np.ndarray:
    """2x2 matrix turning vectors counter-clockwise by ``angle_deg`` degrees."""
    a = math.radians(angle_deg)
    return np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])


def apply(points: np.ndarray, m: np.ndarray) -> np.ndarray:
    """points @ m for (N, 2) points and a 2x2 matrix, written out: numpy's matmul with an inner
    dimension of 2 is several times slower than the two multiply-adds per column."""
    out = np.empty_like(points)
    x, y = points[:, 0], points[:, 1]
    np.multiply(x, m[0, 0], out=out[:, 0])
    out[:, 0] += y * m[1, 0]
    np.multiply(x, m[0, 1], out=out[:, 1])
    out[:, 1] += y * m[1, 1]
    return out


def dot(points: np.ndarray, v) -> np.ndarray:
    """points @ v for (N, 2) points and a 2-vector, written out."""
    return points[:, 0] * v[0] + points[:, 1] * v[1]


def as_points(xy) -> np.ndarray:
    """Points as a C-contiguous float64 (N, 2) array (a single (2,) point becomes (1, 2))."""
    xy = np.ascontiguousarray(xy, dtype=np.float64)
    if xy.ndim == 1:
        xy = xy.reshape(1, 2)
    if xy.ndim != 2 or xy.shape[1] != 2:
        raise ValueError(f"points must have shape (N, 2), got {xy.shape}")
    return xy


def grid_points(bounds, shape) -> np.ndarray:
    """Cell centres of an (H, W) raster over ``bounds`` as (H*W, 2) points, row 0 at the top.

    Cell (i, j) is at x_j = xmin + (j + 1/2) (xmax - xmin) / W and
    y_i = ymax - (i + 1/2) (ymax - ymin) / H, so the raster reads like the screen.
    """
    (xmin, xmax), (ymin, ymax) = bounds
    h, w = shape
    xs = xmin + (np.arange(w) + 0.5) * (xmax - xmin) / w
    ys = ymax - (np.arange(h) + 0.5) * (ymax - ymin) / h
    gx, gy = np.meshgrid(xs, ys)
    return np.column_stack([gx.ravel(), gy.ravel()])


class Field:
    """A height field. Subclasses implement ``height_and_grad`` (or both halves)."""

    def height(self, xy) -> np.ndarray:
        """Heights f(x) at points xy (N, 2) -> (N,)."""
        return self.height_and_grad(xy)[0]

    def grad(self, xy) -> np.ndarray:
        """Exact gradient (df/dx, df/dy) at points xy (N, 2) -> (N, 2)."""
        return self.height_and_grad(xy)[1]

    def height_and_grad(self, xy):
        """Both at once; composite fields share the expensive work between the two."""
        raise NotImplementedError

    def raster(self, bounds, shape) -> np.ndarray:
        """Heights on an (H, W) grid of cell centres over ``bounds`` (see ``grid_points``)."""
        return self.height(grid_points(bounds, shape)).reshape(shape)

    # -- algebra ---------------------------------------------------------------------------
    def __add__(self, other):
        if isinstance(other, (int, float)):
            return Sum([self, Constant(float(other))])
        return Sum([self, other])

    __radd__ = __add__

    def __mul__(self, k):
        return Scaled(self, float(k))

    __rmul__ = __mul__

    def __sub__(self, other):
        return self + (-other)

    def __neg__(self):
        return Scaled(self, -1.0)

    def shifted(self, offset):
        """The same landscape moved by ``offset`` [world]."""
        return Transformed(self, offset=offset)

    def rotated(self, angle_deg, about=(0.0, 0.0)):
        """The landscape turned counter-clockwise by ``angle_deg`` around ``about``."""
        about = np.asarray(about, float)
        return Transformed(self.shifted(-about), angle=angle_deg).shifted(about)

    def stretched(self, factor):
        """The landscape enlarged ``factor`` times about the origin (heights unchanged)."""
        return Transformed(self, scale=factor)


class Sum(Field):
    """f = sum of the parts. Gaussian wells among the parts are merged into one vector kernel."""

    def __init__(self, parts):
        flat = []
        for p in parts:
            flat.extend(p.parts if isinstance(p, Sum) else [p])
        wells = [p for p in flat if isinstance(p, GaussianWells)]
        rest = [p for p in flat if not isinstance(p, GaussianWells)]
        if len(wells) > 1:
            rest.append(GaussianWells.merge(wells))
        else:
            rest.extend(wells)
        self.parts = rest

    def height_and_grad(self, xy):
        xy = as_points(xy)
        if not self.parts:
            return np.zeros(len(xy)), np.zeros((len(xy), 2))
        h, g = self.parts[0].height_and_grad(xy)      # every part returns fresh arrays: add in place
        for p in self.parts[1:]:
            ph, pg = p.height_and_grad(xy)
            h += ph
            g += pg
        return h, g

    def __repr__(self):
        return " + ".join(map(repr, self.parts))


class Scaled(Field):
    """f = k * inner."""

    def __init__(self, inner: Field, k: float):
        self.inner, self.k = inner, k

    def height_and_grad(self, xy):
        h, g = self.inner.height_and_grad(xy)
        return self.k * h, self.k * g

    def __repr__(self):
        return f"{self.k:g} * ({self.inner!r})"


class Transformed(Field):
    """f(x) = inner(u) with u = R(-angle) (x - offset) / scale: the inner map moved, turned, enlarged.

    Chain rule: grad f(x) = R(angle) grad inner(u) / scale.
    """

    def __init__(self, inner: Field, offset=(0.0, 0.0), angle=0.0, scale=1.0):
        if not scale > 0:
            raise ValueError(f"scale must be > 0, got {scale}")
        self.inner = inner
        self.offset = np.asarray(offset, float).reshape(2)
        self.rot = _rotation(angle)
        self.scale = float(scale)

    def height_and_grad(self, xy):
        u = apply(as_points(xy) - self.offset, self.rot / self.scale)   # row-vector form of R^T (x - c)
        h, g = self.inner.height_and_grad(u)
        return h, apply(g, self.rot.T / self.scale)


@dataclass(frozen=True)
class Constant(Field):
    """f = value everywhere."""
    value: float = 0.0

    def height_and_grad(self, xy):
        n = len(as_points(xy))
        return np.full(n, self.value), np.zeros((n, 2))


@dataclass(frozen=True)
class Bowl(Field):
    """Quadratic bowl f = 1/2 (x - c)^T H (x - c).

    H has eigenvalues ``curvature`` (steepest direction) and ``curvature / condition``
    (shallowest); the shallow axis points at ``angle`` degrees. Plain gradient descent is
    stable iff lr < 2 / curvature, and needs about ``condition`` times more steps along the
    shallow axis: that is the ill-conditioned valley that momentum fixes.
    """
    curvature: float = 1.0
    condition: float = 1.0
    angle: float = 0.0
    center: tuple = (0.0, 0.0)

    @property
    def hessian(self) -> np.ndarray:
        r = _rotation(self.angle)
        return r @ np.diag([self.curvature / self.condition, self.curvature]) @ r.T

    def height_and_grad(self, xy):
        d = as_points(xy) - np.asarray(self.center, float)
        g = apply(d, self.hessian)               # H is symmetric
        return 0.5 * np.einsum("ij,ij->i", d, g), g


class GaussianWells(Field):
    """Sum of K Gaussian wells: f(x) = - sum_k depth_k exp(-|x - c_k|^2 / (2 sigma_k^2)).

    A negative depth makes a hill. Gradient:
    grad f = sum_k (depth_k / sigma_k^2) exp(-|x - c_k|^2 / (2 sigma_k^2)) (x - c_k).

    The kernel writes the exponent as one matrix product of [u, v, |u|^2, 1], (u, v) = x - (the
    wells' mean centre), with a (4, K)
    table that already holds log(|depth_k| / sigma_k^2), so one ``exp`` over an (N, K) block
    gives every term, and a second product with [sigma^2, 1, cx, cy] sums heights and
    gradients at once. Large batches are split into blocks shared between threads.
    """

    def __init__(self, centers, depths, sigmas):
        self.centers = np.array(centers, float).reshape(-1, 2)
        k = len(self.centers)
        self.depths = np.broadcast_to(np.array(depths, float), (k,)).copy()
        self.sigmas = np.broadcast_to(np.array(sigmas, float), (k,)).copy()
        if np.any(~(self.sigmas > 0)):
            raise ValueError(f"well widths (sigma) must be > 0, got {self.sigmas}")
        if np.any(self.depths == 0):
            keep = self.depths != 0
            self.centers, self.depths, self.sigmas = self.centers[keep], self.depths[keep], self.sigmas[keep]
        inv = 1.0 / self.sigmas ** 2
        # work relative to the wells' mean centre, so the expansion below does not cancel
        # catastrophically for wells far from the world's origin
        self.origin = self.centers.mean(0) if len(self.centers) else np.zeros(2)   # (zero-depth wells dropped)
        c = self.centers - self.origin
        # exponent_k = log(|d_k|/s_k^2) - |x - c_k|^2/(2 s_k^2), expanded as a product with [x, y, |x|^2, 1]
        self._expo = np.vstack([c[:, 0] * inv, c[:, 1] * inv, -0.5 * inv,
                                np.log(np.abs(self.depths) * inv) - 0.5 * (c * c).sum(1) * inv])
        sign = np.sign(self.depths)
        # columns: height term (-sign * s^2), then sum of terms, sum of terms * c (for the gradient)
        self._sums = np.column_stack([-sign * self.sigmas ** 2, sign, sign * c[:, 0], sign * c[:, 1]])

    @classmethod
    def merge(cls, wells):
        return cls(np.vstack([w.centers for w in wells]), np.concatenate([w.depths for w in wells]),
                   np.concatenate([w.sigmas for w in wells]))

    def _block(self, xy, h, g):
        """Heights h (n,) and gradients g (n, 2) at the points xy (n, 2) of one block.

        u = x - origin is taken as two contiguous columns u_x, u_y: the element-wise work runs
        at unit stride, and only the copies into the (n, 4) features [u_x, u_y, |u|^2, 1] that
        the matrix product reads are strided (same bits as working in the (n, 4) array).
        """
        ux = xy[:, 0] - self.origin[0]                  # [world]
        uy = xy[:, 1] - self.origin[1]
        feats = np.empty((len(xy), 4))
        feats[:, 0] = ux
        feats[:, 1] = uy
        np.multiply(ux, ux, out=feats[:, 2])
        feats[:, 2] += uy * uy
        feats[:, 3] = 1.0
        terms = feats @ self._expo                      # (n, K) exponents
        np.exp(terms, out=terms)                        # (n, K): |d_k|/s_k^2 exp(-|x - c_k|^2/(2 s_k^2))
        s = terms @ self._sums                          # (n, 4) sums over the wells
        h[:] = s[:, 0]
        g[:, 0] = ux * s[:, 1] - s[:, 2]
        g[:, 1] = uy * s[:, 1] - s[:, 3]

    def height_and_grad(self, xy):
        xy = as_points(xy)
        n = len(xy)
        h, g = np.empty(n), np.empty((n, 2))
        if len(self.depths) == 0:
            h[:], g[:] = 0.0, 0.0
            return h, g
        for_each_block(lambda i: self._block(xy[i:i + CHUNK], h[i:i + CHUNK], g[i:i + CHUNK]), n)
        return h, g

    def __repr__(self):
        return f"GaussianWells({len(self.depths)} wells)"


def Well(center=(0.0, 0.0), depth=1.0, sigma=1.0) -> GaussianWells:
    """One Gaussian well (depth > 0) or hill (depth < 0)."""
    return GaussianWells([center], [depth], [sigma])


@dataclass(frozen=True)
class Ridge(Field):
    """An elongated Gaussian hill: f = amplitude exp(-u^2/(2 length^2) - w^2/(2 width^2)),
    (u, w) the offset from ``center`` along and across the ridge line at ``angle`` degrees."""
    amplitude: float = 1.0
    center: tuple = (0.0, 0.0)
    angle: float = 0.0
    length: float = 2.0
    width: float = 0.3

    def height_and_grad(self, xy):
        r = _rotation(self.angle)
        uw = apply(as_points(xy) - np.asarray(self.center, float), r)
        a = np.array([1.0 / self.length ** 2, 1.0 / self.width ** 2])
        h = self.amplitude * np.exp(-0.5 * dot(uw * uw, a))
        g_uw = -(uw * a) * h[:, None]
        return h, apply(g_uw, r.T)


@dataclass(frozen=True)
class Ripples(Field):
    """Egg-crate ripples f = amplitude (cos(k u + phase) + cos(k w + phase)), k = 2 pi / wavelength,
    (u, w) the coordinates turned by ``angle`` degrees: a lattice of small local minima."""
    amplitude: float = 0.1
    wavelength: float = 1.0
    angle: float = 0.0
    phase: float = 0.0

    def height_and_grad(self, xy):
        r = _rotation(self.angle)
        k = 2 * math.pi / self.wavelength
        arg = k * apply(as_points(xy), r) + self.phase
        h = self.amplitude * np.cos(arg).sum(1)
        g_uw = -self.amplitude * k * np.sin(arg)
        return h, apply(g_uw, r.T)


@dataclass(frozen=True)
class Plateau(Field):
    """f = amplitude tanh(|x - c|^2 / radius^2): a bowl inside ``radius`` that flattens out to a
    high plateau outside, where the gradient vanishes like sech^2 (a saturated sigmoid unit)."""
    amplitude: float = 1.0
    center: tuple = (0.0, 0.0)
    radius: float = 1.0

    def height_and_grad(self, xy):
        d = as_points(xy) - np.asarray(self.center, float)
        q = np.einsum("ij,ij->i", d, d) / self.radius ** 2
        t = np.tanh(q)
        dfdq = self.amplitude * (1.0 - t * t)
        return self.amplitude * t, d * (2.0 * dfdq / self.radius ** 2)[:, None]


@dataclass(frozen=True)
class Cliff(Field):
    """A step f = amplitude/2 tanh((n . x - offset) / width), n the unit normal at ``angle`` degrees.

    The height rises by ``amplitude`` across a band of about 2 ``width``; the slope there is
    amplitude / (2 width): a narrow band is a cliff whose gradient explodes.
    """
    amplitude: float = 1.0
    angle: float = 0.0
    offset: float = 0.0
    width: float = 0.1

    def height_and_grad(self, xy):
        a = math.radians(self.angle)
        n = np.array([math.cos(a), math.sin(a)])
        s = (dot(as_points(xy), n) - self.offset) / self.width
        t = np.tanh(s)
        slope = 0.5 * self.amplitude * (1.0 - t * t) / self.width
        return 0.5 * self.amplitude * t, slope[:, None] * n


@dataclass(frozen=True)
class Saddle(Field):
    """f = a x^2/2 - b y^2/2 + c y^4/4: a saddle point at the origin (curvature a across,
    -b along y) with two minima at y = +-sqrt(b/c) when c > 0."""
    a: float = 1.0
    b: float = 1.0
    c: float = 1.0

    def height_and_grad(self, xy):
        x, y = as_points(xy).T
        h = 0.5 * self.a * x * x - 0.5 * self.b * y * y + 0.25 * self.c * y ** 4
        return h, np.column_stack([self.a * x, -self.b * y + self.c * y ** 3])
