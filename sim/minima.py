"""Every local minimum of a terrain field inside a rectangle, found by multi-start descent.

A point x* of the box B = [xmin, xmax] x [ymin, ymax] is a local minimum of f on B when

* interior: grad f(x*) = 0 and the Hessian H(x*) is positive definite, or
* on the edge: the first-order (KKT) conditions hold with the boundary pinning x*: on each
  coordinate i at a bound the descent direction -df/dx_i points out of the box, and along the free
  coordinate (if any) df/dx_i = 0 with d2f/dx_i^2 > 0. Such a point is the lowest point of f near
  x* *within the map*, but not a critical point of f: ``Minimum.on_edge`` marks it.

Method (vectorized over all starts at once):

1. Starts at the cell centres of a ``grid`` over B, and twice as densely along its four sides.
2. Projected gradient descent x <- clip(x - t g) with one step scale t per start [world / slope]:
   an improving step is kept and t doubles, a worsening one is refused and t halves. A move is never
   longer than one grid cell, so a descent stays in the basin it started in.
3. Newton polishing of every distinct end point: d = -(H + mu I)^-1 g on the free coordinates, mu = 0
   where H is positive definite (mu > 0 makes d a descent direction elsewhere), with a backtracking
   (Armijo) line search. H comes from central differences of the analytic gradient, symmetrised.
4. Keep the points where H (restricted to the free coordinates) is positive definite and the Newton
   step |H^-1 g| is negligible next to the grid cell -- the scale-free form of "grad f = 0". Saddles,
   maxima and flat plateaus (H = 0) fail this and are dropped. Merge duplicates.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .terrain import Field, as_points, grid_points

GRID = 40             # default starts per side of the box
GD_STEPS = 30         # most projected-gradient iterations (Newton finishes the slow ones)
NEWTON_STEPS = 40     # most Newton iterations
GD_TOL = 0.02         # a descent stops when its step is shorter than this [grid cells]
SAME_BASIN = 0.05     # descents ending closer than this [grid cells] are polished once
ACCEPT_TOL = 1e-3     # a polished point is stationary when its Newton step is shorter [grid cells]
MERGE_TOL = 1e-4      # minima closer than this [fraction of the box's larger side] are one
FD_STEP = 1e-5        # finite-difference step of the Hessian [grid cells]
LINE_SEARCH = 0.5 ** np.r_[0:6, 8:24:3]   # step fractions tried by the Newton line search
ARMIJO = 1e-4         # sufficient decrease: f(x + s d) <= f(x) + ARMIJO s g.d


@dataclass(frozen=True)
class Minimum:
    """A local minimum of a field on a box: location ``xy`` [world], ``height`` f(xy) [height units];
    ``on_edge`` is True when the descent ended pinned against the box's boundary (a lowest point of
    the map there, not a critical point of f)."""
    xy: tuple
    height: float
    on_edge: bool


def hessian(field: Field, xy, h=None) -> np.ndarray:
    """Hessians (N, 2, 2) of ``field`` at points xy (N, 2), by central differences of the exact gradient:

        H[:, :, j] = (grad f(x + h e_j) - grad f(x - h e_j)) / (2 h),   then (H + H^T) / 2.

    The error is O(h^2 f''') + O(eps |grad f| / h); the default h = 1e-5 (1 + |x|_inf) [world]
    balances the two for fields whose features are of unit size. ``h`` may be a scalar or (N,).
    """
    xy = as_points(xy)
    if h is None:
        h = 1e-5 * (1.0 + np.abs(xy).max(axis=1))
    return _hessian(field, xy, np.broadcast_to(np.asarray(h, float), (len(xy),)))[2]


def _hessian(field, xy, h):
    """f, grad f and the symmetrised Hessian at xy from one batched call on 5 N points."""
    n = len(xy)
    offsets = np.array([[0, 0], [1, 0], [-1, 0], [0, 1], [0, -1]], float)
    pts = (xy[None] + offsets[:, None, :] * h[None, :, None]).reshape(-1, 2)
    f, g = field.height_and_grad(pts)
    g = g.reshape(5, n, 2)
    hess = np.empty((n, 2, 2))
    hess[:, :, 0] = (g[1] - g[2]) / (2 * h[:, None])
    hess[:, :, 1] = (g[3] - g[4]) / (2 * h[:, None])
    off = 0.5 * (hess[:, 0, 1] + hess[:, 1, 0])
    hess[:, 0, 1] = hess[:, 1, 0] = off
    return f[:n], g[0], hess


def _box(bounds):
    (xmin, xmax), (ymin, ymax) = bounds
    lo, hi = np.array([xmin, ymin], float), np.array([xmax, ymax], float)
    if not np.all(hi > lo):
        raise ValueError(f"bounds must satisfy min < max on both axes, got {bounds}")
    return lo, hi


def find_minima(field: Field, bounds, grid=GRID, gd_steps=GD_STEPS,
                newton_steps=NEWTON_STEPS) -> list[Minimum]:
    """All local minima of ``field`` on the box ``bounds`` = ((xmin, xmax), (ymin, ymax)) [world],
    sorted by height (then x, y). ``grid`` is the number of starts per side (int or (nx, ny)):
    a basin narrower than about one grid cell may be missed. ``gd_steps`` and ``newton_steps`` cap
    the two phases' iterations. See the module docstring for the method.
    """
    lo, hi = _box(bounds)
    nx, ny = (grid, grid) if np.isscalar(grid) else grid
    cell = float(max((hi - lo) / np.array([nx, ny])))
    x = np.vstack([grid_points(bounds, (ny, nx)), _perimeter(lo, hi, 2 * nx, 2 * ny)])
    x = _descend(field, x, lo, hi, cell, gd_steps)
    x = x[np.sort(np.unique(np.round(x / (SAME_BASIN * cell)), axis=0, return_index=True)[1])]
    x = _polish(field, x, lo, hi, cell, newton_steps)
    f, g, hess = _hessian(field, x, np.full(len(x), FD_STEP * cell))
    d, lam_min, pinned = _newton_step(g, hess, x, lo, hi)
    keep = (lam_min > 0) & (np.hypot(*d.T) <= ACCEPT_TOL * cell) & np.isfinite(f)
    return _merge(x[keep], f[keep], pinned[keep], MERGE_TOL * float(max(hi - lo)))


def _perimeter(lo, hi, nx, ny):
    """Points along the box's four sides (nx per horizontal side, ny per vertical one), so that
    descents pinned to the boundary find the minima along it."""
    xs = lo[0] + (np.arange(nx) + 0.5) * (hi[0] - lo[0]) / nx
    ys = lo[1] + (np.arange(ny) + 0.5) * (hi[1] - lo[1]) / ny
    bottom, top = np.column_stack([xs, np.full(nx, lo[1])]), np.column_stack([xs, np.full(nx, hi[1])])
    left, right = np.column_stack([np.full(ny, lo[0]), ys]), np.column_stack([np.full(ny, hi[0]), ys])
    return np.vstack([bottom, top, left, right])


def _descend(field, x, lo, hi, cell, steps):
    """Projected gradient descent with a per-start step scale; returns the end points (N, 2)."""
    f, g = field.height_and_grad(x)
    x, f, g = x.copy(), f.copy(), g.copy()
    gnorm = np.hypot(g[:, 0], g[:, 1])
    t = 0.5 * cell / np.maximum(gnorm, 1e-150)          # first move: half a cell
    live = np.arange(len(x))
    for _ in range(steps):
        if len(live) == 0:
            break
        xl, gl = x[live], g[live]
        move = t[live, None] * gl
        length = np.hypot(move[:, 0], move[:, 1])
        shrink = np.minimum(1.0, cell / np.maximum(length, 1e-300))   # never more than one cell
        trial = np.clip(xl - shrink[:, None] * move, lo, hi)
        step = np.hypot(*(trial - xl).T)
        ft, gt = field.height_and_grad(trial)
        ok = ft < f[live]                                # NaN compares False: refused
        t_eff = t[live] * shrink
        t[live] = np.where(ok, 2.0 * t_eff, 0.5 * t_eff)
        idx = live[ok]
        x[idx], f[idx], g[idx] = trial[ok], ft[ok], gt[ok]
        live = live[step >= GD_TOL * cell]
    return x


def _newton_step(g, hess, x, lo, hi):
    """Projected, damped Newton step d = -(H_F + mu I)^-1 g_F on the free coordinates F.

    A coordinate is pinned when it sits on a bound and -g points out of the box; its row and column
    of H become the identity and its gradient component 0, so d leaves it alone. mu = 0 where the
    reduced H is positive definite, else |lambda_min| + 1e-3 |lambda_max| (a descent direction);
    where H = 0 (a plane or a plateau), d is the unit vector down the slope, or 0 if there is none.
    Returns d (N, 2), the smallest eigenvalue of the reduced H (N,), and the pinned mask (N, 2).
    """
    pinned = ((x <= lo) & (g > 0)) | ((x >= hi) & (g < 0))
    gr = np.where(pinned, 0.0, g)
    a = np.where(pinned[:, 0], 1.0, hess[:, 0, 0])
    c = np.where(pinned[:, 1], 1.0, hess[:, 1, 1])
    b = np.where(pinned.any(axis=1), 0.0, hess[:, 0, 1])
    mid, rad = 0.5 * (a + c), np.hypot(0.5 * (a - c), b)
    lam_min, lam_max = mid - rad, mid + rad
    mu = np.where(lam_min > 0, 0.0, -lam_min + 1e-3 * np.abs(lam_max))
    a, c = a + mu, c + mu
    det = a * c - b * b
    with np.errstate(divide="ignore", invalid="ignore"):
        d = -np.column_stack([c * gr[:, 0] - b * gr[:, 1], a * gr[:, 1] - b * gr[:, 0]]) / det[:, None]
        flat = ~np.isfinite(d).all(axis=1)               # H = 0: no curvature to go by
        d[flat] = -gr[flat] / np.maximum(np.hypot(*gr[flat].T), 1e-300)[:, None]   # unit slide downhill
    return d, lam_min, pinned


def _polish(field, x, lo, hi, cell, steps):
    """Damped Newton iterations with a backtracking line search, each projected onto the box."""
    x = x.copy()
    h = np.full(len(x), FD_STEP * cell)
    live = np.arange(len(x))
    for _ in range(steps):
        if len(live) == 0:
            break
        xl = x[live]
        f, g, hess = _hessian(field, xl, h[:len(xl)])
        d, _, pinned = _newton_step(g, hess, xl, lo, hi)
        length = np.hypot(d[:, 0], d[:, 1])
        d *= np.minimum(1.0, cell / np.maximum(length, 1e-300))[:, None]   # at most one cell
        slope = np.einsum("ij,ij->i", np.where(pinned, 0.0, g), d)
        new, moved = _line_search(field, xl, f, d, slope, lo, hi)
        # Where the predicted decrease g.d drowns in the rounding of f, trust the full Newton step.
        tiny = np.abs(slope) <= 1e-12 * np.abs(f)
        new[tiny] = np.clip(xl[tiny] + d[tiny], lo, hi)
        x[live] = new
        live = live[(length > 1e-9 * cell) & (moved | tiny)]
    return x


def _line_search(field, x, f, d, slope, lo, hi):
    """Backtracking: x + s d for the first s in LINE_SEARCH with f(x + s d) <= f(x) + ARMIJO s g.d
    (projected onto the box). The full step is tried everywhere first, shorter ones only where it
    fails. Returns the new points (unchanged where no s passes) and the mask of those that moved."""
    full = np.clip(x + d, lo, hi)
    moved = field.height(full) <= f + ARMIJO * slope
    new = np.where(moved[:, None], full, x)
    retry = np.flatnonzero(~moved)
    if len(retry):
        s = LINE_SEARCH[1:, None]
        trials = np.clip(x[retry][None] + s[:, :, None] * d[retry][None], lo, hi)   # (S, R, 2)
        ft = field.height(trials.reshape(-1, 2)).reshape(len(s), -1)
        passed = ft <= f[retry] + ARMIJO * s * slope[retry]
        first = np.argmax(passed, axis=0)
        found = passed[first, np.arange(len(retry))]
        new[retry[found]] = trials[first[found], np.flatnonzero(found)]
        moved[retry] = found
    return new, moved


def _merge(x, f, pinned, tol):
    """Minima sorted by (height, x, y), dropping any point within ``tol`` of a lower one kept before."""
    order = np.lexsort((x[:, 1], x[:, 0], f))
    first = np.unique(np.floor(x[order] / tol), axis=0, return_index=True)[1]
    order = order[np.sort(first)]            # the lowest point of each tol-sized cell, still sorted
    kept: list[int] = []
    for i in order:
        if kept and np.min(np.hypot(*(x[kept] - x[i]).T)) <= tol:
            continue
        kept.append(i)
    return [Minimum((float(x[i, 0]), float(x[i, 1])), float(f[i]), bool(pinned[i].any())) for i in kept]
