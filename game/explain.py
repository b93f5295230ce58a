"""One unit's next step, written out: the update rule of its squad's optimizer with the live numbers.

    e = explain(world, unit)
    e.given            # [("x", "(−5.213, 0.4012)"), ("∇f(x)", ...), ("η", "2"), ("μ", "0.7")]
    e.substeps         # the rule in the order it is computed, each with its numbers substituted
    e.new_x            # where the unit will be after world.step() (bit for bit)

Each rule repeats the arithmetic of its plain function in ``sim.optim`` -- the same operations in
the same order, on the squad's own state and the gradient the world will feed it (weather noise
included: the next draw is read from a copy of the world's generator) -- so the numbers shown are
the numbers the simulation then uses; ``tests/test_demo.py`` checks it for every optimizer.

The sub-steps, with g = ∇f(x) and ⊙ the per-axis product:

    sgd        η·g;                     x ← x − η·g
    momentum   μ·v;   v ← μ·v + g;      x ← x − η·v
    nesterov   μ·v;   v ← μ·v + g;      d = g + μ·v;         x ← x − η·d
    adagrad    s ← s + g⊙g;             η/(√s+ε);            x ← x − η/(√s+ε) ⊙ g
    rmsprop    s ← α·s + (1−α)·g⊙g;     η/(√s+ε);            b ← μ·b + g/(√s+ε);       x ← x − η·b
    adam       m ← β₁·m + (1−β₁)·g;     v ← β₂·v + (1−β₂)·g⊙g;
               m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ);   η/(√v̂+ε);   x ← x − η/(√v̂+ε) ⊙ m̂

Arrows for the map are world displacements [world], to scale: ``gradient`` is −η·g (where plain
descent would go), ``carry`` is −η·μ·v (where the remembered velocity alone would go) and
``step`` is x_new − x (where the unit goes: its velocity).
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field

import numpy as np

from sim.optim import ADAGRAD_EPS, ADAM_BETA2, ADAM_EPS, RMSPROP_ALPHA, RMSPROP_EPS
from sim.world import STATUS_NAMES

MINUS = "\u2212"
SUPERSCRIPT = str.maketrans("-0123456789", "\u207b\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079")
NO_ARROWS: tuple = ()


# -- numbers as the class reads them -----------------------------------------------------------------
def num(v: float, digits: int = 4) -> str:
    """A number to ``digits`` significant digits: '−0.5678', '1.235×10⁻⁵', '0'."""
    v = float(v)
    if v == 0 or not np.isfinite(v):
        return "0" if v == 0 else str(v)
    s = f"{v:.{digits}g}"
    if "e" in s:
        mantissa, exponent = s.split("e")
        s = f"{mantissa}\u00d710{str(int(exponent)).translate(SUPERSCRIPT)}"
    return s.replace("-", MINUS)


def vec(v) -> str:
    """A 2-vector as an (x, y) pair: '(−5.213, 0.4012)'."""
    return f"({num(v[0])}, {num(v[1])})"


# -- what the panel shows ------------------------------------------------------------------------------
@dataclass(frozen=True)
class SubStep:
    """One line of the update rule: ``rule`` in symbols, ``numbers`` with the values put in,
    ``result`` the value it gives (``value``, a 2-vector). ``arrows`` are (kind, start offset, vector)
    in world units from the unit's position, drawn on the map while this sub-step is shown."""
    what: str
    rule: str
    numbers: str
    result: str
    value: np.ndarray
    arrows: tuple = NO_ARROWS


@dataclass(frozen=True)
class Explanation:
    """A unit's next step. ``moves`` is False for a unit that has stopped (the world leaves it where
    it is, although its squad's optimizer still updates its state)."""
    optimizer: str
    unit: int
    squad: int
    x: np.ndarray
    gradient: np.ndarray
    given: list
    substeps: list
    new_x: np.ndarray
    lr: float
    step_size: np.ndarray | None = None      # per-axis effective step η/(√v̂+ε) of the adaptive rules
    moves: bool = True
    status: str = "descending"
    notes: list = field(default_factory=list)

    @property
    def arrows(self) -> tuple:
        """The arrows of the whole step: the gradient and the step taken."""
        return (("gradient", np.zeros(2), self.gradient_step), ("step", np.zeros(2), self.new_x - self.x))

    @property
    def gradient_step(self) -> np.ndarray:
        """−η·∇f(x) [world]: where plain gradient descent with this η would go."""
        return -self.lr * self.gradient


