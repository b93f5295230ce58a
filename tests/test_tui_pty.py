"""The terminal front end: a whole run through a pseudo-terminal with scripted keys; the terminal
is restored on Ctrl-C and on an error."""
import contextlib
import fcntl
import io
import os
import select
import signal
import struct
import subprocess
import sys
import termios
import time

import pytest

import sim
from game.terminal import frame as T
from game.terminal import tui
from tests.conftest import ROOT
from tests.terminal_screen import Screen


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
        assert "Squad 1" in status and "sgd" in status and "step 0/60" in status and "moving 12" in status
        assert "supply 720 -12/step" in status
        assert b"38;5;" in term.out                 # 256 colours: no COLORTERM
        term.send(b"h")                             # h holds the squad: it spends nothing
        assert term.wait_for(screen, lambda s: "(12) HELD" in s and "supply 720 -0/step" in s, 5), screen.text()
        term.send(b"h")
        assert term.wait_for(screen, lambda s: "Squad 1 resumed" in s, 5), screen.text()
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
