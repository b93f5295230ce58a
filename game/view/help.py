"""The help overlay: every control of a front end, as titled sections of (keys, what they do) in
two columns, centred over the screen. Each front end passes its own sections."""
from __future__ import annotations

import pygame

from .widgets import ACCENT, FAINT, MUTED, PANEL, SHADE, TEXT, backdrop, text, text_width


def draw_help(surface, area, scale, sections, closing: str = "F1, H or Esc closes this help"):
    """The help overlay: every control (``sections``: [(title, [(keys, what), ...]), ...]) in two
    columns, centred in ``area``, and at its foot how to close it (``closing``); sizes [px] times ``scale``."""
    area = pygame.Rect(area)
    shade = pygame.Surface(area.size, pygame.SRCALPHA)
    shade.fill((*SHADE, 150))
    surface.blit(shade, area)
    px = lambda v: int(round(v * scale))            # noqa: E731
    size, line, gap = px(14), px(22), px(40)
    half = (len(sections) + 1) // 2
    columns = [sections[:half], sections[half:]]
    key_w = [max(text_width(k, size, bold=True) for _, rows in col for k, _ in rows) + px(18) for col in columns]
    what_w = [max(text_width(w, size) for _, rows in col for _, w in rows) for col in columns]
    col_w = [k + w for k, w in zip(key_w, what_w)]
    heights = [sum(px(28) + line * len(rows) + px(12) for _, rows in col) for col in columns]
    box = pygame.Rect(0, 0, sum(col_w) + gap + 2 * px(30), max(heights) + px(104))
    box.center = area.center
    backdrop(surface, box, alpha=255, colour=PANEL, radius=10)       # opaque: nothing shows through the text
    text(surface, "Controls", (box.centerx, box.y + px(18)), px(22), TEXT, bold=True, anchor="midtop")
    x = box.x + px(30)
    for c, col in enumerate(columns):
        y = box.y + px(64)
        for title, rows in col:
            text(surface, title.upper(), (x, y), px(12), ACCENT, bold=True)
            y += px(24)
            for keys, what in rows:
                text(surface, keys, (x, y), size, TEXT, bold=True)
                text(surface, what, (x + key_w[c], y), size, MUTED)
                y += line
            y += px(16)
        x += col_w[c] + gap
    text(surface, closing, (box.centerx, box.bottom - px(14)), px(12), FAINT,
         anchor="midbottom")
