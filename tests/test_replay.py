"""Replays: a recorded run, saved and played back, is the same run bit for bit."""
import json

import numpy as np
import pytest

import main
import sim
from sim.replay import Recorder, ReplayError, load_replay

WINDY_LEVEL = """
title = "Windy test valley"
briefing = "A bowl with a second well and noisy gradients."
bounds = [[-6, 6], [-6, 6]]
budget = 400
goal_radius = 0.05
units = 16
seed = 11
noise = 0.3
[spawn]
center = [-4, 4]
radius = 1.0
[orders]
allowed = ["sgd", "momentum", "adam"]
lr = 0.02
lr_range = [0.001, 2.0]
momentum_range = [0.0, 0.95]
[stars]
steps = 100
[[terrain]]
type = "bowl"
curvature = 0.3
condition = 4
[[terrain]]
type = "well"
center = [2, -1]
depth = 1.5
sigma = 0.8
"""


@pytest.fixture
def windy(tmp_path):
    path = tmp_path / "windy.toml"
    path.write_text(WINDY_LEVEL)
    return sim.load_level(str(path))


def play_recorded(level, steps=300):
    """A run with squads and orders changed while it descends, as a player would."""
    world = sim.World(level)
    rec = Recorder(world)
    rec.assign(np.arange(0, 5), 1)
    rec.assign(np.arange(5, 9), 2)
    rec.set_orders(1, "momentum", 0.01, 0.9)
    rec.set_orders(2, "adam", 0.05, 0.8)
    for step in range(steps):
        if step % 37 == 5:                                   # a slider being dragged: many changes in one step
            for lr in np.geomspace(0.003, 0.3, 7):
                rec.set_orders(0, lr=float(lr))
        if step == 120:
            rec.set_orders(1, "adam", 0.1)
        if step == 200:
            rec.assign([0, 9, 15], 3)
            rec.set_orders(3, "momentum", 0.7, 0.5)
        world.step()
    return world, rec


def test_replay_reproduces_300_steps_bit_for_bit(windy, tmp_path):
    world, rec = play_recorded(windy)
    path = rec.save(tmp_path / "run.json")
    data = json.loads(path.read_text())
    assert {"level", "seed", "units", "timeline"} <= set(data) and data["steps"] == 300
    replayed = load_replay(path).play()
    assert replayed.step_count == 300
    assert replayed.positions.tobytes() == world.positions.tobytes()
    assert np.array_equal(replayed.status, world.status) and np.array_equal(replayed.squad, world.squad)
    assert [(e.step, e.kind, e.unit) for e in replayed.events] == [(e.step, e.kind, e.unit) for e in world.events]


def test_slider_drags_within_one_step_are_one_entry(windy):
    world, rec = play_recorded(windy, steps=10)
    at_five = [e for e in rec.timeline if e[0] == 5]
    assert len(at_five) == 1 and at_five[0][1:4] == ["set_orders", 0, "sgd"]
    assert at_five[0][4] == pytest.approx(0.3)


def test_an_optimizer_switched_back_is_not_merged(windy):
    world = sim.World(windy)
    rec = Recorder(world)
    rec.set_orders(0, "adam", 0.1)
    rec.set_orders(0, "sgd")                 # back again: the optimizer state starts afresh twice
    rec.set_orders(0, lr=0.2)
    assert [e[3] for e in rec.timeline] == ["adam", "sgd"]
    assert rec.timeline[-1][4] == 0.2


def test_campaign_replays_name_the_level_by_name():
    world = sim.World(sim.load_level("01-bowl"))
    assert Recorder(world).to_dict()["level"] == "01-bowl"


def write(tmp_path, data):
    path = tmp_path / "bad.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


GOOD = {"version": 1, "level": "01-bowl", "seed": 1, "units": 12, "steps": 20,
        "timeline": [[0, "set_orders", 0, "sgd", 0.5, 0.0]]}


