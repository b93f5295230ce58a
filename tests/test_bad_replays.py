"""Replays that once raised a traceback, hung, or opened a file they named: now one line, exit 2;
a replay names a campaign level or random:SEED, or carries its level's text."""
import json

import numpy as np
import pytest

import main
import sim
from sim.replay import Recorder, ReplayError, load_replay
from tests.cli_run import cli, one_line_error

from .test_replay import GOOD, WINDY_LEVEL


def write(tmp_path, text):
    path = tmp_path / "run.json"
    path.write_text(text if isinstance(text, str) else json.dumps(text))
    return path


def good(**change):
    return json.dumps({**GOOD, **change})


BAD = {
    "deep_arrays": (good(timeline=[]).replace('"timeline": []', '"timeline": ' + "[" * 100_000 + "]" * 100_000),
                    "nested too deeply"),
    "long_integer": (good(seed=0).replace('"seed": 0', '"seed": 1' + "0" * 5000), "more than 30 digits"),
    "integer_lr_too_large_for_a_float": (good(timeline=[[0, "set_orders", 0, "sgd", 7, 0.0]]).replace(
        '"sgd", 7,', '"sgd", ' + "9" * 320 + ","), "more than 30 digits"),
    "nan": (good().replace('"seed": 1', '"seed": NaN'), "NaN"),
    "level_is_a_device": (good(level="/dev/zero"), "level: '/dev/zero' is a path"),
    "level_is_a_path": (good(level="levels/01-bowl.toml"), "is a path"),
    "level_is_unknown": (good(level="01-bowl\n"), "no such campaign level"),
    "squad_minus_one": (good(timeline=[[0, "set_orders", -1, "sgd", 0.5, 0.0]]), "timeline[0][2]"),
    "squad_nine": (good(timeline=[[0, "set_orders", 9, "sgd", 0.5, 0.0]]), "timeline[0][2]"),
    "no_version": (json.dumps({k: v for k, v in GOOD.items() if k != "version"}), "version: missing"),
    "another_version": (good(version=3), "version: expected 1 or 2"),
    "drop_into_the_fog": (good(version=2, timeline=[[0, "drop", 1, [3.5, -3.5], 2]]), "timeline[0]: the landing "),
    "drop_without_units": (good(version=2, timeline=[[0, "drop", 1, [3.5, -3.5], 0]]), "timeline[0][4]"),
    "drop_with_bad_orders": (good(version=2, timeline=[[0, "drop", 1, [0, 0], 1, {"lr": "fast"}]]),
                             "timeline[0][5].lr"),
    "bad_schedule": (good(version=2, timeline=[[0, "set_orders", 0, "sgd", 0.5, 0.0, {"kind": "cosine", "lr": 0.5,
                                                                                      "t_max": 0, "eta_min": 0.1}]]),
                     "timeline[0][6]: t_max"),
    "hold_a_squad_not_formed": (good(version=2, timeline=[[0, "hold", 4]]), "timeline[0]: no squad 4"),
    "seed_too_large": (good(seed=2**64), "seed"),
    "unknown_key": (good(levle="x"), "'levle': unknown key"),
    "random_misspelt": (good(level="random:1_000"), "random:SEED"),
    "text_with_a_path_for_a_name": (good(level="../x", level_toml="title = 1"), "plain name"),
    "text_not_a_level": (good(level="mine", level_toml="title = 1"), "level_toml"),
    "text_nested": (good(level="mine", level_toml="x = " + "[" * 50 + "]" * 50), "nested too deeply"),
    "too_much_work": (good(units=10_000, steps=100_000), "unit-steps"),
    "too_many_commands": (good(timeline=[[0, "assign", [1], 1]] * 20_001), "at most 20,000"),
}


@pytest.mark.parametrize("case", sorted(BAD))
@pytest.mark.parametrize("command", ["play", "record"])
def test_a_bad_replay_is_one_line_in_play_and_record(tmp_path, capsys, case, command):
    text, needle = BAD[case]
    path = write(tmp_path, text)
    argv = ["play", "--replay", str(path)] if command == "play" else \
        ["record", "--replay", str(path), "--out", str(tmp_path / "run.gif")]
    line = one_line_error(cli(capsys, *argv), str(path), needle)
    assert len(line) < 400


def test_a_number_a_float_cannot_hold_is_not_a_number(tmp_path):
    from sim.replay import parse_replay
    data = {**GOOD, "timeline": [[0, "set_orders", 0, "sgd", 10**400, 0.0]]}
    with pytest.raises(ReplayError, match=r"timeline\[0\]\[4\]"):
        parse_replay(data, "run.json")


def test_a_replay_that_is_a_device_or_a_fifo_is_not_read(tmp_path, capsys):
    one_line_error(cli(capsys, "play", "--replay", "/dev/zero"), "/dev/zero", "not a regular file")
    import os
    os.mkfifo(tmp_path / "pipe.json")
    one_line_error(cli(capsys, "play", "--replay", str(tmp_path / "pipe.json")), "not a regular file")


@pytest.fixture
def windy_file(tmp_path):
    path = tmp_path / "windy.toml"
    path.write_text(WINDY_LEVEL)
    return path


def test_a_level_from_a_file_travels_as_its_text_and_replays_bit_for_bit(tmp_path, windy_file):
    world = sim.World(sim.load_level(str(windy_file)))
    rec = Recorder(world)
    rec.assign(np.arange(4), 1)
    rec.set_orders(1, "adam", 0.05)
    world.step(80)
    path = rec.save(tmp_path / "run.json")
    data = json.loads(path.read_text())
    assert data["level"] == "windy" and data["level_toml"] == WINDY_LEVEL
    assert str(windy_file) not in path.read_text()
    windy_file.unlink()                                # the replay no longer needs the file
    replayed = load_replay(path).play()
    assert replayed.positions.tobytes() == world.positions.tobytes()


def test_campaign_and_random_levels_are_named_not_carried():
    for name in ("01-bowl", "random:3"):
        data = Recorder(sim.World(sim.load_level(name))).to_dict()
        assert data["level"] == name and "level_toml" not in data
    data = Recorder(sim.World(sim.load_level(str(sim.levels.LEVELS_DIR / "02-overshoot.toml")))).to_dict()
    assert data["level"] == "02-overshoot" and "level_toml" not in data


def test_a_carried_level_is_checked_like_a_file(tmp_path):
    bad = WINDY_LEVEL.replace("goal_radius = 0.05", "goal_radius = -1")
    path = write(tmp_path, good(level="windy", level_toml=bad))
    with pytest.raises(sim.LevelError, match="level_toml: goal_radius"):
        load_replay(path)


def test_world_refuses_orders_for_a_squad_not_formed():
    world = sim.World(sim.load_level("01-bowl"))
    with pytest.raises(ValueError, match="squad"):
        world.set_orders(-1, lr=0.1)
    with pytest.raises(ValueError, match="squad"):
        world.set_orders(1, lr=0.1)


def test_play_checks_the_replay_before_any_window(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(main, "display_available", lambda: False)
    path = write(tmp_path, good())
    status, _, err = cli(capsys, "play", "--replay", str(path))
    assert status == 2 and "no display" in err           # a good replay gets as far as the window
