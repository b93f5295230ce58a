"""The classroom's update-rule panel: the selected unit's next step written out with its live
numbers, one sub-step per row, the whole panel at one type scale that fits (and never shrinks
when the presenter's scale grows); its header (squad, unit, step, clock) and the key of
the arrows drawn on the map.

Every function draws what it is handed and changes nothing else.
"""
from __future__ import annotations

import pygame

from game.view.widgets import text, text_width

from .look import ARROW_COLOURS, ARROW_LEGEND, BG, DIM, EDGE, FAINT, GREEN, INK, LINE, OUTLINE, STEP_LEGEND, YELLOW, px
from .marks import draw_arrow

class Row:
    """One line of the panel: text at a size [px at scale 1], with an optional sub-step ``badge``
    number, a highlight ``bar`` (the current sub-step) or an ``arrow`` sample (the legend)."""

    def __init__(self, s: str, size: float, colour=INK, bold=False, indent=0.0, gap=0.0, badge=None, bar=False,
                 arrow=None):
        self.s, self.size, self.colour, self.bold, self.indent = s, size, colour, bold, indent
        self.gap, self.badge, self.bar, self.arrow = gap, badge, bar, arrow


def rule_rows(e, cursor, detail: int = 0) -> list:
    """The explanation as rows: what is given, then each sub-step, then notes.

    With ``cursor`` k, the sub-steps after the k-th show only their title. ``detail`` trims long
    rules to fit: 0 shows every sub-step whole (title, rule, numbers, result); 1 keeps the numbers
    only for the sub-step in focus (the cursor's, else the move); 2 also keeps only its title.
    """
    rows = [Row(f"{name} = {value}", 17, INK if name != "∇f(x)" else ARROW_COLOURS["gradient"], bold=True,
                gap=6 if k == 0 else 0) for k, (name, value) in enumerate(e.given[:2])]
    rows.append(Row("     ".join(f"{name} = {value}" for name, value in e.given[2:]), 17, YELLOW, bold=True))
    focus = cursor if cursor is not None else len(e.substeps)
    for k, sub in enumerate(e.substeps, start=1):
        shown, current = cursor is None or k <= cursor, cursor == k
        titled = detail < 2 or k == focus or not shown
        if titled:
            rows.append(Row(sub.what, 14, DIM if shown else FAINT, gap=10, badge=k, bar=current))
        if not shown:
            continue
        rows.append(Row(sub.rule, 19, INK, bold=True, indent=1 if titled else 0, bar=current,
                        gap=0 if titled else 10, badge=None if titled else k))
        if detail == 0 or k == focus:
            rows.append(Row(sub.numbers, 17, INK, indent=1.6, bar=current))
        rows.append(_result_row(e, sub, k, current))
    for note in e.notes:
        rows.append(Row(note, 13, DIM, gap=10))
    return rows


def _result_row(e, sub, k: int, current: bool) -> Row:
    result = f"= {sub.result}" if not sub.result.startswith("m̂") else sub.result
    if k < len(e.substeps):
        return Row(result, 17, YELLOW, bold=True, indent=1.6, bar=current)
    if not e.moves:
        return Row(f"{result}   (not taken: {e.status})", 17, FAINT, bold=True, indent=1.6, bar=current)
    return Row(result, 17, GREEN, bold=True, indent=1.6, bar=current)


ROUNDING_NOTE = "4 figures shown; each result is worked from the unrounded values"


def legend_rows(kinds, velocity: bool = True) -> list:
    """The arrows' legend; ``velocity`` False for a rule without momentum, whose Δx is just the step."""
    words = {**ARROW_LEGEND, **({} if velocity else {"step": STEP_LEGEND})}
    return [Row(words[k], 14, INK, gap=4 if i else 12, arrow=k) for i, k in enumerate(kinds)]


def _lead(r: Row) -> float:
    """What comes before a row's text: indent, badge, arrow sample [px at the row's own scale 1]."""
    return r.indent * 26 + (34 if r.badge is not None else 0) + (38 if r.arrow else 0)


