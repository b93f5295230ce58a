"""Level files and level names that once hung, ate memory or raised a traceback: each is now one
line naming the file and what is wrong, exit status 2, and quickly."""
import os
import re
import threading

import pytest

import sim
from sim.level_file import MAX_DIGITS, MAX_KEY_PARTS, MAX_NESTING, NETWORK_SIZE
from tests.cli_run import cli, one_line_error

from .test_cli import GOOD
NN = (sim.levels.LEVELS_DIR / "20-nn-train.toml").read_text()


def write(tmp_path, text, name="level.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_a_device_is_not_read(capsys):
    one_line_error(cli(capsys, "simulate", "/dev/zero"), "/dev/zero", "not a regular file")


def test_a_fifo_is_refused_without_blocking(tmp_path, capsys):
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    result = []
    reader = threading.Thread(target=lambda: result.append(cli(capsys, "simulate", str(fifo))), daemon=True)
    reader.start()
    reader.join(20)
    if reader.is_alive():                          # unblock the reader before failing
        with open(fifo, "w"):
            pass
        reader.join(5)
        pytest.fail("reading a FIFO as a level blocked")
    one_line_error(result[0], "pipe.toml", "not a regular file")


def test_a_symlink_to_a_regular_file_is_read(tmp_path):
    link = tmp_path / "link.toml"
    link.symlink_to(write(tmp_path, GOOD))
    assert sim.load_level(str(link)).title == "The Bowl"


@pytest.mark.parametrize("parts", [20_000, 100_000])
def test_long_dotted_keys_are_refused_before_parsing(tmp_path, capsys, parts):
    path = write(tmp_path, GOOD + "\nx" + ".a" * parts + " = 1\n")
    one_line_error(cli(capsys, "simulate", str(path)), str(path), f"more than {MAX_KEY_PARTS} parts")


def test_keys_of_a_few_parts_still_read(tmp_path):
    text = re.sub(r"\[stars\]\nsteps = \d+\nunits_lost = 0\n", "", GOOD)
    assert "[stars]" not in text
    text = text.replace("seed = 1\n", "seed = 1\nstars.steps = 14\nstars . units_lost = 0\n")
    assert sim.load_level(str(write(tmp_path, text))).star_steps == 14


@pytest.mark.parametrize("text, needle", [
    ("x = " + "[" * (MAX_NESTING + 1) + "]" * (MAX_NESTING + 1), "nested too deeply"),
    ("x = " + "{a = " * 100_000 + "1" + "}" * 100_000, "nested too deeply"),
    (GOOD.replace("budget = 60", "budget = 1" + "0" * 5000), f"more than {MAX_DIGITS} digits"),
    (GOOD.replace("seed = 1", "seed = " + "7" * 4400), f"more than {MAX_DIGITS} digits"),
])
def test_nesting_and_long_numbers_are_one_line(tmp_path, capsys, text, needle):
    path = write(tmp_path, text)
    one_line_error(cli(capsys, "simulate", str(path)), str(path), needle)


def test_brackets_and_dots_inside_strings_and_comments_do_not_count(tmp_path):
    title = 'title = "[[[[[[[[[[ a.b.c.d.e.f.g.h.i.j ]]"  # {{{{{{{{{{ 1.2.3.4.5.6.7.8.9'
    text = GOOD.replace('title = "The Bowl"', title)
    assert sim.load_level(str(write(tmp_path, text))).title.startswith("[[[[")


@pytest.mark.parametrize("change, where", [
    ({"hidden = 5": "hidden = 256"}, "terrain[0].hidden"),
    ({"samples = 80": "samples = 2000"}, "terrain[0].samples"),
    ({"hidden = 5": "hidden = 30", "samples = 80": "samples = 100"}, "hidden x samples"),
    ({"samples = 80": "samples = 80\ntrain_steps = 20000"}, "terrain[0].train_steps"),
])
def test_network_levels_within_the_documented_limits_load_quickly_or_are_refused(tmp_path, capsys, change, where):
    text = NN
    for old, new in change.items():
        assert old in text
        text = text.replace(old, new)
    path = write(tmp_path, text)
    one_line_error(cli(capsys, "simulate", str(path)), str(path), where)


def test_the_largest_network_allowed_still_loads(tmp_path):
    text = NN.replace("hidden = 5", "hidden = 10").replace("samples = 80", f"samples = {NETWORK_SIZE // 10}")
    level = sim.load_level(str(write(tmp_path, text)))
    assert level.terrain.params["hidden"] * level.terrain.params["samples"] == NETWORK_SIZE


def test_two_networks_and_too_many_components_are_refused(tmp_path, capsys):
    start = NN.index("[[terrain]]")
    path = write(tmp_path, NN + "\n" + NN[start:], "two.toml")
    one_line_error(cli(capsys, "simulate", str(path)), "two.toml", "terrain[1]", "loss_landscape")
    wells = "".join(f'[[terrain]]\ntype = "well"\ncenter = [{i % 5 - 2}, 0]\n' for i in range(17))
    path = write(tmp_path, GOOD + wells, "many.toml")
    one_line_error(cli(capsys, "simulate", str(path)), "many.toml", "terrain", "at most 16")


def test_a_long_level_name_is_no_such_level(capsys):
    name = "a" * 300
    for argv in (["simulate", name], ["play", name], ["sweep", name, "--out", "x.png"], ["demo", name]):
        line = one_line_error(cli(capsys, *argv), "no such level")
        assert len(line) < 200


def test_a_long_path_is_one_line(tmp_path, capsys):
    line = one_line_error(cli(capsys, "simulate", str(tmp_path / ("b" * 300 + ".toml"))), "File name too long")
    assert len(line) < 200


def test_a_name_with_a_newline_is_quoted(capsys):
    line = one_line_error(cli(capsys, "simulate", "01-bowl\n"), "'01-bowl\\n'", "no such level")
    assert line.startswith("error: '01-bowl\\n': no such level")


@pytest.mark.parametrize("name", ["random:1_000", "random:\u0663", "random: 5", "random:05", "random:5:Hard",
                                  "random:5:", "random:99999999999999999999", "random:-1"])
def test_random_maps_have_one_spelling(capsys, name):
    one_line_error(cli(capsys, "simulate", name, "--steps", "1"), "random:SEED", "digits 0-9")


def test_the_default_difficulty_is_the_same_map_and_name():
    assert sim.load_level("random:5:normal") is sim.load_level("random:5")
    assert sim.load_level("random:5:normal").id == "random:5"
    assert sim.load_level("random:5:hard").id == "random:5:hard"


def test_zero_depth_wells_give_one_line_and_no_warnings(tmp_path, capsys):
    start = GOOD.index("[[terrain]]")
    text = GOOD[:start] + '[[terrain]]\ntype = "well"\ndepth = 0.0\n[[terrain]]\ntype = "well"\ndepth = 0\n'
    path = write(tmp_path, text)
    one_line_error(cli(capsys, "simulate", str(path)), str(path), "no minimum")


@pytest.mark.parametrize("old, new", [
    ('title = "The Bowl"', 'title = ["' + "x" * 200_000 + '"]'),
    ('title = "The Bowl"', 'title = "t"\n' + "k" * 200_000 + " = 1"),
    ('allowed = ["sgd"]', 'allowed = ["' + "s" * 200_000 + '"]'),
    ('type = "bowl"', 'type = "' + "b" * 200_000 + '"'),
    ('optimizer = "sgd"', 'optimizer = "' + "b" * 200_000 + '"'),
    ("bounds = [[-5, 5], [-5, 5]]", "bounds = [" + "1," * 50_000 + "]"),
    ('title = "The Bowl"', 'title = "The\\nBowl"'),
    ('title = "The Bowl"', '"ti\\ntle" = 1\ntitle = "x"'),
    ('hint = "Drag the learning-rate slider (η) up towards 0.5."', 'hint = "' + "w " * 3000 + '"'),
])
def test_errors_quote_a_few_dozen_characters_of_a_bad_value(tmp_path, capsys, old, new):
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new, 1))
    line = one_line_error(cli(capsys, "simulate", str(path)), str(path))
    assert max(line.count(c) for c in "xksbw") < 100 and len(line) < 500, line


def test_every_shipped_level_keeps_to_the_limits():
    for name in sim.campaign():
        level = sim.load_level(name)
        assert level.text == (sim.levels.LEVELS_DIR / f"{name}.toml").read_text()


def test_a_level_of_adam_takes_beta1_from_torch(tmp_path):
    text = GOOD.replace('allowed = ["sgd"]\noptimizer = "sgd"', 'allowed = ["adam"]\noptimizer = "adam"')
    text = text.replace('optimizer = "sgd", lr = 0.5', 'optimizer = "adam", lr = 0.5')
    text = text.replace("lr_range = [0.003, 3.0]", "lr_range = [0.003, 3.0]\nmomentum_range = [0.0, 0.99]")
    assert sim.load_level(str(write(tmp_path, text))).momentum == 0.9
