"""The recorder, headless: MP4, GIF and PNG frames drawn by the game's own renderer.

A two-second race is recorded once (MP4 + PNG frames, and a GIF) and decoded back: frame counts and
sizes, PNG frames equal to frames drawn here independently, MP4 and GIF frames close to them. Then
determinism, interruption (an injected KeyboardInterrupt and a real Ctrl-C), write errors and the
command line's one-line errors.
"""
import gc
import signal
import subprocess
import sys
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pygame
import pytest
from PIL import Image, ImageSequence

import main
import sim
from game.video import encoders
from game.video.film import Film
from game.video.record import Recording, film_for, frames, plan, record, schedule
from game.view.render import frame_array
from sim.replay import Recorder

ROOT = Path(__file__).resolve().parent.parent
SIZE = (320, 180)
LEVEL = "08-himmelblau"
RACE = (sim.Orders("sgd", 0.02, 0.0), sim.Orders("momentum", 0.1, 0.95), sim.Orders("adam", 0.1, 0.9))
UNITS, STEPS, SEED, FPS = 4, 40, 8, 30


def race(**changes) -> Recording:
    settings = dict(units=UNITS, steps=STEPS, seed=SEED, fps=FPS, size=SIZE, duration=2.0)
    return Recording(sim.load_level(LEVEL), RACE, **{**settings, **changes})


@pytest.fixture(scope="module")
def two_seconds(tmp_path_factory):
    """A 2 s race recorded as MP4 + PNG frames, and as a GIF."""
    folder = tmp_path_factory.mktemp("race")
    rec = race()
    mp4 = record(rec, folder / "race.mp4", folder / "frames")
    gif = record(rec, folder / "race.gif")
    assert not (mp4.error or gif.error or mp4.interrupted or gif.interrupted)
    return rec, folder


def png_frames(folder) -> list:
    frames = []
    for path in sorted(Path(folder).glob("frame_*.png")):
        with Image.open(path) as im:
            frames.append(np.asarray(im))
    return frames


def mp4_frames(path) -> tuple:
    """(metadata, frames (n, H, W, 3)) of a video, decoded by ffmpeg."""
    with warnings.catch_warnings():     # imageio-ffmpeg leaves its pipes to the collector when ffmpeg ends first
        warnings.simplefilter("ignore", ResourceWarning)
        reader = imageio_ffmpeg.read_frames(str(path))
        meta = next(reader)
        w, h = meta["size"]
        frames = np.array([np.frombuffer(f, np.uint8).reshape(h, w, 3) for f in reader])
        del reader
        gc.collect()
    return meta, frames


def gif_frames(path) -> list:
    """[(start [ms], RGB frame)] of a GIF; Pillow merges repeated frames, so starts tell which is which."""
    out, start = [], 0
    with Image.open(path) as im:
        assert im.info["loop"] == 0
        for frame in ImageSequence.Iterator(im):
            out.append((start, np.asarray(frame.convert("RGB"))))
            start += frame.info["duration"]
    return out + [(start, None)]


def race_world(rec) -> sim.World:
    """The race's world built with the simulation's own API: every squad from the same starts."""
    n, k = rec.units, len(rec.squads)
    start = sim.World(rec.level, seed=rec.seed, units=n).start
    world = sim.World(rec.level, seed=rec.seed, units=n * k, spawn=np.tile(start, (k, 1)))
    for s in range(1, k):
        world.assign(np.arange(s * n, (s + 1) * n), s)
    for s, o in enumerate(rec.squads):
        world.set_orders(s, o.optimizer, o.lr, o.momentum)
    return world


