"""The orders a recording is made with: a race's sensible settings, notes on settings out of range."""
import numpy as np

import main
import sim
from game.classroom.race import default_lineup
from game.video import cli as video_cli
from game.video.words import outcome_text


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
    from sim.race_orders import NORMALISED_STRIDE
    level = rec.level
    sgd, momentum, adam, _ = rec.squads
    assert (sgd.lr, sgd.momentum) == (level.lr, level.momentum)                 # the level's own orders
    assert (momentum.lr, momentum.momentum) == (0.05, min(0.95, level.momentum_range[1]))   # its hint's
    assert adam.lr == np.clip(NORMALISED_STRIDE["adam"] * level.size / level.budget, *level.lr_range)
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


# -- settings outside the level's range, and runs that fly apart -------------------------------------
def test_record_notes_a_setting_outside_the_levels_range_as_simulate_does(tmp_path, capsys):
    recording("03-ravine", "--lr", "1e6", "--out", str(tmp_path / "r.mp4"))
    err = capsys.readouterr().err
    assert err == "note: --lr 1e+06 is outside 03-ravine's range [0.01, 5]; running it anyway\n"
    recording("03-ravine", "--race", "sgd,momentum", "--momentum", "0.999", "--out", str(tmp_path / "r.mp4"))
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("note: --momentum 0.999 is outside 03-ravine's range")
    recording("03-ravine", "--lr", "0.5", "--out", str(tmp_path / "r.mp4"))
    assert capsys.readouterr().err == ""
    recording("08-himmelblau", "--race", "sgd,momentum", "--momentum", "0,0.95", "--out", str(tmp_path / "r.mp4"))
    assert capsys.readouterr().err == ""                  # SGD's 0 is no momentum setting: nothing to note
    assert main.main(["simulate", "03-ravine", "--lr", "1e6"]) == 0
    assert capsys.readouterr().err == err                           # word for word what simulate says


def test_a_run_that_diverges_at_once_is_short_and_says_so(tmp_path):
    from game.video.record import DIVERGED_DESCENT, MIN_DESCENT, plan
    rec = recording("03-ravine", "--lr", "1e6", "--out", str(tmp_path / "r.mp4"))
    frames = plan(rec)
    assert len(frames.steps) <= DIVERGED_DESCENT * rec.fps < MIN_DESCENT * rec.fps
    world = recorded_world(rec)
    words, _ = outcome_text(world, race=False)
    assert words.startswith(f"All {world.n_units} units diverged at step 1"), words
    slow = recording("01-bowl", "--lr", "0.5", "--out", str(tmp_path / "r.mp4"))
    assert len(plan(slow).steps) >= MIN_DESCENT * slow.fps                  # a quick win still shows at pace


def test_units_flung_off_leave_the_table_where_their_step_went():
    from game.video.record import film_for
    from game.view.relief_draw import flung_off, unit_points
    rec = recording("03-ravine", "--lr", "1e6", "--out", "unused.mp4")
    world, camera = rec.new_world(), film_for(rec).camera
    spawn = world.positions.copy()
    world.step()
    assert (world.status == sim.DIVERGED).all() and (world.positions == spawn).all()   # the world keeps them
    flung, where = flung_off(world, camera)
    (x0, x1), (y0, y1) = rec.level.bounds
    on_edge = np.isclose(where[:, 0], x0) | np.isclose(where[:, 0], x1) | np.isclose(where[:, 1], y0) | \
        np.isclose(where[:, 1], y1)
    assert flung.all() and on_edge.all()
    step = -world.grads / np.hypot(*world.grads.T)[:, None]           # SGD's step goes down the slope
    assert (np.sum((where - spawn) * step, axis=1) > 0).all()
    drawn_at = unit_points(world, camera)[1]
    spawn_px = camera.project(spawn, camera.ground.elevation(world.heights))
    assert np.hypot(*(drawn_at - spawn_px).T).min() > 20             # no ball left standing at the spawn


def test_units_off_the_map_are_counted_apart_and_drawn_apart():
    from game.video.record import film_for
    from game.video.words import OFF_MAP, legend_counts
    from game.view.relief_draw import off_table, unit_points
    rec = recording("02-overshoot", "--lr", "3", "--out", "unused.mp4")
    world, camera = rec.new_world(), film_for(rec).camera
    world.step()
    off = off_table(world, camera) & (world.status == sim.DESCENDING)
    counts = legend_counts(world, 0)
    assert off.sum() == counts[OFF_MAP] == 6 and counts["descending"] == 0
    rings = np.rint(unit_points(world, camera)[1][off] / 8)           # where each ring stands, to 8 px
    assert len({tuple(r) for r in rings.tolist()}) >= 4                # not one pile on a corner
