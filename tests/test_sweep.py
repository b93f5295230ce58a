"""Sweeps and the sweep map: the swarm agrees with the closed-form stability limits of gradient
descent and heavy-ball momentum on a quadratic bowl, dropping stopped units changes no outcome,
and ``main.py sweep`` writes a readable PNG or fails in one line."""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pygame
import pytest
from PIL import Image

import sim
from game.view.sweep_axes import ARRIVED_FAST, ARRIVED_SLOW, OUTCOME_COLOURS
from game.view.sweep_map import draw_sweep, render_sweep
from game.view.sweep_marks import verdict
from sim.levels import parse_level
from sim.sweep import (MOMENTUM_PLANE, bench_sweep, linear_grid, log_grid, picture_optimizer, spawn_starts,
                       sweep, sweep_plane)
from sim.world import ARRIVED, DESCENDING, DIVERGED, TRAPPED

ROOT = Path(__file__).resolve().parent.parent
CURVATURE = 2.0          # a of the test bowl f = a |x|^2 / 2
BAND = 0.02              # cells this close to a stability limit (relative) are not judged


def bowl_level(budget=600):
    """A single isotropic bowl of curvature a, small goal, generous budget, and a map wide enough
    that the first overshoots of a large step (up to |1 - lr a| = 3 times the start's distance)
    stay on it: leaving the map counts as diverging."""
    data = {"title": "Closed form", "briefing": "A bowl. Nothing else.", "bounds": [[-50, 50], [-50, 50]],
            "budget": budget, "goal_radius": 0.05, "units": 2, "seed": 4,
            "spawn": {"center": [3.0, 2.0], "radius": 0.5},
            "orders": {"allowed": ["sgd", "momentum"], "optimizer": "momentum", "lr": 0.1,
                       "lr_range": [0.05, 2.1], "momentum": 0.0, "momentum_range": [0.0, 0.99]},
            "stars": {"steps": 10, "units_lost": 0}, "terrain": [{"type": "bowl", "curvature": CURVATURE}]}
    return parse_level(data, "<bowl>", "bowl")


@pytest.fixture(scope="module")
def bowl_sweep():
    level = bowl_level()
    lrs = log_grid(0.1 / CURVATURE, 4.2 / CURVATURE, 48)          # lr a from 0.1 to 4.2
    result = sweep(level, ["sgd", "momentum"], lrs, linear_grid(*MOMENTUM_PLANE, 34), spawn_starts(level, 2))
    return level, result


def judge(outcome, lr_a, limit):
    """Cells clearly inside the limit must arrive, cells clearly outside must diverge."""
    ratio = lr_a / limit
    inside, outside = ratio < 1 - BAND, ratio > 1 + BAND
    assert inside.sum() >= 5 and outside.sum() >= 5
    wrong_in, wrong_out = inside & (outcome != ARRIVED), outside & (outcome != DIVERGED)
    assert not wrong_in.any(), list(zip(lr_a[wrong_in], limit[wrong_in], outcome[wrong_in]))
    assert not wrong_out.any(), list(zip(lr_a[wrong_out], limit[wrong_out], outcome[wrong_out]))


def test_gradient_descent_converges_iff_lr_below_two_over_a(bowl_sweep):
    _, r = bowl_sweep
    lr_a = np.broadcast_to(r.lrs * CURVATURE, r.arrived.shape[1:])
    judge(r.outcome()[0], lr_a, np.full(lr_a.shape, 2.0))
    judge(r.outcome()[1][:1], lr_a[:1], np.full(lr_a[:1].shape, 2.0))         # momentum with mu = 0


def test_heavy_ball_converges_iff_lr_a_below_two_one_plus_mu(bowl_sweep):
    _, r = bowl_sweep
    mu, lr = np.meshgrid(r.momenta, r.lrs, indexing="ij")
    judge(r.outcome()[1], lr * CURVATURE, 2 * (1 + mu))


def test_plain_sgd_is_momentum_zero_and_ignores_the_momentum_axis(bowl_sweep):
    _, r = bowl_sweep
    for key in ("arrived", "diverged", "first_arrival", "median_arrival"):
        a = getattr(r, key)
        assert np.array_equal(a[0], np.broadcast_to(a[1][0], a[0].shape)), key


