"""The terminal front end: frames as data, the diff that sends them, the player's commands, and a
whole run through a pseudo-terminal with scripted keys."""
import contextlib
import fcntl
import io
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time

import numpy as np
import pytest

import sim
from game.terminal import colour as C
from game.terminal import frame as T
from game.terminal.raster import ASCII_RAMP
from game.terminal import tui
from game.terminal.tui import Session
from tests.conftest import ROOT

TOKEN = re.compile(r"\x1b\[([?0-9;]*)([A-Za-z])|\x1b[()][0-9A-Za-z]|\x1b.|(.)", re.S)


class Screen:
    """A tiny terminal: applies cursor moves (CSI H), SGR colours (CSI m), clears (CSI 2J) and
    glyphs from a byte stream to a grid of (glyph, fg, bg) cells, with codes as in tui_frame."""

    def __init__(self, cols, lines):
        self.cols, self.lines = cols, lines
        self.clear()
        self.row = self.col = 0
        self.pen = [C.DEFAULT, C.DEFAULT]

    def clear(self):
        self.cells = [[(" ", C.DEFAULT, C.DEFAULT)] * self.cols for _ in range(self.lines)]

    def feed(self, data: bytes):
        for m in TOKEN.finditer(data.decode("utf-8", "replace")):     # a read may end mid-character
            params, final, glyph = m.group(1), m.group(2), m.group(3)
            if glyph is not None:
                if self.row < self.lines and self.col < self.cols:
                    self.cells[self.row][self.col] = (glyph, *self.pen)
                self.col += 1
            elif final == "H":
                r, _, c = (params or "1;1").partition(";")
                self.row, self.col = int(r or 1) - 1, int(c or 1) - 1
            elif final == "J" and params == "2":
                self.clear()
            elif final == "m":
                self._sgr([int(p) if p else 0 for p in params.split(";")])

    def _sgr(self, p):
        i = 0
        while i < len(p):
            if p[i] == 0:
                self.pen = [C.DEFAULT, C.DEFAULT]
            elif p[i] in (39, 49):
                self.pen[p[i] == 49] = C.DEFAULT
            elif p[i] in (38, 48) and p[i + 1] == 2:
                r, g, b = p[i + 2:i + 5]
                self.pen[p[i] == 48] = (r << 16) | (g << 8) | b
                i += 4
            elif p[i] in (38, 48) and p[i + 1] == 5:
                self.pen[p[i] == 48] = p[i + 2]
                i += 2
            i += 1

    def text(self) -> str:
        return "\n".join("".join(c[0] for c in row) for row in self.cells)

    def matches(self, frame) -> bool:
        return self.cells == frame.rows()


def world_and_view(level="08-himmelblau", fog=False):
    lvl = sim.load_level(level)
    world = sim.World(lvl, seed=0)
    view = T.View(lvl, fog=fog)
    view.reveal(world.positions)
    return world, view


# -- frames ------------------------------------------------------------------------------------------
def test_frame_is_half_blocks_of_the_terrain_raster():
    world, view = world_and_view()
    raster = T.raster_for(world.level, 100, 30, "truecolor")
    frame = T.build_frame(world, view, raster)
    assert frame.size == (100, 30)
    rows = slice(1, 1 + raster.map_rows)
    under_units = frame.glyphs[rows] != T.HALF_BLOCK
    assert under_units.sum() <= world.n_units          # every other map cell is a half block ...
    assert (frame.fg[rows] == raster.terrain[0::2])[~under_units].all()     # upper pixel
    assert (frame.bg[rows] == raster.terrain[1::2])[~under_units].all()     # lower pixel
    lows = raster.terrain[raster.inside]
    r, g = lows >> 16, (lows >> 8) & 255
    assert g.min() < 80 and r.min() < 40               # deep valleys dark teal ...
    assert ((lows >> 16) + g + (lows & 255)).max() > 600   # ... ridges pale


def test_ascii_frame_has_no_escape_codes_and_no_colour():
    world, view = world_and_view()
    view.fog = True
    frame = T.render(world, view, 80, 24, "ascii")
    text = frame.text()
    assert text.isascii() and "\x1b" not in text
    assert set(ASCII_RAMP) & set(text) and "o" in text.lower()
    assert (frame.fg == C.DEFAULT).all() and (frame.bg == C.DEFAULT).all()
    out = T.diff_frame(None, frame)
    assert out.isascii()
    assert not re.search(rb"\x1b\[[0-9;]*m", out)                  # cursor moves only, no SGR
    assert set(re.findall(rb"\x1b\[[0-9;]*([A-Za-z])", out)) == {b"H"}


