"""The sand table on a web page of a descent: the relief as the game renders it, from one side.

The page's relief view (page.py) is one render of the table by the game's own renderer
(``game.view.relief_view``) at heading RELIEF_YAW and the camera's default tilt, fitted to a
picture whose long side is the map picture's. The camera is parallel: with its right r, forward f,
elevation e, ``center``, ``z_ref`` and ``zoom``, and the picture's centre (cx, cy)
(``game.view.relief_camera``), a world point (x, y) at elevation z [world] shows at

    px = cx + zoom (d . r)                                    d = (x, y) - center
    py = cy - zoom ((d . f) sin e + (z - z_ref) cos e)         [picture px]

which is linear in (x, y, z): one 3x4 matrix, the view's ``projection``, takes (x, y, z, 1) there.
It is not linear in the height h, since z = elevation(h) squeezes the tallest ground
(``game.view.ground``), so the page holds every unit's elevation at every step:

* **elevations**: step-major like the positions, whole numbers q in 0 .. 2^ELEVATION_BITS - 1 with
  z = q * scale and scale = z_top / (2^ELEVATION_BITS - 1), z_top = RELIEF_SHARE (1 + CAP) size the
  highest elevation there is; a decoded z is within scale / 2 (about 3.5e-5 of the map's size,
  a few hundredths of a picture pixel) of ``Ground.elevation(world.heights)``. Beside them the
  elevations of what else stands on the table: the spawn ring's SPAWN_POINTS points, every
  minimum, the global minimum.
* **hidden**: per view, which units the ground hides at each step: ``ReliefView.hidden`` with the
  balls raised LIFT px, as the game draws them (relief_draw). A step is a row of ceil(N / 8) bytes,
  unit u in bit u % 8 of byte u // 8; the rows one after another, base64-encoded.

The view also tells how the game draws on the table, in picture pixels: a ball's centre stands
``lift`` above its ground point, its shadow is an ellipse ``shadow.size`` at ``shadow.offset`` from
that point, and ``depth`` is the row that orders the balls back to front (the distance along
the view [picture px], larger is farther).
"""
from __future__ import annotations

import base64
import math

import numpy as np
import pygame

from game.view.ground import CAP, RELIEF_SHARE
from game.view.relief_camera import ReliefCamera
from game.view.relief_draw import GHOST_ALPHA, LIFT, LIGHT, SHADOW, SHADOW_ALPHA, SHADOW_FALL
from game.view.relief_view import ReliefView
from game.view.render import frame_array

RELIEF_YAW = 30.0             # the page sees the table from this heading [deg], as the classroom first does
ELEVATION_BITS = 12           # elevations are fixed-point whole numbers of this many bits
SPAWN_POINTS = 96             # the spawn ring on the ground, as this many points
Z_DIGITS = 6                  # significant digits of the elevations of the spawn ring and the minima


def elevation_scale(level) -> float:
    """One step of the elevations' fixed point [world]: the highest elevation over 2^bits - 1."""
    return RELIEF_SHARE * (1.0 + CAP) * level.size / (2 ** ELEVATION_BITS - 1)


def table_camera(ground, long_side: int) -> ReliefCamera:
    """The camera of the page's relief: heading RELIEF_YAW, default tilt, the table fitted to a
    picture of the table's own shape whose long side is ``long_side`` [px]."""
    square = ReliefCamera(ground, pygame.Rect(0, 0, long_side, long_side), yaw=RELIEF_YAW)
    box = square.map_rect()
    k = long_side / max(box.width, box.height)
    size = (max(1, round(box.width * k)), max(1, round(box.height * k)))
    return ReliefCamera(ground, pygame.Rect((0, 0), size), yaw=RELIEF_YAW)


def projection(camera) -> list:
    """The 3x4 matrix taking (x, y, z, 1) [world] to picture pixels (px, py, 1) (the module's docstring)."""
    r, f, se, ce = camera.basis()
    k, c = camera.zoom, camera.center
    cx, cy = camera.viewport.centerx, camera.viewport.centery
    return [[k * r[0], k * r[1], 0.0, cx - k * float(c @ r)],
            [-k * se * f[0], -k * se * f[1], -k * ce, cy + k * (se * float(c @ f) + ce * camera.z_ref)],
            [0.0, 0.0, 0.0, 1.0]]


