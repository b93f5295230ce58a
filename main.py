#!/usr/bin/env python3
"""Valley Command: gradient descent played as a real-time strategy game.

The map is a loss surface; your units are balls that only feel the slope under their feet.
Command them by choosing their optimizer, learning rate and momentum, and put one in the
deepest valley -- the global minimum -- before the step budget runs out.

    python main.py                      play: title screen and campaign
    python main.py play LEVEL           straight into a level
    python main.py play --replay FILE   watch a saved replay
    python main.py play endless         procedural maps of rising difficulty until the first loss (--seed N)
    python main.py demo LEVEL           classroom mode: each step explained (--race, --autoplay)
    python main.py levels               the campaign and what each level teaches
    python main.py simulate LEVEL       run a descent without a window, print the outcome
    python main.py sweep LEVEL --out map.png   where each learning rate x momentum leads, as a PNG
    python main.py record LEVEL --out descent.mp4   a video (MP4, GIF, PNGs) or web page (.html) of a descent
    python main.py tui LEVEL            play a level in the terminal (no window needed)
    python main.py bench                performance figures, as JSON

LEVEL is a name from levels/ (``01-bowl``), a path to a .toml file, or ``random:SEED[:easy|normal|hard]``.
Heavy modules (numpy, pygame) are imported inside the commands, so ``--help`` stays instant.
"""
from __future__ import annotations

import argparse
import difflib
import json
import os
import sys

from game.cli import NO_DISPLAY, UsageError, display_available, one_line, quoted, range_note

OPTIMIZER_NAMES = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")   # = sim.OPTIMIZERS
MAX_UNITS = 1_000_000     # units a command line may ask for (a unit costs about 1 kB with its trail)
MAX_STEPS = 100_000       # steps a command line may ask for (= sim.levels.MAX_BUDGET)


def _whole(text: str, low: int, high: int) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {quoted(text)}") from None
    if not low <= v <= high:
        raise argparse.ArgumentTypeError(f"expected a whole number from {low} to {high:,}, got {quoted(v)}")
    return v


def _unit_count(text: str) -> int:
    return _whole(text, 1, MAX_UNITS)


def _step_count(text: str) -> int:
    return _whole(text, 1, MAX_STEPS)


def _seed(text: str) -> int:
    return _whole(text, 0, 2**63 - 1)


