"""The words of the terminal view: header, status line, help line and the end-of-level panel.

Each function reads the world and the view and returns plain text (segments are (text, squad)
pairs: ``squad`` is the index whose colour the text wears, or None for the text colour).
"""
from __future__ import annotations

import textwrap

from sim.world import ARRIVED, DIVERGED, TRAPPED

from game.view.advice import loss_cause, loss_hints, ran_out_of_supply, three_star_words
from game.view.explain import stalled_count
from game.view.names import height_label, level_number, speed_text

NO_MOMENTUM = ("sgd", "adagrad")      # rules that ignore the momentum setting
TO_ASCII = {"●": "o", "◉": "O", "★": "*", "☆": "-", "⚑": "F", "×": "x", "✖": "X", "—": "-", "·": ".",
            # the maths of the level texts, spelled out
            "η": "eta", "μ": "mu", "β": "beta", "θ": "theta", "σ": "sigma", "Σ": "sum", "∇": "grad ", "←": "<-",
            "−": "-", "′": "'", "≈": "~", "≥": ">=", "≤": "<=", "₁": "1", "₂": "2", "ₖ": "_k", "ⱼ": "_j", "∞": "inf",
            "¼": "1/4", "½": "1/2"}
HELP_LINES = (          # the widest that fits is shown; every one names every key
    " 1-9/Tab squad  [ ] lr halve/double  ; ' momentum -/+  o optimizer  c schedule  n split  h hold/resume  f fog"
    "  Space run/pause  + - speed  . or s step  r restart  q quit",                                              # 169
    " 1-9/Tab squad  []lr  ;' momentum  o optimizer  c schedule  n split  h hold  f fog"
    "  Space run  +- speed  . s step  r reset  q quit",                                                          # 130
    " 1-9/Tab squad  []lr  ;'mom  o opt  c sched  n split  h hold  f fog"
    "  Spc run  +- spd  .s step  r restart  q quit",                                                             # 112
    " 1-9 squad  []lr  ;'mom  o opt  c sched  n split  h hold  f fog  Spc run  +- spd  .s step  r rst  q quit",  # 104
    " 1-9 []lr ;'mu o opt c sch n spl h hold f fog Spc run +-spd .s step r rst q quit",                          # 80
)
HELP_WIDE, HELP_NARROW = HELP_LINES[0], HELP_LINES[-1]
ELLIPSIS = "..."
LOSS_WORDS = {"supply": "out of supply", "diverged": "units diverged", "trapped": "units trapped",   # by loss_cause
              "stalled": "units stalled", "slow": "out of steps"}


def ascii_only(text: str) -> str:
    """``text`` with the few non-ASCII symbols the view uses replaced by ASCII look-alikes."""
    text = "".join(TO_ASCII.get(ch, ch) for ch in text)
    return text.encode("ascii", "replace").decode("ascii")


def event_text(event) -> str:
    """A line for the log: what happened to a unit, and the likely reason; or a squad's hold, a
    landing, the supply running out."""
    who = f"Squad {event.squad + 1}"
    if event.kind == "out_of_supply":
        return "Out of supply: no unit can move any more"
    if event.kind in ("held", "resumed"):
        return f"{who} {event.kind}"
    if event.kind in ("dropped", "redeployed"):
        return f"{who} {event.kind}: {event.units} units landed ({height_label(event.height)})"
    if event.kind == "arrived":
        return f"{who} reached the global minimum in {event.step} steps"
    if event.kind == "diverged":
        return f"{who} lost a unit: diverged, learning rate too large"
    if event.stalled:
        return f"{who} stalled on a slope: steps too small to move ({height_label(event.height)})"
    where = "in a local minimum" if event.near_minimum else "where the slope vanishes"
    return f"{who} trapped {where} ({height_label(event.height)})"


