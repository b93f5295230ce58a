"""The orders a recording is made with: a race's sensible settings, notes on settings out of range."""
import main
import sim
from game.classroom.race import default_lineup
from game.video import cli as video_cli
from game.video.film import outcome_text


def recording(*argv):
    """The Recording that ``python main.py record ARGV`` would make (no file is written)."""
    args = main.build_parser().parse_args(["record", *argv])
    return video_cli.recording_from_args(args)[0]


def recorded_world(rec) -> sim.World:
    """The recording's world run to its last step, as the closing picture shows it."""
    world = rec.new_world()
    while world.step_count < rec.steps and not world.over:
        world.step()
    return world


def test_a_race_starts_from_the_classroom_settings(tmp_path):
    rec = recording("08-himmelblau", "--race", "sgd,momentum,adam,rmsprop", "--out", str(tmp_path / "r.mp4"))
    classroom = [e.orders for e in default_lineup(rec.level, ["sgd", "momentum", "adam", "rmsprop"])]
    assert [(o.optimizer, o.lr, o.momentum) for o in rec.squads] == \
        [(o.optimizer, o.lr, o.momentum) for o in classroom]
    given = recording("08-himmelblau", "--race", "sgd,adam", "--lr", "0.01", "--momentum", "0.5",
                      "--out", str(tmp_path / "r.mp4"))
    assert [(o.lr, o.momentum) for o in given.squads] == [(0.01, 0.5), (0.01, 0.5)]      # flags win


def test_the_readme_network_race_reaches_the_global_minimum(tmp_path):
    rec = recording("20-nn-train", "--race", "sgd,adam", "--orbit", "90", "--out", str(tmp_path / "network.mp4"))
    adam = rec.squads[1]
    assert adam.optimizer == "adam" and adam.lr > rec.level.lr
    world = recorded_world(rec)
    words, _ = outcome_text(world, race=True)
    assert world.won and "reached the global minimum first" in words, words
