"""The terminal view as data: a frame is a grid of cells (glyph, foreground, background) built from
the world by a pure function, and sent to the terminal as its difference from the previous frame.

    raster = Raster(level, cols, lines, mode)    # once per level and terminal size: the terrain
    view = View(level)                           # what the player looks at: squad, fog, pause...
    frame = render(world, view, cols, lines, mode, raster)   # a Frame of (lines, cols) cells
    out = diff_frame(previous, frame)            # bytes: cursor moves, SGR and glyphs of changed cells

Colour modes: "truecolor" (24-bit, SGR 38;2;r;g;b), "256" (the xterm 6x6x6 cube and grey ramp,
SGR 38;5;n) and "ascii" (no colour at all: heights as a character ramp).

Half blocks: a cell shows two map pixels, the upper one as the foreground of "▀" and the lower one
as its background. A terminal cell is about twice as tall as it is wide, so these pixels are about
square and the map has twice as many pixel rows as the terminal has lines.

Screen layout: line 0 the header (level, latest event), then the map, then the status line
(squad, optimizer, lr, momentum, step/budget, units by status) and the help line.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.world import ARRIVED, DESCENDING, DIVERGED, TRAPPED

from game.view import palette as pal

from .colour import DEFAULT, colour_sgr, encode
from .raster import FOG_CELLS, Raster, fog_shape
from .text import ascii_only, end_box, header_segments, help_text, status_segments

MIN_COLS, MIN_LINES = 40, 12      # smaller terminals get a message instead of the map
HALF_BLOCK = "▀"
REVEAL_FRACTION = 0.04            # a unit reveals a disc of this fraction of the map's long side
BOX_WIDTH = 60                    # the result panel's text is wrapped to this many columns
MERGE_GAP = 3                     # changed cells this close on a row are sent as one run

# unit glyphs by status: (unicode, unicode for the selected squad, ascii, ascii selected)
UNIT_GLYPHS = {DESCENDING: ("●", "◉", "o", "O"), ARRIVED: ("⚑", "⚑", "F", "F"),
               TRAPPED: ("×", "×", "x", "x"), DIVERGED: ("✖", "✖", "X", "X")}
DRAW_RANK = np.zeros(4, np.int32)                 # by status code; higher is drawn on top
DRAW_RANK[[DIVERGED, TRAPPED, ARRIVED, DESCENDING]] = [0, 1, 2, 3]
TRAIL_STEPS = 12                  # trails show this many past steps ...
TRAIL_ALPHA = (0.15, 0.7)         # ... tinted from this much (oldest) to this much (newest)
GOAL_GLYPHS = ("◎", "G")          # the global minimum, shown once the level is over
MINIMUM_GLYPHS = ("○", "m")       # the other minima, shown with it
# -- what the player looks at ---------------------------------------------------------------------
class View:
    """The view's state: selected squad, paused, fog on/off, the explored record, a message."""

    def __init__(self, level, paused: bool = True, fog: bool = True):
        self.level = level
        self.squad = 0
        self.paused = paused
        self.speed = 1                     # the pace: times STEPS_PER_S (game.view.names.SPEEDS, as in the game)
        self.fog = fog
        self.message = ""
        self.explored = np.zeros(fog_shape(level), bool)
        r = REVEAL_FRACTION * FOG_CELLS
        k = int(np.ceil(r))
        dr, dc = np.mgrid[-k:k + 1, -k:k + 1]
        disc = dr * dr + dc * dc <= r * r
        self._disc = (dr[disc], dc[disc])          # offsets [cells] of the revealed disc

    def reveal(self, positions):
        """Mark the ground within the reveal radius of each position (N, 2) [world] explored."""
        (x0, x1), (y0, y1) = self.level.bounds
        xy = np.asarray(positions, float).reshape(-1, 2)
        xy = xy[(xy[:, 0] >= x0) & (xy[:, 0] <= x1) & (xy[:, 1] >= y0) & (xy[:, 1] <= y1)]
        cell = self.level.size / FOG_CELLS
        rows, cols = self.explored.shape
        r = (np.floor((y1 - xy[:, 1]) / cell).astype(np.intp)[:, None] + self._disc[0]).ravel()
        c = (np.floor((xy[:, 0] - x0) / cell).astype(np.intp)[:, None] + self._disc[1]).ravel()
        ok = (r >= 0) & (r < rows) & (c >= 0) & (c < cols)
        self.explored[r[ok], c[ok]] = True


