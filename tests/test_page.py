"""The web page of a descent (game/video/page.py), read back in Python: one self-contained file with
no external reference, its trajectories equal to the world's step for step (within the stated
fixed-point tolerance), its explained numbers equal to the classroom's explainer at that step, and
a 100-step race of 3 squads x 12 units under 1 MB. Then the command line: .html, its one-line refusals.

The same page in a real browser engine: tests/test_page_browser.py.
"""
import re
from html.parser import HTMLParser

import numpy as np
import pytest

import main
import sim
from game.video import page, page_data
from game.video.page_data import decode_explanation, decode_positions, pack, unpack
from game.video.record import Recording
from game.view.explain import explain, num
from sim.replay import Recorder

LEVEL = "08-himmelblau"
RACE = (sim.Orders("sgd", 0.02, 0.0), sim.Orders("momentum", 0.1, 0.95), sim.Orders("adam", 0.1, 0.9))
UNITS, STEPS = 12, 100
MAX_BYTES = 1_000_000          # "under 1 MB" for the race above


def race() -> Recording:
    level = sim.load_level(LEVEL)
    return Recording(level, RACE, units=UNITS, steps=STEPS, seed=level.seed)


@pytest.fixture(scope="module")
def race_page(tmp_path_factory):
    """The 100-step race of 3 squads x 12 units, written once: (path, result, data, views)."""
    path = tmp_path_factory.mktemp("page") / "race.html"
    result = page.write_page(race(), path)
    data, views = page.read_page(path)
    return path, result, data, views


def world_at(rec: Recording, step: int) -> sim.World:
    """An independent run of the recording, stopped at ``step``."""
    world = rec.new_world()
    world.step(step)
    return world


# -- one file, nothing from outside -----------------------------------------------------------------
class References(HTMLParser):
    """Every tag and every attribute value that could make a browser load something."""

    LOADING = ("src", "href", "srcset", "action", "poster", "data", "background", "formaction", "xlink:href")

    def __init__(self):
        super().__init__()
        self.tags, self.values = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.values += [(tag, name, value or "") for name, value in attrs if name in self.LOADING]


def test_the_page_is_one_file_that_names_no_url_outside_itself(race_page):
    path, _, _, views = race_page
    text = path.read_text(encoding="utf-8")
    refs = References()
    refs.feed(text)
    assert [v for v in refs.values if not v[2].startswith(("data:", "#"))] == []
    assert not {"link", "iframe", "object", "embed", "img", "audio", "video", "source", "base"} & set(refs.tags)
    for needle in ("http:", "https:", "ftp:", "@import", "//cdn", "<script src", "fetch(", "XMLHttpRequest",
                   "WebSocket", "EventSource", "import(", "sendBeacon", "navigator.serviceWorker"):
        assert needle.lower() not in text.lower(), needle
    assert all(u.startswith("data:") for u in re.findall(r"url\(\s*['\"]?([^'\")]*)", text))
    assert [(v["id"], v["image"][:23]) for v in views["views"]] == [("relief", "data:image/jpeg;base64,"),
                                                                      ("map", "data:image/jpeg;base64,")]


def test_a_100_step_race_of_3_squads_of_12_is_under_1_MB_and_explains_every_unit(race_page):
    path, result, data, _ = race_page
    assert result.bytes == path.stat().st_size < MAX_BYTES
    assert data["run"]["units"] == 3 * UNITS and data["run"]["steps"] == STEPS
    assert data["explained"]["units"] == list(range(3 * UNITS)) and data["explained"]["per_squad"] is None
    assert data["format"] == page_data.FORMAT and f"const DATA_FORMAT = {page_data.FORMAT};" in path.read_text()
    assert [s["orders"][0][1:] for s in data["squads"]] == [
        ["SGD", "SGD", "0.02", "", "", ""], ["Momentum", "Momentum", "0.1", "μ", "0.95", ""],
        ["Adam", "Adam", "0.1", "β₁", "0.9", ""]]


