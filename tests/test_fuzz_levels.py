"""Fuzz: level files. Valid-looking TOML with wrong types, huge, NaN or negative values, unknown
keys, missing ones, deep nesting, long strings and keys, and raw TOML-like text. Loading one gives
a Level or a one-line LevelError naming the file, never another exception, a hang or a blow-up;
``simulate`` on it exits 0 or 2 with one line naming the file."""
import tomllib

from hypothesis import event, given
from hypothesis import strategies as st

import sim
from sim.levels import LEVELS_DIR
from tests.fuzz import (NUMBERS, SCALARS, TEXTS, assert_one_line_naming, bounded, deep, fuzz_settings, json_values,
                        run_main, toml_document)

BASES = {name: tomllib.loads((LEVELS_DIR / f"{name}.toml").read_text())
         for name in ("01-bowl", "08-himmelblau", "05-saddle")}
SECTIONS = {"": sorted(sim.level_file.TOP_KEYS), "orders": sorted(sim.level_file.ORDER_KEYS),
            "spawn": sorted(sim.level_file.SPAWN_KEYS), "stars": sorted(sim.level_file.STAR_KEYS)}
COMPONENT_KEYS = sorted({k for _, params in sim.level_file.COMPONENTS.values() for k in params}
                        | set(sim.level_file.TRANSFORM_KEYS))
SMALL_NETWORK = {"hidden": st.integers(1, 6), "samples": st.integers(2, 60), "train_steps": st.integers(1, 200)}
BIG_NETWORK = {"hidden": st.integers(33, 10**6), "samples": st.integers(501, 10**6),
               "train_steps": st.integers(5001, 10**9)}

# a wrong value: another type, an extreme number, a long string, a nested structure
WRONG = st.one_of(SCALARS, json_values(), st.text(min_size=200, max_size=3000),
                  st.lists(NUMBERS, min_size=0, max_size=5), st.builds(lambda: [[1, 2], [3]]),
                  st.builds(lambda: {"a": {"b": {}}}))       # built afresh: a mutation must not make a cycle


@st.composite
def components(draw):
    """One [[terrain]] table: a known or unknown type with right or wrong parameters."""
    kind = draw(st.one_of(st.sampled_from(sorted(sim.level_file.COMPONENTS)), TEXTS, WRONG))
    table = {"type": kind}
    for key in draw(st.lists(st.sampled_from(COMPONENT_KEYS), max_size=4, unique=True)):
        table[key] = draw(st.one_of(NUMBERS, st.lists(NUMBERS, min_size=2, max_size=2), WRONG))
    if kind == "loss_landscape":                    # a network small enough to train, or over a limit
        limits = draw(st.sampled_from([SMALL_NETWORK, BIG_NETWORK]))
        table.update({k: draw(v) for k, v in limits.items() if draw(st.booleans())})
    return table


@st.composite
def mutated_levels(draw):
    """A shipped level's table with one to three fields changed, added or removed."""
    data = {k: (dict(v) if isinstance(v, dict) else list(v) if isinstance(v, list) else v)
            for k, v in BASES[draw(st.sampled_from(sorted(BASES)))].items()}
    for _ in range(draw(st.integers(1, 3))):
        section = draw(st.sampled_from(sorted(SECTIONS)))
        table = data if not section else data.setdefault(section, {})
        if not isinstance(table, dict):
            continue
        key = draw(st.one_of(st.sampled_from(SECTIONS[section]), st.text(max_size=12), st.just("x" * 500)))
        action = draw(st.sampled_from(["set", "set", "delete", "components"]))
        if action == "delete":
            table.pop(key, None)
        elif action == "components":
            data["terrain"] = draw(st.lists(components(), min_size=0, max_size=20))
        else:
            table[key] = draw(WRONG)
    return data


@st.composite
def raw_texts(draw):
    """TOML-like text: fragments of a level repeated, nested, dotted, or noise."""
    piece = draw(st.sampled_from([
        lambda n: "x = " + deep("[", "]", n), lambda n: "x = " + deep("{a = ", "}", n).replace("{a = }", "1"),
        lambda n: "x" + ".a" * n + " = 1", lambda n: "[" + ".".join(["t"] * n) + "]",
        lambda n: "budget = " + "9" * n, lambda n: 'title = "' + "t" * n + '"', lambda n: "[[terrain]]\n" * n,
        lambda n: '"""' * n, lambda n: "#" * n + "\n", lambda n: "a = 1\n" * n]))
    n = draw(st.sampled_from([1, 2, 7, 8, 9, 50, 1000, 20_000]))
    noise = draw(st.text(alphabet='[]{}.="\'#\n \t,0123456789abcxyz_-+:', max_size=60))
    start = draw(st.sampled_from(["", (LEVELS_DIR / "01-bowl.toml").read_text()]))
    return start + "\n" + piece(n) + "\n" + noise


def check_level_file(path, text):
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    with bounded():
        try:
            level = sim.load_level(str(path))
        except sim.LevelError as err:
            message = str(err)
            assert "\n" not in message and message.startswith(str(path)), message
            assert len(message) < 1000, message
            return None
    assert isinstance(level, sim.Level) and level.text == path.read_text(encoding="utf-8")
    return level


@fuzz_settings(500)
@given(data=mutated_levels())
def test_generated_level_tables(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("lvl") / "fuzz.toml"
    level = check_level_file(path, toml_document(data))
    event("loads" if level is not None else "refused")
    if level is not None:                        # a valid level runs a few steps from the command line
        status, out, err = run_main(["simulate", str(path), "--steps", "3", "--units", "3"])
        assert status == 0 and level.id in out, (status, err)


@fuzz_settings(300)
@given(text=raw_texts())
def test_raw_level_text(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("raw") / "raw.toml"
    check_level_file(path, text)


@fuzz_settings(150)
@given(data=mutated_levels())
def test_simulate_reports_a_bad_level_in_one_line(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("cli") / "bad.toml"
    path.write_text(toml_document(data), encoding="utf-8", errors="surrogatepass")
    status, out, err = run_main(["simulate", str(path), "--steps", "2", "--units", "2"])
    if status != 0:
        assert_one_line_naming(status, err, [str(path)])


def test_special_files_are_refused(tmp_path):
    import os
    os.mkfifo(tmp_path / "fifo.toml")
    (tmp_path / "dir.toml").mkdir()
    (tmp_path / "zero.toml").symlink_to("/dev/zero")
    for name in ("fifo.toml", "dir.toml", "zero.toml"):
        status, _, err = run_main(["simulate", str(tmp_path / name)])
        assert_one_line_naming(status, err, [str(tmp_path / name)])
    for device in ("/dev/zero", "/dev/null", "/dev/urandom", "/proc/self/status"):
        status, _, err = run_main(["simulate", device])
        assert status == 2 and len(err.splitlines()) == 1, err