# -- frames -----------------------------------------------------------------------------------------
@dataclass
class Frame:
    """A screenful of cells: glyphs (lines, cols) of one character each, and foreground and
    background colour codes (lines, cols) in ``mode`` (DEFAULT for the terminal's own)."""
    glyphs: np.ndarray
    fg: np.ndarray
    bg: np.ndarray
    mode: str

    @classmethod
    def blank(cls, cols: int, lines: int, mode: str) -> "Frame":
        return cls(np.full((lines, cols), " ", "<U1"), np.full((lines, cols), DEFAULT, np.int32),
                   np.full((lines, cols), DEFAULT, np.int32), mode)

    @property
    def size(self) -> tuple:
        """(cols, lines)"""
        return self.glyphs.shape[1], self.glyphs.shape[0]

    def rows(self) -> list:
        """The cells as a list of rows of (glyph, fg, bg)."""
        return [list(zip(g, f, b)) for g, f, b in zip(self.glyphs.tolist(), self.fg.tolist(), self.bg.tolist())]

    def text(self) -> str:
        """The glyphs alone, one line per row."""
        return "\n".join("".join(row) for row in self.glyphs.tolist())

    def shown(self, text: str) -> str:
        """``text`` as this frame shows it: spelled in ASCII in the "ascii" mode (where "η" takes
        three cells), as it is otherwise. Measure text in this form before placing it."""
        return ascii_only(text) if self.mode == "ascii" else text

    def put(self, row: int, col: int, text: str, fg: int = DEFAULT, bg: int = DEFAULT):
        """Write ``text`` (as ``shown``) at (row, col), cut at the left and right edges."""
        cols = self.glyphs.shape[1]
        text = self.shown(text)
        if col < 0:
            text, col = text[-col:], 0
        text = text[:max(0, cols - col)]
        if self.mode == "ascii":
            fg, bg = DEFAULT, DEFAULT
        if text and 0 <= row < self.glyphs.shape[0]:
            self.glyphs[row, col:col + len(text)] = list(text)
            self.fg[row, col:col + len(text)] = fg
            self.bg[row, col:col + len(text)] = bg


def raster_for(level, cols: int, lines: int, mode: str, old: Raster | None = None) -> Raster | None:
    """The terrain raster for this terminal: ``old`` if it still fits, else a new one; None if
    the terminal is too small for a map."""
    if cols < MIN_COLS or lines < MIN_LINES:
        return None
    if old is not None and old.level is level and (old.cols, old.lines, old.mode) == (cols, lines, mode):
        return old
    return Raster(level, cols, lines, mode)


def render(world, view: View, cols: int, lines: int, mode: str, raster: Raster | None = None) -> Frame:
    """The frame for a terminal of ``cols`` x ``lines``: the map, or a message if it is too small.
    Pass the last ``raster`` to reuse it (see ``raster_for``)."""
    raster = raster_for(world.level, cols, lines, mode, raster)
    return too_small_frame(cols, lines, mode) if raster is None else build_frame(world, view, raster)


