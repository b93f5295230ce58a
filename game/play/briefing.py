"""The briefing: what a level teaches and what the player has to work with (optimizers, ranges,
schedules, units, budget, supply, the commands a level needs, what earns each star), beside the
fogged map; the text column wraps, then is set smaller, then scrolls (game.view.flow). The briefing
of a neural-network level adds a card with the hidden units' activation and its derivative under
the map (``game.view.nn_view``).
"""
from __future__ import annotations

import pygame

import sim
from sim.drops import DROP_COST
from sim.nn import landscape_of
from game.app import Scene
from game.view.camera import Camera
from game.view.names import OPTIMIZER_LABELS, level_number
from game.view.nn_view import card_height, draw_activation_card
from game.view.render import Fog, draw_map, labelled_fit_area
from game.view.flow import Flow, fit
from game.view.widgets import ACCENT, FAINT, MUTED, PANEL, PANEL_EDGE, TEXT, Button, text


class Briefing(Scene):
    """What a level teaches and what the player has to work with, beside the fogged map."""
    name = "briefing"

    def __init__(self, app, level: sim.Level):
        super().__init__(app)
        self.level = level
        self.world = sim.World(level)
        self.art = app.map_art(level)
        self.network = landscape_of(level.terrain)     # the network behind an NN level, else None
        self.card_rect = None
        self.fog = Fog.of(level, self.world.explored)
        self.camera = Camera(level.bounds, pygame.Rect(0, 0, 400, 400))
        self.scroll = 0                                 # how far the text column is scrolled [px]

    def layout(self, size, scale):
        self.size, self.scale = size, scale
        w, h = size
        margin = int(48 * scale)
        side = min(h - 2 * margin, int(w * 0.45))
        self.map_rect = pygame.Rect(w - margin - side, (h - side) // 2, side, side)
        if self.network is not None:                 # the activation card under the map, the map smaller
            card_h = card_height(side, self.network.activation, scale)
            self.card_rect = pygame.Rect(w - margin - side, h - margin - card_h, side, card_h)
            map_side = min(side, self.card_rect.y - margin - int(34 * scale))
            self.map_rect = pygame.Rect(self.card_rect.centerx - map_side // 2, margin, map_side, map_side)
        self.camera.set_viewport(self.map_rect, fit_area=labelled_fit_area(self.level, self.camera, self.map_rect))
        self.camera.fit()                                # the widest tick label fits left of the map
        self.text_w = w - side - 3 * margin              # left of the map's column
        bw, bh = int(220 * scale), int(46 * scale)
        y = h - margin - bh
        self.buttons = [Button((margin, y, bw, bh), "Deploy  \u25b6   (Enter)", self.deploy, size=int(16 * scale),
                               primary=True),
                        Button((margin + bw + int(14 * scale), y, int(150 * scale), bh), "Back  (Esc)", self.back,
                               size=int(15 * scale))]

    def deploy(self):
        from .battle import Battle
        self.app.push(Battle(self.app, self.level))

    def handle(self, event) -> bool:
        if event.type == pygame.KEYDOWN and event.key in (pygame.K_RETURN, pygame.K_KP_ENTER, pygame.K_SPACE):
            self.deploy()
            return True
        if event.type == pygame.MOUSEWHEEL:                # a column too tall even when set smaller scrolls
            self.scroll = max(0, self.scroll - int(event.y * 20 * self.scale))
            return True
        return any(b.handle(event) for b in self.buttons)

    def draw(self, surface):
        s = self.scale
        surface.fill(PANEL)
        margin = int(48 * s)
        box = pygame.Rect(margin, margin, self.text_w, self.buttons[0].rect.y - int(18 * s) - margin)
        flow, _ = fit(lambda f: column(self.level, f, box.width), s, box.height)
        self.scroll = max(0, min(self.scroll, flow.height - box.height))
        flow.draw(surface, box, self.scroll)
        for b in self.buttons:
            b.draw(surface)
        draw_map(surface, self.world, self.camera, self.art, self.fog, time_s=self.app.time_s)
        pygame.draw.rect(surface, PANEL_EDGE, self.map_rect, 1)
        text(surface, "What your units know: only the ground where they stand",
             (self.map_rect.centerx, self.map_rect.bottom + int(8 * s)), int(12 * s), FAINT, anchor="midtop")
        if self.card_rect is not None:
            draw_activation_card(surface, self.card_rect, self.network.activation, s)


def column(level, f: float, width: int) -> Flow:
    """The briefing's text at type scale ``f``, ``width`` px wide: level, title, lesson, briefing,
    then the facts (``facts``), each name beside its value."""
    flow = Flow(width)
    number, chapter = level_number(level.id), sim.chapter_of(level.id)
    head = [f"LEVEL {number}"] if number else []
    if chapter is not None:                                   # e.g. LEVEL 13 · MANY VALLEYS · BOSS · BRIEFING
        head += [chapter.name.upper()] + (["BOSS"] if chapter.is_boss(level.id) else [])
    flow.paragraph("  \u00b7  ".join(head + ["BRIEFING"]), int(13 * f), ACCENT, bold=True)
    flow.space(int(6 * f))
    flow.paragraph(level.title, int(36 * f), TEXT, bold=True)
    flow.paragraph(level.lesson, int(17 * f), ACCENT)
    flow.space(int(14 * f))
    flow.paragraph(level.briefing, int(15 * f), TEXT)
    flow.space(int(18 * f))
    key_w, size = int(130 * f), int(14 * f)
    for key, value in facts(level):
        flow.paragraph(value, size, TEXT, indent=key_w, lead=lambda surface, x, y, key=key: text(
            surface, key.upper(), (x, y + int(2 * f)), int(11 * f), MUTED, bold=True))
    return flow


def schedule_fact(lvl, kind: str) -> str:
    """What the squad panel's schedule ``kind`` does on level ``lvl``: 'step decay (η ×0.3 every 37
    steps)', 'cosine (η down to 0.0005 by step 150)' (sim.schedule.default_schedule's parameters)."""
    sched = sim.schedule.default_schedule(kind, float(lvl.lr_range[1]), lvl.budget, float(lvl.lr_range[0]))
    if kind == "step":
        return f"step decay (\u03b7 \u00d7{sched.gamma:g} every {sched.step_size} steps)"
    return f"cosine (\u03b7 down to {sched.eta_min:g} by step {sched.t_max})"


COMMANDS = {      # what a level that needs more than constant orders asks of the player, and the keys for it
    "drop": "H holds the selected squad (it spends nothing)  \u00b7  a right click sends it where the fog has "
            "lifted  \u00b7  L drops fresh units there  \u00b7  \u2212 twice slows the clock to \u00bc\u00d7, "
            "Space pauses while you look",
    "change": "change orders during the descent: \u2212 twice slows the clock to \u00bc\u00d7, Space pauses "
              "while you choose"}


def facts(lvl) -> list:
    """(name, value) of what the player has to work with on level ``lvl``."""
    lo, hi = lvl.lr_range
    out = [("Optimizers", ", ".join(OPTIMIZER_LABELS[o] for o in lvl.allowed)),
           ("Learning rate", f"\u03b7 {lo:g} \u2013 {hi:g}   (starts at {lvl.lr:g})"),
           ("Units", f"{lvl.units}"),
           ("Step budget", f"{lvl.budget}"),
           ("Stars", f"win  \u00b7  arrive within {lvl.star_steps} steps  \u00b7  lose at most "
                     f"{lvl.star_units_lost} unit{'s' if lvl.star_units_lost != 1 else ''}"
                     + (f" and spend at most {lvl.star_supply:,} supply" if lvl.star_supply < lvl.supply else ""))]
    mlo, mhi = lvl.momentum_range
    if mhi > mlo:
        out.insert(2, ("Momentum", f"\u03bc {mlo:g} \u2013 {mhi:g}"))
    kinds = [schedule_fact(lvl, k) for k in lvl.schedules if k != "constant"]
    if kinds:
        out.insert(3, ("Schedules", f"{' or '.join(kinds)}, from the \u03b7 on the slider (in the squad panel)"))
    if lvl.supply < lvl.units * lvl.budget or lvl.star_supply < lvl.supply or lvl.needs == "drop":
        out.insert(-1, ("Supply", f"{lvl.supply:,}: a moving unit spends 1 a step, a landing {DROP_COST} a unit"))
    if lvl.needs in COMMANDS:
        out.insert(-1, ("Commands", COMMANDS[lvl.needs]))
    if lvl.noise > 0:
        out.append(("Weather", f"noisy gradients (\u03c3 = {lvl.noise:g})"))
    return out
