"""What the results panel says, laid out to fit its column (``game.view.flow``): the level, won or
failed, the stars and what earns each, the units' fate, after a loss the advice (every word of it),
and every squad's final orders and fate. Nothing is cut: the column wraps, then is set smaller,
then scrolls.
"""
from __future__ import annotations

import numpy as np
import pygame

import sim
from sim.drops import DROP_COST
from game.view.advice import ran_out_of_supply, three_star_words
from game.view.explain import fate_counts
from game.view.flow import Flow, line_height
from game.view.names import OPTIMIZER_LABELS, height_text, uses_momentum
from game.view.palette import SQUAD_COLOURS
from game.view.widgets import ACCENT, BAD, FAINT, GOOD, MUTED, STATUS_COLOURS, TEXT, draw_stars, text, text_width

from .schedule_picker import LABELS as SCHEDULE_LABELS

FOOTNOTE = "Every minimum is revealed now; the star marks the goal."


def px(v: float, f: float) -> int:
    return max(1, int(round(v * f)))


def build(results, f: float, width: int) -> Flow:
    """The panel's column for ``results`` (a Results scene) at type scale ``f``, ``width`` px wide."""
    w, lvl = results.world, results.level
    flow = Flow(width)
    flow.paragraph("RESULTS  \u00b7  " + lvl.title.upper(), px(11, f), MUTED, bold=True)
    flow.paragraph("Valley taken" if w.won else "Mission failed", px(26, f), GOOD if w.won else BAD, bold=True)
    flow.space(px(6, f))
    radius = px(20, f)
    flow.mark(int(radius * 2.6), lambda s, x, y: draw_stars(s, (x + width // 2, y + int(radius * 1.3)), w.stars(),
                                                            radius))
    if results.battle.new_best:
        flow.line("New best!", px(13, f), ACCENT, bold=True, align="center")
    for line in results.course_lines():                   # an endless run: its score so far
        flow.space(px(6, f))
        flow.paragraph(line, px(14, f), ACCENT, bold=True)
    flow.space(px(12, f))
    _stats(flow, results, f)
    _counts(flow, fate_counts(w), f)
    flow.space(px(12, f))
    for k, hint in enumerate(results.battle.loss_hints()):
        flow.paragraph(("Hint: " if k == 0 else "") + hint, px(13, f), ACCENT if k == 0 else MUTED)
        flow.space(px(8, f))
    three = three_star_words(w) if results.battle.replay is None else ""
    if three:                                             # won, short of three stars: how the solver did it
        flow.paragraph(three, px(13, f), MUTED)
        flow.space(px(8, f))
    _squads(flow, results, f)
    flow.space(px(8, f))
    flow.paragraph(FOOTNOTE, px(12, f), FAINT)
    return flow


def _stats(flow, results, f):
    """Steps, losses and heights, each with the star it earns."""
    w, lvl = results.world, results.level
    lost = int(((w.status == sim.TRAPPED) | (w.status == sim.DIVERGED)).sum())
    first = w.arrival_step[w.arrival_step >= 0]
    frugal = lvl.star_supply < w.supply                   # the third star asks for little supply spent too
    rows = [("Steps used", f"{w.step_count} / {lvl.budget}",
             w.won and int(first.min()) <= lvl.star_steps, f"\u2605 for arriving within {lvl.star_steps}"),
            ("Units lost", f"{lost} of {w.n_units}", w.won and lost <= lvl.star_units_lost
             and w.supply_spent <= lvl.star_supply, f"\u2605 for losing at most {lvl.star_units_lost}"
             + (f" and spending at most {lvl.star_supply:,} supply" if frugal else "")),
            ("Best height", height_text(w.best_height), None,
             f"the global minimum is {height_text(lvl.global_min_height)}")]
    if supply_matters(w):
        rows.insert(2, ("Supply spent", f"{w.supply_spent:,} / {w.supply:,}", None, supply_note(w)))
    for label, value, star, note in rows:
        flow.row([(label, px(14, f), MUTED, False)], [(value, px(15, f), TEXT, True)])
        flow.paragraph(note, px(11, f), ACCENT if star else FAINT)
        flow.space(px(6, f))


def supply_matters(world) -> bool:
    """Whether the results speak of supply: the level limits it (less than units x budget, or a star
    asks for little spent), a landing spent some, or it ran out."""
    lvl = world.level
    landed = any(e.kind in ("dropped", "redeployed") for e in world.events)
    return lvl.supply < lvl.units * lvl.budget or lvl.star_supply < lvl.supply or landed or ran_out_of_supply(world)


def supply_note(world) -> str:
    """Under the supply row: when it ran out, else what spends it."""
    if ran_out_of_supply(world):
        return f"ran out at step {world.supply_out_step}"
    return f"a moving unit spends 1 a step; a landing {DROP_COST} a unit"


def _counts(flow, counts, f):
    """'3 arrived  1 trapped  0 diverged' (and 'N stalled' when some units stopped outside a pit),
    each after a dot of its status colour: on one line, spread across the column, else in rows of
    as many as fit side by side."""
    size, dot = px(13, f), px(4, f)
    names = ("arrived", "trapped") + (("stalled",) if counts["stalled"] else ()) + ("diverged",)
    parts = [(f"{counts[name]} {name}", STATUS_COLOURS["trapped" if name == "stalled" else name]) for name in names]
    lead = 2 * dot + px(6, f)
    widths = [lead + text_width(words, size) for words, _ in parts]
    h = line_height(size)

    def part(surface, x, y, words, colour):
        pygame.draw.circle(surface, colour, (x + dot, y + h // 2), dot)
        text(surface, words, (x + lead, y), size, TEXT)

    per_row = next(n for n in (len(parts), 2, 1) if n == 1 or all(
        sum(widths[k:k + n]) + (n - 1) * 2 * px(10, f) <= flow.width for k in range(0, len(parts), n)))
    for k in range(0, len(parts), per_row):
        row, row_widths = parts[k:k + per_row], widths[k:k + per_row]
        spare = (flow.width - sum(row_widths)) // max(1, len(row) - 1) if len(row) > 1 else 0
        starts = [sum(row_widths[:j]) + j * spare for j in range(len(row))]
        flow.mark(h, lambda s, x, y, row=row, starts=starts: [part(s, x + at, y, *p) for at, p in zip(starts, row)])


FATES = (("arrived", "arrived"), ("trapped", "trapped"), ("stalled", "stalled"), ("diverged", "diverged"),
         ("descending", "moving"))


def _squads(flow, results, f):
    """Every squad with units: its number, final orders, and what became of it."""
    w, lvl = results.world, results.level
    squads = [k for k in range(w.n_squads) if (w.squad == k).any()]
    if not squads:
        return
    flow.line("SQUADS  \u00b7  FINAL ORDERS", px(11, f), MUTED, bold=True)     # not always those it ran with
    size = px(13, f)
    for k in squads:
        o, c = w.orders[k], fate_counts(w, k)
        orders = f"{OPTIMIZER_LABELS[o.optimizer]}  \u03b7 {float(np.mean(o.lr)):.3g}"
        if uses_momentum(o.optimizer) and float(np.max(lvl.momentum_range)) > 0:
            orders += f"  {'β₁' if o.optimizer == 'adam' else 'μ'} {float(np.mean(o.momentum)):.2f}"
        fate = "  \u00b7  ".join(f"{c[key]} {word}" for key, word in FATES if c[key])   # every unit counted
        flow.row([(f"{k + 1}", size, TEXT, True), (orders, size, TEXT, False)], [(fate, px(12, f), MUTED, False)],
                 indent=px(16, f), gap=px(6, f), swatch=SQUAD_COLOURS[k])
        if o.schedule is not None and o.schedule.kind != "constant":     # the η above is where it started
            flow.paragraph(schedule_words(o.schedule), px(12, f), MUTED, indent=px(16, f))


def schedule_words(sched) -> str:
    """A squad's schedule under its orders: 'Step decay: η ×0.3 every 37 steps', 'Cosine: η down to
    0.0005 over 150 steps'."""
    if sched.kind == "step":
        return f"{SCHEDULE_LABELS['step']}: \u03b7 \u00d7{sched.gamma:g} every {sched.step_size} steps"
    return f"{SCHEDULE_LABELS['cosine']}: \u03b7 down to {sched.eta_min:.3g} over {sched.t_max} steps"
