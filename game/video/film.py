"""What a recorded video looks like: the game's map view, a caption strip above it, a legend of the
squads beside or below it, a title card before the descent and a closing picture after it.

    film = Film(level, size=(1280, 720))
    film.title_card(surface, world, race=True, summary="12 units ...")   # title, lesson, orders
    film.descent(surface, world, time_s)                                # a frame of the descent
    film.ending(surface, world, time_s)                                 # minima revealed, outcome

The map is drawn by the game's own renderer (``render.draw_map``); the strips around it by this
module. The legend goes where it leaves the map largest: beside a square map in a wide frame,
below a wide map. Sizes scale with the frame height (1.0 at 720 px), but text never gets smaller
than MIN_TEXT px, so a 640x360 GIF stays readable.
"""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import pygame

from sim.world import DESCENDING

from game.view import marks, sprites
from game.view.camera import Camera
from game.view.chart import draw_sparkline
from game.view.palette import WAR_ROOM
from game.view.relief_camera import ReliefCamera
from game.view.relief_draw import draw_relief
from game.view.relief_view import ReliefView
from game.view.render import SQUAD_COLOURS, Fog, MapArt, draw_map
from game.view.widgets import (ACCENT, MUTED, PANEL, PANEL_EDGE, SHADE, STATUS_COLOURS, TEXT, backdrop, ellipsize, text,
                      text_width, wrap)

from .words import OFF_MAP, legend_counts, orders_text, outcome_text, squad_label

REFERENCE_HEIGHT = 720     # sizes below are in px at this frame height, scaled to the frame
MIN_TEXT = 11              # smallest text [px]
CAPTION_HEIGHT = 40        # the caption strip above the map
LEGEND_TEXT = 17           # a squad's name and orders in the legend ...
LEGEND_SMALL = 14          # ... and its units by status
TICK_ROOM = 22             # px around the map for its coordinates (drawn by the renderer at a fixed size)
SIDE_SHARE = 0.2           # a legend beside the map takes this share of the frame's width ...
SIDE_MIN = 130             # ... but at least this many px
CHART_MIN = 70             # px: a chart of the heights needs at least this much height
TITLE_DIM = 170            # the title card darkens the picture behind it by this alpha
COUNT_ORDER = ("arrived", "descending", OFF_MAP, "trapped", "diverged")
COUNT_COLOURS = {**STATUS_COLOURS, OFF_MAP: STATUS_COLOURS["descending"]}
BACKGROUND = WAR_ROOM.background   # around the map
RELIEF_YAW = 0.0           # the sand table's heading at the start of a film [deg] (the orbit turns it on)


def squads_present(world) -> list:
    """The squads that have units, in order."""
    return [s for s in range(world.n_squads) if (world.squad == s).any()]


