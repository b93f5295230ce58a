"""What the fuzz suites (tests/test_fuzz_*.py) share: one hypothesis profile, a hard time limit
and a memory cap for each case, a TOML writer for generated tables, strategies for nasty values,
and main.main run in this process with every window and long job stubbed out.

Every suite is derandomized and keeps no example database, so CI runs the very same cases each
time; ``FUZZ_SCALE`` (an environment variable, default 1) multiplies the number of cases for a
longer local run.
"""
import contextlib
import io
import math
import os
import resource
import signal
import types
from datetime import timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

import main

SCALE = float(os.environ.get("FUZZ_SCALE", "1"))
CASE_SECONDS = 20            # a case still running after this long has hung
MEMORY_HEADROOM = 3 << 30    # bytes of address space a case may add before MemoryError [B]


def fuzz_settings(examples: int) -> settings:
    """``examples`` derandomized cases, each within a 5 s deadline, no example database."""
    return settings(max_examples=max(1, int(examples * SCALE)), deadline=timedelta(seconds=5),
                    derandomize=True, database=None, print_blob=False,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much])


class Hang(Exception):
    """A case ran past CASE_SECONDS."""


@contextlib.contextmanager
def bounded(seconds: float = CASE_SECONDS):
    """Run the body with a hard time limit (SIGALRM, which also interrupts a blocking open or read)
    and at most MEMORY_HEADROOM more bytes of address space; restore both afterwards."""
    def stop(signum, frame):
        raise Hang(f"still running after {seconds} s")

    old_handler = signal.signal(signal.SIGALRM, stop)
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = _address_space() + MEMORY_HEADROOM
    if hard == resource.RLIM_INFINITY or cap < hard:
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old_handler)
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _address_space() -> int:
    """This process's virtual memory size [B] (Linux: /proc/self/statm)."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[0]) * resource.getpagesize()


# -- values --------------------------------------------------------------------------------------
NASTY_TEXT = ["", " ", "--", "-", "\n", "\x00", "nan", "inf", "-inf", "1e999", "-1", "0", "1_000", "\u0663",
              "\u00a0", "x" * 300, "9" * 5000, "../../etc/passwd", "/dev/zero", "random:1_000", "\u202e",
              "\ud800", "a\nb", "'", '"', "\\", "${HOME}", "%s%n", "01-bowl\n"]
NUMBERS = st.one_of(st.integers(), st.integers(min_value=-(10 ** 30), max_value=10 ** 30),
                    st.sampled_from([0, 1, -1, 2**63, 2**64, 10**400]),
                    st.floats(allow_nan=True, allow_infinity=True),
                    st.sampled_from([0.0, -0.0, 1e-300, 5e-324, 1e300, 1e6, 1e-6, 0.5, 100.0]))
TEXTS = st.one_of(st.text(max_size=30), st.sampled_from(NASTY_TEXT))
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, TEXTS)


def json_values(max_leaves: int = 12):
    """Any JSON value: scalars, and lists and objects of them, a few levels deep."""
    return st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                         st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                        max_leaves=max_leaves)


def deep(opening: str, closing: str, depth: int) -> str:
    return opening * depth + closing * depth


# -- TOML ------------------------------------------------------------------------------------------
def toml_value(v) -> str:
    """A Python value as a TOML value (inline tables and arrays); None becomes an empty table."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v) if abs(v) < 10 ** 4000 else "1" + "0" * 4400
    if isinstance(v, float):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf") if math.isinf(v) else repr(v)
    if isinstance(v, str):
        return '"' + "".join(c if c.isprintable() and c not in '"\\' else f"\\u{ord(c) & 0xffff:04x}"
                             for c in v) + '"'
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{toml_key(k)} = {toml_value(x)}" for k, x in v.items()) + "}"
    return "{}"


def toml_key(k) -> str:
    k = str(k)
    return k if k and all(c.isascii() and (c.isalnum() or c in "_-") for c in k) else toml_value(k)


def toml_document(table: dict) -> str:
    """A top-level table as a TOML document, one ``key = value`` line per entry."""
    return "".join(f"{toml_key(k)} = {toml_value(v)}\n" for k, v in table.items())


# -- the command line --------------------------------------------------------------------------------
class _Result:
    written, error, interrupted, frames, seconds = (), None, False, 1, 1.0


class _Window:
    """Stands in for a game or classroom window: built, run, closed at once."""

    def __init__(self, *args, **kw):
        pass

    def run(self, *args, **kw):
        return 0


def stub_windows_and_long_jobs(monkeypatch):
    """Let main.main check everything, but open no window, write no video and run no sweep."""
    import game.classroom.app
    import game.play.app
    import game.video.cli
    import game.video.sweep
    monkeypatch.setattr(game.play.app, "GameApp", _Window)
    monkeypatch.setattr(game.classroom.app, "open_classroom", lambda *a, **kw: _Window())
    monkeypatch.setattr(game.classroom.app, "run_classroom", lambda *a, **kw: 0)
    monkeypatch.setattr(game.video.cli, "record", lambda *a, **kw: _Result())
    swept = types.SimpleNamespace(optimizers=["sgd"], lrs=[0.1], momenta=[0.0], starts=1, steps=1)
    monkeypatch.setattr(game.video.sweep, "sweep_plane", lambda *a, **kw: swept)
    monkeypatch.setattr(game.video.sweep, "save_sweep", lambda *a, **kw: None)
    monkeypatch.setattr(game.video.sweep, "verdict", lambda *a, **kw: "")
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    import pygame
    monkeypatch.setattr(pygame, "quit", lambda: None)      # the stubbed window never opened: keep pygame up


def run_main(argv: list) -> tuple:
    """(exit status, stdout, stderr) of main.main(argv), bounded in time and memory."""
    out, err = io.StringIO(), io.StringIO()
    with bounded(), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main.main(list(argv))
        except SystemExit as stop:
            status = stop.code if isinstance(stop.code, int) else 2
    return status, out.getvalue(), err.getvalue()


def assert_one_line_naming(status: int, err: str, names) -> str:
    """Exit status 2 and exactly one line on stderr, naming one of ``names`` (a file, a flag...)."""
    assert status == 2, (status, err)
    lines = err.splitlines()
    assert len(lines) == 1 and err.endswith("\n") and lines[0].startswith("error: "), err
    assert any(n and n in lines[0] for n in names), (names, lines[0])
    return lines[0]


def shown_forms(text: str) -> list:
    """How an error message may show a name: as typed, or (quoted) its first characters escaped."""
    return [text[:60], repr(text)[1:21], repr(text[:40])[1:21]]
