"""Synthetic 2-D classification data sets, each drawn from an injected ``np.random.Generator``.

Every generator has the signature ``make(samples, noise, rng) -> (X, labels)``:

* ``X`` float64 (m, 2): the points, in input units (each set spans roughly [-1.5, 1.5]^2, centred
  near the origin);
* ``labels`` int64 (m,): the class of each point, 0 .. classes - 1, the classes as equal in size
  as ``samples`` allows.

``noise`` is the standard deviation of Gaussian jitter [input units] (for the spiral: of the angle,
[radians]). Nothing here touches a global random state: the same generator state gives the same
data, bit for bit. No scikit-learn: the shapes follow its ``make_moons`` / ``make_circles``.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np


class Dataset(NamedTuple):
    """Training data for drawing and for the network. ``X`` (m, 2) points [input units],
    ``Y`` (m,) integer class labels; ``classes`` how many classes there are."""
    name: str
    X: np.ndarray
    Y: np.ndarray
    classes: int


def _split(samples: int, classes: int) -> list[int]:
    """Class sizes as equal as possible, summing to ``samples``."""
    base, extra = divmod(samples, classes)
    return [base + (k < extra) for k in range(classes)]


def _finish(parts: list[np.ndarray], noise: float, rng: np.random.Generator, jitter=True):
    X = np.vstack(parts)
    Y = np.concatenate([np.full(len(p), k, np.int64) for k, p in enumerate(parts)])
    if jitter:
        X = X + noise * rng.standard_normal(X.shape)
    return X, Y


def make_moons(samples: int, noise: float, rng: np.random.Generator):
    """Two interleaving half circles: class 0 the upper arc (cos t, sin t), class 1 the lower arc
    (1 - cos t, 1/2 - sin t), t evenly spaced over [0, pi]; shifted by (-1/2, -1/4) so the set is
    centred, then jittered."""
    n0, n1 = _split(samples, 2)
    t0, t1 = np.linspace(0, np.pi, n0), np.linspace(0, np.pi, n1)
    upper = np.column_stack([np.cos(t0), np.sin(t0)])
    lower = np.column_stack([1 - np.cos(t1), 0.5 - np.sin(t1)])
    centre = np.array([0.5, 0.25])
    return _finish([upper - centre, lower - centre], noise, rng)


def make_circles(samples: int, noise: float, rng: np.random.Generator, factor: float = 0.5):
    """Two concentric circles: class 0 of radius 1, class 1 of radius ``factor``; angles evenly
    spaced, then jittered. Not linearly separable: a hidden layer must bend the boundary round."""
    n0, n1 = _split(samples, 2)
    t0 = np.linspace(0, 2 * np.pi, n0, endpoint=False)
    t1 = np.linspace(0, 2 * np.pi, n1, endpoint=False)
    outer = np.column_stack([np.cos(t0), np.sin(t0)])
    inner = factor * np.column_stack([np.cos(t1), np.sin(t1)])
    return _finish([outer, inner], noise, rng)


def make_xor(samples: int, noise: float, rng: np.random.Generator):
    """Four Gaussian blobs at (+-1, +-1) with standard deviation ``noise``: class 0 where x y > 0
    (first and third quadrants), class 1 where x y < 0. The problem a single neuron cannot solve."""
    n0, n1 = _split(samples, 2)
    corners0 = np.array([[1.0, 1.0], [-1.0, -1.0]])
    corners1 = np.array([[1.0, -1.0], [-1.0, 1.0]])
    c0 = corners0[np.arange(n0) % 2]
    c1 = corners1[np.arange(n1) % 2]
    return _finish([c0, c1], noise, rng)


def make_spiral(samples: int, noise: float, rng: np.random.Generator, classes: int = 3,
                turns: float = 1.0):
    """``classes`` interleaved spiral arms (after CS231n): arm k has radius r evenly spaced over
    (0, 1] and angle 2 pi (k / classes + turns r) + noise N(0, 1) [radians]. Needs a softmax output."""
    parts = []
    for k, n in enumerate(_split(samples, classes)):
        r = np.linspace(1.0 / n, 1.0, n)
        t = 2 * np.pi * (k / classes + turns * r) + noise * rng.standard_normal(n)
        parts.append(r[:, None] * np.column_stack([np.cos(t), np.sin(t)]))
    return _finish(parts, noise, rng, jitter=False)


# name -> (generator, number of classes)
DATASETS = {
    "moons": (make_moons, 2),
    "circles": (make_circles, 2),
    "xor": (make_xor, 2),
    "spiral": (make_spiral, 3),
}


def make_dataset(name: str, samples: int, noise: float, rng: np.random.Generator,
                 shift=(0.0, 0.0)) -> Dataset:
    """The data set ``name`` with ``samples`` points drawn from ``rng``, then moved by ``shift``
    [input units] (uncentred inputs, like raw pixel intensities, are what kills ReLUs)."""
    if name not in DATASETS:
        raise ValueError(f"dataset: unknown data set {name!r}; choose from {', '.join(DATASETS)}")
    make, classes = DATASETS[name]
    if samples < 2 * classes:
        raise ValueError(f"samples: need at least {2 * classes} points for {name!r}, got {samples}")
    if not noise >= 0:
        raise ValueError(f"noise: expected a number >= 0, got {noise}")
    X, Y = make(samples, noise, rng)
    return Dataset(name, X + np.asarray(shift, float).reshape(1, 2), Y, classes)
