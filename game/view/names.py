"""How things are named on screen: the optimizers, and whether an update rule has a momentum term."""
from __future__ import annotations

import sim

OPTIMIZER_LABELS = {"sgd": "SGD", "momentum": "Momentum", "nesterov": "Nesterov", "adagrad": "AdaGrad",
                    "rmsprop": "RMSProp", "adam": "Adam"}


def uses_momentum(optimizer: str) -> bool:
    """Whether the update rule has a momentum term (plain SGD and AdaGrad do not)."""
    return sim.make_optimizer(optimizer, lr=0.1).uses_momentum


def level_number(level_id: str) -> str:
    """'03-ravine' -> '03'; other names give ''."""
    head = level_id.split("-", 1)[0]
    return head if head.isdigit() else ""
