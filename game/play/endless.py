"""Endless mode: procedural maps of rising difficulty until the first loss (sim/endless.py), a score,
and the high-score table (highscores.py).

The scene shows the rules and the table. Enter starts a run: its seed is the one given
(``python main.py play endless --seed N``), else one drawn from the clock, and it is shown. Each map
goes straight to its battle (deploy, descend); the results screen then asks this scene -- the one
under it that runs a course of levels -- what comes next (``report``, ``next_level``, ``go_on``,
``summary``, ``leave_label``): after a win the next map, after a loss the table. The next map is
measured on a background thread while the current one is played (a few tenths of a second to a few
seconds). Leaving a battle or the results before the run is lost ends the run too, with the score
it has: every run that ends with points is offered to the table, saved atomically beside the
progress file.
"""
from __future__ import annotations

import threading
import time

import pygame

import sim
from sim.endless import STAR_POINTS, SUPPLY_POINTS, TIER_POINTS, EndlessRun, pick_map
from game.app import ALERT_SECONDS, Scene
from game.view.widgets import ACCENT, CARD, FAINT, GOOD, MUTED, PANEL, PANEL_EDGE, TEXT, Button, text, wrap

from .highscores import KEEP, HighScores

SEED_RANGE = 1_000_000_000      # a run started without --seed takes its seed from the clock, below this
RULES = (f"Procedural maps that grow harder as the run goes on (a smaller share of each map's orders box wins), "
         f"until the first loss. A cleared map scores {TIER_POINTS['easy']} / {TIER_POINTS['normal']} / "
         f"{TIER_POINTS['hard']} for an easy / normal / hard map, {STAR_POINTS} per star, and up to {SUPPLY_POINTS} "
         f"for the supply left. Leaving a map ends the run.")


