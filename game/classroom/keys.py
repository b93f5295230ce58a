"""The presenter's keys and mouse in classroom mode: what each does (``CLASSROOM_HELP``, which the
help overlay lists) and the dispatch from a pygame event to the classroom's commands.

Letters are commands here (W is the sweep map, S the speed), so WASD does not pan; the arrows,
the wheel and a middle drag move the map, but the pointer resting at the window's edge does not
(in a talk it often rests there).
"""
from __future__ import annotations

import numpy as np
import pygame

from game.view.controls import CameraControls, ctrl_held
from game.view.names import next_speed
from game.view.world_view import unit_pixels

SPEEDS = (1, 2, 4, 8, 0.25, 0.5)     # S steps through these: faster, then from a quarter back up
SCALE_STEP = 1.12             # Ctrl + / Ctrl - change the presenter scale by this factor
LR_FACTOR = 1.5               # [ / ] divide / multiply the learning rate by this
MOMENTUM_STEP = 0.05          # Shift+[ / Shift+] change the momentum by this
PICK_PX = 22                  # a click picks the nearest unit within this distance [px at scale 1]

CLASSROOM_HELP = [
    ("Explain", [
        ("Click a unit", "show its update rule with live numbers"),
        ("Tab / 1 - 9", "same start in the next squad / in squad 1-9"),
        (",", "next sub-step of the rule (then the step itself)"),
        (".", "one whole step (pauses)"),
        ("Space", "run / pause"),
        ("+ / -", "faster / slower (\u00bc\u00d7 to 8\u00d7)"),
        ("S", "speed 1\u00d7 2\u00d7 4\u00d7 8\u00d7 \u00bc\u00d7 \u00bd\u00d7"),
        ("G", "ghost: the next 20 steps, dotted"),
        ("W", "sweep map of the squad's optimizer"),
    ]),
    ("Orders", [
        ("[ / ]", "learning rate \u03b7 \u00f7 / \u00d7 1.5"),
        ("Shift+[ / Shift+]", "momentum \u03bc (\u03b2\u2081) \u2212 / + 0.05"),
        ("O", "next optimizer for the squad"),
        ("C", "learning-rate schedule: constant, step, cosine"),
        ("R", "restart from the same starts"),
    ]),
    ("View", [
        ("Ctrl + / Ctrl -", "bigger / smaller text and lines"),
        ("L", "loss chart: linear / log scale"),
        ("Z", "zoom to the unit / whole map"),
        ("Arrows / wheel", "pan / zoom the map"),
        ("Home", "the whole map"),
        ("V", "sand table (relief) / map"),
        ("Q / E", "turn the table by 45\u00b0"),
        ("PgUp / PgDn", "look down more / less steeply"),
        ("F", "fog of war on / off"),
    ]),
    ("Lesson", [
        ("B", "the level's briefing card"),
        ("N", "next lesson (campaign level)"),
        ("A", "autoplay on / off"),
        ("F1 / H", "this help"),
        ("F11", "fullscreen"),
        ("Esc", "close what is open / quit (asks first)"),
    ]),
]


class PresenterControls(CameraControls):
    """Arrows pan, the wheel zooms and a middle drag pans -- but the pointer resting at the window's
    edge does not pan the map (in a talk it often rests there)."""

    def update(self, dt: float, window_size):
        mouse, self.mouse = self.mouse, None
        super().update(dt, window_size)
        self.mouse = mouse


