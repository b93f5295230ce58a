"""Where the player looks from: the top-down map's camera and the sand table's, and which is in use.

    eyes = Viewpoint(level, art, mode="relief")
    eyes.camera                   # the camera in use (a Camera or a ReliefCamera)
    eyes.toggle()                 # V: relief <-> map (each camera keeps its own framing)
    eyes.set_viewport(rect, map_fit=..., table_fit=...)
    eyes.update(dt)               # a turn or a tilt in progress

``controls`` (arrows / WASD / edge / middle drag / wheel, and Q / E / PgUp / PgDn on the table)
always move the camera in use.
"""
from __future__ import annotations

import pygame

from .camera import Camera
from .controls import CameraControls
from .relief_camera import ReliefCamera

MODES = ("relief", "map")


class Viewpoint:
    """Both cameras of a scene and the mode in use ("relief" or "map")."""

    def __init__(self, level, art, mode: str = "relief", controls=CameraControls, yaw: float = 0.0):
        if mode not in MODES:
            raise ValueError(f"unknown view {mode!r}; choose from {', '.join(MODES)}")
        start = pygame.Rect(0, 0, 640, 480)
        self.map = Camera(level.bounds, start)
        self.table = ReliefCamera(art.ground, start, yaw=yaw)
        self.mode = mode
        self.controls = controls(self.camera)

    @property
    def camera(self):
        return self.table if self.mode == "relief" else self.map

    @property
    def relief(self) -> bool:
        return self.mode == "relief"

    def toggle(self) -> str:
        """Switch between the relief and the map; returns the new mode."""
        self.mode = "map" if self.relief else "relief"
        self.controls.camera = self.camera
        return self.mode

    def set_viewport(self, rect, map_fit=None, table_fit=None):
        """Both cameras get the viewport; ``map_fit`` / ``table_fit``: what a fitted view fills."""
        self.map.set_viewport(rect, fit_area=map_fit)
        self.table.set_viewport(rect, fit_area=table_fit)

    def fit(self):
        self.camera.fit()

    def update(self, dt: float):
        """Animate the table's camera (a turn or tilt in progress)."""
        self.table.update(dt)
