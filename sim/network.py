"""The classic primer's two-layer network in batched NumPy: forward pass, losses, backpropagation.

The network (column convention: one column per sample, m samples, D = 2 inputs, H hidden units,
K outputs)::

    Z1 = W1 X + b1        (H, m)     W1 (H, D), b1 (H,)
    A1 = g(Z1)            (H, m)     g = sigmoid, tanh, relu or leaky_relu (see ACTIVATIONS)
    Z2 = W2 A1 + b2       (K, m)     W2 (K, H), b2 (K,)   -- the logits
    Yh = sigmoid(Z2)      (1, m)     K = 1: binary cross-entropy
    Yh = softmax(Z2)      (K, m)     K >= 3: cross-entropy over K classes (softmax over each column)

Losses, computed from the logits so that nothing overflows (softplus(z) = log(1 + e^z)
= max(z, 0) + log1p(e^-|z|), and log-sum-exp with the column maximum taken out)::

    BCE = 1/m sum_i [ -Y log Yh - (1 - Y) log(1 - Yh) ] = 1/m sum_i [ softplus(Z2) - Y Z2 ]
    CE  = 1/m sum_i [ -sum_k Y_k log Yh_k ]           = 1/m sum_i [ logsumexp_k(Z2) - sum_k Y_k Z2_k ]

Backpropagation (the same four lines for both losses, because d loss / d Z2 = Yh - Y for both)::

    dZ2 = Yh - Y                                 (K, m)
    dW2 = dZ2 A1^T / m        db2 = sum_i dZ2 / m
    dZ1 = (W2^T dZ2) * g'(Z1)                    (H, m)   elementwise product
    dW1 = dZ1 X^T / m         db1 = sum_i dZ1 / m

Everything is BATCHED over a leading unit axis: ``params`` is (U, P), one flat parameter vector per
unit, laid out as [W1 row-major | b1 | W2 row-major | b2] (P = H D + H + K H + K), and every
quantity above gains a leading U axis (W1 (U, H, D), Z1 (U, H, m), ...). Inputs are in data units,
losses in nats (0.693 = a coin toss on two balanced classes).

The loss landscape built on it is ``sim.nn`` (``NetworkLandscape``).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

LEAK = 0.01                  # leaky ReLU slope for z < 0
ADAM_BETAS, ADAM_EPS = (0.9, 0.999), 1e-8


# -- activations ----------------------------------------------------------------------------
def sigmoid(z):
    """1 / (1 + e^-z); e^-z overflows to inf for z < -709 and the quotient is then exactly 0."""
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    """sigmoid'(z) = s (1 - s): at most 1/4, and ~e^-|z| once the unit saturates."""
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh_prime(z):
    """tanh'(z) = 1 - tanh(z)^2."""
    t = np.tanh(z)
    return 1.0 - t * t


def relu(z):
    """max(z, 0)."""
    return np.maximum(z, 0.0)


def relu_prime(z):
    """1 for z > 0, else 0 (0 at the kink): a unit with z < 0 on every sample is dead."""
    return (np.asarray(z) > 0).astype(float)


def leaky_relu(z):
    """z for z > 0, else 0.01 z."""
    return np.where(z > 0, z, LEAK * z)


def leaky_relu_prime(z):
    """1 for z > 0, else 0.01: a switched-off unit still passes 1% of the gradient back."""
    return np.where(np.asarray(z) > 0, 1.0, LEAK)


# name -> (g, g'): what the game draws on a level's card
ACTIVATIONS = {
    "sigmoid": (sigmoid, sigmoid_prime),
    "tanh": (np.tanh, tanh_prime),
    "relu": (relu, relu_prime),
    "leaky_relu": (leaky_relu, leaky_relu_prime),
}


def activate(name: str, z: np.ndarray, scratch: np.ndarray) -> np.ndarray:
    """g(z) computed in place in z (the hot loop of the landscape); scratch is a spare z-sized array."""
    if name == "relu":
        return np.maximum(z, 0.0, out=z)
    if name == "leaky_relu":
        np.multiply(z, LEAK, out=scratch)
        return np.maximum(z, scratch, out=z)            # max(z, 0.01 z) = leaky_relu(z)
    with np.errstate(over="ignore"):                    # e^z = inf is fine: the quotient becomes 0
        if name == "tanh":                              # tanh z = 1 - 2 / (1 + e^2z): one exp, twice
            np.multiply(z, 2.0, out=z)                  # as fast as np.tanh, equal to within 4e-16
            np.exp(z, out=z)
            z += 1.0
            np.divide(2.0, z, out=z)
            return np.subtract(1.0, z, out=z)
        np.negative(z, out=z)                           # sigmoid z = 1 / (1 + e^-z)
        np.exp(z, out=z)
        z += 1.0
        return np.reciprocal(z, out=z)


