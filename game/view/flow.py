"""Text laid out to fit a column: paragraphs wrap at word breaks, a column too tall for its box is
set smaller (down to ``SHRINK_LIMIT`` of its size), and what is still too tall scrolls. A sentence
is never cut short.

    def build(f):                               # f: the type scale to lay out at
        flow = Flow(width)
        flow.paragraph("Hint: ...", px(13, f), ACCENT)
        flow.row([("Steps used", MUTED, False), ...], ...)
        return flow
    flow = fit(build, scale, box.height)        # the largest scale that fits, else the smallest
    flow.draw(surface, box, offset)             # lines wholly inside the box only; offset: scroll [px]

A flow is a list of items, each a (y, height, draw) triple: ``draw(surface, x, y)`` paints the
item with its top-left at (x, y). Items can be text lines or any small mark (a star row, a swatch).
"""
from __future__ import annotations

import pygame

from .fonts import font
from .widgets import text, text_box, text_width, wrap

SHRINK_LIMIT = 0.8          # a column is set at least this share of its full size before it scrolls
SHRINK_STEPS = 5            # sizes tried between full size and SHRINK_LIMIT
LEADING = 1.4               # line height / type size


def line_height(size: int) -> int:
    """The height [px] of a line of type ``size`` [px] (at least the font's own line)."""
    return max(int(size * LEADING), font(size).get_linesize())


class Flow:
    """Items stacked top-down in a column ``width`` px wide; ``height`` is where the next one goes."""

    def __init__(self, width: int):
        self.width = int(width)
        self.height = 0
        self.items: list[tuple[int, int, object]] = []

    def space(self, dy: int):
        self.height += int(dy)

    def mark(self, height: int, draw):
        """Any small drawing ``draw(surface, x, y)`` [px] that takes ``height`` px of the column."""
        self.items.append((self.height, int(height), draw))
        self.height += int(height)

    def line(self, s: str, size: int, colour, bold=False, indent: int = 0, align="left"):
        """One line of text (it must fit: see ``paragraph`` for text that wraps)."""
        h = line_height(size)
        x = {"left": indent, "center": self.width // 2, "right": self.width}[align]
        anchor = {"left": "topleft", "center": "midtop", "right": "topright"}[align]
        self.mark(h, lambda surface, x0, y0: text(surface, s, (x0 + x, y0), size, colour, bold, anchor=anchor))

    def paragraph(self, s: str, size: int, colour, bold=False, indent: int = 0, align="left", lead=None):
        """Text wrapped at word breaks to the column (less ``indent``); a single word wider than the
        column is set smaller until it fits. ``lead(surface, x, y)`` draws something in the indent
        of the first line (a row's name)."""
        room = self.width - indent
        for k, words in enumerate(wrap(s, size, room, bold)):
            shrunk = size
            while shrunk > 6 and text_width(words, shrunk, bold) > room:
                shrunk -= 1
            self.line(words, shrunk, colour, bold, indent, align)
            if k == 0 and lead is not None:
                y, h, draw = self.items[-1]
                self.items[-1] = (y, h, lambda surface, x0, y0, draw=draw: (lead(surface, x0, y0),
                                                                            draw(surface, x0, y0)))

    def row(self, left: list, right: list, indent: int = 0, gap: int = 8, swatch=None):
        """Pieces (text, size, colour, bold) from the left and from the right on one line; when they
        do not fit side by side, the right ones go on a line of their own, flush right. ``swatch``:
        a colour for a small square before the left pieces (it takes ``indent`` px)."""
        def width(parts):
            return sum(text_width(s, z, b) for s, z, _, b in parts) + gap * max(0, len(parts) - 1)
        h = max(line_height(z) for _, z, _, _ in left + right)
        together = indent + width(left) + gap * 2 + width(right) <= self.width

        def draw_left(surface, x0, y0):
            if swatch is not None:
                side = max(4, min(indent - 4, h // 2))
                pygame.draw.rect(surface, swatch, (x0, y0 + (h - side) // 2 - 1, side, side), border_radius=2)
            x = x0 + indent
            for s, z, c, b in left:
                x = text(surface, s, (x, y0), z, c, b).right + gap

        def draw_right(surface, x0, y0):
            x = x0 + self.width
            for s, z, c, b in reversed(right):
                x = text(surface, s, (x, y0), z, c, b, anchor="topright").x - gap

        if together or not right:
            self.mark(h, lambda surface, x0, y0: (draw_left(surface, x0, y0), draw_right(surface, x0, y0)))
        else:
            self.mark(h, draw_left)
            self.mark(h, draw_right)

    def draw(self, surface, box, offset: int = 0):
        """The items wholly inside ``box`` [px] once the column is scrolled up by ``offset`` [px]."""
        box = pygame.Rect(box)
        old = surface.get_clip()
        surface.set_clip(box.clip(old) if old else box)
        with text_box(box):
            for y, h, draw in self.items:
                top = box.y + y - offset
                if top >= box.y and top + h <= box.bottom:
                    draw(surface, box.x, top)
        surface.set_clip(old)


def fit(build, scale: float, height: int) -> tuple[Flow, float]:
    """(flow, factor): ``build(factor)`` at the largest factor from ``scale`` down to
    SHRINK_LIMIT * scale whose flow is at most ``height`` px tall; else at the smallest (it scrolls)."""
    flow = None
    for k in range(SHRINK_STEPS + 1):
        f = scale * (1 - (1 - SHRINK_LIMIT) * k / SHRINK_STEPS)
        flow = build(f)
        if flow.height <= height:
            return flow, f
    return flow, f
