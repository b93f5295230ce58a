"""Flags that once raised a traceback or passed without a word: each is one line naming the flag."""
import pytest

import main
from game.video.cli import RecordError, recording_from_args
from tests.cli_run import cli, one_line_error


@pytest.mark.parametrize("argv, needle", [
    (["simulate", "01-bowl", "--lr=--", "--units=--"], "--lr: expected a number, got '--'"),
    (["simulate", "01-bowl", "--units=--"], "--units: expected a whole number, got '--'"),
    (["simulate", "01-bowl", "--momentum=--"], "--momentum: expected a number, got '--'"),
    (["simulate", "01-bowl", "--optimizer=--"], "--optimizer: invalid choice: '--'"),
    (["record", "01-bowl", "--out=--"], "--out --: unknown file name without an extension"),
    (["sweep", "01-bowl", "--out=--"], "--out --: the picture is written as PNG"),
])
def test_a_double_dash_as_a_flags_value_is_that_value(capsys, argv, needle):
    one_line_error(cli(capsys, *argv), needle)


def test_the_end_of_flags_mark_still_works(capsys):
    status, out, err = cli(capsys, "simulate", "--steps", "1", "--", "01-bowl")
    assert status == 0 and "01-bowl" in out and err == ""


@pytest.mark.parametrize("argv, needles", [
    (["simulate", "01-bowl", "--lr", "-1"], ["--lr", "-1"]),
    (["simulate", "01-bowl", "--lr", "0"], ["--lr", "> 0"]),
    (["simulate", "01-bowl", "--momentum", "1"], ["--momentum", "[0, 1)"]),
    (["record", "01-bowl", "--out", "x.mp4", "--lr", "-1"], ["--lr", "-1"]),
    (["record", "01-bowl", "--out", "x.mp4", "--momentum", "2"], ["--momentum", "2"]),
])
def test_a_bad_learning_rate_or_momentum_names_its_flag(capsys, argv, needles):
    one_line_error(cli(capsys, *argv), *needles)


def test_simulate_takes_a_rate_outside_the_levels_range_and_says_so(capsys):
    status, out, err = cli(capsys, "simulate", "01-bowl", "--lr", "1e9", "--steps", "2")
    assert status == 0 and "lr 1e+09" in out
    assert err.count("\n") == 1 and "--lr" in err and "outside" in err and "[0.003, 3]" in err
    status, out, err = cli(capsys, "simulate", "01-bowl", "--lr", "0.5", "--steps", "2")
    assert status == 0 and err == ""


def test_record_refuses_an_optimizer_twice_in_a_race_as_demo_does(tmp_path, capsys):
    out = str(tmp_path / "race.gif")
    one_line_error(cli(capsys, "record", "01-bowl", "--race", "sgd,sgd", "--out", out), "--race", "twice")
    one_line_error(cli(capsys, "demo", "01-bowl", "--race", "sgd,sgd"), "--race", "twice")


@pytest.mark.parametrize("flag", ["--out", "--frames-dir"])
def test_record_with_a_file_name_too_long(capsys, flag):
    name = "a" * 300 + (".mp4" if flag == "--out" else "")
    line = one_line_error(cli(capsys, "record", "01-bowl", flag, name), flag, "too long")
    assert len(line) < 200


def test_sweep_with_a_file_name_too_long(capsys):
    line = one_line_error(cli(capsys, "sweep", "01-bowl", "--out", "a" * 300 + ".png"), "--out", "too long")
    assert len(line) < 200


@pytest.mark.parametrize("argv", [
    ["simulate", "01-bowl", "--units", "9" * 5000],
    ["simulate", "01-bowl", "--seed", "9" * 400],
    ["record", "01-bowl", "--out", "x.mp4", "--units", "9" * 5000],
    ["record", "01-bowl", "--out", "x.mp4", "--fps", "9" * 400],
    ["demo", "01-bowl", "--scale", "9" * 400],
    ["simulate", "01-bowl", "--optimizer", "x" * 100_000],
    ["simulate", "01-bowl", "un\nexpected"],
])
def test_huge_or_strange_values_are_quoted_briefly(capsys, argv):
    line = one_line_error(cli(capsys, *argv))
    assert len(line) < 500 and "99999" * 40 not in line


def test_adam_starts_with_torchs_beta1_on_the_command_line(tmp_path, capsys):
    status, out, _ = cli(capsys, "simulate", "05-saddle", "--optimizer", "adam", "--steps", "1")
    assert status == 0 and "adam  lr" in out and "momentum 0.9 " in out
    status, out, _ = cli(capsys, "simulate", "05-saddle", "--optimizer", "adam", "--momentum", "0.5", "--steps", "1")
    assert "momentum 0.5 " in out
    status, out, _ = cli(capsys, "simulate", "05-saddle", "--optimizer", "momentum", "--steps", "1")
    assert "momentum 0 " in out                         # torch's SGD: momentum 0 unless given
    args = main.build_parser().parse_args(["record", "05-saddle", "--optimizer", "adam", "--out",
                                           str(tmp_path / "a.mp4")])
    assert recording_from_args(args)[0].squads[0].momentum == 0.9
    args = main.build_parser().parse_args(["record", "05-saddle", "--race", "sgd,adam", "--out",
                                           str(tmp_path / "a.mp4")])
    assert [o.momentum for o in recording_from_args(args)[0].squads] == [0.0, 0.9]


def test_record_errors_stay_record_errors(tmp_path):
    args = main.build_parser().parse_args(["record", "01-bowl", "--race", "sgd,lbfgs", "--out",
                                           str(tmp_path / "a.mp4")])
    with pytest.raises(RecordError, match="lbfgs"):
        recording_from_args(args)
