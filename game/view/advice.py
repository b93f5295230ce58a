"""What a front end says after a lost run: why it was lost, what to try, and the level's own hint
when it answers that cause -- never two pieces of advice that pull one setting opposite ways.
Pure words from the world's state (the game's results and retry, the terminal's end box)."""
from __future__ import annotations

import re

import numpy as np

import sim

from sim.difficulty import stored_best

from .explain import MOMENTUM_SYMBOL
from .names import OPTIMIZER_LABELS, uses_momentum

ADAPTIVE = ("adam", "rmsprop")
HIGH_MOMENTUM = 0.9          # the advice suggests momentum this high ...
MOMENTUM_SLACK = 0.05        # ... and counts a squad within this of it as having had it (a slider reads 0.89)
SUPPLY_ADVICE = ("Your supply ran out: every moving unit spends one a step. Hold the squads you are not "
                 "using (H), and move fewer units at once.")


def loss_cause(world) -> str | None:
    """Why a lost run was lost, in the words of a level's ``hint_when`` (sim.level_file.LOSS_CAUSES):
    the "supply" ran out before the budget (whatever the units were doing then), or most units
    "diverged", were "trapped" in a local minimum, "stalled" on flat ground, or were still
    descending when the budget ran out ("slow").
    Units that stalled on a slope (their steps too small to move them, World.stalled) count as
    "stalled" too. None when the run was won (or no unit is counted)."""
    if world.won:
        return None
    if ran_out_of_supply(world):
        return "supply"
    counts = world.counts()
    kind = max(("diverged", "trapped", "descending"), key=lambda k: counts[k])
    if counts[kind] == 0:
        return None
    if kind == "trapped":
        if _on_slope(world):
            return "stalled"
        near = [e.near_minimum for e in world.events if e.kind == "trapped" and not e.stalled]
        return "trapped" if near and sum(near) * 2 >= len(near) else "stalled"
    return "slow" if kind == "descending" else kind


def loss_hints(world) -> list[str]:
    """Everything said after a lost run: the advice (``loss_advice``), then the level's own hint when
    it answers this cause (its ``hint_when``). Where the hint answers, the advice keeps only its
    diagnosis ("Your units stalled on flat ground.") and the hint says what to try: the level knows
    its ground best (generic remedies -- momentum on a plateau where only Adam crosses -- can be
    untrue there)."""
    cause = loss_cause(world)
    if cause is None:
        return []
    hint = world.level.hint if world.level.hint and cause in world.level.hint_when else ""
    return loss_advice(world, keep=directions(hint), remedies=not hint) + ([hint] if hint else [])


def ran_out_of_supply(world) -> bool:
    """Whether the supply ran out before the step budget did (on a level whose supply is units x
    budget it runs out on the last step too, which is running out of steps)."""
    return world.supply_out_step is not None and world.supply_out_step < world.level.budget