def depth_row(camera) -> list:
    """The row taking (x, y, z, 1) to the distance along the view in picture pixels, larger is
    farther: ``ReliefCamera.depth`` times the zoom."""
    _, f, se, ce = camera.basis()
    k = camera.zoom
    return [k * ce * f[0], k * ce * f[1], -k * se, k * (-ce * float(camera.center @ f) + se * camera.z_ref)]


class Relief:
    """The page's sand table for one level's ``Ground``: the picture and, step by step, the units'
    elevations and which of them the ground hides."""

    def __init__(self, ground, long_side: int):
        self.ground = ground
        self.camera = table_camera(ground, long_side)
        self.view = ReliefView(ground, margin=0.0)            # the picture is the viewport, no more
        self.view.update(self.camera)
        self.scale = elevation_scale(ground.level)
        self.top = 2 ** ELEVATION_BITS - 1
        self.q, self.hidden = [], []

    def note(self, world):
        """The units' elevations and hidden set at the world's current step."""
        z = self.ground.elevation(world.heights)
        z = np.nan_to_num(z, nan=self.top * self.scale, posinf=self.top * self.scale, neginf=0.0)
        self.q.append(np.clip(np.rint(z / self.scale), 0, self.top).astype(np.int64))
        hidden = self.view.hidden(self.camera, world.positions, z, LIFT)
        self.hidden.append(np.packbits(hidden, bitorder="little"))

    def data(self) -> dict:
        """What the run's data gains: ``elevations`` and ``hidden`` (the module's docstring)."""
        lvl, g = self.ground.level, self.ground
        a = 2 * math.pi * np.arange(SPAWN_POINTS) / SPAWN_POINTS
        ring = np.asarray(lvl.spawn_center) + lvl.spawn_radius * np.column_stack([np.cos(a), np.sin(a)])
        rows = np.concatenate(self.hidden) if self.hidden else np.zeros(0, np.uint8)
        return {"elevations": {"scale": self.scale, "q": np.concatenate(self.q).tolist(),
                               "spawn": _digits(g.elevation_at(ring)),
                               "minima": _digits(g.elevation([m.height for m in lvl.minima])),
                               "global_min": _digits([g.elevation(lvl.global_min_height)])[0]},
                "hidden": {"relief": base64.b64encode(rows.tobytes()).decode("ascii")}}

    def view_entry(self, jpeg_uri) -> dict:
        """The view for the page's list (page.page_views); ``jpeg_uri`` makes the picture's data URI."""
        cam = self.camera
        d = cam.vec2pix(-LIGHT)
        fall = d / max(float(np.hypot(*d)), 1e-9) * SHADOW_FALL         # away from the light, as the game
        return {"id": "relief", "label": "Sand table", "kind": "relief", "size": list(cam.viewport.size),
                "projection": projection(cam), "depth": depth_row(cam), "lift": LIFT,
                "shadow": {"size": list(SHADOW), "offset": [float(v) for v in fall], "alpha": SHADOW_ALPHA / 255},
                "ghost_alpha": GHOST_ALPHA / 255, "image": jpeg_uri(frame_array(self.view.frame.surface))}


def _digits(values) -> list:
    return [float(f"{float(v):.{Z_DIGITS}g}") for v in np.asarray(values, float).ravel()]


def decode_elevations(data: dict) -> np.ndarray:
    """The units' elevations of a page's data: (T + 1, N) float64 [world]."""
    e = data["elevations"]
    return np.asarray(e["q"], np.float64).reshape(-1, data["run"]["units"]) * e["scale"]


def decode_hidden(data: dict, view: str) -> np.ndarray:
    """Which units the ground hides in ``view``, per step: (T + 1, N) bool."""
    n = data["run"]["units"]
    rows = np.frombuffer(base64.b64decode(data["hidden"][view]), np.uint8).reshape(-1, (n + 7) // 8)
    return np.unpackbits(rows, axis=1, bitorder="little")[:, :n].astype(bool)
