"""The battle's input: the player's keys and mouse, turned into the battle's commands.

In order: the help overlay, the leave-this-run question, a drag box in progress, the minimap,
the squad panel, the camera, then keys and clicks on the map: a left click selects, a right click
redeploys the selected squad to the ground under the cursor and L drops fresh units there
(landing.py), H holds or resumes the selected squad. The functions only call the battle's
commands (``form_squad``, ``start``, ``step_once``, ``toggle_hold`` ...) and change its selection
and camera; they never touch the world.
"""
from __future__ import annotations

import numpy as np
import pygame

from sim.world import MAX_SQUADS
from game.view.controls import ctrl_held
from game.view.render import minimap_pick
from game.view.widgets import MUTED

from . import landing
from .input import squad_key

FASTER_KEYS = (pygame.K_PLUS, pygame.K_EQUALS, pygame.K_KP_PLUS)
SLOWER_KEYS = (pygame.K_MINUS, pygame.K_KP_MINUS)


def handle(b, event) -> bool:
    """Help overlay first, then the leave-this-run question, a drag box in progress, the minimap,
    the panel, the camera, the map. Returning False for Esc lets the app leave the battle."""
    if b.show_help:
        if event.type == pygame.KEYDOWN and event.key in (pygame.K_ESCAPE, pygame.K_F1):
            b.show_help = False
        return True
    if b.confirm_leave:
        if event.type == pygame.KEYDOWN:
            b.confirm_leave = False
            return event.key != pygame.K_ESCAPE      # Esc again: leave; any other key: resume
        if event.type == pygame.MOUSEBUTTONDOWN:
            b.confirm_leave = False               # a click resumes too (and does nothing else)
        return True
    if event.type == pygame.KEYDOWN and event.key == pygame.K_ESCAPE and b.phase == "descend" \
            and b.replay is None:
        b.confirm_leave = True                    # the run pauses while the question is up
        b.selection.box_start = b.selection.box_end = None
        return True
    if b.selection.dragging and event.type in (pygame.MOUSEMOTION, pygame.MOUSEBUTTONUP):
        drag_select(b, event)
        b.controls.handle(event)
        return False
    if minimap_click(b, event) or b.panel.handle(event) or b.controls.handle(event):
        return False
    if event.type == pygame.KEYDOWN:
        key_command(b, event)
    elif event.type == pygame.MOUSEBUTTONDOWN and event.button == 1 and b.map_rect.collidepoint(event.pos):
        b.selection.press(event.pos)
    elif event.type == pygame.MOUSEBUTTONDOWN and event.button == 3:
        landing.redeploy(b, event.pos)
    return False


def drag_select(b, event):
    """A drag box in progress: follow the mouse; on release select what it holds (Shift adds)."""
    if event.type == pygame.MOUSEMOTION:
        b.selection.drag(event.pos)
    elif event.button == 1:
        shift = (getattr(event, "mod", 0) | pygame.key.get_mods()) & pygame.KMOD_SHIFT
        b.selection.release(event.pos, b.unit_pixels(), additive=bool(shift))
        follow_selection(b, )


def key_command(b, event):
    """A key's command (the help overlay lists them: ``keys.HELP``)."""
    k = event.key
    squad = squad_key(event)
    if squad is not None:
        (b.form_squad if squad[0] == "form" else b.select_squad)(squad[1])
    elif k == pygame.K_a and ctrl_held(event):
        b.select_all()
    elif k == pygame.K_F1:
        b.show_help = True
    elif k == pygame.K_h:
        b.toggle_hold()
    elif k == pygame.K_l:
        landing.drop(b, b.controls.mouse)
    elif k in (pygame.K_RETURN, pygame.K_KP_ENTER):
        b.end_run() if b.stopped else b.start()
    elif k == pygame.K_SPACE:
        b.toggle_pause()
    elif k in (pygame.K_PERIOD, pygame.K_KP_PERIOD):
        b.step_once()
    elif k in FASTER_KEYS:
        b.change_speed(+1)
    elif k in SLOWER_KEYS:
        b.change_speed(-1)
    elif k == pygame.K_f:
        toggle_fog(b)
    elif k == pygame.K_HOME:
        b.camera.fit()
    elif k == pygame.K_v:
        b.toggle_view()


def minimap_click(b, event) -> bool:
    """Left click (or drag) on the minimap moves the camera there."""
    t = event.type
    if t == pygame.MOUSEBUTTONDOWN and event.button == 1 and b.minimap_rect.collidepoint(event.pos):
        b._minimap_drag = True
    elif t == pygame.MOUSEBUTTONUP and event.button == 1 and b._minimap_drag:
        b._minimap_drag = False
        return True
    if b._minimap_drag and t in (pygame.MOUSEBUTTONDOWN, pygame.MOUSEMOTION):
        b.camera.center_on(minimap_pick(b.minimap_rect, b.level, event.pos))
        return True
    return False


def follow_selection(b):
    """The panel follows the selection: it shows the squad most of the selected units are in."""
    if b.selection.mask.any():
        b.squad = int(np.bincount(b.world.squad[b.selection.mask], minlength=MAX_SQUADS).argmax())


def toggle_fog(b):
    """F: the fog of war off or on -- but not during a run on a scouting level, where what the
    fog hides is the puzzle (sim.Level.needs == "drop")."""
    if b.level.needs == "drop" and b.phase != "over" and b.fog.enabled:
        b.log.add("The fog stays on this level: what it hides is for a scout to find", MUTED)
        return
    b.fog.enabled = not b.fog.enabled
