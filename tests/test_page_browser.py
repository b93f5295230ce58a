"""The web page of a descent in a real browser engine: headless Chromium, driven over the DevTools
protocol by tests/browser.py (standard library only). Skipped where no Chromium or Chrome is installed.

The page is opened from file:// with every network route closed; it must load with no console error
and no request but its own file and its data URIs, play, scrub with the slider, step with the keys,
and show for a clicked unit the numbers the classroom's explainer gives at that step; switch between
the sand table and the map, keeping the step and the unit, with the balls on the sand table lifted
above their ground points as the game draws them, and a unit the ground hides shown as a ring.
"""
import json

import numpy as np
import pytest

import sim
from game.video import page
from game.video.page_data import decode_positions
from game.video.page_relief import decode_elevations, decode_hidden
from game.video.record import Recording
from game.view.explain import explain, num
from tests.browser import Browser, find_chromium
from tests.test_page_relief import HILL

pytestmark = pytest.mark.skipif(find_chromium() is None, reason="no Chromium or Chrome installed (Debian: apt-get "
                                                                "install chromium) to open the page in a browser")
LEVEL = "08-himmelblau"
RACE = (sim.Orders("sgd", 0.02, 0.0), sim.Orders("momentum", 0.1, 0.95), sim.Orders("adam", 0.1, 0.9))


def race() -> Recording:
    level = sim.load_level(LEVEL)
    return Recording(level, RACE, units=12, steps=100, seed=level.seed)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """The race's page, open in one headless Chromium for the whole module."""
    path = tmp_path_factory.mktemp("browser") / "race.html"
    page.write_page(race(), path)
    with Browser.launch(1440, 900) as b:
        b.open(path)
        b.page = path
        yield b


def centre(b, selector: str) -> tuple:
    """The middle of an element [CSS px]."""
    r = b.evaluate(f"JSON.stringify(document.querySelector('{selector}').getBoundingClientRect())")
    r = json.loads(r)
    return r["x"] + r["width"] / 2, r["y"] + r["height"] / 2, r


def test_the_page_loads_from_file_with_no_error_and_no_request(browser):
    b = browser
    assert b.evaluate("document.documentElement.dataset.state") == "ready"
    assert b.errors == []
    own = b.page.resolve().as_uri()
    assert [u for u in b.requests if u != own and not u.startswith("data:")] == []
    entries = b.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
    assert [u for u in entries if not u.startswith("data:")] == []
    assert b.evaluate("location.protocol") == "file:"
    assert b.evaluate("descentPage.last") == 100
    assert b.evaluate("document.querySelectorAll('#squads .squad').length") == 3


def test_play_advances_the_step_and_space_pauses(browser):
    b = browser
    b.evaluate("descentPage.show(0)")
    x, y, _ = centre(b, "#play")
    b.click(x, y)
    b.wait_for("descentPage.step > 0", "a step after play")
    assert b.evaluate("descentPage.playing") is True
    b.key(" ", 32)
    assert b.evaluate("descentPage.playing") is False
    held = b.evaluate("descentPage.step")
    b.evaluate("new Promise(r => setTimeout(r, 300))")
    assert b.evaluate("descentPage.step") == held
    assert b.errors == []


def test_the_slider_scrubs(browser):
    b = browser
    b.evaluate("descentPage.show(0)")
    _, y, r = centre(b, "#slider")
    b.click(r["x"] + 0.75 * r["width"], y)
    step = b.evaluate("descentPage.step")
    assert abs(step - 75) <= 6, step
    assert b.evaluate("document.getElementById('steplabel').textContent") == f"step {step} / 100"
    assert b.evaluate("document.documentElement.dataset.step") == str(step)


def test_the_keys_step_and_jump(browser):
    b = browser
    b.evaluate("descentPage.show(10)")
    presses = [("ArrowRight", 39, False, 11), ("ArrowRight", 39, True, 21), ("ArrowLeft", 37, False, 20),
               ("End", 35, False, 100), ("Home", 36, False, 0), ("ArrowLeft", 37, False, 0)]
    for key, code, shift, want in presses:
        b.key(key, code, shift)
        assert b.evaluate("descentPage.step") == want, (key, shift)


