"""No recording is lost: a recording cut short never replaces a file that was there (--force)."""
import pytest

import main
from game.video import cli as video_cli
from game.video import encoders
from game.video.record import record
from tests.test_record import mp4_frames, race


def stop_at(frame):
    def on_frame(n):
        if n == frame:
            raise KeyboardInterrupt
    return on_frame


@pytest.mark.parametrize("ext", ["mp4", "gif"])
def test_an_interrupted_recording_keeps_the_old_file_and_the_partial_beside_it(tmp_path, ext):
    out = tmp_path / f"good.{ext}"
    old = record(race(duration=0.5), out)                      # the good recording, 15 frames
    good = out.read_bytes()
    result = record(race(), out, on_frame=stop_at(6))
    partial = tmp_path / f"good.partial.{ext}"
    assert result.interrupted and result.written == [partial] and old.frames == 15
    assert out.read_bytes() == good                            # left as it was
    if ext == "mp4":
        assert encoders.mp4_is_complete(partial) and len(mp4_frames(partial)[1]) == 6
    again = record(race(), out, on_frame=stop_at(4))          # an earlier partial is kept too
    assert again.written == [tmp_path / f"good.partial-2.{ext}"] and partial.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([out.name, partial.name, f"good.partial-2.{ext}"])


def test_a_whole_recording_replaces_the_old_file_and_a_first_one_keeps_its_partial(tmp_path):
    out = tmp_path / "v.mp4"
    out.write_bytes(b"old")
    assert record(race(duration=0.5), out).written == [out] and out.read_bytes() != b"old"
    new = tmp_path / "new.mp4"
    cut = record(race(), new, on_frame=stop_at(5))             # nothing there before: the partial is the file
    assert cut.written == [new] and len(mp4_frames(new)[1]) == 5
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.mp4", "v.mp4"]


def test_the_message_names_the_partial_and_the_file_left_as_it_was(tmp_path, monkeypatch, capsys):
    out = tmp_path / "good.mp4"
    out.write_bytes(b"good")
    monkeypatch.setattr(video_cli, "record", lambda *a, **k: record(*a, **k, on_frame=stop_at(3)))
    status = main.main(["record", "01-bowl", "--out", str(out), "--force", "--size", "320x180"])
    lines = capsys.readouterr().err.strip().splitlines()
    assert status == 130 and out.read_bytes() == b"good" and len(lines) == 1
    assert lines[0] == f"interrupted: wrote 3 frames to {tmp_path / 'good.partial.mp4'}; {out} left as it was"