# -- the rules ---------------------------------------------------------------------------------------
class _Squad:
    """The squad's arrays for one step: positions x, gradients g, state, and η, μ as columns."""

    def __init__(self, x, g, state, lr, mu, row):
        self.x, self.g, self.state, self.row = x, g, state, row
        self.lr = lr[:, None] if np.ndim(lr) == 1 else lr          # as sim.optim._per_unit
        self.mu = mu[:, None] if np.ndim(mu) == 1 else mu
        self.lr_r = float(lr[row]) if np.ndim(lr) == 1 else float(lr)
        self.mu_r = float(mu[row]) if np.ndim(mu) == 1 else float(mu)

    def get(self, name):
        """A state array; zeros before the squad's first step."""
        a = self.state.get(name)
        return np.zeros_like(self.x) if a is None else a

    def __call__(self, a):
        """The selected unit's row of a squad array."""
        return a[self.row]


ZERO = np.zeros(2)


def _sgd(q: _Squad):
    """x ← x − η·g"""
    scaled = q.lr * q.g
    new = q.x - scaled
    return [SubStep("scale the slope by the learning rate", "\u03b7\u00b7\u2207f(x)",
                    f"= {num(q.lr_r)}\u00b7{vec(q(q.g))}", vec(q(scaled)), q(scaled),
                    (("gradient", ZERO, -q(scaled)),)),
            _move(q, "x \u2190 x \u2212 \u03b7\u00b7\u2207f(x)", f"{vec(q(scaled))}", new)], new, None


def _momentum(q: _Squad):
    """v ← μ·v + g;  x ← x − η·v"""
    v = q.get("velocity")
    carried = q.mu * v
    v_new = carried + q.g
    new = q.x - q.lr * v_new
    carry = -q.lr_r * q(carried)
    return [_decay(q, v, carried),
            SubStep("add the slope", "v \u2190 \u03bc\u00b7v + \u2207f(x)", f"= {vec(q(carried))} + {vec(q(q.g))}",
                    vec(q(v_new)), q(v_new), (("carry", ZERO, carry), ("gradient", carry, -q.lr_r * q(q.g)))),
            _move(q, "x \u2190 x \u2212 \u03b7\u00b7v", f"{num(q.lr_r)}\u00b7{vec(q(v_new))}", new)], new, None


def _nesterov(q: _Squad):
    """v ← μ·v + g;  x ← x − η·(g + μ·v)"""
    v = q.get("velocity")
    carried = q.mu * v
    v_new = carried + q.g
    ahead = q.g + q.mu * v_new
    new = q.x - q.lr * ahead
    carry = -q.lr_r * q(carried)
    grad = -q.lr_r * q(q.g)
    return [_decay(q, v, carried),
            SubStep("add the slope", "v \u2190 \u03bc\u00b7v + \u2207f(x)", f"= {vec(q(carried))} + {vec(q(q.g))}",
                    vec(q(v_new)), q(v_new), (("carry", ZERO, carry), ("gradient", carry, grad))),
            SubStep("look ahead along the new velocity", "d = \u2207f(x) + \u03bc\u00b7v",
                    f"= {vec(q(q.g))} + {num(q.mu_r)}\u00b7{vec(q(v_new))}", vec(q(ahead)), q(ahead),
                    (("gradient", ZERO, grad), ("carry", grad, -q.lr_r * q.mu_r * q(v_new)))),
            _move(q, "x \u2190 x \u2212 \u03b7\u00b7d", f"{num(q.lr_r)}\u00b7{vec(q(ahead))}", new)], new, None


