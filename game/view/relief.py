"""The relief: the terrain picture draped over its heightfield, seen by a ``ReliefCamera``, standing
on a plinth -- rendered with NumPy, column by column, the way the classic "voxel space" terrain
engines did.

A parallel view maps each screen column to one straight line across the ground (fixed u, see
``relief_camera``). Along that line the renderer takes samples k = 0, 1, ... from the near edge of
the table to the far one, every dv [world], and computes how high each stands on the screen,
Y_k = v_k sin e + (z_k - z_ref) cos e. A sample is visible when it stands higher than every
nearer one: Y_k > M_{k-1}, with M the running maximum (``np.maximum.accumulate``) -- the same
number is the occlusion test for anything else standing in that column. A visible sample owns the
rows of the column from its own top down to the top of the nearer ground, so each pixel's owner is
found by marking every visible sample's top row and taking the running minimum of the marks down
the column (nearer samples have smaller k). The owner's texel gives the colour. Below the table's
near edge the plinth's side face shows the ground's cross-section, shaded by which way it faces.

A render is reused while it can be: a pan within its margin shifts it, a zoom scales it (the
projection is linear, so both are exact up to resampling) until the camera rests and a crisp one
is rendered; turning and tilting render drafts at DRAFT_SCALE, enlarged. The depth arrays kept
with a render answer what the drawing needs: is a point hidden by the ground (``hidden``), and
which ground shows at a pixel (``ground_at``).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import pygame

from sim.blocks import pool

from . import palette as pal
from .relief_camera import Projection

SAMPLES_PER_PX = 1.3      # depth samples per pixel of screen height on level ground
MAX_SAMPLES = 6000        # most samples per column (very oblique, very close views sample coarser)
RENDER_MARGIN = 0.1       # a render covers the viewport plus this share of it on every side
DRAFT_SCALE = 0.5         # while the camera turns or tilts, frames render at this scale, enlarged
SELF_SAMPLES = 2          # the ground this many samples in front of a point is its own, not a hill
FACE_LIGHT = (0.42, 0.86)  # the plinth's faces: darkest facing away from the light, lightest facing it
LIGHT = np.array([-1.0, 1.0]) / np.sqrt(2.0)   # the light comes from the north-west (as the map's hillshade)
EDGE_LIGHTEN = 0.35       # the rim where ground meets plinth is drawn this much lighter
SOIL = 0.55               # the plinth below the lowest ground is this much darker than the ground's tint
LIGHT_LEVELS = 64         # the faces' shading comes in this many steps
COARSE = 8                # the ground in front of the render is first looked at every 8th sample ...
COARSE_COLUMNS = 2        # ... in every 2nd column ...
COARSE_FROM = 400         # ... when it is deeper than this many samples
COARSE_SLACK = 3.0        # ... and counts as in reach within this many coarse steps of the bottom row
BANDS = 2                 # a render's columns are split into this many bands, shared between threads ...
PARALLEL_SAMPLES = 150_000   # ... when it takes at least this many samples


class ReliefFrame(Projection):
    """One render: ``surface`` shows ``rect`` (screen pixels when it was rendered) of the table seen
    with heading ``yaw``, elevation ``elevation``, zoom ``zoom`` around ``center`` (``project`` maps
    points as the camera did then); its depth arrays are indexed [column - first column, sample]
    and [column - first column, row]."""

    def __init__(self, camera, rect, zoom, draft=False):
        self.yaw, self.elevation, self.zoom = camera.yaw, camera.elevation, zoom
        self.center = camera.center.copy()
        self.z_ref = camera.z_ref
        self.viewport = pygame.Rect(camera.viewport)
        self.rect = pygame.Rect(rect)
        self.draft = draft                 # a quick one, shown while the camera moves
        self.surface = None
        self.first = 0                     # first column (of rect) that crosses the table
        self.v0, self.dv = 0.0, 1.0        # the samples' depth: v_k = v0 + k dv [world]
        self.height = None                 # Y of every sample (columns, samples) [world]; -inf off the table
        self.ceiling = None                # its running maximum along each column
        self.owner = None                  # the sample each pixel shows (columns, rows); len(samples) = none
        self.edge = None                   # per column, the row [px, from the top] where the ground ends

    def table_rect(self, ground) -> pygame.Rect:
        """The table's bounding rectangle in this render's pixels (plinth and hills included),
        cut to the render."""
        (x0, x1), (y0, y1) = ground.bounds
        xy = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]] * 2, float)
        px = self.project(xy, np.repeat([ground.base, ground.z_max], 4))
        (l, t), (r, b) = np.floor(px.min(0)), np.ceil(px.max(0))
        return pygame.Rect(int(l), int(t), int(r - l), int(b - t)).clip(self.rect)

    def _columns(self, qx) -> np.ndarray:
        return np.floor(np.asarray(qx) - self.rect.x).astype(np.intp) - self.first

    def hidden(self, xy, z, lift) -> np.ndarray:
        """Which of the points xy (N, 2) at elevations z (N,), raised by ``lift`` [world] up the
        screen, stand behind nearer ground: their Y is below the ceiling of the samples in front."""
        r, f, se, ce = self.basis()
        d = np.asarray(xy, float) - self.center
        qx = self.viewport.centerx + (d @ r) * self.zoom
        v = d @ f
        y = v * se + (np.asarray(z, float) - self.z_ref) * ce + lift
        col = self._columns(qx)
        k = np.floor((v - self.v0) / self.dv).astype(np.intp) - SELF_SAMPLES
        n_cols, n_samples = self.ceiling.shape if self.ceiling is not None else (0, 0)
        inside = (col >= 0) & (col < n_cols) & (k >= 0)
        out = np.zeros(len(y), bool)
        if inside.any():
            c, kk = col[inside], np.minimum(k[inside], n_samples - 1)
            out[inside] = self.ceiling[c, kk] > y[inside]
        return out

    def ground_at(self, q, faces: bool = False) -> tuple:
        """The ground shown at render pixels q (N, 2): (world points (N, 2), found (N,)). Between the
        owning sample and the one in front of it the ground is taken as straight, so the point
        found projects back onto the pixel's centre. ``faces``: the plinth's side faces answer
        too, with the ground at their top edge."""
        q = np.atleast_2d(np.asarray(q, float))
        col = self._columns(q[:, 0])
        row = np.floor(q[:, 1] - self.rect.y).astype(np.intp)
        xy = np.zeros((len(q), 2))
        if self.owner is None:
            return xy, np.zeros(len(q), bool)
        n_cols, n_rows = self.owner.shape
        ok = (col >= 0) & (col < n_cols) & (row >= 0) & (row < n_rows)
        k = np.full(len(q), self.height.shape[1], np.intp)
        k[ok] = self.owner[col[ok], row[ok]]
        ok &= k < self.height.shape[1]
        if not faces:
            ok[ok] &= q[ok, 1] - self.rect.y < self.edge[col[ok]]
        c, k = col[ok], k[ok]
        r, f, se, ce = self.basis()
        want = (self.viewport.centery - q[ok, 1]) / self.zoom        # the pixel's Y [world]
        hi, lo = self.height[c, k], self.height[c, np.maximum(k - 1, 0)]
        lo = np.where(k > 0, lo, hi)
        lo = np.where(np.isfinite(lo), lo, hi)                         # the sample in front is off the table
        t = np.clip((want - lo) / np.where(hi > lo, hi - lo, 1.0), 0.0, 1.0)
        t = np.where(hi > lo, t, 1.0)
        v = self.v0 + (k - 1 + t) * self.dv
        u = (q[ok, 0] - self.viewport.centerx) / self.zoom
        xy[ok] = self.center + u[:, None] * r + v[:, None] * f
        return xy, ok


def render(ground, camera, rect, zoom, palette="war-room", draft=False) -> ReliefFrame:
    """Render the table into ``rect`` [px, the camera's screen] at ``zoom`` [px/world] (the camera's
    own zoom, or less for a draft: then ``rect`` is the viewport scaled about its centre). The
    columns are shared between threads in bands (NumPy lets go of the GIL in its loops)."""
    frame = ReliefFrame(camera, rect, zoom, draft)
    p = pal.get(palette)
    w, h = frame.rect.size
    image = np.full((w, h), _pack(p.background), np.uint32)
    basis = frame.basis()
    r, f, se, ce = basis
    (x0, x1), (y0, y1) = ground.bounds
    corners = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], float) - frame.center
    cu, cv = corners @ r, corners @ f
    u = (frame.rect.x + np.arange(w) + 0.5 - frame.viewport.centerx) / zoom
    cols = np.flatnonzero((u >= cu.min()) & (u <= cu.max()))
    if len(cols):
        frame.first = int(cols[0])
        u = u[frame.first:int(cols[-1]) + 1]
        v = _depths(frame, ground, u, cv, zoom, basis)
        n = len(v)
        frame.height = np.empty((len(u), n), np.float32)
        frame.ceiling = np.empty((len(u), n), np.float32)
        frame.owner = np.empty((len(u), h), np.int32)
        frame.edge = np.empty(len(u))
        table = image[frame.first:frame.first + len(u)]
        bands = [(a, b) for a, b in zip(*(lambda e: (e[:-1], e[1:]))(np.linspace(0, len(u), BANDS + 1).astype(int)))
                 if b > a]
        job = lambda ab: _columns(frame, ground, table, u, v, ab, zoom, basis, p)     # noqa: E731
        if len(u) * n >= PARALLEL_SAMPLES:
            list(pool().map(job, bands))
        else:
            for ab in bands:
                job(ab)
    frame.surface = pygame.Surface((w, h))
    pygame.surfarray.blit_array(frame.surface, image)
    return frame


def _depths(frame, ground, u, cv, zoom, basis) -> np.ndarray:
    """The depths v [world] sampled along every column: from the nearest that could rise into the
    render's rows (or hide what shows there) to the farthest that could still show in them.

    Ground in front of the render's bottom edge only matters where it rises into the rows: a
    sample standing lower than the bottom row is neither seen nor hides anything seen. So when
    that band is deep (a close zoom), a coarse pass finds the nearest depth at which the ground
    in any column comes within reach of the rows, and the fine samples start there."""
    r, f, se, ce = basis
    cy = frame.viewport.centery
    top_y = (cy - frame.rect.y) / zoom                         # Y of the render's top edge [world]
    bottom_y = (cy - frame.rect.bottom) / zoom
    v_near = max(cv.min(), (bottom_y - (ground.z_max - frame.z_ref) * ce) / se)
    v_far = min(cv.max(), (top_y + frame.z_ref * ce) / se)     # the lowest ground stands at z = 0
    dv = max(1.0 / (zoom * se * SAMPLES_PER_PX), (v_far - v_near) / MAX_SAMPLES)
    v_low = min(v_far, (bottom_y + frame.z_ref * ce) / se)     # from here on even the lowest ground is in reach
    if (v_low - v_near) / dv > COARSE_FROM:
        step = COARSE * dv
        coarse = (v_near + step * np.arange(int((v_low - v_near) / step) + 1)).astype(np.float32)
        reach = _sample_heights(frame, ground, u[::COARSE_COLUMNS], coarse, basis) >= bottom_y - COARSE_SLACK * step
        first = np.flatnonzero(reach.any(axis=0))
        k = int(first[0]) if len(first) else len(coarse) - 1
        v_near = float(coarse[max(0, k - 1)])
    n = max(2, int(np.ceil((v_far - v_near) / dv)) + 1)
    frame.v0, frame.dv = v_near, dv
    return (v_near + dv * np.arange(n)).astype(np.float32)


def _sample_heights(frame, ground, u, v, basis) -> np.ndarray:
    """Y [world, up the screen] of the ground at the nearest texels of columns u (n,) and depths
    v (m,): an (n, m) float32 array, -inf off the table (a cheap look, for the coarse pass)."""
    r, f, se, ce = basis
    tw, th = ground.texels
    sx, sy = ground.texel_size
    ti = np.floor(((frame.center[0] - ground.bounds[0][0] + u * r[0]) / sx)[:, None] + (v * (f[0] / sx))[None, :])
    tj = np.floor(((ground.bounds[1][1] - frame.center[1] - u * r[1]) / sy)[:, None] - (v * (f[1] / sy))[None, :])
    inside = (ti >= 0) & (ti < tw) & (tj >= 0) & (tj < th)
    z = ground.z[np.clip(ti, 0, tw - 1).astype(np.intp), np.clip(tj, 0, th - 1).astype(np.intp)]
    y = (z - np.float32(frame.z_ref)) * np.float32(ce) + (v * np.float32(se))[None, :]
    return np.where(inside, y, -np.inf).astype(np.float32)


def _columns(frame, ground, image, u_all, v, band, zoom, basis, p):
    """Fill the columns ``band`` = (a, b) of ``image`` with the ground and the plinth, and the
    frame's depth arrays for them."""
    a, b = band
    u, image = u_all[a:b], image[a:b]
    r, f, se, ce = basis
    w, h = image.shape
    n = len(v)
    cy = frame.viewport.centery
    enter = _entry_depth(frame, ground, u, r, f)                 # where each column meets the table
    # texel coordinates of every sample (columns, samples)
    tw, th = ground.texels
    sx, sy = ground.texel_size
    base_x = (frame.center[0] - ground.bounds[0][0] + u * r[0]) / sx
    base_y = (ground.bounds[1][1] - frame.center[1] - u * r[1]) / sy
    ti = np.floor(base_x[:, None] + (v * (f[0] / sx))[None, :]).astype(np.int32)
    tj = np.floor(base_y[:, None] - (v * (f[1] / sy))[None, :]).astype(np.int32)
    inside = (ti.view(np.uint32) < tw) & (tj.view(np.uint32) < th)
    texel = ti * th + tj
    texel[~inside] = 0
    words = ground.texel_words.take(texel)                       # elevation and colour of every sample
    z, _ = ground.unpair(words)
    height = frame.height[a:b]
    np.subtract(z, np.float32(frame.z_ref), out=height)
    height *= np.float32(ce)
    height += (v * np.float32(se))[None, :]
    height[~inside] = -np.inf
    ceiling = np.maximum.accumulate(height, axis=1, out=frame.ceiling[a:b])
    # each visible sample marks its top row; owners follow down each column
    visible = np.empty_like(inside)
    visible[:, 0] = inside[:, 0]
    np.greater(height[:, 1:], ceiling[:, :-1], out=visible[:, 1:])
    top = np.ceil(np.float32(cy - frame.rect.y - 0.5) - height * np.float32(zoom))   # a sample's top row
    visible &= top < h
    np.clip(top, 0, h - 1, out=top)
    spot = top.astype(np.int32)
    spot += (np.arange(w, dtype=np.int32) * h)[:, None]
    marks = np.full((w, h), n, np.int32)
    # two samples in one row: the later (farther) mark stays; they lie within a pixel of each other
    marks.reshape(-1)[spot[visible]] = np.broadcast_to(np.arange(n, dtype=np.int32), (w, n))[visible]
    owner = np.minimum.accumulate(marks, axis=1, out=frame.owner[a:b])
    # the ground ends at the near edge; below it, the plinth
    edge_z = ground.elevation_at(frame.center + u[:, None] * r + np.nan_to_num(enter)[:, None] * f)
    edge_row = (cy - frame.rect.y) - (enter * se + (edge_z - frame.z_ref) * ce) * zoom
    base_row = (cy - frame.rect.y) - (enter * se + (ground.base - frame.z_ref) * ce) * zoom
    edge_row = np.where(np.isfinite(enter), edge_row, -1.0)
    frame.edge[a:b] = edge_row
    ground_px = owner < n
    ground_px &= np.arange(h, dtype=np.float32)[None, :] + np.float32(0.5) < edge_row[:, None].astype(np.float32)
    pick = np.minimum(owner, n - 1)
    pick += (np.arange(w, dtype=np.int32) * n)[:, None]
    _, colour = ground.unpair(words.reshape(-1).take(pick))
    np.copyto(image, colour, where=ground_px)
    # below the plinth's foot nothing of the table shows (its face still answers to its edge's ground)
    foot = np.where(np.isfinite(enter), np.ceil(base_row - 0.5), 0).astype(np.float32)
    np.putmask(owner, np.arange(h, dtype=np.float32)[None, :] >= foot[:, None], np.int32(n))
    _plinth(image, frame, ground, u, enter, edge_row, base_row, basis, zoom, p)


