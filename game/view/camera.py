"""The camera: world <-> pixel conversion for the map view.

A world point (x, y) [world] appears at the pixel

    px = viewport.centerx + (x - center_x) * zoom
    py = viewport.centery - (y - center_y) * zoom          (world +y is screen up)

where ``zoom`` is in [px per world unit]. Pixels are floats; round them only to draw.
The camera is pure maths plus a ``pygame.Rect`` for the viewport: it never draws.
"""
from __future__ import annotations

import numpy as np
import pygame

FIT_MARGIN = 0.94        # a fitted map fills this fraction of the viewport's tighter side
ZOOM_OUT_LIMIT = 1.5     # zoom never goes below fit / this
ZOOM_IN_LIMIT = 40.0     # ... nor above fit * this


class Camera:
    """Where the map sits in the viewport: ``center`` [world] shows at the viewport's centre,
    magnified ``zoom`` [px/world]."""

    def __init__(self, bounds, viewport):
        (x0, x1), (y0, y1) = bounds
        self.bounds = ((float(x0), float(x1)), (float(y0), float(y1)))
        self.viewport = pygame.Rect(viewport)
        self.center = np.array([(x0 + x1) / 2, (y0 + y1) / 2], float)
        self.zoom = 1.0
        self.fitted = True       # True while the whole map is shown; cleared by pan and zoom
        self.fit_area = None     # the part of the viewport a fitted map fills (None: all of it) [px]
        self.fit()

    # -- framing ---------------------------------------------------------------------------------
    @property
    def fit_zoom(self) -> float:
        """The zoom [px/world] at which the whole map just fits the viewport."""
        (x0, x1), (y0, y1) = self.bounds
        area = self._fit_rect()
        vw, vh = max(1, area.width), max(1, area.height)
        return FIT_MARGIN * min(vw / (x1 - x0), vh / (y1 - y0))

    def _fit_rect(self) -> pygame.Rect:
        """Where a fitted map goes: ``fit_area`` (kept inside the viewport), else the viewport."""
        if self.fit_area is None:
            return self.viewport
        area = pygame.Rect(self.fit_area).clip(self.viewport)
        return area if area.width > 0 and area.height > 0 else self.viewport

    def fit(self):
        """Show the whole map, centred in ``fit_area`` (the viewport unless one was set)."""
        (x0, x1), (y0, y1) = self.bounds
        self.zoom = self.fit_zoom
        area = self._fit_rect()
        self.center = np.array([(x0 + x1) / 2 - (area.centerx - self.viewport.centerx) / self.zoom,
                                (y0 + y1) / 2 + (area.centery - self.viewport.centery) / self.zoom], float)
        self.fitted = True

    def set_viewport(self, rect, fit_area=None):
        """The window was resized: keep the centre; refit the zoom if the map was fitted.
        ``fit_area`` [px]: the part of the viewport a fitted map should fill (room kept free for
        overlays such as the event log, and for the frame's tick labels); None means all of it."""
        self.viewport = pygame.Rect(rect)
        self.fit_area = None if fit_area is None else pygame.Rect(fit_area)
        if self.fitted:
            self.fit()
        else:
            self.zoom = float(np.clip(self.zoom, *self.zoom_limits()))
            self._keep_map_in_view()

    def key(self) -> tuple:
        """Everything a picture of the map depends on (trails and overlays are cached by it)."""
        return ("map", self.zoom, float(self.center[0]), float(self.center[1]), tuple(self.viewport))

    @property
    def moving(self) -> bool:
        """The map camera never animates (the relief's camera turns and tilts)."""
        return False

    def update(self, dt: float):
        """Nothing animates on the map."""

    def zoom_limits(self) -> tuple:
        """(lowest, highest) zoom [px/world]."""
        f = self.fit_zoom
        return f / ZOOM_OUT_LIMIT, f * ZOOM_IN_LIMIT

    # -- conversions -----------------------------------------------------------------------------
    def pos2pix(self, xy) -> np.ndarray:
        """World points (N, 2) or (2,) [world] -> pixel positions, same shape, floats [px]."""
        xy = np.asarray(xy, float)
        out = np.empty(xy.shape)
        out[..., 0] = self.viewport.centerx + (xy[..., 0] - self.center[0]) * self.zoom
        out[..., 1] = self.viewport.centery - (xy[..., 1] - self.center[1]) * self.zoom
        return out

    def vec2pix(self, v) -> np.ndarray:
        """World vectors (N, 2) or (2,) [world] -> pixel vectors [px] (scaled, y flipped, not moved)."""
        v = np.asarray(v, float)
        out = np.empty(v.shape)
        out[..., 0] = v[..., 0] * self.zoom
        out[..., 1] = -v[..., 1] * self.zoom
        return out

    def pix2pos(self, px) -> np.ndarray:
        """Pixel positions (N, 2) or (2,) [px] -> world points [world]; the inverse of ``pos2pix``."""
        px = np.asarray(px, float)
        out = np.empty(px.shape)
        out[..., 0] = self.center[0] + (px[..., 0] - self.viewport.centerx) / self.zoom
        out[..., 1] = self.center[1] - (px[..., 1] - self.viewport.centery) / self.zoom
        return out

    def world_rect(self) -> tuple:
        """The visible part of the world ((xmin, xmax), (ymin, ymax)) [world]."""
        hw = self.viewport.width / 2 / self.zoom
        hh = self.viewport.height / 2 / self.zoom
        cx, cy = self.center
        return (cx - hw, cx + hw), (cy - hh, cy + hh)

    def map_rect(self) -> pygame.Rect:
        """The whole map's rectangle on the target surface [px], rounded outwards."""
        (x0, x1), (y0, y1) = self.bounds
        left, top = self.pos2pix((x0, y1))
        right, bottom = self.pos2pix((x1, y0))
        l, t = int(np.floor(left)), int(np.floor(top))
        return pygame.Rect(l, t, int(np.ceil(right)) - l, int(np.ceil(bottom)) - t)

    # -- moving ----------------------------------------------------------------------------------
    def zoom_at(self, px, factor: float):
        """Zoom by ``factor`` keeping the world point under the pixel ``px`` [px] where it is.

        The zoom is clamped to [fit / 1.5, fit * 40]; the view then keeps its centre on the map,
        which can only move the point when the cursor is off the map.
        """
        anchor = self.pix2pos(px)
        self.zoom = float(np.clip(self.zoom * factor, *self.zoom_limits()))
        px = np.asarray(px, float)
        self.center = np.array([anchor[0] - (px[0] - self.viewport.centerx) / self.zoom,
                                anchor[1] + (px[1] - self.viewport.centery) / self.zoom])
        self.fitted = False
        self._keep_map_in_view()

    def pan_px(self, dx: float, dy: float):
        """Move the view by (dx, dy) [px]: the map slides that way on screen (as if dragged)."""
        self.center = self.center + np.array([-dx, dy], float) / self.zoom
        self.fitted = False
        self._keep_map_in_view()

    def center_on(self, xy):
        """Put the world point ``xy`` [world] at the viewport's centre (kept on the map)."""
        self.center = np.array(xy, float).reshape(2)
        self.fitted = False
        self._keep_map_in_view()

    def _keep_map_in_view(self):
        """The view's centre stays on the map, so at least a quarter of the view shows map."""
        (x0, x1), (y0, y1) = self.bounds
        self.center = np.array([np.clip(self.center[0], x0, x1), np.clip(self.center[1], y0, y1)])