@pytest.mark.parametrize("name", ["09-rastrigin", "11-weather", "07-cliff"])
def test_dropping_stopped_units_changes_no_outcome(name):
    """The compacting swarm against a plain World: traps, gradient noise, divergence."""
    level = sim.load_level(name)
    grid = (log_grid(*level.lr_range, 9), linear_grid(0, 0.99, 5))
    args = (level, level.allowed[:3], *grid, spawn_starts(level, 3))
    fast, plain = sweep(*args, seed=5), sweep(*args, seed=5, compact=False)
    for key in ("arrived", "trapped", "diverged", "descending", "first_arrival", "median_arrival"):
        assert np.array_equal(getattr(fast, key), getattr(plain, key)), key
    assert fast.steps == plain.steps
    assert fast.trapped.any() or fast.diverged.any()


def test_same_seed_same_sweep_and_the_seed_moves_the_starts():
    level = sim.load_level("11-weather")
    a, b = (sweep_plane(level, "momentum", 6, 4, 2, seed=9) for _ in range(2))
    for key in ("arrived", "trapped", "diverged", "first_arrival", "median_arrival"):
        assert np.array_equal(getattr(a, key), getattr(b, key)), key
    assert not np.array_equal(spawn_starts(level, 4, 1), spawn_starts(level, 4, 2))


def test_the_picture_shows_momentum_when_sgd_is_the_default_and_momentum_is_allowed():
    assert picture_optimizer(sim.load_level("03-ravine")) == "momentum"
    assert picture_optimizer(sim.load_level("01-bowl")) == "sgd"


def test_outcome_is_the_status_most_starts_share_ties_to_arrived(bowl_sweep):
    _, r = bowl_sweep
    fake = type(r)(r.optimizers[:1], r.lrs[:2], r.momenta[:1], arrived=np.array([[[0.5, 0.25]]]),
                   trapped=np.array([[[0.0, 0.5]]]), diverged=np.array([[[0.5, 0.0]]]),
                   descending=np.array([[[0.0, 0.25]]]), first_arrival=np.array([[[3, 5]]]),
                   median_arrival=np.array([[[3.0, 5.0]]]), steps=10, starts=4, budget=10)
    assert fake.outcome().tolist() == [[[ARRIVED, TRAPPED]]]


# -- the picture ------------------------------------------------------------------------------
def colours_in(rgb: np.ndarray) -> set:
    return set(map(tuple, rgb.reshape(-1, 3)[:: 7].tolist()))


@pytest.fixture(scope="module")
def saddle():
    level = sim.load_level("05-saddle")
    return level, sweep_plane(level, "momentum", 40, 30, 3)


def test_every_outcome_has_its_own_colour_and_arrivals_are_shaded(saddle):
    level, r = saddle
    assert {DESCENDING, TRAPPED, DIVERGED, ARRIVED} <= set(np.unique(r.outcome()).tolist())
    rgb = pygame.surfarray.array3d(render_sweep(r, level, (900, 600))).transpose(1, 0, 2)
    seen = colours_in(rgb)
    for code in (DESCENDING, TRAPPED, DIVERGED):
        assert OUTCOME_COLOURS[code] in seen, code
    greens = {c for c in seen if c[1] > c[0] + 40 and c[1] > c[2] + 40}      # arrived: green shades
    assert len(greens) > 5
    assert len(set(OUTCOME_COLOURS.values()) | {ARRIVED_FAST, ARRIVED_SLOW}) == 5


def test_draw_sweep_stays_inside_its_rect(saddle):
    level, r = saddle
    surface = pygame.Surface((1000, 700))
    surface.fill((1, 2, 3))
    rect = pygame.Rect(180, 120, 640, 420)
    draw_sweep(surface, rect, r, level)
    rgb = pygame.surfarray.array3d(surface).transpose(1, 0, 2)
    outside = np.ones(rgb.shape[:2], bool)
    outside[rect.top:rect.bottom, rect.left:rect.right] = False
    assert (rgb[outside] == (1, 2, 3)).all()
    assert len(colours_in(rgb[rect.top:rect.bottom, rect.left:rect.right])) > 20


def test_verdict_names_the_fastest_setting(saddle):
    _, r = saddle
    line = verdict(r)
    assert "settings" in line and "Fastest" in line and "steps" in line


