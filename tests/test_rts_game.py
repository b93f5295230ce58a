"""The real-time commands played through the game's real loop with posted events: H holds and
resumes a squad, a right click redeploys it onto revealed ground (on the map and on the sand
table), L drops fresh units, a landing in the fog is refused in one line, a schedule is picked in
the panel, the tempo runs from a quarter to eight times; the supply shows in the HUD and ends a
run; the fog drawn is the record drops obey; the saved replay of such a run replays bit for bit."""
import numpy as np
import pygame
import pytest

import sim
from sim.drops import DROP_COST, DROP_SPREAD
from sim.replay import load_replay
from game.play.battle import STEPS_PER_SECOND
from game.play.results import Results
from game.view import sprites
from game.view.render import Fog, MapArt, draw_map
from game.view.widgets import recording_text
from game.view.world_view import ground_under, is_relief, relief_view
from tests.drive import DT, click, post, press, run, run_until
from tests.play import deployed

TEST_GROUND = """
title = "Test Ground"
briefing = "A bowl for the tests of the game's real-time commands."
bounds = [[-5, 5], [-5, 5]]
budget = 200
goal_radius = 0.1
units = 12
seed = 5
supply = 900
[spawn]
center = [-3.5, 3.5]
radius = 0.4
[orders]
allowed = ["sgd", "momentum", "adam"]
optimizer = "sgd"
lr = 0.01
lr_range = [0.001, 0.5]
momentum_range = [0.0, 0.9]
schedules = ["constant", "step", "cosine"]
[stars]
steps = 100
units_lost = 11
supply = 400
[[terrain]]
type = "bowl"
curvature = 0.5
center = [3.0, -3.0]
"""


@pytest.fixture
def ground_file(tmp_path):
    path = tmp_path / "test-ground.toml"
    path.write_text(TEST_GROUND)
    return str(path)


def battle(make_app, level, view="map"):
    """The deploy stage of ``level`` at 1280x720 in ``view``: (app, battle)."""
    app, b = deployed(lambda size, **kw: make_app(size, view=view, **kw), level, size=(1280, 720))
    run(app, 1)
    return app, b


def ground_pixels(b) -> tuple:
    """Pixels (N, 2) of the battle's map away from what lies over it, and the ground each shows
    (N, 2) [world] as the game aims (None rows dropped)."""
    r = b.map_rect.inflate(-80, -80)
    xs, ys = np.meshgrid(np.arange(r.left, r.right, 6), np.arange(r.top + 60, r.bottom - 60, 6))
    px = np.column_stack([xs.ravel(), ys.ravel()]).astype(float)
    px = px[[not (b.minimap_rect.collidepoint(p) or b.log_rect.collidepoint(p)) for p in px.tolist()]]
    if is_relief(b.camera):
        xy, found = relief_view(b.art).ground_at(b.camera, px)
    else:
        xy = b.camera.pix2pos(px)
        (x0, x1), (y0, y1) = b.level.bounds
        found = (xy[:, 0] >= x0) & (xy[:, 0] <= x1) & (xy[:, 1] >= y0) & (xy[:, 1] <= y1)
    return px[found], xy[found]


def aim_at(b, explored: bool, near=None):
    """A pixel whose ground is explored (or in the fog), the nearest to ``near`` [world] if given."""
    px, xy = ground_pixels(b)
    ok = b.world.explored.at(xy) == explored
    assert ok.any(), "no such ground in view"
    px, xy = px[ok], xy[ok]
    k = 0 if near is None else int(np.argmin(np.hypot(*(xy - np.asarray(near)).T)))
    return tuple(int(v) for v in px[k])


def scout(app, b, steps=40):
    """Unit 1 becomes squad 2 and scouts with momentum; squad 1 is held (H); the descent runs ``steps``
    steps and pauses."""
    click(app, b.unit_pixels()[0])
    press(app, pygame.K_2, mod=pygame.KMOD_CTRL)
    b.give_orders("momentum", 0.05, 0.5)
    press(app, pygame.K_1)
    press(app, pygame.K_h)
    press(app, pygame.K_RETURN)
    run_until(app, lambda: b.world.step_count >= steps)
    press(app, pygame.K_SPACE)
    assert b.paused


def log_lines(b) -> list[str]:
    return [line for line, _, _ in b.log.lines]