def too_small_frame(cols: int, lines: int, mode: str) -> Frame:
    """A blank screen with the minimum size centred on it."""
    f = Frame.blank(max(cols, 1), max(lines, 1), mode)
    words = [f"Terminal too small: {cols}x{lines}", f"Valley Command needs {MIN_COLS}x{MIN_LINES}",
             "enlarge it, or q to quit"]
    for i, text in enumerate(words):
        f.put(max(0, lines // 2 - 1 + i), max(0, (cols - len(text)) // 2), text)
    return f


def build_frame(world, view: View, raster: Raster) -> Frame:
    """The whole screen for ``world`` seen through ``view`` on ``raster``'s terminal."""
    f = Frame.blank(raster.cols, raster.lines, raster.mode)
    _draw_terrain(f, world, view.fog and not world.over, view, raster)     # the result lifts the fog
    if world.over:
        _draw_minima(f, world, raster)
    _draw_units(f, world, view, raster)
    _draw_text_line(f, 0, header_segments(world, view, raster.cols, f.shown), raster)
    _draw_text_line(f, raster.lines - 2, status_segments(world, view, raster.cols, raster.mode == "ascii"), raster)
    f.put(raster.lines - 1, 0, help_text(raster.cols).ljust(raster.cols), raster.text_code, DEFAULT)
    if world.over:
        _draw_box(f, end_box(world, min(BOX_WIDTH, raster.cols - 4), f.shown), world, raster)
    return f


def _draw_text_line(f: Frame, row: int, segments: list, raster: Raster):
    """A full-width panel line of (text, squad or None) segments, each in its squad's colour."""
    f.put(row, 0, " " * raster.cols, raster.text_code, raster.panel_code)
    col = 0
    for words, squad in segments:
        colour = raster.text_code if squad is None else raster.squad_codes[squad % len(raster.squad_codes)]
        words = f.shown(words)
        f.put(row, col, words, colour, raster.panel_code)
        col += len(words)


def _draw_terrain(f: Frame, world, fog: bool, view: View, raster: Raster):
    """The map's pixels two to a cell, under the fog where it is on, with the units' trails."""
    rows = slice(1, 1 + raster.map_rows)
    seen = view.explored.ravel()[raster.fog_index] | ~raster.inside if fog else None
    if raster.mode == "ascii":
        cells = raster.ascii
        if seen is not None:
            cells = np.where(seen.reshape(raster.map_rows, 2, -1).any(1), cells, " ")
        f.glyphs[rows] = cells
        return
    codes = raster.terrain.copy() if seen is None else np.where(seen, raster.terrain, raster.fog_code)
    _draw_trails(codes, world, raster)
    f.glyphs[rows] = HALF_BLOCK
    f.fg[rows], f.bg[rows] = codes[0::2], codes[1::2]


def _draw_trails(codes: np.ndarray, world, raster: Raster):
    """Tint the canvas pixels the units stood on in the last TRAIL_STEPS steps with their squad's
    colour, the newest most strongly; ``codes`` is the canvas (rows, cols) of colour codes."""
    points = world.trail_points(TRAIL_STEPS)                     # (K, N, 2), oldest first
    k, n = points.shape[:2]
    if k < 2:
        return
    pr, pc = raster.pixels(points.reshape(-1, 2))
    age = np.repeat(np.linspace(TRAIL_ALPHA[0], TRAIL_ALPHA[1], k, dtype=np.float32), n)[:, None]
    squad = np.array(pal.SQUAD_COLOURS, np.float32)[np.tile(world.squad, k) % len(pal.SQUAD_COLOURS)]
    rgb = raster.rgb[pr, pc] * (1 - age) + squad * age
    codes[pr, pc] = encode(rgb, raster.mode)                     # the newest is written last


def _draw_units(f: Frame, world, view: View, raster: Raster):
    """Unit glyphs in squad colours over the ground they stand on; the selected squad on top."""
    pr, pc = raster.pixels(world.positions)
    order = DRAW_RANK[world.status] + 4 * (world.squad == view.squad)
    idx = np.argsort(order, kind="stable")
    row, col = 1 + pr[idx] // 2, pc[idx]
    ascii_mode = 2 if raster.mode == "ascii" else 0
    table = {(s, sel): UNIT_GLYPHS[s][ascii_mode + sel] for s in UNIT_GLYPHS for sel in (0, 1)}
    selected = world.squad[idx] == view.squad
    f.glyphs[row, col] = [table[s, int(sel)] for s, sel in zip(world.status[idx].tolist(), selected.tolist())]
    if raster.mode != "ascii":
        f.fg[row, col] = np.array(raster.squad_codes)[world.squad[idx] % len(raster.squad_codes)]
        f.bg[row, col] = raster.terrain[pr[idx], pc[idx]]      # the ground under the unit's pixel


def _draw_minima(f: Frame, world, raster: Raster):
    """The level's minima, revealed with the result: the global one last, on top."""
    others = [m.xy for m in world.level.minima[1:] if not m.on_edge]
    points = np.array(others + [world.level.global_min], float).reshape(-1, 2)
    pr, pc = raster.pixels(points)
    rows, cols = 1 + pr // 2, pc
    glyphs = [MINIMUM_GLYPHS[raster.mode == "ascii"]] * len(others) + [GOAL_GLYPHS[raster.mode == "ascii"]]
    f.glyphs[rows, cols] = glyphs
    if raster.mode != "ascii":
        f.fg[rows, cols], f.bg[rows, cols] = raster.marker_code, raster.terrain[pr, pc]


def _draw_box(f: Frame, lines: list, world, raster: Raster):
    """A panel of (text, tone) lines across the map (see ``_box_top`` for where); tone is 'win',
    'loss', a squad index or None."""
    lines = [(f.shown(text), tone) for text, tone in lines]
    width = min(raster.cols - 2, max(len(t) for t, _ in lines) + 6)
    top = _box_top(world, raster, len(lines) + 2)
    left = (raster.cols - width) // 2
    for i, (text, tone) in enumerate([("", None)] + lines + [("", None)]):
        if tone is None:
            colour = raster.text_code
        elif isinstance(tone, str):
            colour = raster.tone_codes[tone]
        else:
            colour = raster.squad_codes[tone % len(raster.squad_codes)]
        f.put(top + i, left, " " * width, raster.text_code, raster.panel_code)
        f.put(top + i, left + max(1, (width - len(text)) // 2), text[:width - 2], colour, raster.panel_code)


def _box_top(world, raster: Raster, height: int) -> int:
    """The first row of a panel ``height`` rows tall: at the middle, the top or the bottom of the
    map, wherever it hides the fewest units and never the global minimum (ties: the middle)."""
    rows = 1 + raster.pixels(np.vstack([world.positions, world.level.global_min]))[0] // 2
    lowest = max(1, 1 + raster.map_rows - height)

    def hidden(top):
        under = (rows >= top) & (rows < top + height)
        return int(under[:-1].sum()) + (len(rows) + 1) * int(under[-1])     # the goal outweighs all
    return min(((raster.map_rows - height) // 2 + 1, min(2, lowest), lowest), key=hidden)


# -- sending a frame ------------------------------------------------------------------------------
def diff_frame(prev: Frame | None, cur: Frame) -> bytes:
    """The bytes that turn a terminal showing ``prev`` into one showing ``cur``: for each run of
    changed cells on a row, one cursor move, then each cell's glyph, preceded by an SGR sequence
    only where its colours differ from the previous cell sent. ``prev`` None redraws everything."""
    if prev is None or prev.glyphs.shape != cur.glyphs.shape or prev.mode != cur.mode:
        changed = np.ones(cur.glyphs.shape, bool)
    else:
        changed = (prev.glyphs != cur.glyphs) | (prev.fg != cur.fg) | (prev.bg != cur.bg)
    colour = cur.mode != "ascii"
    out, pen = [], (None, None)
    for r in np.flatnonzero(changed.any(1)).tolist():
        for a, b in _runs(np.flatnonzero(changed[r])):
            out.append(f"\x1b[{r + 1};{a + 1}H")
            glyphs = cur.glyphs[r, a:b + 1].tolist()
            if not colour:
                out.extend(glyphs)
                continue
            for g, fg, bg in zip(glyphs, cur.fg[r, a:b + 1].tolist(), cur.bg[r, a:b + 1].tolist()):
                if (fg, bg) != pen:
                    out.append(_sgr(fg, bg, pen, cur.mode))
                    pen = (fg, bg)
                out.append(g)
    return "".join(out).encode("utf-8")


def _runs(cols: np.ndarray) -> list:
    """Sorted column indices -> (first, last) runs, joining runs less than MERGE_GAP apart."""
    if not len(cols):
        return []
    breaks = np.flatnonzero(np.diff(cols) > MERGE_GAP + 1)
    starts = cols[np.r_[0, breaks + 1]]
    ends = cols[np.r_[breaks, len(cols) - 1]]
    return list(zip(starts.tolist(), ends.tolist()))


def _sgr(fg: int, bg: int, pen: tuple, mode: str) -> str:
    """One SGR sequence setting what differs between ``pen`` (fg, bg) and the wanted colours."""
    if fg != pen[0] and bg != pen[1]:
        return f"\x1b[{colour_sgr(fg, 38, mode)};{colour_sgr(bg, 48, mode)}m"
    return f"\x1b[{colour_sgr(fg, 38, mode) if fg != pen[0] else colour_sgr(bg, 48, mode)}m"


# -- benchmark --------------------------------------------------------------------------------------
BENCH_SIZE = (160, 48)            # terminal [cols, lines]
BENCH_LEVEL, BENCH_UNITS = "13-boss-hard", 48


def bench_tui(quick: bool = False) -> dict:
    """Median milliseconds to build and diff one truecolor frame of a BENCH_SIZE terminal, and the
    median bytes sent per frame after the first, with BENCH_UNITS units descending under the fog
    of war (one simulation step per frame, so every unit may move every frame)."""
    import statistics
    import time

    import sim
    level = sim.load_level(BENCH_LEVEL)
    world = sim.World(level, seed=0, units=BENCH_UNITS)
    world.set_orders(0, optimizer="adam", lr=0.5, momentum=0.9)     # about a third change cell each step
    view = View(level, paused=False)
    view.reveal(world.positions)
    raster = raster_for(level, *BENCH_SIZE, "truecolor")
    shown, times, sizes, first = None, [], [], 0
    for _ in range(15 if quick else 60):
        world.step()
        view.reveal(world.positions)
        t = time.perf_counter()
        frame = build_frame(world, view, raster)
        out = diff_frame(shown, frame)
        times.append(time.perf_counter() - t)
        if shown is not None:
            sizes.append(len(out))
        first = first or len(out)
        shown = frame
    return {"tui_frame_ms": round(1000 * statistics.median(times), 2),
            "tui_bytes_per_frame": round(statistics.median(sizes)),
            "tui_first_frame_bytes": first, "tui_bench_units": BENCH_UNITS}