def _number(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {quoted(text)}") from None
    if v != v or v in (float("inf"), float("-inf")):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {quoted(text)}")
    return v


def add_orders(p: argparse.ArgumentParser):
    """The flags that command a squad (defaults: the level's own)."""
    p.add_argument("--optimizer", choices=OPTIMIZER_NAMES, help="update rule (default: the level's)")
    p.add_argument("--lr", type=_number, help="learning rate eta (default: the level's)")
    p.add_argument("--momentum", type=_number, help="momentum mu, or beta1 for adam (default: the level's; for "
                                                    "another optimizer torch's: 0.9 for adam, else 0)")
    p.add_argument("--schedule", metavar="KIND", help="learning-rate schedule from --lr: constant, "
                                                      "step:STEP_SIZE:GAMMA or cosine:T_MAX[:ETA_MIN]")
    p.add_argument("--units", type=_unit_count, help="number of units (default: the level's)")
    p.add_argument("--steps", type=_step_count, help="steps to run (default: the level's budget)")
    p.add_argument("--seed", type=_seed, help="spawn and weather seed (default: the level's)")


class OneLineParser(argparse.ArgumentParser):
    """argparse that reports a bad flag as one line (naming the command), exit status 2."""

    def error(self, message):
        self.exit(2, f"error: {one_line(f'{self.prog}: {message}')} (see '{self.prog} --help')\n")

    def _get_values(self, action, arg_strings):
        """'--lr=--' gives --lr the text '--' (argparse would drop it as the end-of-flags mark and
        hand the flag an empty list)."""
        if action.option_strings and action.nargs is None and arg_strings == ["--"]:
            value = self._get_value(action, "--")
            self._check_value(action, value)
            return value
        return super()._get_values(action, arg_strings)


def build_parser() -> argparse.ArgumentParser:
    ap = OneLineParser(prog="main.py", description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="Run 'python main.py COMMAND --help' for a command's options.")
    sub = ap.add_subparsers(dest="command", metavar="COMMAND")
    p = sub.add_parser("play", help="play the campaign, one level, or an endless run")
    p.add_argument("level", nargs="?", help="level to start in (default: the title screen); 'endless': an endless "
                                            "run of procedural maps")
    p.add_argument("--replay", metavar="FILE", help="watch a saved replay")
    p.add_argument("--seed", type=_seed, help="with 'endless': the run's seed, for the same maps again "
                                              "(default: from the clock, shown)")
    sub.add_parser("levels", help="list the campaign levels and their lessons")
    p = sub.add_parser("simulate", help="run a descent headless and print the outcome")
    p.add_argument("level")
    add_orders(p)
    p.add_argument("--json", action="store_true", help="print the outcome as JSON")
    p = sub.add_parser("tui", help="play a level in the terminal")
    p.add_argument("level")
    p.add_argument("--ascii", action="store_true", help="plain ASCII characters, no colour")
    p.add_argument("--seed", type=_seed, help="spawn and weather seed (default: the level's)")
    add_sweep_parser(sub)
    add_record_parser(sub)
    add_demo_parser(sub)
    p = sub.add_parser("bench", help="measure performance, print JSON")
    p.add_argument("--quick", action="store_true", help="small sizes (for the tests)")
    return ap


def cmd_levels(args) -> int:
    """The campaign chapter by chapter: each level's number on screen, name, title, measured difficulty (the share of
    the orders box, or of the plans, that wins: it falls within a chapter), BOSS, and lesson."""
    import sim
    from sim.difficulty import difficulty, load_table, summary
    table, place = load_table(), {name: k for k, name in enumerate(sim.campaign(), 1)}
    for k, chapter in enumerate(sim.chapters(), 1):
        print(f"Chapter {k}: {chapter.name} -- {chapter.theme}")
        for name in chapter.levels:                   # its number on screen (play 17 opens it), its file
            lvl = sim.load_level(name)
            boss = "BOSS" if chapter.is_boss(name) else ""
            print(f"  {place[name]:02d} {name:<18} {lvl.title:<25} {summary(difficulty(name, table)):<12} {boss:<4} "
                  f"{lvl.lesson}")
    return 0


def check_orders(level, lr, momentum):
    """--lr > 0 and --momentum in [0, 1), else a UsageError naming the flag; a value outside the
    level's own range is taken, with one line on stderr saying so."""
    if lr is not None and not lr > 0:
        raise UsageError(f"--lr: the learning rate must be a number > 0, got {lr:g}")
    if momentum is not None and not 0 <= momentum < 1:
        raise UsageError(f"--momentum: the momentum must be in [0, 1), got {momentum:g}")
    for flag, v in (("--lr", lr), ("--momentum", momentum)):
        note = range_note(level, flag, v)
        if note:
            print(note, file=sys.stderr)


def run_simulation(args):
    """Build a world from the level and the flags, run it, return it. Without --momentum an
    optimizer other than the level's takes torch's default momentum (beta1 = 0.9 for adam)."""
    import sim
    lvl = sim.load_level(args.level)
    check_orders(lvl, args.lr, args.momentum)
    world = sim.World(lvl, seed=args.seed, units=args.units)
    try:
        world.set_orders(0, optimizer=args.optimizer, lr=args.lr, momentum=args.momentum)
    except ValueError as err:
        raise UsageError(f"--optimizer/--lr/--momentum: {err}") from None
    if args.schedule is not None:
        try:
            world.set_orders(0, schedule=sim.schedule.schedule_from_text(args.schedule, world.orders[0].lr))
        except ValueError as err:
            raise UsageError(f"--schedule: {err}") from None
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
    rate = f"  schedule {o.schedule.describe()}" if o.schedule is not None and o.schedule.kind != "constant" else ""
    print(f"orders     {o.optimizer}  lr {o.lr:g}{rate}  momentum {o.momentum:g}  units {world.n_units}  "
          f"seed {world.seed}")
    print(f"steps      {out['steps']} (budget {lvl.budget})")
    stalled = f" ({out['stalled']} stalled: steps too small to move)" if out["stalled"] else ""
    print(f"units      arrived {out['arrived']}  trapped {out['trapped']}{stalled}  diverged {out['diverged']}"
          f"  descending {out['descending']}")
    first = out["first_arrival_step"]
    print(f"first      {'step ' + str(first) if first is not None else 'no unit arrived'}")
    from game.view.names import height_text
    print(f"heights    best {height_text(out['best_height'])}  global minimum {height_text(out['global_min_height'])}")
    print(f"result     {'WON ' + '*' * out['stars'] if out['won'] else 'not won'}")
    return 0


def cmd_bench(args) -> int:
    import bench
    print(json.dumps(bench.run(quick=args.quick), indent=2))
    return 0


def cmd_play(args) -> int:
    """Open the game window: the title screen, a level's briefing, or a replay."""
    import sim
    replay = None
    if args.replay:
        from sim.replay import ReplayError, load_replay
        try:
            load_replay(args.replay).play()          # check every command applies before opening a window
            replay = load_replay(args.replay)
        except (ReplayError, sim.LevelError) as err:
            raise UsageError(str(err)) from None
    elif args.level and args.level != "endless":
        sim.load_level(args.level)                   # a bad level is reported before the window opens
    if args.seed is not None and args.level != "endless":
        raise UsageError("--seed: only with 'play endless' (the seed of an endless run)")
    if not display_available():
        print(NO_DISPLAY, file=sys.stderr)
        return 2
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    import pygame
    from game.play.app import GameApp
    try:
        app = GameApp(level=args.level, replay=replay, endless_seed=args.seed)
    except pygame.error:
        print(NO_DISPLAY, file=sys.stderr)
        return 2
    try:
        return app.run()
    finally:
        pygame.quit()


TERMINAL_QUERY_S = 0.5      # blessed asks the terminal what it can do: a terminal answers in milliseconds,
                            # one that never answers (a bare pseudo-terminal) costs this much per question


def cmd_tui(args) -> int:
    """Play a level in the terminal with blessed (no pygame, no SDL)."""
    import sim
    level = sim.load_level(args.level)
    if not sys.stdout.isatty():
        raise UsageError("tui: standard output is not a terminal; try 'python main.py simulate LEVEL'")
    os.environ.setdefault("BLESSED_QUERY_TIMEOUT_SECONDS", str(TERMINAL_QUERY_S))    # before blessed is loaded
    import blessed
    from game.terminal.tui import run
    return run(blessed.Terminal(), level, seed=args.seed, ascii_only=args.ascii)


def add_sweep_parser(sub):
    """Flags of 'sweep' are read as text and checked in game/video/sweep.py, so every error is one line."""
    p = sub.add_parser("sweep", help="picture where each learning rate x momentum leads, as a PNG")
    p.add_argument("level")
    p.add_argument("--out", metavar="FILE.png", help="the .png file to write (required)")
    p.add_argument("--optimizer", metavar="NAME", help="update rule (default: the level's; SGD is shown as momentum "
                                       "when the level allows it, since its mu = 0 row is SGD)")
    p.add_argument("--lr-cells", default="100", metavar="N", help="learning rates, log-spaced (default 100)")
    p.add_argument("--momentum-cells", default="100", metavar="N", help="momenta across [0, 0.99] (default 100)")
    p.add_argument("--starts", default="8", metavar="N", help="starts per cell, from the spawn zone (default 8)")
    p.add_argument("--steps", metavar="N", help="steps per run (default: the level's budget)")
    p.add_argument("--seed", metavar="S", help="seed of the starts and the weather (default: the level's)")
    p.add_argument("--lr-min", metavar="LR", help="smallest learning rate (default: the level's)")
    p.add_argument("--lr-max", metavar="LR", help="largest learning rate (default: the level's)")
    p.add_argument("--size", default="1100x760", metavar="WxH", help="picture size WxH in pixels (default 1100x760)")
    p.add_argument("--force", action="store_true", help="overwrite an existing picture")


def add_record_parser(sub):
    """Flags of 'record' are read as text and checked in game/video/cli.py, so every error is one line."""
    p = sub.add_parser("record", help="record a descent as an MP4, a GIF, PNG frames or a web page (no window)")
    p.add_argument("level", nargs="?", help="level to record (not needed with --replay)")
    p.add_argument("--out", metavar="FILE", help="file to write: .mp4 (H.264), .gif or .html (a web page)")
    p.add_argument("--frames-dir", metavar="DIR", help="also (or only) write numbered PNG frames into DIR")
    p.add_argument("--optimizer", metavar="NAME", help="update rule (default: the level's)")
    p.add_argument("--race", metavar="A,B,..", help="several squads from the same start, one optimizer each, "
                                                    "e.g. sgd,momentum,adam")
    p.add_argument("--lr", metavar="LR[,..]", help="learning rate; with --race one for all or one per squad "
                                                   "(default: the level's; in a race, each optimizer's "
                                                   "setting as in demo --race)")
    p.add_argument("--momentum", metavar="MU[,..]", help="momentum (beta1 for adam); with --race one for all or "
                                                         "one per squad (default: the level's; for another "
                                                         "optimizer torch's, 0.9 for adam; in a race, each "
                                                         "optimizer's setting as in demo --race)")
    p.add_argument("--schedule", metavar="KIND[,..]", help="learning-rate schedule from --lr: constant, "
                   "step:STEP_SIZE:GAMMA or cosine:T_MAX[:ETA_MIN]; with --race one for all or one per squad")
    p.add_argument("--units", metavar="N", help="units per squad (default: the level's)")
    p.add_argument("--steps", metavar="N", help="steps to run (default: the level's budget)")
    p.add_argument("--seed", metavar="S", help="spawn and weather seed (default: the level's)")
    p.add_argument("--fps", metavar="N", help="frames per second (default 30, and a descent of at least 6 s: "
                   "each of few steps shows for several frames); given, one step a frame. A GIF at most 50")
    p.add_argument("--size", default="1280x720", metavar="WxH", help="frame size (default 1280x720; from 160x120 "
                                                                     "to 3840x2160, even for .mp4)")
    p.add_argument("--duration", metavar="S", help="seconds of video, steps spread over them "
                                                   "(default: one step per frame, at least 6 s of descent)")
    p.add_argument("--replay", metavar="FILE", help="record a saved replay (its orders, units and seed)")
    p.add_argument("--fog", action="store_true", help="show the fog of war (off: a video shows the terrain)")
    p.add_argument("--view", metavar="VIEW", help="relief (the sand table, default) or map (top-down)")
    p.add_argument("--orbit", metavar="DEG", help="turn the sand table by DEG degrees over the video, smoothly")
    p.add_argument("--force", action="store_true", help="overwrite an existing file or frames")


def cmd_sweep(args) -> int:
    """Sweep one optimizer over learning rate x momentum and save the picture (game/video/sweep.py)."""
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    from game.video.sweep import run
    return run(args)


def cmd_record(args) -> int:
    """Render a descent to video with the game's renderer, off-screen (SDL's dummy video driver)."""
    os.environ["SDL_VIDEODRIVER"] = "dummy"
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    from game.video.cli import RecordError, run
    try:
        return run(args)
    except RecordError as err:
        raise UsageError(str(err)) from None


def add_demo_parser(sub):
    """Flags of 'demo' are read as text and checked in game/classroom/cli.py, so every error is one line."""
    p = sub.add_parser("demo", help="classroom mode: each step explained, races, autoplay")
    p.add_argument("level", nargs="?", help="level to show (default: the first campaign level)")
    p.add_argument("--race", metavar="A,B,..", help="one squad per optimizer from the same starts, "
                                                    "e.g. sgd,momentum,nesterov,adam")
    p.add_argument("--autoplay", action="store_true", help="walk through the campaign's lessons without input")
    p.add_argument("--exit-after", metavar="S", help="quit after S seconds (frames x dt without a display)")
    p.add_argument("--scale", default="1", metavar="F", help="text and line size, 0.5 to 2.5 (default 1; + and - "
                                                             "change it live)")
    p.add_argument("--size", metavar="WxH", help="window size (default 1920x1080, or the screen if smaller)")
    p.add_argument("--fullscreen", action="store_true", help="start in fullscreen (F11 toggles)")


def cmd_demo(args) -> int:
    """Classroom mode in a window (game/classroom/)."""
    from game.classroom.cli import run
    return run(args)


def parse(ap, argv):
    """The command line's flags; an unknown flag is reported by its own command's parser (so the line
    names the command and its --help), with the command's nearest flag as a suggestion."""
    args, extra = ap.parse_known_args(argv)
    if extra:
        commands = next(a for a in ap._actions if isinstance(a, argparse._SubParsersAction)).choices
        parser = commands.get(args.command, ap)
        flags = [s for action in parser._actions for s in action.option_strings]
        names = {flag.lstrip("-"): flag for flag in flags}     # compared without the dashes all share
        close = difflib.get_close_matches(extra[0].split("=")[0].lstrip("-"), list(names), n=1, cutoff=0.75)
        hint = f" (did you mean {names[close[0]]}?)" if close else ""
        parser.error(f"unrecognized argument{'s' if len(extra) > 1 else ''}: {' '.join(extra)}{hint}")
    return args


COMMANDS = {"levels": cmd_levels, "simulate": cmd_simulate, "bench": cmd_bench, "play": cmd_play, "tui": cmd_tui,
            "sweep": cmd_sweep, "record": cmd_record, "demo": cmd_demo}


def main(argv=None) -> int:
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")    # keep stdout for our own output (JSON)
    args = parse(build_parser(), argv)
    command = args.command or "play"
    if command == "play" and not hasattr(args, "level"):
        args.level, args.replay, args.seed = None, None, None
    try:
        return COMMANDS[command](args)
    except UsageError as err:
        print(f"error: {one_line(err)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:        # output piped into `head` and the like
        sys.stderr.close()
        return 0
    except Exception as err:       # a bad level file arrives as sim.LevelError
        if type(err).__name__ == "LevelError":
            print(f"error: {one_line(err)}", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
