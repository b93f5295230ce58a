"""The words of the terminal view: header, status line, help line and the end-of-level panel.

Each function reads the world and the view and returns plain text (segments are (text, squad)
pairs: ``squad`` is the index whose colour the text wears, or None for the text colour).
"""
from __future__ import annotations

import textwrap

from sim.world import ARRIVED, DIVERGED, TRAPPED

NO_MOMENTUM = ("sgd", "adagrad")      # rules that ignore the momentum setting
TO_ASCII = {"●": "o", "◉": "O", "★": "*", "☆": "-", "⚑": "F", "×": "x", "✖": "X", "—": "-", "·": "."}
HELP_WIDE = (" 1-9/Tab squad  [ ] lr  , . momentum  o optimizer  n split  f fog"
             "  Space run/pause  s step  r restart  q quit")
HELP_NARROW = " 1-9 squad  [] lr  ,. mom  o opt  n split  Spc run  q quit"


def ascii_only(text: str) -> str:
    """``text`` with the few non-ASCII symbols the view uses replaced by ASCII look-alikes."""
    text = "".join(TO_ASCII.get(ch, ch) for ch in text)
    return text.encode("ascii", "replace").decode("ascii")


def event_text(event) -> str:
    """A line for the log: what happened to a unit, and the likely reason."""
    who = f"Squad {event.squad + 1}"
    if event.kind == "arrived":
        return f"{who} reached the global minimum in {event.step} steps"
    if event.kind == "diverged":
        return f"{who} lost a unit: diverged, learning rate too large"
    where = "in a local minimum" if event.near_minimum else "where the slope vanishes"
    return f"{who} trapped {where} (h={height_text(event.height)})"


def height_text(h: float) -> str:
    """A height in 3 significant digits, with rounding noise near zero shown as 0."""
    return "0" if abs(h) < 5e-4 else f"{h:.3g}"


def header_segments(world, view) -> list:
    lvl = world.level
    words = view.message or (event_text(world.events[-1]) if world.events else lvl.lesson)
    return [(" VALLEY COMMAND ", None), (f"| {lvl.id}  {lvl.title} | ", None), (words, None)]


def status_segments(world, view, cols: int) -> list:
    """Selected squad and its orders, the step count, units by status, and run/pause; units
    are counted in words when the line has room, else by their map glyphs."""
    s = view.squad
    o = world.orders[s]
    members = int((world.squad == s).sum())
    state = "OVER" if world.over else "PAUSED" if view.paused else "RUNNING"
    head = [(f" ● Squad {s + 1}", s), (f"/{world.n_squads} ({members}) ", None),
            (f"{o.optimizer}  lr {float(o.lr):.3g}{momentum_text(o)} ", None),
            (f"| step {world.step_count}/{world.level.budget} ", None)]
    c = world.counts()
    for units in (f"| descending {c['descending']}  arrived {c['arrived']}  trapped {c['trapped']}"
                  f"  diverged {c['diverged']} ",
                  f"| ● {c['descending']} ⚑ {c['arrived']} × {c['trapped']} ✖ {c['diverged']} "):
        line = head + [(units, None), (f"| {state}", None)]
        if sum(len(t) for t, _ in line) <= cols:
            break
    return line


def momentum_text(orders) -> str:
    """The momentum setting under its name for this rule: mu, beta1 for Adam, none for SGD/Adagrad."""
    if orders.optimizer in NO_MOMENTUM:
        return ""
    name = "beta1" if orders.optimizer == "adam" else "mu"
    return f"  {name} {float(orders.momentum):.2f}"


def help_text(cols: int) -> str:
    return HELP_WIDE if cols >= len(HELP_WIDE) else HELP_NARROW


def end_box(world, width: int) -> list:
    """The result panel: (text, tone) lines at most ``width`` long; tone is 'win', 'loss',
    a squad index (its colour) or None."""
    lost = int(((world.status == TRAPPED) | (world.status == DIVERGED)).sum())
    if world.won:
        first = world.arrival_step[world.status == ARRIVED].min()
        squad = int(world.squad[(world.status == ARRIVED) & (world.arrival_step == first)][0])
        stars = world.stars()
        lines = [("VICTORY", "win"), (" ".join("★" * stars + "☆" * (3 - stars)), "win"),
                 (f"Squad {squad + 1} reached the global minimum in {first} steps", squad),
                 (f"units lost: {lost} of {world.n_units}", None)]
    else:
        reason = "out of steps" if world.step_count >= world.level.budget else "no unit is still descending"
        lines = [("DEFEAT", "loss"), (f"{reason}: {lost} of {world.n_units} units lost", None)]
        lines += [(part, None) for part in textwrap.wrap(world.level.hint, max(20, width))]
    lines += [("", None), ("r restart    q quit", None)]
    return [(text[:width], tone) for text, tone in lines]
