"""What a web page of a descent holds: the run as the simulation made it, packed small.

    data = gather(rec)                       # runs the world once, step by step
    data["positions"]                        # fixed-point trajectories, see POSITION_BITS below
    decode_explanation(data["explained"], unit_row, step)   # what the page shows for a unit

Everything the page shows is computed here, in Python, from ``sim.World`` -- the page only draws and
looks things up, it never simulates:

* **positions**: every unit at every step from 0 to T (T = the last step run), step-major,
  [x0, y0, x1, y1, ...], as whole numbers q in 0..2^16 - 1 on the map's outer box (the map plus
  the world's divergence margin, where every position lies): x = origin + q * scale. The error of
  a decoded position is at most scale / 2 per axis, about 1.5e-5 of the map size.
* **status**: per step, one digit per unit (sim.world's codes: 0 descending, 1 arrived,
  2 trapped, 3 diverged); **membership**: per squad change, one digit per unit (its squad).
* **orders**: per squad, its orders from each step they change on (a replay may change them).
* **loss**: each squad's mean loss above the global minimum, f(x) - f*, at every step -- the
  classroom's loss chart.
* **explained**: for the explained units (every unit while the run is small, see
  MAX_EXPLAINED), the classroom's explanation of the step the unit takes from each step
  (``game.view.explain.explain(world, unit)``): its height, the givens, every sub-step (what,
  rule, numbers, result) and the notes, as the very strings the classroom shows. They are packed
  as templates: every number in a string is replaced by ``{k}``, the k-th distinct number of that
  unit at that step, so a record is a template id and its numbers ("3 0.5 −1.2 ..."); the few
  distinct templates (one or two per optimizer) are stored once.
* **elevations** and **hidden** (given a ``page_relief.Relief``): every unit's elevation on the sand
  table and, per view, which units its ground hides, at every step (see page_relief.py).
"""
from __future__ import annotations

import re

import numpy as np

from sim.world import DESCENDING, DIVERGE_MARGIN, MAX_SQUADS

from game.view.explain import explain, num
from game.view.names import OPTIMIZER_LABELS, height_text, uses_momentum
from game.view.palette import SQUAD_COLOURS

from .words import outcome_text, squad_label
from .record import Recording

FORMAT = 2                    # the layout of the page's data; a page's script reads this version
POSITION_BITS = 16            # positions are fixed-point whole numbers of this many bits per axis
MAX_EXPLAINED = 12_000        # unit-steps explained at most (about 40 bytes each in the page) ...
NUMBER = re.compile(r"−?[0-9]+(?:\.[0-9]+)?(?:×10[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)?|nan|inf")   # ... a number as num() writes it
LOSS_DIGITS = 6               # significant digits of the loss chart's values