# -- hold ----------------------------------------------------------------------------------------
def test_h_holds_the_selected_squad_which_then_spends_nothing(make_app, ground_file):
    app, b = battle(make_app, ground_file)
    scout(app, b, steps=10)
    w = b.world
    assert w.is_held(0) and not w.is_held(1) and "Squad 1 held" in log_lines(b)
    assert w.spend_rate == 1 and w.supply_spent == 10                   # only the scout moves
    still = w.positions[w.squad == 0].copy()
    press(app, pygame.K_SPACE, frames=10)
    assert np.array_equal(w.positions[w.squad == 0], still) and w.supply_spent == w.step_count
    with recording_text() as drawn:
        run(app, 1)
    words = [s for s, *_ in drawn]
    assert "11 held" in words and words[words.index("descending") - 1] == "1"   # the HUD does not count them
    press(app, pygame.K_h)
    assert not w.is_held(0) and log_lines(b)[-1] == "Squad 1 resumed" and w.spend_rate == 12
    with recording_text() as drawn:
        run(app, 1)
    assert "Hold  H" in [s for s, *_ in drawn]


@pytest.mark.parametrize("view", ["map", "relief"])
def test_a_held_squad_is_marked_on_the_ground(make_app, ground_file, view):
    """Held units are drawn with the pause sign (a look of their own), on the map and the table."""
    app, b = battle(make_app, ground_file, view)
    frame = pygame.surfarray.array3d(app.screen).copy()
    press(app, pygame.K_h)
    assert (sprites.looks(b.world) == sprites.HELD).all()
    after = pygame.surfarray.array3d(app.screen)
    centre = np.rint(b.unit_pixels()).astype(int)
    changed = [np.abs(after[x - 2:x + 3, y - 2:y + 3].astype(int) - frame[x - 2:x + 3, y - 2:y + 3]).max() > 40
               for x, y in centre.tolist()]
    assert np.mean(changed) > 0.8


# -- landings --------------------------------------------------------------------------------------
@pytest.mark.parametrize("view", ["map", "relief"])
def test_right_click_redeploys_the_held_squad_onto_revealed_ground(make_app, ground_file, view):
    app, b = battle(make_app, ground_file, view)
    scout(app, b)
    w = b.world
    spent, n = w.supply_spent, int((w.squad == 0).sum())
    pos = aim_at(b, explored=True, near=w.positions[0])
    target = ground_under(b.camera, b.art, pos)
    post(pygame.MOUSEMOTION, pos=pos, rel=(0, 0), buttons=(0, 0, 0))
    with recording_text() as drawn:
        run(app, 1)
    line = f"Right-click: redeploy Squad 1 here ({n} \u00d7 {DROP_COST} = {n * DROP_COST} supply)"
    assert line in [s for s, *_ in drawn]
    click(app, pos, button=3)
    landed = w.squad == 0
    assert not w.is_held(0) and (w.status[landed] == sim.DESCENDING).all()
    assert np.hypot(*(w.positions[landed] - target).T).max() <= DROP_SPREAD * b.level.size + 1e-9
    assert w.supply_spent == spent + n * DROP_COST
    assert log_lines(b)[-1].startswith(f"Squad 1 redeployed: {n} units landed")
    assert b.recorder.timeline[-1][1] == "redeploy"


@pytest.mark.parametrize("view", ["map", "relief"])
def test_l_drops_fresh_units_as_the_next_squad(make_app, ground_file, view):
    app, b = battle(make_app, ground_file, view)
    scout(app, b, steps=20)
    w = b.world
    n, spent = w.n_units, w.supply_spent
    pos = aim_at(b, explored=True, near=w.positions[0])
    post(pygame.MOUSEMOTION, pos=pos, rel=(0, 0), buttons=(0, 0, 0))
    press(app, pygame.K_l)
    assert w.n_units == n + 3 and (w.squad[n:] == 2).all() and b.squad == 2
    assert w.orders[2].optimizer == "sgd" and w.supply_spent == spent + 3 * DROP_COST
    assert log_lines(b)[-1].startswith("Squad 3: 3 units dropped")
    assert b.selection.mask[n:].all() and len(b.selection.mask) == w.n_units
    press(app, pygame.K_SPACE, frames=5)                                 # the run goes on with them
    assert w.step_count > 20


def test_a_retry_after_a_drop_keeps_the_squads_of_the_spawn(make_app, ground_file):
    app, b = battle(make_app, ground_file)
    scout(app, b, steps=10)
    post(pygame.MOUSEMOTION, pos=aim_at(b, explored=True, near=b.world.positions[0]), rel=(0, 0), buttons=(0, 0, 0))
    press(app, pygame.K_l)
    assert b.world.n_units == 15 and b.world.n_squads == 3
    b.app.swap("battle", b.level, previous=b)
    retry = app.scene
    assert retry.world.n_units == 12 and list(retry.world.squad) == list(b.world.squad[:12])
    assert retry.world.orders[1].optimizer == "momentum"


