"""The sweep command: where each learning rate x momentum leads on a level, as a PNG.

    python main.py sweep 03-ravine --out ravine-sweep.png [--optimizer momentum --lr-cells 100 ...]

The sweep itself is ``sim.sweep.sweep_plane`` (one vectorised swarm); the picture is the shared
sweep map (``game.view.sweep_map``) drawn off-screen. Every flag is read as text and checked here,
so every error is one line.
"""
from __future__ import annotations

import os
import time

import sim
from game.cli import UsageError, number, path_flag, quoted, shown, window_size
from game.view.sweep_map import save_sweep
from game.view.sweep_marks import verdict
from sim.sweep import sweep_plane

SWEEP_MAX_CELLS = 1000           # per axis
SWEEP_MAX_STARTS = 256           # per cell
SWEEP_MAX_UNITS = 2_000_000      # cells x starts, all in one swarm
SWEEP_SIDES = (400, 8192)        # smallest and largest picture side [px]


def _png_out(text, force: bool = False):
    """--out: a new .png file that can be written (its folder exists and is writable); an existing
    one only with --force, as ``record`` asks."""
    if not text:
        raise UsageError("sweep: --out FILE.png is required")
    out = path_flag(text, "--out")
    text = shown(text)
    folder = out.parent.resolve()
    if out.suffix.lower() != ".png":
        raise UsageError(f"--out {text}: the picture is written as PNG; give a file name ending in .png")
    if out.is_dir():
        raise UsageError(f"--out {text}: is a directory")
    if not folder.is_dir():
        problem = "is not a folder" if folder.exists() else "does not exist"
        raise UsageError(f"--out {text}: {folder} {problem}")
    if out.exists() and not force:
        raise UsageError(f"--out {text}: already exists; add --force to overwrite it")
    if not os.access(folder, os.W_OK) or (out.exists() and not os.access(out, os.W_OK)):
        raise UsageError(f"--out {text}: not allowed to write there")
    return out


def sweep_orders(args, level) -> dict:
    """The sweep flags, checked, as keyword arguments of sim.sweep.sweep_plane."""
    if args.optimizer is not None and args.optimizer not in sim.OPTIMIZERS:
        raise UsageError(f"--optimizer: unknown optimizer {quoted(args.optimizer)}; "
                         f"choose from {', '.join(sim.OPTIMIZERS)}")
    lr_min = level.lr_range[0] if args.lr_min is None else number(args.lr_min, "--lr-min", float, 1e-9, 100)
    lr_max = level.lr_range[1] if args.lr_max is None else number(args.lr_max, "--lr-max", float, 1e-9, 100)
    if not lr_min < lr_max:
        raise UsageError(f"--lr-min {lr_min:g} must be below --lr-max {lr_max:g}")
    orders = {"optimizer": args.optimizer, "lr_range": (lr_min, lr_max),
              "lr_cells": number(args.lr_cells, "--lr-cells", int, 1, SWEEP_MAX_CELLS),
              "momentum_cells": number(args.momentum_cells, "--momentum-cells", int, 1, SWEEP_MAX_CELLS),
              "starts": number(args.starts, "--starts", int, 1, SWEEP_MAX_STARTS),
              "steps": None if args.steps is None else number(args.steps, "--steps", int, 1, 100_000),
              "seed": None if args.seed is None else number(args.seed, "--seed", int, 0, 2**63 - 1)}
    units = orders["lr_cells"] * orders["momentum_cells"] * orders["starts"]
    if units > SWEEP_MAX_UNITS:
        raise UsageError(f"sweep: {units:,} runs (cells x starts) is too many; the limit is {SWEEP_MAX_UNITS:,}")
    return orders


def run(args) -> int:
    """Sweep one optimizer over learning rate x momentum, draw where each cell leads, save a PNG."""
    level = sim.load_level(args.level)
    out, size = _png_out(args.out, args.force), window_size(args.size, SWEEP_SIDES)
    orders = sweep_orders(args, level)
    start = time.perf_counter()
    result = sweep_plane(level, **orders)
    seconds = time.perf_counter() - start
    temp = out.with_name(f".{out.name}.{os.getpid()}.partial.png")     # the picture appears whole, or not at all
    try:
        save_sweep(temp, result, level, size)
        os.replace(temp, out)
    except OSError as err:
        temp.unlink(missing_ok=True)
        raise UsageError(f"--out {out}: cannot write: {err}") from None
    print(f"wrote {out} ({size[0]}x{size[1]}): {level.id} with {result.optimizers[0]}, "
          f"{len(result.lrs)} x {len(result.momenta)} settings x {result.starts} starts, "
          f"{result.steps} steps, swept in {seconds:.1f} s")
    print(verdict(result))
    return 0