def drawn_frames(rec) -> list:
    """Every frame of ``rec`` drawn here, frame by frame, with the film's drawing functions."""
    world, film, surface = race_world(rec), Film(rec.level, rec.size, steps=rec.steps), pygame.Surface(rec.size)
    plan = schedule(rec.steps, rec.fps, rec.duration)
    best = np.full((sim.world.MAX_SQUADS, rec.steps + 1), np.nan)       # each squad's lowest unit, per step

    def note():
        for s in range(len(rec.squads)):
            best[s, world.step_count] = world.heights[world.squad == s].min()

    film.title_card(surface, world, race=True, summary=rec.summary())
    frames = [frame_array(surface)] * plan.title
    note()
    for k, step in enumerate(plan.steps):
        while world.step_count < step:
            world.step()
            note()
        film.descent(surface, world, k / rec.fps, race=True, best=best)
        frames.append(frame_array(surface))
    film.ending(surface, world, (len(plan.steps) - 1) / rec.fps, race=True, best=best)
    return frames + [frame_array(surface)] * plan.ending


# -- what gets written ---------------------------------------------------------------------------------
def test_schedule_spreads_the_steps_between_the_cards():
    plan = schedule(STEPS, FPS, 2.0)
    assert (plan.title, len(plan.steps), plan.ending, plan.frames) == (12, 36, 12, 60)
    assert plan.steps[0] == 0 and plan.steps[-1] == STEPS and list(plan.steps) == sorted(plan.steps)
    plan = schedule(100, 30)                     # no duration: one step per frame, a second per card
    assert (plan.title, plan.steps, plan.ending) == (30, tuple(range(101)), 30)


def test_two_second_mp4_gif_and_pngs_have_the_right_frames_and_size(two_seconds):
    rec, folder = two_seconds
    pngs = png_frames(folder / "frames")
    assert len(pngs) == 60 and all(p.shape == (180, 320, 3) for p in pngs)
    meta, frames = mp4_frames(folder / "race.mp4")
    assert meta["codec"] == "h264" and meta["pix_fmt"].startswith("yuv420p") and meta["fps"] == FPS
    assert meta["size"] == SIZE and len(frames) == 60
    gif = gif_frames(folder / "race.gif")
    assert gif[-1][0] == 2000                    # the delays add up to exactly 2 s
    assert all(f.shape == (180, 320, 3) for _, f in gif[:-1])
    assert not list(folder.glob(".*partial*"))   # no temporary files left


def test_png_frames_are_the_renderers_frames_exactly(two_seconds):
    rec, folder = two_seconds
    pngs, expected = png_frames(folder / "frames"), drawn_frames(rec)
    assert len(pngs) == len(expected)
    for k in (0, 12, 30, 47, 48, 59):            # title, first step, mid-descent, last step, ending
        np.testing.assert_array_equal(pngs[k], expected[k], err_msg=f"frame {k}")
    assert all(np.array_equal(p, e) for p, e in zip(pngs, expected))


def test_frames_with_the_height_chart_are_exact_too(tmp_path):
    """At 640x360 the legend stands beside the map with a chart of the squads' heights under it."""
    rec = race(size=(640, 360), duration=0.6, fps=20)
    assert Film(rec.level, rec.size).beside
    record(rec, frames_dir=tmp_path)
    pngs, expected = png_frames(tmp_path), drawn_frames(rec)
    assert len(pngs) == len(expected) == 12
    assert all(np.array_equal(p, e) for p, e in zip(pngs, expected))


def test_mp4_and_gif_frames_match_the_pngs_within_codec_tolerance(two_seconds):
    rec, folder = two_seconds
    pngs = png_frames(folder / "frames")
    _, frames = mp4_frames(folder / "race.mp4")
    mp4_diff = [np.abs(f.astype(int) - p).mean() for f, p in zip(frames, pngs)]
    assert max(mp4_diff) < 6, mp4_diff
    starts = list(np.rint(np.arange(61) * 100 / FPS).astype(int) * 10)   # frame k starts at this ms
    gif = gif_frames(folder / "race.gif")
    gif_diff = [np.abs(f.astype(int) - pngs[starts.index(t)]).mean() for t, f in gif[:-1]]
    assert len(gif_diff) > 30 and max(gif_diff) < 8, gif_diff


