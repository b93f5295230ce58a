"""The campaign map and the briefing at 1280x720 and 800x600: the focused card is marked whether
it is open or locked (the arrow keys reach both), the focused level's lesson is never cut short, and
every briefing fits its column."""
import pygame
import pytest

import sim
from game.play.briefing import column, facts
from game.play.campaign import Campaign
from game.play.schedule_picker import default_schedule
from game.view.flow import fit
from game.view.widgets import MUTED, PANEL_EDGE, recording_text
from tests.drive import run


@pytest.mark.parametrize("size", [(1280, 720), (800, 600)])
def test_keyboard_focus_shows_on_locked_cards_and_lessons_are_whole(make_app, size):
    app = make_app(size)
    app.open("campaign")
    c = app.scene
    assert isinstance(c, Campaign)
    run(app, len(c.names) + 2)                                         # every level loaded
    for i in range(len(c.names)):
        c.focus, c.hover = i, -1
        with recording_text() as log:
            run(app, 1)
        shown = " ".join(s for s, *_ in log)
        said = c.levels[i].lesson if c.unlocked(i) else f"Win \u201c{c.levels[i - 1].title}\u201d to open this level."
        assert all(word in shown for word in said.split()), (c.names[i], size)
        if not c.unlocked(i):
            top = lambda k: tuple(app.screen.get_at((c.cards[k].centerx, c.cards[k].y)))[:3]   # noqa: E731
            assert top(i) == MUTED, c.names[i]                                  # focused, though locked
            others = [k for k in range(len(c.names)) if k != i and not c.unlocked(k)]
            assert all(top(k) == PANEL_EDGE for k in others)


@pytest.mark.parametrize("size", [(1280, 720), (800, 600)])
def test_every_briefing_fits_its_column(make_app, size):
    """The briefing's text column for every level, as the briefing screen lays it out for ``size``:
    inside its box, nothing cut, every word shown (set smaller, and scrolled only if it must)."""
    app = make_app(size, level="01-bowl")
    b = app.scene
    box = pygame.Rect(0, 0, b.text_w, b.buttons[0].rect.y - int(66 * b.scale))
    surface = pygame.Surface(size)
    for name in sim.campaign():
        level = sim.load_level(name)
        flow, _ = fit(lambda f: column(level, f, box.width), b.scale, box.height)
        assert flow.height <= box.height, name                            # no need to scroll
        with recording_text() as log:
            flow.draw(surface, box)
        assert all(rect is not None and box.contains(rect) for _, rect, _, _ in log)
        shown = " ".join(s for s, *_ in log)
        for words in (level.title, level.lesson, level.briefing, *(value for _, value in facts(level))):
            assert all(word in shown for word in words.split()), (name, words)


def test_the_briefing_says_what_each_schedule_of_the_squad_panel_does():
    level = sim.load_level("26-annealing")
    said = dict(facts(level))["Schedules"]
    step, cosine = (default_schedule(level, kind, level.lr) for kind in ("step", "cosine"))   # as the picker gives them
    assert f"\u00d7{step.gamma:g} every {step.step_size} steps" in said and "\u00d70.3 every 37 steps" in said
    assert f"down to {cosine.eta_min:g} by step {cosine.t_max}" in said and "0.0005 by step 150" in said
