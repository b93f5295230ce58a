"""The ``record`` command: its flags checked into a ``Recording``, the recording made, one line of report.

    python main.py record 03-ravine --out ravine.mp4 --optimizer momentum --lr 2 --momentum 0.7
    python main.py record 08-himmelblau --out race.gif --race sgd,momentum,adam --lr 0.02,0.02,0.1 --size 640x360
    python main.py record --replay run.json --out run.mp4 --frames-dir frames/
    python main.py record 08-himmelblau --out race.html --race sgd,momentum,adam    # a web page (page.py)

Every flag arrives as text (see ``main.add_record_parser``) and is checked here, so a bad one gets a
single line naming it -- exit status 2. Sizes: 160x120 up to 3840x2160; an MP4 (H.264, yuv420p) needs
an even width and height, so odd sizes are refused for .mp4 rather than silently changed. A GIF plays
at most 50 frames per second: its delays are whole hundredths of a second, and browsers slow down
anything shorter than two. A web page (.html) holds at most page.MAX_UNIT_STEPS positions; it has
no frames, so --fps, --size and --duration do not apply to it, and it shows no fog.
"""
from __future__ import annotations

import os
import sys
from dataclasses import replace
from pathlib import Path

import sim
from sim.schedule import schedule_from_text

from game.cli import number, path_flag, quoted, range_note, shown
from game.cli import race_names as cli_race_names
from sim.race_orders import sensible_orders

from . import encoders, page
from .record import FPS, MIN_DESCENT, Recording, record, schedule

MAX_FPS, MAX_GIF_FPS = 120, 50
MIN_SIZE, MAX_SIZE = (160, 120), (3840, 2160)       # [px]
MAX_DURATION = 3600.0                                # [s]
MAX_ORBIT = 1080        # --orbit turns the table by at most three full turns [deg]
MAX_SEED = 2**63 - 1
PAGE = ".html"           # --out with this suffix writes a web page (page.py), not a video


class RecordError(ValueError):
    """A recording that cannot be made as asked; ``str(err)`` is one line naming the flag."""


def run(args) -> int:
    """Check the flags, record with a progress bar, report in one line. Returns the exit status."""
    rec, out, frames_dir = recording_from_args(args)
    if out is not None and out.suffix.lower() == PAGE:
        return _write_page(rec, out)
    result = record(rec, out, frames_dir, progress=True)
    where = " and ".join(str(p) for p in result.written)
    spared = ""
    if out is not None and out.exists() and out not in result.written:
        spared = f"; {out} left as it was"               # a partial never replaces an earlier file
    if result.error:
        kept = f"kept what was written before it in {where}" if where else "no file written"
        print(f"error: {result.error}; {kept}{spared}", file=sys.stderr)
        return 1
    if result.interrupted:
        print(f"interrupted: wrote {result.frames} frames to {where or 'no file'}{spared}", file=sys.stderr)
        return 130
    w, h = rec.size
    rate = result.frames / max(result.seconds, 1e-9)
    print(f"wrote {where}: {result.frames} frames, {w}x{h}, {result.frames / rec.fps:.1f} s at {rec.fps} fps "
          f"(recorded at {rate:.0f} frames/s)")
    return 0


def _write_page(rec: Recording, out: Path) -> int:
    """Write a web page of the recording; report it in one line."""
    result = page.write_page(rec, out)
    every = "every unit's" if result.explained == result.units else f"{result.explained} units'"
    print(f"wrote {out}: a web page of {result.steps} steps x {result.units} units, {result.bytes / 1024:.0f} KB, "
          f"{every} steps explained ({result.seconds:.1f} s)")
    return 0


def _view(text) -> str:
    """--view: relief (the sand table, the default) or map."""
    view = (text or "relief").strip().lower()
    if view not in ("relief", "map"):
        raise RecordError(f"--view: expected relief or map, got {text!r}")
    return view