class Endless(Scene):
    """The endless mode's screen and the course of its runs."""
    name = "endless"

    def __init__(self, app, seed: int | None = None, start: bool = False):
        super().__init__(app)
        self.scores = HighScores(app.progress.folder)
        if self.scores.message:
            app.notify(self.scores.message, seconds=ALERT_SECONDS, local=False)
        self.seed = seed                 # the seed of the first run (--seed), or None: from the clock
        self.run: EndlessRun | None = None
        self.place: int | None = None    # the last run's place in the table (None: not in it)
        self._thread: threading.Thread | None = None
        self._prepared: tuple | None = None      # (k, name, share) of the map measured in the background
        self._waiting = False            # a run's first map is being prepared; its battle opens when ready
        self.buttons: list = []
        if start:
            self.start_run()

    # -- the course of a run ----------------------------------------------------------------------
    def start_run(self):
        seed = self.seed if self.seed is not None else int(time.time() * 1000) % SEED_RANGE
        self.seed, self.place = None, None           # a second run draws its own seed
        self.run = EndlessRun(seed)
        self._waiting = True
        self._prepare()

    def _prepare(self):
        """Measure the run's next map on a background thread (``_prepared`` when done)."""
        run, k = self.run, len(self.run.maps) + 1
        self._prepared = None

        def work():
            name, share = pick_map(run.seed, k)
            sim.load_level(name)                      # cached: the battle opens at once
            self._prepared = (k, name, share)

        self._thread = threading.Thread(target=work, daemon=True)
        self._thread.start()

    def _take_prepared(self) -> str:
        """The prepared map, waited for if it is not ready yet, as the run's next map."""
        self._thread.join()
        k, name, share = self._prepared
        assert k == len(self.run.maps) + 1
        self.run.maps.append((name, share))
        return name

    def _open_next(self, swap: bool):
        """The run's next map, straight into its battle (in place of the scene on top if ``swap``)."""
        level = sim.load_level(self._take_prepared())
        (self.app.swap if swap else self.app.open)("battle", level)
        self._prepare()

    def report(self, battle):
        """The results of one of the run's battles (asked once, by the results screen)."""
        if self.run is None or self.run.over or battle.level.id != self.run.current:
            return
        self.run.record(battle.world)
        if self.run.over:
            self._enter()

    def next_level(self) -> str | None:
        """The name of the run's next map while the run goes on (None once it is over)."""
        return None if self.run is None or self.run.over else f"map {len(self.run.maps) + 1}"

    def go_on(self):
        """Next map: the results make way for the next map's battle."""
        if self.next_level() is not None:
            self._open_next(swap=True)

    def leave_label(self) -> str:
        return "End run" if self.next_level() is not None else "High scores"

    def summary(self) -> list[str]:
        """Lines for the results panel: the run's score, and after a loss its place in the table."""
        run = self.run
        if run is None:
            return []
        if run.over:
            where = f"place {self.place} of {KEEP}" if self.place else f"not in the top {KEEP}"
            return [f"Run over: {run.cleared} map{'s' if run.cleared != 1 else ''} cleared, "
                    f"{run.score:,} points ({where}). Seed {run.seed}."]
        return [f"Endless: map {run.cleared} cleared, +{run.gains[-1]:,} points, score {run.score:,}."]

    def _enter(self):
        """Offer the finished run to the high-score table (a run that scored nothing is not entered)."""
        run = self.run
        run.over = True
        if run.score <= 0:
            self.place = None
            return
        try:
            self.place = self.scores.add(run.score, run.cleared, run.seed)
        except OSError as err:
            self.place = None
            self.app.notify(f"Could not save the high scores: {err}", seconds=ALERT_SECONDS, local=False)

    # -- the scene --------------------------------------------------------------------------------
    def update(self, dt):
        if self.run is None or self.run.over:
            return
        if self._waiting:
            if self._prepared is not None:
                self._waiting = False
                self._open_next(swap=False)
        else:                                         # back here mid-run: the player left; the run ends
            self._enter()

    def layout(self, size, scale):
        self.size, self.scale = size, scale
        w, h = size
        margin, bh = int(48 * scale), int(46 * scale)
        y = h - margin - bh
        self.buttons = [Button((margin, y, int(260 * scale), bh), "Start a run  \u25b6  (Enter)", self.start_run,
                               size=int(16 * scale), primary=True),
                        Button((margin + int(274 * scale), y, int(150 * scale), bh), "Back  (Esc)", self.back,
                               size=int(15 * scale))]

    def handle(self, event) -> bool:
        if self._waiting:
            return False
        if event.type == pygame.KEYDOWN and event.key in (pygame.K_RETURN, pygame.K_KP_ENTER, pygame.K_SPACE):
            self.start_run()
            return True
        return any(b.handle(event) for b in self.buttons)

    def draw(self, surface):
        s, w = self.scale, self.size[0]
        margin = int(48 * s)
        surface.fill(PANEL)
        text(surface, "Endless", (margin, int(36 * s)), int(34 * s), TEXT, bold=True)
        y = int(84 * s)
        for line in wrap(RULES, int(15 * s), w - 2 * margin):
            text(surface, line, (margin, y), int(15 * s), MUTED)
            y += int(15 * s * 1.35)
        y += int(10 * s)
        text(surface, self._status(), (margin, y), int(16 * s), ACCENT, bold=True)
        self._draw_table(surface, pygame.Rect(margin, y + int(38 * s), min(w - 2 * margin, int(760 * s)),
                                              self.buttons[0].rect.y - y - int(56 * s)))
        for b in self.buttons:
            b.enabled = not self._waiting
            b.draw(surface)

    def _status(self) -> str:
        run = self.run
        if run is not None and self._waiting:
            return f"Preparing map 1 (seed {run.seed})\u2026"
        if run is not None and run.over:
            where = f"place {self.place}" if self.place else f"not in the top {KEEP}"
            return f"Last run: {run.cleared} map{'s' if run.cleared != 1 else ''}, {run.score:,} points \u2014 {where}"
        return "Press Enter to start a run"

    def _draw_table(self, surface, box: pygame.Rect):
        """The best KEEP runs: place, score, maps, date, seed; the last run's row marked."""
        s = self.scale
        columns = [("#", 0.0, "topleft"), ("SCORE", 0.28, "topright"), ("MAPS", 0.44, "topright"),
                   ("DATE", 0.52, "topleft"), ("SEED", 1.0, "topright")]
        row_h = max(int(18 * s), min(int(30 * s), box.height // (KEEP + 1)))
        for label, at, anchor in columns:
            text(surface, label, (box.x + at * box.width, box.y), int(11 * s), MUTED, bold=True, anchor=anchor)
        rule = box.y + row_h - int(4 * s)
        pygame.draw.line(surface, PANEL_EDGE, (box.x, rule), (box.right, rule))
        if not self.scores.runs:
            text(surface, "No runs yet.", (box.x, box.y + row_h), int(15 * s), FAINT)
        for k, entry in enumerate(self.scores.runs, 1):
            y = box.y + k * row_h
            mine = k == self.place
            if mine:
                pygame.draw.rect(surface, CARD, (box.x - int(8 * s), y - int(3 * s), box.width + int(16 * s), row_h),
                                 border_radius=4)
            cells = [str(k), f"{entry['score']:,}", str(entry["maps"]), entry["date"], str(entry["seed"])]
            for (label, at, anchor), cell in zip(columns, cells):
                text(surface, cell, (box.x + at * box.width, y), int(15 * s), GOOD if mine else TEXT,
                     bold=mine, anchor=anchor)
