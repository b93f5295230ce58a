"""Endless mode: procedural maps of rising difficulty until the first loss, and the run's score.

A run is a seed. Its k-th map (k = 1, 2, ...) is a procedural map ``random:SEED:TIER`` (named
``random:SEED`` when TIER is normal, its one name): TIER is procgen's difficulty for the map's
place in the run (``tier``), and SEED is drawn by a numpy Generator seeded with (run seed, k, try),
so a run's maps follow from its seed alone. Each candidate's difficulty is measured as a campaign
level's is (sim/solver.py): the share of an orders box that wins from its spawn -- here a coarse
one, every optimizer x MEASURE_LRS learning rates x MEASURE_MOMENTA momenta, about half a second a
map. The k-th map must fall in a band of shares that narrows as the run goes on (``band``: at most
FIRST_SHARE x DECAY^(k-1), never below FLOOR_SHARE, and at least BAND_LOW times that): the first
candidate inside it is taken; when TRIES candidates in a row miss it, the one closest to it (on a
log scale) that can be won is.

Score (``points``): a cleared map earns TIER_POINTS[tier] + STAR_POINTS x its stars +
round(SUPPLY_POINTS x supply left / supply); a run scores the sum over the maps it cleared before
its first loss.

    run = EndlessRun(seed=7)
    name = run.next_map()           # 'random:...:easy', measured (a few tenths of a second per try)
    ... play it ...
    run.record(world)               # won: the points are added; lost: the run is over
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .levels import MAX_SEED, RANDOM_NAME, load_level, random_name
from .sweep import lr_grid, momentum_grid, sweep

TIERS = ((2, "easy"), (5, "normal"))   # maps 1-2 easy, 3-5 normal, then hard
LAST_TIER = "hard"
MEASURE_LRS, MEASURE_MOMENTA = 6, 3    # the coarse orders box a candidate map is measured on
FIRST_SHARE = 0.6                      # the first map wins in at most this share of its box ...
DECAY = 0.85                           # ... each next one in at most this times the one before ...
FLOOR_SHARE = 0.14                     # ... but the bound never falls below this ...
BAND_LOW = 0.5                         # ... and a map wins in at least this times the bound
TRIES = 8                              # candidates drawn for a map before the closest of them is taken
MAP_SEEDS = 1_000_000_000              # a map's seed is below this (short names: random:123456789)
TIER_POINTS = {"easy": 100, "normal": 200, "hard": 300}   # points for clearing a map of each tier
STAR_POINTS = 50                       # ... plus this per star earned on it
SUPPLY_POINTS = 100                    # ... plus this times the share of the supply left


def tier(k: int) -> str:
    """Procgen's difficulty for the run's k-th map (k from 1)."""
    return next((name for last, name in TIERS if k <= last), LAST_TIER)


def share_of(name: str) -> float:
    """The share of the coarse orders box that wins map ``name`` from its spawn (sim/sweep.py)."""
    level = load_level(name)
    r = sweep(level, lrs=lr_grid(level, MEASURE_LRS), momenta=momentum_grid(level, MEASURE_MOMENTA))
    won = r.won() & (r.first_arrival * r.starts <= level.supply)
    return float(won.mean())


def candidate(run_seed: int, k: int, attempt: int) -> str:
    """The name of the ``attempt``-th candidate for the run's k-th map (drawn from the run's seed)."""
    rng = np.random.default_rng([run_seed, k, attempt])
    seed, diff = int(rng.integers(0, MAP_SEEDS)), tier(k)
    return f"random:{seed}" if diff == "normal" else f"random:{seed}:{diff}"     # a map's one name (its id)


def band(k: int) -> tuple[float, float]:
    """(low, high): the shares of its orders box the run's k-th map may win in."""
    high = max(FLOOR_SHARE, FIRST_SHARE * DECAY ** (k - 1))
    return BAND_LOW * high, high


def pick_map(run_seed: int, k: int) -> tuple[str, float]:
    """(name, share) of the run's k-th map: the first candidate whose share is in ``band(k)``,
    else of TRIES candidates the winnable one closest to the band (see the module's docstring)."""
    low, high = band(k)
    tried = []
    for attempt in range(TRIES):
        name = candidate(run_seed, k, attempt)
        share = share_of(name)
        if low <= share <= high:
            return name, share
        tried.append((share, name))
    winnable = [t for t in tried if t[0] > 0] or tried
    share, name = min(winnable, key=lambda t: abs(np.log(max(t[0], 1e-9) / min(max(t[0], low), high))))
    return name, share


def points(level, world) -> int:
    """What clearing ``level`` with ``world`` earns (0 for a run that was not won)."""
    if not world.won:
        return 0
    diff = random_name(level.id)[1] if RANDOM_NAME.fullmatch(level.id) else "normal"
    left = max(0, world.supply_left) / level.supply
    return TIER_POINTS[diff] + STAR_POINTS * world.stars() + round(SUPPLY_POINTS * left)


@dataclass
class EndlessRun:
    """A run: its ``seed``, the maps cleared and the score so far, each map's name and share."""
    seed: int
    score: int = 0
    cleared: int = 0
    over: bool = False
    maps: list = field(default_factory=list)       # [(name, share)] of the maps given so far
    gains: list = field(default_factory=list)      # points earned on each map cleared

    def __post_init__(self):
        if not (isinstance(self.seed, int) and 0 <= self.seed <= MAX_SEED):
            raise ValueError(f"a run's seed is a whole number from 0 to {MAX_SEED}, got {self.seed!r}")

    def next_map(self) -> str:
        """The run's next map, measured now (``pick_map``: up to a few seconds), and remembered."""
        self.maps.append(pick_map(self.seed, len(self.maps) + 1))
        return self.maps[-1][0]

    @property
    def current(self) -> str | None:
        """The name of the map being played (the last one given), or None before the first."""
        return self.maps[-1][0] if self.maps else None

    def record(self, world) -> int:
        """The end of a map: a win adds its points (returned), a loss ends the run (0)."""
        if self.over:
            raise ValueError("the run is over")
        gained = points(world.level, world)
        if world.won:
            self.score += gained
            self.cleared += 1
            self.gains.append(gained)
        else:
            self.over = True
        return gained