def recording_from_args(args) -> tuple:
    """(Recording, --out path or None, --frames-dir path or None), or a RecordError."""
    if not args.out and not args.frames_dir:
        raise RecordError("record: give --out FILE.mp4|FILE.gif|FILE.html, or --frames-dir DIR, or both")
    out = _out(args.out, args.force) if args.out else None
    if out is not None and out.suffix.lower() == PAGE:
        _check_page_flags(args)
    frames_dir = _frames_dir(args.frames_dir, args.force) if args.frames_dir else None
    gif = out is not None and out.suffix.lower() == ".gif"
    fps = _number(args.fps or str(FPS), "--fps", int, 1, MAX_GIF_FPS if gif else MAX_FPS,
                  " (a GIF's delays are hundredths of a second; use .mp4 for more)" if gif else "")
    size = _size(args.size, even=out is not None and out.suffix.lower() == ".mp4")
    duration = None if args.duration is None else _number(args.duration, "--duration", float, 0.1, MAX_DURATION)
    if args.replay:
        rec = _replay_recording(args)
    else:
        rec = _orders_recording(args)
    steps = rec.steps if args.steps is None else _number(args.steps, "--steps", int, 1, sim.levels.MAX_BUDGET)
    if rec.replay is not None:
        steps = min(steps, rec.steps)
    view = _view(args.view)
    orbit = 0.0 if args.orbit is None else _number(args.orbit, "--orbit", float, -MAX_ORBIT, MAX_ORBIT)
    if orbit and view != "relief":
        raise RecordError("--orbit turns the sand table; it needs --view relief")
    pace = None if args.fps is not None else MIN_DESCENT        # --fps: one frame per step at that rate
    rec = replace(rec, steps=steps, fps=fps, size=size, duration=duration, fog=args.fog, view=view, orbit=orbit,
                  pace=pace)
    if gif:
        _check_gif_memory(rec, args.out)
    if out is not None and out.suffix.lower() == PAGE:
        _check_page_size(rec, args.out)
    return rec, out, frames_dir


# -- files -----------------------------------------------------------------------------------------
def _out(text: str, force: bool) -> Path:
    """--out: a new .mp4 or .gif file in a folder that exists and may be written (or --force)."""
    out = path_flag(text, "--out", RecordError)
    text = shown(text)
    if out.is_dir():
        raise RecordError(f"--out {text}: is a folder; give a file name ending in .mp4, .gif or .html")
    if out.suffix.lower() not in (*encoders.EXTENSIONS, PAGE):
        ext = f"extension {quoted(out.suffix)}" if out.suffix else "file name without an extension"
        raise RecordError(f"--out {text}: unknown {ext}; use .mp4 (H.264 video), .gif or .html (a web page)")
    _writable_folder(out.parent, f"--out {text}")
    if out.exists() and not force:
        raise RecordError(f"--out {text}: already exists; add --force to overwrite it")
    if out.exists() and not os.access(out, os.W_OK):
        raise RecordError(f"--out {text}: not allowed to overwrite it")
    return out


def _frames_dir(text: str, force: bool) -> Path:
    """--frames-dir: a folder (made if need be) not yet holding frames (or --force)."""
    folder = path_flag(text, "--frames-dir", RecordError)
    text = shown(text)
    if folder.exists() and not folder.is_dir():
        raise RecordError(f"--frames-dir {text}: is a file, not a folder")
    _writable_folder(folder if folder.exists() else folder.parent, f"--frames-dir {text}")
    old = len(list(folder.glob("frame_*.png"))) if folder.is_dir() else 0
    if old and not force:
        raise RecordError(f"--frames-dir {text}: already holds {old} frames; add --force to replace them")
    return folder


