"""The battle HUD: the squad panel on the right -- step and budget; supply left, the rate it is
spent and whether it lasts; squad tabs (a held squad's marked with a pause sign); the selected
squad's orders (hold / resume, optimizer picker, log-scale learning-rate slider, momentum slider,
and where the level allows one a learning-rate schedule, schedule_picker.py); unit counts by status,
a loss sparkline, time controls (pause, step, slower / faster). Widgets come from ``game.view``;
sizes are pixels [px] times ``scale``. The event log is event_log.py, the help's list of controls keys.py.

The panel reads the battle's state and calls its methods (``select_squad``, ``give_orders``,
``give_schedule``, ``toggle_hold``, ``start``, ``toggle_pause``, ``step_once``, ``change_speed``);
it never touches the world itself.
"""
from __future__ import annotations

import numpy as np
import pygame

import sim
from sim.world import MAX_SQUADS

from game.view.chart import draw_sparkline
from game.view.explain import fate_counts
from game.view.names import OPTIMIZER_LABELS, SPEEDS, speed_text, uses_momentum
from game.view.palette import SQUAD_COLOURS
from game.view.widgets import (ACCENT, BAD, CARD, FAINT, GOOD, MUTED, PANEL, PANEL_EDGE, STATUS_COLOURS, TEXT, Button,
                               Picker, Slider, ellipsize, text, text_width)

from . import schedule_picker

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


def supply_lasts(world) -> bool:
    """Whether the supply left lasts to the end of the step budget at the rate it is spent now."""
    return world.supply_left >= world.spend_rate * max(0, world.level.budget - world.step_count)


