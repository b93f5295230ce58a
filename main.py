#!/usr/bin/env python3
"""Valley Command: gradient descent played as a real-time strategy game.

The map is a loss surface; your units are balls that only feel the slope under their feet.
Command them by choosing their optimizer, learning rate and momentum, and put one in the
deepest valley -- the global minimum -- before the step budget runs out.

    python main.py                      play: title screen and campaign
    python main.py play LEVEL           straight into a level
    python main.py levels               the campaign and what each level teaches
    python main.py simulate LEVEL       run a descent without a window, print the outcome
    python main.py bench                performance figures, as JSON

LEVEL is a name from levels/ (``01-bowl``), a path to a .toml file, or ``random:SEED[:easy|normal|hard]``.
Heavy modules (numpy, pygame) are imported inside the commands, so ``--help`` stays instant.
"""
from __future__ import annotations

import argparse
import json
import sys

OPTIMIZER_NAMES = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")   # = sim.OPTIMIZERS


class UsageError(Exception):
    """Bad input from the command line: printed as one line, exit status 2."""


def _positive_int(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {v}")
    return v


def _seed(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if v < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {v}")
    return v


def _number(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if v != v or v in (float("inf"), float("-inf")):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return v


def add_orders(p: argparse.ArgumentParser):
    """The flags that command a squad (defaults: the level's own)."""
    p.add_argument("--optimizer", choices=OPTIMIZER_NAMES, help="update rule (default: the level's)")
    p.add_argument("--lr", type=_number, help="learning rate eta (default: the level's)")
    p.add_argument("--momentum", type=_number, help="momentum mu, or beta1 for adam (default: the level's)")
    p.add_argument("--units", type=_positive_int, help="number of units (default: the level's)")
    p.add_argument("--steps", type=_positive_int, help="steps to run (default: the level's budget)")
    p.add_argument("--seed", type=_seed, help="spawn and weather seed (default: the level's)")


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="main.py", description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="Run 'python main.py COMMAND --help' for a command's options.")
    sub = ap.add_subparsers(dest="command", metavar="COMMAND")
    p = sub.add_parser("play", help="play the campaign, or one level")
    p.add_argument("level", nargs="?", help="level to start in (default: the title screen)")
    p.add_argument("--replay", metavar="FILE", help="watch a saved replay")
    sub.add_parser("levels", help="list the campaign levels and their lessons")
    p = sub.add_parser("simulate", help="run a descent headless and print the outcome")
    p.add_argument("level")
    add_orders(p)
    p.add_argument("--json", action="store_true", help="print the outcome as JSON")
    p = sub.add_parser("bench", help="measure performance, print JSON")
    p.add_argument("--quick", action="store_true", help="small sizes (for the tests)")
    return ap


def cmd_levels(args) -> int:
    import sim
    for name in sim.campaign():
        lvl = sim.load_level(name)
        print(f"{name:<18} {lvl.title:<28} {lvl.lesson}")
    return 0


def run_simulation(args):
    """Build a world from the level and the flags, run it, return it."""
    import sim
    lvl = sim.load_level(args.level)
    world = sim.World(lvl, seed=args.seed, units=args.units)
    try:
        world.set_orders(0, optimizer=args.optimizer, lr=args.lr, momentum=args.momentum)
    except ValueError as err:
        raise UsageError(str(err)) from None
    steps = args.steps or lvl.budget
    while world.step_count < steps and (world.status == sim.DESCENDING).any():
        world.step()
    return world


def cmd_simulate(args) -> int:
    world = run_simulation(args)
    out = world.outcome()
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    o = world.orders[0]
    lvl = world.level
    print(f"{lvl.id} - {lvl.title}")
    print(f"orders     {o.optimizer}  lr {o.lr:g}  momentum {o.momentum:g}  units {world.n_units}  seed {world.seed}")
    print(f"steps      {out['steps']} (budget {lvl.budget})")
    print(f"units      arrived {out['arrived']}  trapped {out['trapped']}  diverged {out['diverged']}"
          f"  descending {out['descending']}")
    first = out["first_arrival_step"]
    print(f"first      {'step ' + str(first) if first is not None else 'no unit arrived'}")
    print(f"heights    best {out['best_height']:.6g}  global minimum {out['global_min_height']:.6g}")
    print(f"result     {'WON ' + '*' * out['stars'] if out['won'] else 'not won'}")
    return 0


def cmd_bench(args) -> int:
    import bench
    print(json.dumps(bench.run(quick=args.quick), indent=2))
    return 0


def cmd_play(args) -> int:
    print("error: the game window is not built yet; try 'python main.py simulate LEVEL'", file=sys.stderr)
    return 2


COMMANDS = {"levels": cmd_levels, "simulate": cmd_simulate, "bench": cmd_bench, "play": cmd_play}


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    command = args.command or "play"
    if command == "play" and not hasattr(args, "level"):
        args.level, args.replay = None, None
    try:
        return COMMANDS[command](args)
    except UsageError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:        # output piped into `head` and the like
        sys.stderr.close()
        return 0
    except Exception as err:       # a bad level file arrives as sim.LevelError
        if type(err).__name__ == "LevelError":
            print(f"error: {err}", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
