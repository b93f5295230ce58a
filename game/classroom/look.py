"""The classroom's look: high-contrast colours (white and yellow on near-black, the map in its
high-contrast palette), the squad colours of a race, and the boxes every overlay sits in.

Sizes are pixels at scale 1 times ``s`` (the presenter scale, about 2 at 1920x1080), so the type
reads from the back of a room.
"""
from __future__ import annotations

import pygame

from game.view.palette import SQUAD_COLOURS
from game.view.widgets import text, text_width

BG = (6, 8, 11)                  # panel and chart background
CARD = (22, 27, 33)              # boxes inside them
EDGE = (90, 100, 110)
INK = (255, 255, 255)            # main text
DIM = (185, 195, 205)            # secondary text
FAINT = (105, 115, 125)          # what is not revealed yet
YELLOW = (255, 214, 64)          # results and the current sub-step
GREEN = (110, 240, 140)
RED = (255, 96, 88)
OUTLINE = (0, 0, 0)
ARROW_COLOURS = {"gradient": (255, 72, 72), "carry": (205, 130, 255), "step": (80, 255, 150)}
ARROW_LEGEND = {"gradient": "−η·∇f(x)   gradient: straight downhill",
                "carry": "−η·μ·v   velocity carried over",
                "step": "Δx   velocity: the step it takes"}
STEP_LEGEND = "Δx   the step Δx it takes"    # for a rule without momentum (SGD, AdaGrad): no velocity
LINE = 1.34                      # line height / type size in the panel
# Squad colours in classroom mode: the game's table (render.SQUAD_COLOURS) in its order, without any
# white, which would vanish on the pale high ground of the high-contrast map (the table has none).
RACE_COLOURS = tuple(c for c in SQUAD_COLOURS if min(c) < 200)


def squad_colour(k: int) -> tuple:
    """Squad k's colour in classroom mode (units, legend, loss chart, panel, ghost, flag)."""
    return RACE_COLOURS[int(k) % len(RACE_COLOURS)]


def px(v: float, s: float) -> int:
    return int(round(v * s))


def draw_box(surface, rect, alpha=225):
    box = pygame.Surface(rect.size, pygame.SRCALPHA)
    pygame.draw.rect(box, (*BG, alpha), box.get_rect(), border_radius=8)
    surface.blit(box, rect)
    pygame.draw.rect(surface, EDGE, rect, 1, border_radius=8)


def tag_box(rect_corner, label: str, s: float, anchor="topright") -> pygame.Rect:
    """Where ``draw_tag`` puts its box [px]."""
    size, pad = px(13, s), px(8, s)
    box = pygame.Rect(0, 0, text_width(label, size) + 2 * pad, int(size * 1.9))
    setattr(box, anchor, rect_corner)
    return box


def draw_tag(surface, rect_corner, label: str, s: float, anchor="topright"):
    """A small boxed label (e.g. 'F1  help') at a corner of the map."""
    size = px(13, s)
    box = tag_box(rect_corner, label, s, anchor)
    draw_box(surface, box, alpha=200)
    text(surface, label, box.center, size, DIM, anchor="center")
    return box