def run(*args):
    env = dict(os.environ, SDL_VIDEODRIVER="dummy")
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True, text=True,
                          timeout=120, cwd=str(ROOT), env=env)


def test_cli_writes_a_png_of_the_requested_size(tmp_path):
    out = tmp_path / "map.png"
    proc = run("sweep", "01-bowl", "--out", str(out), "--lr-cells", "30", "--momentum-cells", "12",
               "--starts", "2", "--size", "720x480")
    assert proc.returncode == 0, proc.stderr
    assert "wrote" in proc.stdout and proc.stderr == ""
    with Image.open(out) as img:
        assert img.format == "PNG" and img.size == (720, 480)
        rgb = np.asarray(img.convert("RGB"))
    seen = colours_in(rgb)
    assert OUTCOME_COLOURS[DESCENDING] in seen and OUTCOME_COLOURS[DIVERGED] in seen
    assert len(seen) > 50


def one_line(proc_or_code, stderr):
    code = getattr(proc_or_code, "returncode", proc_or_code)
    lines = stderr.strip().splitlines()
    assert code == 2 and len(lines) == 1 and "Traceback" not in stderr, (code, stderr)
    return lines[0]


def test_cli_bad_out_and_unknown_level_are_one_line(tmp_path):
    proc = run("sweep", "01-bowl", "--out", str(tmp_path / "map.jpg"))
    assert ".png" in one_line(proc, proc.stderr)
    proc = run("sweep", "no-such-level", "--out", str(tmp_path / "map.png"))
    assert "no-such-level" in one_line(proc, proc.stderr)
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("flags, needle", [
    (["--out", "map.JPG"], ".png"),
    ([], "--out"),
    (["--out", "/no/such/folder/map.png"], "does not exist"),
    (["--out", "{tmp}/map.png/"], "is a directory"),
    (["--out", "{tmp}/map.png", "--size", "10x10"], "--size"),
    (["--out", "{tmp}/map.png", "--size", "99999x700"], "--size"),
    (["--out", "{tmp}/map.png", "--size", "wide"], "--size"),
    (["--out", "{tmp}/map.png", "--lr-cells", "0"], "--lr-cells"),
    (["--out", "{tmp}/map.png", "--momentum-cells", "0"], "--momentum-cells"),
    (["--out", "{tmp}/map.png", "--starts", "0"], "--starts"),
    (["--out", "{tmp}/map.png", "--lr-cells", "1000", "--momentum-cells", "1000"], "too many"),
    (["--out", "{tmp}/map.png", "--optimizer", "adamw"], "adamw"),
    (["--out", "{tmp}/map.png", "--lr-min", "3", "--lr-max", "1"], "--lr-min"),
    (["--out", "{tmp}/map.png", "--lr-max", "nan"], "--lr-max"),
])
def test_cli_errors_are_one_line(tmp_path, capsys, flags, needle):
    import main
    if "map.png/" in " ".join(flags):
        (tmp_path / "map.png").mkdir()
    code = main.main(["sweep", "01-bowl", *[f.format(tmp=tmp_path) for f in flags]])
    assert needle in one_line(code, capsys.readouterr().err)
    assert not (tmp_path / "map.png").is_file()


def test_bench_sweep_reports_seconds():
    figures = bench_sweep(quick=True)
    assert figures["sweep_s"] > 0 and figures["sweep_level"] == "03-ravine"


def test_cli_refuses_to_overwrite_a_picture_without_force(tmp_path, capsys):
    import main
    out = tmp_path / "map.png"
    out.write_bytes(b"an earlier picture")
    small = ["--lr-cells", "6", "--momentum-cells", "4", "--starts", "1", "--size", "500x400"]
    code = main.main(["sweep", "01-bowl", "--out", str(out), *small])
    assert "already exists; add --force" in one_line(code, capsys.readouterr().err)
    assert out.read_bytes() == b"an earlier picture"
    assert main.main(["sweep", "01-bowl", "--out", str(out), *small, "--force"]) == 0
    with Image.open(out) as img:
        assert img.format == "PNG" and img.size == (500, 400)
    assert [p.name for p in tmp_path.iterdir()] == ["map.png"]                 # no temporary file left
