"""Player input on the battle map: selecting units and squad keys (the camera's keys and mouse are
``game.view.controls``).

* ``Selection`` -- a boolean mask over the units, changed by a left click (the nearest unit
  under the cursor) or a drag box; Shift adds to the selection.
* ``squad_key(event)`` -- Ctrl+1..9 forms a squad from the selection, 1..9 selects a squad.

Everything is driven by pygame events, including which keys are held and where the mouse is,
so posted events (the tests) and a real mouse and keyboard behave the same.
"""
from __future__ import annotations

import numpy as np
import pygame

from game.view.controls import ctrl_held

CLICK_PX = 5             # a left press that moves less than this is a click, not a box [px]
PICK_PX = 14             # a click selects the nearest unit within this distance [px]

DIGITS = {getattr(pygame, f"K_{k}"): k - 1 for k in range(1, 10)}
DIGITS.update({getattr(pygame, f"K_KP{k}"): k - 1 for k in range(1, 10)})


def squad_key(event):
    """('form', squad) for Ctrl+1..9, ('select', squad) for 1..9, else None. Squads count from 0."""
    if event.type != pygame.KEYDOWN or event.key not in DIGITS:
        return None
    return ("form" if ctrl_held(event) else "select"), DIGITS[event.key]


class Selection:
    """Selected units as a boolean mask (N,), and the drag box being drawn [px]."""

    def __init__(self, n_units: int):
        self.mask = np.zeros(n_units, bool)
        self.box_start = None       # where the left button went down on the map [px]
        self.box_end = None

    @property
    def dragging(self) -> bool:
        return self.box_start is not None

    @property
    def box(self):
        """The drag box as a pygame.Rect, once the press has moved far enough to be a box."""
        if self.box_start is None or self.box_end is None:
            return None
        (x0, y0), (x1, y1) = self.box_start, self.box_end
        if max(abs(x1 - x0), abs(y1 - y0)) < CLICK_PX:
            return None
        return pygame.Rect(min(x0, x1), min(y0, y1), abs(x1 - x0) + 1, abs(y1 - y0) + 1)

    def press(self, pos):
        self.box_start = self.box_end = tuple(pos)

    def drag(self, pos):
        if self.box_start is not None:
            self.box_end = tuple(pos)

    def release(self, pos, unit_px: np.ndarray, additive=False, selectable=None):
        """Finish a click or a box. ``unit_px`` (N, 2) are the units' screen positions [px];
        ``selectable`` masks the units that may be picked (default: all)."""
        self.drag(pos)
        box = self.box
        self.box_start = self.box_end = None
        ok = np.ones(len(self.mask), bool) if selectable is None else selectable
        if box is not None:
            x, y = unit_px[:, 0], unit_px[:, 1]
            hit = ok & (x >= box.left) & (x < box.right) & (y >= box.top) & (y < box.bottom)
        else:
            d2 = ((unit_px - np.asarray(pos, float)) ** 2).sum(1)
            d2[~ok] = np.inf
            hit = np.zeros(len(self.mask), bool)
            if len(d2) and d2.min() <= PICK_PX ** 2:
                hit[int(np.argmin(d2))] = True
        self.set(hit, additive)

    def set(self, mask, additive=False):
        self.mask = (self.mask | mask) if additive else np.array(mask, bool)

    def grow(self, n_units: int):
        """Cover ``n_units`` units: units landed since are not selected."""
        if len(self.mask) < n_units:
            self.mask = np.concatenate([self.mask, np.zeros(n_units - len(self.mask), bool)])

    def clear(self):
        self.mask[:] = False
        self.box_start = self.box_end = None
