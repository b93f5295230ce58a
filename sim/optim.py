"""Optimizers that move many units at once: the update rules the player commands.

Every unit is a point ``x = (x, y)`` on the loss surface; a squad of N units is an
``(N, 2)`` float64 array, and so is the gradient ``g`` measured under their feet.
``opt.step(x, g)`` returns the new positions; the optimizer keeps its own per-unit
state (velocities, running averages, step counters), created on the first step.

Each rule is exactly its ``torch.optim`` namesake at the default settings, written
as a plain function of arrays (``momentum_update(x, g, v, lr, mu)``...). The classes
only hold hyperparameters and state, and check their inputs.

Hyperparameters are a number for the whole squad or an ``(N,)`` array, one value
per unit. ``lr`` must be finite and > 0; ``momentum`` must be in [0, 1). What
``momentum`` means depends on the rule: mu for the SGD family, RMSprop's momentum
for RMSprop, beta1 for Adam, and nothing for plain SGD and Adagrad. Left out, it
takes torch's default (``default_momentum``): 0, and beta1 = 0.9 for Adam.

Units: ``x`` is in [world] units, ``g`` in [height / world]; ``lr`` in
[world^2 / height] for SGD-like rules and [world] for the normalised ones
(Adagrad, RMSprop, Adam), whose step length hardly depends on the slope.
"""

import numpy as np

from .files import quoted

ADAGRAD_EPS = 1e-10   # added to sqrt(sum of g^2) so the division is safe
RMSPROP_ALPHA = 0.99  # decay of RMSprop's running average of g^2
RMSPROP_EPS = 1e-8
ADAM_BETA2 = 0.999    # decay of Adam's running average of g^2 (beta1 is `momentum`)
ADAM_EPS = 1e-8


def _per_unit(a):
    """A number stays a number; an (N,) array becomes a column (N, 1) that
    broadcasts against (N, 2) positions, so each unit gets its own value."""
    return a[:, None] if np.ndim(a) == 1 else a


# ----------------------------------------------------------------------------
# The update rules, as plain functions. x, g and the state are (N, 2) arrays
# (Adam's step counter is (N,)); lr and mu are numbers or (N,) arrays.
# Each returns the new position and the new state; nothing is modified in place.
# ----------------------------------------------------------------------------

def sgd_update(x, g, lr):
    """x <- x - lr * g"""
    return x - _per_unit(lr) * g


def momentum_update(x, g, v, lr, mu):
    """v <- mu * v + g;  x <- x - lr * v"""
    v = _per_unit(mu) * v + g
    return x - _per_unit(lr) * v, v


def nesterov_update(x, g, v, lr, mu):
    """v <- mu * v + g;  x <- x - lr * (g + mu * v)"""
    mu = _per_unit(mu)
    v = mu * v + g
    return x - _per_unit(lr) * (g + mu * v), v


def adagrad_update(x, g, s, lr, eps=ADAGRAD_EPS):
    """s <- s + g^2;  x <- x - lr * g / (sqrt(s) + eps)"""
    s = s + g * g
    return x - _per_unit(lr) * (g / (np.sqrt(s) + eps)), s


def rmsprop_update(x, g, s, b, lr, mu, alpha=RMSPROP_ALPHA, eps=RMSPROP_EPS):
    """s <- alpha * s + (1 - alpha) * g^2;  b <- mu * b + g / (sqrt(s) + eps);  x <- x - lr * b

    With mu = 0 this is torch's no-momentum branch x <- x - lr * g / (sqrt(s) + eps)
    exactly: 0 * b + y == y for any finite b, and b stays finite because
    |g| / sqrt(s) <= 1 / sqrt(1 - alpha) = 10.
    """
    s = alpha * s + (1 - alpha) * g * g
    b = _per_unit(mu) * b + g / (np.sqrt(s) + eps)
    return x - _per_unit(lr) * b, s, b


def adam_update(x, g, m, v, t, lr, beta1, beta2=ADAM_BETA2, eps=ADAM_EPS):
    """t <- t + 1;  m <- beta1 * m + (1 - beta1) * g;  v <- beta2 * v + (1 - beta2) * g^2
    x <- x - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)

    The bias corrections 1 - beta^t undo the pull of m, v towards their zero start.
    t counts each unit's own steps, so a unit that is reset starts afresh.
    """
    t = t + 1
    b1 = _per_unit(beta1)
    m = b1 * m + (1 - b1) * g
    v = beta2 * v + (1 - beta2) * g * g
    bias_correction1 = 1 - b1 ** t[:, None]
    bias_correction2 = 1 - beta2 ** t[:, None]
    step_size = _per_unit(lr) / bias_correction1
    denom = np.sqrt(v) / np.sqrt(bias_correction2) + eps
    return x - step_size * (m / denom), m, v, t


# ----------------------------------------------------------------------------
# Checking hyperparameters
# ----------------------------------------------------------------------------

