"""Landings from the map, as real-time strategy games give them: a right click sends the selected
squad to the ground under the cursor (``World.redeploy``), L drops fresh units there as a new squad
(``World.drop``). Before the player commits, the map's status line says what the click would do and
what it costs -- or why the rules refuse it (``World.check_landing``: in the fog, off the map, not
enough supply, too many units) -- and a ring on the ground shows where the units would land. A
refused landing is one line in the event log, and nothing changes.

A squad on the move is held first, so that the redeploy lifts all its units still on the field (a
held squad's descending units go too, sim/drops.py); its trapped units go in any case. Each unit
landed costs DROP_COST supply. A fresh drop takes the next squad without units, the orders of the
squad in the panel, and DROP_UNITS units (fewer when the supply or the level's unit cap allows
fewer).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import sim
from sim.drops import DROP_COST, LandingRefused
from sim.world import MAX_SQUADS

from game.view.widgets import BAD, MUTED, TEXT
from game.view.world_view import ground_under

from .hud import squad_name

DROP_UNITS = 3            # units a fresh drop lands (fewer when the supply or the unit cap allows fewer)


@dataclass
class Landing:
    """What a click at a ground point would do: land ``units`` units of ``squad`` (``kind`` "redeploy"
    or "drop") at ``xy`` [world] for ``cost`` supply; ``refusal`` says why it may not (None: it may)."""
    kind: str
    squad: int
    units: int
    xy: np.ndarray
    refusal: str | None = None
    reason: str = ""          # the rules' reason for a refusal (LandingRefused.reason), if they gave one

    @property
    def cost(self) -> int:
        return DROP_COST * self.units

    def words(self) -> str:
        """What the status line says of it."""
        who = squad_name(self.squad)
        if self.kind == "redeploy":
            act = f"Right-click: redeploy {who} here"
        else:
            act = f"L: drop {self.units} fresh unit{'s' if self.units != 1 else ''} here as {who}"
        if self.refusal is not None:
            return f"{act.split(': ', 1)[0]}: no \u2014 {self.refusal}"
        return f"{act} ({self.units} \u00d7 {DROP_COST} = {self.cost} supply)"


def refusal_words(err: LandingRefused, world, units: int) -> str:
    """A refusal of the rules said plainly, in a few words (the world's ValueError made readable)."""
    if err.reason == "fog":
        return "that ground is still in the fog"
    if err.reason == "off map":
        return "that is off the map"
    if err.reason == "cap":
        return f"the field holds at most {world.unit_cap} units"
    need = (DROP_COST + 1) * units
    return f"{units} unit{'s' if units != 1 else ''} cost {need} supply with their first step; {world.supply_left} left"


def _checked(plan: Landing, world, new_units: bool) -> Landing:
    if plan.refusal is None:
        try:
            world.check_landing(plan.xy, max(1, plan.units), new_units=new_units)
        except LandingRefused as err:
            plan.refusal, plan.reason = refusal_words(err, world, max(1, plan.units)), err.reason
    return plan


def redeploy_plan(b, xy) -> Landing:
    """Sending the panel's squad to ``xy``: its trapped units and those still descending."""
    w, squad = b.world, b.squad
    members = w.squad == squad
    going = members & ((w.status == sim.TRAPPED) | (w.status == sim.DESCENDING))
    plan = Landing("redeploy", squad, int(going.sum()), np.asarray(xy, float))
    if not members.any() or squad >= w.n_squads:
        plan.refusal = f"{squad_name(squad)} has no units"
    elif not plan.units:
        plan.refusal = f"{squad_name(squad)} has no units left on the field"
    return _checked(plan, w, new_units=False)


def drop_plan(b, xy) -> Landing:
    """A fresh drop at ``xy``: the next squad without units, DROP_UNITS units or as many as may land."""
    w = b.world
    free = [k for k in range(MAX_SQUADS) if not (w.squad == k).any()]
    affordable = w.supply_left // (DROP_COST + 1)
    units = max(1, min(DROP_UNITS, affordable, w.unit_cap - w.n_units))
    plan = Landing("drop", free[0] if free else MAX_SQUADS - 1, units, np.asarray(xy, float))
    if not free:
        plan.refusal = f"all {MAX_SQUADS} squads have units"
    return _checked(plan, w, new_units=True)


def aim(b, pos):
    """The ground point (2,) [world] under the screen pixel ``pos`` on the battle's map, or None."""
    if pos is None or not b.map_rect.collidepoint(pos) or b.minimap_rect.collidepoint(pos):
        return None
    return ground_under(b.camera, b.art, pos)


def redeploy(b, pos):
    """Right click at ``pos``: redeploy the panel's squad there (holding it first if it is moving)."""
    xy = aim(b, pos)
    if xy is None or not b.commanding:
        return
    plan = redeploy_plan(b, xy)
    if plan.refusal is not None:
        b.log.add(f"Cannot redeploy {squad_name(plan.squad)} there: {plan.refusal}", BAD)
        return
    w = b.world
    if not w.is_held(plan.squad) and ((w.squad == plan.squad) & (w.status == sim.DESCENDING)).any():
        b.recorder.hold(plan.squad)
    b.selection.set(np.zeros(w.n_units, bool))
    landed = b.recorder.redeploy(plan.squad, plan.xy.tolist())
    b.selection.mask[landed] = True
    b.after_landing()


def drop(b, pos):
    """L at ``pos``: drop fresh units there as a new squad, with the orders of the panel's squad."""
    xy = aim(b, pos)
    if xy is None or not b.commanding:
        return
    plan = drop_plan(b, xy)
    if plan.refusal is not None:
        b.log.add(f"Cannot drop there: {plan.refusal}", BAD)
        return
    o = b.orders()
    orders = {"optimizer": o.optimizer, "lr": float(np.mean(o.lr)), "momentum": float(np.mean(o.momentum))}
    if o.schedule is not None:
        orders["schedule"] = o.schedule.to_dict()
    landed = b.recorder.drop(plan.squad, plan.xy.tolist(), plan.units, **orders)
    b.squad = plan.squad
    b.selection = type(b.selection)(b.world.n_units)
    b.selection.mask[landed] = True
    b.after_landing()


def preview(b, pos) -> tuple[list, np.ndarray | None, bool]:
    """For the cursor at ``pos``: the status line's lines [(text, colour)], the ground point aimed at
    [world] and whether a landing may go there (a right click or L); no lines and None off the
    ground or when no command may be given."""
    xy = aim(b, pos)
    if xy is None or not b.commanding or b.selection.dragging:
        return [], None, False
    move, fresh = redeploy_plan(b, xy), drop_plan(b, xy)
    ok = move.refusal is None or fresh.refusal is None
    if move.reason == "fog" and fresh.reason == "fog":
        return [], xy, ok                  # over the fog only the red ring: a line there would never go away
    if move.refusal is not None and move.refusal == fresh.refusal:
        return [(f"No landing here: {move.refusal}", MUTED)], xy, ok
    return [(move.words(), TEXT if move.refusal is None else MUTED),
            (fresh.words(), TEXT if fresh.refusal is None else MUTED)], xy, ok


STOPPED_WORDS = "Every unit has stopped: L or right click lands units; Enter ends the run"


def may_still_land(b) -> bool:
    """Whether battle ``b``'s world ended only because every unit stopped (trapped or stalled),
    while the steps and the supply would still pay for a landing: then the run waits for the
    player to redeploy or drop instead of ending (the core of the scatter-and-compare strategy)."""
    w = b.world
    return (b.replay is None and not w.won and w.step_count < b.level.budget
            and w.supply_left >= DROP_COST + 1 and not (w.status == sim.DESCENDING).any())
