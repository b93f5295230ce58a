"""The classroom's screen: where everything goes, and the frame drawn from the classroom's state.

    +------------------------------+-----------------+
    | map (high-contrast palette)  | the update rule |
    |   units, arrows, ghost       | with live       |
    +-----------+------------------+ numbers         |
    | line-up   | loss chart       |                 |
    +-----------+------------------+-----------------+

``layout`` sets the classroom's rectangles for a window size; ``draw`` reads the classroom (it
changes nothing but the camera's viewport in ``layout``).
"""
from __future__ import annotations

import numpy as np
import pygame

from game.view.explain import MOMENTUM_SYMBOL
from game.view.help import draw_help
from game.view.nn_view import draw_decision_inset, place_inset
from game.view.world_view import draw_world, hidden_units, unit_pixels
from sim.world import DIVERGED

from .charts import draw_card, draw_loss_chart, draw_notice, draw_squad_legend, notice_box
from .keys import CLASSROOM_HELP
from .look import ARROW_COLOURS, BG, EDGE, RACE_COLOURS, draw_tag, px, squad_colour, tag_box
from .marks import draw_arrows, draw_ghost, draw_target, draw_units
from .panel import draw_panel

PALETTE = "high-contrast"
NOTICE_SECONDS = 5.0          # an announcement stays this long [s]
INSET_SCALE = 0.75            # the decision-boundary inset's size relative to the presenter scale
INSET_CORNERS = ("bottomleft", "topleft", "bottomright")   # where it may go (top-right has the help tag)
INSET_TITLE = 13              # the inset's title type: the panel's small type [px at presenter scale 1]
SWEEP_TYPE = 13               # the sweep map's body text at least this size [px at presenter scale 1]


def presenter_scale(size, factor: float = 1.0) -> float:
    """Type and line scale: about 1.9 at 1920x1080, times the presenter's ``factor``."""
    w, h = size
    return 1.25 * min(w / 1280, h / 720) * factor


def layout(c, size, scale):
    """The rule panel on the right; the map on the left, the squads and the loss chart under it."""
    c.size = size
    s = c.scale = presenter_scale(size, c.factor)
    w, h = size
    panel_w = int(min(w * 0.42, max(w * 0.3, 400 * s)))
    strip_h = int(min(h * 0.3, 170 * s))
    left = w - panel_w
    legend_w = int(min(left * 0.45, 270 * s))
    c.panel_rect = pygame.Rect(left, 0, panel_w, h)
    c.map_rect = pygame.Rect(0, 0, left, h - strip_h)
    c.legend_rect = pygame.Rect(0, h - strip_h, legend_w, strip_h)
    c.chart_rect = pygame.Rect(legend_w, h - strip_h, left - legend_w, strip_h)
    c.eyes.set_viewport(c.map_rect)


def draw(c, surface):
    """The whole classroom screen, back to front: map, ghost, units, arrows, inset, tags; chart and
    line-up; the rule panel; then whatever overlay is open (sweep map, briefing card, help)."""
    s = c.scale
    surface.fill(BG)
    help_tag = (c.map_rect.right - px(12, s), c.map_rect.y + px(12, s))
    xy = unit_pixels(c.world, c.camera)
    r = px(7, s) + max(2, px(1.6, s))                  # the big discs drawn over the world (marks.draw_units)
    discs = [pygame.Rect(x - r, y - r, 2 * r, 2 * r) for x, y in np.rint(xy).astype(int).tolist()
             if c.map_rect.collidepoint(x, y)]
    banner = c.banner()
    top = tag_box(help_tag, "F1  help", s) if banner is None else notice_box(c.map_rect, banner[0], s)
    inset = network_inset(c, top) if c.network is not None and not c.show_sweep else None
    draw_world(surface, c.world, c.camera, c.art, c.fog, time_s=c.app.time_s, palette=PALETTE,
               squad_names=c.result_labels(), squad_colours=RACE_COLOURS,
               keep_clear=[top, *discs, *([inset[0]] if inset else [])])      # labels and banners clear of these
    old = surface.get_clip()
    surface.set_clip(c.map_rect)
    e = c.explanation()
    if c.show_ghost:
        draw_ghost(surface, c.camera, c.ghost(), squad_colour(c.squad),
                        int(np.searchsorted(np.flatnonzero(c.world.squad == c.squad), c.unit)), s)
    draw_units(surface, c.world, xy, s, c.unit,
               hidden_units(c.world, c.camera, c.art, PALETTE))
    draw_unit_arrows(c, surface, e)
    if inset is not None:
        draw_network(c, surface, *inset)
    if banner is None:
        draw_tag(surface, help_tag, "F1  help", s)
    else:
        draw_notice(surface, c.map_rect, *banner, s, NOTICE_SECONDS)
    surface.set_clip(old)
    draw_loss_chart(surface, c.chart_rect, np.array(c.losses),
                         [squad_colour(k) for k in range(c.world.n_squads)], c.level.budget,
                         c.log_scale, s, highlight=c.squad)
    draw_squad_legend(surface, c.legend_rect, c.legend_rows(), s)
    draw_rule_panel(c, surface, e)
    if c.show_sweep:
        draw_sweep_overlay(c, surface)
    if c.show_card:
        left = c.map_rect.union(c.chart_rect).union(c.legend_rect)
        draw_card(surface, left, c.level, c.legend_rows(), s,
                       c.autoplay.progress if c.autoplay else None)
    if c.show_help:
        draw_help(surface, surface.get_rect(), s * 0.85, CLASSROOM_HELP)