def _hyperparameter(value, what, rule, is_ok):
    """Return `value` as a float, or as a read-only float64 (N,) copy.

    Raise ValueError naming the first bad value (and its unit) if `is_ok` fails.
    """
    try:
        a = np.array(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be {rule}, got {value!r}") from None
    if a.ndim > 1:
        raise ValueError(f"{what} must be a number or an array of shape (N,), got shape {a.shape}")
    bad = np.flatnonzero(~is_ok(a))
    if bad.size:
        where = f" (unit {bad[0]})" if a.ndim else ""
        raise ValueError(f"{what} must be {rule}, got {a.flat[bad[0]]}{where}")
    if a.ndim == 0:
        return float(a)
    a.flags.writeable = False   # change it by assigning opt.lr / opt.momentum, which checks
    return a


def _check_units(value, n, what):
    """A per-unit array must have one value per unit."""
    if np.ndim(value) == 1 and np.shape(value) != (n,):
        raise ValueError(f"{what} has shape {np.shape(value)} but there are {n} units; "
                         f"give a number or an array of shape ({n},)")


# ----------------------------------------------------------------------------
# The optimizers: hyperparameters + per-unit state around one update function
# ----------------------------------------------------------------------------

class Optimizer:
    """Base class: holds `lr`, `momentum` and the per-unit state of one squad.

    Subclasses set `name`, `uses_momentum`, and implement `_new_state(n)` (zeroed
    state for n units) and `_update(x, g, lr, mu)` (one step, updating self._state).
    """

    name = ""
    uses_momentum = True
    default_momentum = 0.0      # torch's default for this rule's momentum (mu, or beta1 for Adam)

    def __init__(self, lr, momentum=None):
        self.lr = lr
        self.momentum = self.default_momentum if momentum is None else momentum
        self._n = None      # number of units, fixed by the first step
        self._state = {}    # per-unit arrays by name, created on the first step

    @property
    def lr(self):
        """Learning rate: a number, or a read-only (N,) array with one value per unit."""
        return self._lr

    @lr.setter
    def lr(self, value):
        self._lr = _hyperparameter(value, "learning rate", "a finite number > 0",
                                   lambda a: np.isfinite(a) & (a > 0))

    @property
    def momentum(self):
        """Momentum in [0, 1): a number, or a read-only (N,) array. See the class docstring."""
        return self._momentum

    @momentum.setter
    def momentum(self, value):
        self._momentum = _hyperparameter(value, "momentum", "in [0, 1)",
                                         lambda a: (a >= 0) & (a < 1))

    @property
    def state(self):
        """Per-unit state by name, e.g. {"velocity": v}; empty before the first step.

        The arrays are read-only snapshots: each step makes new ones.
        """
        return {name: _read_only(a) for name, a in self._state.items()}

    def step(self, x, g):
        """Move every unit one step downhill. x, g: (N, 2) -> new (N, 2) positions.

        x is not modified. Overflow to inf (a huge lr times a steep slope) is left
        to the caller to detect: it raises no NumPy warning here.
        """
        x = np.asarray(x, dtype=np.float64)
        g = np.asarray(g, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != 2 or g.shape != x.shape:
            raise ValueError(f"x and g must both have shape (N, 2), got {x.shape} and {g.shape}")
        n = len(x)
        _check_units(self._lr, n, "learning rate")
        _check_units(self._momentum, n, "momentum")
        if self._n is None:
            self._n, self._state = n, self._new_state(n)
        elif n != self._n:
            raise ValueError(f"this optimizer holds state for {self._n} units, got {n}; "
                             f"use take() or a new optimizer")
        with np.errstate(over="ignore", invalid="ignore"):
            return self._update(x, g, self._lr, self._momentum)

    def reset(self, mask=None):
        """Zero the state of the units where the boolean (N,) `mask` is True (all if None),
        as if they had just been deployed."""
        if mask is None:
            mask = np.ones(self._n or 0, dtype=bool)
        mask = np.asarray(mask, dtype=bool)
        if self._n is not None and mask.shape != (self._n,):
            raise ValueError(f"reset mask must have shape ({self._n},), got {mask.shape}")
        for name, a in self._state.items():
            a = a.copy()
            a[mask] = 0
            self._state[name] = a

    def take(self, index):
        """A new optimizer of the same kind for the units `index` (integer indices
        or a boolean mask), carrying their state, lr and momentum with them."""
        index = np.asarray(index)
        if index.ndim != 1:
            raise ValueError(f"index must be 1-D, got shape {index.shape}")
        pick = lambda a: a if np.ndim(a) == 0 else a[index]   # noqa: E731
        new = type(self)(pick(self._lr), pick(self._momentum))
        if self._n is not None:
            new._n = np.arange(self._n)[index].size
            new._state = {name: a[index] for name, a in self._state.items()}
        return new

    def _new_state(self, n):
        raise NotImplementedError

    def _update(self, x, g, lr, mu):
        raise NotImplementedError

    def __repr__(self):
        return f"{type(self).__name__}(lr={self._lr!r}, momentum={self._momentum!r})"


def _read_only(a):
    view = a.view()
    view.flags.writeable = False
    return view


class SGD(Optimizer):
    """Plain gradient descent (torch.optim.SGD with momentum 0):

        x <- x - lr * g

    `momentum` is ignored (it is still checked). On f = a x^2 / 2 this converges
    iff 0 < lr < 2 / a.
    """

    name = "sgd"
    uses_momentum = False

    def _new_state(self, n):
        return {}

    def _update(self, x, g, lr, mu):
        return sgd_update(x, g, lr)


class Momentum(Optimizer):
    """Heavy ball (torch.optim.SGD, dampening 0, nesterov False); `momentum` is mu:

        v <- mu * v + g        (v starts at 0, so the first v is g)
        x <- x - lr * v

    The "velocity" v is a decaying sum of past gradients, in gradient units; the
    step actually taken is lr * v [world].
    On f = a x^2 / 2 this converges iff 0 < lr * a < 2 (1 + mu).
    """

    name = "momentum"

    def _new_state(self, n):
        return {"velocity": np.zeros((n, 2))}

    def _update(self, x, g, lr, mu):
        x, self._state["velocity"] = momentum_update(x, g, self._state["velocity"], lr, mu)
        return x


class Nesterov(Optimizer):
    """Nesterov momentum as in torch.optim.SGD(nesterov=True); `momentum` is mu:

        v <- mu * v + g
        x <- x - lr * (g + mu * v)

    The step looks ahead along the new velocity instead of taking it whole.
    """

    name = "nesterov"

    def _new_state(self, n):
        return {"velocity": np.zeros((n, 2))}

    def _update(self, x, g, lr, mu):
        x, self._state["velocity"] = nesterov_update(x, g, self._state["velocity"], lr, mu)
        return x


class Adagrad(Optimizer):
    """Adagrad (torch.optim.Adagrad, lr_decay 0, initial accumulator 0, eps 1e-10):

        s <- s + g^2
        x <- x - lr * g / (sqrt(s) + eps)

    Each coordinate's steps shrink as its squared gradients pile up; the first
    step has length lr per coordinate. `momentum` is ignored (it is still checked).
    """

    name = "adagrad"
    uses_momentum = False

    def _new_state(self, n):
        return {"sum_sq": np.zeros((n, 2))}

    def _update(self, x, g, lr, mu):
        x, self._state["sum_sq"] = adagrad_update(x, g, self._state["sum_sq"], lr)
        return x


class RMSprop(Optimizer):
    """RMSprop (torch.optim.RMSprop, alpha 0.99, eps 1e-8, centered False);
    `momentum` is RMSprop's own momentum mu:

        s <- alpha * s + (1 - alpha) * g^2
        b <- mu * b + g / (sqrt(s) + eps)
        x <- x - lr * b

    With mu = 0 this is x <- x - lr * g / (sqrt(s) + eps). The first step has
    length lr / sqrt(1 - alpha) = 10 lr per coordinate.
    """

    name = "rmsprop"

    def _new_state(self, n):
        return {"square_avg": np.zeros((n, 2)), "momentum_buffer": np.zeros((n, 2))}

    def _update(self, x, g, lr, mu):
        st = self._state
        x, st["square_avg"], st["momentum_buffer"] = rmsprop_update(
            x, g, st["square_avg"], st["momentum_buffer"], lr, mu)
        return x


class Adam(Optimizer):
    """Adam (torch.optim.Adam, betas (momentum, 0.999), eps 1e-8, amsgrad False);
    `momentum` is beta1:

        t <- t + 1
        m <- beta1 * m + (1 - beta1) * g
        v <- beta2 * v + (1 - beta2) * g^2
        x <- x - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)

    Under a constant gradient every step has length lr per coordinate (up to eps).
    """

    name = "adam"
    default_momentum = 0.9      # torch.optim.Adam betas=(0.9, 0.999)

    def _new_state(self, n):
        return {"exp_avg": np.zeros((n, 2)), "exp_avg_sq": np.zeros((n, 2)),
                "step": np.zeros(n, dtype=np.int64)}

    def _update(self, x, g, lr, mu):
        st = self._state
        x, st["exp_avg"], st["exp_avg_sq"], st["step"] = adam_update(
            x, g, st["exp_avg"], st["exp_avg_sq"], st["step"], lr, mu)
        return x


_BY_NAME = {cls.name: cls for cls in (SGD, Momentum, Nesterov, Adagrad, RMSprop, Adam)}
OPTIMIZERS = tuple(_BY_NAME)


def default_momentum(name) -> float:
    """torch's default momentum of the optimizer called `name`: beta1 = 0.9 for Adam, else 0."""
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {quoted(name)}; choose from {', '.join(OPTIMIZERS)}")
    return _BY_NAME[name].default_momentum


def make_optimizer(name, lr, momentum=None):
    """The optimizer called `name` (one of OPTIMIZERS) with learning rate `lr` and
    `momentum` (numbers, or (N,) arrays with one value per unit); without `momentum`,
    torch's default for that rule (``default_momentum``)."""
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {quoted(name)}; choose from {', '.join(OPTIMIZERS)}")
    return _BY_NAME[name](lr, momentum)
