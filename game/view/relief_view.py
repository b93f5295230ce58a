"""Which render of the relief a frame shows, and how it maps to the screen.

A ``ReliefView`` keeps the last render of one level's ground (``game.view.relief.render``) and
decides, each frame, whether it can still be shown:

* the same heading, elevation, zoom and viewport, and the viewport inside what it covers: shown
  shifted by the pan since (the projection is parallel, so a pan moves every pixel alike);
* the camera turning or tilting: a draft at DRAFT_SCALE, enlarged (fast enough to animate);
* the camera zooming or panning past the margin: the last render scaled and shifted as a draft
  while the camera keeps moving, and a crisp render as soon as it rests for a frame.

Between the render's pixels q and the screen's pixels s the map is s = p + k (q - c), with c the
viewport's centre, k the zoom now over the zoom then, and p where the render's centre shows now;
``to_render`` inverts it for the depth queries (``hidden``, ``ground_at``).
"""
from __future__ import annotations

import numpy as np
import pygame

from .relief import DRAFT_SCALE, RENDER_MARGIN, render


class ReliefView:
    """The relief of one ground (a level's ``Ground``) in one palette, rendered as needed."""

    def __init__(self, ground, palette="war-room", margin: float = RENDER_MARGIN):
        self.ground, self.palette = ground, palette
        self.margin = margin             # share of the viewport a render adds on every side (for pans)
        self.frame = None                # the last render (a ReliefFrame)
        self._last_key = None            # the camera's key at the previous frame
        self._scaled = None              # (k, surface): the render enlarged or shrunk by k
        self.renders = 0                 # renders so far (the tests count them)

    # -- choosing the render -------------------------------------------------------------------
    def update(self, camera):
        """Make ``self.frame`` fit to show ``camera``'s view (see the module's docstring)."""
        key = camera.key()
        resting = key == self._last_key
        self._last_key = key
        f = self.frame
        same_angle = (f is not None and f.yaw == camera.yaw and f.elevation == camera.elevation
                      and f.viewport == camera.viewport)
        if camera.moving:
            if not (same_angle and f.draft):
                self._render(camera, DRAFT_SCALE)
        elif not same_angle:
            self._render(camera, 1.0)
        elif f.zoom == camera.zoom and not f.draft and self._covers(camera):
            pass                                                  # a pan inside the margin
        elif resting or not self._covers(camera):
            self._render(camera, 1.0)
        return self.frame

    def _render(self, camera, scale: float):
        """Render the viewport plus RENDER_MARGIN (a draft: the viewport, at ``scale``)."""
        vp = camera.viewport
        if scale == 1.0:
            rect = vp.inflate(2 * int(vp.width * self.margin), 2 * int(vp.height * self.margin))
        else:
            rect = pygame.Rect(0, 0, max(1, round(vp.width * scale)), max(1, round(vp.height * scale)))
            rect.center = vp.center
        self.frame = render(self.ground, camera, rect, camera.zoom * scale, self.palette)
        self._scaled = None
        self.renders += 1

    def _covers(self, camera) -> bool:
        """Whether the render, as shown now, covers the whole viewport."""
        return self.placed(camera).contains(camera.viewport)

    # -- the render on the screen --------------------------------------------------------------
    def _transform(self, camera) -> tuple:
        """(k, p): screen = p + k (render - viewport centre)."""
        f = self.frame
        k = camera.zoom / f.zoom
        p = camera.project(f.center, f.z_ref)
        return k, p

    def placed(self, camera) -> pygame.Rect:
        """Where the render's picture goes on the screen [px]."""
        k, p = self._transform(camera)
        c = np.array(self.frame.viewport.center, float)
        corner = p + k * (np.array(self.frame.rect.topleft, float) - c)
        size = (round(self.frame.rect.width * k), round(self.frame.rect.height * k))
        return pygame.Rect(int(round(corner[0])), int(round(corner[1])), *size)

    def picture(self, camera) -> tuple:
        """(surface, rect): the render as it shows in ``camera``'s view now."""
        rect = self.placed(camera)
        k = camera.zoom / self.frame.zoom
        if abs(k - 1.0) < 1e-9:
            return self.frame.surface, rect
        if self._scaled is None or self._scaled[0] != rect.size:
            self._scaled = (rect.size, pygame.transform.smoothscale(self.frame.surface, rect.size))
        return self._scaled[1], rect

    def to_render(self, camera, s) -> np.ndarray:
        """Screen pixels s (N, 2) -> the render's own pixels."""
        k, p = self._transform(camera)
        return np.asarray(self.frame.viewport.center, float) + (np.asarray(s, float) - p) / k

    # -- questions about the ground ------------------------------------------------------------
    def hidden(self, camera, xy, z, lift_px: float = 0.0) -> np.ndarray:
        """Which points (N, 2) at elevations z (N,), raised ``lift_px`` [px] up the screen, the ground hides."""
        return self.frame.hidden(xy, z, lift_px / camera.zoom)

    def ground_at(self, camera, s, faces: bool = False) -> tuple:
        """(world points (N, 2), found (N,)) of the ground showing at screen pixels s (N, 2);
        ``faces``: the plinth's faces answer too, with the ground on their top edge."""
        return self.frame.ground_at(self.to_render(camera, s), faces)
