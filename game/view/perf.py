"""Frame-time benchmarks of the map and the sand table (``python main.py bench`` reports them).

``bench_frame(quick)`` draws what a busy game frame draws, off-screen at 1280x720: a procedural map
filling the window, 1,000 units in four squads with 64-point trails and velocity arrows, the fog of
war partly explored, a HUD-sized translucent panel with text, and the minimap. Between frames the
world takes one step (not timed), so every frame has new trails, new fog and new arrows to draw --
the worst case, since the game draws several frames per step. The units start spread over the
whole map, so trails, arrows and newly explored ground are everywhere. ``bench_relief(quick)``
draws the same on the sand table with a still camera, and times a fresh render of the table after
a turn.
"""
from __future__ import annotations

import os
import time

import numpy as np

BENCH_LEVEL = "random:1"          # a procedural map: the heaviest terrain to rasterise
BENCH_UNITS = 1000
BENCH_SIZE = (1280, 720)          # [px]
FRAMES, QUICK_FRAMES = 100, 10
WARMUP_STEPS = 25                 # steps (and frames) before timing: mid-descent, fog partly explored
SQUAD_ORDERS = [("sgd", 0.6, 0.0), ("momentum", 0.08, 0.9), ("adam", 0.12, 0.9), ("rmsprop", 0.05, 0.0)]


def bench_frame(quick: bool = False) -> dict:
    """The cost of a 1280x720 map frame over FRAMES frames (QUICK_FRAMES when ``quick``):

    * ``frame_ms_median``, ``frame_ms_p95`` [ms]: CPU time of the drawing thread per frame -- the
      time on one core, which other processes on the machine do not inflate;
    * ``frame_wall_ms_median`` [ms]: the same frames by the wall clock;
    * ``first_frame_s`` [s]: wall time from ``sim.load_level`` returning to the first frame drawn
      (world, terrain art, fog, first draw).
    """
    cpu, wall, first = _frames("map", quick)
    return {"frame_ms_median": round(float(np.median(cpu)), 3),
            "frame_ms_p95": round(float(np.percentile(cpu, 95)), 3),
            "frame_wall_ms_median": round(float(np.median(wall)), 3),
            "first_frame_s": round(first, 3)}


def bench_relief(quick: bool = False) -> dict:
    """The sand table's costs at 1280x720:

    * ``relief_frame_ms_median``, ``relief_frame_ms_p95`` [ms]: CPU time of a frame as in
      ``bench_frame``, the camera still (the table's render is reused, as in the game);
    * ``relief_turn_ms`` [ms]: the median wall time of a fresh render of the table (the viewport and
      its margin) after the camera turned, over the eight 45-degree headings -- the wait a turn
      costs; ``relief_turn_cpu_ms`` the same renders' CPU time with everything on one thread;
    * ``relief_first_frame_s`` [s]: level loaded to first relief frame, the heightfield included.
    """
    cpu, _, first = _frames("relief", quick)
    import pygame
    import sim
    from .relief_camera import ReliefCamera
    from .relief_view import ReliefView
    from .render import MapArt
    art = MapArt(sim.load_level(BENCH_LEVEL))
    camera = ReliefCamera(art.ground, pygame.Rect(0, 0, *BENCH_SIZE))
    from sim.blocks import one_thread
    view, turns, cpu_turns = ReliefView(art.ground), [], []
    for heading in range(0, 360, 45) if not quick else (0, 45):
        camera.set_pose(float(heading))
        t = time.perf_counter()
        view.update(camera)
        turns.append(time.perf_counter() - t)
        camera.set_pose(float(heading) + 1.0)
        with one_thread():
            c = time.thread_time()
            view.update(camera)
            cpu_turns.append(time.thread_time() - c)
    return {"relief_frame_ms_median": round(float(np.median(cpu)), 3),
            "relief_frame_ms_p95": round(float(np.percentile(cpu, 95)), 3),
            "relief_turn_ms": round(1000 * float(np.median(turns)), 3),
            "relief_turn_cpu_ms": round(1000 * float(np.median(cpu_turns)), 3),
            "relief_first_frame_s": round(first, 3)}