def loss_advice(world, keep=frozenset(), remedies: bool = True) -> list[str]:
    """What went wrong in a lost run, as one line of advice, read from the world's outcome (see
    ``loss_cause``). The advice never asks for what the player already did (more momentum when the
    squads that failed ran with mu >= 0.9, say), nor the opposite of a way in ``keep``: the
    (setting, -1 or +1) pairs another piece of advice gives (see ``directions``); ``remedies`` False
    keeps only the diagnosis. Empty when won."""
    cause = loss_cause(world)
    if cause is None:
        return []
    keep = keep if remedies else None                    # None: ``_say`` keeps the diagnosis alone
    level = world.level
    if cause == "supply":
        return [SUPPLY_ADVICE]
    code = sim.STATUS_NAMES.index({"slow": "descending", "stalled": "trapped"}.get(cause, cause))
    squads = sorted({int(k) for k in world.squad[world.status == code]})
    orders = [world.orders[k] for k in squads if k < world.n_squads]
    lr_lo, lr_hi = (float(v) for v in level.lr_range)
    can_momentum = float(np.max(level.momentum_range)) > 0 and any(uses_momentum(o) for o in level.allowed)
    used = {o.optimizer for o in orders}
    adaptive = [OPTIMIZER_LABELS[o] for o in ADAPTIVE if o in level.allowed and o not in used]
    mu_top = min(HIGH_MOMENTUM, float(np.max(level.momentum_range)))   # the most the advice may ask for
    had_momentum = bool(orders) and all(uses_momentum(o.optimizer)       # (no more momentum to ask for)
                                        and float(np.mean(o.momentum)) >= mu_top - MOMENTUM_SLACK
                                        for o in orders)
    high_momentum = had_momentum and mu_top >= HIGH_MOMENTUM            # heavy enough to fling units off
    had_adaptive = bool(orders) and all(o.optimizer in ADAPTIVE for o in orders)
    lr_max = bool(orders) and all(float(np.mean(o.lr)) >= lr_hi * 0.999 for o in orders)
    lr_min = bool(orders) and all(float(np.mean(o.lr)) <= lr_lo * 1.001 for o in orders)
    adapt = (f"an adaptive optimizer ({', '.join(adaptive)})", None) if adaptive and not had_adaptive else None

    if cause == "diverged":
        if lr_min:
            fix = ("lower the momentum", ("mu", -1)) if high_momentum else ("try a steadier optimizer", None)
            return [_say("Your units flew off the map even at the lowest \u03b7", [fix], keep)]
        return [_say("Your learning rate was too large: units flew off the map", [("lower \u03b7", ("lr", -1))],
                     keep, sep=". ")]
    if cause == "stalled" and _on_slope(world):
        if lr_max:
            fix = adapt or (("momentum", ("mu", 1)) if can_momentum and not had_momentum else ("more units", None))
            return [_say("Your units barely moved at the highest \u03b7: their steps were too small for the slope",
                         [fix], keep, "try ", sep=". ")]
        return [_say("Your units barely moved: their steps were too small for the slope", [("raise \u03b7", ("lr", 1))],
                     keep, sep=". ")]
    if cause in ("trapped", "stalled"):
        where = "settled in a local minimum" if cause == "trapped" else "stalled on flat ground"
        some_momentum = bool(orders) and any(uses_momentum(o.optimizer) and float(np.mean(o.momentum)) > 0
                                             for o in orders)
        eta = ("a different \u03b7", None) if lr_max else ("a larger \u03b7 to carry them past it", ("lr", 1))
        tries = []
        if had_momentum or had_adaptive:
            tries.append(eta)
        elif can_momentum:
            tries.append((f"more momentum (\u03bc \u2265 {mu_top:g})" if some_momentum else "momentum",
                          ("mu", 1)))
        tries += [adapt] if adapt else []
        return [_say(f"Your units {where}", tries or [eta], keep, "try ", ", or ")]
    # still descending when the steps ran out
    if lr_max and (had_momentum or not can_momentum):
        fix = (adapt[0] if adapt else "split the units and give each squad different orders", None)
        return [_say("Too slow", [fix], keep, "try " if adapt else "")]
    raise_lr, add_mu = ("raise \u03b7", ("lr", 1)), ("add momentum", ("mu", 1))
    if lr_max:
        return [_say("Too slow", [("add momentum (\u03b7 is already at its highest)", ("mu", 1))], keep)]
    return [_say("Too slow", [raise_lr] if had_momentum or not can_momentum else [raise_lr, add_mu], keep)]


def _on_slope(world) -> bool:
    """Whether at least half the trapped units stalled on a slope rather than settling (World.stalled)."""
    trapped = world.status == sim.STATUS_NAMES.index("trapped")
    return bool(trapped.any()) and int(world.stalled[trapped].sum()) * 2 >= int(trapped.sum())


