"""The battle's frame, drawn from the battle's state (it changes nothing).

    +--------------------------------------+-----------+
    | banner                        F1 help| squad     |
    | landing status line (cursor on map)  | panel     |
    | inset (network levels)               |           |
    |              the map                 |           |
    | hints                                |           |
    | event log                            | minimap   |
    +--------------------------------------+-----------+

While the cursor is over the ground and orders may be given, the status line says what a right
click (redeploy) and L (a fresh drop) would do there and cost, or why they may not (landing.py),
and a ring on the ground shows where the units would land.
"""
from __future__ import annotations

import math

import numpy as np
import pygame

import sim
from sim.drops import DROP_SPREAD
from game.view.help import draw_help
from game.view.names import speed_text
from game.view.nn_view import draw_decision_inset
from game.view.render import SQUAD_COLOURS, draw_minimap
from game.view.widgets import ACCENT, BAD, GOOD, MUTED, PANEL, TEXT, backdrop, ellipsize, text, text_width
from game.view.world_view import draw_world

from . import landing

from .keys import CLOSE_HELP, HELP


def network_unit(b) -> int:
    """The unit whose network the inset shows: among the selected units (else the panel's squad)
    the first one still descending, else the first that arrived, else the first. Once a run is
    won, the first that arrived, among them or anywhere: the trained network."""
    w = b.world
    pool = np.flatnonzero(b.selection.mask)
    if not len(pool):
        pool = np.flatnonzero(w.squad == b.squad)
    if not len(pool) or (w.won and not (w.status[pool] == sim.ARRIVED).any()):
        pool = np.arange(w.n_units)
    for status in ((sim.ARRIVED, sim.DESCENDING) if w.won else (sim.DESCENDING, sim.ARRIVED)):
        found = pool[w.status[pool] == status]
        if len(found):
            return int(found[0])
    return int(pool[0])


def draw_network(b, surface, rect=None, scale=None):
    """The decision-boundary inset of ``network_unit`` (NN levels only), by default at ``inset_rect``."""
    if b.network is None:
        return
    u = b.network_unit()
    rect, scale = (b.inset_rect, b.inset_scale) if rect is None else (rect, scale)
    draw_decision_inset(surface, rect, b.network, b.world.positions[u], SQUAD_COLOURS[b.world.squad[u]],
                        f"unit {u + 1}", scale)

def draw(b, surface):
    """The battle's frame: the map with units and the selection box, the network inset, the banner,
    the event log, the squad panel, the minimap; then the hints, the question or the help."""
    draw_world(surface, b.world, b.camera, b.art, b.fog, selected=b.selection.mask, time_s=b.time_s,
               keep_clear=overlays(b))
    box = b.selection.box
    if box is not None:
        shade = pygame.Surface(box.size, pygame.SRCALPHA)
        shade.fill((*ACCENT, 40))
        surface.blit(shade, box)
        pygame.draw.rect(surface, ACCENT, box, 1)
    b.draw_network(surface)
    draw_banner(b, surface)
    draw_landing(b, surface)
    b.log.draw(surface, b.log_rect, size=int(14 * b.scale))
    b.panel.draw(surface)
    draw_minimap(surface, b.minimap_rect, b.world, b.camera, b.art, b.fog)
    if b._hint_lines and b.phase == "deploy":
        draw_hints(b, surface)
    if b.confirm_leave:
        draw_confirm(b, surface)
    if b.show_help:
        draw_help(surface, surface.get_rect(), b.scale, HELP, CLOSE_HELP)


def overlays(b) -> list:
    """What the battle lays over its map -- the banner line, the event log, the hint box, the
    network inset, a minimap in the map's corner -- for the map's labels to keep clear of [px]."""
    top = pygame.Rect(b.map_rect.x, 0, b.map_rect.width, int(14 * b.scale) + int(13 * b.scale) * 2)
    status = getattr(b, "status_rect", None)
    return [top, b.log_rect, b.minimap_rect, b.inset_rect] + ([b.hint_rect] if b._hint_lines else []) + \
        ([status] if status else [])