def _writable_folder(folder: Path, flag: str):
    folder = folder if str(folder) else Path(".")
    if not folder.is_dir():
        raise RecordError(f"{flag}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise RecordError(f"{flag}: not allowed to write in {folder}")


# -- numbers ---------------------------------------------------------------------------------------
def _number(text, flag: str, kind, low, high, hint: str = ""):
    """The number a flag's text holds, within [low, high], or a one-line RecordError."""
    return number(text, flag, kind, low, high, RecordError, hint)


def _size(text: str, even: bool) -> tuple:
    """--size WxH within MIN_SIZE..MAX_SIZE; even sides for H.264."""
    w, sep, h = str(text).lower().partition("x")
    if not sep:
        raise RecordError(f"--size: expected WIDTHxHEIGHT such as 1280x720, got {text!r}")
    size = (_number(w, "--size width", int, MIN_SIZE[0], MAX_SIZE[0]),
            _number(h, "--size height", int, MIN_SIZE[1], MAX_SIZE[1]))
    if even and (size[0] % 2 or size[1] % 2):
        fix = f"{size[0] + size[0] % 2}x{size[1] + size[1] % 2}"
        raise RecordError(f"--size {text}: H.264 video needs an even width and height; try --size {fix}")
    return size


def _check_gif_memory(rec: Recording, name: str):
    """A GIF is written in one go from frames held in memory: refuse one that would not fit."""
    frames = schedule(rec.steps, rec.fps, rec.duration, rec.pace or 0.0).frames     # at most this many
    need = frames * rec.size[0] * rec.size[1]
    if need > encoders.GIF_MAX_BYTES:
        raise RecordError(f"--out {name}: {frames} frames of {rec.size[0]}x{rec.size[1]} would need "
                          f"{need / 1024**3:.1f} GB of memory as a GIF; use .mp4, a smaller --size or a --duration")


def _check_page_flags(args):
    """A page has no frames and shows the ground: refuse the flags that would not change it."""
    if args.frames_dir:
        raise RecordError("--frames-dir: a web page has no frames; record the frames with a separate command")
    if args.duration is not None:
        raise RecordError("--duration: a web page plays at the speed the viewer picks; drop --duration")
    if args.fog:
        raise RecordError("--fog: a web page shows the whole map; drop --fog")
    if args.orbit is not None:
        raise RecordError("--orbit: a web page shows the sand table from one side; drop --orbit")


def _check_page_size(rec: Recording, name: str):
    """A page holds every unit's position at every step: refuse one that would be absurdly large, and
    a replay whose drops add units on the way (the page's steps all hold the same units)."""
    if rec.replay is not None and any(entry[1] == "drop" for entry in rec.replay.timeline):
        raise RecordError(f"--out {name}: a web page shows the same units at every step, and this replay drops "
                          f"fresh ones on the way; record it as .mp4 or .gif")
    units = rec.replay.units if rec.replay is not None else rec.units * max(1, len(rec.squads))
    need = page.unit_steps(units, rec.steps)
    if need > page.MAX_UNIT_STEPS:
        raise RecordError(f"--out {name}: {units:,} units over {rec.steps:,} steps are {need:,} positions; a web page "
                          f"holds at most {page.MAX_UNIT_STEPS:,}: use fewer --units or --steps, or .mp4")


# -- orders ----------------------------------------------------------------------------------------
def _level(name: str) -> sim.Level:
    try:
        return sim.load_level(name)
    except sim.LevelError as err:
        raise RecordError(str(err)) from None


def _orders_recording(args) -> Recording:
    """A recording of one squad, or of a race: --optimizer or --race, with --lr and --momentum."""
    if not args.level:
        raise RecordError("record: name a LEVEL (or give --replay FILE)")
    level = _level(args.level)
    if args.race and args.optimizer:
        raise RecordError("--race: gives each squad its optimizer; drop --optimizer")
    names = race_names(args.race) if args.race else [args.optimizer or level.optimizer]
    if args.optimizer is not None and args.optimizer not in sim.OPTIMIZERS:
        raise RecordError(f"--optimizer: unknown optimizer {quoted(args.optimizer)}; "
                          f"choose from {', '.join(sim.OPTIMIZERS)}")
    lrs = _per_squad(args.lr, "--lr", len(names), None)
    mus = _per_squad(args.momentum, "--momentum", len(names), None)
    kinds = _per_squad(args.schedule, "--schedule", len(names), None, text_values=True)
    squads = []
    for name, lr, mu, kind in zip(names, lrs, mus, kinds):
        first = squad_orders(level, name, race=args.race is not None)
        lr = first.lr if lr is None else lr
        mu = first.momentum if mu is None else mu
        if not lr > 0:
            raise RecordError(f"--lr for {name}: the learning rate must be a number > 0, got {lr:g}")
        if not 0 <= mu < 1:
            raise RecordError(f"--momentum for {name}: the momentum must be in [0, 1), got {mu:g}")
        try:
            schedule = None if kind is None else schedule_from_text(kind, lr)
        except ValueError as err:
            raise RecordError(f"--schedule for {name}: {err}") from None
        squads.append(sim.Orders(name, lr, mu, schedule))
    _note_out_of_range(level, args, squads)
    units = level.units if args.units is None else _number(args.units, "--units", int, 1, sim.levels.MAX_UNITS)
    if units * len(squads) > sim.levels.MAX_UNITS:
        raise RecordError(f"--units: {units} units x {len(squads)} squads is more than {sim.levels.MAX_UNITS}")
    seed = level.seed if args.seed is None else _number(args.seed, "--seed", int, 0, MAX_SEED)
    return Recording(level, tuple(squads), units, level.budget, seed)


def _note_out_of_range(level, args, squads):
    """One line on stderr for each --lr and --momentum value given outside the level's own range
    (as ``simulate`` says it): taken, not refused. A momentum given to a rule without one (SGD,
    AdaGrad) is not a setting and gets no note."""
    momenta = [o.momentum for o in squads if sim.make_optimizer(o.optimizer, lr=0.1).uses_momentum]
    for flag, given, values in (("--lr", args.lr, [o.lr for o in squads]),
                                ("--momentum", args.momentum, momenta)):    # (SGD's 0 in a race is no setting)
        notes = [] if given is None else [range_note(level, flag, v) for v in values]
        for note in dict.fromkeys(n for n in notes if n):          # each once, in order
            print(note, file=sys.stderr)


def race_names(text: str) -> list:
    """--race: optimizer names, comma-separated, each once, at most MAX_SQUADS (game.cli.race_names)."""
    return cli_race_names(text, sim.OPTIMIZERS, sim.world.MAX_SQUADS, RecordError)


def squad_orders(level, name: str, race: bool) -> sim.Orders:
    """A squad's learning rate and momentum where --lr and --momentum do not give them. In a race,
    the setting the classroom's race starts from (``sensible_orders``: an adaptive rule's eta is
    sized to the map, not the level's SGD eta). Alone, the level's lr; its momentum for the level's
    own optimizer, torch's default for another (beta1 = 0.9 for adam, else 0)."""
    if race:
        return sensible_orders(level, name)
    mu = level.momentum if name == level.optimizer else sim.optim.default_momentum(name)
    return sim.Orders(name, level.lr, mu)


def _per_squad(text, flag: str, n: int, default, text_values: bool = False) -> list:
    """A flag's value for each of n squads: one number (or word, ``text_values``) for all, or n of
    them separated by commas."""
    if text is None:
        return [default] * n
    parts = str(text).split(",")
    if len(parts) not in (1, n):
        raise RecordError(f"{flag}: expected one value or {n} (one per squad of --race), got {len(parts)}")
    values = parts if text_values else [_number(p, flag, float, -1e6, 1e6) for p in parts]   # checked closer later
    return values * n if len(values) == 1 else values


def _replay_recording(args) -> Recording:
    """A recording of a saved replay: its level, units, seed and orders."""
    from sim.replay import ReplayError, load_replay
    for flag in ("optimizer", "race", "lr", "momentum", "schedule", "units", "seed"):
        if getattr(args, flag) is not None:
            raise RecordError(f"--replay: the replay gives the orders, units and seed; drop --{flag}")
    try:
        replay = load_replay(args.replay)
        replay.play()                              # every command must apply before recording starts
    except (ReplayError, sim.LevelError) as err:
        raise RecordError(str(err)) from None
    if args.level and _level(args.level).id != replay.level.id:
        raise RecordError(f"{shown(args.level)}: the replay {shown(args.replay)} is of level {replay.level.id}")
    return Recording(replay.level, (), replay.units, max(1, replay.steps), replay.seed, replay=replay)
