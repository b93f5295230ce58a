"""Endless mode: the run's maps follow from its seed and grow harder, the score follows its formula,
the high-score table is saved atomically and survives a corrupt file, and a whole run goes through
the game: win map 1, see the score rise, lose map 2, see the run in the table."""
import json

import numpy as np
import pygame
import pytest

import sim
import sim.endless as E
from game.play.battle import Battle
from game.play.endless import Endless
from game.play.highscores import FILE_NAME, KEEP, HighScores
from game.play.results import Results
from game.play.title import Title
from tests.cli_run import cli, one_line_error
from tests.drive import click, press, run, run_until


# -- the run (sim/endless.py) ----------------------------------------------------------------------
def test_bands_narrow_and_tiers_rise_along_the_run():
    bands = [E.band(k) for k in range(1, 30)]
    highs = [high for _, high in bands]
    assert all(a >= b for a, b in zip(highs, highs[1:])) and highs[0] == E.FIRST_SHARE
    assert highs[-1] == E.FLOOR_SHARE and all(low == E.BAND_LOW * high for low, high in bands)
    order = {"easy": 0, "normal": 1, "hard": 2}
    tiers = [order[E.tier(k)] for k in range(1, 30)]
    assert tiers == sorted(tiers) and tiers[0] == 0 and tiers[-1] == 2


def test_a_map_is_the_first_candidate_in_its_band_else_the_closest_winnable(monkeypatch):
    shares = {}
    monkeypatch.setattr(E, "share_of", lambda name: shares[name])
    names = [E.candidate(11, 3, attempt) for attempt in range(E.TRIES)]
    assert len(set(names)) == E.TRIES and all(sim.levels.RANDOM_NAME.fullmatch(n) for n in names)
    low, high = E.band(3)
    shares.update({names[0]: 0.9, names[1]: (low + high) / 2, names[2]: low})
    shares.update({n: 0.0 for n in names[3:]})
    assert E.pick_map(11, 3) == (names[1], (low + high) / 2)              # the first inside the band
    shares.update({names[1]: 0.0, names[2]: high * 1.2})                   # none inside: the closest
    assert E.pick_map(11, 3) == (names[2], high * 1.2)
    shares.update({n: 0.0 for n in names})                                 # none winnable: still a map
    assert E.pick_map(11, 3)[0] in names


def test_the_same_seed_gives_the_same_maps_and_each_is_winnable():
    a, b = E.EndlessRun(seed=5), E.EndlessRun(seed=5)
    assert a.next_map() == b.next_map() and a.maps == b.maps
    name, share = a.maps[0]
    assert name.endswith(":easy") and share > 0
    level = sim.load_level(name)
    r = sim.sweep.sweep(level, lrs=sim.sweep.lr_grid(level, E.MEASURE_LRS),
                        momenta=sim.sweep.momentum_grid(level, E.MEASURE_MOMENTA))
    assert share == pytest.approx(r.won().mean())                          # the sweep's winning share
    assert E.EndlessRun(seed=6).next_map() != name


def won_world(name: str) -> sim.World:
    """A world of ``name`` whose units all stand on the goal, stepped once: won at step 1."""
    world = sim.World(sim.load_level(name))
    place(world, world.level.global_min)
    world.step()
    assert world.won
    return world


def place(world, xy):
    """Cheat: every unit of ``world`` at the point xy."""
    world.positions = np.tile(np.asarray(xy, float), (world.n_units, 1))
    world.heights, world.grads = world.level.terrain.height_and_grad(world.positions)


def test_points_follow_the_formula_and_a_loss_ends_the_run():
    run_ = E.EndlessRun(seed=1)
    world = won_world("random:3:hard")
    expected = 300 + 50 * world.stars() + round(100 * world.supply_left / world.level.supply)
    assert E.points(world.level, world) == expected and world.stars() == 3
    assert E.points(sim.load_level("random:3"), won_world("random:3")) == 200 + 150 + round(
        100 * (1 - sim.load_level("random:3").units / sim.load_level("random:3").supply))
    assert run_.record(world) == expected and (run_.score, run_.cleared, run_.over) == (expected, 1, False)
    lost = sim.World(sim.load_level("random:3:easy"))
    lost.status[:] = sim.TRAPPED
    assert run_.record(lost) == 0 and run_.over and run_.score == expected
    with pytest.raises(ValueError):
        run_.record(lost)
    with pytest.raises(ValueError):
        E.EndlessRun(seed=-1)