# -- the run is the world's ----------------------------------------------------------------------------
def test_the_trajectories_are_the_worlds_within_half_a_fixed_point_step(race_page):
    _, _, data, _ = race_page
    decoded = decode_positions(data)
    tolerance = np.asarray(data["positions"]["scale"]) / 2 * (1 + 1e-9)     # [world] per axis
    level = sim.load_level(LEVEL)
    assert np.all(tolerance <= 2e-5 * level.size)          # 16 bits over the map and its margins
    world = race().new_world()
    for step in range(STEPS + 1):
        assert np.all(np.abs(decoded[step] - world.positions) <= tolerance), step
        assert data["status"][step] == "".join(str(s) for s in world.status)
        world.step()


def test_the_loss_chart_is_each_squads_mean_height_above_the_global_minimum(race_page):
    _, _, data, _ = race_page
    world = world_at(race(), 37)
    floor = world.level.global_min_height
    for squad in range(3):
        mean = float(np.mean(world.heights[world.squad == squad] - floor))
        assert data["loss"][37][squad] == pytest.approx(mean, rel=1e-5)


@pytest.mark.parametrize("unit, step", [(3, 0), (17, 25), (30, 60), (34, STEPS)])
def test_the_explained_numbers_are_the_classrooms(race_page, unit, step):
    """The classroom's explain(world, unit) at that step, string for string (SGD, momentum, Adam)."""
    _, _, data, _ = race_page
    world = world_at(race(), step)
    e = explain(world, unit)
    height, given, subs, notes = decode_explanation(data["explained"], unit, step)
    assert height == num(world.heights[unit])
    assert given == [list(g) for g in e.given]
    assert [s[:3] for s in subs] == [[s.what, s.rule, s.numbers] for s in e.substeps]
    assert [s[3].removeprefix("= ") for s in subs[:-1]] == [s.result for s in e.substeps[:-1]]
    assert subs[-1][3].startswith(f"= {e.substeps[-1].result}") and notes == e.notes


def test_numbers_are_packed_into_templates_and_back_exactly():
    record = ["1.235×10⁻⁵", [["x", "(−5.213, 0.4012)"], ["η", "2"]],
              [["undo the zero start (bias correction, t = 3)", "m̂ = m/(1−β₁ᵗ)", "= m/0.271,  v/0.002999",
                "m̂ = (nan, inf),  v̂ = (0, −0)"]], ["σ = 0.5"]]
    template, numbers = pack(record)
    assert unpack(template, numbers) == record
    assert numbers[:3] == ["1.235×10⁻⁵", "−5.213", "0.4012"] and "{0}" in template[0]
    with pytest.raises(ValueError, match="brace"):
        pack(["{0}"])


def test_a_replay_keeps_its_orders_changes_and_explains_them(tmp_path):
    level = sim.load_level("01-bowl")
    recorder = Recorder(sim.World(level, units=6))
    recorder.set_orders(0, "momentum", 0.05, 0.5)
    recorder.world.step(4)
    recorder.set_orders(0, "adam", 0.2, 0.9)
    recorder.world.step(6)
    replay_path = recorder.save(tmp_path / "run.json")
    out = tmp_path / "replay.html"
    assert main.main(["record", "--replay", str(replay_path), "--out", str(out)]) == 0
    data, _ = page.read_page(out)
    assert data["level"]["title"].startswith("Replay: ") and data["run"]["replay"]
    assert [o[:3] for o in data["squads"][0]["orders"]] == [[0, "Momentum", "Momentum"], [4, "Adam", "Adam"]]
    world = recorder.world
    e = explain(world, 2)                                          # step 10, under Adam's orders
    assert decode_explanation(data["explained"], 2, 10)[1] == [list(g) for g in e.given]


def test_a_large_run_explains_the_first_units_of_each_squad(tmp_path, monkeypatch):
    monkeypatch.setattr(page_data, "MAX_EXPLAINED", 2 * 3 * 11)     # two units per squad over 10 steps
    level = sim.load_level(LEVEL)
    data = page_data.gather(Recording(level, RACE, units=5, steps=10, seed=level.seed))
    assert data["explained"]["units"] == [0, 1, 5, 6, 10, 11] and data["explained"]["per_squad"] == 2
    assert decode_explanation(data["explained"], 2, 4) is None
    assert decode_explanation(data["explained"], 6, 4)[1] == [list(g) for g in explain(
        world_at(Recording(level, RACE, units=5, steps=10, seed=level.seed), 4), 6).given]