def isolated_unit(b, candidates, room: float = 30.0) -> int:
    """A unit among ``candidates`` with no other unit within ``room`` px on the map."""
    points = b.evaluate(f"Array.from({{length: {3 * 12}}}, (_, u) => descentPage.unitPoint(u))")
    for u in candidates:
        if all(v == u or (points[u][0] - p[0]) ** 2 + (points[u][1] - p[1]) ** 2 > room ** 2
               for v, p in enumerate(points)):
            return u
    pytest.fail("no isolated unit to click")


@pytest.mark.parametrize("step, squad, view", [(20, 1, "map"), (45, 2, "relief")])
def test_a_click_on_a_unit_shows_the_classrooms_numbers(browser, step, squad, view):
    b = browser
    b.evaluate(f"descentPage.useView('{view}')")
    b.evaluate(f"descentPage.show({step})")
    u = isolated_unit(b, range(12 * squad, 12 * squad + 12))
    x, y = b.evaluate(f"descentPage.unitPoint({u})")
    b.click(x, y)
    assert b.evaluate("descentPage.selected") == u
    shown = b.evaluate("document.getElementById('unitbody').innerText")
    world = race().new_world()
    world.step(step)
    e = explain(world, u)
    assert f"step {step} → {step + 1}" in shown
    assert f"x = {e.given[0][1]}" in shown and f"h = f(x) = {num(world.heights[u])}" in shown
    assert f"∇f(x) = {e.given[1][1]}" in shown
    for name, value in e.given[2:]:
        assert f"{name} = {value}" in shown
    for sub in e.substeps:
        assert sub.rule in shown and sub.numbers in shown and sub.result in shown
    b.key("Escape", 27)
    assert b.evaluate("descentPage.selected") == -1
    assert b.errors == []


CANVAS_HASH = """(() => { const c = document.getElementById('map'), d = c.getContext('2d').getImageData(0, 0, c.width,
  c.height).data; let h = 0; for (let i = 0; i < d.length; i += 7) h = (h * 31 + d[i]) % 1000000007; return h; })()"""


def pixel(b, x: float, y: float) -> list:
    """The canvas's colour (r, g, b) at a point of the page [CSS px] (the page is shown at 1 px per CSS px)."""
    return b.evaluate(f"""(() => {{ const c = document.getElementById('map'), r = c.getBoundingClientRect();
      return Array.from(c.getContext('2d').getImageData(Math.round({x} - r.left), Math.round({y} - r.top), 1, 1)
      .data).slice(0, 3); }})()""")


def test_the_view_buttons_switch_the_picture_and_keep_the_step_and_the_unit(browser):
    b = browser
    b.evaluate("descentPage.useView('relief')")
    b.evaluate("descentPage.show(45)")
    b.evaluate("descentPage.select(20)")
    relief_hash, panel = b.evaluate(CANVAS_HASH), b.evaluate("document.getElementById('unitbody').innerText")
    assert [b.evaluate(f"document.querySelectorAll('#views button')[{k}].textContent") for k in (0, 1)] == [
        "Sand table", "Map"]                                         # the recording's view first
    x, y, _ = centre(b, "#views button:nth-child(2)")
    b.click(x, y)
    assert b.evaluate("descentPage.view") == "map" and b.evaluate(CANVAS_HASH) != relief_hash
    assert b.evaluate("descentPage.step") == 45 and b.evaluate("descentPage.selected") == 20
    assert b.evaluate("document.getElementById('unitbody').innerText") == panel
    assert b.evaluate("document.querySelector('#views button.on').textContent") == "Map"
    b.key("v", 86)
    assert b.evaluate("descentPage.view") == "relief" and b.evaluate(CANVAS_HASH) == relief_hash
    assert b.errors == []


