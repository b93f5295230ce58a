"""The results screen: stars, steps and losses, with the whole map revealed.

The map takes over the battle's camera, fitted to the whole map on arrival so every minimum is in
view (it can still be panned and zoomed), and shows every minimum
of the level with its height, the global one marked as the goal; on a neural-network level the
battle's decision-boundary inset stays in the map's top-left corner. The panel lists the stars and
what earns each, the units' fate, after a loss a hint (what went wrong, then the level's own hint),
every squad's final orders, and the ways on: next level, retry (same squads and orders), save the
replay, back to the campaign.
"""
from __future__ import annotations

import time

import numpy as np
import pygame

import sim

from game.app import Scene
from game.view.names import OPTIMIZER_LABELS, uses_momentum
from game.view.nn_view import place_inset
from game.view.render import SQUAD_COLOURS
from game.view.widgets import (ACCENT, BAD, FAINT, GOOD, MUTED, PANEL, PANEL_EDGE, STATUS_COLOURS, TEXT, Button,
                               draw_stars, text, wrap)
from game.view.world_view import draw_world

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
        else:
            has_next = self.next_level() is not None
            actions = [("Next level  (N)", self.next, True)] if has_next else []
            actions += [("Retry  (R)", self.retry, not has_next), ("Save replay  (S)", self.save_replay, False),
                        (leave, self.back, False)]
        y = p.bottom - pad - len(actions) * (bh + gap) + gap
        self.buttons = [Button((p.x + pad, y + k * (bh + gap), bw, bh), label, action, size=int(15 * scale),
                               primary=primary) for k, (label, action, primary) in enumerate(actions)]

    def next_level(self):
        """The next campaign level, if this one is won and there is one."""
        names = sim.campaign()
        if not self.world.won or self.level.id not in names or self.battle.replay is not None:
            return None
        i = names.index(self.level.id) + 1
        return names[i] if i < len(names) else None

    def next(self):
        name = self.next_level()
        if name is not None:
            self.app.swap("briefing", sim.load_level(name))

    def retry(self):
        if self.battle.replay is None:
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
        self.app.back_to("campaign")

    def handle(self, event) -> bool:
        """R, N (or Enter), S and the buttons; the map can still be panned and zoomed (not with WASD)."""
        if any(b.handle(event) for b in self.buttons):
            return True
        if event.type == pygame.KEYDOWN:
            if event.key == pygame.K_r:
                self.retry()
            elif event.key in (pygame.K_n, pygame.K_RETURN, pygame.K_KP_ENTER):
                (self.next if self.next_level() is not None else self.retry)()
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
        draw_world(surface, self.world, self.camera, self.battle.art, None, show_minima=True,
                 time_s=self.app.time_s)
        if self.battle.network is not None:
            self.battle.draw_network(surface, self.inset_rect, self.inset_scale)
        self._draw_panel(surface)

    def _draw_panel(self, surface):
        s, p, w = self.scale, self.panel, self.world
        pygame.draw.rect(surface, PANEL, p)
        pygame.draw.line(surface, PANEL_EDGE, p.topleft, p.bottomleft, 1)
        pad = int(18 * s)
        x, y, width = p.x + pad, p.y + pad, p.width - 2 * pad
        text(surface, "RESULTS  \u00b7  " + self.level.title.upper(), (x, y), int(11 * s), MUTED, bold=True)
        y += int(20 * s)
        text(surface, "Valley taken" if w.won else "Mission failed", (x, y), int(26 * s), GOOD if w.won else BAD,
             bold=True)
        y += int(58 * s)
        draw_stars(surface, (p.centerx, y), w.stars(), int(20 * s))
        y += int(26 * s)
        if self.battle.new_best:
            text(surface, "New best!", (p.centerx, y), int(13 * s), ACCENT, bold=True, anchor="midtop")
        y += int(26 * s)
        y = self._draw_stats(surface, x, y, width)
        for k, hint in enumerate(self.battle.loss_hints()):
            for line in wrap(("Hint: " if k == 0 else "") + hint, int(13 * s), width)[:3]:
                text(surface, line, (x, y), int(13 * s), ACCENT if k == 0 else MUTED)
                y += int(19 * s)
            y += int(8 * s)
        y = self._draw_squads(surface, x, y, width, self.buttons[0].rect.y - int(40 * s))
        for line in wrap("Every minimum is revealed now; the star marks the goal.", int(12 * s), width):
            y += int(17 * s)
            if y + int(24 * s) < self.buttons[0].rect.y:
                text(surface, line, (x, y), int(12 * s), FAINT)
        for b in self.buttons:
            b.draw(surface)

    def _draw_stats(self, surface, x, y, width) -> int:
        """Steps, losses and heights, each with the star it earns; returns the y below them."""
        s, w, lvl = self.scale, self.world, self.level
        lost = int(((w.status == sim.TRAPPED) | (w.status == sim.DIVERGED)).sum())
        first = w.arrival_step[w.arrival_step >= 0]
        rows = [("Steps used", f"{w.step_count} / {lvl.budget}",
                 w.won and int(first.min()) <= lvl.star_steps, f"\u2605 for arriving within {lvl.star_steps}"),
                ("Units lost", f"{lost} of {w.n_units}", w.won and lost <= lvl.star_units_lost,
                 f"\u2605 for losing at most {lvl.star_units_lost}"),
                ("Best height", f"{w.best_height:.3g}", None, f"the global minimum is {lvl.global_min_height:.3g}")]
        for label, value, star, note in rows:
            text(surface, label, (x, y), int(14 * s), MUTED)
            text(surface, value, (x + width, y), int(15 * s), TEXT, bold=True, anchor="topright")
            text(surface, note, (x, y + int(19 * s)), int(11 * s), ACCENT if star else FAINT)
            y += int(42 * s)
        counts = w.counts()
        for k, name in enumerate(("arrived", "trapped", "diverged")):
            cx = x + k * width // 3
            pygame.draw.circle(surface, STATUS_COLOURS[name], (cx + int(5 * s), y + int(8 * s)), int(4 * s))
            text(surface, f"{counts[name]} {name}", (cx + int(14 * s), y), int(13 * s), TEXT)
        return y + int(34 * s)

    def _draw_squads(self, surface, x, y, width, bottom) -> int:
        """Each squad's final orders and what became of it, as far as there is room; returns the y below."""
        s, w = self.scale, self.world
        squads = [k for k in range(w.n_squads) if (w.squad == k).any()]
        if not squads or y + int(40 * s) > bottom:
            return y
        text(surface, "SQUADS", (x, y), int(11 * s), MUTED, bold=True)
        y += int(20 * s)
        row = int(22 * s)
        for k in squads:
            if y + row > bottom:
                break
            o, c = w.orders[k], w.counts(k)
            pygame.draw.rect(surface, SQUAD_COLOURS[k], (x, y + int(3 * s), int(10 * s), int(10 * s)), border_radius=2)
            orders = f"{OPTIMIZER_LABELS[o.optimizer]}  \u03b7 {float(np.mean(o.lr)):.3g}"
            if uses_momentum(o.optimizer) and float(np.max(self.level.momentum_range)) > 0:
                orders += f"  \u03bc {float(np.mean(o.momentum)):.2f}"
            text(surface, f"{k + 1}", (x + int(16 * s), y), int(13 * s), TEXT, bold=True)
            text(surface, orders, (x + int(30 * s), y), int(13 * s), TEXT)
            lost = c["trapped"] + c["diverged"]
            if c["arrived"]:
                fate = f"{c['arrived']} arrived"
            elif lost:
                fate = f"{lost} lost"
            else:
                fate = f"{c['descending']} moving"
            text(surface, fate, (x + width, y), int(12 * s), MUTED, anchor="topright")
            y += row
        return y
