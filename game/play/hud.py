"""The battle HUD: the squad panel on the right (step and budget, squad tabs, the selected
squad's orders -- optimizer picker, log-scale learning-rate slider, momentum slider --, unit
counts by status, a loss sparkline, time controls), the event log at the bottom of the map and
the list of controls for the help overlay. Widgets come from ``game.view``; sizes are pixels [px] times ``scale``.

The panel reads the battle's state and calls its methods (``select_squad``, ``give_orders``,
``start``, ``toggle_pause``, ``step_once``, ``set_speed``); it never touches the world itself.
"""
from __future__ import annotations

import numpy as np
import pygame

import sim
from sim.world import MAX_SQUADS

from game.view.chart import draw_sparkline
from game.view.names import OPTIMIZER_LABELS, uses_momentum
from game.view.palette import SQUAD_COLOURS
from game.view.widgets import (ACCENT, CARD, GOOD, MUTED, PANEL, PANEL_EDGE, STATUS_COLOURS, TEXT, Button, Picker,
                               Slider, backdrop, ellipsize, text, text_width)

SPEEDS = (1, 2, 4, 8)
PANEL_WIDTH = 310           # HUD panel width at scale 1 [px]


def battle_layout(size, scale: float):
    """(map, panel) rects for a window: the HUD panel on the right, the map filling the rest."""
    w, h = size
    panel_w = max(260, min(int(PANEL_WIDTH * scale), w // 3))
    return pygame.Rect(0, 0, w - panel_w, h), pygame.Rect(w - panel_w, 0, panel_w, h)


def momentum_label(optimizer: str) -> str:
    return {"adam": "momentum \u03b2\u2081", "rmsprop": "momentum"}.get(optimizer, "momentum \u03bc")


def squad_name(squad: int) -> str:
    return f"Squad {squad + 1}"


class EventLog:
    """The latest game events as coloured lines; old lines fade after ``LIFETIME`` seconds. A line
    added with the ``key`` of an earlier one replaces it (it moves to the bottom, fresh)."""
    LIFETIME = 14.0      # s a line stays fully visible
    KEEP = 50            # lines remembered

    def __init__(self):
        self.lines: list[tuple[str, tuple, float]] = []     # (text, colour, time added)
        self._keys: list = []                               # each line's key (None: none)
        self.clock = 0.0

    def add(self, line: str, colour=TEXT, key=None):
        if key is not None and key in self._keys:
            k = self._keys.index(key)
            del self.lines[k], self._keys[k]
        self.lines.append((line, colour, self.clock))
        self._keys.append(key)
        del self.lines[:-self.KEEP], self._keys[:-self.KEEP]

    def tick(self, dt: float):
        self.clock += dt

    @staticmethod
    def height(size=14, lines=5) -> int:
        """The height [px] of the box holding ``lines`` lines of text ``size``."""
        return int(size * 1.45) * lines + 10

    def draw(self, surface, rect, size=14, max_lines=5):
        """The newest lines, oldest at the top, bottom-aligned in ``rect``."""
        live = [ln for ln in self.lines if self.clock - ln[2] < self.LIFETIME + 2][-max_lines:]
        if not live:
            return
        line_h = int(size * 1.45)
        rect = pygame.Rect(rect)
        h = self.height(size, len(live))
        box = pygame.Rect(rect.x, rect.bottom - h, rect.width, h)
        backdrop(surface, box, alpha=170, edge=None)
        for k, (s, colour, born) in enumerate(live):
            age = self.clock - born
            fade = 1.0 if age < self.LIFETIME else max(0.35, 1 - (age - self.LIFETIME) / 2)
            c = tuple(int(v * fade) for v in colour)
            y = box.y + 5 + k * line_h
            pygame.draw.rect(surface, c, (box.x + 8, y + line_h // 2 - 5, 4, 10))
            text(surface, s, (box.x + 18, y + 1), size, c)


# -- help ------------------------------------------------------------------------------------------
HELP = [
    ("Select & command", [
        ("Left click / drag", "select units (Shift adds to the selection)"),
        ("Ctrl+A", "select every unit"),
        ("Ctrl+1 - 9", "form squad 1-9 from the selection"),
        ("1 - 9", "select squad 1-9"),
        ("Squad panel", "orders: optimizer, learning rate, momentum"),
    ]),
    ("Time", [
        ("Enter", "start the descent"),
        ("Space", "pause / resume"),
        (".", "one step (pauses first)"),
        ("+ / -", "faster / slower (1x 2x 4x 8x)"),
    ]),
    ("Map", [
        ("Arrows / WASD", "pan the map"),
        ("Screen edge", "pan the map"),
        ("Middle drag", "pan the map"),
        ("Mouse wheel", "zoom around the cursor"),
        ("Home", "fit the whole map"),
        ("Minimap click", "jump there"),
        ("V", "sand table (relief) / map"),
        ("Q / E", "turn the table by 45\u00b0"),
        ("PgUp / PgDn", "look down more / less steeply"),
        ("F", "fog of war on / off"),
    ]),
    ("Game", [
        ("F1 / H", "this help"),
        ("F11", "fullscreen"),
        ("Esc", "back"),
        ("R / N / S", "results: retry / next level / save replay"),
    ]),
]


# -- the squad panel -------------------------------------------------------------------------------
class SquadPanel:
    """The right-hand panel of a battle. ``layout(rect, scale)`` returns the y where it ends,
    so the minimap can take the space below."""

    def __init__(self, battle):
        self.battle = battle
        self.rect = pygame.Rect(0, 0, 0, 0)
        self.scale = 1.0
        self._built_for = None
        self.widgets: list = []

    def layout(self, rect, scale: float) -> int:
        self.rect, self.scale = pygame.Rect(rect), scale
        self._built_for = None
        return self._build()

    # -- building --------------------------------------------------------------------------------
    def _key(self):
        b = self.battle
        orders = b.world.orders[b.squad] if b.squad < b.world.n_squads else None
        members = tuple(bool((b.world.squad == k).any()) for k in range(MAX_SQUADS))
        return (tuple(self.rect), self.scale, b.squad, b.phase, b.paused, b.speed, members,
                orders.optimizer if orders else None)

    def _px(self, v: float) -> int:
        return int(round(v * self.scale))

    def _build(self) -> int:
        """Create the widgets for the battle's current state; returns the bottom y."""
        b, px = self.battle, self._px
        self._built_for = self._key()
        pad = px(14)
        x, w = self.rect.x + pad, self.rect.width - 2 * pad
        y = self.rect.y + pad
        self.y_title, y = y, y + px(26)
        self.y_step, y = y, y + px(34)
        self.y_squads, y = y, y + px(20)
        gap = px(5)
        tab = (w - 8 * gap) / 9
        members = self._built_for[6]
        self.tabs = [Button((x + k * (tab + gap), y, tab, px(28)), str(k + 1),
                            lambda k=k: b.select_squad(k), size=px(14), enabled=members[k],
                            selected=(k == b.squad), colour=SQUAD_COLOURS[k]) for k in range(MAX_SQUADS)]
        y += px(28) + px(16)
        self.y_orders, y = y, y + px(22)
        orders = b.orders()
        editable = b.replay is None and b.phase != "over"
        allowed = [o for o in sim.OPTIMIZERS if o in b.level.allowed]
        ph = Picker.height(len(allowed), px(28))
        self.picker = Picker((x, y, w, ph), allowed, OPTIMIZER_LABELS, orders.optimizer,
                             lambda name: b.give_orders(optimizer=name), size=px(13))
        for button in self.picker.buttons.values():
            button.enabled = editable or button.selected
        y += ph + px(12)
        lo, hi = b.level.lr_range
        sh = Slider.height(px(14))
        self.lr = Slider((x, y, w, sh), "learning rate \u03b7", lo, hi, _mean(orders.lr),
                         lambda v: b.give_orders(lr=v), log=True, size=px(14), enabled=editable)
        y += sh + px(10)
        mlo, mhi = b.level.momentum_range
        used = uses_momentum(orders.optimizer)
        note = "" if used and mhi > mlo else (f"not used by {OPTIMIZER_LABELS[orders.optimizer]}" if not used
                                              else "fixed on this level")
        self.momentum = Slider((x, y, w, sh), momentum_label(orders.optimizer), mlo, mhi,
                               _mean(orders.momentum), lambda v: b.give_orders(momentum=v), size=px(14),
                               enabled=editable and used, note=note)
        y += sh + px(14)
        self.y_counts, y = y, y + px(62)
        self.spark_rect = pygame.Rect(x, y, w, px(72))
        y += px(72) + px(12)
        self.controls = self._controls(x, y, w, px(34))
        self.widgets = [*self.tabs, self.picker, self.lr, self.momentum, *self.controls]
        return y + px(34)

    def _controls(self, x, y, w, h) -> list:
        b, px = self.battle, self._px
        if b.phase == "deploy":
            label = "Watch replay \u25b6" if b.replay is not None else "Start descent \u25b6"
            return [Button((x, y, w, h), label, b.start, size=px(15), primary=True)]
        live = b.phase == "descend"
        gap = px(5)
        pause_w, step_w = int(w * 0.27), int(w * 0.2)
        speed_w = (w - pause_w - step_w - 5 * gap) / 4
        out = [Button((x, y, pause_w, h), "Resume" if b.paused else "Pause", b.toggle_pause, size=px(13),
                      enabled=live, selected=b.paused),
               Button((x + pause_w + gap, y, step_w, h), "Step", b.step_once, size=px(13), enabled=live)]
        sx = x + pause_w + step_w + 2 * gap
        for k, speed in enumerate(SPEEDS):
            out.append(Button((sx + k * (speed_w + gap), y, speed_w, h), f"{speed}\u00d7",
                              lambda s=speed: b.set_speed(s), size=px(13), enabled=live, selected=b.speed == speed))
        return out

    # -- events and drawing ------------------------------------------------------------------------
    def handle(self, event) -> bool:
        """Widgets first; any other mouse event over the panel is used up too (it is not the map's)."""
        if self._key() != self._built_for:
            self._build()
        if any(w.handle(event) for w in self.widgets):
            return True
        pos = getattr(event, "pos", None)
        return event.type in (pygame.MOUSEBUTTONDOWN, pygame.MOUSEBUTTONUP) and pos is not None \
            and self.rect.collidepoint(pos)

    def draw(self, surface):
        if self._key() != self._built_for:
            self._build()
        b, px = self.battle, self._px
        orders = b.orders()
        if not self.lr.dragging:
            self.lr.value = _mean(orders.lr)
        if not self.momentum.dragging:
            self.momentum.value = _mean(orders.momentum)
        pygame.draw.rect(surface, PANEL, self.rect)
        pygame.draw.line(surface, PANEL_EDGE, self.rect.topleft, self.rect.bottomleft, 1)
        x, w = self.rect.x + px(14), self.rect.width - px(28)
        text(surface, ellipsize(b.level.title, px(18), w, bold=True), (x, self.y_title), px(18), TEXT, bold=True)
        self._draw_step(surface, x, w)
        text(surface, "SQUADS", (x, self.y_squads), px(11), MUTED, bold=True)
        n = int((b.world.squad == b.squad).sum())
        text(surface, f"{squad_name(b.squad).upper()} ORDERS", (x, self.y_orders), px(11), MUTED, bold=True)
        text(surface, f"{n} unit{'s' if n != 1 else ''}", (x + w, self.y_orders), px(12), SQUAD_COLOURS[b.squad],
             anchor="topright")
        self._draw_counts(surface, x, w)
        self._draw_sparkline(surface)
        for widget in self.widgets:
            widget.draw(surface)

    def _draw_step(self, surface, x, w):
        b, px = self.battle, self._px
        world, budget = b.world, b.level.budget
        text(surface, f"Step {world.step_count} / {budget}", (x, self.y_step), px(14), TEXT)
        if b.phase == "deploy":
            state, colour = "DEPLOY", ACCENT
        elif b.phase == "over":
            state, colour = ("WON", GOOD) if world.won else ("OVER", MUTED)
        else:
            state, colour = ("PAUSED", ACCENT) if b.paused else (f"\u25b6 {b.speed}\u00d7", GOOD)
        if b.replay is not None:
            state = "REPLAY  " + state
        text(surface, state, (x + w, self.y_step), px(13), colour, bold=True, anchor="topright")
        bar = pygame.Rect(x, self.y_step + px(22), w, px(6))
        pygame.draw.rect(surface, CARD, bar, border_radius=3)
        done = bar.copy()
        done.width = int(bar.width * min(1.0, world.step_count / budget))
        if done.width:
            pygame.draw.rect(surface, ACCENT, done, border_radius=3)
        self.star_tick = self._draw_star_tick(surface, x, w)

    def _draw_star_tick(self, surface, x, w) -> pygame.Rect:
        """The star-threshold tick on the step bar, labelled "\u2605 N" just under it (on the SQUADS
        header line, clear of the header's own text); returns the label's rect."""
        b, px = self.battle, self._px
        budget = b.level.budget
        bar = pygame.Rect(x, self.y_step + px(22), w, px(6))
        star = bar.x + int(bar.width * min(1.0, b.level.star_steps / budget))
        pygame.draw.line(surface, TEXT, (star, bar.y - 2), (star, bar.bottom + 1), 1)
        label, size = f"\u2605 {b.level.star_steps}", px(10)
        lw = text_width(label, size)
        lx = star - lw // 2
        lx = max(lx, x + text_width("SQUADS", px(11), bold=True) + px(8))
        lx = min(lx, x + w - lw)
        rect = pygame.Rect(lx, bar.bottom + px(1), lw, size + px(2))
        text(surface, label, rect.topleft, size, ACCENT)
        return rect

    def _draw_counts(self, surface, x, w):
        px = self._px
        text(surface, "ALL UNITS", (x, self.y_counts), px(11), MUTED, bold=True)
        counts = self.battle.world.counts()
        for k, name in enumerate(sim.STATUS_NAMES):
            cx = x + (k % 2) * (w // 2)
            cy = self.y_counts + px(20) + (k // 2) * px(20)
            colour = STATUS_COLOURS[name]
            pygame.draw.circle(surface, colour, (cx + px(5), cy + px(8)), px(4))
            text(surface, f"{counts[name]}", (cx + px(16), cy), px(13), TEXT, bold=True)
            text(surface, name, (cx + px(16) + px(26), cy + px(1)), px(12), MUTED)

    def _draw_sparkline(self, surface):
        b = self.battle
        steps = b.world.step_count
        series = []
        for k in range(MAX_SQUADS):
            if (b.world.squad == k).any():
                values = running_best(b.history[k])
                values[steps + 1:] = np.nan
                series.append((values, SQUAD_COLOURS[k], 3 if k == b.squad else 1))
        series.sort(key=lambda s: s[2])
        draw_sparkline(surface, self.spark_rect, series, floor=b.level.global_min_height,
                       size=self._px(11), label="best height so far, per squad")


def running_best(values) -> np.ndarray:
    """The lowest value so far at each step (NaN until the first value): it never goes up."""
    values = np.asarray(values, float)
    return np.fmin.accumulate(values) if values.size else values.copy()


def _mean(value) -> float:
    """A setting shown on a slider: the squad's value, or the mean of per-unit values."""
    return float(np.mean(value))
