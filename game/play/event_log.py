"""The event log at the bottom of the battle's map: the latest game events as coloured lines that fade."""
from __future__ import annotations

import pygame

from game.view.widgets import TEXT, backdrop, ellipsize, text


class EventLog:
    """The latest game events as coloured lines; old lines fade after ``LIFETIME`` seconds. A line
    added with the ``key`` of an earlier one replaces it (it moves to the bottom, fresh)."""
    LIFETIME = 14.0      # s a line stays fully visible
    KEEP = 50            # lines remembered

    def __init__(self):
        self.lines: list[tuple[str, tuple, float]] = []     # (text, colour, time added)
        self._keys: list = []                               # each line's key (None: none)
        self.clock = 0.0

    def add(self, line: str, colour=TEXT, key=None):
        if key is not None and key in self._keys:
            k = self._keys.index(key)
            del self.lines[k], self._keys[k]
        self.lines.append((line, colour, self.clock))
        self._keys.append(key)
        del self.lines[:-self.KEEP], self._keys[:-self.KEEP]

    def tick(self, dt: float):
        self.clock += dt

    @staticmethod
    def height(size=14, lines=5) -> int:
        """The height [px] of the box holding ``lines`` lines of text ``size``."""
        return int(size * 1.45) * lines + 10

    def draw(self, surface, rect, size=14, max_lines=5):
        """The newest lines, oldest at the top, bottom-aligned in ``rect``."""
        live = [ln for ln in self.lines if self.clock - ln[2] < self.LIFETIME + 2][-max_lines:]
        if not live:
            return
        line_h = int(size * 1.45)
        rect = pygame.Rect(rect)
        h = self.height(size, len(live))
        box = pygame.Rect(rect.x, rect.bottom - h, rect.width, h)
        backdrop(surface, box, alpha=170, edge=None)
        for k, (s, colour, born) in enumerate(live):
            age = self.clock - born
            fade = 1.0 if age < self.LIFETIME else max(0.35, 1 - (age - self.LIFETIME) / 2)
            c = tuple(int(v * fade) for v in colour)
            y = box.y + 5 + k * line_h
            pygame.draw.rect(surface, c, (box.x + 8, y + line_h // 2 - 5, 4, 10))
            text(surface, ellipsize(s, size, box.width - 24), (box.x + 18, y + 1), size, c)
