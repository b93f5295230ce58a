"""The terminal front end: frames as data, the diff that sends them, the player's commands."""
import os
import re
import subprocess
import sys

import numpy as np
import pytest

import sim
from game.terminal import colour as C
from game.terminal import frame as T
from game.terminal import tui
from game.terminal.raster import ASCII_RAMP
from game.terminal.tui import Session
from tests.conftest import ROOT
from tests.terminal_screen import Screen


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
    assert K["+"] == K["="] == "faster" and K["-"] == "slower"              # + and - are the pace, as in the game
    for key, speed in (("-", 0.5), ("-", 0.25), ("-", 0.25), ("+", 0.5), ("+", 1), ("+", 2)):
        session.command(K[key])
        assert session.view.speed == speed
    session.command(K[" "])
    start = session.world.step_count
    next_step, _ = tui._advance(session, 100.0, 100.0)                   # one step due now, at 2x
    assert session.world.step_count == start + 1 and next_step == pytest.approx(100.0 + 1 / (2 * tui.STEPS_PER_S))


def test_help_status_and_title_fit_and_spell_out(monkeypatch):
    from game.terminal.text import HELP_LINES
    for line in HELP_LINES:                                               # every line names every key
        for key in ("1-9", "[", "]", ";", "'", " o ", " n ", " h ", " f ", "Sp", ".", "s step", " r ", " q ", "+", "-",
                    " c "):
            assert key in line, (key, line)
    for cols in (80, 100, 132):
        world, view = world_and_view()
        world.set_orders(0, optimizer="adam")
        rows = T.render(world, view, cols, 30, "ascii").text().splitlines()
        assert len(T.help_text(cols)) <= cols and rows[-1].strip() == T.help_text(cols).strip()
        status = rows[-2]
        assert "PAUSED" in status and " F 0" not in status                 # no bare glyph counts in ASCII
        assert re.search(r"(descending|moving|mov) 12 +arr(ived)? 0 +trap(ped)? 0 +div(erged)? 0", status), status
        assert re.search(r"sup(ply)? 1200 ?-12", status), status            # supply left and units moving
        if cols >= 120:
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


def test_f_leaves_the_fog_on_during_a_run_on_a_scouting_level():
    session = Session(sim.load_level("17-over-the-ridge"), seed=0)
    session.command(tui.KEYS["f"])
    assert session.view.fog and "fog stays" in session.view.message
    other = Session(sim.load_level("08-himmelblau"), seed=0)
    other.command(tui.KEYS["f"])
    assert not other.view.fog


def test_c_gives_the_squad_the_levels_schedules_in_turn_and_the_status_shows_the_rate_now():
    """Cooling Down, as its hint says: eta 0.03 and a cosine, set from the terminal."""
    from game.terminal import text as X
    session = Session(sim.load_level("26-annealing"), seed=0)
    session.world.set_orders(0, lr=0.03)
    kinds = []
    for _ in range(3):
        session.command(tui.KEYS["c"])
        sched = session.world.orders[0].schedule
        kinds.append(sched.kind if sched is not None else "constant")
    assert kinds == ["step", "cosine", "constant"], kinds
    while session.world.orders[0].schedule is None or session.world.orders[0].schedule.kind != "cosine":
        session.command(tui.KEYS["c"])
    session.world.step(75)
    status = "".join(s for s, _ in X.status_segments(session.world, session.view, 160))
    assert f"lr {session.world.lr_now(0):.3g} cosine" in status and session.world.lr_now(0) < 0.03, status
    bowl = Session(sim.load_level("01-bowl"), seed=0)
    bowl.command(tui.KEYS["c"])
    assert bowl.world.orders[0].schedule is None or bowl.world.orders[0].schedule.kind == "constant"
    assert "no schedules" in bowl.view.message


def test_the_terminal_is_asked_what_it_can_do_with_a_short_wait(monkeypatch):
    """blessed questions the terminal when it starts; one that never answers (a bare pseudo-terminal)
    would leave the screen blank for 5 s a question. The tui command shortens that wait, unless
    the user chose their own."""
    import main
    seen = {}
    monkeypatch.delenv("BLESSED_QUERY_TIMEOUT_SECONDS", raising=False)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    def run(*args, **kwargs):
        seen["wait"] = os.environ["BLESSED_QUERY_TIMEOUT_SECONDS"]
        return 0
    monkeypatch.setattr(tui, "run", run)
    monkeypatch.setitem(sys.modules, "blessed", type(sys)("blessed"))
    sys.modules["blessed"].Terminal = lambda: None
    main.main(["tui", "01-bowl"])
    assert float(seen["wait"]) == main.TERMINAL_QUERY_S <= 1.0
    monkeypatch.setenv("BLESSED_QUERY_TIMEOUT_SECONDS", "3")
    seen.clear()
    main.main(["tui", "01-bowl"])
    assert seen["wait"] == "3"
