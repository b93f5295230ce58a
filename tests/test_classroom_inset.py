"""The network inset in the classroom (a neural-network level): the goal flag's banner and the
announcement stay clear of it, and its title is no smaller than the panel's small text."""
import pygame

from game.classroom import screen
from game.view.labels import recording_labels
from game.view.widgets import recording_text
from tests.drive import run


def test_banners_stay_clear_of_the_network_inset_and_its_title_reads(make_classroom, monkeypatch):
    app, c = make_classroom("22-nn-dead-relu", race=["sgd", "momentum", "adam"], view="relief")
    insets = []
    real = screen.draw_decision_inset
    monkeypatch.setattr(screen, "draw_decision_inset", lambda surface, rect, *a, **k: (
        insets.append(pygame.Rect(rect)), real(surface, rect, *a, **k))[1])
    for _ in range(48):
        c.step()
    assert (c.world.arrival_step >= 0).any()
    for notice in (True, False):                        # with the announcement, and once it is gone
        if not notice:
            c.notice = None
        with recording_labels() as boards, recording_text() as texts:
            run(app, 1)
        inset = insets[-1]
        flag = [r for b in boards for s, r in b.labels if "ARRIVED" in s]
        assert flag and not flag[0].colliderect(inset), (flag, inset)
        if notice:
            shown = [r for s, r, _, _ in texts if s == c.notice[0]]
            assert shown and not shown[0].colliderect(inset)
        title = [r for s, r, _, _ in texts if "accuracy" in s and inset.contains(r)]
        panel = [r.height for s, r, _, _ in texts if c.panel_rect.contains(r) and s.strip()]
        assert title and title[0].height >= min(panel), (title, min(panel))
