"""The terminal view's words: every text fits its room in every colour mode, and the result is said."""
import pytest

import sim
from game.terminal import frame as T
from game.terminal.tui import Session
from sim.levels import LEVELS_DIR

SHIPPED = sorted(p.stem for p in LEVELS_DIR.glob("[0-9]*.toml"))


def test_put_cuts_the_ascii_spelling_to_the_frame():
    f = T.Frame.blank(10, 2, "ascii")
    f.put(0, 4, "η ηη")                          # "eta etaeta": 10 cells for 4 characters
    assert f.text().splitlines()[0] == "    eta et"
    f.put(1, -2, "abcdef")                       # cut at the left edge too
    assert f.text().splitlines()[1] == "cdef      "


@pytest.mark.parametrize("mode", ["ascii", "truecolor"])
def test_every_shipped_level_draws_at_80x24_from_start_to_result(mode):
    for name in SHIPPED:
        session = Session(sim.load_level(name), seed=0, paused=False)
        frames = [T.render(session.world, session.view, 80, 24, mode)]
        while not session.world.over:
            session.step()
        frames.append(T.render(session.world, session.view, 80, 24, mode))
        for frame in frames:
            rows = frame.text().splitlines()
            assert len(rows) == 24 and all(len(row) == 80 for row in rows), name
            assert name in rows[0], (name, rows[0])
            if mode == "ascii":
                assert frame.text().isascii(), name


def finished(name, **orders):
    session = Session(sim.load_level(name), seed=0, paused=False)
    if orders:
        session.world.set_orders(0, **orders)
    while not session.world.over:
        session.step()
    return session


@pytest.mark.parametrize("cols", [80, 160])
@pytest.mark.parametrize("mode", ["ascii", "256"])
def test_the_status_line_says_the_result(cols, mode):
    won = finished("01-bowl", lr=0.5)
    w = won.world
    first = int(w.arrival_step[w.arrival_step >= 0].min())
    status = T.render(w, won.view, cols, 24, mode).text().splitlines()[-2]
    assert w.won and f"WON {w.stars()} stars in {first} steps" in status, status
    assert "OVER" not in status
    slow = finished("01-bowl", lr=0.01)
    status = T.render(slow.world, slow.view, cols, 24, mode).text().splitlines()[-2]
    assert not slow.world.won and "LOST: out of steps" in status, status
    wild = finished("26-annealing", lr=0.05)
    status = T.render(wild.world, wild.view, cols, 24, mode).text().splitlines()[-2]
    assert wild.world.counts()["diverged"] > wild.world.n_units // 2 and "LOST: units diverged" in status, status


@pytest.mark.parametrize("mode", ["ascii", "truecolor"])
def test_the_status_line_ends_with_the_pace_at_every_speed(mode):
    """Measured as shown: in ASCII ¼× is '1/4x', two cells longer, and the line still ends with it."""
    from game.terminal.text import ascii_only
    from game.view.names import SPEEDS
    from game.view.names import speed_text
    session = Session(sim.load_level("16-second-wind"), seed=0, paused=False)
    for speed in SPEEDS:
        session.view.speed = speed
        status = T.render(session.world, session.view, 80, 24, mode).text().splitlines()[-2].rstrip()
        state = "RUNNING" + ("" if speed == 1 else " " + speed_text(speed))
        assert status.endswith(ascii_only(state) if mode == "ascii" else state), (speed, status)


def test_units_stopped_by_tiny_steps_count_as_stalled_as_the_result_says():
    session = finished("05-saddle")
    status = T.render(session.world, session.view, 160, 30, "ascii").text().splitlines()[-2]
    assert "LOST: units stalled" in status and "stalled 12" in status and "trapped 0" in status, status


def test_a_scouting_level_says_the_terminal_cannot_land_units_and_gives_no_landing_advice():
    from game.terminal.text import end_box, header_segments
    session = finished("17-over-the-ridge")
    assert not session.world.won
    box = " ".join(text for text, _ in end_box(session.world, 200))
    assert "play it in the window (python main.py play 18)" in box and "redeploy" not in box, box
    start = Session(sim.load_level("17-over-the-ridge"), seed=0)
    assert "play it in the window" in "".join(s for s, _ in header_segments(start.world, start.view))


def test_a_win_short_of_three_stars_names_the_fastest_plan_as_the_game_does():
    from game.terminal.text import end_box
    from game.view.advice import three_star_words
    session = finished("01-bowl", lr=0.2)
    assert session.world.won and session.world.stars() < 3
    box = " ".join(text for text, _ in end_box(session.world, 300))
    assert three_star_words(session.world) in box and "For three stars" in box, box
