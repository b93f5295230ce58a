"""The sweep map's plane: learning rate (log scale) across, momentum up; the outcome colours of
its cells and the axes drawn along its edges. ``PlaneAxes`` converts a setting to a pixel.
"""
from __future__ import annotations

import math

import numpy as np
import pygame

from sim.sweep import uses_momentum
from sim.world import ARRIVED, DESCENDING, DIVERGED, TRAPPED

from .widgets import FAINT, MUTED, STATUS_COLOURS, TEXT, rendered, text, text_width

BACKGROUND = (10, 33, 41)                     # dark teal, the colour of the map's deep valleys
ARRIVED_FAST = (205, 255, 175)                # arrived on the first step ...
ARRIVED_SLOW = (38, 112, 70)                  # ... and on the last step of the budget
OUTCOME_COLOURS = {DESCENDING: (62, 112, 170),                 # the HUD's blue, dimmed: "not yet"
                   TRAPPED: STATUS_COLOURS["trapped"],
                   DIVERGED: (200, 74, 68)}                    # the HUD's red, a little deeper
OVERLAY = TEXT                                # allowed box, default marker, stability limit
OUTLINE = (6, 14, 18)                         # dark edge under every overlay line
MOMENTUM_TICKS = (0.0, 0.2, 0.4, 0.6, 0.8, 0.9, 0.99)
OPTIMIZER_LABELS = {"sgd": "plain SGD", "momentum": "heavy-ball momentum", "nesterov": "Nesterov momentum",
                    "adagrad": "AdaGrad", "rmsprop": "RMSprop", "adam": "Adam"}


class PlaneAxes:
    """Settings <-> pixels over a plot rect: x is linear in log10(eta), y linear in mu (up).

    The axes span the cells, each centred on the setting it ran: half a cell beyond the first
    and the last setting. Pixel coordinates are [px] on the surface the plot is drawn on.
    """

    def __init__(self, rect, lrs, momenta):
        self.rect = pygame.Rect(rect)
        self.lrs, self.momenta = np.asarray(lrs, float), np.asarray(momenta, float)
        self.log_lo, self.log_hi = _extent(np.log10(lrs), 0.5)
        self.mu_lo, self.mu_hi = _extent(np.asarray(momenta, float), 0.05)

    def x(self, lr):
        """Pixel column of learning rate(s) ``lr``."""
        share = (np.log10(lr) - self.log_lo) / (self.log_hi - self.log_lo)
        return self.rect.left + share * self.rect.width

    def y(self, mu):
        """Pixel row of momentum(s) ``mu``."""
        share = (np.asarray(mu, float) - self.mu_lo) / (self.mu_hi - self.mu_lo)
        return self.rect.bottom - share * self.rect.height

    def lr_span(self) -> tuple:
        """The learning rates at the left and right edges."""
        return 10.0 ** self.log_lo, 10.0 ** self.log_hi


def _extent(values: np.ndarray, lone: float) -> tuple:
    """The span of cells centred on evenly spaced ``values``: half a spacing beyond each end
    (``lone`` either side of a single value)."""
    if len(values) == 1:
        return values[0] - lone, values[0] + lone
    half = (values[-1] - values[0]) / (len(values) - 1) / 2
    return values[0] - half, values[-1] + half


# -- colours --------------------------------------------------------------------------------------
def cell_colours(result, index: int = 0) -> np.ndarray:
    """(momenta, lrs, 3) uint8: each cell's outcome colour; arrived cells go from ARRIVED_FAST
    (1 step) to ARRIVED_SLOW (the whole budget) with the median steps their starts took."""
    outcome = result.outcome()[index]
    rgb = np.zeros(outcome.shape + (3,))
    for code, colour in OUTCOME_COLOURS.items():
        rgb[outcome == code] = colour
    arrived = outcome == ARRIVED
    slow = np.clip((result.median_arrival[index] - 1) / max(1, budget_of(result) - 1), 0.0, 1.0)
    rgb[arrived] = blend(ARRIVED_FAST, ARRIVED_SLOW, slow[arrived])
    return rgb.astype(np.uint8)


def blend(a, b, t) -> np.ndarray:
    """Colours from a (t = 0) to b (t = 1): (len(t), 3)."""
    t = np.asarray(t, float)[..., None]
    return (1 - t) * np.asarray(a, float) + t * np.asarray(b, float)


def budget_of(result) -> int:
    return result.budget or result.steps


# -- axes -----------------------------------------------------------------------------------------
def draw_axes(surface, axes: PlaneAxes, size: int, optimizer: str):
    """Frame, ticks (learning rate: every decade labelled, 2..9 x decade minor), axis labels."""
    plot, tick, tick_len = axes.rect, int(size * 0.85), max(4, size // 3)
    pygame.draw.rect(surface, MUTED, plot.inflate(2, 2), 1)
    lo, hi = axes.lr_span()
    for e in range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1):
        for m in range(1, 10):
            lr = m * 10.0 ** e
            if not lo <= lr <= hi:
                continue
            x, length = round(float(axes.x(lr))), tick_len if m == 1 else tick_len // 2
            colour = MUTED if m == 1 else FAINT
            pygame.draw.line(surface, colour, (x, plot.bottom + 1), (x, plot.bottom + length))
            if m == 1:
                text(surface, f"{lr:g}", (x, plot.bottom + tick_len + 2), tick, TEXT, anchor="midtop")
    below = plot.bottom + tick_len + int(tick * 1.3) + size // 3
    text(surface, "learning rate \u03b7 (log scale)", (plot.centerx, below), size, TEXT, anchor="midtop")
    if not uses_momentum(optimizer):
        return                                          # one band: no momentum axis to label
    for mu in MOMENTUM_TICKS:
        if axes.mu_lo <= mu <= axes.mu_hi:
            y = round(float(axes.y(mu)))
            pygame.draw.line(surface, MUTED, (plot.left - tick_len, y), (plot.left - 1, y))
            text(surface, f"{mu:g}", (plot.left - tick_len - 3, y), tick, TEXT, anchor="midright")
    label = pygame.transform.rotate(rendered(momentum_axis_label(optimizer), size), 90)
    left = plot.left - tick_len - 3 - text_width("0.99", tick) - size // 2
    surface.blit(label, label.get_rect(midright=(left, plot.centery)))


def momentum_symbol(optimizer: str) -> str:
    """beta1 for Adam, mu for every other rule."""
    return "\u03b2\u2081" if optimizer == "adam" else "\u03bc"


def momentum_axis_label(optimizer: str) -> str:
    """What the vertical axis means for this update rule."""
    return {"adam": "\u03b2\u2081 (Adam's momentum)", "rmsprop": "RMSprop momentum \u03bc",
            "sgd": "momentum \u03bc (plain SGD ignores it)",
            "adagrad": "momentum \u03bc (AdaGrad ignores it)"}.get(optimizer, "momentum \u03bc")