def test_same_seed_gives_identical_frames_and_another_seed_does_not(tmp_path):
    rec = race(duration=0.5, fps=20, fog=True)
    for name, seed in (("a", SEED), ("b", SEED), ("c", SEED + 1)):
        assert record(replace(rec, seed=seed), frames_dir=tmp_path / name).frames == 10
    a, b, c = (png_frames(tmp_path / name) for name in "abc")
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not all(np.array_equal(x, y) for x, y in zip(a, c))


def test_the_films_fog_is_the_worlds_own_record_of_explored_ground():
    """--fog shows what the recorded world has explored (as the game does), cell for cell."""
    rec = race(duration=0.5, fps=20, fog=True)
    film, surface = film_for(rec), pygame.Surface(rec.size)
    for _ in frames(rec, film, surface):
        pass
    world = race_world(rec)
    world.step(plan(rec).steps[-1])
    lifted = pygame.surfarray.array_alpha(film.fog.grid).T == 0
    assert lifted.any() and not lifted.all() and np.array_equal(lifted, world.explored.grid)


# -- stopping early ------------------------------------------------------------------------------------
@pytest.mark.parametrize("ext", ["mp4", "gif"])
def test_keyboard_interrupt_mid_recording_leaves_a_playable_file(tmp_path, ext):
    def stop_at_15(n):
        if n == 15:
            raise KeyboardInterrupt

    out = tmp_path / f"cut.{ext}"
    result = record(race(), out, on_frame=stop_at_15)
    assert result.interrupted and result.frames == 15 and result.written == [out]
    if ext == "mp4":
        assert len(mp4_frames(out)[1]) == 15
    else:
        assert gif_frames(out)[-1][0] == sum(encoders.gif_delays_ms(15, FPS))
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


def test_ctrl_c_closes_the_video_and_says_so(tmp_path):
    out = tmp_path / "long.mp4"
    proc = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "record", "01-bowl", "--out", str(out),
                             "--duration", "120", "--size", "160x120"], cwd=ROOT, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".*partial*")) and time.monotonic() < deadline:   # ffmpeg has started
        time.sleep(0.05)
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    last = err.strip().replace("\r", "\n").splitlines()[-1]
    assert proc.returncode == 130 and last.startswith("interrupted: wrote ") and last.endswith(f"frames to {out}")
    frames = int(last.split()[2])
    assert frames > 0 and len(mp4_frames(out)[1]) == frames
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


def test_ffmpeg_dying_leaves_no_corrupt_file(tmp_path, monkeypatch, capsys):
    """ffmpeg stops (as on a full disk) after 10 frames without writing its index: exit 1, one line, no file."""
    real = imageio_ffmpeg.write_frames

    def dies_after_10(path, *args, **kwargs):
        ffmpeg = real(path, *args, **kwargs)
        ffmpeg.send(None)
        frame = yield                             # the writer's send(None) starts us up to here
        for _ in range(10):
            ffmpeg.send(frame)
            frame = yield
        ffmpeg.close()
        Path(path).write_bytes(Path(path).read_bytes()[:1000])     # the index is cut short
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(encoders.imageio_ffmpeg, "write_frames", dies_after_10)
    out = tmp_path / "full.mp4"
    status = main.main(["record", LEVEL, "--out", str(out), "--size", "320x180", "--duration", "2"])
    last = capsys.readouterr().err.strip().replace("\r", "\n").splitlines()[-1]
    assert status == 1 and last.startswith("error: ffmpeg stopped") and last.endswith("no file written")
    assert list(tmp_path.iterdir()) == []


def test_gif_write_error_leaves_no_file(tmp_path, monkeypatch):
    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Image.Image, "save", disk_full)
    result = record(race(duration=0.5), tmp_path / "full.gif")
    assert "No space left" in result.error and result.written == [] and list(tmp_path.iterdir()) == []


