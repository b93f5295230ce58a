"""A real neural-network loss as terrain: the loss of the two-layer network of ``sim.network``.

``NetworkLandscape`` turns a trained network into a terrain ``Field``: the height at (a, b) is the
loss at theta* + a d1 + b d2 along two filter-normalised random directions (Li et al. 2018), so
world units descend the real loss. What the game reads from it::

    f = sim.nn.landscape_of(level.terrain)      # the NetworkLandscape behind a level (or None)
    f.params_at(xy) -> (N, P)                   # the network each unit stands for
    f.decision_surface(params, grid_xy)         # (N, G, C) class probabilities at input points
    f.accuracy(params) -> (N,)                  # on the training data
    f.dataset.X (m, 2), f.dataset.Y (m,)        # the training points and labels, for drawing
    f.activation, ACTIVATIONS[f.activation]     # name and (g, g') of the hidden units, for the card
"""
from __future__ import annotations

import statistics
import threading
import time
from functools import lru_cache

import numpy as np

from .datasets import DATASETS, make_dataset
from .network import (ACTIVATIONS, Net, activate, derivative_from_output,
                      filter_normalised_direction, forward, loss, loss_and_grad, loss_from_logits, probabilities,
                      sigmoid, train)
from .blocks import pool
from .terrain import Field, Scaled, as_points

__all__ = ["ACTIVATIONS", "Net", "NetworkLandscape", "forward", "landscape_of", "loss", "loss_and_grad",
           "loss_from_logits", "probabilities", "sigmoid", "train", "bench_nn_raster"]

CHUNK_ELEMENTS = 1 << 18     # hidden activations (units x H x m) per block: ~2 MB arrays stay in cache
PARALLEL_ELEMENTS = 1 << 20  # from this many on, blocks are shared between threads (numpy frees the GIL)


@lru_cache(maxsize=32)
def _trained(dataset, activation, hidden, samples, noise, seed, data_shift, view, train_steps, train_lr):
    """Data, theta* and the two directions for one set of level parameters, the network trained with
    ``activation`` (memoised: training is deterministic, so one run per parameter set is enough).
    Three independent generators spawned from ``seed`` draw the data, the initialisation and the
    directions; ``view`` > 0 draws the directions from (seed, view) instead."""
    data_rng, init_rng, view_rng = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(3))
    data = make_dataset(dataset, samples, noise, data_rng, data_shift)
    net = Net(hidden, activation, 1 if data.classes == 2 else data.classes)
    X, Y = data.X.T.copy(), net.targets(data.Y)
    theta = train(net, X, Y, init_rng, train_steps, train_lr)
    if view:
        view_rng = np.random.default_rng(np.random.SeedSequence([seed, view]))
    d1 = filter_normalised_direction(net, theta, view_rng)
    d2 = filter_normalised_direction(net, theta, view_rng)
    for a in (theta, d1, d2):
        a.flags.writeable = False
    return data, theta, d1, d2


