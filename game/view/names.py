"""How things are named on screen: the optimizers, and whether an update rule has a momentum term."""
from __future__ import annotations

from functools import lru_cache

import sim

OPTIMIZER_LABELS = {"sgd": "SGD", "momentum": "Momentum", "nesterov": "Nesterov", "adagrad": "AdaGrad",
                    "rmsprop": "RMSProp", "adam": "Adam"}


@lru_cache(maxsize=None)
def uses_momentum(optimizer: str) -> bool:
    """Whether the update rule has a momentum term (plain SGD and AdaGrad do not)."""
    return sim.make_optimizer(optimizer, lr=0.1).uses_momentum


CARRY = 0.9              # the momentum a new Momentum or Nesterov order starts from


def starting_momentum(optimizer: str) -> float:
    """The momentum a squad's new optimizer starts from in the game and the terminal: torch's
    default (β₁ = 0.9 for Adam, 0 for SGD, AdaGrad and RMSProp), but CARRY for Momentum and
    Nesterov, whose torch form (SGD with momentum, nesterov=True) has no default: with 0 they would
    be plain SGD, and a player who picks Momentum means momentum."""
    mu = sim.optim.default_momentum(optimizer)
    return CARRY if mu == 0 and optimizer in ("momentum", "nesterov") else mu


SPEEDS = (0.25, 0.5, 1, 2, 4, 8)    # the pace of every front end, times its steps a second at 1x
SPEED_WORDS = {0.25: "\u00bc", 0.5: "\u00bd"}       # speeds below 1x, as vulgar fractions


def next_speed(speed: float, direction: int) -> float:
    """The pace one rung faster (``direction`` +1) or slower (-1) on SPEEDS, stopping at its ends."""
    k = SPEEDS.index(speed) + direction
    return SPEEDS[max(0, min(len(SPEEDS) - 1, k))]


def speed_text(speed: float) -> str:
    """A game or lesson speed as the screens write it: '¼×', '½×', '1×', '8×'."""
    return f"{SPEED_WORDS.get(speed, f'{speed:g}')}\u00d7"


def level_number(level_id: str) -> str:
    """A campaign level's place in the campaign (levels/campaign.toml), in two digits: '03-ravine'
    -> '03'. The chapters may play levels in another order than their files' names ('24-nn-spiral'
    is the 21st); any other level gives ''."""
    names = sim.campaign()
    return f"{names.index(level_id) + 1:02d}" if level_id in names else ""


HEIGHT_DECIMALS = 2          # heights are written to two decimals ...
HEIGHT_BIG = 1000.0          # ... whole numbers from this magnitude up ...
HEIGHT_HUGE = 1e6            # ... and three significant figures from this one up


def height_text(h: float) -> str:
    """A height [terrain units] as every screen writes it: two decimals, so rounding noise such as
    1.2e-13 or -0.0004 reads 0.00 (never -0.00); whole numbers from HEIGHT_BIG, three significant
    figures from HEIGHT_HUGE up; '∞' or 'n/a' for a height that is not finite."""
    h = float(h)
    if h != h:
        return "n/a"
    if abs(h) == float("inf"):
        return "\u221e" if h > 0 else "-\u221e"
    if abs(h) >= HEIGHT_HUGE:
        return f"{h:.3g}"
    words = f"{h:.{HEIGHT_DECIMALS if abs(h) < HEIGHT_BIG else 0}f}"
    return words[1:] if words.startswith("-") and float(words) == 0 else words


def height_label(h: float) -> str:
    """'h = 0.41': a height as the map's labels and the event log write it."""
    return "h = " + height_text(h)
