"""One rounding rule for heights on every screen: names.height_text, and the screens that use it
(the results panel, the map's labels, the event log, the terminal, `simulate`) show the same words
for the same height -- rounding noise near zero reads 0.00, never 1.19e-13 or -0.000383."""
import pygame
import pytest

import main
import sim
from game.play.advice import describe_events
from game.terminal.text import event_text
from game.view import marks
from game.view.camera import Camera
from game.view.labels import Board
from game.view.names import height_label, height_text
from game.view.palette import get
from tests.losses import lost_world
from tests.test_results_panel import panel_texts, results_for


def test_the_rule():
    assert [height_text(h) for h in (1.1937e-13, -0.000383, -0.00694, 0.412, -3.4789e-14, 4.929, 1234.5, 2.5e7)] \
        == ["0.00", "0.00", "-0.01", "0.41", "0.00", "4.93", "1234", "2.5e+07"]
    assert height_text(float("nan")) == "n/a" and height_label(0.1) == "h = 0.10"


@pytest.mark.parametrize("name", ["10-ackley", "12-boss"])        # global minima 1.19e-13 and -0.000383
def test_every_screen_writes_the_global_minimum_alike(name, capsys):
    level = sim.load_level(name)
    words = height_text(level.global_min_height)
    assert words == "0.00"
    log, _ = panel_texts(results_for(lost_world(level, "trapped")), (1280, 720))
    assert f"the global minimum is {words}" in [s for s, *_ in log]
    board = Board(pygame.Rect(0, 0, 640, 480))
    surface = pygame.Surface((640, 480))
    marks.draw_minima(surface, level, Camera(level.bounds, surface.get_rect()), get("war-room"), board)
    board.draw(surface)
    assert f"global minimum  h = {words}" in [text for text, _ in board.labels]
    event = sim.Event(3, "trapped", 0, 0, level.global_min_height, True)
    assert describe_events([event], True)[0][0].endswith(f"h = {words}")
    assert event_text(event).endswith(f"(h = {words})")
    main.main(["simulate", name, "--steps", "1"])
    assert f"global minimum {words}" in capsys.readouterr().out