def row_scale(r: Row, f: float, width: int) -> float:
    """The scale a row is set at: the panel's ``f``, or less if the row (its lead and text, which
    grow together) would be wider than ``width`` [px]. The cap does not depend on ``f``: widths
    measured at MEASURE scale with the size, and where the type set at the cap is still a little
    wider (small type is hinted wider), the cap is the largest whole type size that fits."""
    cap = width / (_lead(r) + text_width(r.s, MEASURE, r.bold) * r.size / MEASURE)
    size = px(r.size, cap)
    while size > 6 and px(_lead(r), size / r.size) + text_width(r.s, size, r.bold) > width:
        size -= 1
    return min(f, cap if size == px(r.size, cap) else size / r.size)


HEADER = 76                     # the panel header's height [px at scale 1]
PADDING = (20, 16)              # the panel's inner padding (x, y) [px at scale 1] ...
PAD_SHARE = 0.035               # ... but the side padding is this share of the panel's width
MEASURE = 40                    # type size [px] at which row widths are measured (widths scale with size)


def panel_factor(rect, rows, legend, s: float) -> float:
    """The type scale at which the whole panel -- header, ``rows`` of the rule, ``legend`` rows,
    padding -- fits the height of ``rect``: ``s``, or less when it would not fit. The bound is
    worked out at scale 1 and does not depend on ``s``, so a larger ``s`` never gives a smaller
    factor (Ctrl + never makes the panel's text smaller: once the panel is full, it stops growing).
    Rows too wide for the panel are set smaller on their own (``row_scale``)."""
    rect = pygame.Rect(rect)
    tall = HEADER + 2 * PADDING[1] + 8 + sum(r.size * LINE + r.gap for r in rows + legend)
    by_height = rect.height / tall
    return min(s, by_height)


def inner_width(rect) -> int:
    """The panel's width less its side padding, a share of its width (so it does not grow with the type)."""
    return pygame.Rect(rect).width - 2 * round(pygame.Rect(rect).width * PAD_SHARE)


def rule_layout(rect, e, cursor, legend, s: float, least: float = 0.8) -> tuple:
    """(rows, factor): the most detailed layout of explanation ``e`` whose panel fits ``rect`` at
    ``least`` of the scale ``s`` (else the tightest, at no less than half of it). Lines too wide for
    the panel at scale ``s`` break before a + or −."""
    width = inner_width(rect)
    for detail in (0, 1, 2):
        rows = [part for r in rule_rows(e, cursor, detail) for part in _split_wide(r, width, s)]
        f = panel_factor(rect, rows, legend, s)
        if f >= least * s:
            break
    return rows, max(f, 0.5 * s)


def _split_wide(r: Row, width: int, s: float) -> list:
    """A row of numbers wider than ``width`` as two rows, broken at the + or − (outside brackets)
    nearest its middle; any other row as it is."""
    lead = px(r.indent * 26 + (34 if r.badge is not None else 0), s)
    if not r.s.startswith("= ") or lead + text_width(r.s, px(r.size, s), r.bold) <= width:
        return [r]
    depth, cuts = 0, []
    for i, ch in enumerate(r.s):
        depth += (ch == "(") - (ch == ")")
        if depth == 0 and ch in "+−" and r.s[i - 1:i] == " " and i > 2:
            cuts.append(i)
    if not cuts:
        return [r]
    cut = min(cuts, key=lambda i: abs(i - len(r.s) / 2))
    head = Row(r.s[:cut].rstrip(), r.size, r.colour, r.bold, r.indent, r.gap, r.badge, r.bar)
    tail = Row(r.s[cut:], r.size, r.colour, r.bold, r.indent + 0.6, 0, None, r.bar)
    return [head, tail]