@pytest.mark.parametrize("change, field", [
    (None, "not valid JSON"),
    ({"timeline": 5}, "timeline"),
    ({"seed": -1}, "seed"),
    ({"units": 0}, "units"),
    ({"timeline": [[0, "teleport", 1]]}, "timeline[0][1]"),
    ({"timeline": [[0, "set_orders", 0, "lbfgs", 0.5, 0.0]]}, "timeline[0][3]"),
    ({"timeline": [[0, "set_orders", 0, "sgd", "fast", 0.0]]}, "timeline[0][4]"),
    ({"timeline": [[0, "assign", [99], 1]]}, "timeline[0][2]"),
    ({"timeline": [[5, "assign", [1], 1], [2, "assign", [2], 1]]}, "timeline[1][0]"),
    ({"level": "no-such-level"}, "no-such-level"),
])
def test_bad_replays_are_one_line_errors(tmp_path, change, field):
    if change is None:
        path = write(tmp_path, "{oops")
    else:
        path = write(tmp_path, {**GOOD, **change})
    with pytest.raises((ReplayError, sim.LevelError)) as err:
        load_replay(path)
    assert field in str(err.value) and "\n" not in str(err.value)


def test_play_replay_with_a_bad_file_exits_2_with_one_line(tmp_path, capsys):
    path = write(tmp_path, {**GOOD, "timeline": [[0, "set_orders", 4, "sgd", 0.5, 0.0]]})  # squad 4 never formed
    assert main.main(["play", "--replay", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(path) in err and "squad 4" in err
    assert main.main(["play", "--replay", str(tmp_path / "missing.json")]) == 2
    assert "file not found" in capsys.readouterr().err


# -- the commands of a real-time run: hold, resume, drops, redeploys and schedules --------------------
def play_commanded(level, steps=240):
    """A windy run with every command of the descent: a squad held and resumed, a scout, a drop with
    orders and a schedule, a redeploy of a held squad, a schedule given and dropped, a slider drag
    right after a schedule (not merged away)."""
    world = sim.World(level)
    rec = Recorder(world)
    rec.assign(np.arange(0, 4), 1)
    rec.set_orders(1, "momentum", 0.02, 0.9, schedule=sim.make_schedule("cosine", lr=0.02, t_max=80, eta_min=0.002))
    rec.set_orders(1, lr=0.03)                                  # the same step: the schedule restarts from 0.03
    rec.hold(0)
    for step in range(steps):
        if step == 40:
            rec.drop(2, world.positions[1].tolist(), units=3, optimizer="adam", lr=0.05,
                     schedule=sim.make_schedule("step", lr=0.05, step_size=30, gamma=0.5))
        if step == 60:
            rec.redeploy(0, world.positions[2].tolist())        # held: its descending units are lifted
        if step == 90:
            rec.hold(1)
        if step == 130:
            rec.resume(1)
            rec.set_orders(2, schedule=sim.make_schedule("constant", lr=0.01))
        world.step()
    return world, rec


def test_a_run_with_every_command_replays_bit_for_bit(windy, tmp_path):
    world, rec = play_commanded(windy)
    assert world.n_units == windy.units + 3 and world.orders[2].schedule.kind == "constant"
    assert {"hold", "resume", "drop", "redeploy"} <= {e[1] for e in rec.timeline}
    assert [len(e) for e in rec.timeline if e[1] == "set_orders"][:2] == [7, 6]
    path = rec.save(tmp_path / "run.json")
    data = json.loads(path.read_text())
    assert data["version"] == 2 and data["units"] == windy.units          # the units at the start
    replayed = load_replay(path).play()
    assert replayed.positions.tobytes() == world.positions.tobytes()
    assert (replayed.supply_left, replayed.supply_spent) == (world.supply_left, world.supply_spent)
    assert replayed.explored.grid.tobytes() == world.explored.grid.tobytes()
    assert [(e.step, e.kind, e.squad, e.units) for e in replayed.events] == \
        [(e.step, e.kind, e.squad, e.units) for e in world.events]
    assert [replayed.lr_now(s) for s in range(3)] == [world.lr_now(s) for s in range(3)]


def test_a_version_1_replay_still_plays(windy, tmp_path):
    world, rec = play_recorded(windy, steps=30)
    data = {**rec.to_dict(), "version": 1}
    path = tmp_path / "old.json"
    path.write_text(json.dumps(data))
    assert load_replay(path).play().positions.tobytes() == world.positions.tobytes()


def test_a_replay_with_drops_records_a_film_but_not_a_web_page(windy, tmp_path, capsys):
    world, rec = play_commanded(windy, steps=60)
    path = rec.save(tmp_path / "run.json")
    assert main.main(["record", "--replay", str(path), "--out", str(tmp_path / "run.html")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "drops fresh ones" in err and ".mp4 or .gif" in err
    assert main.main(["record", "--replay", str(path), "--out", str(tmp_path / "run.gif"), "--size", "214x120",
                      "--duration", "1"]) == 0
