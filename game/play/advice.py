"""The event log's lines for world events (the advice after a loss is game.view.advice, shared
with the terminal)."""
from __future__ import annotations

from game.view.names import height_label

from .hud import squad_name


COMMAND_EVENTS = ("held", "resumed", "dropped", "redeployed", "out_of_supply")


def describe_command(e) -> tuple[str, int | None, tuple]:
    """(log line, squad or None, key) for an event of the player's commands or the supply: "Squad 2
    held" and "resumed" share a key (the latest replaces the other), a landing says how many units
    landed and the lowest height among them."""
    who = squad_name(e.squad)
    if e.kind == "out_of_supply":
        return "Out of supply: no unit can move any more", None, ("supply",)
    if e.kind in ("held", "resumed"):
        return f"{who} {e.kind}", e.squad, ("hold", e.squad)
    units = f"{e.units} unit{'s' if e.units != 1 else ''}"
    if e.kind == "dropped":
        return f"{who}: {units} dropped, lowest {height_label(e.height)}", e.squad, (e.kind, e.squad, e.step)
    return f"{who} redeployed: {units} landed, lowest {height_label(e.height)}", e.squad, (e.kind, e.squad, e.step)


def describe_events(events, first_arrival_seen: bool, tally: dict | None = None) -> list[tuple[str, int | None, tuple]]:
    """World events of one step -> (log line, squad, key) triples, one per squad and kind of event
    (and shown height, for a unit trapped); the player's commands and the supply running out are
    one line each (``describe_command``: squad None for the supply). ``tally`` (kept by the caller
    for the whole run) keeps the units each key has had so far, so a line that comes back carries
    the running count ("Squad 2: 4 units trapped in a local minimum, h = 5.02") and the log can
    replace its line with the same key instead of adding another."""
    tally = {} if tally is None else tally
    groups: dict[tuple, list] = {}
    lines = [describe_command(e) for e in events if e.kind in COMMAND_EVENTS]
    for e in events:
        if e.kind in COMMAND_EVENTS:
            continue
        settled = e.kind == "trapped" and not e.stalled          # where a unit settles, its height says which pit
        key = (e.kind, e.squad, e.near_minimum, e.stalled, height_label(e.height) if settled else None)
        groups.setdefault(key, []).append(e)
    for key, group in groups.items():
        kind, squad, near, stalled, h = key
        seen = tally.setdefault(key, set())                # units, not events: a unit trapped, lifted
        seen.update(e.unit for e in group)                 # and trapped there again counts once
        n = len(seen)
        if kind == "arrived" and not first_arrival_seen:
            lines.append((f"{squad_name(squad)} reached the global minimum in {group[0].step} steps", squad,
                          ("first arrival",)))
            first_arrival_seen = True
            continue
        many = f"{squad_name(squad)}: {n} unit{'s' if n > 1 else ''}"      # never "Squad 1 diverged" for one of 12
        what = {"arrived": "reached the global minimum", "diverged": "diverged: learning rate too large"}.get(
            kind, "stalled on a slope: steps too small to move" if stalled
            else f"trapped in a local minimum, {h}" if near else f"stalled on flat ground, {h}")
        lines.append((f"{many} {what}", squad, key))
    return lines