def draw_pause_sign(surface, center, height: int, colour):
    """Two upright bars: the sign of a held squad [px]."""
    w, gap = max(2, height // 3), max(2, height // 4)
    for dx in (-(gap + w) // 2, (gap + w) // 2):
        bar = pygame.Rect(0, 0, w, height)
        bar.center = (center[0] + dx, center[1])
        pygame.draw.rect(surface, colour, bar)


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
        members = self._members()
        held = tuple(b.world.is_held(k) for k in range(b.world.n_squads))
        kind = orders.schedule.kind if orders is not None and orders.schedule is not None else None
        return (tuple(self.rect), self.scale, b.squad, b.phase, b.paused, b.stopped, b.speed, members,
                orders.optimizer if orders else None, held, kind)

    def _members(self) -> tuple:
        """Whether each squad 1-9 has units."""
        return tuple(bool((self.battle.world.squad == k).any()) for k in range(MAX_SQUADS))

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
        self.y_step, y = y, y + px(42)
        self.y_supply, y = y, y + px(42)
        self.y_squads, y = y, y + px(20)
        gap = px(5)
        tab = (w - 8 * gap) / 9
        members = self._members()
        self.tabs = [Button((x + k * (tab + gap), y, tab, px(28)), str(k + 1),
                            lambda k=k: b.select_squad(k), size=px(14), enabled=members[k],
                            selected=(k == b.squad), colour=SQUAD_COLOURS[k]) for k in range(MAX_SQUADS)]
        y += px(28) + px(16)
        editable = b.replay is None and b.phase != "over"
        held = b.squad < b.world.n_squads and b.world.is_held(b.squad)
        hold_w = text_width("Resume  H", px(12)) + px(16)
        self.hold = Button((x + w - hold_w, y - px(2), hold_w, px(22)), "Resume  H" if held else "Hold  H",
                           b.toggle_hold, size=px(12), enabled=editable and members[b.squad], selected=held)
        self.y_orders, y = y, y + px(24)
        orders = b.orders()
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
        self.schedule = None
        if schedule_picker.shown(b.level):
            self.schedule = schedule_picker.SchedulePicker(b, x, y, w, px, editable)
            y = self.schedule.bottom + px(10)
        mlo, mhi = b.level.momentum_range
        used = uses_momentum(orders.optimizer)
        note = "" if used and mhi > mlo else (f"not used by {OPTIMIZER_LABELS[orders.optimizer]}" if not used
                                              else "fixed on this level")
        self.momentum = Slider((x, y, w, sh), momentum_label(orders.optimizer), mlo, mhi,
                               _mean(orders.momentum), lambda v: b.give_orders(momentum=v), size=px(14),
                               enabled=editable and used, note=note)
        y += sh + px(14)
        self.y_counts, y = y, y + px(62)
        spark = px(48 if self.schedule is not None else 56)
        self.spark_rect = pygame.Rect(x, y, w, spark)
        y += spark + px(12)
        self.controls = self._controls(x, y, w, px(34))
        self.widgets = [*self.tabs, self.hold, self.picker, self.lr, *([self.schedule] if self.schedule else []),
                        self.momentum, *self.controls]
        return y + px(34)

    def _controls(self, x, y, w, h) -> list:
        b, px = self.battle, self._px
        if b.phase == "deploy":
            label = "Watch replay \u25b6" if b.replay is not None else "Start descent \u25b6"
            return [Button((x, y, w, h), label, b.start, size=px(15), primary=True)]
        live = b.phase == "descend"
        gap = px(5)
        pause_w, step_w, turn_w = int(w * 0.27), int(w * 0.2), int(w * 0.13)
        if b.stopped:                                    # nothing moves: the button ends the run instead
            pause = Button((x, y, pause_w, h), "End run", b.end_run, size=px(13), selected=True)
        else:
            pause = Button((x, y, pause_w, h), "Resume" if b.paused else "Pause", b.toggle_pause, size=px(13),
                           enabled=live, selected=b.paused)
        out = [pause, Button((x + pause_w + gap, y, step_w, h), "Step", b.step_once, size=px(13),
                             enabled=live and not b.stopped)]
        self.speed_rect = pygame.Rect(x + pause_w + step_w + 3 * gap + turn_w, y,
                                      w - pause_w - step_w - 2 * turn_w - 4 * gap, h)
        out.append(Button((self.speed_rect.x - gap - turn_w, y, turn_w, h), "\u2212", lambda: b.change_speed(-1),
                          size=px(15), enabled=live and b.speed > SPEEDS[0]))
        out.append(Button((self.speed_rect.right + gap, y, turn_w, h), "+", lambda: b.change_speed(+1),
                          size=px(15), enabled=live and b.speed < SPEEDS[-1]))
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
        size = px(18)
        while size > px(12) and text_width(b.level.title, size, bold=True) > w:    # a long title is set smaller
            size -= 1
        text(surface, ellipsize(b.level.title, size, w, bold=True), (x, self.y_title + px(18) - size), size, TEXT,
             bold=True)
        self._draw_step(surface, x, w)
        self._draw_supply(surface, x, w)
        text(surface, "SQUADS", (x, self.y_squads), px(11), MUTED, bold=True)
        n = int((b.world.squad == b.squad).sum())
        held = b.squad < b.world.n_squads and b.world.is_held(b.squad)
        head = text(surface, f"{squad_name(b.squad).upper()} {'HELD' if held else 'ORDERS'}",
                    (x, self.y_orders + px(2)), px(11), ACCENT if held else MUTED, bold=True)
        units = f"{n} unit{'s' if n != 1 else ''}"
        text(surface, ellipsize(units, px(12), self.hold.rect.x - head.right - px(12)),
             (head.right + px(8), self.y_orders + px(1)), px(12), SQUAD_COLOURS[b.squad])
        self._draw_counts(surface, x, w)
        self._draw_sparkline(surface)
        for widget in self.widgets:
            widget.draw(surface)
        for k, tab in enumerate(self.tabs):             # a held squad's tab: a pause badge on its corner
            if tab.enabled and k < b.world.n_squads and b.world.is_held(k):
                corner = (tab.rect.right - px(3), tab.rect.y - px(1))
                pygame.draw.circle(surface, PANEL, corner, px(7))
                pygame.draw.circle(surface, ACCENT, corner, px(7), max(1, px(1)))
                draw_pause_sign(surface, corner, px(6), ACCENT)
        if b.phase != "deploy":
            text(surface, speed_text(b.speed), self.speed_rect.center, px(14), TEXT if b.phase == "descend" else FAINT,
                 bold=True, anchor="center")

    def _draw_step(self, surface, x, w):
        b, px = self.battle, self._px
        world, budget = b.world, b.level.budget
        text(surface, f"Step {world.step_count} / {budget}", (x, self.y_step), px(14), TEXT)
        if b.phase == "deploy":
            state, colour = "DEPLOY", ACCENT
        elif b.phase == "over":
            state, colour = ("WON", GOOD) if world.won else ("OVER", MUTED)
        else:
            state, colour = ("PAUSED", ACCENT) if b.paused else (f"\u25b6 {speed_text(b.speed)}", GOOD)
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
        """The star-threshold tick on the step bar, labelled "\u2605 N" just under it; returns the label's rect."""
        b, px = self.battle, self._px
        budget = b.level.budget
        bar = pygame.Rect(x, self.y_step + px(22), w, px(6))
        star = bar.x + int(bar.width * min(1.0, b.level.star_steps / budget))
        pygame.draw.line(surface, TEXT, (star, bar.y - 2), (star, bar.bottom + 1), 1)
        label, size = f"\u2605 {b.level.star_steps}", px(10)
        lw = text_width(label, size)
        lx = star - lw // 2
        lx = min(max(lx, x), x + w - lw)
        rect = pygame.Rect(lx, bar.bottom + px(1), lw, size + px(2))
        text(surface, label, rect.topleft, size, ACCENT)
        return rect

    def _draw_supply(self, surface, x, w):
        """Supply left of the world's, as a number and a shrinking bar; the rate it is spent (the units
        moving now, one unit-step each a step), in the warning colour when at that rate it runs out
        before the step budget; under the bar the star's limit on spending, or when it runs out."""
        b, px = self.battle, self._px
        world = b.world
        lasts = supply_lasts(world)
        left = text(surface, f"Supply {world.supply_left:,}", (x, self.y_supply), px(14), TEXT)
        text(surface, f" / {world.supply:,}", left.topright, px(12), MUTED)
        text(surface, f"\u2212{world.spend_rate} / step", (x + w, self.y_supply + px(1)), px(13),
             MUTED if lasts else BAD, bold=not lasts, anchor="topright")
        bar = pygame.Rect(x, self.y_supply + px(22), w, px(6))
        pygame.draw.rect(surface, CARD, bar, border_radius=3)
        rest = bar.copy()
        rest.width = int(bar.width * world.supply_left / max(1, world.supply))
        if rest.width:
            pygame.draw.rect(surface, GOOD if lasts else BAD, rest, border_radius=3)
        star = b.level.star_supply
        if star < world.supply:                           # the third star's limit: keep the bar right of it
            tick = bar.x + int(bar.width * (world.supply - star) / world.supply)
            pygame.draw.line(surface, TEXT, (tick, bar.y - 2), (tick, bar.bottom + 1), 1)
        if not lasts and world.spend_rate:
            out = world.step_count + -(-world.supply_left // world.spend_rate)
            note, colour = f"at this rate it runs out at step {out}", BAD
        elif star < world.supply:
            note, colour = f"\u2605 for spending at most {star:,}", ACCENT if world.supply_spent <= star else FAINT
        else:
            return
        text(surface, ellipsize(note, px(10), w), (x, bar.bottom + px(1)), px(10), colour)

    def _draw_counts(self, surface, x, w):
        px = self._px
        text(surface, "ALL UNITS", (x, self.y_counts), px(11), MUTED, bold=True)
        world = self.battle.world
        counts = fate_counts(world)                       # 'trapped' only in a pit; 'stalled' said apart
        held = world.held_count()
        counts["descending"] -= held                      # a held unit is not descending: it stands still
        notes = [f"{n} {word}" for n, word in ((counts["stalled"], "stalled"), (held, "held")) if n]
        if notes:
            text(surface, "  \u00b7  ".join(notes), (x + w, self.y_counts), px(11), MUTED, anchor="topright")
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