def _frames(view: str, quick: bool) -> tuple:
    """(CPU ms per frame, wall ms per frame, first frame [s]) of busy frames in ``view``."""
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")       # off-screen: no window is opened
    import pygame

    import sim
    from .camera import Camera
    from .relief_camera import ReliefCamera
    from .render import Fog, MapArt, draw_minimap
    from .world_view import draw_world

    level = sim.load_level(BENCH_LEVEL)
    t0 = time.perf_counter()
    world = _busy_world(sim, level)
    screen = pygame.Surface(BENCH_SIZE)
    art, fog, hud = MapArt(level), Fog.of(level, world.explored), _HudStandIn(BENCH_SIZE)   # the game's fog
    if view == "map":
        camera = Camera(level.bounds, screen.get_rect())
        camera.zoom_at(camera.viewport.center, BENCH_SIZE[0] / level.size / camera.zoom)   # map fills the width
    else:
        camera = ReliefCamera(art.ground, screen.get_rect())
    minimap = pygame.Rect(12, BENCH_SIZE[1] - 192, 180, 180)

    def frame():
        """What the game does each frame: reveal, draw the world, the HUD, the minimap."""
        fog.reveal(world.positions)
        draw_world(screen, world, camera, art, fog, selected=world.squad == 1, time_s=world.step_count / 30)
        hud.draw(screen, world)
        draw_minimap(screen, minimap, world, camera, art, fog)

    frame()
    first = time.perf_counter() - t0
    for _ in range(WARMUP_STEPS):           # the game draws these frames too
        world.step()
        frame()
    cpu, wall = [], []
    for _ in range(QUICK_FRAMES if quick else FRAMES):
        world.step()
        t, c = time.perf_counter(), time.thread_time()
        frame()
        cpu.append(time.thread_time() - c)
        wall.append(time.perf_counter() - t)
    return 1000 * np.array(cpu), 1000 * np.array(wall), first


def _busy_world(sim, level):
    """BENCH_UNITS units spread over the whole map (scouts everywhere: the most trails and fog to
    draw) in len(SQUAD_ORDERS) squads with different optimizers."""
    (x0, x1), (y0, y1) = level.bounds
    rng = np.random.default_rng(1)
    spawn = np.column_stack([rng.uniform(x0, x1, BENCH_UNITS), rng.uniform(y0, y1, BENCH_UNITS)])
    world = sim.World(level, seed=1, units=BENCH_UNITS, trail_length=64, spawn=spawn)
    for s in range(1, len(SQUAD_ORDERS)):
        world.assign(np.arange(s, world.n_units, len(SQUAD_ORDERS)), s)
    for s, (name, lr, mu) in enumerate(SQUAD_ORDERS):
        world.set_orders(s, name, lr, mu)
    return world


class _HudStandIn:
    """A translucent side panel with a few lines of live text, the size of the game's HUD."""

    def __init__(self, size):
        import pygame
        from .fonts import font
        self.pygame, self.font = pygame, font
        self.rect = pygame.Rect(size[0] - 300, 0, 300, size[1])
        self.panel = pygame.Surface(self.rect.size, pygame.SRCALPHA)
        self.panel.fill((10, 14, 18, 200))
        self.cache = {}

    def draw(self, screen, world):
        screen.blit(self.panel, self.rect)
        lines = [f"step {world.step_count} / {world.level.budget}"]
        lines += [f"squad {s + 1}: {o.optimizer}  lr {o.lr:.3g}  mu {o.momentum:.2f}"
                  for s, o in enumerate(world.orders)]
        lines += [f"{k} {v}" for k, v in world.counts().items()]
        for i, text in enumerate(lines):
            screen.blit(self._text(text), (self.rect.x + 14, 14 + 24 * i))

    def _text(self, text):
        """Rendered lines are kept while they stay the same (as a HUD would)."""
        if text not in self.cache:
            if len(self.cache) > 64:
                self.cache.clear()
            self.cache[text] = self.font(15).render(text, True, (230, 226, 210))
        return self.cache[text]
