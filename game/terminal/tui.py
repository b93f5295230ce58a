"""Valley Command in a terminal: the map in half-block cells, units as coloured glyphs.

    python main.py tui 01-bowl            # 24-bit colour if COLORTERM says so, else 256 colours
    python main.py tui 08-himmelblau --ascii --seed 3

Controls:
    1-9, Tab        select a squad (Tab cycles)
    [ ]             halve / double the squad's learning rate (within the level's range)
    ; '  or  < >    momentum -/+ 0.05 (within the level's range)
    o               next optimizer the level allows
    c               next learning-rate schedule the level allows (constant, step decay, cosine)
    n               split the selected squad: its second half becomes a new squad
    h               hold the selected squad where it stands (it spends no supply) / resume it
    f               fog of war on/off (not during a run on a scouting level)
    Space           run / pause          .  or  s   one step (as in the window game)
    +  -            faster / slower: ¼×, ½×, 1×, 2×, 4×, 8× (as in the window game)
    r               restart the level    q, Esc   quit

The level starts paused (deployment); Space starts the descent. The simulation advances
STEPS_PER_S steps a second whatever the redraw rate; a frame is drawn after each step or key and
only the cells that changed are sent. With no keyboard (stdin not a terminal) the level runs by
itself and the program exits END_WAIT_S seconds after the result. This module needs no pygame.
"""
from __future__ import annotations

import os
import sys
import time

import numpy as np

import sim
from sim.world import MAX_SQUADS

from game.view.names import next_speed, speed_text, starting_momentum

from .frame import View, diff_frame, raster_for, render

STEPS_PER_S = 15          # simulation rate [steps/s]
MAX_CATCH_UP = 3          # most steps taken at once after a slow frame; beyond that time is dropped
IDLE_POLL_S = 0.25        # while paused, how often the size is checked [s]
MESSAGE_S = 3.0           # a message stays in the header this long [s]
END_WAIT_S = 2.0          # without a keyboard, the result stays on screen this long [s]
MOMENTUM_STEP = 0.05

KEYS = {"1": "squad1", "2": "squad2", "3": "squad3", "4": "squad4", "5": "squad5", "6": "squad6",
        "7": "squad7", "8": "squad8", "9": "squad9", "\t": "next squad", "KEY_TAB": "next squad",
        "[": "lr down", "]": "lr up", "+": "faster", "=": "faster", "-": "slower",
        ";": "momentum down", "<": "momentum down", "'": "momentum up", ">": "momentum up",
        "o": "optimizer", "c": "schedule", "n": "split", "h": "hold", "f": "fog", " ": "pause", ".": "step",
        "s": "step", "r": "restart", "q": "quit", "Q": "quit", "\x1b": "quit", "KEY_ESCAPE": "quit"}