def landing_note(level) -> str:
    """On a scouting level (one won by landing units where a scout has seen low ground), what the
    terminal cannot do: it has no cursor to land units with. '' on any other level."""
    if level.needs != "drop":
        return ""
    number = level_number(level.id) or level.id
    return ("This level is won by landing units on ground a scout has seen: play it in the window "
            f"(python main.py play {number})")


def header_segments(world, view, cols: int = 1 << 30, shown=str) -> list:
    """The top line: the game, the level and the latest news (a message, the last event, else the
    lesson). Too long for ``cols``, it drops the game's name, then the level's title, then cuts
    the news short with "..." -- never the level id. ``shown`` spells a text as the screen will
    show it (``ascii_only`` in ASCII mode, where a symbol may take several cells)."""
    lvl = world.level
    news = [e for e in world.events if e.kind != "out_of_supply" or e.step < lvl.budget]   # (a supply of
    words = shown(view.message or (event_text(news[-1]) if news else landing_note(lvl) or lvl.lesson))   # (x budget)
    number = level_number(lvl.id)                               # its place in the campaign, as the game shows it
    name = f"{number} {lvl.id}" if number else lvl.id
    prefixes = tuple(shown(p) for p in (f" VALLEY COMMAND | {name}  {lvl.title} | ",
                                        f" {name}  {lvl.title} | ", f" {name} | "))
    for prefix in prefixes:
        if len(prefix) + len(words) <= cols:
            return [(prefix, None), (words, None)]
    prefix = prefixes[-1]
    room = cols - len(prefix)
    return [(prefix, None), (words[:max(0, room - len(ELLIPSIS))].rstrip() + ELLIPSIS if room > 8 else "", None)]


def status_segments(world, view, cols: int, ascii_mode: bool = False) -> list:
    """Selected squad (marked when held) and its orders, the step count, the supply left and the
    rate it is spent (units moving now; "!" when at that rate it runs out before the budget), units
    by status, and run/pause, in the widest form that fits ``cols``: units counted in words, shorter
    words, and (in colour only, where the glyphs match the map's) by their map glyphs. In ASCII the
    counts are always words; a unit stopped short of the goal counts as "trapped" only in one of the
    level's minima, else "stalled", as the classroom and the result say."""
    s = view.squad
    o = world.orders[s]
    members = int((world.squad == s).sum())
    state = (result_words(world) if world.over else "PAUSED" if view.paused
             else "RUNNING" + ("" if view.speed == 1 else f" {speed_text(view.speed)}"))
    held = " HELD" if world.is_held(s) else ""
    kind = o.schedule.kind if o.schedule is not None else "constant"
    sched = "" if kind == "constant" else f" {kind}"                # lr: the rate of the next step
    short = world.supply_left < world.spend_rate * max(0, world.level.budget - world.step_count)
    supply = f"| supply {world.supply_left} -{world.spend_rate}/step{'!' if short else ''} "
    full = [(f" ● Squad {s + 1}", s), (f"/{world.n_squads} ({members}){held} ", None),
            (f"{o.optimizer}  lr {float(world.lr_now(s)):.3g}{sched}{momentum_text(o)} ", None),
            (f"| step {world.step_count}/{world.level.budget} ", None), (supply, None)]
    compact = [(f" ● {s + 1}", s), (f"/{world.n_squads}{held} ", None),
               (f"{o.optimizer} lr {float(world.lr_now(s)):.3g}{sched}{momentum_text(o).replace('  ', ' ')} ",
                None),
               (f"| step {world.step_count}/{world.level.budget} ", None),
               (f"| sup {world.supply_left} -{world.spend_rate}{'!' if short else ''} ", None)]
    mu = f" {float(o.momentum):.2f}" if o.optimizer not in NO_MOMENTUM else ""
    tight = [(f" ● {s + 1}{held}", s), (f" {o.optimizer} {float(world.lr_now(s)):.3g}{mu} ", None),
             (f"|{world.step_count}/{world.level.budget} ", None),
             (f"|sup {world.supply_left}-{world.spend_rate}{'!' if short else ''} ", None)]
    c = world.counts()
    d, a, x = c["descending"] - world.held_count(), c["arrived"], c["diverged"]
    st = stalled_count(world)                       # stopped short of the goal, not in one of its pits
    t = c["trapped"] - st
    stalled = (f"  stalled {st}", f" stalled {st}", f" stall {st}") if st else ("", "", "")
    long_words = f"| descending {d}  arrived {a}  trapped {t}{stalled[0]}  diverged {x} "
    words = f"| moving {d} arrived {a} trapped {t}{stalled[1]} diverged {x} "
    short = f"| mov {d} arr {a} trap {t}{stalled[2]} div {x} "
    glyphs = f"| ● {d} ⚑ {a} × {t + st} ✖ {x} "
    if ascii_mode:
        tries = [(full, long_words), (full, words), (compact, words), (compact, short), (tight, short)]
    else:
        tries = [(full, long_words), (full, words), (full, glyphs), (compact, glyphs), (tight, glyphs)]
    tries.append((tight, ""))             # the result box counts the units; the result itself must show
    for head, units in tries:
        line = head + [(units, None), (f"| {state}", None)]
        if sum(len(ascii_only(text) if ascii_mode else text) for text, _ in line) <= cols:   # as it is shown
            break
    return line