def draw_rows(surface, rect, rows, f: float) -> int:
    """Draw ``rows`` top-down inside ``rect`` at scale ``f`` (a row too wide at ``f`` smaller:
    ``row_scale``); returns the y below the last row."""
    rect = pygame.Rect(rect)
    y = rect.y
    for r in rows:
        y += px(r.gap, f)
        g, line = row_scale(r, f, rect.width), px(r.size * LINE, f)
        x = rect.x + px(r.indent * 26, g)
        if r.bar:
            pygame.draw.rect(surface, YELLOW, (rect.x - px(12, f), y, max(3, px(5, f)), line))
        if r.badge is not None:
            c = (x + px(12, g), y + line // 2)
            pygame.draw.circle(surface, YELLOW if r.colour != FAINT else FAINT, c, px(11, g))
            text(surface, str(r.badge), c, px(13, g), BG, bold=True, anchor="center")
            x += px(34, g)
        if r.arrow is not None:
            mid = y + line // 2
            draw_arrow(surface, (x, mid), (x + px(28, g), mid), ARROW_COLOURS[r.arrow], max(3, px(3.5, g)))
            x += px(38, g)
        text(surface, r.s, (x, y + line // 2), px(r.size, g), r.colour, bold=r.bold, anchor="midleft")
        y += line
    return y


def draw_panel_header(surface, rect, colour, title: str, who: str, step: str, state: str, state_colour, s):
    """Optimizer name in the squad's colour, which unit, the step and what the clock is doing."""
    x, y = rect.x, rect.y
    pygame.draw.circle(surface, OUTLINE, (x + px(11, s), y + px(17, s)), px(11, s) + 2)
    pygame.draw.circle(surface, colour, (x + px(11, s), y + px(17, s)), px(11, s))
    text(surface, title, (x + px(30, s), y), px(26, s), colour, bold=True)
    text(surface, step, (rect.right, y + px(2, s)), px(16, s), INK, bold=True, anchor="topright")
    text(surface, state, (rect.right, y + px(24, s)), px(14, s), state_colour, bold=True, anchor="topright")
    text(surface, who, (x, y + px(40, s)), px(14, s), DIM)
    y += px(66, s)
    pygame.draw.line(surface, EDGE, (rect.x, y), (rect.right, y), 1)
    return y + px(10, s)


def draw_panel(surface, rect, e, cursor, header: tuple, arrow_kinds, ghost: bool, s: float, velocity: bool = True):
    """The right-hand panel: the header (colour, title, who, step, state, state colour), the update
    rule of explanation ``e`` (``cursor``: sub-steps shown), the legend of the arrows on the map
    (and of the ghost; ``velocity`` False: the rule has none), and the keys that walk through a step;
    all at one type scale (``rule_layout``)."""
    rect = pygame.Rect(rect)
    pygame.draw.rect(surface, BG, rect)
    pygame.draw.line(surface, EDGE, rect.topleft, rect.bottomleft, 2)
    legend = legend_rows(arrow_kinds, velocity)
    if ghost:
        legend.append(Row("•••   ghost: the next 20 steps  (G)", 14, DIM, gap=4))
    legend.append(Row(ROUNDING_NOTE, 12, DIM, gap=8))
    legend.append(Row(",  sub-step    .  step    Space  run    F1  help", 14, DIM, gap=6))
    rows, f = rule_layout(rect, e, cursor, legend, s)
    inner = rect.inflate(inner_width(rect) - rect.width, -2 * px(PADDING[1], f))
    y = draw_panel_header(surface, inner, *header, f)
    bottom_h = sum(px(r.size * LINE + r.gap, f) for r in legend)
    draw_rows(surface, pygame.Rect(inner.x, y, inner.width, inner.bottom - y - bottom_h - px(8, f)), rows, f)
    y = inner.bottom - bottom_h
    pygame.draw.line(surface, EDGE, (inner.x, y - px(4, f)), (inner.right, y - px(4, f)), 1)
    draw_rows(surface, pygame.Rect(inner.x, y, inner.width, bottom_h), legend, f)