@pytest.mark.parametrize("view", ["map", "relief"])
def test_a_landing_in_the_fog_is_refused_in_one_line_and_changes_nothing(make_app, ground_file, view):
    app, b = battle(make_app, ground_file, view)
    scout(app, b, steps=5)
    w = b.world
    before = (w.positions.tobytes(), w.supply_left, w.n_units, list(map(list, b.recorder.timeline)))
    pos = aim_at(b, explored=False)
    post(pygame.MOUSEMOTION, pos=pos, rel=(0, 0), buttons=(0, 0, 0))
    with recording_text() as drawn:
        run(app, 1)
    assert not [s for s, *_ in drawn if "landing" in s.lower() or "redeploy" in s.lower()]   # the red ring only
    click(app, pos, button=3)
    assert log_lines(b)[-1] == "Cannot redeploy Squad 1 there: that ground is still in the fog"
    press(app, pygame.K_l)
    assert log_lines(b)[-1].startswith("Cannot drop there: that ground is still in the fog")
    assert (w.positions.tobytes(), w.supply_left, w.n_units, b.recorder.timeline) == before


def test_the_fog_drawn_is_the_record_drops_obey():
    """Where the map's fog is drawn less than a quarter opaque a landing is accepted, where more than
    three quarters it is refused. The fog is drawn interpolated between the record's cell centres, so
    a point of an explored cell is at most 3/4 opaque and one of a fogged cell at least 1/4; between
    them lies the soft edge, half opaque just on the edges of the explored cells."""
    level = sim.load_level("17-over-the-ridge")
    w = sim.World(level)
    w.assign([0], 1)
    w.set_orders(1, optimizer="momentum", lr=0.015, momentum=0.5)
    w.hold(0)
    w.step(60)
    from game.view.camera import Camera
    screen = pygame.Surface((900, 700))
    cam = Camera(level.bounds, screen.get_rect())
    fog = Fog.of(level, w.explored)
    draw_map(screen, w, cam, MapArt(level, resolution=256), fog)
    overlay, at = fog.overlay(cam)
    alpha = pygame.surfarray.array_alpha(overlay)
    cols, rows = np.meshgrid(np.arange(0, alpha.shape[0], 3), np.arange(0, alpha.shape[1], 3), indexing="ij")
    xy = cam.pix2pos(np.column_stack([cols.ravel() + at[0], rows.ravel() + at[1]]) + 0.5)
    (x0, x1), (y0, y1) = level.bounds
    on = (xy[:, 0] > x0) & (xy[:, 0] < x1) & (xy[:, 1] > y0) & (xy[:, 1] < y1)
    a = alpha[cols.ravel(), rows.ravel()][on]
    xy = xy[on]

    def lands(p):
        try:
            w.check_landing(p, 1)
            return True
        except ValueError:
            return False
    clear, dark = xy[a <= 56], xy[a >= 200]
    assert len(clear) > 100 and len(dark) > 1000
    assert all(lands(p) for p in clear[::7]) and not any(lands(p) for p in dark[::29])


# -- schedules ---------------------------------------------------------------------------------------
def test_a_schedule_picked_in_the_panel_sets_the_rate_of_every_step(make_app, ground_file):
    app, b = battle(make_app, ground_file)
    picker = b.panel.schedule
    assert list(picker.picker.buttons) == ["constant", "step", "cosine"]
    click(app, picker.picker.buttons["cosine"].rect.center)
    o = b.world.orders[0]
    ref = sim.make_schedule("cosine", lr=0.01, t_max=b.level.budget, eta_min=0.001)
    assert o.schedule == ref and b.recorder.timeline[-1][-1] == ref.to_dict()
    press(app, pygame.K_RETURN)
    run_until(app, lambda: b.world.step_count >= 30)
    t = b.world.schedule_step(0)
    assert t == b.world.step_count and b.world.lr_now(0) == ref.lr_at(t)
    assert b.world.optimizer(0).lr == ref.lr_at(t - 1)                  # the rate the last step used
    with recording_text() as drawn:
        run(app, 1)
    t = b.world.schedule_step(0)
    assert f"\u03b7\u209c {ref.lr_at(t):.3g}" in [s for s, *_ in drawn]
    click(app, b.panel.schedule.picker.buttons["step"].rect.center)
    assert b.world.orders[0].schedule == sim.make_schedule("step", lr=0.01, step_size=50, gamma=0.3)


def test_the_picker_shows_only_where_the_level_allows_schedules(make_app):
    app, b = battle(make_app, "17-over-the-ridge")
    assert "step" not in b.level.schedules and b.panel.schedule is None


