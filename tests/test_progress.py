"""Save data: best results kept, atomic writes, a corrupt file set aside and reset."""
import json
import os

import pytest

from game.play.progress import ENV_VAR, FILE_NAME, Progress, data_dir

CAMPAIGN = ["01-bowl", "02-overshoot", "03-ravine"]


def test_data_dir_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "saves"))
    assert data_dir() == tmp_path / "saves"
    assert Progress().path == tmp_path / "saves" / FILE_NAME
    assert data_dir(tmp_path / "other") == tmp_path / "other"


def test_a_new_player_has_only_the_first_level_open(tmp_path):
    p = Progress(tmp_path)
    assert p.levels == {} and p.message == ""
    assert [p.unlocked(CAMPAIGN, i) for i in range(3)] == [True, False, False]
    assert not p.path.exists()                  # nothing is written until there is something to keep


def test_a_win_is_saved_and_opens_the_next_level(tmp_path):
    p = Progress(tmp_path)
    assert p.record("01-bowl", stars=2, steps=30, units_lost=1)
    data = json.loads((tmp_path / FILE_NAME).read_text())
    assert data == {"version": 1, "levels": {"01-bowl": {"stars": 2, "steps": 30, "units_lost": 1}}}
    again = Progress(tmp_path)
    assert again.stars("01-bowl") == 2 and again.won("01-bowl")
    assert [again.unlocked(CAMPAIGN, i) for i in range(3)] == [True, True, False]


def test_a_level_won_before_stays_open_when_a_new_level_comes_in_front_of_it(tmp_path):
    p = Progress(tmp_path)
    for name in CAMPAIGN:
        p.record(name, 1, 30, 0)
    grown = CAMPAIGN[:2] + ["26-annealing"] + CAMPAIGN[2:]        # a new level before the ravine
    assert [p.unlocked(grown, i) for i in range(4)] == [True, True, True, True]
    assert not Progress(tmp_path / "new").unlocked(grown, 3)


def test_only_a_better_run_replaces_the_best(tmp_path):
    p = Progress(tmp_path)
    p.record("01-bowl", 2, 30, 1)
    assert not p.record("01-bowl", 2, 35, 0)     # same stars, more steps: worse
    assert not p.record("01-bowl", 0, 5, 0)      # a loss is never recorded
    assert p.record("01-bowl", 2, 20, 3)         # same stars, fewer steps
    assert p.record("01-bowl", 3, 50, 0)         # more stars
    assert Progress(tmp_path).levels["01-bowl"] == {"stars": 3, "steps": 50, "units_lost": 0}


def test_writes_are_atomic(tmp_path, monkeypatch):
    p = Progress(tmp_path)
    p.record("01-bowl", 1, 40, 0)
    before = (tmp_path / FILE_NAME).read_text()

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        p.record("01-bowl", 3, 10, 0)
    assert (tmp_path / FILE_NAME).read_text() == before      # the old file is untouched
    assert sorted(f.name for f in tmp_path.iterdir()) == [FILE_NAME]   # and no temporary file is left


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", '{"version": 1}', '{"version": 7, "levels": {}}',
                                     '{"version": 1, "levels": {"01-bowl": {"stars": "three"}}}', "\udcff"])
def test_a_corrupt_file_is_backed_up_and_reset(tmp_path, content):
    path = tmp_path / FILE_NAME
    path.write_bytes(content.encode("utf-8", "surrogateescape"))
    p = Progress(tmp_path)
    assert p.levels == {}
    assert "unreadable" in p.message and "reset" in p.message
    backups = list(tmp_path.glob(FILE_NAME + ".corrupt-*"))
    assert len(backups) == 1 and backups[0].read_bytes() == content.encode("utf-8", "surrogateescape")
    assert not path.exists()
    p.record("01-bowl", 1, 40, 0)                # and saving works again
    assert Progress(tmp_path).won("01-bowl")