class NetworkLandscape(Field):
    """Terrain f(a, b) = scale * L(theta* + a d1 + b d2) [nats x scale]: the training loss of a
    two-layer network on a seeded 2-D data set, over the plane through the trained parameters
    theta* spanned by two filter-normalised random directions d1, d2 (Li et al. 2018).

    (a, b) are in units of the directions: a = 1 moves every weight row by its own length.
    Exact gradient by the chain rule: df/da = scale d1 . grad L, df/db = scale d2 . grad L.

    Parameters (also the TOML keys of a ``loss_landscape`` terrain component):
      dataset      "moons", "circles", "xor" (binary: sigmoid output) or "spiral" (3 classes: softmax)
      activation   hidden-unit nonlinearity, a key of ``ACTIVATIONS``
      hidden       H, hidden units
      samples      m, training points
      noise        jitter of the data [input units; radians for the spiral]
      seed         data, initialisation and directions all derive from it
      data_shift   (dx, dy) added to every input [input units]: uncentred data
      view         another pair of random directions through the same theta* (0: the default pair)
      train_steps, train_lr   full-batch Adam training of theta*
      train_activation        the activation theta* was trained with ("" = ``activation``): the same
                   weights can be seen through another nonlinearity (ReLU-trained, leaky-evaluated)
      scale        height multiplier (1: heights are the loss in nats)

    Speed: the direction biases are 0, so the hidden pre-activations are affine in (a, b),
    Z1(a, b) = Z0 + a Za + b Zb with Z0 = W1* X + b1*, Za = D1_W1 X, Zb = D2_W1 X computed once; a batch
    of points never forms its (N, P) parameter vectors, and the gradient along (a, b) only needs dW1 and
    dW2 contracted with the directions' weights. Points go through in blocks of about 2 MB of hidden
    activations (reused scratch arrays), shared between threads for large batches: a 256 x 256 raster
    (65,536 networks) of the two-moons ReLU landscape takes about 0.2 s.
    """

    def __init__(self, dataset="moons", activation="relu", hidden=5, samples=80, noise=0.3, seed=0,
                 data_shift=(0.0, 0.0), view=0, train_steps=400, train_lr=0.05, train_activation="",
                 scale=1.0):
        train_activation = train_activation or activation
        for key, name in (("activation", activation), ("train_activation", train_activation)):
            if name not in ACTIVATIONS:
                raise ValueError(f"{key}: unknown {name!r}; choose from {', '.join(ACTIVATIONS)}")
        if dataset not in DATASETS:
            raise ValueError(f"dataset: unknown data set {dataset!r}; choose from {', '.join(DATASETS)}")
        if not 1 <= int(train_steps) <= 20000:
            raise ValueError(f"train_steps: expected 1 to 20000, got {train_steps}")
        if not 0 < float(train_lr) <= 1:
            raise ValueError(f"train_lr: expected a number in (0, 1], got {train_lr}")
        if not float(scale) > 0:
            raise ValueError(f"scale: expected a number > 0, got {scale}")
        if not 2 <= int(samples) <= 2000:
            raise ValueError(f"samples: expected 2 to 2000 training points, got {samples}")
        if int(seed) < 0 or int(view) < 0:
            raise ValueError(f"seed and view: expected whole numbers >= 0, got {seed} and {view}")
        self.params = dict(dataset=dataset, activation=activation, hidden=int(hidden), samples=int(samples),
                           noise=float(noise), seed=int(seed), data_shift=tuple(map(float, data_shift)),
                           view=int(view), train_steps=int(train_steps), train_lr=float(train_lr),
                           train_activation=train_activation, scale=float(scale))
        trained = {k: v for k, v in self.params.items() if k not in ("activation", "train_activation", "scale")}
        self.dataset, self.theta, self.d1, self.d2 = _trained(activation=train_activation, **trained)
        self.activation = activation
        self.scale = float(scale)
        self.net = net = Net(int(hidden), activation, 1 if self.dataset.classes == 2 else self.dataset.classes)
        self._X = self.dataset.X.T.copy()                          # (D, m), the primer's layout
        self._Y = net.targets(self.dataset.Y)                      # (K, m)
        stack = np.stack([self.theta, self.d1, self.d2])           # (3, P)
        W1, b1, W2, b2 = net.unpack(stack)
        self._z0 = W1[0] @ self._X + b1[0][:, None]                # (H, m)
        self._za = W1[1] @ self._X                                 # (H, m)
        self._zb = W1[2] @ self._X
        self._zstack = np.stack([self._z0, self._za, self._zb]).reshape(3, -1)   # (3, H m)
        self._w2 = W2                                              # (3, K, H): theta*, d1, d2
        self._w2stack = W2.reshape(3, -1)                          # (3, K H)
        self._dw1 = W1[1:]                                         # (2, H, D): W1 parts of d1, d2
        self._b2 = b2[0][:, None]                                  # (K, 1)
        self._sign = 1.0 - 2.0 * self._Y[0]                        # binary: s = 1 - 2y, (m,)
        self._per_unit = net.hidden * self._X.shape[1]
        self._chunk = max(16, CHUNK_ELEMENTS // self._per_unit)
        self._local = threading.local()                            # per-thread scratch arrays

    def with_activation(self, activation: str) -> "NetworkLandscape":
        """The same data, theta* and directions seen through another hidden activation."""
        return NetworkLandscape(**{**self.params, "activation": activation})

    def __repr__(self):
        p = self.params
        return f"NetworkLandscape({p['dataset']}, {p['activation']}, H={p['hidden']}, m={p['samples']})"

    # -- the game's view of the network --------------------------------------------------------
    @property
    def theta_star(self) -> np.ndarray:
        """The trained parameters (P,) at (a, b) = (0, 0)."""
        return self.theta

    def params_at(self, xy) -> np.ndarray:
        """Network parameters (N, P) at points xy (N, 2): theta* + a d1 + b d2."""
        ab = as_points(xy)
        return self.theta + ab[:, :1] * self.d1 + ab[:, 1:] * self.d2

    def loss_of(self, params) -> np.ndarray:
        """The training loss (U,) [nats, unscaled] of parameter vectors (U, P)."""
        return loss(self.net, params, self._X, self._Y)

    def decision_surface(self, params, grid_xy) -> np.ndarray:
        """Class probabilities (N, G, C) of networks params (N, P) (or (P,)) at input points
        grid_xy (G, 2) [input units]; C = 2 for a binary set ([1 - p, p]), 3 for the spiral.
        Each row sums to 1; the decision boundary is where the largest class changes."""
        Z2 = forward(self.net, params, as_points(grid_xy).T)[2]
        p = probabilities(Z2)                                       # (N, K, G)
        if self.net.outputs == 1:
            p = np.concatenate([1.0 - p, p], axis=1)
        return p.transpose(0, 2, 1)

    def predict(self, params, X=None) -> np.ndarray:
        """Predicted class (N, m) of params (N, P) at inputs X (m, 2) (default: the training data)."""
        X = self.dataset.X if X is None else as_points(X)
        Z2 = forward(self.net, params, X.T)[2]
        return (Z2[:, 0] > 0).astype(np.int64) if self.net.outputs == 1 else Z2.argmax(axis=1)

    def accuracy(self, params) -> np.ndarray:
        """Fraction (N,) of the training points that params (N, P) classify correctly."""
        return (self.predict(params) == self.dataset.Y).mean(axis=1)

    def data_bounds(self, margin: float = 0.25):
        """((xmin, xmax), (ymin, ymax)) around the training inputs plus ``margin`` of their span on
        each side: the box to sample ``decision_surface`` over for an inset."""
        lo, hi = self.dataset.X.min(axis=0), self.dataset.X.max(axis=0)
        pad = margin * (hi - lo).max()
        return ((lo[0] - pad, hi[0] + pad), (lo[1] - pad, hi[1] + pad))

    def preactivations(self, xy) -> np.ndarray:
        """Hidden pre-activations Z1 (N, H, m) at points xy (N, 2): Z0 + a Za + b Zb."""
        ab = as_points(xy)
        return self._z0 + ab[:, 0, None, None] * self._za + ab[:, 1, None, None] * self._zb

    def dead_fraction(self, xy) -> np.ndarray:
        """Fraction (N,) of hidden units switched off (z <= 0) on every training point: dead ReLUs."""
        return (self.preactivations(xy) <= 0).all(axis=2).mean(axis=1)

    def kink_distance(self, xy) -> np.ndarray:
        """Distance (N,) [a, b units] from each point to the nearest line on which some hidden unit's
        pre-activation is 0 on some training point: where a (leaky) ReLU's slope jumps, so the height
        has a kink and central differences straddling it disagree with the one-sided exact gradient.
        inf for the smooth activations (sigmoid, tanh)."""
        ab = as_points(xy)
        if self.activation not in ("relu", "leaky_relu"):
            return np.full(len(ab), np.inf)
        with np.errstate(divide="ignore"):
            inv = 1.0 / np.hypot(self._za, self._zb)               # a line's distance is |z| / |grad z|
        return np.concatenate([(np.abs(self.preactivations(ab[i:i + 1024])) * inv).min(axis=(1, 2))
                               for i in range(0, len(ab), 1024)] or [np.empty(0)])

    # -- the Field --------------------------------------------------------------------------------
    def height(self, xy):
        return self._run(as_points(xy), grad=False)[0]

    def height_and_grad(self, xy):
        """Heights (N,) and exact gradients (N, 2). Rows equal to the same row of this thread's
        previous call are copied, not recomputed: a World re-evaluates its stopped units (arrived,
        trapped, diverged) at unchanged positions every step, and in a sweep most units stop early."""
        xy = as_points(xy)
        last = getattr(self._local, "last", None)
        if last is not None and last[0].shape == xy.shape:
            todo = (xy != last[0]).any(axis=1)
            h, g = last[1].copy(), last[2].copy()
            if todo.any():
                h[todo], g[todo] = self._run(xy[todo], grad=True)
        else:
            h, g = self._run(xy, grad=True)
        self._local.last = (xy.copy(), h.copy(), g.copy())
        return h, g

    def _run(self, xy, grad: bool):
        n = len(xy)
        h = np.empty(n)
        g = np.empty((n, 2)) if grad else None
        starts = range(0, n, self._chunk)
        job = lambda i: self._block(xy[i:i + self._chunk], h[i:i + self._chunk],
                                    g[i:i + self._chunk] if grad else None)
        if n * self._per_unit >= PARALLEL_ELEMENTS and len(starts) > 1:
            list(pool().map(job, starts))
        else:
            for i in starts:
                job(i)
        return h, g

    def _buffers(self, n: int) -> dict:
        """This thread's scratch arrays for a block of n <= chunk points, reused from call to call
        (fresh arrays of more than 128 kB cost a page fault per 4 kB, more than the arithmetic)."""
        ws = getattr(self._local, "ws", None)
        if ws is None:
            c, (hid, m), k = self._chunk, self._z0.shape, self.net.outputs
            ws = {"c": np.ones((c, 3)), "A": np.empty((c, hid, m)), "Q": np.empty((c, hid, m)),
                  "B": np.empty((c, hid, m), bool), "Z2": np.empty((c, k, m)), "u": np.empty((c, k, m)),
                  "e": np.empty((c, k, m)), "t": np.empty((c, k, m)), "tb": np.empty((c, k, m), bool)}
            self._local.ws = ws
        return {key: v[:n] for key, v in ws.items()}

    def _block(self, ab, h, g):
        """Loss (and gradient along (a, b)) for one block of n points, written into h (n,), g (n, 2)."""
        n, (hid, m) = len(ab), self._z0.shape
        ws = self._buffers(n)
        c = ws["c"]
        c[:, 1:] = ab                                                  # rows [1, a, b]
        A = ws["A"]
        np.einsum("nk,kj->nj", c, self._zstack, out=A.reshape(n, hid * m))   # Z1 = Z0 + a Za + b Zb
        activate(self.activation, A, ws["Q"])                         # A1 = g(Z1), in place
        w2 = (c @ self._w2stack).reshape(n, -1, hid)                   # W2(a, b)   (n, K, H)
        Z2 = np.matmul(w2, A, out=ws["Z2"])
        Z2 += self._b2                                                 # logits (n, K, m)
        loss_, dZ2 = self._loss_and_dlogits(Z2, ws, g is not None)
        h[:] = self.scale * loss_
        if g is None:
            return
        dW2 = np.matmul(dZ2, A.transpose(0, 2, 1))                     # dZ2 A1^T   (n, K, H)
        # dW1 = [(W2^T dZ2) * g'(Z1)] X^T, regrouped so that the only (n, H, m)-sized work is one
        # batched product: dW1[h, d] = sum_k W2[k, h] sum_i g'(Z1)[h, i] (dZ2[k, i] X[d, i]).
        Q = derivative_from_output(self.activation, A, ws["Q"], ws["B"])   # g'(Z1)   (n, H, m)
        V = (dZ2[:, :, :, None] * self._X.T).transpose(0, 2, 1, 3).reshape(n, m, -1)   # (n, m, K D)
        R = np.matmul(Q, V).reshape(n, hid, -1, self._X.shape[0])     # (n, H, K, D)
        dW1 = np.einsum("nkh,nhkd->nhd", w2, R)                        # (n, H, D)
        # directional derivatives: d . grad L over the weights (the directions' biases are 0)
        g[:] = np.einsum("nhd,khd->nk", dW1, self._dw1) + np.einsum("nkh,dkh->nd", dW2, self._w2[1:])
        g *= self.scale

    def _loss_and_dlogits(self, Z2, ws, grad: bool):
        """Mean loss (n,) and dL/dZ2 = (Yh - Y) / m (n, K, m) (or None), from logits Z2 (n, K, m).

        Binary: with s = 1 - 2y and u = s z, softplus(z) - y z = softplus(u) = max(u, 0) + log(1 + e),
        e = exp(-|u|) <= 1, and Yh - y = s sigmoid(u) = s [1 if u >= 0 else e] / (1 + e).
        Softmax: e = exp(z - max_k z), loss = max_k z + log sum_k e - sum_k y z, Yh - Y = e / sum_k e - Y.
        Either way one exp per logit; the logs are summed as the log of a product (``_sum_log``).
        """
        m = Z2.shape[-1]
        e, t = ws["e"], ws["t"]
        if Z2.shape[1] == 1:
            u = np.multiply(Z2, self._sign, out=ws["u"])               # (n, 1, m)
            np.abs(u, out=e)
            np.negative(e, out=e)
            np.exp(e, out=e)
            e += 1.0                                                   # 1 + e, in [1, 2]
            total = np.maximum(u, 0.0, out=t).sum(axis=(1, 2)) + _sum_log(e, 2.0)
            if not grad:
                return total / m, None
            up = np.greater_equal(u, 0.0, out=ws["tb"])
            np.subtract(2.0, e, out=t)                                 # 1 - e
            t *= up
            t += e
            t -= 1.0                                                   # [1 if u >= 0 else e]
            t /= e
            t *= self._sign / m
            return total / m, t
        top = Z2.max(axis=1, keepdims=True)
        np.subtract(Z2, top, out=e)
        np.exp(e, out=e)
        s = e.sum(axis=1, keepdims=True)                               # in [1, K]
        total = top.sum(axis=(1, 2)) + _sum_log(s, Z2.shape[1]) - np.einsum("nkm,km->n", Z2, self._Y)
        if not grad:
            return total / m, None
        e /= s
        e -= self._Y
        e /= m
        return total / m, e


def _sum_log(x: np.ndarray, bound: float) -> np.ndarray:
    """sum of log(x) over all but the first axis of x (n, ...), every x in [1, bound]: the log of products
    of up to 1000 / log2(bound) factors at a time (at most 2^1000, far below overflow), so one log per
    block of values instead of one each."""
    x = x.reshape(len(x), -1)
    block = max(1, int(1000 / np.log2(max(bound, 2.0))))
    return sum(np.log(np.prod(x[:, i:i + block], axis=1)) for i in range(0, x.shape[1], block))


def landscape_of(field) -> NetworkLandscape | None:
    """The NetworkLandscape behind a level's terrain (itself, or it scaled by a ``weight``), else None."""
    while isinstance(field, Scaled):
        field = field.inner
    return field if isinstance(field, NetworkLandscape) else None


# -- performance ------------------------------------------------------------------------------------
def bench_nn_raster(quick: bool = False) -> dict:
    """{"nn_raster_s": median seconds for one 256 x 256 raster of the two-moons ReLU landscape
    (65,536 parameter vectors through the batched forward pass)}; ``quick``: 64 x 64, fewer runs."""
    field = NetworkLandscape(seed=1)                               # the landscape of 20-nn-train
    size, repeats = (64, 3) if quick else (256, 5)
    bounds = ((-1.5, 1.5), (-1.5, 1.5))
    field.raster(bounds, (size, size))                             # warm up (threads, caches)
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        field.raster(bounds, (size, size))
        times.append(time.perf_counter() - t)
    return {"nn_raster_s": statistics.median(times)}
