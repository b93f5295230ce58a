"""Learning-rate schedules: a squad's learning rate, step by step.

A schedule is a value -- its kind and parameters -- and ``lr_at(t)`` is the learning rate a squad
following it uses for its step t (t = 0 for its first step). Each kind is its ``torch.optim.
lr_scheduler`` namesake: ``lr_at(t)`` is the ``param_group["lr"]`` that torch's scheduler holds
after t calls of ``scheduler.step()``, to the last bit::

    constant   lr_t = lr
    step       StepLR:            lr_t = lr * gamma^floor(t / step_size)
    cosine     CosineAnnealingLR: lr_t = eta_min + (lr - eta_min) (1 + cos(pi t / t_max)) / 2

Those are the closed forms; torch computes both schedules recursively, each value from the one
before, and so does this module, operation for operation in the same order (the closed forms
agree to rounding: within 1e-13 relative over hundreds of steps). StepLR multiplies by gamma at
every nonzero multiple of step_size. CosineAnnealingLR multiplies the distance above eta_min by
the ratio (1 + cos(pi t / t_max)) / (1 + cos(pi (t - 1) / t_max)); the step after a trough, where
that ratio would divide by zero, adds (lr - eta_min)(1 - cos(pi / t_max)) / 2 instead. So past
t_max the cosine does not stay at its floor: it climbs back to lr at 2 t_max and repeats with
period 2 t_max, exactly as the closed form does.

``lr`` is a number, or an (N,) float64 array with one base rate per unit (sweeps run many rates at
once); the other parameters are numbers. Units: lr and eta_min as the optimizer's lr (see
sim/optim.py); step_size and t_max in steps; gamma a factor.

The world keeps each squad's own step counter t: it starts at 0 when orders with a schedule are
given, and counts the steps the squad's optimizer takes (a held squad's schedule waits). See
``World.set_orders`` for what a live change does to a running schedule (it starts afresh).
"""
from __future__ import annotations

import math

import numpy as np

SCHEDULES = ("constant", "step", "cosine")


def _rate(value, what: str):
    """A learning rate: a finite number > 0, or a read-only (N,) float64 array of them."""
    a = np.array(value, dtype=np.float64)
    if a.ndim > 1 or not (np.isfinite(a).all() and (a > 0).all()):
        raise ValueError(f"{what} must be a finite number > 0 (or an (N,) array of them), got {value!r}")
    if a.ndim == 0:
        return float(a)
    a.flags.writeable = False
    return a


def _whole(value, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{what} must be a whole number of steps >= 1, got {value!r}")
    return int(value)


class Schedule:
    """Base class: the base rate ``lr`` and the values computed so far (``lr_at`` is random
    access; each value is worked out once, from the one before it, and kept)."""

    kind = ""

    def __init__(self, lr):
        self.lr = _rate(lr, "schedule lr")
        self._values = [self.lr]

    def lr_at(self, t: int):
        """The learning rate for step t (t = 0 first): a number, or an (N,) array like ``lr``."""
        if isinstance(t, bool) or not isinstance(t, (int, np.integer)) or t < 0:
            raise ValueError(f"a schedule's step must be a whole number >= 0, got {t!r}")
        values = self._values
        while len(values) <= t:
            values.append(self._next(values[-1], len(values)))
        return values[t]

    def _next(self, lr_prev, t: int):
        """lr_t from lr_{t-1} (t >= 1), as torch's get_lr computes it."""
        raise NotImplementedError

    def params(self) -> dict:
        """The parameters besides kind and lr (JSON-friendly numbers)."""
        return {}

    def with_lr(self, lr) -> "Schedule":
        """The same schedule from another base rate (starting afresh)."""
        return type(self)(lr, **self.params())

    def take(self, rows) -> "Schedule":
        """The schedule for some units of a squad with per-unit rates: their rows of ``lr`` and of
        every value computed so far (a number stays as it is)."""
        if np.ndim(self.lr) == 0:
            return self
        new = self.with_lr(self.lr[rows])
        new._values = [v[rows] for v in self._values]
        return new

    def to_dict(self) -> dict:
        """{"kind": ..., "lr": ..., params...}: ``make_schedule(**d)`` builds it again."""
        lr = self.lr if np.ndim(self.lr) == 0 else self.lr.tolist()
        return {"kind": self.kind, "lr": lr, **self.params()}

    def describe(self) -> str:
        """A few words for the orders panel, e.g. 'cosine to 0.001 over 100 steps'."""
        return "constant"

    def __eq__(self, other):
        return (type(other) is type(self) and self.params() == other.params()
                and np.array_equal(self.lr, other.lr))

    __hash__ = None

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.params().items())
        return f"make_schedule({self.kind!r}, lr={self.lr!r}{', ' if args else ''}{args})"


