"""The map view: one drawing path for the window, the recorder and the tests.

    art = MapArt(level)                  # once per level: the terrain picture (hypsometric tint,
    fog = Fog(level)                     #   hillshade, contour lines; see palette.py)
    fog.reveal(world.positions)          # after each step
    draw_map(screen, world, camera, art, fog, selected=mask, time_s=t)
    draw_minimap(screen, rect, world, camera, art, fog)
    rgb = frame_array(screen)            # (H, W, 3) uint8, for video and tests

Drawing is a function of the world's state: it reads ``world`` and never changes it. What a frame
shows, back to front: terrain, fog, map frame, spawn circle, trails, velocity arrows, units and
their status marks, explosions, the goal flag once a unit arrived and the minima (results screen).

Speed: the terrain is rasterised once per level and its scaled view cached per camera; the fog
overlay is cached until the explored set or the camera changes; trails are splatted with NumPy
into one transparent layer (no per-segment Python loop, see trails.py); units, arrows and marks
are pre-rendered sprites blitted with ``Surface.fblits``.
"""
from __future__ import annotations

import numpy as np
import pygame

from sim.world import DESCENDING, DIVERGED

from . import marks, sprites
from . import palette as pal
from .camera import Camera
from .fog import Fog, grid_step
from .labels import Board
from .minimap import draw_minimap, minimap_pick
from .palette import SQUAD_COLOURS, ramp_colour
from .trails import draw_trails

__all__ = ["MapArt", "Fog", "draw_map", "labelled_fit_area", "draw_minimap", "minimap_pick", "frame_array",
           "SQUAD_COLOURS", "ramp_colour"]

SAMPLE_STEP = 4           # the art evaluates the terrain every 4th pixel and interpolates between
DETAIL_ABOVE = 1.4        # zoomed past the art's own scale times this, close-ups are rendered ...
DETAIL_LEVELS = 1.35      # ... at zoom levels this factor apart (and scaled up to the zoom between)
DETAIL_MARGIN = 0.12      # ... covering the view plus this fraction of it on every side
DETAIL_STEP = 6           # ... evaluating the terrain every 6th pixel
ARROW_GAIN = 4.0          # velocity arrow length = this many steps of the current velocity [px]
ARROW_MAX = 32            # longest arrow [px]
ARROW_MIN = 3             # no arrow for units moving less than this [px per ARROW_GAIN steps]
EXPLODE_STEPS = 8         # a diverged unit's explosion lasts this many steps


