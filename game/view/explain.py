"""One unit's next step, written out: the update rule of its squad's optimizer with the live numbers.

    e = explain(world, unit)
    e.given            # [("x", "(−5.213, 0.4012)"), ("∇f(x)", ...), ("η", "2"), ("μ", "0.7")]
    e.substeps         # the rule in the order it is computed, each with its numbers substituted
    e.new_x            # where the unit will be after world.step() (bit for bit)

Each rule repeats the arithmetic of its plain function in ``sim.optim`` -- the same operations in
the same order, on the squad's own state and the gradient the world will feed it (weather noise
included: the next draw is read from a copy of the world's generator) -- so the numbers shown are
the numbers the simulation then uses; ``tests/test_demo.py`` checks it for every optimizer. A squad
that follows a learning-rate schedule steps with the schedule's rate for its step t (``World.lr_now``):
it is given as ηₜ, and the η of the rule is that rate.

The sub-steps, with g = ∇f(x) and ⊙ the per-axis product:

    sgd        η·g;                     x ← x − η·g
    momentum   μ·v;   v ← μ·v + g;      x ← x − η·v
    nesterov   μ·v;   v ← μ·v + g;      d = g + μ·v;         x ← x − η·d
    adagrad    s ← s + g⊙g;             η/(√s+ε);            x ← x − η/(√s+ε) ⊙ g
    rmsprop    s ← α·s + (1−α)·g⊙g;     η/(√s+ε);            b ← μ·b + g/(√s+ε);    x ← x − η·b
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

MINUS = "−"                   # U+2212, the typographic minus sign
SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
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
        s = f"{mantissa}×10{str(int(exponent)).translate(SUPERSCRIPT)}"
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
        """The arrows of the whole step: the gradient, and the step taken (none for a stopped unit)."""
        gradient = ("gradient", np.zeros(2), self.gradient_step)
        return (gradient, ("step", np.zeros(2), self.new_x - self.x)) if self.moves else (gradient,)

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
    return [SubStep("scale the slope by the learning rate", "η·∇f(x)",
                    f"= {num(q.lr_r)}·{vec(q(q.g))}", vec(q(scaled)), q(scaled),
                    (("gradient", ZERO, -q(scaled)),)),
            _move(q, "x ← x − η·∇f(x)", f"{vec(q(scaled))}", new)], new, None


def _momentum(q: _Squad):
    """v ← μ·v + g;  x ← x − η·v"""
    v = q.get("velocity")
    carried = q.mu * v
    v_new = carried + q.g
    new = q.x - q.lr * v_new
    carry = -q.lr_r * q(carried)
    return [_decay(q, v, carried),
            SubStep("add the slope", "v ← μ·v + ∇f(x)", f"= {vec(q(carried))} + {vec(q(q.g))}",
                    vec(q(v_new)), q(v_new), (("carry", ZERO, carry), ("gradient", carry, -q.lr_r * q(q.g)))),
            _move(q, "x ← x − η·v", f"{num(q.lr_r)}·{vec(q(v_new))}", new)], new, None


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
            SubStep("add the slope", "v ← μ·v + ∇f(x)", f"= {vec(q(carried))} + {vec(q(q.g))}",
                    vec(q(v_new)), q(v_new), (("carry", ZERO, carry), ("gradient", carry, grad))),
            SubStep("look ahead along the new velocity", "d = ∇f(x) + μ·v",
                    f"= {vec(q(q.g))} + {num(q.mu_r)}·{vec(q(v_new))}", vec(q(ahead)), q(ahead),
                    (("gradient", ZERO, grad), ("carry", grad, -q.lr_r * q.mu_r * q(v_new)))),
            _move(q, "x ← x − η·d", f"{num(q.lr_r)}·{vec(q(ahead))}", new)], new, None


def _adagrad(q: _Squad):
    """s ← s + g⊙g;  x ← x − η·g/(√s+ε)"""
    s = q.get("sum_sq")
    s_new = s + q.g * q.g
    denom = np.sqrt(s_new) + ADAGRAD_EPS
    size = q.lr / denom
    new = q.x - q.lr * (q.g / denom)
    return [SubStep("add up the squared slopes", "s ← s + ∇f⊙∇f",
                    f"= {vec(q(s))} + {vec(q(q.g * q.g))}", vec(q(s_new)), q(s_new)),
            _step_size(q, "η/(√s+ε)", f"= {num(q.lr_r)}/({vec(q(np.sqrt(s_new)))} + ε)", size),
            _move(q, "x ← x − η/(√s+ε) ⊙ ∇f(x)", f"{vec(q(size))}⊙{vec(q(q.g))}",
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
    return [SubStep("average the squared slope", "s ← α·s + (1−α)·∇f⊙∇f",
                    f"= {num(a)}·{vec(q(s))} + {num(1 - a)}·{vec(q(q.g * q.g))}", vec(q(s_new)), q(s_new)),
            _step_size(q, "η/(√s+ε)", f"= {num(q.lr_r)}/({vec(q(np.sqrt(s_new)))} + ε)", size),
            SubStep("momentum buffer", "b ← μ·b + ∇f/(√s+ε)",
                    f"= {num(q.mu_r)}·{vec(q(b))} + {vec(q(q.g / denom))}", vec(q(b_new)), q(b_new)),
            _move(q, "x ← x − η·b", f"{num(q.lr_r)}·{vec(q(b_new))}", new)], new, q(size)


def _adam(q: _Squad):
    """m ← β₁·m + (1−β₁)·g;  v ← β₂·v + (1−β₂)·g⊙g;
    x ← x − η/(1−β₁ᵗ)·m/(√v/√(1−β₂ᵗ) + ε)   (torch's order of operations)"""
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
    return [SubStep("average the slope (momentum)", "m ← β₁·m + (1−β₁)·∇f",
                    f"= {num(q.mu_r)}·{vec(q(m))} + {num(1 - q.mu_r)}·{vec(q(q.g))}", vec(q(m_new)),
                    q(m_new)),
            SubStep("average the squared slope", "v ← β₂·v + (1−β₂)·∇f⊙∇f",
                    f"= {num(b2)}·{vec(q(v))} + {num(1 - b2)}·{vec(q(q.g * q.g))}", vec(q(v_new)),
                    q(v_new)),
            SubStep(f"undo the zero start (bias correction, t = {t_r}: steps taken, this one included)",
                    "m̂ = m/(1−β₁ᵗ),  v̂ = v/(1−β₂ᵗ)",
                    f"= m/{num(c1)},  v/{num(c2)}",
                    f"m̂ = {vec(q(m_hat))},  v̂ = {vec(q(v_new / bc2))}", q(m_hat)),
            _step_size(q, "η/(√v̂+ε)", f"= {num(q.lr_r)}/({vec(q(root_v_hat))} + ε)", size),
            _move(q, "x ← x − η/(√v̂+ε) ⊙ m̂", f"{vec(q(size))}⊙{vec(q(m_hat))}",
                  new)], new, q(size)


def _decay(q: _Squad, v, carried) -> SubStep:
    return SubStep("decay the velocity", "μ·v", f"= {num(q.mu_r)}·{vec(q(v))}", vec(q(carried)),
                   q(carried), (("carry", ZERO, -q.lr_r * q(carried)),))


def _step_size(q: _Squad, rule: str, numbers: str, size) -> SubStep:
    return SubStep("step size per axis", rule, numbers, vec(q(size)), q(size))


def _move(q: _Squad, rule: str, taken: str, new) -> SubStep:
    return SubStep("move", rule, f"= {vec(q(q.x))} − {taken}", vec(q(new)), q(new),
                   (("step", ZERO, q(new) - q(q.x)),))


RULES = {"sgd": _sgd, "momentum": _momentum, "nesterov": _nesterov, "adagrad": _adagrad, "rmsprop": _rmsprop,
         "adam": _adam}
CONSTANTS = {"adagrad": [("ε", num(ADAGRAD_EPS))],
             "rmsprop": [("α", num(RMSPROP_ALPHA)), ("ε", num(RMSPROP_EPS))],
             "adam": [("β₂", num(ADAM_BETA2)), ("ε", num(ADAM_EPS))]}
MOMENTUM_SYMBOL = {"momentum": "μ", "nesterov": "μ", "rmsprop": "μ", "adam": "β₁"}


# -- one unit -----------------------------------------------------------------------------------------
def next_gradients(world) -> np.ndarray:
    """The gradients (N, 2) the world's next step will use: the slope under every unit, plus the
    weather's noise -- drawn from a copy of the world's generator, so the world's own is untouched."""
    g = world.grads
    if world.level.noise > 0:
        g = g + world.level.noise * copy.deepcopy(world.rng).standard_normal(g.shape)
    return g


STOPPED_NOTES = {"trapped": "this unit is trapped in a local minimum: the world keeps it there",
                 "stalled": "this unit has stalled: its steps became too small to move it"}


def status_word(world, unit: int) -> str:
    """A unit's state in one word, the same on every line that names it: 'descending', 'arrived',
    'diverged', or for a unit that stopped short of the goal (status TRAPPED), 'trapped' only when
    it lies in one of the level's minima (``World.in_pit``, its event's ``near_minimum``), else
    'stalled': its steps became too small, on a slope (``Event.stalled``) or where the slope
    vanishes (a saddle, a plateau)."""
    name = STATUS_NAMES[int(world.status[int(unit)])]
    if name != "trapped":
        return name
    return "trapped" if world.in_pit[int(unit)] else "stalled"


def stalled_count(world, squad: int | None = None) -> int:
    """How many units (of ``squad``, or all) stopped short of the goal outside the level's minima:
    the units ``status_word`` calls 'stalled'."""
    stalled = (world.status == STATUS_NAMES.index("trapped")) & ~world.in_pit
    return int(np.count_nonzero(stalled if squad is None else stalled & (world.squad == squad)))


def fate_counts(world, squad: int | None = None) -> dict:
    """Units (of ``squad``, or all) by the word ``status_word`` gives them: descending, arrived,
    trapped (in one of the level's minima), stalled, diverged."""
    counts = world.counts(squad)
    counts["stalled"] = stalled_count(world, squad)
    counts["trapped"] -= counts["stalled"]
    return counts


def explain(world, unit: int) -> Explanation:
    """The next step of ``unit``, sub-step by sub-step, from its squad's optimizer state."""
    unit = int(unit)
    squad = int(world.squad[unit])
    members = np.flatnonzero(world.squad == squad)
    row = int(np.searchsorted(members, unit))
    opt = world.optimizer(squad)
    g = next_gradients(world)[members]
    q = _Squad(world.positions[members], g, opt.state, world.lr_now(squad), opt.momentum, row)   # a schedule's ηₜ
    with np.errstate(all="ignore"):
        substeps, new, size = RULES[opt.name](q)
    sched = world.orders[squad].schedule
    scheduled = sched is not None and sched.kind != "constant"
    given = [("x", vec(q(q.x))), ("∇f(x)", vec(q(g))), ("ηₜ" if scheduled else "η", num(q.lr_r))]
    if opt.name in MOMENTUM_SYMBOL:
        given.append((MOMENTUM_SYMBOL[opt.name], num(q.mu_r)))
    given += CONSTANTS.get(opt.name, [])
    notes = []
    if scheduled:
        notes.append(f"ηₜ: the {sched.kind} schedule at t = {world.schedule_step(squad)} "
                     f"(η = {num(float(np.mean(sched.lr)))} at t = 0)")
    if world.level.noise > 0:
        notes.append(f"∇f(x) includes this step's weather noise (σ = {num(world.level.noise)})")
    status = status_word(world, unit)
    moves = status == "descending"
    if not moves:
        notes.append(STOPPED_NOTES.get(status, f"this unit has {status}: the world keeps it where it is"))
    return Explanation(opt.name, unit, squad, q(q.x).copy(), q(g).copy(), given, substeps, q(new).copy(),
                       q.lr_r, size, moves, status, notes)