def _adagrad(q: _Squad):
    """s ← s + g⊙g;  x ← x − η·g/(√s+ε)"""
    s = q.get("sum_sq")
    s_new = s + q.g * q.g
    denom = np.sqrt(s_new) + ADAGRAD_EPS
    size = q.lr / denom
    new = q.x - q.lr * (q.g / denom)
    return [SubStep("add up the squared slopes", "s \u2190 s + \u2207f\u2299\u2207f",
                    f"= {vec(q(s))} + {vec(q(q.g * q.g))}", vec(q(s_new)), q(s_new)),
            _step_size(q, "\u03b7/(\u221as+\u03b5)", f"= {num(q.lr_r)}/({vec(q(np.sqrt(s_new)))} + \u03b5)", size),
            _move(q, "x \u2190 x \u2212 \u03b7/(\u221as+\u03b5) \u2299 \u2207f(x)", f"{vec(q(size))}\u2299{vec(q(q.g))}",
                  new)], new, q(size)


def _rmsprop(q: _Squad):
    """s ← α·s + (1−α)·g⊙g;  b ← μ·b + g/(√s+ε);  x ← x − η·b"""
    a = RMSPROP_ALPHA
    s, b = q.get("square_avg"), q.get("momentum_buffer")
    s_new = a * s + (1 - a) * q.g * q.g
    denom = np.sqrt(s_new) + RMSPROP_EPS
    size = q.lr / denom
    b_new = q.mu * b + q.g / denom
    new = q.x - q.lr * b_new
    return [SubStep("average the squared slope", "s \u2190 \u03b1\u00b7s + (1\u2212\u03b1)\u00b7\u2207f\u2299\u2207f",
                    f"= {num(a)}\u00b7{vec(q(s))} + {num(1 - a)}\u00b7{vec(q(q.g * q.g))}", vec(q(s_new)), q(s_new)),
            _step_size(q, "\u03b7/(\u221as+\u03b5)", f"= {num(q.lr_r)}/({vec(q(np.sqrt(s_new)))} + \u03b5)", size),
            SubStep("momentum buffer", "b \u2190 \u03bc\u00b7b + \u2207f/(\u221as+\u03b5)",
                    f"= {num(q.mu_r)}\u00b7{vec(q(b))} + {vec(q(q.g / denom))}", vec(q(b_new)), q(b_new)),
            _move(q, "x \u2190 x \u2212 \u03b7\u00b7b", f"{num(q.lr_r)}\u00b7{vec(q(b_new))}", new)], new, q(size)


def _adam(q: _Squad):
    """m ← β₁·m + (1−β₁)·g;  v ← β₂·v + (1−β₂)·g⊙g;  x ← x − η/(1−β₁ᵗ)·m/(√v/√(1−β₂ᵗ) + ε)"""
    b1, b2 = q.mu, ADAM_BETA2
    m, v = q.get("exp_avg"), q.get("exp_avg_sq")
    t = q.state.get("step", np.zeros(len(q.x), np.int64)) + 1
    m_new = b1 * m + (1 - b1) * q.g
    v_new = b2 * v + (1 - b2) * q.g * q.g
    bc1, bc2 = 1 - b1 ** t[:, None], 1 - b2 ** t[:, None]
    root_v_hat = np.sqrt(v_new) / np.sqrt(bc2)
    denom = root_v_hat + ADAM_EPS
    new = q.x - (q.lr / bc1) * (m_new / denom)                   # the order of sim.optim.adam_update
    m_hat, size = m_new / bc1, q.lr / denom
    t_r, c1, c2 = int(q(t)), float(q(bc1)[0]), float(q(bc2)[0])
    return [SubStep("average the slope (momentum)", "m \u2190 \u03b2\u2081\u00b7m + (1\u2212\u03b2\u2081)\u00b7\u2207f",
                    f"= {num(q.mu_r)}\u00b7{vec(q(m))} + {num(1 - q.mu_r)}\u00b7{vec(q(q.g))}", vec(q(m_new)),
                    q(m_new)),
            SubStep("average the squared slope", "v \u2190 \u03b2\u2082\u00b7v + (1\u2212\u03b2\u2082)\u00b7\u2207f\u2299\u2207f",
                    f"= {num(b2)}\u00b7{vec(q(v))} + {num(1 - b2)}\u00b7{vec(q(q.g * q.g))}", vec(q(v_new)),
                    q(v_new)),
            SubStep(f"undo the zero start (bias correction, t = {t_r})",
                    "m\u0302 = m/(1\u2212\u03b2\u2081\u1d57),  v\u0302 = v/(1\u2212\u03b2\u2082\u1d57)",
                    f"= m/{num(c1)},  v/{num(c2)}", f"m\u0302 = {vec(q(m_hat))}", q(m_hat)),
            _step_size(q, "\u03b7/(\u221av\u0302+\u03b5)", f"= {num(q.lr_r)}/({vec(q(root_v_hat))} + \u03b5)", size),
            _move(q, "x \u2190 x \u2212 \u03b7/(\u221av\u0302+\u03b5) \u2299 m\u0302", f"{vec(q(size))}\u2299{vec(q(m_hat))}",
                  new)], new, q(size)