def test_truecolor_and_256_colour_sequences():
    world, view = world_and_view()
    true = T.diff_frame(None, T.render(world, view, 80, 24, "truecolor"))
    c256 = T.diff_frame(None, T.render(world, view, 80, 24, "256"))
    assert b"38;2;" in true and b"48;2;" in true and b"38;5;" not in true
    assert b"38;5;" in c256 and b"48;5;" in c256 and b"38;2;" not in c256
    assert len(c256) < len(true)


def test_xterm256_quantisation():
    rgb = [(0, 0, 0), (255, 255, 255), (255, 0, 0), (128, 128, 128), (0, 95, 135), (9, 38, 46)]
    assert C.xterm256(rgb).tolist() == [16, 231, 196, 244, 24, 234]      # the war-room's deepest teal is a grey
    many = C.xterm256(np.random.default_rng(0).integers(0, 256, (500, 3)))
    assert 16 <= many.min() and many.max() <= 255


def test_unit_glyphs_by_status():
    world, view = world_and_view()
    world.status[:4] = [sim.DESCENDING, sim.ARRIVED, sim.TRAPPED, sim.DIVERGED]
    world.arrival_step[1] = 0
    world.positions[:4] = [[-4, -4.5], [-2, -4.5], [0, -4.5], [1.5, -4.5]]   # the bottom: the result panel is above
    glyphs = set(T.render(world, view, 100, 30, "256").text())
    assert {"◉", "⚑", "×", "✖"} <= glyphs
    assert {"O", "F", "x", "X"} <= set(T.render(world, view, 100, 30, "ascii").text())


def test_too_small_terminal_gets_a_message():
    world, view = world_and_view()
    frame = T.render(world, view, 30, 10, "256")
    text = frame.text()
    assert frame.size == (30, 10)
    assert "too small" in text and "40x12" in text and T.HALF_BLOCK not in text
    assert T.render(world, view, 40, 12, "256").text().count(T.HALF_BLOCK) > 100


def test_end_of_level_message():
    world, view = world_and_view("01-bowl")
    world.step(world.level.budget)
    text = T.render(world, view, 100, 30, "truecolor").text()
    assert world.over and "DEFEAT" in text and "out of steps" in text and "◎" in text
    world, view = world_and_view("01-bowl")
    world.set_orders(0, lr=0.5)
    world.step(30)
    assert world.won and "VICTORY" in T.render(world, view, 100, 30, "truecolor").text()


# -- the diff -----------------------------------------------------------------------------------------
def test_diff_sends_only_what_changed_and_reproduces_the_frame():
    world, view = world_and_view()
    first = T.render(world, view, 160, 48, "truecolor")
    screen = Screen(160, 48)
    full = T.diff_frame(None, first)
    screen.feed(full)
    assert screen.matches(first)
    assert T.diff_frame(first, first) == b""
    world.positions[0] += [2.0, -1.5]                 # one unit moves
    second = T.render(world, view, 160, 48, "truecolor")
    step = T.diff_frame(first, second)
    assert 0 < len(step) < len(full) / 50
    screen.feed(step)
    assert screen.matches(second)


# -- commands -----------------------------------------------------------------------------------------
def test_session_commands_stay_within_the_level():
    session = Session(sim.load_level("08-himmelblau"), seed=0)
    lvl, w = session.level, session.world
    for _ in range(20):
        session.command("lr up")
    assert w.orders[0].lr == lvl.lr_range[1]
    for _ in range(30):
        session.command("lr down")
    assert w.orders[0].lr == lvl.lr_range[0]
    for _ in range(30):
        session.command("momentum up")
    assert w.orders[0].momentum == lvl.momentum_range[1]
    seen = set()
    for _ in lvl.allowed:
        session.command("optimizer")
        seen.add(w.orders[0].optimizer)
    assert seen == set(lvl.allowed)
    session.command("split")
    assert w.n_squads == 2 and session.view.squad == 1
    assert (w.squad == 1).sum() == w.n_units // 2 and w.orders[1] == w.orders[0]
    session.command("next squad")
    assert session.view.squad == 0
    assert session.view.paused
    session.command("step")
    assert w.step_count == 1
    session.command("pause")
    assert not session.view.paused
    assert session.command("quit") is False