class Constant(Schedule):
    """No schedule: lr_t = lr."""

    kind = "constant"

    def _next(self, lr_prev, t):
        return lr_prev


class StepDecay(Schedule):
    """torch.optim.lr_scheduler.StepLR: lr_t = lr * gamma^floor(t / step_size), computed as torch
    does -- lr_t = lr_{t-1} * gamma when t is a nonzero multiple of step_size, else lr_{t-1}."""

    kind = "step"

    def __init__(self, lr, step_size: int, gamma: float = 0.1):
        super().__init__(lr)
        self.step_size = _whole(step_size, "step_size")
        if isinstance(gamma, bool) or not isinstance(gamma, (int, float)) or not 0 < gamma <= 1:
            raise ValueError(f"gamma must be a number in (0, 1] (a decay), got {gamma!r}")
        self.gamma = float(gamma)

    def _next(self, lr_prev, t):
        return lr_prev if t % self.step_size != 0 else lr_prev * self.gamma

    def params(self) -> dict:
        return {"step_size": self.step_size, "gamma": self.gamma}

    def describe(self) -> str:
        return f"x{self.gamma:g} every {self.step_size} steps"


class CosineAnnealing(Schedule):
    """torch.optim.lr_scheduler.CosineAnnealingLR (no restarts):
    lr_t = eta_min + (lr - eta_min)(1 + cos(pi t / t_max)) / 2, computed recursively as torch does:

        lr_t = lr_{t-1} + (lr - eta_min)(1 - cos(pi / t_max)) / 2        if (t - 1 - t_max) % (2 t_max) == 0
        lr_t = (1 + cos(pi t / t_max)) / (1 + cos(pi (t - 1) / t_max)) * (lr_{t-1} - eta_min) + eta_min

    The floor eta_min must be > 0 (a rate of zero would stop the squad: hold it instead) and at
    most lr. Past t_max the rate climbs again (period 2 t_max), as torch's does.
    """

    kind = "cosine"

    def __init__(self, lr, t_max: int, eta_min: float):
        super().__init__(lr)
        self.t_max = _whole(t_max, "t_max")
        if isinstance(eta_min, bool) or not isinstance(eta_min, (int, float)) or not math.isfinite(eta_min):
            raise ValueError(f"eta_min must be a finite number, got {eta_min!r}")
        lowest = float(np.min(self.lr, initial=np.inf))         # (a squad cut to no units has no rates)
        if not 0 < eta_min <= lowest:
            raise ValueError(f"eta_min must be > 0 and at most the schedule's lr {lowest!r}, got {eta_min!r}")
        self.eta_min = float(eta_min)

    def _next(self, lr_prev, t):
        t_max, eta_min = self.t_max, self.eta_min
        if (t - 1 - t_max) % (2 * t_max) == 0:
            return lr_prev + (self.lr - eta_min) * (1 - math.cos(math.pi / t_max)) / 2
        return ((1 + math.cos(math.pi * t / t_max)) / (1 + math.cos(math.pi * (t - 1) / t_max))
                * (lr_prev - eta_min) + eta_min)

    def params(self) -> dict:
        return {"t_max": self.t_max, "eta_min": self.eta_min}

    def describe(self) -> str:
        return f"cosine to {self.eta_min:g} over {self.t_max} steps"