def draw_hints(b, surface):
    """The deploy hint box above the event log (laid out by the battle)."""
    size, pad = int(13 * b.scale), int(14 * b.scale)
    backdrop(surface, b.hint_rect, alpha=200, edge=ACCENT)
    y = b.hint_rect.y + pad // 4 + 2
    for line, colour in b._hint_lines:
        text(surface, line, (b.hint_rect.x + pad // 2, y), size, colour)
        y += int(size * 1.45)


def draw_confirm(b, surface):
    """The small leave-this-run question, centred on the map."""
    s = b.scale
    title, line = "Leave this run?", "Esc again to leave, any other key to resume"
    size = int(14 * s)
    w = min(b.map_rect.width - int(28 * s), text_width(line, size) + int(40 * s))
    box = pygame.Rect(0, 0, w, int(76 * s))
    box.center = b.map_rect.center
    backdrop(surface, box, alpha=240, colour=PANEL, edge=ACCENT, radius=8)
    text(surface, title, (box.centerx, box.y + int(14 * s)), int(17 * s), TEXT, bold=True, anchor="midtop")
    text(surface, ellipsize(line, size, w - int(20 * s)), (box.centerx, box.bottom - int(14 * s)), size, MUTED,
         anchor="midbottom")


def draw_banner(b, surface):
    """The line at the top of the map: what to do now, and where the help is."""
    pad, size = int(14 * b.scale), int(13 * b.scale)
    if b.phase == "deploy":
        line = "DEPLOY  \u00b7  Enter starts" + (f" at {speed_text(b.speed)}" if b.speed != 1 else "")
    elif b.phase == "over":
        line = ""
    elif b.confirm_leave:
        line = "PAUSED  \u00b7  Esc leaves, any other key resumes"
    elif b.paused and b.world.over:
        line = "EVERY UNIT HAS STOPPED  \u00b7  L or right click lands units, Enter ends the run"
    elif b.paused:
        line = "PAUSED  \u00b7  Space resumes"
    else:
        line = ""
    hint = pygame.Rect(0, pad, text_width("F1  help", size) + pad, int(size * 2))
    hint.right = b.map_rect.right - pad
    if b.minimap_rect.colliderect(hint):
        hint.right = b.minimap_rect.x - pad
    b.help_rect = hint
    backdrop(surface, hint, alpha=170, edge=None)
    text(surface, "F1  help", hint.center, size, MUTED, anchor="center")
    if line:
        box = pygame.Rect(b.map_rect.x + pad, pad, text_width(line, size) + pad, int(size * 2))
        box.width = min(box.width, hint.x - pad - box.x)
        backdrop(surface, box, alpha=170, edge=None)
        text(surface, ellipsize(line, size, box.width - pad), (box.x + pad // 2, box.centery), size, TEXT,
             anchor="midleft")


def draw_landing(b, surface):
    """Under the banner, what a right click and L would do at the cursor (landing.preview), and on
    the ground the disc the units would land in: green where they may, red where they may not."""
    lines, xy, ok = landing.preview(b, b.controls.mouse)
    b.status_rect = None
    if not lines:
        return
    s, pad = b.scale, int(14 * b.scale)
    size = int(13 * s)
    room = b.map_rect.width - 2 * pad
    shown = [(ellipsize(words, size, room - pad), colour) for words, colour in lines]
    line_h = int(size * 1.6)
    width = min(room, max(text_width(words, size) for words, _ in shown) + pad)
    box = pygame.Rect(b.map_rect.x + pad, pad + int(size * 2) + pad // 2, width, line_h * len(shown) + pad // 2)
    b.status_rect = box
    _draw_ring(b, surface, xy, ok)
    backdrop(surface, box, alpha=190, edge=None)
    for k, (words, colour) in enumerate(shown):
        text(surface, words, (box.x + pad // 2, box.y + pad // 4 + k * line_h), size, colour)


def _draw_ring(b, surface, xy, ok: bool):
    """The landing disc (radius DROP_SPREAD of the map's long side) around ``xy``, on the ground."""
    r = DROP_SPREAD * b.level.size
    a = np.linspace(0, 2 * math.pi, 33)
    ring = xy + r * np.column_stack([np.cos(a), np.sin(a)])
    pts = np.asarray(b.camera.pos2pix(ring), float).tolist()
    colour = GOOD if ok else BAD
    old = surface.get_clip()
    surface.set_clip(b.map_rect)
    pygame.draw.lines(surface, (12, 16, 20), True, pts, 4)
    pygame.draw.lines(surface, colour, True, pts, 2)
    surface.set_clip(old)