def _say(diagnosis: str, tries: list, keep, lead: str = "", join: str = " or ", sep: str = ": ") -> str:
    """'Diagnosis: lead a or b.' with the suggestions (text, way) whose way is not the opposite of
    one in ``keep``; just 'Diagnosis.' when none is left (or ``keep`` is None: no remedies asked
    for). ``sep`` '. ' starts them as a sentence."""
    kept = [] if keep is None else [words for words, way in tries if way is None or (way[0], -way[1]) not in keep]
    if not kept:
        return diagnosis + "."
    said = lead + join.join(kept)
    if sep.startswith("."):
        said = said[0].upper() + said[1:]
    return f"{diagnosis}{sep}{said}."


# the words that say which way a hint moves a setting (see ``directions``)
QUANTITY_WORDS = {"lr": r"\u03b7|learning[ -]rate|\blr\b|stride", "mu": r"\u03bc|\u03b2\u2081|momentum"}
WAY_WORDS = {1: r"\b(raise|larger|higher|increase|up|bigger|add)\b",
             -1: r"\b(lower|smaller|drop|reduce|down|below|decrease|less)\b"}


def directions(words: str) -> frozenset:
    """Which way a piece of advice moves each setting: {(quantity, -1 or +1)} for every clause (split
    at , ; . and 'or') that names both a setting ("lr": η, learning rate; "mu": μ, β₁, momentum) and
    a direction word (raise / lower ...)."""
    found = set()
    for clause in re.split(r"[,;.:]|\bor\b", words.lower()):
        for quantity, q_words in QUANTITY_WORDS.items():
            if re.search(q_words, clause):
                found.update((quantity, way) for way, w_words in WAY_WORDS.items() if re.search(w_words, clause))
    return frozenset(found)


# -- event messages -----------------------------------------------------------------------------


# -- after a win short of three stars -----------------------------------------------------------
def three_star_words(world) -> str:
    """After a win short of three stars on a campaign level, how the solver's fastest plan goes
    (levels/difficulty.json, replayed to three stars by the tests); '' otherwise."""
    best = stored_best(world.level.id) if world.won and world.stars() < 3 else None
    if best is None:
        return ""
    return (f"For three stars: the fastest plan found was {plan_words(best, world.level.budget)}; "
            f"its first unit arrived at step {best['steps']}.")


def orders_words(optimizer: str, lr: float, momentum: float) -> str:
    """'RMSProp at η 0.019, μ 0.5': orders as the squad panel sets them (no momentum where the
    update rule has none, or where it is 0)."""
    words = f"{OPTIMIZER_LABELS[optimizer]} at \u03b7 {lr:.2g}"
    if optimizer in MOMENTUM_SYMBOL and momentum > 0:
        words += f", {MOMENTUM_SYMBOL[optimizer]} {momentum:.2g}"
    return words


def plan_words(best: dict, budget: int) -> str:
    """A plan of the solver (sim.solver.Plan.to_dict) as a player would carry it out, on a level
    of ``budget`` steps (the squad panel's cosine runs over the whole budget)."""
    first, then, at = orders_words(*best["orders"]), best["then"], best["at"]
    if best["kind"] == "change":
        return f"{first}, then from step {at} {orders_words(*then)}"
    if best["kind"] == "schedule":
        s = best["schedule"]
        if s["kind"] == "cosine" and s["t_max"] < budget:     # not a shape the panel offers: by hand
            return (f"{first}, lowered like a cosine to \u03b7 {s['eta_min']:.2g} by step {s['t_max']} "
                    f"(the panel's cosine takes all {budget} steps: lower \u03b7 by hand)")
        shape = (f"cosine down to \u03b7 {s['eta_min']:.2g} by step {s['t_max']}" if s["kind"] == "cosine"
                 else f"step decay, \u03b7 \u00d7{s['gamma']:g} every {s['step_size']} steps")
        return f"{first} with {shape}"
    if best["kind"] == "drop":
        words = (f"one unit scouting on {first} while the rest hold, then at step {at} the held squad sent "
                 f"onto the lowest ground it had seen")
        same = list(then) == list(best["orders"])
        return words + (", on the scout's orders" if same else f", on {orders_words(*then)}")
    return first