def handle(c, event) -> bool:
    """Esc's question to quit, then the help; Esc closes an overlay, or asks before it quits; then
    the camera, the keys, clicks."""
    if c.confirm_quit and event.type in (pygame.KEYDOWN, pygame.MOUSEBUTTONDOWN):
        if event.type == pygame.KEYDOWN and event.key == pygame.K_ESCAPE:
            return False                          # Esc again: quit
        c.confirm_quit = False                    # any other key or a click: stay (and it does what it does)
    if event.type == pygame.KEYDOWN and (c.show_help or event.key == pygame.K_ESCAPE):
        return close_overlay(c, event.key)
    if c.show_help:
        return True
    if event.type == pygame.KEYDOWN and event.key in (pygame.K_w, pygame.K_a, pygame.K_s, pygame.K_d):
        return key_command(c, event)              # letters are commands here, not panning
    if c.controls.handle(event):
        return False
    if event.type == pygame.KEYDOWN:
        return key_command(c, event)
    if event.type == pygame.MOUSEBUTTONDOWN and event.button == 1 and c.map_rect.collidepoint(event.pos):
        click(c, event.pos)
    return False


def close_overlay(c, key) -> bool:
    """Esc, F1 or H with an overlay open: close it. Esc with none open asks first (``confirm_quit``;
    ``handle`` quits on a second Esc). True: the key was used."""
    if c.show_help:
        if key in (pygame.K_ESCAPE, pygame.K_F1, pygame.K_h):
            c.show_help = False
        return True
    for name in ("show_sweep", "show_card"):
        if getattr(c, name):
            setattr(c, name, False)
            return True
    c.confirm_quit = True
    return True


def click(c, pos):
    """Select the unit nearest the click, within PICK_PX."""
    d = np.hypot(*(unit_pixels(c.world, c.camera) - np.asarray(pos, float)).T)
    if d.min() <= PICK_PX * c.scale:
        c.select(int(np.argmin(d)))


def key_command(c, event) -> bool:
    """A key's command (see CLASSROOM_HELP); True: the key was used."""
    k, shift = event.key, bool(getattr(event, "mod", 0) & pygame.KMOD_SHIFT)
    simple = {pygame.K_SPACE: c.toggle_pause, pygame.K_PERIOD: c.step_once, pygame.K_COMMA: c.substep,
              pygame.K_TAB: c.next_squad, pygame.K_r: c.restart, pygame.K_n: c.next_lesson,
              pygame.K_o: c.next_optimizer, pygame.K_a: c.toggle_autoplay, pygame.K_w: c.toggle_sweep,
              pygame.K_z: c.toggle_follow, pygame.K_HOME: c.fit, pygame.K_v: c.toggle_view,
              pygame.K_c: c.next_schedule}
    flags = {pygame.K_g: "show_ghost", pygame.K_l: "log_scale", pygame.K_b: "show_card"}
    if k in simple:
        simple[k]()
    elif k in flags:
        setattr(c, flags[k], not getattr(c, flags[k]))
    elif k in (pygame.K_F1, pygame.K_h):
        c.show_help = True
    elif k == pygame.K_s:
        c.set_speed(SPEEDS[(SPEEDS.index(c.speed) + 1) % len(SPEEDS)])
    elif k == pygame.K_f:
        c.fog.enabled = not c.fog.enabled
    elif k in (pygame.K_LEFTBRACKET, pygame.K_RIGHTBRACKET):
        up = k == pygame.K_RIGHTBRACKET
        if shift:
            c.change_momentum(MOMENTUM_STEP if up else -MOMENTUM_STEP)
        else:
            c.change_lr(LR_FACTOR if up else 1 / LR_FACTOR)
    elif k in (pygame.K_PLUS, pygame.K_EQUALS, pygame.K_KP_PLUS, pygame.K_MINUS, pygame.K_KP_MINUS):
        up = k in (pygame.K_PLUS, pygame.K_EQUALS, pygame.K_KP_PLUS)
        if ctrl_held(event):                      # as a browser zooms its page
            c.set_factor(c.factor * (SCALE_STEP if up else 1 / SCALE_STEP))
        else:
            c.set_speed(next_speed(c.speed, 1 if up else -1))          # as in the game
    elif pygame.K_1 <= k <= pygame.K_9:
        c.select_squad(k - pygame.K_1)
    return True