def result_words(world) -> str:
    """The result in a few words, as the game's results say it: "WON 2 stars in 42 steps" (the
    stars earned and the first arrival's step), or "LOST: " and why (out of supply, units
    diverged, trapped or stalled, out of steps)."""
    if world.won:
        stars = world.stars()
        first = int(world.arrival_step[world.status == ARRIVED].min())
        return f"WON {stars} star{'' if stars == 1 else 's'} in {first} steps"
    why = LOSS_WORDS.get(loss_cause(world))
    if why is None:
        why = "out of steps" if world.step_count >= world.level.budget else "no unit is still descending"
    return f"LOST: {why}"


def momentum_text(orders) -> str:
    """The momentum setting under its name for this rule: mu, beta1 for Adam, none for SGD/Adagrad."""
    if orders.optimizer in NO_MOMENTUM:
        return ""
    name = "beta1" if orders.optimizer == "adam" else "mu"
    return f"  {name} {float(orders.momentum):.2f}"


def help_text(cols: int) -> str:
    """The widest help line that fits ``cols`` (the narrowest, cut, below that)."""
    return next((line for line in HELP_LINES if len(line) <= cols), HELP_LINES[-1])


def end_box(world, width: int, shown=str) -> list:
    """The result panel: (text, tone) lines at most ``width`` long as ``shown`` spells them (see
    ``header_segments``); tone is 'win', 'loss', a squad index (its colour) or None."""
    lost = int(((world.status == TRAPPED) | (world.status == DIVERGED)).sum())
    if world.won:
        first = world.arrival_step[world.status == ARRIVED].min()
        squad = int(world.squad[(world.status == ARRIVED) & (world.arrival_step == first)][0])
        stars = world.stars()
        lines = [("VICTORY", "win"), (" ".join("★" * stars + "☆" * (3 - stars)), "win"),
                 (f"Squad {squad + 1} reached the global minimum in {first} steps", squad),
                 (f"units lost: {lost} of {world.n_units}", None)]
        three = three_star_words(world)                  # short of three stars: the fastest plan found
        lines += [(part, None) for part in textwrap.wrap(shown(three), max(20, width))]
    else:
        reason = ("out of supply" if ran_out_of_supply(world) else "out of steps"
                  if world.step_count >= world.level.budget else "no unit is still descending")
        lines = [("DEFEAT", "loss"), (f"{reason}: {lost} of {world.n_units} units lost", None)]
        hints = [landing_note(world.level)] if world.level.needs == "drop" else loss_hints(world)
        lines += [(part, None) for hint in hints for part in textwrap.wrap(shown(hint), max(20, width))]
    lines += [("", None), ("r restart    q quit", None)]
    return [(shown(text)[:width], tone) for text, tone in lines]
