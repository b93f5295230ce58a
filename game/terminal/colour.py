"""Colours for the terminal view: codes for 24-bit and 256-colour terminals, and their SGR sequences.

A colour code is an int: 0xRRGGBB in "truecolor" mode, an xterm-256 index (16..255) in "256" mode,
and DEFAULT (the terminal's own colour) for text and in "ascii" mode.
"""
from __future__ import annotations

import functools

import numpy as np

DEFAULT = -1              # colour code: the terminal's own colour
CUBE = np.array([0, 95, 135, 175, 215, 255])      # the xterm 6x6x6 cube's levels per channel
BAYER4 = (np.array([[0, 8, 2, 10], [12, 4, 14, 6], [3, 11, 1, 9], [15, 7, 13, 5]]) + 0.5) / 16
DITHER_SPREAD = 0.8       # how strongly dithering avoids mixing far-apart colours (0 = not at all)
CHUNK = 4096              # colours quantised at a time (bounds the (colours, 240) distance table)
PARTNERS = 16             # a colour may be mixed with any of its this many nearest palette colours


def _xterm_colours() -> np.ndarray:
    """RGB of xterm colours 16..255: the cube (16 + 36 r + 6 g + b), then the greys 8 + 10 k."""
    r, g, b = np.meshgrid(CUBE, CUBE, CUBE, indexing="ij")
    cube = np.column_stack([r.ravel(), g.ravel(), b.ravel()])
    grey = np.repeat(8 + 10 * np.arange(24), 3).reshape(24, 3)
    return np.vstack([cube, grey]).astype(np.float32)


XTERM = _xterm_colours()


def xterm256(rgb, dither: bool = False) -> np.ndarray:
    """xterm-256 colour indices (16..255) for RGB values (..., 3) 0..255: the nearest colour, or
    with ``dither`` (for an image (H, W, 3)) an ordered mix of two.

    The cube has only two levels below 95, so dark tints would fall to black or grey. Dithering
    finds, per colour, the palette colour q such that the segment from the nearest colour p towards
    q passes closest to the wanted colour c = p + t (q - p), and shows q instead of p where t
    exceeds a 4x4 Bayer threshold, so neighbouring pixels mix to the right shade on average.
    The work is done once per distinct colour (to 6 bits a channel), not per pixel.
    """
    rgb = np.clip(np.asarray(rgb, np.float32), 0, 255)
    c6 = rgb.astype(np.int32) >> 2                                   # 6 bits a channel
    packed = (c6[..., 0] << 12) | (c6[..., 1] << 6) | c6[..., 2]
    keys, inverse = np.unique(packed.ravel(), return_inverse=True)
    colours = np.column_stack([keys >> 12, (keys >> 6) & 63, keys & 63]).astype(np.float32) * 4 + 1.5
    inverse = inverse.reshape(rgb.shape[:-1])
    if not dither:
        return 16 + _distances(colours).argmin(1)[inverse]
    p, q, share = np.empty(len(keys), np.int32), np.empty(len(keys), np.int32), np.empty(len(keys), np.float32)
    for start in range(0, len(keys), CHUNK):
        part = slice(start, start + CHUNK)
        p[part], q[part], share[part] = _mix(colours[part])
    h, w = rgb.shape[:2]
    threshold = np.tile(BAYER4, (h // 4 + 1, w // 4 + 1))[:h, :w]
    return 16 + np.where(share[inverse] > threshold, q[inverse], p[inverse])


def _distances(c) -> np.ndarray:
    """Squared distances (n, 240) from colours c (n, 3) to the palette: |c|^2 - 2 c.x + |x|^2."""
    return (c * c).sum(1)[:, None] - 2 * c @ XTERM.T + (XTERM * XTERM).sum(1)


def _mix(c) -> tuple:
    """For colours c (n, 3): the nearest palette index p, the best partner q among the PARTNERS
    nearest colours, and q's share t of the mix c ~ p + t (q - p)."""
    d = _distances(c)
    near = np.argpartition(d, PARTNERS, axis=1)[:, :PARTNERS]       # (n, PARTNERS) candidates
    p = near[np.arange(len(c)), d[np.arange(len(c))[:, None], near].argmin(1)]
    a = XTERM[p]
    v = XTERM[near] - a[:, None, :]                                  # from p to each candidate
    length2 = np.maximum((v * v).sum(-1), 1.0)
    t = np.clip(((c - a)[:, None, :] * v).sum(-1) / length2, 0, 1)
    miss = ((a[:, None, :] + t[..., None] * v - c[:, None, :]) ** 2).sum(-1)
    best = (miss + DITHER_SPREAD * length2 * t * (1 - t)).argmin(1)
    rows = np.arange(len(c))
    return p, near[rows, best], t[rows, best]


def encode(rgb, mode: str, dither: bool = False) -> np.ndarray:
    """RGB (..., 3) -> colour codes (...) int32 for ``mode``: 0xRRGGBB, an xterm-256 index (ordered
    dithering for an image if ``dither``), or DEFAULT."""
    rgb = np.asarray(rgb)
    if mode == "truecolor":
        c = np.clip(np.rint(rgb), 0, 255).astype(np.int32)
        return (c[..., 0] << 16) | (c[..., 1] << 8) | c[..., 2]
    if mode == "256":
        return xterm256(rgb, dither)
    return np.full(rgb.shape[:-1], DEFAULT, np.int32)


@functools.lru_cache(maxsize=4096)
def colour_sgr(code: int, layer: int, mode: str) -> str:
    """The SGR parameters that set the foreground (layer 38) or background (48) to ``code``."""
    if code == DEFAULT:
        return str(layer + 1)                               # 39 / 49: the terminal's default
    if mode == "truecolor":
        return f"{layer};2;{code >> 16};{(code >> 8) & 255};{code & 255}"
    return f"{layer};5;{code}"
