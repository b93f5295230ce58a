"""A small line chart: heights over steps, one line per squad (the battle's sparkline, the films' chart)."""
from __future__ import annotations

import math

import numpy as np
import pygame

from .names import height_text
from .widgets import CARD, GOOD, MUTED, TEXT, text


def draw_sparkline(surface, rect, series, floor=None, size=12, label="best height"):
    """Lines of height over steps: ``series`` is [(values (steps,), colour, width)], NaN = no data.

    The y axis spans the data (and ``floor``, the global minimum's height, drawn as a dashed line).
    """
    rect = pygame.Rect(rect)
    pygame.draw.rect(surface, CARD, rect, border_radius=5)
    text(surface, label, (rect.x + 6, rect.y + 3), size, MUTED)
    plot = rect.inflate(-12, -int(size * 1.6) - 8)
    plot.bottom = rect.bottom - 6
    data = [np.asarray(v, float) for v, _, _ in series]
    finite = np.concatenate([d[np.isfinite(d)] for d in data]) if data else np.empty(0)
    if finite.size == 0:
        return
    lo, hi = float(finite.min()), float(finite.max())
    if floor is not None and math.isfinite(floor):
        lo = min(lo, floor)
    span = hi - lo if hi > lo else 1.0
    n = max(len(d) for d in data)

    def pt(i, v):
        return (plot.x + plot.width * i / max(1, n - 1), plot.bottom - plot.height * (v - lo) / span)

    if floor is not None and math.isfinite(floor):
        y = pt(0, floor)[1]
        for x in range(plot.x, plot.right, 8):
            pygame.draw.line(surface, GOOD, (x, y), (min(x + 4, plot.right), y), 1)
    for (_, colour, width), d in zip(series, data):
        ok = np.flatnonzero(np.isfinite(d))
        if len(ok) >= 2:
            pygame.draw.lines(surface, colour, False, [pt(i, d[i]) for i in ok], width)
        elif len(ok) == 1:
            pygame.draw.circle(surface, colour, pt(ok[0], d[ok[0]]), 2)
    last = [d[np.isfinite(d)][-1] for d in data if np.isfinite(d).any()]
    if last:
        text(surface, height_text(min(last)), (rect.right - 6, rect.y + 3), size, TEXT, anchor="topright")