def test_the_same_run_gives_the_same_page(tmp_path):
    level = sim.load_level("01-bowl")
    rec = Recording(level, (sim.Orders("sgd", 0.1, 0.0),), units=4, steps=12, seed=3)
    first, _ = page.build_page(rec)
    again, _ = page.build_page(rec)
    other, _ = page.build_page(Recording(level, rec.squads, units=4, steps=12, seed=4))
    assert first == again != other


# -- the command line ------------------------------------------------------------------------------------
def test_record_out_html_writes_a_page_and_says_how_big(tmp_path, capsys):
    out = tmp_path / "bowl.html"
    assert main.main(["record", "01-bowl", "--out", str(out), "--steps", "30", "--units", "5"]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith(f"wrote {out}: a web page of ") and " KB" in line and "explained" in line
    data, _ = page.read_page(out)
    assert data["run"]["units"] == 5 and data["run"]["steps"] <= 30
    assert list(tmp_path.iterdir()) == [out]                        # no temporary file left behind


@pytest.mark.parametrize("extra, needle", [
    (["--units", "10000", "--steps", "200"], "a web page holds at most 1,000,000"),
    (["--duration", "3"], "--duration: a web page plays at the speed"),
    (["--fog"], "--fog: a web page shows the whole map"),
    (["--frames-dir", "frames"], "--frames-dir: a web page has no frames"),
    (["--orbit", "90"], "--orbit: a web page shows the sand table from one side"),
])
def test_what_a_page_cannot_be_is_refused_in_one_line(tmp_path, capsys, extra, needle):
    out = tmp_path / "x.html"
    assert main.main(["record", "01-bowl", "--out", str(out), *extra]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and needle in lines[0]
    assert not out.exists()


def test_an_unknown_extension_names_the_page_too(tmp_path, capsys):
    assert main.main(["record", "01-bowl", "--out", str(tmp_path / "x.htm")]) == 2
    assert ".html (a web page)" in capsys.readouterr().err


def test_the_legend_names_a_squads_schedule(tmp_path):
    level = sim.load_level(LEVEL)
    cosine = sim.make_schedule("cosine", lr=0.1, t_max=40, eta_min=0.001)
    rec = Recording(level, (sim.Orders("sgd", 0.02, 0.0), sim.Orders("momentum", 0.1, 0.9, cosine)),
                    units=4, steps=30, seed=level.seed)
    page.write_page(rec, tmp_path / "s.html")
    data, _ = page.read_page(tmp_path / "s.html")
    assert [s["orders"][0][-1] for s in data["squads"]] == ["", "cosine to 0.001 over 40 steps"]
    world = rec.new_world()
    world.step(30)
    assert world.lr_now(1) == cosine.lr_at(30) and world.lr_now(0) == 0.02


def test_a_films_legend_shows_the_scheduled_rate_of_the_step():
    from game.video.words import orders_text
    step = sim.make_schedule("step", lr=0.2, step_size=10, gamma=0.5)
    orders = sim.Orders("momentum", 0.2, 0.9, step)
    assert orders_text(orders, step.lr_at(25)) == "η 0.05 step  μ 0.9"
    assert orders_text(sim.Orders("adam", 0.1, 0.9)) == "η 0.1  β₁ 0.9"


def test_a_one_squad_pages_outcome_says_nothing_the_first_arrival_does_not(tmp_path):
    """The outcome shows from the first arrival's step: there it may not count the units that
    arrive later (the film's closing banner, shown at the end, does)."""
    from game.video.words import outcome_text
    level = sim.load_level("01-bowl")
    rec = Recording(level, (sim.Orders("sgd", 0.2, 0.0),), units=12, steps=level.budget, seed=level.seed)
    page.write_page(rec, tmp_path / "b.html")
    data, _ = page.read_page(tmp_path / "b.html")
    world = rec.new_world()
    world.step(level.budget)
    first = int(world.arrival_step[world.arrival_step >= 0].min())
    assert data["outcome"]["step"] == first and (world.arrival_step > first).any()   # some arrive later
    assert data["outcome"]["text"] == f"The first unit reached the global minimum at step {first}"
    assert "of 12 units" in outcome_text(world, False)[0]
