"""Fuzz: save files. Whatever progress.json holds -- any JSON value, saves with wrong fields, raw
bytes, deep nesting, huge numbers -- the game's Progress loads: either the results, every one
valid, or nothing, with the file set aside and a message; and saving works afterwards."""
import json
import os

from hypothesis import event, given
from hypothesis import strategies as st

from game.play.progress import FIELDS, FILE_NAME, Progress
from tests.fuzz import NUMBERS, SCALARS, TEXTS, bounded, deep, fuzz_settings, json_values

LEVEL_IDS = st.one_of(st.sampled_from(["01-bowl", "02-overshoot", "random:7", "random:7:hard"]), TEXTS)


@st.composite
def results(draw):
    """A level's entry: right fields with right or wrong values, or anything."""
    if draw(st.integers(0, 4)) == 0:
        return draw(json_values())
    entry = {k: draw(st.integers(lo, hi) if draw(st.integers(0, 5)) else st.one_of(NUMBERS, SCALARS))
             for k, (lo, hi) in FIELDS.items() if draw(st.integers(0, 9))}
    if draw(st.integers(0, 3)) == 0:
        entry[draw(st.text(max_size=6))] = draw(SCALARS)
    return entry


@st.composite
def saves(draw):
    data = {"version": 1 if draw(st.integers(0, 5)) else draw(SCALARS),
            "levels": draw(st.one_of(st.dictionaries(LEVEL_IDS, results(), max_size=4), json_values()))}
    if draw(st.integers(0, 5)) == 0:
        data.pop(draw(st.sampled_from(["version", "levels"])))
    return data if draw(st.integers(0, 6)) else draw(json_values())


@st.composite
def raw_saves(draw):
    good = '{"version": 1, "levels": {"01-bowl": {"stars": 2, "steps": 10, "units_lost": 0}}}'
    n = draw(st.sampled_from([1, 100, 10_000, 200_000]))
    part = draw(st.sampled_from([deep("[", "]", n), deep('{"a":', "}", n).replace('{"a":}', "1"), "9" * n,
                                 "NaN", "Infinity", "-1e999", '"' + "\\ud800" * min(n, 100) + '"']))
    text = draw(st.sampled_from([good.replace("10", part), good.replace('"01-bowl"', '"x":' + part + ', "y"'),
                                 part, good[:draw(st.integers(0, len(good)))]]))
    return text.encode("utf-8") if draw(st.integers(0, 4)) else draw(st.binary(max_size=200))


def check(folder):
    """Progress loads whatever the file holds; what it keeps is valid; saving works afterwards."""
    before = (folder / FILE_NAME).read_bytes()
    with bounded():
        p = Progress(folder)
    for level_id, result in p.levels.items():
        assert isinstance(level_id, str)
        assert all(isinstance(result[k], int) and lo <= result[k] <= hi for k, (lo, hi) in FIELDS.items())
    if p.message:
        assert p.levels == {} and "unreadable" in p.message
        kept = [f for f in os.listdir(folder) if f.startswith(FILE_NAME + ".corrupt-")]
        assert len(kept) == 1 and (folder / kept[0]).read_bytes() == before
    event("reset" if p.message else "kept")
    p.record("01-bowl", 3, 1, 0)
    assert Progress(folder).stars("01-bowl") == 3


@fuzz_settings(300)
@given(data=saves())
def test_generated_saves(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("save")
    (folder / FILE_NAME).write_text(json.dumps(data), encoding="utf-8", errors="surrogatepass")
    check(folder)


@fuzz_settings(200)
@given(raw=raw_saves())
def test_raw_save_bytes(tmp_path_factory, raw):
    folder = tmp_path_factory.mktemp("raw")
    (folder / FILE_NAME).write_bytes(raw)
    check(folder)