def test_keys_match_the_window_game():
    K = tui.KEYS
    assert K["."] == K["s"] == "step" and K[" "] == "pause"               # . steps, as in the window game
    assert K[";"] == K["<"] == "momentum down" and K["'"] == K[">"] == "momentum up"
    assert K["["] == "lr down" and K["]"] == "lr up" and "," not in K
    session = Session(sim.load_level("03-ravine"), seed=0)
    lr = session.world.orders[0].lr
    session.command(K["]"])
    assert session.world.orders[0].lr == pytest.approx(min(2 * lr, session.level.lr_range[1]))
    session.command(K["."])
    assert session.world.step_count == 1 and session.view.paused


def test_help_status_and_title_fit_and_spell_out(monkeypatch):
    from game.terminal.text import HELP_LINES
    for line in HELP_LINES:                                               # every line names every key
        for key in ("1-9", "[", "]", ";", "'", " o ", " n ", " f ", "Sp", ".", "s step", " r ", " q "):
            assert key in line, (key, line)
    for cols in (80, 100, 132):
        world, view = world_and_view()
        world.set_orders(0, optimizer="adam")
        rows = T.render(world, view, cols, 30, "ascii").text().splitlines()
        assert len(T.help_text(cols)) <= cols and rows[-1].strip() == T.help_text(cols).strip()
        status = rows[-2]
        assert "PAUSED" in status and " F 0" not in status                 # no bare glyph counts in ASCII
        assert re.search(r"(descending|moving|mov) 12 +arr(ived)? 0 +trap(ped)? 0 +div(erged)? 0", status), status
        if cols >= 100:
            assert re.search(r"(descending|moving) 12 +arrived 0 +trapped 0 +diverged 0", status), status
        title = rows[0].rstrip()
        assert "08-himmelblau" in title and len(title) <= cols
        assert title.endswith(("...", world.level.lesson))               # cut short with ..., never mid-word silently


def test_terminal_modules_do_not_import_pygame():
    code = "import sys, game.terminal.tui, game.terminal.frame; assert 'pygame' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_bench_tui_quick():
    out = T.bench_tui(quick=True)
    assert out["tui_frame_ms"] > 0 and 0 < out["tui_bytes_per_frame"] < out["tui_first_frame_bytes"]


def test_tui_refuses_a_pipe_and_a_bad_level():
    run = lambda *a: subprocess.run([sys.executable, "main.py", "tui", *a], cwd=ROOT, capture_output=True, text=True)
    piped = run("01-bowl")
    assert piped.returncode == 2 and "not a terminal" in piped.stderr and "Traceback" not in piped.stderr
    bad = run("no-such-level")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


# -- a whole run in a pseudo-terminal ------------------------------------------------------------------
def _capabilities():
    """rmcup and cnorm as blessed emits them for xterm-256color."""
    code = ("import blessed; t = blessed.Terminal(kind='xterm-256color', force_styling=True);"
            "print(repr((t.exit_fullscreen, t.normal_cursor)))")
    return eval(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)


