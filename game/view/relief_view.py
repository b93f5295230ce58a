"""Which render of the relief a frame shows, and how it maps to the screen.

A ``ReliefView`` keeps the last render of one level's ground (``game.view.relief.render``) and
decides, each frame, whether it can still be shown:

* the same heading, elevation, zoom and viewport, and the viewport inside what it covers: shown
  shifted by the pan since (the projection is parallel, so a pan moves every pixel alike);
* the camera turning or tilting: a draft at DRAFT_SCALE, enlarged (fast enough to animate);
* the camera zooming or panning: the last render scaled and shifted while the camera keeps moving
  (a quick draft when it no longer covers the view or would be stretched past MAX_STRETCH), and a
  crisp render as soon as the camera rests for a frame.

Between the render's pixels q and the screen's pixels s the map is s = p + k (q - c), with c the
viewport's centre, k the zoom now over the zoom then, and p where the render's centre shows now;
``to_render`` inverts it for the depth queries (``hidden``, ``ground_at``).
"""
from __future__ import annotations

import numpy as np
import pygame

from .relief import DRAFT_SCALE, RENDER_MARGIN, render

MAX_STRETCH = 1.6         # a render is shown scaled up or down at most this much before a draft replaces it
DETAIL = 1.6              # a crisp render has at most this many pixels per texel of the terrain picture ...
MAX_RENDER_PIXELS = 2_500_000   # ... and at most this many pixels (a large window is enlarged a little)


class ReliefView:
    """The relief of one ground (a level's ``Ground``) in one palette, rendered as needed."""

    def __init__(self, ground, palette="war-room", margin: float = RENDER_MARGIN):
        self.ground, self.palette = ground, palette
        self.margin = margin             # share of the viewport a render adds on every side (for pans)
        self.frame = None                # the last render (a ReliefFrame)
        self._last_key = None            # the camera's key at the previous frame
        self._scaled: dict = {}          # name -> (key, surface, rect): a picture shown scaled
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
        crisp = self.crisp_zoom(camera)
        if camera.moving:
            if not (same_angle and f.draft):
                self._render(camera, crisp * DRAFT_SCALE, 0.0, draft=True)
        elif not same_angle:
            self._render(camera, crisp, self.margin)
        elif f.zoom == crisp and not f.draft and self._covers(camera):
            pass                                                  # a pan inside the margin
        elif resting:
            self._render(camera, crisp, self.margin)              # the camera rests: a crisp render
        elif not self._covers(camera) or not 1 / MAX_STRETCH <= crisp / f.zoom <= MAX_STRETCH:
            self._render(camera, crisp * DRAFT_SCALE, 0.0, draft=True)   # still moving: a quick draft
        return self.frame

    def crisp_zoom(self, camera) -> float:
        """The zoom [px/world] a crisp render is made at: the camera's, but no finer than
        DETAIL pixels per texel of the terrain picture (closer, the picture is enlarged smoothly,
        which beats blocky texels), and no larger than MAX_RENDER_PIXELS."""
        vp, grow = camera.viewport, (1 + 2 * self.margin) ** 2
        detail = DETAIL / min(self.ground.texel_size)
        size = max(1, vp.width * vp.height * grow)
        return min(camera.zoom, detail, camera.zoom * np.sqrt(MAX_RENDER_PIXELS / size))

    def _render(self, camera, zoom: float, margin: float, draft: bool = False):
        """Render the viewport plus ``margin`` of it on every side, at ``zoom`` [px/world] (the render's
        pixels are the screen's scaled by zoom / camera.zoom about the viewport's centre)."""
        vp, k = camera.viewport, zoom / camera.zoom
        rect = pygame.Rect(0, 0, max(1, round(vp.width * k * (1 + 2 * margin))),
                           max(1, round(vp.height * k * (1 + 2 * margin))))
        rect.center = vp.center
        self.frame = render(self.ground, camera, rect, zoom, self.palette, draft=draft)
        self._scaled = {}
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
        return self.show(camera, self.frame.surface, self.frame.rect, "picture")

    def show(self, camera, surface, area, name: str) -> tuple:
        """(surface, rect): a picture of the render's ``area`` [render px] placed, and scaled as the
        render shows now -- only the part inside the viewport is scaled (a close zoom stays cheap).
        Scaled pictures are kept per ``name`` while the camera does not change."""
        k, p = self._transform(camera)
        c = np.array(self.frame.viewport.center, float)
        corner = p + k * (np.array(area.topleft, float) - c)
        placed = pygame.Rect(int(round(corner[0])), int(round(corner[1])), round(area.width * k),
                             round(area.height * k))
        if abs(k - 1.0) < 1e-9:
            return surface, placed
        shown = placed.clip(camera.viewport)
        if not shown.width or not shown.height:
            return pygame.Surface((0, 0)), shown
        key = (name, id(surface), k, tuple(placed), tuple(shown))
        cached = self._scaled.get(name)
        if cached is None or cached[0] != key:
            x0, y0 = int((shown.x - placed.x) / k), int((shown.y - placed.y) / k)
            x1 = min(area.width, int(np.ceil((shown.right - placed.x) / k)) + 1)
            y1 = min(area.height, int(np.ceil((shown.bottom - placed.y) / k)) + 1)
            part = surface.subsurface(pygame.Rect(x0, y0, max(1, x1 - x0), max(1, y1 - y0)))
            size = (max(1, round(part.get_width() * k)), max(1, round(part.get_height() * k)))
            at = pygame.Rect(placed.x + round(x0 * k), placed.y + round(y0 * k), *size)
            self._scaled[name] = (key, pygame.transform.smoothscale(part, size), at)
        return self._scaled[name][1], self._scaled[name][2]

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
