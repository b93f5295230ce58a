"""Player input on the battle map: selecting units, squad keys, and moving the camera.

* ``Selection`` -- a boolean mask over the units, changed by a left click (the nearest unit
  under the cursor) or a drag box; Shift adds to the selection.
* ``squad_key(event)`` -- Ctrl+1..9 forms a squad from the selection, 1..9 selects a squad.
* ``CameraControls`` -- arrows/WASD and the window edge pan, a middle-button drag pans, the
  wheel zooms around the cursor.

Everything is driven by pygame events, including which keys are held and where the mouse is,
so posted events (the tests) and a real mouse and keyboard behave the same.
"""
from __future__ import annotations

import numpy as np
import pygame

CLICK_PX = 5             # a left press that moves less than this is a click, not a box [px]
PICK_PX = 14             # a click selects the nearest unit within this distance [px]
KEY_PAN_SPEED = 720      # map scroll speed with arrows/WASD [px/s]
EDGE_PX = 6              # the mouse this close to a window edge scrolls the map [px]
EDGE_PAN_SPEED = 720     # [px/s]
ZOOM_STEP = 1.2          # zoom factor per wheel notch

PAN_KEYS = {pygame.K_LEFT: (-1, 0), pygame.K_a: (-1, 0), pygame.K_RIGHT: (1, 0), pygame.K_d: (1, 0),
            pygame.K_UP: (0, -1), pygame.K_w: (0, -1), pygame.K_DOWN: (0, 1), pygame.K_s: (0, 1)}
DIGITS = {getattr(pygame, f"K_{k}"): k - 1 for k in range(1, 10)}
DIGITS.update({getattr(pygame, f"K_KP{k}"): k - 1 for k in range(1, 10)})
CTRL = pygame.KMOD_CTRL | pygame.KMOD_META


def ctrl_held(event) -> bool:
    return bool(getattr(event, "mod", 0) & CTRL)


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

    def clear(self):
        self.mask[:] = False
        self.box_start = self.box_end = None


class CameraControls:
    """Moves a camera from held keys, the mouse at a window edge, middle drag and the wheel."""

    def __init__(self, camera):
        self.camera = camera
        self.held: set[int] = set()     # pan keys currently down
        self.mouse = None               # last known mouse position [px]; None when outside the window
        self.middle_from = None         # where the current middle drag last was [px]

    def handle(self, event) -> bool:
        """Track keys and the mouse; pan on middle drag, zoom on the wheel. True if the event was used."""
        t = event.type
        if t in (pygame.MOUSEMOTION, pygame.MOUSEBUTTONDOWN, pygame.MOUSEBUTTONUP):
            self.mouse = (int(event.pos[0]), int(event.pos[1]))
        if t == pygame.KEYDOWN and event.key in PAN_KEYS and not ctrl_held(event):
            self.held.add(event.key)
            return True
        if t == pygame.KEYUP and event.key in PAN_KEYS:
            self.held.discard(event.key)
            return True
        if t in (pygame.WINDOWLEAVE, pygame.WINDOWFOCUSLOST):
            self.mouse = None
            self.held.clear()
        elif t == pygame.MOUSEBUTTONDOWN and event.button == 2 and self.camera.viewport.collidepoint(event.pos):
            self.middle_from = tuple(event.pos)
            return True
        elif t == pygame.MOUSEMOTION and self.middle_from is not None:
            dx, dy = event.pos[0] - self.middle_from[0], event.pos[1] - self.middle_from[1]
            self.camera.pan_px(dx, dy)          # the map follows the hand
            self.middle_from = tuple(event.pos)
            return True
        elif t == pygame.MOUSEBUTTONUP and event.button == 2 and self.middle_from is not None:
            self.middle_from = None
            return True
        elif t == pygame.MOUSEWHEEL and self.mouse is not None and self.camera.viewport.collidepoint(self.mouse):
            self.camera.zoom_at(self.mouse, ZOOM_STEP ** event.y)
            return True
        return False

    def update(self, dt: float, window_size):
        """Pan for held keys and for the mouse resting at a window edge."""
        vx = sum(PAN_KEYS[k][0] for k in self.held) * KEY_PAN_SPEED
        vy = sum(PAN_KEYS[k][1] for k in self.held) * KEY_PAN_SPEED
        if self.mouse is not None and self.middle_from is None:
            (mx, my), (w, h) = self.mouse, window_size
            vx += EDGE_PAN_SPEED * (int(mx >= w - EDGE_PX) - int(mx < EDGE_PX))
            vy += EDGE_PAN_SPEED * (int(my >= h - EDGE_PX) - int(my < EDGE_PX))
        if vx or vy:                            # the view moves right, so the map slides left
            self.camera.pan_px(-vx * dt, -vy * dt)