def test_a_ball_on_the_sand_table_stands_lifted_above_its_ground_point_and_a_click_there_selects_it(browser):
    b = browser
    data, views = page.read_page(b.page)
    view = next(v for v in views["views"] if v["id"] == "relief")
    b.evaluate("descentPage.useView('relief')")
    b.evaluate("descentPage.show(30)")
    b.key("Escape", 27)
    fit, r = b.evaluate("descentPage.fit"), json.loads(b.evaluate(
        "JSON.stringify(document.getElementById('map').getBoundingClientRect())"))
    xy, z = decode_positions(data)[30], decode_elevations(data)[30]
    ground = np.column_stack([xy, z, np.ones(len(z))]) @ np.asarray(view["projection"]).T
    u = isolated_unit(b, range(24, 36))
    want = (r["left"] + fit["x"] + ground[u, 0] * fit["s"],
            r["top"] + fit["y"] + (ground[u, 1] - view["lift"]) * fit["s"])
    x, y = b.evaluate(f"descentPage.unitPoint({u})")
    assert abs(x - want[0]) <= 0.5 and abs(y - want[1]) <= 0.5              # LIFT picture px up, scaled
    assert view["lift"] * fit["s"] > 4                                       # (a lift one can see)
    colour = data["squads"][2]["colour"]
    assert pixel(b, x, y) == [int(colour[k:k + 2], 16) for k in (1, 3, 5)]   # the ball is drawn there
    b.click(x, y)
    assert b.evaluate("descentPage.selected") == u
    b.key("Escape", 27)


def test_a_unit_the_ground_hides_is_a_faint_ring_on_the_sand_table(browser, tmp_path):
    b = browser
    (tmp_path / "hill.toml").write_text(HILL)
    level = sim.load_level(str(tmp_path / "hill.toml"))
    rec = Recording(level, (sim.Orders("sgd", 0.05, 0.0),), units=8, steps=10, seed=level.seed)
    page.write_page(rec, tmp_path / "hill.html")
    data, _ = page.read_page(tmp_path / "hill.html")
    try:
        b.open(tmp_path / "hill.html")
        b.evaluate("descentPage.show(7)")
        assert b.evaluate("descentPage.view") == "relief"
        shown = b.evaluate("Array.from({length: 8}, (_, u) => descentPage.hidden(u))")
        want = decode_hidden(data, "relief")[7]
        assert shown == want.tolist() and want.any() and not want.all()
        b.evaluate("descentPage.useView('map')")
        assert b.evaluate("Array.from({length: 8}, (_, u) => descentPage.hidden(u))") == [False] * 8
        assert b.errors == []
    finally:
        b.open(b.page)


def test_the_outcome_and_the_loss_lines_wait_for_the_step_they_tell_of(browser):
    """At step 0 the page must not say who wins: the outcome shows from the first arrival's step
    (or at the end), and the loss lines reach no further than the step shown."""
    b = browser
    when = b.evaluate("descentPage.outcomeStep")
    text = "document.getElementById('outcome').textContent"
    assert 0 < when < 100
    for step, told in ((0, False), (when - 1, False), (when, True), (100, True)):
        b.evaluate(f"descentPage.show({step})")
        assert bool(b.evaluate(text)) == told, step
        assert b.evaluate("document.getElementById('outcome').hidden") == (not told), step
    assert "reached the global minimum first" in b.evaluate(text)
    coloured = """(() => {                      // squad-coloured pixels right of the step marker (x > 60 css px)
        const c = document.getElementById('chart'), k = c.width / c.clientWidth;
        const d = c.getContext('2d').getImageData(Math.round(60 * k), 0, c.width - Math.round(60 * k), c.height).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4) {
          const rgb = [d[i], d[i + 1], d[i + 2]];
          if (Math.max(...rgb) - Math.min(...rgb) > 90) n++;
        }
        return n; })()"""
    b.evaluate("descentPage.show(0)")
    assert b.evaluate(coloured) == 0
    b.evaluate("descentPage.show(100)")
    assert b.evaluate(coloured) > 100
