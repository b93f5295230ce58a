"""Performance figures for ``python main.py bench``: one JSON object, medians of repeated runs.

Keys (the project's performance record):
  sim_unit_steps_per_s    World.step with 100,000 units on a 16-well Gaussian terrain, momentum
                          (wall time; blocks shared between threads as in the game)
  sim_speedup_vs_python   that rate / a plain pure-Python per-unit loop of the same terrain and update
  sim_exp_only_unit_steps_per_s
                          the same units if a step were nothing but its 16 float64 exponentials,
                          computed as the wells kernel does: in place, block by block, same threads
  sim_ns_per_unit_step    CPU time of World.step per unit-step on one thread [ns] (process time:
                          steadier than wall time on a shared machine)
  procgen_median_s        generating and certifying one procedural map
  frame_ms_median/_p95    a 1280x720 game frame: 1,000 units, trails, fog, HUD, minimap (game/view/perf.py)
  first_frame_s           level loaded -> first frame drawn
  sweep_s                 a 100 x 100 x 8 learning-rate x momentum sweep (sim/sweep.py)
  tui_frame_ms            building and diffing a 160x48 terminal frame (game/terminal/frame.py)
  tui_bytes_per_frame     bytes sent per terminal frame while units move
  nn_raster_s             a 256x256 raster of a neural-network loss landscape (sim/nn.py)
  relief_frame_ms_median/_p95, relief_turn_ms   the same frame on the sand table, and a fresh
                          render of the table after a turn (game/view/perf.py)
  record_fps, gif_fps     recording MP4 at 1280x720 and GIF at 640x360 of the map, end to end
  relief_record_fps       recording a 1280x720 MP4 of the sand table turning 60 degrees (game/video/record.py)
Each figure is the median of several runs; ratios compare runs made in the same process.
"""
from __future__ import annotations

import math
import statistics
import time

import numpy as np

SIM_UNITS = 100_000
WELLS = 16


def _median_time(fn, repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return times


def wells_level(seed: int = 0):
    """A level whose terrain is 16 Gaussian wells of random depth and width on [-10, 10]^2."""
    import sim.levels as L
    rng = np.random.default_rng(seed)
    wells = [{"type": "well", "center": [float(a), float(b)], "depth": float(d), "sigma": float(s)}
             for (a, b), d, s in zip(rng.uniform(-8, 8, (WELLS, 2)), rng.uniform(1, 4, WELLS),
                                     rng.uniform(1.0, 3.0, WELLS))]
    data = {"title": "bench", "briefing": "bench", "bounds": [[-10, 10], [-10, 10]], "budget": 1000,
            "goal_radius": 0.3, "units": 10, "spawn": {"center": [0.0, 0.0], "radius": 9.0},
            "orders": {"optimizer": "momentum", "lr": 0.05, "lr_range": [0.001, 1.0], "momentum": 0.9,
                       "momentum_range": [0.0, 0.99]},
            "stars": {"steps": 100, "units_lost": 0}, "terrain": wells}
    return L.parse_level(data, "<bench>", "bench"), wells


def python_momentum_steps(wells, positions, steps: int, lr=0.05, mu=0.9) -> list:
    """The same terrain and update as World.step, one unit at a time in plain Python floats."""
    out = []
    for x, y in positions:
        vx = vy = 0.0
        for _ in range(steps):
            gx = gy = 0.0
            for w in wells:
                cx, cy = w["center"]
                s2 = w["sigma"] ** 2
                dx, dy = x - cx, y - cy
                e = w["depth"] * math.exp(-(dx * dx + dy * dy) / (2 * s2)) / s2
                gx += e * dx
                gy += e * dy
            vx = mu * vx + gx
            vy = mu * vy + gy
            x -= lr * vx
            y -= lr * vy
        out.append((x, y))
    return out


def well_exponents(wells, xy) -> np.ndarray:
    """The (N, K) exponents the wells kernel takes exp of, one per unit and well:
    z_k = log(|d_k| / s_k^2) - |x - c_k|^2 / (2 s_k^2)."""
    c = np.array([w["center"] for w in wells])
    d = np.array([w["depth"] for w in wells])
    s2 = np.array([w["sigma"] for w in wells]) ** 2
    return np.log(np.abs(d) / s2) - ((xy[:, None, :] - c) ** 2).sum(-1) / (2 * s2)


def exp_times(z0: np.ndarray, repeats: int) -> list[float]:
    """Seconds to take exp of the (N, K) exponents z0 the way GaussianWells does: in place on each
    (CHUNK, K) block, blocks shared between threads from PARALLEL_MIN rows on. Each run starts
    from a fresh copy of z0, made outside the timing."""
    from sim.blocks import CHUNK, for_each_block
    z = np.empty_like(z0)
    times = []
    for _ in range(repeats):
        np.copyto(z, z0)
        t = time.perf_counter()
        for_each_block(lambda i: np.exp(z[i:i + CHUNK], out=z[i:i + CHUNK]), len(z))
        times.append(time.perf_counter() - t)
    return times


def cpu_ns_per_unit_step(world, repeats: int) -> float:
    """Median CPU time [ns] of one World.step per unit, every block on the calling thread."""
    from sim.blocks import one_thread
    times = []
    with one_thread():
        world.step()                                    # warm up the single-thread path
        for _ in range(repeats):
            t = time.process_time()
            world.step()
            times.append(time.process_time() - t)
    return statistics.median(times) / world.n_units * 1e9


def bench_sim(quick: bool) -> dict:
    import sim
    level, wells = wells_level()
    n = 10_000 if quick else SIM_UNITS
    world = sim.World(level, seed=1, units=n)
    world.step(2)                                       # warm up (allocations, thread pool)
    t_vec = statistics.median(_median_time(world.step, 5 if quick else 30))
    ns_step = cpu_ns_per_unit_step(world, 5 if quick else 30)
    starts = world.start[:50 if quick else 400].tolist()
    py_steps = 3 if quick else 10
    t_py = statistics.median(_median_time(lambda: python_momentum_steps(wells, starts, py_steps), 3))
    # the ceiling: nothing but the float64 exponentials of this terrain (one per unit and well)
    t_exp = statistics.median(exp_times(well_exponents(wells, world.positions), 5 if quick else 15))
    vec_rate = n / t_vec
    py_rate = len(starts) * py_steps / t_py
    return {"sim_unit_steps_per_s": round(vec_rate), "sim_python_unit_steps_per_s": round(py_rate),
            "sim_speedup_vs_python": round(vec_rate / py_rate, 1), "sim_units": n,
            "sim_exp_only_unit_steps_per_s": round(n / t_exp), "sim_ns_per_unit_step": round(ns_step, 1)}


def bench_procgen(quick: bool) -> dict:
    from sim.procgen import generate
    seeds = range(3 if quick else 15)
    times = []
    for seed in seeds:
        t = time.perf_counter()
        generate(1000 + seed, ("easy", "normal", "hard")[seed % 3])
        times.append(time.perf_counter() - t)
    return {"procgen_median_s": round(statistics.median(times), 4), "procgen_max_s": round(max(times), 4)}


def run(quick: bool = False) -> dict:
    """Every benchmark; ``quick`` shrinks each to a few hundred milliseconds."""
    from game.view.perf import bench_frame, bench_relief
    from game.video.record import bench_record
    from game.terminal.frame import bench_tui
    from sim.nn import bench_nn_raster
    from sim.sweep import bench_sweep
    out = {"quick": quick}
    for bench in (bench_sim, bench_procgen, bench_frame, bench_relief, bench_sweep, bench_tui, bench_nn_raster,
                  bench_record):
        out.update(bench(quick))
    return out