# -- the terrain picture ---------------------------------------------------------------------------
class MapArt:
    """The terrain of a level as a picture. ``surface`` is the whole map at ``resolution`` px on its
    long side; ``view(camera)`` is the part the camera sees, scaled, cached per camera."""

    def __init__(self, level, palette="war-room", resolution: int = 1024):
        pal.get(palette)                                              # an unknown name fails here
        self.level, self.palette = level, palette
        (x0, x1), (y0, y1) = level.bounds
        self.px_per_world = resolution / level.size                   # [px/world]
        size = (max(2, round((x1 - x0) * self.px_per_world)), max(2, round((y1 - y0) * self.px_per_world)))
        h, gx, gy = _raster(level.terrain, level.bounds, size, SAMPLE_STEP)
        self.heights = h.astype(np.float32)                           # (W, H) float32, for the relief
        self.scale = pal.HeightScale(self.heights[::2, ::2], level.global_min_height)   # tints ranked as stored
        self.relief_gain = pal.relief_gain_for(gx[::2, ::2], gy[::2, ::2])
        self.surface = self._picture(h, gx, gy, (x1 - x0) / size[0])
        self._scaled: dict = {}
        self._detail = None          # (zoom, region [world], surface) of the last close-up render
        self._detail_view = None     # (zoom, surface): that render scaled to the camera's zoom
        self._ground = None          # the relief's heightfield (game.view.ground), on first use

    def _picture(self, h, gx, gy, px_size) -> pygame.Surface:
        """Shade rasters (W, H) of heights and slopes into a plain 32-bit Surface."""
        rgb = pal.shade(h, gx, gy, self.scale, px_size, self.relief_gain, self.palette)
        surf = pygame.Surface(h.shape)
        pygame.surfarray.blit_array(surf, rgb)
        return surf

    def rgb(self) -> np.ndarray:
        """The whole picture as (W, H, 3) uint8, x-major like ``heights``."""
        return pygame.surfarray.array3d(self.surface)

    @property
    def ground(self):
        """The terrain as a heightfield for the relief view (built on first use, then kept)."""
        if self._ground is None:
            from .ground import Ground
            self._ground = Ground(self.level, self)
        return self._ground

    def scaled(self, size) -> pygame.Surface:
        """The whole map smooth-scaled to ``size`` (w, h) [px]; the last few sizes are cached."""
        size = (max(1, int(size[0])), max(1, int(size[1])))
        if size not in self._scaled:
            if len(self._scaled) >= 4:
                self._scaled.pop(next(iter(self._scaled)))
            self._scaled[size] = pygame.transform.smoothscale(self.surface, size)
        return self._scaled[size]

    def view(self, camera) -> tuple:
        """(surface, (x, y)): the visible part of the map scaled to the camera, to blit at (x, y) [px].

        Up to DETAIL_ABOVE times the art's own scale the whole map is smooth-scaled once per zoom and a
        subsurface of it is returned (a still or panning camera costs one blit). Closer in, a close-up
        of the view's region is rendered from the terrain itself, so contour lines stay thin and crisp
        (see ``_close_up``).
        """
        if camera.zoom <= DETAIL_ABOVE * self.px_per_world:
            (x0, x1), (y0, y1) = self.level.bounds
            left, top = np.rint(camera.pos2pix((x0, y1))).astype(int)
            img = self.scaled((round((x1 - x0) * camera.zoom), round((y1 - y0) * camera.zoom)))
        else:
            img, (left, top) = self._close_up(camera)
        where = pygame.Rect(left, top, *img.get_size())
        seen = where.clip(camera.viewport)
        if not seen.width or not seen.height:
            return pygame.Surface((0, 0)), camera.viewport.topleft
        return img.subsurface(seen.move(-left, -top)), seen.topleft

    def _close_up(self, camera) -> tuple:
        """(surface, corner [px]): the map around the view at the camera's zoom.

        Close-ups are rendered at zooms DETAIL_LEVELS^k times the art's scale -- the last level at
        or below the camera's zoom -- over the view plus DETAIL_MARGIN, then smooth-scaled up to the
        camera's zoom (pygame's smoothscale is exact when enlarging but darkens by a level or two
        when shrinking). A render is reused while the view stays inside its region and the zoom
        on its level: panning and small zoom steps cost a rescale.
        """
        level_zoom = self.px_per_world * DETAIL_LEVELS ** np.floor(
            np.log(camera.zoom / self.px_per_world) / np.log(DETAIL_LEVELS) + 1e-9)
        reusable = self._detail and self._detail[0] == level_zoom
        if not (reusable and _covers(self._detail[1], camera, self.level.bounds)):
            region = _detail_region(self.level.bounds, camera, DETAIL_MARGIN)
            (rx0, rx1), (ry0, ry1) = region
            size = (max(2, round((rx1 - rx0) * level_zoom)), max(2, round((ry1 - ry0) * level_zoom)))
            h, gx, gy = _raster(self.level.terrain, region, size, DETAIL_STEP)
            self._detail = (level_zoom, region, self._picture(h, gx, gy, (rx1 - rx0) / size[0]))
            self._detail_view = None
        zoom, ((rx0, rx1), (ry0, ry1)), img = self._detail
        if self._detail_view is None or self._detail_view[0] != camera.zoom:
            size = (round((rx1 - rx0) * camera.zoom), round((ry1 - ry0) * camera.zoom))
            scaled = img if size == img.get_size() else pygame.transform.smoothscale(img, size)
            self._detail_view = (camera.zoom, scaled)
        return self._detail_view[1], tuple(np.rint(camera.pos2pix((rx0, ry1))).astype(int))


def _covers(region, camera, bounds) -> bool:
    """Whether ``region`` [world] holds all of the map the camera sees."""
    (rx0, rx1), (ry0, ry1) = region
    (vx0, vx1), (vy0, vy1) = camera.world_rect()
    (x0, x1), (y0, y1) = bounds
    return rx0 <= max(vx0, x0) and rx1 >= min(vx1, x1) and ry0 <= max(vy0, y0) and ry1 >= min(vy1, y1)


def _detail_region(bounds, camera, margin) -> tuple:
    """The camera's world rectangle grown by ``margin`` of its size per side, cut to the map."""
    (vx0, vx1), (vy0, vy1) = camera.world_rect()
    mx, my = margin * (vx1 - vx0), margin * (vy1 - vy0)
    (x0, x1), (y0, y1) = bounds
    return (max(x0, vx0 - mx), min(x1, vx1 + mx)), (max(y0, vy0 - my), min(y1, vy1 + my))


