"""A recorded descent lasts long enough to follow: by default at least MIN_DESCENT seconds, short
descents holding each step over several frames; --fps alone keeps one frame per step, --duration
spreads the steps over its seconds. The descent ends where a dry run of the world stops moving."""
from types import SimpleNamespace

import main
import sim
from game.video.cli import recording_from_args
from game.video.record import FPS, MIN_DESCENT, Descent, frames, plan, schedule


def recording(*flags, tmp_path):
    args = main.build_parser().parse_args(["record", *flags, "--out", str(tmp_path / "v.mp4")])
    return recording_from_args(args)[0]


def last_step(rec) -> int:
    dry = Descent(rec)
    dry.advance(rec.steps)
    return dry.world.step_count


def test_a_short_descent_is_slowed_to_six_seconds(tmp_path):
    rec = recording("03-ravine", "--optimizer", "momentum", "--lr", "2", "--momentum", "0.7", tmp_path=tmp_path)
    end = last_step(rec)
    assert end < MIN_DESCENT * FPS / 2                                # a short one: it ends early
    p = plan(rec)
    assert len(p.steps) / rec.fps >= MIN_DESCENT and (p.title, p.ending) == (FPS, FPS)
    assert p.steps[0] == 0 and p.steps[-1] == end and list(p.steps) == sorted(p.steps)
    assert set(p.steps) == set(range(end + 1))                        # every step shown, held a while
    assert max(p.steps.count(k) for k in set(p.steps)) <= 2 * min(p.steps.count(k) for k in set(p.steps)) + 1


def test_the_default_ravine_video_shows_six_seconds_of_descent(tmp_path):
    rec = recording("03-ravine", tmp_path=tmp_path)
    assert len(plan(rec).steps) / rec.fps >= MIN_DESCENT


def test_fps_keeps_one_frame_per_step_and_duration_its_seconds(tmp_path):
    rec = recording("03-ravine", "--optimizer", "momentum", "--lr", "2", "--momentum", "0.7", "--fps", "15",
                    tmp_path=tmp_path)
    assert plan(rec).steps == tuple(range(last_step(rec) + 1))
    rec = recording("03-ravine", "--duration", "2", tmp_path=tmp_path)
    assert plan(rec).frames == 2 * FPS
    assert schedule(200, 30, least=MIN_DESCENT).steps == tuple(range(201))   # long enough already


def test_the_frames_follow_the_plan(tmp_path):
    """Each descent frame shows the world at the step the plan gives it, and no frame is dropped."""
    rec = recording("03-ravine", "--optimizer", "momentum", "--lr", "2", "--momentum", "0.7", tmp_path=tmp_path)
    shown = []
    film = SimpleNamespace(view="map", orbit=0.0, fog=None, turn_to=lambda t: None,
                           title_card=lambda *a: shown.append(("title", None)),
                           descent=lambda surface, world, *a: shown.append(("descent", world.step_count)),
                           ending=lambda surface, world, *a: shown.append(("ending", world.step_count)))
    p = plan(rec)
    count = sum(1 for _ in frames(rec, film, None, p))
    assert count == p.frames
    assert [step for kind, step in shown if kind == "descent"] == list(p.steps)
    assert shown[-1] == ("ending", p.steps[-1])
    assert sim.load_level("03-ravine").budget > p.steps[-1]
