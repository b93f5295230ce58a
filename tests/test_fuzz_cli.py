"""Fuzz: command lines. main.main with generated commands, levels, flags and values -- numbers
out of range, NaN, text where a number goes, '--', empty values, huge and strange strings, flags
twice or unknown, paths that are devices or too long. No window opens, no video is written and no
sweep runs (they are stubbed); each case exits 0, or 2 with one line naming a flag, the level or
the file, within its time and memory bounds."""
import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from tests.fuzz import (NASTY_TEXT, assert_one_line_naming, fuzz_settings, run_main, shown_forms,
                        stub_windows_and_long_jobs)

LEVELS = ["01-bowl", "08-himmelblau", "random:3", "random:3:easy", "01-bowll", "no-such-level", "random:1_000",
          "random:\u0663", "/dev/zero", "/dev/null", "/nonexistent/x.toml", "levels", "levels/01-bowl.toml",
          "b" * 300, "c" * 300 + ".toml", *NASTY_TEXT]
COUNT = ["0", "1", "3", "12", "-1", "1e3", "2.5", "100001", "10000000", "9" * 30]
RATE = ["0.01", "0.5", "1e-8", "1e9", "0", "-1", "1e-300", "3", "0.9", "0.99", "1", "1.5"]
SIZE = ["1280x720", "640x360", "161x121", "160x120", "100x100", "8192x8192", "9000x9000", "x", "1280", "axb",
        "1280x", "-1x-1", "1e3x720"]
NAMES = ["sgd", "adam", "momentum", "nesterov", "adagrad", "rmsprop", "lbfgs", "SGD", "sgd,adam", "sgd,sgd",
         "sgd,momentum,nesterov,adagrad,rmsprop,adam", ",", "sgd,,adam", "adam," * 12]
OUT = ["x.mp4", "x.gif", "x.png", "x.avi", "x", "dir/x.mp4", "/dev/null", "/dev/zero.gif", "a" * 300 + ".gif",
       "nodir/deeper/x.gif", ".", "/", "frames"]
FLAGS = {
    "simulate": {"--optimizer": NAMES, "--lr": RATE, "--momentum": RATE, "--units": COUNT, "--steps": COUNT,
                 "--seed": COUNT, "--json": None},
    "sweep": {"--out": OUT, "--optimizer": NAMES, "--lr-cells": COUNT, "--momentum-cells": COUNT,
              "--starts": COUNT, "--steps": COUNT, "--seed": COUNT, "--lr-min": RATE, "--lr-max": RATE,
              "--size": SIZE},
    "record": {"--out": OUT, "--frames-dir": OUT, "--optimizer": NAMES, "--race": NAMES, "--lr": RATE + ["0.1,0.2"],
               "--momentum": RATE + ["0,0.9"], "--units": COUNT, "--steps": COUNT, "--seed": COUNT,
               "--fps": COUNT + ["30", "60", "120"], "--size": SIZE, "--duration": RATE + ["3600", "3601"],
               "--replay": ["/dev/zero", "missing.json", "x" * 300], "--fog": None, "--force": None},
    "demo": {"--race": NAMES, "--autoplay": None, "--exit-after": RATE, "--scale": RATE + ["2.5", "0.5"],
             "--size": SIZE, "--fullscreen": None},
    "play": {"--replay": ["/dev/zero", "missing.json", "x" * 300, "/dev/null"]},
    "tui": {"--ascii": None, "--seed": COUNT},
}
STRANGE = st.one_of(st.sampled_from(NASTY_TEXT), st.text(max_size=20))


@st.composite
def command_lines(draw):
    command = draw(st.sampled_from(sorted(FLAGS)))
    strange = draw(st.booleans())              # values from anywhere, or from the flag's own pool
    argv = [command]
    if draw(st.integers(0, 7)):
        argv.append(draw(st.one_of(st.sampled_from(LEVELS), STRANGE) if strange else st.sampled_from(LEVELS[:4])))
    flags = FLAGS[command]
    for flag in draw(st.lists(st.sampled_from(sorted(flags)), max_size=4)):
        pool = flags[flag]
        if pool is None:
            argv.append(flag)
            continue
        value = draw(st.one_of(st.sampled_from(pool), STRANGE) if strange else st.sampled_from(pool))
        argv += [f"{flag}={value}"] if draw(st.booleans()) else [flag, value]
    if command == "simulate" and draw(st.integers(0, 3)):           # keep valid runs short
        argv += ["--steps", draw(st.sampled_from(["1", "5", "40"])), "--units", draw(st.sampled_from(["1", "8"]))]
    if draw(st.integers(0, 9)) == 0:
        argv.insert(draw(st.integers(0, len(argv))), draw(st.one_of(st.sampled_from(["--", "-x", "--nope"]), STRANGE)))
    return argv


def names_in(argv) -> list:
    """What a one-line error may name: a flag given, a value or level as typed or quoted, the command."""
    names = []
    for a in argv:
        flag, eq, value = a.partition("=") if a.startswith("--") else ("", "", a)
        names += ([flag] if len(flag) > 2 else []) + (shown_forms(value) if value else [])
    return names + [f"main.py {argv[0]}", "main.py:", "LEVEL", "--out", "--replay", "random:SEED", "no display"]


@pytest.fixture
def quiet_cli(monkeypatch, tmp_path):
    stub_windows_and_long_jobs(monkeypatch)
    (tmp_path / "dir").mkdir()
    (tmp_path / "frames").mkdir()
    monkeypatch.chdir(tmp_path)


@fuzz_settings(600)
@given(argv=command_lines())
def test_generated_command_lines(quiet_cli, argv):
    status, out, err = run_main(argv)
    event(f"{argv[0]} exit {status}")
    if status == 0:
        return
    assert_one_line_naming(status, err, names_in(argv))


@fuzz_settings(150)
@given(args=st.lists(st.one_of(st.sampled_from(["simulate", "01-bowl", "--lr", "--", "-h", "play", "record",
                                                "--out", "x.gif", "--race"]), STRANGE), max_size=6))
def test_any_words_at_all(quiet_cli, args):
    if any(a in ("-h", "--help") for a in args):
        return                                           # help prints and exits 0
    status, out, err = run_main(args)
    if status not in (0, 130):
        assert status == 2 and len(err.splitlines()) == 1, (args, status, err)