def _raster(terrain, region, size, step: int) -> tuple:
    """Heights and slopes (h, dh/dx, dh/dy) at the pixel centres of a ``size`` (W, H) picture of
    ``region`` [world], each a (W, H) array (x-major, as pygame.surfarray wants): the heights in
    float64 (a near-flat top, such as a plateau's, has contours that float32 would set half a pixel
    off), the slopes in float32.

    The terrain is evaluated only at every ``step``-th pixel centre (one row and column beyond the
    picture) and interpolated bilinearly in between: pixel j * step + q lies q / step of the way
    from sample j to sample j + 1, so the interpolation is a broadcast, not a gather.
    Non-finite values are replaced (heights by the highest finite one, slopes by 0).
    """
    (x0, x1), (y0, y1) = region
    w, h = size
    px, py = (x1 - x0) / w, (y1 - y0) / h
    nx, ny = -(-(w - 1) // step) + 2, -(-(h - 1) // step) + 2
    xs = x0 + (np.arange(nx) * step + 0.5) * px
    ys = y1 - (np.arange(ny) * step + 0.5) * py
    gx_, gy_ = np.meshgrid(xs, ys, indexing="ij")                   # (nx, ny): x-major
    hh, g = _finite(*terrain.height_and_grad(np.column_stack([gx_.ravel(), gy_.ravel()])))
    slopes = (g[:, k].reshape(nx, ny).astype(np.float32) for k in (0, 1))
    return (_upsample(hh.reshape(nx, ny), step, size), *(_upsample(a, step, size) for a in slopes))


def _finite(hh, g) -> tuple:
    """Heights with non-finite values replaced by the highest finite one, slopes by 0."""
    finite = np.isfinite(hh)
    hh = np.where(finite, hh, hh[finite].max() if finite.any() else 0.0)
    return hh, np.nan_to_num(g, nan=0.0, posinf=0.0, neginf=0.0)


def _upsample(a: np.ndarray, step: int, size) -> np.ndarray:
    """Bilinear upsampling of samples a (nx, ny) taken every ``step`` pixels to ``size`` (W, H)."""
    if step == 1:
        return np.ascontiguousarray(a[:size[0], :size[1]])
    w = (np.arange(step, dtype=a.dtype) / step)[None, :, None]
    for n in size[::-1]:                    # along y (axis 1, via the transpose), then along x
        a = np.ascontiguousarray(a.T)       # the axis to stretch is now axis 0
        a = (a[:-1, None, :] + (a[1:] - a[:-1])[:, None, :] * w).reshape(-1, a.shape[1])[:n]
    return a


# -- the frame --------------------------------------------------------------------------------------
def draw_map(surface, world, camera, art, fog=None, *, selected=None, show_minima=False,
             time_s: float = 0.0, palette="war-room", squad_names=None, squad_colours=None, keep_clear=(),
             show_spawn=True, label_scale: float = 1.0):
    """Terrain, fog, trails, units, markers into ``camera.viewport`` of ``surface`` (clipped to it;
    trails, velocity arrows and explosions are clipped to the map's own rectangle as well).

    ``selected``: None, a boolean mask (N,) or unit indices -- those units get a highlight ring.
    ``show_minima``: the results screen -- every minimum is revealed with its height.
    ``time_s`` [s] only animates (explosions); the picture is otherwise a function of the world.
    ``squad_names``: names for the arrival banner (e.g. a race's optimizers) instead of "SQUAD n";
    ``squad_colours``: colours for the trails and the flag instead of SQUAD_COLOURS.
    ``keep_clear``: rectangles [px] laid over the map (a legend, the event log) that labels avoid.
    ``show_spawn`` False leaves out the spawn zone's ring (a picture behind a title, say).
    ``label_scale``: the map's labels (spawn, minima, arrival banner) this many times their usual
    type size (a large video frame).
    """
    p = pal.get(palette)
    view = camera.viewport.clip(surface.get_rect())
    old_clip = surface.get_clip()
    surface.set_clip(view)
    edge_in_view = not camera.map_rect().contains(view)
    try:
        if edge_in_view:
            surface.fill(p.background, view)
        img, at = art.view(camera)
        surface.blit(img, at)
        if fog is not None and fog.enabled:
            surface.set_clip(view.clip(camera.map_rect()))
            over, at = fog.overlay(camera, palette)
            surface.blit(over, at)
            surface.set_clip(view)
        if edge_in_view:
            marks.draw_frame(surface, world.level, camera, p, grid_step(camera))
        board = Board(camera.map_rect().clip(view), keep_clear)
        if show_spawn:
            marks.draw_spawn(surface, world.level, camera, p, board, label_scale)
        px = camera.pos2pix(world.positions)
        board.avoid_points(px, sprites.UNIT_RADIUS + 2)
        surface.set_clip(view.clip(camera.map_rect()))      # trails, arrows and bursts stay on the map:
        draw_trails(surface, view, world, camera, palette, squad_colours)    # a unit flown off it leaves no line across
        _draw_arrows(surface, view, world, camera, palette)  # the margins, the labels or the HUD
        surface.set_clip(view)
        if show_minima:                     # the marks under the units: a unit at the goal stays in sight
            marks.draw_minima(surface, world.level, camera, p, board, scale=label_scale)
        if world.won:
            marks.draw_goal_flag(surface, world, camera, p, board, names=squad_names, colours=squad_colours,
                                 balls=px[world.status != DIVERGED], scale=label_scale)
        _draw_units(surface, view, world, px, selected, palette)
        surface.set_clip(view.clip(camera.map_rect()))
        _draw_explosions(surface, world, camera, time_s, palette)
        surface.set_clip(view)
        board.draw(surface, (p.marker, p.outline))
    finally:
        surface.set_clip(old_clip)


def labelled_fit_area(level, camera, area) -> pygame.Rect:
    """``area`` [px] less the room the map frame's tick labels take (left and below the map), for
    ``camera.set_viewport(..., fit_area=...)``: a fitted map then shows its labels whole. The tick
    step depends on the zoom, which depends on the room, so the room is the widest of two passes."""
    area = pygame.Rect(area)
    probe = Camera(level.bounds, camera.viewport)
    left = bottom = 0
    for _ in range(2):
        probe.set_viewport(camera.viewport, fit_area=pygame.Rect(area.x + left, area.y, area.width - left,
                                                                  area.height - bottom))
        l, b = marks.frame_room(level, grid_step(probe))
        left, bottom = max(left, l), max(bottom, b)
    return pygame.Rect(area.x + left, area.y, max(1, area.width - left), max(1, area.height - bottom))


def _draw_arrows(surface, view, world, camera, palette):
    """Velocity arrows of the descending units: from the rim of the disc, ARROW_GAIN steps of the
    current velocity long (at most ARROW_MAX [px]); units slower than ARROW_MIN get none."""
    moving = np.flatnonzero(world.status == DESCENDING)
    v = camera.vec2pix(world.velocity[moving])
    length = np.minimum(ARROW_GAIN * np.hypot(v[:, 0], v[:, 1]), ARROW_MAX)
    xy = np.rint(camera.pos2pix(world.positions[moving])).astype(np.int64)
    reach = 2 * ARROW_MAX + 20
    on = np.flatnonzero((length >= ARROW_MIN) & _near(xy, view.inflate(reach, reach)))
    book = sprites.arrows(palette)
    keys = book.keys(world.squad[moving[on]], np.arctan2(v[on, 1], v[on, 0]), length[on])
    surface.fblits(list(zip(book.images[keys].tolist(), (xy[on] + book.offset[keys]).tolist())))


def _draw_units(surface, view, world, px, selected, palette):
    """Units as squad-coloured discs with a dark outline, marked by status (and held ones by a pause
    sign, sprites.looks); selected ones ringed
    and drawn over the others of their status (units on one spot show the selection)."""
    book = sprites.unit_sprites(palette)
    xy = np.rint(px).astype(np.int64)
    inside = _near(xy, view.inflate(2 * book.reach, 2 * book.reach))
    ring = np.zeros(world.n_units, bool)
    if selected is not None:
        chosen = np.asarray(selected)
        ring[chosen.astype(np.intp) if chosen.dtype != bool else np.flatnonzero(chosen)] = True
        r = book.ring.get_width() // 2
        surface.fblits([(book.ring, p) for p in (xy[ring & inside] - r).tolist()])
    order = np.flatnonzero(inside)                     # by status, and within one the selection last (on top)
    look = sprites.looks(world, order)
    order = order[np.lexsort((ring[order], sprites.DRAW_ORDER[look]))]
    kinds = sprites.looks(world, order) * len(SQUAD_COLOURS) + world.squad[order]
    surface.fblits(list(zip(book.images[kinds].tolist(), (xy[order] - book.half[kinds, None]).tolist())))


def _near(xy, rect) -> np.ndarray:
    """Which pixel positions xy (N, 2) lie inside ``rect``."""
    x, y = xy[:, 0], xy[:, 1]
    return (x >= rect.left) & (x < rect.right) & (y >= rect.top) & (y < rect.bottom)


def _draw_explosions(surface, world, camera, time_s, palette):
    """A burst where a unit diverged, for EXPLODE_STEPS steps after the event; it flickers with time."""
    frames = sprites.explosion_frames(palette, EXPLODE_STEPS)
    blits = []
    for ev in reversed(world.events):
        age = world.step_count - ev.step
        if age >= EXPLODE_STEPS:
            break
        if ev.kind != "diverged":
            continue
        img = frames[min(len(frames) - 1, 2 * age + int(time_s * 12) % 2)]
        x, y = np.rint(camera.pos2pix(world.positions[ev.unit])).astype(int)
        blits.append((img, (x - img.get_width() // 2, y - img.get_height() // 2)))
    surface.fblits(blits[:256])


def frame_array(surface) -> np.ndarray:
    """The surface's pixels as an (H, W, 3) uint8 array (a copy), rows top to bottom."""
    w, h = surface.get_size()
    return np.frombuffer(pygame.image.tobytes(surface, "RGB"), np.uint8).reshape(h, w, 3).copy()