def _entry_depth(frame, ground, u, r, f) -> np.ndarray:
    """For each column (u [world]) the depth v [world] at which its line meets the table's near
    edge (NaN where it misses the table): the slab method on the rectangle's two pairs of sides."""
    (x0, x1), (y0, y1) = ground.bounds
    lo = np.full(len(u), -np.inf)
    hi = np.full(len(u), np.inf)
    for axis, (a, b) in enumerate(((x0, x1), (y0, y1))):
        start = frame.center[axis] + u * r[axis]               # the line: start + v f[axis]
        if abs(f[axis]) < 1e-12:
            miss = (start < a) | (start > b)
            lo[miss], hi[miss] = np.inf, -np.inf
            continue
        t1, t2 = (a - start) / f[axis], (b - start) / f[axis]
        lo = np.maximum(lo, np.minimum(t1, t2))
        hi = np.minimum(hi, np.maximum(t1, t2))
    return np.where(lo <= hi, lo, np.nan)


def _plinth(image, frame, ground, u, enter, edge_row, base_row, basis, zoom, p):
    """The table's side face under its near edge: the ground's cross-section (its height tint,
    darker below the lowest ground) shaded by which way the face looks, and a light rim on top."""
    r, f, se, ce = basis
    w, h = image.shape
    ok = np.isfinite(enter)
    first = np.clip(np.ceil(edge_row - 0.5), 0, h).astype(np.intp)     # rows whose centres lie on the face
    last = np.clip(np.ceil(base_row - 0.5), 0, h).astype(np.intp)
    count = np.where(ok, np.maximum(last - first, 0), 0)
    if not count.any():
        return
    col = np.repeat(np.arange(w), count)
    row = np.repeat(first, count) + (np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count))
    cy = frame.viewport.centery
    # elevation of each face pixel, and its tint from the ground's own colour ramp
    z = ((cy - frame.rect.y - (row + 0.5)) / zoom - enter[col] * se) / ce + frame.z_ref
    table = _face_table(p)                                        # (light levels, ramp) packed colours
    levels, shades = table.shape
    t = np.clip(z * ((shades - 1) / max(ground.z_max, 1e-9)), 0, shades - 1).astype(np.intp)
    light = _face_light(frame, ground, u, enter, r, f)[col] * np.where(z < 0.0, SOIL, 1.0)
    image[col, row] = table.reshape(-1)[(light * (levels - 1)).astype(np.intp) * shades + t]
    rim = first - 1                                               # the ground's last row above the face
    cols = np.flatnonzero(ok & (rim >= 0) & (rim < h) & (count > 0))
    if len(cols):
        old = image[cols, rim[cols]]
        rgb = np.stack([(old >> s) & 255 for s in (16, 8, 0)], -1).astype(np.float32)
        rgb += (255.0 - rgb) * EDGE_LIGHTEN
        image[cols, rim[cols]] = _pack_rgb(rgb.astype(np.uint32))


