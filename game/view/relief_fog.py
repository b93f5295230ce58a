"""The fog of war on the sand table: a cloth of the fog's colour lying on the ground.

The cloth catches the light as the ground does (the ground's hillshade, darker on the plinth's
faces) but shows none of its colours or contour lines: the table's shape reads, its heights stay
unknown until a unit has been there. The overlay is worked out in the render's own pixels, once per
render: the ground under every FOG_STEP-th pixel (its fog cells and its light) and which pixels are
table at all. A change of the explored set then only gathers the fog's opacity at those points
(bilinear between cells), smooths it up and cuts it to the table's pixels; the overlay is placed
(shifted, scaled) exactly as the render's picture is.
"""
from __future__ import annotations

import numpy as np
import pygame

FOG_STEP = 6          # the fog on the ground is worked out every 6th pixel, then smoothed
FOG_VEIL = 0.97       # the fog's opacity on the table (its colours barely show through) ...
CLOTH_LIFT = 2.6      # ... a cloth of the fog's colour this much lighter, lying on the ground,
CLOTH_FACE = 0.55     # ... and this much darker on the plinth's side faces

_FOG: dict = {}       # id(fog) -> the overlay of the current render


def fog_overlay(view, camera, fog, p) -> tuple:
    """(overlay, rect): the fog as the ``camera`` shows it now, per-pixel alpha, to blit at ``rect``."""
    cached = _FOG.get(id(fog))
    if cached is None or cached["frame"] is not view.frame or cached["tint"] != p.fog:
        cached = _layout(view.frame, camera.ground, fog, p)
        _FOG.clear()
        _FOG[id(fog)] = cached
    if cached["version"] != fog.version:
        small, big = cached["small"], cached["big"]
        opacity = fog.opacity_between(*cached["cells"]).reshape(cached["ok"].shape)
        alpha = pygame.surfarray.pixels_alpha(small)
        alpha[:] = _spread(opacity * FOG_VEIL, cached["ok"])
        del alpha
        pygame.transform.smoothscale(small, big.get_size(), big)
        big.blit(cached["faces"], (0, 0), special_flags=pygame.BLEND_RGB_MULT)
        alpha = pygame.surfarray.pixels_alpha(big)
        alpha *= cached["mask"]
        del alpha
        cached["version"] = fog.version
    return view.show(camera, cached["big"], cached["area"], "fog")


def _layout(frame, ground, fog, p) -> dict:
    """What the overlay of one render needs: the sample points' fog cells and whether they are on
    the table, the cloth's colours there, and which of the render's pixels are table (and faces)."""
    area = frame.table_rect(ground)
    xs = area.x + np.arange(0, max(area.width, 1), FOG_STEP) + FOG_STEP / 2
    ys = area.y + np.arange(0, max(area.height, 1), FOG_STEP) + FOG_STEP / 2
    gx, gy = np.meshgrid(xs, ys, indexing="ij")
    xy, ok = frame.ground_at(np.column_stack([gx.ravel(), gy.ravel()]), faces=True)
    light = ground.shade_at(xy)                         # the faces take their edge's light (then darker)
    ok = ok.reshape(gx.shape)
    small = pygame.Surface(gx.shape, pygame.SRCALPHA)
    rgb = pygame.surfarray.pixels3d(small)
    rgb[:] = np.clip(np.asarray(p.fog, np.float32) * CLOTH_LIFT * _spread(light.reshape(gx.shape), ok)[..., None],
                     0, 255)
    del rgb
    big = pygame.Surface((len(xs) * FOG_STEP, len(ys) * FOG_STEP), pygame.SRCALPHA)
    area = big.get_rect(topleft=area.topleft)
    mask, faces = _table_pixels(frame, area)
    return {"frame": frame, "tint": p.fog, "version": None, "cells": fog.corners(xy), "ok": ok,
            "small": small, "big": big, "area": area, "mask": mask, "faces": faces}


def _spread(values, ok) -> np.ndarray:
    """``values`` (W, H) with the points off the table (``ok`` False) given their neighbours'
    values, so that smoothing does not fade the fog at the table's edge."""
    out = np.where(ok, values, 0.0)
    have = ok.copy()
    for shift, axis in ((1, 0), (-1, 0), (1, 1), (-1, 1)):
        near = np.roll(out, shift, axis)
        take = ~have & np.roll(ok, shift, axis)
        out[take] = near[take]
        have |= take
    return out


def _table_pixels(frame, area) -> tuple:
    """(mask, faces) for the render's pixels in ``area``: ``mask`` uint8 (W, H), 1 where the table
    (ground or plinth) shows; ``faces`` a Surface to multiply the cloth's colours by, darker on the
    plinth's side faces."""
    cols = np.arange(area.x, area.right) - frame.rect.x - frame.first
    rows = np.arange(area.y, area.bottom) - frame.rect.y
    faces = pygame.Surface(area.size)
    if frame.owner is None:
        faces.fill((255, 255, 255))
        return np.zeros(area.size, np.uint8), faces
    n_cols, n_rows = frame.owner.shape
    good_c, good_r = (cols >= 0) & (cols < n_cols), (rows >= 0) & (rows < n_rows)
    c, r = np.clip(cols, 0, n_cols - 1), np.clip(rows, 0, n_rows - 1)
    inside = (frame.owner[c][:, r] < frame.height.shape[1]) & good_c[:, None] & good_r[None, :]
    face = inside & (r[None, :] + 0.5 >= frame.edge[c][:, None])
    level = pygame.surfarray.pixels3d(faces)
    level[:] = np.where(face, np.uint8(255 * CLOTH_FACE), np.uint8(255))[..., None]
    del level
    return inside.astype(np.uint8), faces
