"""The classroom at 1280x720 with six squads, at every presenter scale the keys allow: every squad
stays listed in the line-up under the map, no two labels of the loss chart or the line-up overlap,
and an announcement fits the map."""
import itertools

import pygame
import pytest

from game.classroom import classroom as demo
from game.classroom.charts import step_ticks
from game.view.widgets import recording_text, text_width
from tests.drive import run

SIX = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"]


def drawn_text(app) -> list:
    """(text, rect) of everything drawn in one frame."""
    with recording_text() as log:
        run(app, 1)
    return [(s, rect) for s, rect, _, _ in log]


def overlaps(items) -> list:
    """Pairs of (text, rect) whose rects overlap."""
    return [(a, b) for (a, ra), (b, rb) in itertools.combinations(items, 2) if ra.colliderect(rb)]


@pytest.mark.parametrize("factor", [demo.SCALE_RANGE[0], 1.0, 1.5, 2.0, demo.SCALE_RANGE[1]])
def test_six_squads_fit_the_strip_at_every_scale(make_classroom, factor):
    app, c = make_classroom("09-rastrigin", race=SIX)
    c.set_factor(factor)
    for _ in range(60):
        c.step()                                        # results ("✓ step 26") widen the rows
    texts = drawn_text(app)
    notice = [r for s, r in texts if s == c.notice[0]]
    assert notice and c.map_rect.contains(notice[0]), factor          # the announcement fits the map
    legend = [(s, r) for s, r in texts if c.legend_rect.colliderect(r)]
    listed = {s for s, r in legend if c.legend_rect.contains(r)}
    assert set(c.squad_labels()) <= listed, (factor, sorted(listed))
    assert not overlaps(legend), factor
    chart = [(s, r) for s, r in texts if c.chart_rect.colliderect(r)]
    assert all(c.chart_rect.contains(r) for _, r in chart), factor
    assert not overlaps(chart), (factor, overlaps(chart))
    ticks = [s for s, _ in chart if s.isdigit()]
    assert "0" in ticks and len(ticks) >= 3                  # the steps axis keeps its numbers


def test_step_ticks_leave_room_between_labels():
    for width in (30, 80, 150, 400, 1200):
        ticks = step_ticks(120, width, 30, 10)
        assert ticks[0] == 0 and ticks[-1] <= 120
        if len(ticks) > 1:
            assert width * (ticks[1] - ticks[0]) / 120 >= 40
    assert len(step_ticks(120, 1200, 30, 10)) > len(step_ticks(120, 150, 30, 10))
    pygame.font.init()
    assert text_width("120", 15) < 40


@pytest.mark.parametrize("factor", [1.0, 1.5, 2.0])
@pytest.mark.parametrize("squad", [0, 1, 2])                 # Adam (its ε line), RMSProp, momentum
def test_the_update_rule_stays_inside_the_panels_margins(make_classroom, factor, squad):
    from game.classroom.panel import inner_width
    app, c = make_classroom("22-nn-dead-relu", race=["adam", "rmsprop", "momentum"])
    c.set_factor(factor)
    c.select_squad(squad)
    for _ in range(3):
        c.step()
    margin = (c.panel_rect.width - inner_width(c.panel_rect)) // 2
    inside = c.panel_rect.inflate(-2 * margin, 0)
    wide = [(s, r.right, inside.right) for s, r in drawn_text(app) if c.panel_rect.contains(r)
            and not inside.contains(r)]
    assert not wide, (factor, wide)


def test_the_sweeps_default_label_clears_the_plain_sgd_note(make_classroom):
    app, c = make_classroom("05-saddle", race=["sgd", "momentum"])
    c.select_squad(1)
    c.toggle_sweep()
    texts = drawn_text(app)
    default = [r for s, r in texts if s == "default"]
    note = [r for s, r in texts if s.startswith("\u03bc = 0: plain SGD")]
    assert default and note
    assert not any(d.colliderect(n) for d in default for n in note), (default, note)


@pytest.mark.parametrize("factor", [1.0, demo.SCALE_RANGE[1]])
def test_the_race_result_fits_the_map_with_every_squad(make_classroom, factor):
    from game.classroom.charts import notice_box
    app, c = make_classroom("09-rastrigin", race=SIX)
    c.set_factor(factor)
    while not c.over:
        c.step()
    c.notice = None                                         # the result stays once the race is over
    message = c.banner()[0]
    box = notice_box(c.map_rect, message, c.scale)
    lines = [(s, r) for s, r in drawn_text(app) if box.contains(r)]
    assert lines and c.map_rect.contains(box) and not overlaps(lines)
    assert all(label in " ".join(s for s, _ in lines[1:]) for label in c.squad_labels())
    head = lines[0][1].height
    assert all(0.6 * head <= r.height <= head for _, r in lines[1:])          # the winner's line leads, the rest reads