def _face_light(frame, ground, u, enter, r, f) -> np.ndarray:
    """The light on the side face each column looks at: its outward normal against LIGHT."""
    (x0, x1), (y0, y1) = ground.bounds
    point = frame.center + u[:, None] * r + np.nan_to_num(enter)[:, None] * f
    gaps = np.stack([np.abs(point[:, 0] - x0), np.abs(point[:, 0] - x1),
                     np.abs(point[:, 1] - y0), np.abs(point[:, 1] - y1)], -1)
    normals = np.array([[-1.0, 0.0], [1.0, 0.0], [0.0, -1.0], [0.0, 1.0]])[np.argmin(gaps, axis=1)]
    facing = (normals @ LIGHT + 1.0) / 2.0
    lo, hi = FACE_LIGHT
    return lo + (hi - lo) * facing


@lru_cache(maxsize=4)
def _face_table(p) -> np.ndarray:
    """Packed colours (LIGHT_LEVELS, ramp size) of the plinth's faces: the palette's height ramp
    at every light level from 0 to 1 (the face's shade times the soil's darkening)."""
    ramp = pal.ramp_table(p)
    light = np.linspace(0.0, 1.0, LIGHT_LEVELS)[:, None, None]
    return _pack_rgb(np.clip(ramp[None] * light, 0, 255).astype(np.uint32))


def _pack(colour) -> np.uint32:
    return np.uint32((int(colour[0]) << 16) | (int(colour[1]) << 8) | int(colour[2]))


def _pack_rgb(rgb) -> np.ndarray:
    return (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]