_BY_KIND = {cls.kind: cls for cls in (Constant, StepDecay, CosineAnnealing)}


def make_schedule(kind: str, lr, **params) -> Schedule:
    """The schedule ``kind`` (one of SCHEDULES) from base rate ``lr``:
    ``make_schedule("constant", lr=0.1)``, ``make_schedule("step", lr=0.1, step_size=30, gamma=0.5)``,
    ``make_schedule("cosine", lr=0.1, t_max=100, eta_min=0.001)``. Raises ValueError naming what is wrong."""
    if kind not in _BY_KIND:
        raise ValueError(f"unknown schedule {kind!r}; choose from {', '.join(SCHEDULES)}")
    try:
        return _BY_KIND[kind](lr, **params)
    except TypeError as err:           # a missing or unknown parameter
        raise ValueError(f"schedule {kind!r}: {err}") from None


STEP_GAMMA = 0.3            # default_schedule: a step decay multiplies the rate by this ...
STEP_PARTS = 4              # ... every budget / STEP_PARTS steps


def default_schedule(kind: str, lr: float, budget: int, eta_min: float) -> Schedule:
    """The schedule ``kind`` from base rate ``lr`` with parameters made from a step budget, as the
    game and the classroom offer it: a step decay by STEP_GAMMA every budget / STEP_PARTS steps (the
    rate cut three times over the budget); a cosine over the whole budget (t_max = budget) down to
    ``eta_min`` (kept at most ``lr``); a constant rate."""
    if kind == "step":
        return make_schedule("step", lr=lr, step_size=max(1, budget // STEP_PARTS), gamma=STEP_GAMMA)
    if kind == "cosine":
        return make_schedule("cosine", lr=lr, t_max=max(1, budget), eta_min=min(float(eta_min), lr))
    return make_schedule(kind, lr=lr)


def as_schedule(value) -> Schedule:
    """A Schedule as it is, or one from its ``to_dict()`` form (how a replay would write it)."""
    if isinstance(value, Schedule):
        return value
    if isinstance(value, dict) and "kind" in value and "lr" in value:
        d = dict(value)
        return make_schedule(d.pop("kind"), d.pop("lr"), **d)
    raise ValueError(f"a schedule must be made by sim.make_schedule or be its to_dict() form, got {value!r}")


SCHEDULE_SPELLING = "constant, step:STEP_SIZE:GAMMA or cosine:T_MAX[:ETA_MIN]"


def schedule_from_text(text: str, lr: float) -> Schedule:
    """A schedule from base rate ``lr`` as the command line spells it: ``constant``,
    ``step:30:0.5`` (StepLR, step_size 30, gamma 0.5) or ``cosine:100:0.001`` (CosineAnnealingLR,
    t_max 100, eta_min 0.001; left out, eta_min is lr / 100). Raises ValueError naming what is wrong."""
    kind, *numbers = str(text).strip().lower().split(":")
    wanted = {"constant": (0, 0), "step": (2, 2), "cosine": (1, 2)}
    if kind not in wanted:
        raise ValueError(f"unknown schedule {text[:40]!r}; write {SCHEDULE_SPELLING}")
    low, high = wanted[kind]
    if not low <= len(numbers) <= high:
        raise ValueError(f"{kind}: expected {SCHEDULE_SPELLING}, got {text[:40]!r}")
    try:
        values = [float(v) for v in numbers]
    except ValueError:
        raise ValueError(f"{kind}: expected numbers after the colons, got {text[:40]!r}") from None
    if kind == "step":
        if not values[0].is_integer():
            raise ValueError(f"step: STEP_SIZE must be a whole number of steps, got {numbers[0]!r}")
        return make_schedule("step", lr, step_size=int(values[0]), gamma=values[1])
    if kind == "cosine":
        if not values[0].is_integer():
            raise ValueError(f"cosine: T_MAX must be a whole number of steps, got {numbers[0]!r}")
        return make_schedule("cosine", lr, t_max=int(values[0]), eta_min=values[1] if len(values) > 1 else lr / 100)
    return make_schedule("constant", lr)
