"""A retry starts from the plan the player started with: the squads, their orders, which squads
were held and the tempo as they were when the descent began -- not as the run left them (a run
that raised η on the plain would otherwise start its retry with η too bold for the cliff).

    b.opening = opening(b)          # Battle.start: the plan at the first step
    carry_over(b, previous)         # a retry's Battle: the same plan, through its recorder
"""
from __future__ import annotations

import numpy as np


def opening(b) -> dict:
    """The plan of battle ``b`` as its descent begins: each unit's squad, each squad's orders
    (optimizer, η, μ, schedule as a dict or None), the held squads, the tempo and the selected squad."""
    w = b.world
    orders = [(o.optimizer, float(np.mean(o.lr)), float(np.mean(o.momentum)),
               None if o.schedule is None else o.schedule.to_dict()) for o in w.orders[:w.n_squads]]
    return {"squad": w.squad.copy(), "orders": orders, "held": [k for k in range(w.n_squads) if w.is_held(k)],
            "speed": b.speed, "selected": b.squad}


def carry_over(b, previous):
    """Give battle ``b`` (a retry, still deploying) the opening plan of ``previous``: the same units
    in the same squads, each squad's opening orders, the same holds and tempo. A previous battle
    that never started hands over its plan as it stands."""
    plan = previous.opening if previous.opening is not None else opening(previous)
    squads = plan["squad"][:b.world.n_units]
    for k in range(1, len(plan["orders"])):
        members = squads == k
        if members.any():
            b.recorder.assign(members, k)
    for k, (optimizer, lr, momentum, schedule) in enumerate(plan["orders"][:b.world.n_squads]):
        b.recorder.set_orders(k, optimizer, lr, momentum, schedule)
    for k in plan["held"]:
        if k < b.world.n_squads:
            b.recorder.hold(k)
    b.speed = plan["speed"]
    if (b.world.squad == plan["selected"]).any():
        b.squad = plan["selected"]
