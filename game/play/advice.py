"""What the game says about a run: advice after a loss, and event-log lines for world events."""
from __future__ import annotations

import numpy as np

import sim
from game.view.names import OPTIMIZER_LABELS, uses_momentum

from .hud import squad_name

ADAPTIVE = ("adam", "rmsprop")
HIGH_MOMENTUM = 0.9          # at or above this the advice stops suggesting more momentum


def loss_advice(world) -> list[str]:
    """What went wrong in a lost run, as one line of advice, read from the world's outcome: most
    units diverged, most were trapped (in a local minimum or on flat ground) or stalled (on a slope,
    their steps too small to move them), or most were still descending when the budget ran out.
    The advice never asks for what the player already did (more momentum when the squads that
    failed ran with mu >= 0.9, say). Empty when the run was won."""
    if world.won:
        return []
    level = world.level
    counts = world.counts()
    kind = max(("diverged", "trapped", "descending"), key=lambda k: counts[k])
    if counts[kind] == 0:
        return []
    code = sim.STATUS_NAMES.index(kind)
    squads = sorted({int(k) for k in world.squad[world.status == code]})
    orders = [world.orders[k] for k in squads if k < world.n_squads]
    lr_lo, lr_hi = (float(v) for v in level.lr_range)
    mu_hi = float(np.max(level.momentum_range))
    can_momentum = mu_hi > 0 and any(uses_momentum(o) for o in level.allowed)
    adaptive = [OPTIMIZER_LABELS[o] for o in ADAPTIVE if o in level.allowed]
    had_momentum = bool(orders) and all(uses_momentum(o.optimizer) and float(np.mean(o.momentum)) >= HIGH_MOMENTUM
                                        for o in orders)
    had_adaptive = bool(orders) and all(o.optimizer in ADAPTIVE for o in orders)
    lr_max = bool(orders) and all(float(np.mean(o.lr)) >= lr_hi * 0.999 for o in orders)
    lr_min = bool(orders) and all(float(np.mean(o.lr)) <= lr_lo * 1.001 for o in orders)

    if kind == "diverged":
        if lr_min:
            return ["Your units flew off the map even at the lowest \u03b7: "
                    + ("lower the momentum." if had_momentum else "try a steadier optimizer.")]
        return ["Your learning rate was too large: units flew off the map. Lower \u03b7."]
    if kind == "trapped" and world.stalled[world.status == code].sum() * 2 >= counts[kind]:
        if lr_max:
            return ["Your units barely moved at the highest \u03b7: their steps were too small for the slope. "
                    "Try " + (f"an adaptive optimizer ({', '.join(adaptive)})." if adaptive and not had_adaptive
                              else "momentum." if can_momentum and not had_momentum else "more units.")]
        return ["Your units barely moved: their steps were too small for the slope. Raise \u03b7."]
    if kind == "trapped":
        near = [e.near_minimum for e in world.events if e.kind == "trapped" and not e.stalled]
        where = ("settled in a local minimum" if near and sum(near) * 2 >= len(near)
                 else "stalled on flat ground")
        some_momentum = bool(orders) and any(uses_momentum(o.optimizer) and float(np.mean(o.momentum)) > 0
                                             for o in orders)
        eta = "a different \u03b7" if lr_max else "a larger \u03b7 to carry them past it"
        tries = []
        if had_momentum or had_adaptive:
            tries.append(eta)
        elif can_momentum:
            tries.append(f"more momentum (\u03bc \u2265 {HIGH_MOMENTUM:g})" if some_momentum else "momentum")
        if adaptive and not had_adaptive:
            tries.append(f"an adaptive optimizer ({', '.join(adaptive)})")
        if not tries:
            tries.append(eta)
        return [f"Your units {where}: try {', or '.join(tries)}."]
    # still descending when the steps ran out
    if lr_max and (had_momentum or not can_momentum):
        return ["Too slow: " + (f"try an adaptive optimizer ({', '.join(adaptive)})." if adaptive and not had_adaptive
                                else "split the units and give each squad different orders.")]
    if lr_max:
        return ["Too slow: add momentum (\u03b7 is already at its highest)."]
    if had_momentum or not can_momentum:
        return ["Too slow: raise \u03b7."]
    return ["Too slow: raise \u03b7 or add momentum."]


# -- event messages -----------------------------------------------------------------------------
def describe_events(events, first_arrival_seen: bool) -> list[tuple[str, int]]:
    """World events of one step -> (log line, squad) pairs, one line per squad and kind of event."""
    groups: dict[tuple, list] = {}
    for e in events:
        key = (e.kind, e.squad, e.near_minimum, e.stalled, round(e.height, 2) if e.kind == "trapped" else None)
        groups.setdefault(key, []).append(e)
    lines = []
    for (kind, squad, near, stalled, _), group in groups.items():
        who, n, h = squad_name(squad), len(group), group[0].height
        many = f"{who}: {n} units" if n > 1 else who
        if kind == "arrived":
            if not first_arrival_seen:
                lines.append((f"{who} reached the global minimum in {group[0].step} steps", squad))
                first_arrival_seen = True
            else:
                lines.append((f"{many} reached the global minimum", squad))
        elif kind == "diverged":
            lines.append((f"{many} diverged: learning rate too large", squad))
        elif stalled:
            lines.append((f"{many} stalled on a slope: steps too small to move, h = {h:.2f}", squad))
        elif near:
            lines.append((f"{many} trapped in a local minimum, h = {h:.2f}", squad))
        else:
            lines.append((f"{many} stalled on flat ground, h = {h:.2f}", squad))
    return lines
