"""Squads' records: unit status codes, a squad's orders, and the events of a run."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .schedule import Schedule

DESCENDING, ARRIVED, TRAPPED, DIVERGED = 0, 1, 2, 3
STATUS_NAMES = ("descending", "arrived", "trapped", "diverged")
MAX_SQUADS = 9


def setting(v):
    """A learning rate or momentum: a float for the whole squad, or a float64 array, one per member."""
    return float(v) if np.ndim(v) == 0 else np.array(v, float)


def rows(setting, keep):
    """A squad setting for the kept members: a number stays, a per-unit array is cut down."""
    return setting if np.ndim(setting) == 0 else setting[keep]


@dataclass
class Orders:
    """One squad's settings: optimizer name, learning rate, momentum (beta1 for Adam), and the
    learning-rate schedule it follows (None: the constant ``lr``; else ``lr`` is its base rate)."""
    optimizer: str
    lr: float
    momentum: float
    schedule: Schedule | None = None


@dataclass(frozen=True)
class Event:
    """Something that happened, at the end of step ``step``. Kinds:

    'arrived', 'trapped', 'diverged'   a unit's new status (``unit``; ``height`` where it stands)
    'held', 'resumed'                  a squad was held / resumed (``units``: its descending units)
    'dropped', 'redeployed'            ``units`` units landed, the first numbered ``unit``
                                       (``height``: the lowest of them)
    'out_of_supply'                    the supply ran out (squad and unit -1)
    Squad-wide events have ``unit`` -1 unless they name a first unit; ``height`` is NaN when no
    unit stands behind it.
    """
    step: int
    kind: str
    squad: int
    unit: int
    height: float
    near_minimum: bool = False    # trapped at one of the level's known minima (not a plateau)
    units: int = 1                # how many units the event concerns
    stalled: bool = False         # trapped on a slope, far from any hollow's bottom: its steps were too small