class Film:
    """The look of one recording: frame size, layout, the level's map art and camera, the fog."""

    def __init__(self, level, size, fog: bool = False, steps: int | None = None, title: str | None = None,
                 view: str = "relief", orbit: float = 0.0):
        self.level, self.size = level, tuple(size)
        self.view, self.orbit = view, float(orbit)         # the sand table or the map; its turn [deg] over the film
        self.steps = steps or level.budget                  # the progress bar's full length
        self.title = title or level.title
        w, h = self.size
        self.scale = h / REFERENCE_HEIGHT
        self.line, self.small = self.text_px(LEGEND_TEXT), self.text_px(LEGEND_SMALL)
        self.block = round(1.35 * (2 * self.line + 2 * self.small)) + self.px(10, 4)   # a squad, beside the map
        self.caption = pygame.Rect(0, 0, w, max(22, self.px(CAPTION_HEIGHT)))
        self.legend, self.map_rect, self.beside = self._layout()
        self.camera = Camera(level.bounds, self.map_rect)
        room = Camera(level.bounds, self.map_rect.inflate(-2 * TICK_ROOM, -2 * TICK_ROOM)).zoom
        if room < self.camera.zoom:                         # keep the map's coordinates in the frame
            self.camera.zoom_at(self.camera.viewport.center, room / self.camera.zoom)
        self._centre_map()
        resolution = int(np.clip(math.ceil(self.camera.zoom * level.size), 256, 4096))
        self.art = MapArt(level, resolution=resolution)     # drawn at the size it is shown
        if view == "relief":
            self.camera = ReliefCamera(self.art.ground, self.map_rect, yaw=RELIEF_YAW)
            self.relief = ReliefView(self.art.ground, margin=0.0)
            self._frame_table()
        self.fog = Fog(level) if fog else None
        self._caption_base = None                           # the caption without the step count
        self._legend_key, self._legend_img = None, None

    def _layout(self) -> tuple:
        """(legend, map, beside): the legend beside the map or below it, whichever shows the map larger."""
        w, h = self.size
        top = self.caption.bottom
        below_h = round(1.35 * (self.line + self.small)) + 2 * self.px(8, 3)
        side_w = max(SIDE_MIN, round(SIDE_SHARE * w))
        below = (pygame.Rect(0, h - below_h, w, below_h), pygame.Rect(0, top, w, h - below_h - top), False)
        beside = (pygame.Rect(w - side_w, top, side_w, h - top), pygame.Rect(0, top, w - side_w, h - top), True)
        zoom = [Camera(self.level.bounds, layout[1]).zoom for layout in (below, beside)]
        return beside if zoom[1] > zoom[0] else below

    def _centre_map(self):
        """Centre the map in its area, room for its coordinates kept on the left (the labels and
        banners stay inside the map: game.view.labels)."""
        area, drawn = self.map_rect, self.camera.map_rect()
        spare = area.width - drawn.width - TICK_ROOM
        self.camera.pan_px(area.x + TICK_ROOM + max(0, spare // 2) - drawn.x, 0)

    def _frame_table(self):
        """One zoom for the whole film, at which the table fits at every heading of its orbit, and
        the point the table's middle stays on: the map area's centre."""
        cam = self.camera
        headings = RELIEF_YAW + np.linspace(0.0, self.orbit, max(2, int(abs(self.orbit) / 2) + 1))   # every 2 deg
        zooms = []
        for yaw in headings:
            cam.set_pose(yaw)
            cam.fit()
            zooms.append(cam.zoom)
        self._table_zoom = min(zooms)
        self._table_at = self.map_rect.center
        self._place_table(RELIEF_YAW, self._table_at)

    def _place_table(self, yaw: float, at):
        """The camera at heading ``yaw`` [deg], the film's zoom, the table's middle on ``at`` [px]."""
        cam = self.camera
        cam.set_pose(yaw)
        cam.fitted = False
        cam.zoom = self._table_zoom
        cam.center = np.array([sum(self.level.bounds[0]) / 2, sum(self.level.bounds[1]) / 2])
        box = cam.map_rect()
        cam.pan_px(at[0] - box.centerx, at[1] - box.centery)

    def turn_to(self, fraction: float):
        """The sand table's heading ``fraction`` (0 .. 1) of the way through the film's orbit."""
        if self.view == "relief" and self.orbit:
            self._place_table(RELIEF_YAW + self.orbit * fraction, self._table_at)

    def _draw(self, surface, world, **options):
        """The world as the game draws it: the sand table or the map, its labels set larger with a
        frame above 720 p (never smaller)."""
        options.setdefault("label_scale", max(1.0, self.scale))
        if self.view == "relief":
            draw_relief(surface, world, self.camera, self.relief, self.fog, **options)
        else:
            draw_map(surface, world, self.camera, self.art, self.fog, **options)

    def px(self, v: float, low: int = 1) -> int:
        """A size given at 720p [px], at this frame's scale."""
        return max(low, round(v * self.scale))

    def text_px(self, v: float) -> int:
        return max(MIN_TEXT, round(v * self.scale))

    # -- the three kinds of frame -------------------------------------------------------------------
    def descent(self, surface, world, time_s: float = 0.0, race: bool = False, best=None, show_minima=False,
                keep_clear=()):
        """The map as the game draws it, the caption above and the squads' legend. ``best``: the
        height of each squad's lowest unit at every step, (squads, steps + 1) with NaN for steps to
        come, charted under the legend when it stands beside the map. ``keep_clear``: rectangles
        [px] that will be drawn over the map, which its labels avoid."""
        names = [squad_label(world, s, race) for s in range(world.n_squads)]    # the banner names as the legend
        self._draw(surface, world, show_minima=show_minima, time_s=time_s, squad_names=names, keep_clear=keep_clear)
        self._caption(surface, world)
        self._legend(surface, world, race)
        if best is not None and self.beside:
            self._chart(surface, world, best)

    def ending(self, surface, world, time_s: float = 0.0, race: bool = False, best=None):
        """The last step with every minimum revealed and a banner with the outcome (wrapped to two
        lines, then set smaller, if one line does not fit the map's width)."""
        line, colour = outcome_text(world, race)
        room = self.map_rect.width - 2 * self.px(24, 8)
        size = self.text_px(18)
        lines = wrap(line, size, room, bold=True)
        while len(lines) > 2 and size > MIN_TEXT:
            size -= 1
            lines = wrap(line, size, room, bold=True)
        step = round(size * 1.3)
        width = max(text_width(words, size, bold=True) for words in lines)
        box = pygame.Rect(0, 0, width + 2 * self.px(14, 6), step * len(lines) + round(size * 0.6))
        box.midbottom = (self.camera.map_rect().centerx, self.map_rect.bottom - self.px(10, 3))
        box.clamp_ip(self.map_rect.inflate(-2 * self.px(8, 4), 0))
        self.descent(surface, world, time_s, race, best, show_minima=True, keep_clear=[box])
        backdrop(surface, box, alpha=225, edge=colour)
        for k, words in enumerate(lines):
            text(surface, words, (box.centerx, box.y + round(size * 0.3) + k * step), size, colour, bold=True,
                 anchor="midtop")

    def title_card(self, surface, world, race: bool = False, summary: str = ""):
        """The map at the start, dimmed, and over it: the title, the lesson, every squad's orders."""
        surface.fill(BACKGROUND)
        self._draw(surface, world)
        dim(surface)
        w, h = self.size
        big, body, small = self.text_px(40), self.text_px(19), self.text_px(15)
        lesson = balanced_wrap(self.level.lesson or self.level.briefing, body, min(w - 2 * self.px(24, 8),
                                                                                   self.px(860)))[:3]
        squads = squads_present(world)
        rows = [("kicker", small * 1.5), ("title", big * 1.35)] + [("lesson", body * 1.4)] * len(lesson)
        rows += [("gap", body * 0.7)] + [("squad", body * 1.5)] * len(squads) + [("summary", small * 1.9)]
        rows = [(kind, round(dy)) for kind, dy in rows]                # (what, its height [px]), top to bottom
        y, cx = (h - sum(dy for _, dy in rows)) // 2, w // 2
        lines, squad_rows = iter(lesson), iter(squads)
        for kind, dy in rows:
            if kind == "kicker":
                kicker = f"VALLEY COMMAND  \u00b7  {self.level.id.upper()}"
                text(surface, kicker, (cx, y), small, ACCENT, bold=True, anchor="midtop")
            elif kind == "title":
                title = ellipsize(self.title, big, w - 16, bold=True)
                text(surface, title, (cx, y), big, TEXT, bold=True, anchor="midtop")
            elif kind == "lesson":
                text(surface, next(lines), (cx, y), body, MUTED, anchor="midtop")
            elif kind == "squad":
                self._squad_line(surface, world, next(squad_rows), (cx, y + dy // 2), body, race)
            elif kind == "summary":
                text(surface, summary, (cx, y + round(small * 0.6)), small, MUTED, anchor="midtop")
            y += dy

    def palette_sample(self) -> pygame.Surface:
        """A picture holding the colours the frames are made of -- the map, and the map dimmed as on
        the title card -- with one pixel of each squad, status and text colour (for a GIF's palette)."""
        w, h = self.map_rect.size
        sample = pygame.Surface((w, 2 * h + 1))
        if self.view == "relief":
            self.relief.update(self.camera)
            img, rect = self.relief.picture(self.camera)
            at = rect.topleft
        else:
            img, at = self.art.view(self.camera)
        for y in (0, h):
            sample.blit(img, (at[0] - self.map_rect.x, y + at[1] - self.map_rect.y))
        dim(sample.subsurface((0, h, w, h)))
        keys = [*SQUAD_COLOURS, *STATUS_COLOURS.values(), marks.GOLD, TEXT, MUTED, ACCENT, PANEL, PANEL_EDGE]
        for x, colour in enumerate(keys[:w]):
            sample.set_at((x, 2 * h), colour)
        return sample

    # -- pieces ---------------------------------------------------------------------------------------
    def _squad_line(self, surface, world, squad, centre, size, race):
        """A unit disc, the squad's name and its orders, centred on ``centre``."""
        name, orders = squad_label(world, squad, race), orders_text(world.orders[squad])
        disc, gap = unit_disc(squad, self.scale), self.px(10, 4)
        width = disc.get_width() + gap + text_width(name, size, bold=True) + gap + text_width(orders, size)
        x = centre[0] - width // 2
        surface.blit(disc, disc.get_rect(midleft=(x, centre[1])))
        x = text(surface, name, (x + disc.get_width() + gap, centre[1]), size, SQUAD_COLOURS[squad], bold=True,
                 anchor="midleft").right
        text(surface, orders, (x + gap, centre[1]), size, TEXT, anchor="midleft")

    def _caption(self, surface, world):
        """Title and level on the left, the step count on the right, a progress bar along the bottom.
        The unchanging part is drawn once."""
        r, big, pad = self.caption, self.text_px(20), self.px(14, 6)
        if self._caption_base is None:
            self._caption_base = self._caption_picture(world)
        surface.blit(self._caption_base, r)
        text(surface, f"step {world.step_count} / {self.steps}", (r.right - pad, r.centery), big, TEXT,
             anchor="midright")
        done = int(r.width * min(1.0, world.step_count / max(1, self.steps)))
        pygame.draw.rect(surface, ACCENT, (r.x, r.bottom - self.px(3, 2), done, self.px(3, 2)))

    def _caption_picture(self, world) -> pygame.Surface:
        r = self.caption
        img = pygame.Surface(r.size)
        img.fill(PANEL)
        pygame.draw.line(img, PANEL_EDGE, (0, r.height - 1), (r.width, r.height - 1), 1)
        big, small, pad = self.text_px(20), self.text_px(15), self.px(14, 6)
        mid = r.height // 2
        right = r.width - pad - text_width(f"step {self.steps} / {self.steps}", big) - 2 * pad
        units = f"{world.n_units} units  \u00b7  seed {world.seed}"
        if text_width(units, small) + text_width(self.title, big, bold=True) + 3 * pad < right:
            right = text(img, units, (right, mid), small, MUTED, anchor="midright").x - 2 * pad
        title = ellipsize(self.title, big, right - pad, bold=True)
        end = text(img, title, (pad, mid), big, TEXT, bold=True, anchor="midleft").right
        if end + pad + text_width(self.level.id, small) < right:
            text(img, self.level.id, (end + pad, mid + 1), small, MUTED, anchor="midleft")
        return img

    def _chart(self, surface, world, best):
        """The height of each squad's lowest unit against the step, and the global minimum's height
        dashed (the HUD's sparkline)."""
        squads, r, pad = squads_present(world), self.legend, self.px(14, 6)
        top = r.y + pad + len(squads) * self.block + pad               # under the squads
        height = min(r.bottom - pad - top, self.px(200))
        if height < CHART_MIN:
            return
        series = [(best[s], SQUAD_COLOURS[s], self.px(2)) for s in squads]
        width = r.width - 2 * pad
        label = "lowest height" if text_width("lowest height  -0.000", self.small) + pad < width else "height"
        draw_sparkline(surface, (r.x + pad, top, width, height), series, floor=self.level.global_min_height,
                       size=self.small, label=label)

    def _legend(self, surface, world, race):
        """Each squad: disc, name, orders, and its units by status. Redrawn only when they change."""
        squads = squads_present(world)
        key = (race, [(s, world.orders[s].optimizer, orders_text(world.orders[s], world.lr_now(s)),
                       legend_counts(world, s)) for s in squads])
        if key != self._legend_key:
            self._legend_key, self._legend_img = key, self._legend_picture(world, squads, race)
        surface.blit(self._legend_img, self.legend)

    def _legend_picture(self, world, squads, race) -> pygame.Surface:
        """Beside the map, squads stacked (name / orders / counts); below it, side by side
        (name and orders / counts)."""
        r, pad = self.legend, self.px(14, 6)
        img = pygame.Surface(r.size)
        img.fill(PANEL)
        if self.beside:
            pygame.draw.line(img, PANEL_EDGE, (0, 0), (0, r.height), 1)
            cells = [pygame.Rect(pad, pad + k * self.block, r.width - 2 * pad, self.block) for k in range(len(squads))]
        else:
            pygame.draw.line(img, PANEL_EDGE, (0, 0), (r.width, 0), 1)
            col = (r.width - pad) // max(1, len(squads))
            cells = [pygame.Rect(pad + k * col, self.px(8, 3), col - pad, r.height) for k in range(len(squads))]
        for squad, cell in zip(squads, cells):
            self._legend_cell(img, world, squad, cell, race)
        return img

    def _legend_cell(self, img, world, squad, cell, race):
        disc = unit_disc(squad, self.scale)
        y = cell.y + round(0.65 * self.line)
        img.blit(disc, disc.get_rect(midleft=(cell.x - self.px(3, 2), y)))
        x = cell.x + disc.get_width() + self.px(4, 2)
        name = ellipsize(squad_label(world, squad, race), self.line, cell.right - x, bold=True)
        end = text(img, name, (x, y), self.line, SQUAD_COLOURS[squad], bold=True, anchor="midleft").right
        orders = orders_text(world.orders[squad], world.lr_now(squad))
        if self.beside:                                    # orders on a line of their own
            end, y = x - self.px(10, 4), y + round(1.35 * self.line)
        text(img, ellipsize(orders, self.line, cell.right - end - self.px(10, 4)), (end + self.px(10, 4), y),
             self.line, TEXT, anchor="midleft")
        y += round(0.65 * self.line + 0.7 * self.small) + 1
        self._counts(img, legend_counts(world, squad), (x, y), cell.right)

    def _counts(self, surface, counts: dict, at, right):
        """'3 arrived · 9 descending' in the status colours (see ``legend_counts``), zero counts left
        out; beside the map the line wraps once."""
        x, y = at
        parts = [(f"{counts[name]} {name}", COUNT_COLOURS[name]) for name in COUNT_ORDER if counts[name]]
        wraps = 1 if self.beside else 0
        for i, (words, colour) in enumerate(parts):
            gap = "  \u00b7  " if x > at[0] else ""
            if x + text_width(gap + words, self.small) > right:
                if not wraps:
                    break
                wraps, x, y, gap = wraps - 1, at[0], y + round(1.3 * self.small), ""
            x = text(surface, gap + words, (x, y), self.small, colour, anchor="midleft").right


def balanced_wrap(words: str, size: int, width: int) -> list[str]:
    """Lines no wider than ``width`` px, as even in length as the line count allows."""
    lines = wrap(words, size, width)
    if len(lines) > 1:
        even = wrap(words, size, int(text_width(words, size) / len(lines) * 1.08) + size)
        lines = even if len(even) == len(lines) else lines
    return lines


def dim(surface):
    """Darken a picture as the title card does."""
    shade = pygame.Surface(surface.get_size(), pygame.SRCALPHA)
    shade.fill((*SHADE, TITLE_DIM))
    surface.blit(shade, (0, 0))


@lru_cache(maxsize=64)
def unit_disc(squad: int, scale: float = 1.0) -> pygame.Surface:
    """A squad's unit sprite as on the map; enlarged with the frame above 720 p, never shrunk."""
    disc = sprites.unit_sprites().images[DESCENDING * len(SQUAD_COLOURS) + squad]
    if scale <= 1:
        return disc
    return pygame.transform.smoothscale(disc, [round(v * scale) for v in disc.get_size()])