class Session:
    """A level being played: the world, the view, and the player's commands on them."""

    def __init__(self, level, seed: int | None = None, paused: bool = True):
        self.level, self.seed = level, seed
        self.fog = True
        self.restart(paused)

    def restart(self, paused: bool = True):
        self.world = sim.World(self.level, seed=self.seed)
        self.view = View(self.level, paused=paused, fog=self.fog)
        self.view.reveal(self.world.positions)
        self.message_time = 0.0

    def say(self, text: str):
        self.view.message, self.message_time = text, time.monotonic()

    def step(self):
        self.world.step()
        self.view.reveal(self.world.positions)

    def command(self, name: str) -> bool:
        """Carry out a named command (see KEYS); False means quit."""
        w, v = self.world, self.view
        if name == "quit":
            return False
        if name == "restart":
            self.restart(paused=True)
        elif name.startswith("squad"):
            self.select(int(name[5:]) - 1)
        elif name == "next squad":
            self.select((v.squad + 1) % w.n_squads)
        elif name in ("lr up", "lr down"):
            self.change_lr(2.0 if name == "lr up" else 0.5)
        elif name in ("momentum up", "momentum down"):
            self.change_momentum(MOMENTUM_STEP if name == "momentum up" else -MOMENTUM_STEP)
        elif name == "optimizer":
            self.next_optimizer()
        elif name == "schedule":
            self.next_schedule()
        elif name == "split":
            self.split()
        elif name == "hold":
            self.hold()
        elif name == "fog" and self.level.needs == "drop" and v.fog and not w.over:
            self.say("the fog stays on this level: what it hides is for a scout to find")
        elif name == "fog":
            self.fog = v.fog = not v.fog
        elif name == "pause" and not w.over:
            v.paused = not v.paused
        elif name in ("faster", "slower"):
            v.speed = next_speed(v.speed, 1 if name == "faster" else -1)
            self.say(f"speed {speed_text(v.speed)}")
        elif name == "step" and not w.over:
            v.paused = True
            self.step()
        return True

    def select(self, squad: int):
        if squad < self.world.n_squads:
            self.view.squad = squad
        else:
            self.say(f"no squad {squad + 1}: press n to split one")

    def change_lr(self, factor: float):
        s, (low, high) = self.view.squad, self.level.lr_range
        lr = float(self.world.orders[s].lr)
        new = float(np.clip(lr * factor, low, high))
        if new == lr:
            self.say(f"lr already at its {'maximum' if factor > 1 else 'minimum'} {lr:.3g}")
            return
        self.world.set_orders(s, lr=new)
        self.say(f"Squad {s + 1}: lr {new:.3g}")

    def change_momentum(self, delta: float):
        s, (low, high) = self.view.squad, self.level.momentum_range
        mu = float(self.world.orders[s].momentum)
        new = round(float(np.clip(mu + delta, low, high)), 4)
        if new == mu:
            self.say("momentum is fixed on this level" if low == high else f"momentum already at {mu:.2f}")
            return
        self.world.set_orders(s, momentum=new)
        self.say(f"Squad {s + 1}: momentum {new:.2f}")

    def next_optimizer(self):
        s, allowed = self.view.squad, self.level.allowed
        if len(allowed) == 1:
            self.say(f"only {allowed[0]} on this level")
            return
        now = self.world.orders[s].optimizer
        name = allowed[(allowed.index(now) + 1) % len(allowed)] if now in allowed else allowed[0]
        mu = float(np.clip(starting_momentum(name), *self.level.momentum_range))   # as the game's panel
        self.world.set_orders(s, optimizer=name, momentum=mu)
        self.say(f"Squad {s + 1}: {name}")

    def next_schedule(self):
        """The squad's next learning-rate schedule the level allows (constant, step decay, cosine), from
        its rate now, as the window game's schedule picker makes it."""
        s, kinds = self.view.squad, self.level.schedules
        if len(kinds) <= 1:
            self.say("no schedules on this level")
            return
        o = self.world.orders[s]
        now = o.schedule.kind if o.schedule is not None else "constant"
        kind = kinds[(kinds.index(now) + 1) % len(kinds)] if now in kinds else kinds[0]
        sched = sim.schedule.default_schedule(kind, float(np.mean(o.lr)), self.level.budget,
                                              float(self.level.lr_range[0]))
        self.world.set_orders(s, schedule=sched)
        self.say(f"Squad {s + 1}: {kind} ({sched.describe()})" if kind != "constant" else f"Squad {s + 1}: constant lr")

    def hold(self):
        """Hold the selected squad where it stands, or let a held one go on."""
        w, s = self.world, self.view.squad
        if w.is_held(s):
            w.resume(s)
            self.say(f"Squad {s + 1} resumed")
        else:
            w.hold(s)
            self.say(f"Squad {s + 1} held: it spends no supply")

    def split(self):
        """The selected squad's second half (by unit number) becomes a new squad with the same orders."""
        w, s = self.world, self.view.squad
        members = np.flatnonzero(w.squad == s)
        if w.n_squads >= MAX_SQUADS or len(members) < 2:
            self.say("cannot split: " + ("nine squads already" if len(members) >= 2 else "one unit left"))
            return
        o, new = w.orders[s], w.n_squads
        w.assign(members[len(members) // 2:], new)
        w.set_orders(new, optimizer=o.optimizer, lr=o.lr, momentum=o.momentum)
        self.view.squad = new
        self.say(f"Squad {new + 1} formed from squad {s + 1}")


def colour_mode(term, ascii_only: bool = False) -> str:
    """'ascii' if asked (or the terminal has no colour), 'truecolor' if COLORTERM says so, else '256'."""
    if ascii_only or term.number_of_colors < 8:
        return "ascii"
    if os.environ.get("COLORTERM", "").lower() in ("truecolor", "24bit"):
        return "truecolor"
    return "256"


def run(term, level, seed: int | None = None, ascii_only: bool = False) -> int:
    """Play ``level`` on the blessed Terminal ``term`` until the player quits."""
    keyboard = _stdin_is_tty()
    session = Session(level, seed, paused=keyboard)
    mode = colour_mode(term, ascii_only)
    out = term.stream.buffer if hasattr(term.stream, "buffer") else None
    with term.fullscreen(), term.cbreak(), term.hidden_cursor():
        try:
            return _loop(term, session, mode, keyboard, lambda data: _write(term, out, data))
        except EOFError:                    # the keyboard closed: the terminal went away
            return 0
        finally:
            _write(term, out, (term.normal or "").encode())


def _loop(term, session: Session, mode: str, keyboard: bool, write) -> int:
    """Read keys, advance the world at STEPS_PER_S, redraw what changed; return on quit."""
    raster, shown, size, dirty = None, None, None, True
    next_step, ended = time.monotonic(), None
    while True:
        running = not session.view.paused and not session.world.over
        wait = max(0.0, next_step - time.monotonic()) if running else IDLE_POLL_S
        key = term.inkey(timeout=min(wait, IDLE_POLL_S))
        if key:
            name = KEYS.get(key.name or "") or KEYS.get(str(key))
            if name and not session.command(name):
                return 0
            dirty = True
        now = time.monotonic()
        next_step, stepped = _advance(session, next_step, now)
        dirty |= stepped
        if session.view.message and now - session.message_time > MESSAGE_S:
            session.view.message, dirty = "", True
        if (term.width, term.height) != size:
            size, shown, dirty = (term.width, term.height), None, True
            write(((term.normal or "") + (term.clear or "")).encode())
        if dirty:
            raster = raster_for(session.level, size[0], size[1], mode, raster)
            frame = render(session.world, session.view, size[0], size[1], mode, raster)
            write(diff_frame(shown, frame))
            shown, dirty = frame, False
        if session.world.over and not keyboard:
            ended = ended or now
            if now - ended >= END_WAIT_S:
                return 0


def _advance(session: Session, next_step: float, now: float) -> tuple:
    """Take the simulation steps due by ``now`` (STEPS_PER_S times the view's speed, at most
    MAX_CATCH_UP times the speed at once); return the time of the next step and whether any step
    was taken. Paused, the clock waits."""
    if session.view.paused or session.world.over:
        return now, False
    taken, period = 0, 1.0 / (STEPS_PER_S * session.view.speed)
    while next_step <= now and taken < MAX_CATCH_UP * max(1, session.view.speed):
        session.step()
        next_step += period
        taken += 1
    return max(next_step, now - period), taken > 0


def _write(term, out, data: bytes):
    if out is not None:
        out.write(data)
        out.flush()
    else:
        term.stream.write(data.decode("utf-8"))
        term.stream.flush()


def _stdin_is_tty() -> bool:
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (ValueError, OSError):
        return False