def test_a_cut_mp4_is_recognised(tmp_path, two_seconds):
    _, folder = two_seconds
    whole = (folder / "race.mp4").read_bytes()
    for name, part in (("head", whole[:len(whole) // 2]), ("tail", whole[len(whole) // 2:])):
        (tmp_path / name).write_bytes(part)
        assert not encoders.mp4_is_complete(tmp_path / name)
    assert encoders.mp4_is_complete(folder / "race.mp4")


# -- the command line ----------------------------------------------------------------------------------
def run(*args):
    return subprocess.run([sys.executable, str(ROOT / "main.py"), "record", *args], capture_output=True, text=True,
                          timeout=120, cwd=str(ROOT))


def test_bad_options_are_one_line_and_exit_2(tmp_path):
    taken = tmp_path / "taken.mp4"
    taken.write_bytes(b"keep me")
    out = str(tmp_path / "v.mp4")
    cases = [
        (["01-bowl", "--out", str(taken)], "already exists; add --force"),
        (["01-bowl", "--out", str(tmp_path / "v.avi")], "unknown extension '.avi'"),
        (["01-bowl", "--out", str(tmp_path / "no" / "v.mp4")], "does not exist"),
        (["01-bowl", "--out", out, "--fps", "0"], "--fps"),
        (["01-bowl", "--out", out, "--fps", "1000"], "--fps"),
        (["01-bowl", "--out", str(tmp_path / "v.gif"), "--fps", "60"], "GIF"),
        (["01-bowl", "--out", out, "--size", "100x80"], "--size width"),
        (["01-bowl", "--out", out, "--size", "8000x4000"], "--size width"),
        (["01-bowl", "--out", out, "--size", "321x180"], "even"),
        (["01-bowl", "--out", out, "--size", "wide"], "WIDTHxHEIGHT"),
        (["no-such-level", "--out", out], "no-such-level"),
        (["01-bowl", "--out", out, "--optimizer", "adamw"], "unknown optimizer 'adamw'"),
        (["01-bowl", "--out", out, "--race", "sgd,lion"], "unknown optimizer 'lion'"),
        (["01-bowl", "--out", out, "--lr", "-0.1"], "learning rate"),
        (["01-bowl", "--out", out, "--race", "sgd,adam", "--lr", "1,2,3"], "--lr"),
        (["01-bowl", "--out", out, "--duration", "0"], "--duration"),
        (["01-bowl"], "--out"),
        (["01-bowl", "--out", out, "--replay", str(tmp_path / "none.json")], "not found"),
        (["01-bowl", "--out", out, "--view", "globe"], "--view"),
        (["01-bowl", "--out", out, "--view", "map", "--orbit", "60"], "--orbit"),
        (["01-bowl", "--out", out, "--orbit", "9999"], "--orbit"),
    ]
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda case: run(*case[0]), cases))
    for (args, needle), proc in zip(cases, results):
        lines = proc.stderr.strip().splitlines()
        assert proc.returncode == 2 and len(lines) == 1 and lines[0].startswith("error: "), (args, proc.stderr)
        assert needle in lines[0], (args, lines[0])
        assert "Traceback" not in proc.stderr
    assert taken.read_bytes() == b"keep me" and sorted(p.name for p in tmp_path.iterdir()) == ["taken.mp4"]


def test_record_a_replay_to_png_frames(tmp_path, capsys):
    level = sim.load_level("01-bowl")
    recorder = Recorder(sim.World(level))
    recorder.set_orders(0, "sgd", 0.3, 0.0)
    recorder.world.step(5)
    recorder.set_orders(0, "sgd", 0.05, 0.0)
    recorder.world.step(5)
    path = recorder.save(tmp_path / "run.json")
    status = main.main(["record", "--replay", str(path), "--frames-dir", str(tmp_path / "frames"), "--fps", "5",
                        "--size", "320x180"])
    assert status == 0 and "wrote" in capsys.readouterr().out
    assert len(list((tmp_path / "frames").glob("frame_*.png"))) == schedule(10, 5).frames
    assert main.main(["record", "--replay", str(path), "--out", str(tmp_path / "x.mp4"), "--race", "sgd,adam"]) == 2