# -- tempo and supply ----------------------------------------------------------------------------------
def test_the_tempo_runs_from_a_quarter_to_eight_times(make_app, ground_file):
    app, b = battle(make_app, ground_file)
    press(app, pygame.K_RETURN)
    for _ in range(2):
        press(app, pygame.K_MINUS)
    assert b.speed == 0.25
    at = b.world.step_count
    run(app, 40)
    assert b.world.step_count - at == pytest.approx(40 * DT * STEPS_PER_SECOND / 4, abs=1)
    with recording_text() as drawn:
        run(app, 1)
    assert "\u00bc\u00d7" in [s for s, *_ in drawn] and "\u25b6 \u00bc\u00d7" in [s for s, *_ in drawn]
    plus = b.panel.controls[-1]
    for _ in range(6):
        click(app, plus.rect.center)
        plus = b.panel.controls[-1]
    assert b.speed == 8 and not plus.enabled


def test_supply_warns_before_it_runs_out_and_ends_the_run(make_app, ground_file, tmp_path):
    path = tmp_path / "short.toml"
    path.write_text(TEST_GROUND.replace("supply = 900", "supply = 300").replace("supply = 400", "supply = 200"))
    app, b = battle(make_app, str(path))
    press(app, pygame.K_RETURN)
    with recording_text() as drawn:
        run(app, 1)
    texts = [s for s, *_ in drawn]
    assert "\u221212 / step" in texts and any(s.startswith("at this rate it runs out at step 25") for s in texts)
    for _ in range(3):
        press(app, pygame.K_PLUS)
    run_until(app, lambda: isinstance(app.scene, Results))
    assert b.world.supply_left == 0 and not b.world.won
    assert "Out of supply: no unit can move any more" in log_lines(b) and "Out of supply" in log_lines(b)
    assert b.loss_hints()[0].startswith("Your supply ran out") and "Hold the squads" in b.loss_hints()[0]


# -- the replay of such a run ---------------------------------------------------------------------------
def test_the_replay_saved_from_a_commanded_run_replays_bit_for_bit(make_app, ground_file, data_dir):
    app, b = battle(make_app, ground_file)
    click(app, b.panel.schedule.picker.buttons["step"].rect.center)     # squad 1 on a step decay
    scout(app, b, steps=30)
    w = b.world
    post(pygame.MOUSEMOTION, pos=aim_at(b, explored=True, near=w.positions[0]), rel=(0, 0), buttons=(0, 0, 0))
    press(app, pygame.K_l)                                               # a drop: squad 3
    press(app, pygame.K_1)
    click(app, aim_at(b, explored=True, near=w.positions[0]), button=3)  # redeploy the held squad 1
    press(app, pygame.K_2)
    press(app, pygame.K_h)                                               # hold the scout, then let it go
    press(app, pygame.K_SPACE, frames=5)
    press(app, pygame.K_h)
    for _ in range(3):
        press(app, pygame.K_PLUS)
    run_until(app, lambda: isinstance(app.scene, Results))
    kinds = {e[1] for e in b.recorder.timeline}
    assert {"assign", "set_orders", "hold", "resume", "drop", "redeploy"} <= kinds
    press(app, pygame.K_s)
    path = app.scene.saved_to
    replayed = load_replay(path).play()
    assert replayed.step_count == w.step_count and replayed.n_units == w.n_units
    assert replayed.positions.tobytes() == w.positions.tobytes()
    assert (replayed.supply_left, replayed.supply_spent) == (w.supply_left, w.supply_spent)
    assert replayed.explored.grid.tobytes() == w.explored.grid.tobytes()
    assert replayed.orders[0].schedule == w.orders[0].schedule


def test_the_game_plays_a_replay_with_landings(make_app, ground_file, tmp_path):
    """The saved run shown in the game: the same world at the end, drops and all."""
    level = sim.load_level(ground_file)
    from sim.replay import Recorder
    world = sim.World(level)
    rec = Recorder(world)
    rec.hold(0)
    world.step(3)
    rec.drop(1, world.positions[0].tolist(), 2)
    world.step(40)
    path = rec.save(tmp_path / "run.json")
    app = make_app((960, 600), replay=load_replay(path))
    b = app.scene
    for _ in range(3):
        press(app, pygame.K_PLUS)
    run_until(app, lambda: b.phase == "over")
    assert b.world.positions.tobytes() == world.positions.tobytes() and len(b.selection.mask) == b.world.n_units


def test_the_hud_counts_units_stopped_outside_a_pit_as_stalled(make_app):
    """The Saddle with its own orders: the units stop where the slope vanishes; the HUD's trapped
    count leaves them out and says '12 stalled', as the event log does."""
    app = make_app(level="05-saddle")
    press(app, pygame.K_RETURN, frames=2)
    b = app.scene
    press(app, pygame.K_RETURN)
    for _ in range(600):
        if b.world.over:
            break
        app.frame()
    assert b.world.counts()["trapped"] == b.world.n_units
    with recording_text() as drawn:
        run(app, 1)
    words = [s for s, *_ in drawn]
    assert f"{b.world.n_units} stalled" in words and words[words.index("trapped") - 1] == "0", words