def derivative_from_output(name: str, a: np.ndarray, out: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """g'(z) from a = g(z), written into ``out`` (``mask`` a bool scratch array of the same shape).
    Every g here is monotone with g(0) = 0, so a > 0 exactly when z > 0 for the ReLUs."""
    if name == "relu":
        np.greater(a, 0.0, out=mask)
        np.copyto(out, mask)                            # 1 where z > 0, else 0
        return out
    if name == "leaky_relu":
        np.greater(a, 0.0, out=mask)
        np.multiply(mask, 1.0 - LEAK, out=out)
        out += LEAK                                     # 1 where z > 0, 0.01 elsewhere
        return out
    if name == "tanh":
        np.multiply(a, a, out=out)
        return np.subtract(1.0, out, out=out)           # 1 - a^2
    np.subtract(1.0, a, out=out)
    return np.multiply(out, a, out=out)                 # a (1 - a)


# -- the network --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Net:
    """Shapes of a two-layer network: ``inputs`` D, ``hidden`` H, ``outputs`` K (1: sigmoid output
    and binary cross-entropy; >= 3: softmax and cross-entropy), hidden ``activation``."""
    hidden: int
    activation: str = "relu"
    outputs: int = 1
    inputs: int = 2

    def __post_init__(self):
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"activation: unknown {self.activation!r}; choose from {', '.join(ACTIVATIONS)}")
        if not 1 <= self.hidden <= 256:
            raise ValueError(f"hidden: expected 1 to 256 hidden units, got {self.hidden}")
        if self.outputs == 2 or self.outputs < 1:
            raise ValueError(f"outputs: 1 (binary) or >= 3 (softmax), got {self.outputs}")

    @property
    def n_params(self) -> int:
        """P = H D + H + K H + K."""
        d, h, k = self.inputs, self.hidden, self.outputs
        return h * d + h + k * h + k

    @property
    def classes(self) -> int:
        return max(2, self.outputs)

    def unpack(self, params: np.ndarray):
        """Views W1 (U, H, D), b1 (U, H), W2 (U, K, H), b2 (U, K) into params (U, P)."""
        d, h, k = self.inputs, self.hidden, self.outputs
        u = params.shape[0]
        i1, i2, i3 = h * d, h * d + h, h * d + h + k * h
        return (params[:, :i1].reshape(u, h, d), params[:, i1:i2], params[:, i2:i3].reshape(u, k, h),
                params[:, i3:])

    def pack(self, W1, b1, W2, b2) -> np.ndarray:
        """The inverse of ``unpack``: (U, P)."""
        u = W1.shape[0]
        return np.concatenate([W1.reshape(u, -1), b1, W2.reshape(u, -1), b2], axis=1)

    def init(self, rng: np.random.Generator, units: int = 1) -> np.ndarray:
        """Random starting parameters (U, P): W ~ N(0, c / fan_in) with c = 2 for the ReLUs (He)
        and 1 otherwise (Xavier/LeCun), biases 0."""
        c = 2.0 if "relu" in self.activation else 1.0
        W1 = rng.standard_normal((units, self.hidden, self.inputs)) * np.sqrt(c / self.inputs)
        W2 = rng.standard_normal((units, self.outputs, self.hidden)) * np.sqrt(1.0 / self.hidden)
        return self.pack(W1, np.zeros((units, self.hidden)), W2, np.zeros((units, self.outputs)))

    def targets(self, labels: np.ndarray) -> np.ndarray:
        """Integer labels (m,) -> Y (K, m): the 0/1 row for K = 1, one-hot columns for softmax."""
        labels = np.asarray(labels)
        if self.outputs == 1:
            return labels[None, :].astype(float)
        return (labels[None, :] == np.arange(self.outputs)[:, None]).astype(float)


def _params(params) -> np.ndarray:
    p = np.asarray(params, dtype=np.float64)
    return p[None, :] if p.ndim == 1 else p


def forward(net: Net, params, X):
    """Z1, A1, Z2 for every unit: params (U, P), X (D, m) -> (U, H, m), (U, H, m), (U, K, m)."""
    W1, b1, W2, b2 = net.unpack(_params(params))
    Z1 = np.matmul(W1, X) + b1[:, :, None]
    A1 = ACTIVATIONS[net.activation][0](Z1)
    Z2 = np.matmul(W2, A1) + b2[:, :, None]
    return Z1, A1, Z2


