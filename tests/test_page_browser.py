"""The web page of a descent in a real browser engine: headless Chromium, driven over the DevTools
protocol by tests/browser.py (standard library only). Skipped where no Chromium or Chrome is installed.

The page is opened from file:// with every network route closed; it must load with no console error
and no request but its own file and its data URIs, play, scrub with the slider, step with the keys,
and show for a clicked unit the numbers the classroom's explainer gives at that step.
"""
import json

import pytest

import sim
from game.video import page
from game.video.record import Recording
from game.view.explain import explain, num
from tests.browser import Browser, find_chromium

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


@pytest.mark.parametrize("step, squad", [(20, 1), (45, 2)])
def test_a_click_on_a_unit_shows_the_classrooms_numbers(browser, step, squad):
    b = browser
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
