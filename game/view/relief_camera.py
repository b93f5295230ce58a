"""The sand-table camera: the map seen obliquely, from any side, as a 3-D relief.

A world point (x, y) standing at elevation z [world] (``game.view.ground``) is seen along a
parallel (orthographic) view that looks across the table with heading ``yaw`` and down at
``elevation`` degrees above the horizon. With the camera's right r = (cos yaw, -sin yaw) and
forward f = (sin yaw, cos yaw) on the ground, and d = (x, y) - center::

    u = d . r                         across the screen [world]
    v = d . f                         into the screen, away from the viewer [world]
    Y = v sin(e) + (z - z_ref) cos(e) up the screen [world]
    px = viewport.centerx + u * zoom
    py = viewport.centery - Y * zoom

so yaw 0 and elevation 90 is the top-down map. A nearer point (smaller v) hides a farther one in
the same screen column when it stands higher on the screen (larger Y): that is the relief's
occlusion rule (``game.view.relief``). Being parallel, the projection is linear in (x, y, z): a
zoom or a pan moves every pixel alike, so a render can be reused scaled or shifted.

The camera turns in TURN_STEP steps (Q / E) and tilts between TILTS (PgUp / PgDn), both animated
by ``update(dt)``; it zooms around the cursor and pans like the map's camera, whose interface it
shares (``pos2pix``, ``vec2pix``, ``zoom_at``, ``pan_px``, ``center_on``, ``fit`` ...).
"""
from __future__ import annotations

import math

import numpy as np
import pygame

TILTS = (32.0, 48.0, 64.0)    # camera elevations above the horizon [deg], PgDn / PgUp between them
DEFAULT_TILT = 1
TURN_STEP = 45.0              # Q / E turn the table by this [deg]
TURN_RATE = 200.0             # animated turns and tilts move this fast [deg/s]
FIT_MARGIN = 0.94             # a fitted table fills this fraction of the viewport's tighter side
ZOOM_OUT_LIMIT = 1.5          # zoom never goes below fit / this ...
ZOOM_IN_LIMIT = 4.0           # ... nor above fit * this (closer, the renders grow slow: V shows the map)


class Projection:
    """The oblique projection of a heading ``yaw`` and an elevation ``elevation`` [deg], at ``zoom``
    [px per world unit] around the ground point ``center`` drawn at the middle of ``viewport`` at
    height ``z_ref``: a point (x, y) at elevation z falls at
    px = cx + (d . r) zoom,  py = cy - ((d . f) sin e + (z - z_ref) cos e) zoom,  d = (x, y) - center,
    with r, f the camera's right and forward ground axes."""

    def basis(self) -> tuple:
        """(right, forward, sin e, cos e): the camera's ground axes and its elevation's sine and cosine."""
        a, e = math.radians(self.yaw), math.radians(self.elevation)
        return (np.array([math.cos(a), -math.sin(a)]), np.array([math.sin(a), math.cos(a)]),
                math.sin(e), math.cos(e))

    def project(self, xy, z) -> np.ndarray:
        """World points xy (..., 2) at elevations z (...) [world] -> pixel positions (..., 2) [px]."""
        r, f, se, ce = self.basis()
        d = np.asarray(xy, float) - self.center
        out = np.empty(d.shape)
        out[..., 0] = self.viewport.centerx + (d @ r) * self.zoom
        out[..., 1] = self.viewport.centery - ((d @ f) * se + (np.asarray(z, float) - self.z_ref) * ce) * self.zoom
        return out


