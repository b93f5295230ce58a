"""Fuzz: replay files. JSON objects with every field of a replay changed to another JSON value,
level names that are paths, devices or misspellings, level text carried inside, timelines of
random commands, and raw JSON-like text. A replay loads and plays, or is refused with a one-line
ReplayError or LevelError; ``play --replay`` and ``record --replay`` exit 0 or 2 with one line."""
import json

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

import sim
from sim.replay import ReplayError, load_replay
from tests.fuzz import (NASTY_TEXT, NUMBERS, SCALARS, TEXTS, assert_one_line_naming, bounded, deep, fuzz_settings,
                        json_values, run_main, stub_windows_and_long_jobs)

LEVEL_TEXT = (sim.levels.LEVELS_DIR / "01-bowl.toml").read_text()
LEVEL_NAMES = ["01-bowl", "02-overshoot", "random:3", "random:3:easy", "/dev/zero", "levels/01-bowl.toml",
               "../levels/01-bowl.toml", "01-bowl.toml", "random:03", "random:", "random:3:insane", "nope", *NASTY_TEXT]
FIELDS = ("version", "level", "level_toml", "seed", "units", "steps", "timeline")
SMALL_INT = st.integers(-2, 12)
ORDERS = st.sampled_from([*sim.OPTIMIZERS, "lbfgs", "", "SGD"])
SCHEDULE = st.fixed_dictionaries({"kind": st.sampled_from(["step", "cosine", "constant", "warmup"]),
                                  "lr": st.one_of(st.floats(1e-4, 2.0), SCALARS)},
                                 optional={"step_size": st.one_of(st.integers(-1, 50), SCALARS),
                                           "gamma": st.one_of(st.floats(0, 1.5), SCALARS),
                                           "t_max": st.one_of(st.integers(-1, 50), SCALARS),
                                           "eta_min": st.one_of(st.floats(-0.1, 1.0), SCALARS)})


@st.composite
def commands(draw):
    """A timeline entry: a well-formed assign or set_orders with edge values, or anything."""
    step = draw(st.one_of(st.integers(0, 30), NUMBERS, SCALARS))
    kind = draw(st.sampled_from(["assign", "set_orders", "hold", "resume", "drop", "redeploy", "other"]))
    if kind == "assign":
        units = draw(st.one_of(st.lists(SMALL_INT, max_size=6), json_values()))
        return [step, "assign", units, draw(st.one_of(SMALL_INT, SCALARS))]
    if kind == "set_orders":
        lr = draw(st.one_of(st.floats(1e-4, 2.0), NUMBERS, SCALARS))
        mu = draw(st.one_of(st.floats(0, 0.99), NUMBERS, SCALARS))
        entry = [step, "set_orders", draw(st.one_of(SMALL_INT, SCALARS)), draw(st.one_of(ORDERS, SCALARS)), lr, mu]
        return entry + draw(st.one_of(st.just([]), st.lists(st.one_of(SCHEDULE, json_values()), max_size=1)))
    if kind in ("hold", "resume"):
        return [step, kind, draw(st.one_of(SMALL_INT, SCALARS))]
    if kind in ("drop", "redeploy"):
        centre = draw(st.one_of(st.lists(st.floats(-6, 6), min_size=2, max_size=2), json_values()))
        entry = [step, kind, draw(st.one_of(SMALL_INT, SCALARS)), centre]
        if kind == "drop":
            entry.append(draw(st.one_of(st.integers(-1, 60), SCALARS)))
            entry += draw(st.lists(st.one_of(st.fixed_dictionaries({"lr": st.floats(1e-4, 2.0)}), json_values()),
                                   max_size=1))
        return entry
    return draw(st.one_of(st.lists(json_values(), max_size=5), json_values()))


@st.composite
def replays(draw):
    """A replay of a small run with some fields changed, added or removed."""
    data = {"version": draw(st.sampled_from([1, 2])), "level": "01-bowl", "seed": draw(st.integers(0, 50)),
            "units": draw(st.integers(1, 12)),
            "steps": draw(st.integers(0, 40)), "timeline": draw(st.lists(commands(), max_size=6))}
    data["timeline"].sort(key=lambda e: e[0] if isinstance(e, list) and e and isinstance(e[0], int)
                          and not isinstance(e[0], bool) else 0)
    for _ in range(draw(st.integers(0, 3))):
        key = draw(st.one_of(st.sampled_from(FIELDS), st.text(max_size=8)))
        what = draw(st.sampled_from(["value", "value", "level", "text", "delete"]))
        if what == "delete":
            data.pop(key, None)
        elif what == "level":
            data["level"] = draw(st.one_of(st.sampled_from(LEVEL_NAMES), TEXTS))
        elif what == "text":
            data["level"] = draw(st.sampled_from(["mine", "my-level", "a/b", "random:1"]))
            data["level_toml"] = draw(st.one_of(st.just(LEVEL_TEXT), st.just(LEVEL_TEXT.replace("60", "-60")),
                                                st.just("x = " + deep("[", "]", 20)), TEXTS, json_values()))
        else:
            data[key] = draw(json_values())
    return data


@st.composite
def raw_texts(draw):
    """JSON-like text: a replay with one part repeated, nested or enlarged, or noise."""
    good = json.dumps({"version": 1, "level": "01-bowl", "seed": 1, "units": 3, "steps": 2, "timeline": []})
    n = draw(st.sampled_from([1, 10, 1000, 100_000]))
    part = draw(st.sampled_from([deep("[", "]", n), deep('{"a":', "}", n).replace('{"a":}', "1"), "9" * n,
                                 '"' + "x" * n + '"', "NaN", "-Infinity", "1e400", "[" * n]))
    where = draw(st.sampled_from(['"seed": 1', '"timeline": []', '"level": "01-bowl"', '"units": 3']))
    key = where.split(":")[0]
    noise = draw(st.text(alphabet='[]{}:,"0123456789eE.-+ \ntruefalsn', max_size=40))
    return draw(st.sampled_from([good.replace(where, f"{key}: {part}"), part, noise, good + noise]))


def check_replay(path):
    """Load and play: a finished world, or a one-line refusal naming the file."""
    with bounded():
        try:
            world = load_replay(path).play()
        except (ReplayError, sim.LevelError) as err:
            message = str(err)
            assert "\n" not in message and str(path) in message and len(message) < 1000, message
            return None
    assert isinstance(world, sim.World)
    return world


def write(folder, data) -> str:
    path = folder / "run.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8",
                    errors="surrogatepass")
    return path


@fuzz_settings(400)
@given(data=replays())
def test_generated_replays(tmp_path_factory, data):
    path = write(tmp_path_factory.mktemp("replay"), data)
    world = check_replay(path)
    event("plays" if world is not None else "refused")


@fuzz_settings(250)
@given(text=raw_texts())
def test_raw_replay_text(tmp_path_factory, text):
    check_replay(write(tmp_path_factory.mktemp("raw"), text))


@pytest.fixture
def no_windows(monkeypatch):
    stub_windows_and_long_jobs(monkeypatch)


@fuzz_settings(150)
@given(data=replays(), command=st.sampled_from(["play", "record"]))
def test_play_and_record_a_replay_from_the_command_line(tmp_path_factory, no_windows, data, command):
    folder = tmp_path_factory.mktemp("cli")
    path = write(folder, data)
    argv = ["play", "--replay", str(path)] if command == "play" else \
        ["record", "--replay", str(path), "--out", str(folder / "run.gif")]
    status, out, err = run_main(argv)
    if status != 0:
        assert_one_line_naming(status, err, [str(path)])