def draw_unit_arrows(c, surface, e):
    """The rule's arrows at the selected unit, and the ring where it will be once the step is taken;
    none for a unit flung off the map or one that diverged (its ball shows on the table's edge, far
    from where the world keeps it)."""
    (x0, x1), (y0, y1) = c.level.bounds
    if not (x0 <= e.x[0] <= x1 and y0 <= e.x[1] <= y1) or c.world.status[c.unit] == DIVERGED:
        return
    draw_arrows(surface, c.camera, e.x, c.arrows(e), c.scale)
    if e.moves and (c.cursor is None or c.cursor == len(e.substeps)):
        draw_target(surface, c.camera, e.new_x, c.scale)


def network_inset(c, top) -> tuple:
    """(rect, scale) of the decision-boundary inset: in the corner of the map farthest from the spawn
    among those clear of ``top`` (the banner or the help tag) [px]. Its title is set in two lines no
    smaller than the panel's small type (INSET_TITLE at the presenter scale)."""
    pad = px(12, c.scale)
    room = c.map_rect.inflate(-2 * pad, -2 * pad)
    spawn = np.asarray(c.camera.pos2pix(c.level.spawn_center), float)
    placed = [place_inset(c.network, room, c.scale * INSET_SCALE, corner, px(INSET_TITLE, c.scale))
              for corner in INSET_CORNERS]
    clear = [p for p in placed if not p[0].colliderect(top)] or placed
    return max(clear, key=lambda p: np.hypot(*(np.asarray(p[0].center) - spawn)))


def draw_network(c, surface, rect, scale):
    """The selected unit's decision boundary in the inset ``rect`` (``network_inset``)."""
    members = np.flatnonzero(c.world.squad == c.squad)
    draw_decision_inset(surface, rect, c.network, c.world.positions[c.unit], squad_colour(c.squad),
                        f"unit {np.searchsorted(members, c.unit) + 1}", scale, px(INSET_TITLE, c.scale))


def draw_sweep_overlay(c, surface):
    """The sweep map of the selected squad's optimizer over the middle of the window (W)."""
    from game.view.sweep_axes import BACKGROUND as SWEEP_BACKGROUND
    from game.view.sweep_map import draw_sweep
    box, gap = c.sweep_rect(), px(8, c.scale)
    tag = tag_box((box.right - gap, box.bottom - gap), "W or Esc closes", c.scale, "bottomright")
    pygame.draw.rect(surface, SWEEP_BACKGROUND, box)
    sweep = pygame.Rect(box.x, box.y, box.width, tag.y - gap - box.y)      # the tag on a strip of its own
    draw_sweep(surface, sweep, c.sweep_result(), c.level, c.world.orders[c.squad].optimizer,
               min_size=px(SWEEP_TYPE, c.scale))
    pygame.draw.rect(surface, EDGE, box.inflate(4, 4), 2)
    draw_tag(surface, tag.bottomright, "W or Esc closes", c.scale, "bottomright")


def draw_rule_panel(c, surface, e):
    """The right-hand panel: the selected unit's rule with its numbers, under a header of who and when."""
    squad = c.squad
    members = np.flatnonzero(c.world.squad == squad)
    who = f"squad {squad + 1}  \u00b7  unit {np.searchsorted(members, c.unit) + 1} of {len(members)}  " \
          f"\u00b7  {e.status}"
    header = (squad_colour(squad), c.squad_label(squad), who,
              f"step {c.world.step_count} / {c.level.budget}", *c.clock_state(e))
    drawn = {kind for kind, _, _ in c.arrows(e)}
    kinds = [k for k in ARROW_COLOURS if k in drawn or k != "carry"]
    velocity = c.world.orders[squad].optimizer in MOMENTUM_SYMBOL        # SGD, AdaGrad: no velocity
    draw_panel(surface, c.panel_rect, e, c.cursor, header, kinds, c.show_ghost, c.scale, velocity)