class Pty:
    """A child process on a pseudo-terminal of a fixed size; collects everything it writes and
    answers its cursor position requests."""

    def __init__(self, argv, cols, lines, env):
        self.answered = 0                          # cursor position reports sent back so far
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", lines, cols, 0, 0))
        self.proc = subprocess.Popen(argv, cwd=ROOT, stdin=slave, stdout=slave, stderr=slave, env=env,
                                     start_new_session=True)
        self.slave = slave                         # kept open to read the terminal's modes afterwards
        self.out = b""

    def read(self, seconds):
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            if select.select([self.master], [], [], left)[0]:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:                    # EIO: the child closed the terminal
                    return
                if not chunk:
                    return
                self.out += chunk
                self._answer_queries()

    def _answer_queries(self):
        """Reply to each cursor position request (CSI 6n) as a terminal would: blessed closes its
        capability queries with one, and waits for the reply."""
        while self.out.count(b"\x1b[6n") > self.answered:
            os.write(self.master, b"\x1b[1;1R")
            self.answered += 1

    def wait_for(self, screen, predicate, seconds):
        """Read until ``predicate(screen text)`` holds; the screen is rebuilt from all output."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.read(0.1)
            screen.clear()
            screen.feed(self.out)
            if predicate(screen.text()):
                return True
        return False

    def send(self, keys: bytes):
        os.write(self.master, keys)

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        os.close(self.master)
        os.close(self.slave)

    def cooked(self) -> bool:
        """The terminal is back in line mode with echo (cbreak is off)."""
        lflag = termios.tcgetattr(self.slave)[3]
        return bool(lflag & termios.ICANON) and bool(lflag & termios.ECHO)


def _start(cols=120, lines=32, level="01-bowl"):
    env = {k: v for k, v in os.environ.items() if k != "COLORTERM"}
    env.update(TERM="xterm-256color", PYTHONUNBUFFERED="1")
    return Pty([sys.executable, "main.py", "tui", level], cols, lines, env), Screen(cols, lines)


def test_tui_in_a_pseudo_terminal():
    t0 = time.monotonic()
    rmcup, cnorm = _capabilities()
    term, screen = _start()
    try:
        assert term.wait_for(screen, lambda s: "PAUSED" in s and T.HALF_BLOCK in s, 10), screen.text()
        assert not term.cooked()                    # cbreak while playing
        term.send(b"]]]]]]")                        # lr 0.01 -> 0.64
        assert term.wait_for(screen, lambda s: "lr 0.64" in s, 5), screen.text()
        status = screen.text().splitlines()[screen.lines - 2]
        assert "Squad 1" in status and "sgd" in status and "step 0/60" in status and "descending 12" in status
        assert b"38;5;" in term.out                 # 256 colours: no COLORTERM
        term.send(b" ")
        assert term.wait_for(screen, lambda s: "VICTORY" in s or "DEFEAT" in s, 8), screen.text()
        assert screen.text().count(T.HALF_BLOCK) > 500
        term.send(b"q")
        assert term.proc.wait(timeout=5) == 0
        term.read(0.3)
        assert term.cooked()
    finally:
        term.close()
    text = term.out.decode("utf-8", "replace")
    assert text.endswith(rmcup), repr(text[-80:])
    assert text.rfind(cnorm) > text.rfind(T.HALF_BLOCK)    # cursor shown again after the last frame
    assert time.monotonic() - t0 < 20


def test_tui_restores_the_terminal_on_ctrl_c():
    rmcup, cnorm = _capabilities()
    term, screen = _start()
    try:
        assert term.wait_for(screen, lambda s: "PAUSED" in s, 10), screen.text()
        term.send(b" ")
        term.read(0.3)
        term.proc.send_signal(signal.SIGINT)
        assert term.proc.wait(timeout=5) == 130
        term.read(0.3)
        assert term.cooked()
    finally:
        term.close()
    text = term.out.decode("utf-8", "replace")
    last_frame = text.rfind(T.HALF_BLOCK)
    assert text.rfind(rmcup) > last_frame and text.rfind(cnorm) > last_frame
    assert "Traceback" not in text


class FakeTerminal:
    """Just enough of a blessed Terminal to see which context managers were left, and how."""

    def __init__(self):
        self.left, self.stream = [], io.StringIO()
        self.width, self.height, self.number_of_colors, self.normal, self.clear = 80, 24, 256, "<normal>", ""

    def _context(self, name):
        @contextlib.contextmanager
        def context():
            try:
                yield
            finally:
                self.left.append(name)
        return context()

    fullscreen = lambda self: self._context("fullscreen")
    cbreak = lambda self: self._context("cbreak")
    hidden_cursor = lambda self: self._context("hidden_cursor")

    def inkey(self, timeout=None):
        raise RuntimeError("keyboard on fire")


def test_tui_restores_the_terminal_on_an_exception():
    fake = FakeTerminal()
    with pytest.raises(RuntimeError, match="on fire"):
        tui.run(fake, sim.load_level("01-bowl"))
    assert fake.left == ["hidden_cursor", "cbreak", "fullscreen"]
    assert fake.stream.getvalue().endswith("<normal>")