# -- the high-score table (game/play/highscores.py) -------------------------------------------------
def test_the_table_keeps_the_best_ten_saved_atomically(tmp_path):
    table = HighScores(tmp_path)
    assert table.runs == [] and table.message == ""
    places = [table.add(score, maps=score // 100, seed=score, date="2024-01-02") for score in range(100, 1300, 100)]
    assert places[:KEEP] == [1] * KEEP and places[-1] == 1
    assert table.add(50, 0, 1, date="2024-01-02") is None                 # below the tenth
    saved = json.loads((tmp_path / FILE_NAME).read_text())
    assert saved["version"] == 1 and [r["score"] for r in saved["runs"]] == list(range(1200, 200, -100))
    assert [p.name for p in tmp_path.iterdir()] == [FILE_NAME]            # no temporary file left behind
    assert HighScores(tmp_path).runs == table.runs
    assert table.add(1200, 13, 7, date="2023-12-31") == 1                  # a tie: more maps first


@pytest.mark.parametrize("content", ["{not json", json.dumps({"version": 1, "runs": [{"score": -5}]}),
                                     json.dumps({"version": 2, "runs": []}), "[]", None])
def test_a_corrupt_table_is_backed_up_never_crashed_on(tmp_path, content):
    path = tmp_path / FILE_NAME
    if content is None:
        path.mkdir()                                                      # not a regular file at all
    else:
        path.write_text(content)
    table = HighScores(tmp_path)
    assert table.runs == [] and "unreadable" in table.message
    backups = list(tmp_path.glob(FILE_NAME + ".corrupt-*"))
    assert len(backups) == 1 and (backups[0].is_dir() or backups[0].read_text() == content)
    assert table.add(400, 2, 9) == 1 and json.loads(path.read_text())["runs"][0]["score"] == 400


# -- a whole run through the game ------------------------------------------------------------------
def ready(app):
    """Wait for the map being measured on the background thread, then let the game open it."""
    app.scene._thread.join()
    run_until(app, lambda: isinstance(app.scene, Battle), limit=20)


def test_an_endless_run_through_the_game(make_app, data_dir):
    data_dir.mkdir(parents=True)
    (data_dir / FILE_NAME).write_text("{broken")                          # an old, corrupt table
    app = make_app(level="endless", endless_seed=5)
    assert isinstance(app.scene, Endless) and app.scene.run is None      # the rules and the table first
    press(app, pygame.K_RETURN)                                            # ... Enter starts the run
    assert app.scene.run.seed == 5
    assert list(data_dir.glob(FILE_NAME + ".corrupt-*"))
    ready(app)
    first = app.scene
    assert first.level.id == E.EndlessRun(seed=5).next_map()               # the seed's first map
    place(first.world, first.level.global_min)                            # cheat: a win at step 1
    press(app, pygame.K_RETURN)
    run_until(app, lambda: isinstance(app.scene, Results))
    results, course = app.scene, app.scene.course
    assert results.world.won and course.run.score == E.points(first.level, results.world) > 0
    assert any(f"score {course.run.score:,}" in line for line in results.course_lines())
    assert [b.label for b in results.buttons][0] == "Next map  (N)"
    press(app, pygame.K_r)                                                 # no retry in a run
    assert app.scene is results
    press(app, pygame.K_n)
    second = app.scene
    assert isinstance(second, Battle) and second.level.id == course.run.maps[1][0] != first.level.id
    second.world.status[:] = sim.TRAPPED                                   # cheat: a loss at step 1
    press(app, pygame.K_RETURN)
    run_until(app, lambda: isinstance(app.scene, Results))
    assert course.run.over and course.place == 1 and "Run over" in app.scene.course_lines()[0]
    assert app.scene.buttons[0].label == "High scores  (Enter)"
    press(app, pygame.K_RETURN)
    assert app.scene is course
    saved = json.loads((data_dir / FILE_NAME).read_text())
    assert saved["runs"] == [{"score": course.run.score, "maps": 1, "seed": 5, "date": saved["runs"][0]["date"]}]
    run(app, 2)                                                            # the table is drawn, the run stays over
    assert course.run.over and len(HighScores(data_dir).runs) == 1


def test_the_title_opens_endless_and_leaving_a_map_ends_the_run(make_app, data_dir):
    app = make_app()
    run(app, 1)
    assert isinstance(app.scene, Title)
    click(app, next(b for b in app.scene.buttons if b.label == "Endless").rect.center)
    endless = app.scene
    assert isinstance(endless, Endless) and endless.run is None
    press(app, pygame.K_RETURN)
    assert endless.run is not None and endless.run.seed >= 0
    ready(app)
    press(app, pygame.K_ESCAPE)                                            # leave the map at deploy
    run(app, 1)
    assert app.scene is endless and endless.run.over and endless.place is None   # nothing scored: not entered
    assert not (data_dir / FILE_NAME).exists()


def test_seed_only_with_endless(capsys):
    one_line_error(cli(capsys, "play", "01-bowl", "--seed", "3"), "--seed", "endless")
    one_line_error(cli(capsys, "play", "endless", "--seed", "x"), "--seed")