def probabilities(Z2: np.ndarray) -> np.ndarray:
    """Yh from logits (U, K, m): sigmoid for K = 1, a stable softmax over the K axis otherwise."""
    if Z2.shape[1] == 1:
        return sigmoid(Z2)
    e = np.exp(Z2 - Z2.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def loss_from_logits(Z2: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Mean loss per unit (U,) [nats] from logits (U, K, m) and targets Y (K, m): BCE for K = 1
    (softplus(z) - y z), cross-entropy for K >= 3 (logsumexp_k z - sum_k y_k z_k)."""
    m = Z2.shape[-1]
    if Z2.shape[1] == 1:
        z = Z2[:, 0]
        per = np.maximum(z, 0.0) - Y[0] * z + np.log1p(np.exp(-np.abs(z)))
        return per.sum(axis=1) / m
    top = Z2.max(axis=1)
    lse = top + np.log(np.exp(Z2 - top[:, None]).sum(axis=1))
    return (lse - np.einsum("ukm,km->um", Z2, Y)).sum(axis=1) / m


def loss(net: Net, params, X, Y) -> np.ndarray:
    """Loss per unit (U,) [nats]: X (D, m) inputs, Y (K, m) targets (see ``Net.targets``)."""
    return loss_from_logits(forward(net, params, X)[2], Y)


def loss_and_grad(net: Net, params, X, Y):
    """Loss (U,) and its exact gradient (U, P) by backpropagation (module docstring):

        dZ2 = Yh - Y;  dW2 = dZ2 A1^T / m;  db2 = sum_i dZ2 / m
        dZ1 = (W2^T dZ2) * g'(Z1);  dW1 = dZ1 X^T / m;  db1 = sum_i dZ1 / m
    """
    params = _params(params)
    m = X.shape[1]
    Z1, A1, Z2 = forward(net, params, X)
    W2 = net.unpack(params)[2]
    dZ2 = (probabilities(Z2) - Y) / m                         # the 1/m folded in once
    dW2 = np.matmul(dZ2, A1.transpose(0, 2, 1))
    db2 = dZ2.sum(axis=2)
    dZ1 = np.matmul(W2.transpose(0, 2, 1), dZ2) * ACTIVATIONS[net.activation][1](Z1)
    dW1 = np.matmul(dZ1, X.T)
    db1 = dZ1.sum(axis=2)
    return loss_from_logits(Z2, Y), net.pack(dW1, db1, dW2, db2)


def train(net: Net, X, Y, rng: np.random.Generator, steps: int = 400, lr: float = 0.05,
          restarts: int = 4) -> np.ndarray:
    """theta* (P,): ``restarts`` random starts trained side by side, full batch, ``steps`` Adam steps
    (lr, betas (0.9, 0.999), eps 1e-8, as torch), keeping the start that ends with the lowest loss.
    Deterministic: the only randomness is the initialisation drawn from ``rng``."""
    theta = net.init(rng, restarts)
    m1, m2 = np.zeros_like(theta), np.zeros_like(theta)
    (b1, b2) = ADAM_BETAS
    for t in range(1, steps + 1):
        _, g = loss_and_grad(net, theta, X, Y)
        m1 = b1 * m1 + (1 - b1) * g
        m2 = b2 * m2 + (1 - b2) * g * g
        theta = theta - lr * (m1 / (1 - b1 ** t)) / (np.sqrt(m2 / (1 - b2 ** t)) + ADAM_EPS)
    return theta[int(np.argmin(loss(net, theta, X, Y)))].copy()


def filter_normalised_direction(net: Net, theta: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A random direction d (P,) scaled filter by filter to theta (Li et al. 2018): d ~ N(0, I), then
    each row of W1 (one hidden neuron's incoming weights) and of W2 (one output neuron's) is rescaled
    to the norm of the same row of theta, and the biases of d are set to 0."""
    d = rng.standard_normal((1, net.n_params))
    dW1, db1, dW2, db2 = net.unpack(d)
    tW1, _, tW2, _ = net.unpack(theta[None])
    for dw, tw in ((dW1, tW1), (dW2, tW2)):
        dw *= np.linalg.norm(tw, axis=2, keepdims=True) / np.linalg.norm(dw, axis=2, keepdims=True)
    db1[:] = 0.0
    db2[:] = 0.0
    return d[0]