class ReliefCamera(Projection):
    """Where the table sits in the viewport, and from where it is seen. ``ground`` is the level's
    ``game.view.ground.Ground`` (elevations and the plinth's depth)."""

    def __init__(self, ground, viewport, yaw: float = 0.0, tilt: int = DEFAULT_TILT):
        self.ground = ground
        (x0, x1), (y0, y1) = ground.bounds
        self.bounds = ((float(x0), float(x1)), (float(y0), float(y1)))
        self.viewport = pygame.Rect(viewport)
        self.center = np.array([(x0 + x1) / 2, (y0 + y1) / 2], float)
        self.z_ref = (ground.base + ground.z_max) / 2       # the height the view is centred on [world]
        self.yaw = self.target_yaw = float(yaw)
        self.tilt = int(tilt)
        self.elevation = self.target_elevation = TILTS[self.tilt]
        self.zoom = 1.0
        self.fitted = True
        self.fit_area = None
        self.fit()

    # -- the projection (Projection) ---------------------------------------------------------------
    def pos2pix(self, xy) -> np.ndarray:
        """Ground points (..., 2) [world] -> pixels [px], standing on the relief's surface."""
        return self.project(xy, self.ground.elevation_at(xy))

    def vec2pix(self, v) -> np.ndarray:
        """Horizontal world vectors (..., 2) [world] -> pixel vectors [px] (as if on level ground)."""
        r, f, se, _ = self.basis()
        v = np.asarray(v, float)
        out = np.empty(v.shape)
        out[..., 0] = (v @ r) * self.zoom
        out[..., 1] = -(v @ f) * se * self.zoom
        return out

    def depth(self, xy, z) -> np.ndarray:
        """Distance along the view [world] (larger is farther): back-to-front drawing order."""
        _, f, se, ce = self.basis()
        return (np.asarray(xy, float) - self.center) @ f * ce - (np.asarray(z, float) - self.z_ref) * se

    def ground_plane_point(self, px, z) -> np.ndarray:
        """The world point (..., 2) at elevation z [world] that shows at pixel px (..., 2) [px]."""
        r, f, se, ce = self.basis()
        px = np.asarray(px, float)
        u = (px[..., 0] - self.viewport.centerx) / self.zoom
        v = ((self.viewport.centery - px[..., 1]) / self.zoom - (np.asarray(z, float) - self.z_ref) * ce) / se
        return self.center + u[..., None] * r + v[..., None] * f

    def key(self) -> tuple:
        """Everything a picture of the table depends on (renders and trails are cached by it)."""
        return ("relief", round(self.yaw, 9), round(self.elevation, 9), self.zoom, float(self.center[0]),
                float(self.center[1]), tuple(self.viewport))

    # -- turning and tilting -------------------------------------------------------------------
    def turn(self, steps: int):
        """Walk the camera ``steps`` TURN_STEPs round the table (animated): positive steps go
        clockwise seen from above (from the south side to the west side), so the picture turns
        anticlockwise."""
        self.target_yaw += steps * TURN_STEP

    def tilt_by(self, steps: int):
        """Look down more steeply (+1) or more obliquely (-1), within TILTS (animated)."""
        self.tilt = int(np.clip(self.tilt + steps, 0, len(TILTS) - 1))
        self.target_elevation = TILTS[self.tilt]

    @property
    def moving(self) -> bool:
        return self.yaw != self.target_yaw or self.elevation != self.target_elevation

    def update(self, dt: float):
        """Move a turn or tilt in progress on by ``dt`` seconds; a fitted view stays fitted."""
        if not self.moving:
            return
        step = TURN_RATE * dt
        self.yaw += float(np.clip(self.target_yaw - self.yaw, -step, step))
        self.elevation += float(np.clip(self.target_elevation - self.elevation, -step, step))
        if not self.moving:                                  # settle on the exact angle, in [0, 360)
            self.yaw = self.target_yaw = self.target_yaw % 360.0
        if self.fitted:
            self.fit()

    def set_pose(self, yaw: float, tilt_deg: float | None = None):
        """Jump to a heading (and elevation) at once: the recorder's orbit."""
        self.yaw = self.target_yaw = float(yaw)
        if tilt_deg is not None:
            self.elevation = self.target_elevation = float(tilt_deg)
        if self.fitted:
            self.fit()

    # -- framing -------------------------------------------------------------------------------
    def _table_corners(self) -> tuple:
        """The table's 8 corners: ground corners (8, 2) and elevations (8,), plinth foot and top."""
        (x0, x1), (y0, y1) = self.bounds
        xy = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]] * 2, float)
        z = np.repeat([self.ground.base, self.ground.z_max], 4)
        return xy, z

    def _fit_rect(self) -> pygame.Rect:
        if self.fit_area is None:
            return self.viewport
        area = pygame.Rect(self.fit_area).clip(self.viewport)
        return area if area.width > 0 and area.height > 0 else self.viewport

    @property
    def fit_zoom(self) -> float:
        """The zoom [px/world] at which the whole table, plinth and hills included, just fits."""
        xy, z = self._table_corners()
        r, f, se, ce = self.basis()
        d = xy - xy[:4].mean(0)
        sx, sy = d @ r, (d @ f) * se + z * ce
        area = self._fit_rect()
        return FIT_MARGIN * min(max(1, area.width) / max(np.ptp(sx), 1e-9), max(1, area.height) / max(np.ptp(sy), 1e-9))

    def fit(self):
        """Show the whole table, centred in ``fit_area`` (the viewport unless one was set)."""
        self.zoom = self.fit_zoom
        (x0, x1), (y0, y1) = self.bounds
        self.center = np.array([(x0 + x1) / 2, (y0 + y1) / 2], float)
        xy, z = self._table_corners()
        px = self.project(xy, z)
        middle = (px.min(0) + px.max(0)) / 2
        area = self._fit_rect()
        self._shift_px(area.centerx - middle[0], area.centery - middle[1])
        self.fitted = True

    def set_viewport(self, rect, fit_area=None):
        """The window was resized: keep the centre; refit the zoom if the table was fitted."""
        self.viewport = pygame.Rect(rect)
        self.fit_area = None if fit_area is None else pygame.Rect(fit_area)
        if self.fitted:
            self.fit()
        else:
            self.zoom = float(np.clip(self.zoom, *self.zoom_limits()))
            self._keep_map_in_view()

    def zoom_limits(self) -> tuple:
        f = self.fit_zoom
        return f / ZOOM_OUT_LIMIT, f * ZOOM_IN_LIMIT

    # -- moving --------------------------------------------------------------------------------
    def _shift_px(self, dx: float, dy: float):
        """Move the picture by (dx, dy) [px] without clamping."""
        r, f, se, _ = self.basis()
        self.center = self.center - (dx / self.zoom) * r + (dy / (self.zoom * se)) * f

    def zoom_at(self, px, factor: float):
        """Zoom by ``factor`` keeping the point under the pixel ``px`` [px] where it is."""
        px = np.asarray(px, float)
        anchor = self.ground_plane_point(px, self.z_ref)
        self.zoom = float(np.clip(self.zoom * factor, *self.zoom_limits()))
        here = self.project(anchor, self.z_ref)
        self._shift_px(px[0] - here[0], px[1] - here[1])
        self.fitted = False
        self._keep_map_in_view()

    def pan_px(self, dx: float, dy: float):
        """Move the view by (dx, dy) [px]: the table slides that way on screen (as if dragged)."""
        self._shift_px(dx, dy)
        self.fitted = False
        self._keep_map_in_view()

    def center_on(self, xy):
        """Put the ground point ``xy`` [world] at the viewport's centre (kept on the map)."""
        xy = np.array(xy, float).reshape(2)
        self.center = xy
        here = self.project(xy, self.ground.elevation_at(xy))
        self._shift_px(self.viewport.centerx - here[0], self.viewport.centery - here[1])
        self.fitted = False
        self._keep_map_in_view()

    def keep_table_in_view(self):
        """Pan so that no empty floor shows beside the table where the table could fill the view
        (a close-up near the table's edge slides back onto it)."""
        box, port = self.map_rect(), self.viewport
        dx = dy = 0
        if box.width >= port.width:                      # wider than the view: no floor at either side
            dx = port.left - box.left if box.left > port.left else max(0, port.right - box.right)
        if box.height >= port.height:
            dy = port.top - box.top if box.top > port.top else max(0, port.bottom - box.bottom)
        if dx or dy:
            self.pan_px(dx, dy)

    def _keep_map_in_view(self):
        (x0, x1), (y0, y1) = self.bounds
        self.center = np.array([np.clip(self.center[0], x0, x1), np.clip(self.center[1], y0, y1)])

    # -- what the view covers ------------------------------------------------------------------
    def footprint(self) -> np.ndarray:
        """The ground the viewport shows, as the world quadrilateral (4, 2) of its corners at the
        view's reference height (the minimap draws it)."""
        v = self.viewport
        corners = np.array([[v.left, v.top], [v.right, v.top], [v.right, v.bottom], [v.left, v.bottom]], float)
        return self.ground_plane_point(corners, self.z_ref)

    def world_rect(self) -> tuple:
        """The footprint's bounding box ((xmin, xmax), (ymin, ymax)) [world]."""
        q = self.footprint()
        return (float(q[:, 0].min()), float(q[:, 0].max())), (float(q[:, 1].min()), float(q[:, 1].max()))

    def map_rect(self) -> pygame.Rect:
        """The whole table's bounding rectangle on screen [px], plinth included, rounded outwards."""
        px = self.project(*self._table_corners())
        (l, t), (r, b) = np.floor(px.min(0)), np.ceil(px.max(0))
        return pygame.Rect(int(l), int(t), int(r - l), int(b - t))
