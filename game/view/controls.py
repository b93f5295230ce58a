"""Moving the camera: arrows/WASD and the window edge pan, a middle-button drag pans (the ground
follows the hand), the wheel zooms around the cursor; on the sand table Q / E turn it by 45 degrees
and PgUp / PgDn tilt the view. Shared by every front end that shows a map.

Everything is driven by pygame events, including which keys are held and where the mouse is,
so posted events (the tests) and a real mouse and keyboard behave the same.
"""
from __future__ import annotations

import pygame

KEY_PAN_SPEED = 720      # map scroll speed with arrows/WASD [px/s]
EDGE_PX = 6              # the mouse this close to a window edge scrolls the map [px]
EDGE_PAN_SPEED = 720     # [px/s]
ZOOM_STEP = 1.2          # zoom factor per wheel notch

PAN_KEYS = {pygame.K_LEFT: (-1, 0), pygame.K_a: (-1, 0), pygame.K_RIGHT: (1, 0), pygame.K_d: (1, 0),
            pygame.K_UP: (0, -1), pygame.K_w: (0, -1), pygame.K_DOWN: (0, 1), pygame.K_s: (0, 1)}
TURN_KEYS = {pygame.K_q: -1, pygame.K_e: 1}                    # the relief camera's turns ...
TILT_KEYS = {pygame.K_PAGEUP: 1, pygame.K_PAGEDOWN: -1}        # ... and tilts (steeper / lower)
CTRL = pygame.KMOD_CTRL | pygame.KMOD_META


def ctrl_held(event) -> bool:
    return bool(getattr(event, "mod", 0) & CTRL)


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
        if t == pygame.KEYDOWN and hasattr(self.camera, "turn") and not ctrl_held(event):
            if event.key in TURN_KEYS:
                self.camera.turn(TURN_KEYS[event.key])
                return True
            if event.key in TILT_KEYS:
                self.camera.tilt_by(TILT_KEYS[event.key])
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
