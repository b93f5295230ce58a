"""Where the map's text labels go: clear of each other, of the units, the markers, the flags and
anything laid over the map (a legend, a banner, the event log), and inside the map's rectangle.

    board = Board(frame, keep_clear=[legend_rect])      # one per frame
    board.avoid_points(unit_pixels, radius)              # what labels must not cover
    board.avoid(flag_rect)
    board.want(image, "h = 0.41", (x, y), gap=10)        # a label beside the point (x, y) [px]
    board.draw(surface)                                  # placed in order of priority, then drawn

A label tries spots around its point -- beside it, above and below, then the diagonals -- at its
``gap`` and then further out (a thin leader line, drawn under every label, then joins it to its
point; an optional label goes only a little further), and takes the first spot inside the frame
that covers nothing taken. A label that must show (``must``: the global
minimum, the arrival banner, the spawn) and finds no free spot takes the one inside the frame that
covers the least; an optional one (a local minimum's height) is left out.

``recording_labels()`` lists every board drawn in its block, for the tests.
"""
from __future__ import annotations

from contextlib import contextmanager

import numpy as np
import pygame

FARTHER = (0, 14, 32, 56, 90, 130)    # extra distances [px] tried beyond a label's gap ...
OPTIONAL_REACH = 2                    # ... the first this many for a label that may be left out
SPACING = (6, 2)                # a placed label keeps this much room around it [px] (x, y)
_RECORD: list | None = None     # while recording: every Board drawn


@contextmanager
def recording_labels():
    """Every ``Board`` drawn inside the block, in order (their ``labels``, ``frame``, ``taken``)."""
    global _RECORD
    old, _RECORD = _RECORD, []
    try:
        yield _RECORD
    finally:
        _RECORD = old


def _spots(x: float, y: float, d: float, above_first: bool) -> list:
    """Anchor keywords for a label's rect around (x, y) at distance d [px], in order of preference."""
    k = d * 0.72
    side = [dict(midleft=(x + d, y)), dict(midright=(x - d, y))]
    upright = [dict(midbottom=(x, y - d)), dict(midtop=(x, y + d))]
    corners = [dict(bottomleft=(x + k, y - k)), dict(topleft=(x + k, y + k)),
               dict(bottomright=(x - k, y - k)), dict(topright=(x - k, y + k))]
    return upright + side + corners if above_first else side + upright + corners


class Board:
    """The labels of one frame: what they keep clear of (``taken``), where they went (``labels``:
    (text, rect) pairs), inside ``frame`` [px]."""

    def __init__(self, frame, keep_clear=()):
        self.frame = pygame.Rect(frame)
        self.taken = [pygame.Rect(r) for r in keep_clear if pygame.Rect(r).width and pygame.Rect(r).height]
        self.blocked = list(self.taken)        # what labels must not cover, labels aside
        self.labels: list[tuple[str, pygame.Rect]] = []
        self._wanted: list = []
        self._discs: list = []                 # (points (N, 2) [px], half side [px]) not yet made rects

    def avoid(self, rect):
        """Keep labels off ``rect`` [px]."""
        rect = pygame.Rect(rect)
        self.taken.append(rect)
        self.blocked.append(rect)

    def avoid_points(self, xy, radius: float):
        """Keep labels off discs of ``radius`` [px] around the points xy (N, 2) [px] in the frame."""
        xy = np.asarray(xy, float).reshape(-1, 2)
        inside = np.all(np.isfinite(xy), axis=1)
        f = self.frame.inflate(2 * radius, 2 * radius)
        inside &= (xy[:, 0] >= f.left) & (xy[:, 0] < f.right) & (xy[:, 1] >= f.top) & (xy[:, 1] < f.bottom)
        self._discs.append((np.rint(xy[inside]).astype(int), int(np.ceil(radius))))

    def _settle_discs(self):
        """Turn the discs of ``avoid_points`` into rects -- only those a wanted label could reach
        (a thousand units cost a thousand rects otherwise, every frame); all of them while recording."""
        reach = [(point, gap + FARTHER[-1] + max(image.get_size()) + 2)
                 for _, _, image, _, at, gap, _, _ in self._wanted for point in at]
        for xy, r in self._discs:
            near = np.zeros(len(xy), bool) if _RECORD is None else np.ones(len(xy), bool)
            for (ax, ay), d in reach:
                near |= (np.abs(xy[:, 0] - ax) <= d + r) & (np.abs(xy[:, 1] - ay) <= d + r)
            for px, py in xy[near].tolist():
                self.avoid((px - r, py - r, 2 * r + 1, 2 * r + 1))
        self._discs = []

    def want(self, image, text: str, at, gap: float = 10, must: bool = False, priority: int = 9,
             above_first: bool = False, alternatives=()):
        """Ask for ``image`` (the label ``text``) beside the point ``at`` [px], else beside one of
        the ``alternatives`` (other points of the same thing, in order: a label next to any of them
        beats one pulled away on a leader line); lower ``priority`` is placed first."""
        points = tuple((float(x), float(y)) for x, y in ((at,) + tuple(alternatives)))
        self._wanted.append((priority, len(self._wanted), image, text, points, gap, must, above_first))

    def draw(self, surface, leader=((236, 232, 214), (6, 8, 10))):
        """Place every wanted label (see the module's docstring) and draw it; ``leader``: the
        colours (line, edge) of the line to a label placed away from its point."""
        self._settle_discs()
        placed = []
        for _, _, image, text, points, gap, must, above_first in sorted(self._wanted, key=lambda w: w[:2]):
            rect, far, at = self._place(image.get_size(), points, gap, must, above_first)
            if rect is not None:
                placed.append((image, rect, at, far))
                self.labels.append((text, rect))
                self.taken.append(rect.inflate(*SPACING))
        for _, rect, at, far in placed:                      # the leader lines under every label
            if far:
                end = (min(max(at[0], rect.left), rect.right), min(max(at[1], rect.top), rect.bottom))
                pygame.draw.line(surface, leader[1], at, end, 3)
                pygame.draw.line(surface, leader[0], at, end, 1)
        surface.fblits([(image, rect) for image, rect, _, _ in placed])
        self._wanted = []
        if _RECORD is not None:
            _RECORD.append(self)

    def _place(self, size, points, gap, must, above_first) -> tuple:
        """(rect, placed away from its point?, the point) of the first free spot, nearest first, beside
        any of ``points``; for a label that ``must`` show and finds none, the spot in the frame
        covering the least; else (None, False, None)."""
        best, best_cover = None, None
        for extra in FARTHER if must else FARTHER[:OPTIONAL_REACH]:
            for at in points:
                for spot in _spots(at[0], at[1], gap + extra, above_first):
                    rect = pygame.Rect((0, 0), size)
                    for key, value in spot.items():
                        setattr(rect, key, (int(round(value[0])), int(round(value[1]))))
                    if not self.frame.contains(rect):
                        continue
                    hits = rect.collidelistall(self.taken)
                    if not hits:
                        return rect, extra > 0, at
                    if must:
                        cover = sum(rect.clip(self.taken[i]).width * rect.clip(self.taken[i]).height for i in hits)
                        if best_cover is None or cover < best_cover:
                            best, best_cover = (rect, extra > 0, at), cover
        if best is None and must:
            at = points[0]
            rect = pygame.Rect((0, 0), size)
            rect.midleft = (int(at[0] + gap), int(at[1]))
            best = (rect.clamp(self.frame), True, at)
        return best if must else (None, False, None)
