"""The results screen: stars, steps and losses, with the whole map revealed.

The map takes over the battle's camera, fitted to the whole map on arrival so every minimum is in
view (it can still be panned and zoomed), and shows every minimum
of the level with its height, the global one marked as the goal; on a neural-network level the
battle's decision-boundary inset stays in the map's top-left corner. The panel lists the stars and
what earns each, the units' fate, after a loss a hint (what went wrong, then the level's own hint),
every squad's final orders (results_panel.py: laid out to fit, never cut short; the wheel scrolls
it when even its smallest type is too tall), and the ways on: next level, retry (same squads and
orders), save the replay, back to the campaign. Under a scene that runs a course of levels (an
endless run, ``course_under``), that scene says what comes next: the next map or the end of the run.
"""
from __future__ import annotations

import time

import pygame

import sim

from game.app import Scene
from game.view.flow import fit
from game.view.nn_view import place_inset
from game.view.widgets import CARD, MUTED, PANEL, PANEL_EDGE, Button
from game.view.world_view import draw_world

from . import results_panel
from .hud import battle_layout


class Results(Scene):
    """Stars, steps and losses, with the whole map revealed: the global minimum and every local one."""
    name = "results"

    def __init__(self, app, battle):
        super().__init__(app)
        self.battle = battle
        self.world, self.level = battle.world, battle.level
        self.eyes = battle.eyes
        self.controls = self.eyes.controls
        self.saved_to = None
        self._fitted = False             # the camera fits the whole map once, on arrival
        self.scroll = 0                  # how far the panel's column is scrolled [px]
        self._column = None              # (layout key, Flow) of the panel's column
        self._mouse = (0, 0)             # where the mouse was last seen [px]
        self.course = None if battle.replay is not None else course_under(app)
        if self.course is not None:
            self.course.report(battle)

    def layout(self, size, scale):
        self.size, self.scale = size, scale
        self.map_rect, self.panel = battle_layout(size, scale)
        self.eyes.set_viewport(self.map_rect)
        if not self._fitted:
            self.eyes.map.fit()
            self.eyes.table.fit()
            self._fitted = True
        if self.battle.network is not None:
            m, pad = self.map_rect, int(14 * scale)
            room = pygame.Rect(m.x + pad, m.y + pad, m.width // 2 - pad, m.height - 2 * pad)
            self.inset_rect, self.inset_scale = place_inset(self.battle.network, room, scale)
        p, pad = self.panel, int(18 * scale)
        bw, bh, gap = p.width - 2 * pad, int(40 * scale), int(10 * scale)
        leave = "Campaign  (Esc)" if self.app.has("campaign") else "Title  (Esc)"
        if self.battle.replay is not None:
            actions = [(leave, self.back, True)]
        elif self.course is not None:                 # a run of levels: on to the next, or its end; no retry
            has_next = self.next_level() is not None
            leave = f"{self.course.leave_label()}  ({'Esc' if has_next else 'Enter'})"
            actions = ([("Next map  (N)", self.next, True)] if has_next else [(leave, self.back, True)])
            actions += [("Save replay  (S)", self.save_replay, False)]
            actions += [(leave, self.back, False)] if has_next else []
        else:
            has_next = self.next_level() is not None
            actions = [("Next level  (N)", self.next, True)] if has_next else []
            actions += [("Retry  (R)", self.retry, not has_next), ("Save replay  (S)", self.save_replay, False),
                        (leave, self.back, False)]
        y = p.bottom - pad - len(actions) * (bh + gap) + gap
        self.buttons = [Button((p.x + pad, y + k * (bh + gap), bw, bh), label, action, size=int(15 * scale),
                               primary=primary) for k, (label, action, primary) in enumerate(actions)]

    def next_level(self):
        """The next level: in a course (an endless run) what the course says, else the next campaign
        level if this one is won and there is one."""
        if self.course is not None:
            return self.course.next_level()
        names = sim.campaign()
        if not self.world.won or self.level.id not in names or self.battle.replay is not None:
            return None
        i = names.index(self.level.id) + 1
        return names[i] if i < len(names) else None

    def next(self):
        name = self.next_level()
        if name is not None and self.course is not None:
            self.course.go_on()
        elif name is not None:
            self.app.swap("briefing", sim.load_level(name))

    def retry(self):
        if self.battle.replay is None and self.course is None:
            self.app.swap("battle", self.level, previous=self.battle)

    def save_replay(self):
        if self.battle.replay is not None:
            return
        folder = self.app.progress.folder / "replays"
        name = f"{self.level.id.replace(':', '_')}-{time.strftime('%Y%m%d-%H%M%S')}.json"
        try:
            self.saved_to = self.battle.recorder.save(folder / name)
            self.app.notify(f"Replay saved: {self.saved_to}")
        except OSError as err:
            self.app.notify(f"Could not save the replay: {err}")

    def back(self):
        self.app.back_to(self.course.name if self.course is not None else "campaign")

    def course_lines(self) -> list[str]:
        """What the course (an endless run) says about this result, for the panel."""
        return self.course.summary() if self.course is not None else []

    def handle(self, event) -> bool:
        """R, N (or Enter), S and the buttons; the map can still be panned and zoomed (not with WASD)."""
        if any(b.handle(event) for b in self.buttons):
            return True
        if event.type == pygame.KEYDOWN:
            if event.key == pygame.K_r:
                self.retry()
            elif event.key in (pygame.K_n, pygame.K_RETURN, pygame.K_KP_ENTER):
                (self.next if self.next_level() is not None else self.back if self.course else self.retry)()
            elif event.key == pygame.K_s:
                self.save_replay()
            elif event.key == pygame.K_HOME:
                self.camera.fit()
            elif event.key == pygame.K_v:
                self.app.view = self.eyes.toggle()
            elif event.key in (pygame.K_q, pygame.K_e, pygame.K_PAGEUP, pygame.K_PAGEDOWN):
                self.controls.handle(event)
            elif event.key in (pygame.K_LEFT, pygame.K_RIGHT, pygame.K_UP, pygame.K_DOWN):
                self.controls.handle(event)
            return False
        if event.type == pygame.MOUSEMOTION:
            self._mouse = event.pos
        if event.type == pygame.MOUSEWHEEL and self.panel.collidepoint(self._mouse):
            self.scroll_by(-event.y)
            return True
        self.controls.handle(event)
        return False

    @property
    def camera(self):
        """The camera in use: the sand table's or the map's (V switches)."""
        return self.eyes.camera

    def update(self, dt):
        self.eyes.update(dt)
        self.controls.update(dt, self.size)

    def draw(self, surface):
        inset = [self.inset_rect] if self.battle.network is not None else []
        draw_world(surface, self.world, self.camera, self.battle.art, None, show_minima=True, time_s=self.app.time_s,
                   keep_clear=inset)
        if self.battle.network is not None:
            self.battle.draw_network(surface, self.inset_rect, self.inset_scale)
        self._draw_panel(surface)

    def _draw_panel(self, surface):
        """The panel's column (results_panel.py) above the buttons: wrapped, set smaller if it must,
        and scrolled with the wheel when even that is too tall (a bar shows where it is)."""
        p = self.panel
        pygame.draw.rect(surface, PANEL, p)
        pygame.draw.line(surface, PANEL_EDGE, p.topleft, p.bottomleft, 1)
        box = self.column_rect()
        flow = self.column(box)
        self.scroll = max(0, min(self.scroll, flow.height - box.height))
        flow.draw(surface, box, self.scroll)
        if flow.height > box.height:
            bar = pygame.Rect(p.right - int(6 * self.scale), box.y, max(2, int(3 * self.scale)), box.height)
            pygame.draw.rect(surface, CARD, bar, border_radius=2)
            knob = bar.copy()
            knob.height = max(8, bar.height * box.height // flow.height)
            knob.y = bar.y + (bar.height - knob.height) * self.scroll // (flow.height - box.height)
            pygame.draw.rect(surface, MUTED, knob, border_radius=2)
        for b in self.buttons:
            b.draw(surface)

    def column_rect(self) -> pygame.Rect:
        """Where the panel's text goes: inside the padding, above the buttons [px]."""
        p, pad = self.panel, int(18 * self.scale)
        return pygame.Rect(p.x + pad, p.y + pad, p.width - 2 * pad, self.buttons[0].rect.y - pad - p.y - pad)

    def column(self, box):
        """The panel's column laid out for ``box``: at full size if it fits, else smaller (cached)."""
        key = (tuple(box), self.scale, self.battle.new_best, self.world.step_count)
        if self._column is None or self._column[0] != key:
            flow, _ = fit(lambda f: results_panel.build(self, f, box.width), self.scale, box.height)
            self._column = (key, flow)
        return self._column[1]

    def scroll_by(self, lines: int):
        """Scroll the panel's column by ``lines`` lines (positive: down)."""
        self.scroll = max(0, self.scroll + int(lines * 20 * self.scale))


def course_under(app):
    """The scene under the results that runs a course of levels and says what comes after each
    (``report``, ``next_level``, ``go_on``, ``summary``, ``leave_label``: the endless mode), or None."""
    return next((scene for scene in reversed(getattr(app, "scenes", [])) if hasattr(scene, "go_on")), None)