def _decay(q: _Squad, v, carried) -> SubStep:
    return SubStep("decay the velocity", "\u03bc\u00b7v", f"= {num(q.mu_r)}\u00b7{vec(q(v))}", vec(q(carried)),
                   q(carried), (("carry", ZERO, -q.lr_r * q(carried)),))


def _step_size(q: _Squad, rule: str, numbers: str, size) -> SubStep:
    return SubStep("step size per axis", rule, numbers, vec(q(size)), q(size))


def _move(q: _Squad, rule: str, taken: str, new) -> SubStep:
    return SubStep("move", rule, f"= {vec(q(q.x))} \u2212 {taken}", vec(q(new)), q(new),
                   (("step", ZERO, q(new) - q(q.x)),))


RULES = {"sgd": _sgd, "momentum": _momentum, "nesterov": _nesterov, "adagrad": _adagrad, "rmsprop": _rmsprop,
         "adam": _adam}
MOMENTUM_SYMBOL = {"momentum": "\u03bc", "nesterov": "\u03bc", "rmsprop": "\u03bc", "adam": "\u03b2\u2081"}


# -- one unit -----------------------------------------------------------------------------------------
def next_gradients(world) -> np.ndarray:
    """The gradients (N, 2) the world's next step will use: the slope under every unit, plus the
    weather's noise -- drawn from a copy of the world's generator, so the world's own is untouched."""
    g = world.grads
    if world.level.noise > 0:
        g = g + world.level.noise * copy.deepcopy(world.rng).standard_normal(g.shape)
    return g


def explain(world, unit: int) -> Explanation:
    """The next step of ``unit``, sub-step by sub-step, from its squad's optimizer state."""
    unit = int(unit)
    squad = int(world.squad[unit])
    members = np.flatnonzero(world.squad == squad)
    row = int(np.searchsorted(members, unit))
    opt = world.optimizer(squad)
    g = next_gradients(world)[members]
    q = _Squad(world.positions[members], g, opt.state, opt.lr, opt.momentum, row)
    with np.errstate(all="ignore"):
        substeps, new, size = RULES[opt.name](q)
    given = [("x", vec(q(q.x))), ("\u2207f(x)", vec(q(g))), ("\u03b7", num(q.lr_r))]
    if opt.name in MOMENTUM_SYMBOL:
        given.append((MOMENTUM_SYMBOL[opt.name], num(q.mu_r)))
    notes = []
    if world.level.noise > 0:
        notes.append(f"\u2207f(x) includes this step's weather noise (\u03c3 = {num(world.level.noise)})")
    status = STATUS_NAMES[int(world.status[unit])]
    moves = status == "descending"
    if not moves:
        notes.append(f"this unit has {'stalled' if status == 'trapped' else status}: the world keeps it where it is")
    return Explanation(opt.name, unit, squad, q(q.x).copy(), q(g).copy(), given, substeps, q(new).copy(),
                       q.lr_r, size, moves, status, notes)


