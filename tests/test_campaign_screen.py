"""The campaign map at 1280x720 and 800x600: the focused card is marked whether it is open or
locked (the arrow keys reach both), and the focused level's lesson is never cut short."""
import pytest

from game.play.campaign import Campaign
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