def hex_colour(rgb) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def explained_units(world, steps: int) -> tuple:
    """(units, k): the units whose steps are explained -- all of them while (units) x (steps + 1)
    is at most MAX_EXPLAINED, else the first k of each squad (k >= 1) so that the total stays
    within it as far as one unit per squad allows."""
    if world.n_units * (steps + 1) <= MAX_EXPLAINED:
        return list(range(world.n_units)), world.n_units
    squads = [np.flatnonzero(world.squad == s) for s in range(world.n_squads)]
    squads = [m for m in squads if len(m)]
    k = max(1, MAX_EXPLAINED // (len(squads) * (steps + 1)))
    return sorted(int(u) for m in squads for u in m[:k]), k


# -- one explanation, packed ------------------------------------------------------------------------
def explanation_record(world, unit: int) -> list:
    """What the page shows for ``unit`` at this step, as nested lists of strings:
    [height, given [[name, value], ...], sub-steps [[what, rule, numbers, result], ...], notes].
    The result line is written as the classroom's panel writes it."""
    e = explain(world, unit)
    rows = []
    for k, sub in enumerate(e.substeps, start=1):
        result = sub.result if sub.result.startswith("m̂") else f"= {sub.result}"
        if k == len(e.substeps) and not e.moves:
            result = f"{result}   (not taken: {e.status})"
        rows.append([sub.what, sub.rule, sub.numbers, result])
    return [num(world.heights[unit]), [list(g) for g in e.given], rows, list(e.notes)]


def _map_strings(tree, f):
    """``tree`` (nested lists of strings) with f applied to every string."""
    return [_map_strings(t, f) for t in tree] if isinstance(tree, list) else f(tree)


def pack(record: list) -> tuple:
    """(template, numbers): the record with its k-th distinct number replaced by ``{k}``."""
    numbers: list = []
    index: dict = {}

    def swap(match):
        token = match.group(0)
        if token not in index:
            index[token] = len(numbers)
            numbers.append(token)
        return "{%d}" % index[token]

    def strip(s: str) -> str:
        if "{" in s or "}" in s:
            raise ValueError(f"an explanation holds a brace, which the page's templates reserve: {s!r}")
        return NUMBER.sub(swap, s)

    return _map_strings(record, strip), numbers


def unpack(template, numbers: list) -> list:
    """The inverse of ``pack`` (the page's script does the same)."""
    return _map_strings(template, lambda s: re.sub(r"\{(\d+)\}", lambda m: numbers[int(m.group(1))], s))


def decode_explanation(explained: dict, unit: int, step: int) -> list | None:
    """The record of ``unit`` at ``step`` from a page's ``explained`` block, or None if not explained."""
    if unit not in explained["units"]:
        return None
    template_id, _, numbers = explained["records"][explained["units"].index(unit)][step].partition(" ")
    return unpack(explained["templates"][int(template_id)], numbers.split(" ") if numbers else [])


def decode_positions(data: dict) -> np.ndarray:
    """The trajectories of a page's data: (T + 1, N, 2) float64 [world]."""
    p = data["positions"]
    q = np.asarray(p["q"], np.float64).reshape(-1, data["run"]["units"], 2)
    return np.asarray(p["origin"]) + q * np.asarray(p["scale"])


# -- the run -----------------------------------------------------------------------------------------
class _Book:
    """The page's data, filled in one step at a time."""

    def __init__(self, world, steps: int):
        lvl = world.level
        (x0, x1), (y0, y1) = lvl.bounds
        pad = DIVERGE_MARGIN * lvl.size               # the world keeps every unit inside the map plus this
        self.top = 2 ** POSITION_BITS - 1
        self.origin = np.array([x0 - pad, y0 - pad])
        self.scale = np.array([x1 - x0 + 2 * pad, y1 - y0 + 2 * pad]) / self.top
        self.q, self.status, self.membership, self.loss = [], [], [], []
        self.orders = [[] for _ in range(MAX_SQUADS)]
        self.n_squads = 1
        self.units, self.per_squad = explained_units(world, steps)
        self.templates: dict = {}
        self.records = [[] for _ in self.units]
        self.floor = lvl.global_min_height

    def note(self, world, race: bool):
        """Everything about the world at its current step."""
        t = world.step_count
        self.n_squads = max(self.n_squads, world.n_squads)
        q = np.rint((world.positions - self.origin) / self.scale)
        self.q.append(np.clip(q, 0, self.top).astype(np.int64).ravel())
        self.status.append("".join(map(str, world.status.tolist())))
        squads = "".join(map(str, world.squad.tolist()))
        if not self.membership or self.membership[-1][1] != squads:
            self.membership.append([t, squads])
        for s in range(world.n_squads):
            entry = _orders_entry(world, s, race)
            if not self.orders[s] or self.orders[s][-1][1:] != entry:
                self.orders[s].append([t, *entry])
        self.loss.append(_mean_losses(world, self.floor))
        for row, unit in enumerate(self.units):
            template, numbers = pack(explanation_record(world, unit))
            key = repr(template)
            if key not in self.templates:
                self.templates[key] = (len(self.templates), template)
            self.records[row].append(" ".join([str(self.templates[key][0]), *numbers]))


def _orders_entry(world, squad: int, race: bool) -> list:
    """[label, optimizer, η text, momentum symbol, momentum text, schedule] of a squad's orders."""
    o = world.orders[squad]
    symbol = ("β₁" if o.optimizer == "adam" else "μ") if uses_momentum(o.optimizer) else ""
    mu = num(float(np.mean(o.momentum)), 3) if symbol else ""
    return [squad_label(world, squad, race), OPTIMIZER_LABELS[o.optimizer], num(float(np.mean(o.lr)), 3), symbol, mu,
            schedule_text(o.schedule)]


def schedule_text(schedule) -> str:
    """A squad's learning-rate schedule in a few words ('cosine to 0.001 over 100 steps'); empty
    for none or a constant rate."""
    return "" if schedule is None or schedule.kind == "constant" else schedule.describe()


def _mean_losses(world, floor: float) -> list:
    """Each squad's mean loss above the global minimum, f(x) − f* (None for a squad without units)."""
    counts = np.bincount(world.squad, minlength=world.n_squads)
    sums = np.bincount(world.squad, weights=world.heights - floor, minlength=world.n_squads)
    return [float(f"{s / c:.{LOSS_DIGITS}g}") if c else None for s, c in zip(sums, counts)]


def run_world(rec: Recording, on_step=None):
    """Step the recording's world from 0 to ``rec.steps`` (or until nothing moves and no order is
    to come), calling ``on_step(world)`` at every step, after the orders due at it are given."""
    world = rec.new_world()
    while True:
        if rec.replay is not None:
            rec.replay.apply_due(world)
        if on_step is not None:
            on_step(world)
        moving = (world.status == DESCENDING).any() or (rec.replay is not None and not rec.replay.finished)
        if world.step_count >= rec.steps or not moving:
            return world
        world.step()


def gather(rec: Recording, relief=None) -> dict:
    """The page's data for a recording (see the module's docstring); JSON-ready. ``relief`` (a
    page_relief.Relief) notes every step too: the units' elevations, which ones the ground hides."""
    book = None

    def note(world):
        nonlocal book
        book = book or _Book(world, rec.steps)
        book.note(world, rec.race)
        if relief is not None:
            relief.note(world)

    world = run_world(rec, note)
    lvl = world.level
    outcome, colour = outcome_text(world, rec.race, final=False)     # shown from the first arrival on
    title = f"Replay: {lvl.title}" if rec.replay is not None else lvl.title
    data = {
        "format": FORMAT,
        "level": {"id": lvl.id, "title": title, "lesson": lvl.lesson,
                  "bounds": [list(b) for b in lvl.bounds], "global_min": [float(v) for v in lvl.global_min],
                  "global_min_height": height_text(lvl.global_min_height), "goal_radius": lvl.goal_radius,
                  "spawn": [*map(float, lvl.spawn_center), lvl.spawn_radius], "budget": lvl.budget,
                  "minima": [[float(m.xy[0]), float(m.xy[1]), height_text(m.height)] for m in lvl.minima]},
        "run": {"units": world.n_units, "steps": world.step_count, "planned": rec.steps, "seed": world.seed,
                "race": rec.race, "replay": rec.replay is not None},
        "squads": [{"colour": hex_colour(SQUAD_COLOURS[s]), "orders": book.orders[s]} for s in range(book.n_squads)],
        "positions": {"origin": book.origin.tolist(), "scale": book.scale.tolist(),
                      "q": np.concatenate(book.q).tolist()},
        "status": book.status,
        "membership": book.membership,
        "loss": book.loss,
        "events": _events(world),
        "outcome": {"text": outcome, "colour": hex_colour(colour), "step": outcome_step(world)},
        "explained": {"units": book.units, "per_squad": None if len(book.units) == world.n_units else book.per_squad,
                      "templates": [t for _, t in sorted(book.templates.values())],
                      "records": book.records},
    }
    return data if relief is None else {**data, **relief.data()}


def outcome_step(world) -> int:
    """The step from which the page may tell the outcome: the first arrival's, else the last."""
    arrived = world.arrival_step[world.arrival_step >= 0]
    return int(arrived.min()) if len(arrived) else int(world.step_count)


def _events(world) -> list:
    """The world's events, one line per (step, squad, kind): [step, squad, text]."""
    groups: dict = {}
    for e in world.events:
        groups.setdefault((e.step, e.squad, e.kind, e.kind == "trapped" and e.near_minimum), []).append(e)
    lines = []
    for (step, squad, kind, near), group in groups.items():
        n, h = len(group), height_text(group[0].height)
        who = f"{n} units" if n > 1 else "1 unit"
        what = {"arrived": "reached the global minimum", "diverged": "diverged: learning rate too large"}.get(
            kind, f"trapped in a local minimum, h = {h}" if near else f"stalled on flat ground, h = {h}")
        lines.append([step, squad, f"{who} {what}"])
    return lines
