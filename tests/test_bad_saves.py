"""Save files that once stopped the game from starting, or were taken as they were: any unreadable
progress.json is set aside and the game starts; only regular files are read; one rule for a result."""
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from game.play.progress import FILE_NAME, Progress

ROOT = Path(__file__).resolve().parent.parent


def set_aside(folder: Path) -> Progress:
    p = Progress(folder)
    assert p.levels == {} and "unreadable" in p.message
    assert not os.path.lexists(folder / FILE_NAME)
    assert len(list(folder.glob(FILE_NAME + ".corrupt-*"))) == 1
    p.record("01-bowl", 1, 40, 0)                     # and saving works again
    assert Progress(folder).won("01-bowl")
    return p


@pytest.mark.parametrize("content", [
    '{"version": 1, "levels": ' + "[" * 100_000 + "]" * 100_000 + "}",
    '{"version": 1, "levels": {"01-bowl": {"stars": 1' + "0" * 5000 + ', "steps": 3, "units_lost": 0}}}',
    '{"version": 1, "levels": {"01-bowl": {"stars": 0, "steps": 3, "units_lost": 0}}}',
    '{"version": 1, "levels": {"01-bowl": {"stars": 99, "steps": 3, "units_lost": 0}}}',
    '{"version": 1, "levels": {"01-bowl": {"stars": 2, "steps": 3, "units_lost": -1}}}',
    '{"version": 1, "levels": {"01-bowl": {"stars": 2, "steps": NaN, "units_lost": 0}}}',
])
def test_an_unreadable_save_is_set_aside_whatever_it_holds(tmp_path, content):
    (tmp_path / FILE_NAME).write_text(content)
    set_aside(tmp_path)


def test_a_save_of_zero_stars_does_not_open_the_next_level(tmp_path):
    (tmp_path / FILE_NAME).write_text(json.dumps({"version": 1, "levels": {
        "01-bowl": {"stars": 0, "steps": 3, "units_lost": 0}}}))
    assert not Progress(tmp_path).unlocked(["01-bowl", "02-overshoot"], 1)


def test_a_save_linked_to_a_device_is_set_aside_unread(tmp_path):
    (tmp_path / FILE_NAME).symlink_to("/dev/zero")
    set_aside(tmp_path)


def test_a_save_that_is_a_fifo_is_set_aside_without_blocking(tmp_path):
    os.mkfifo(tmp_path / FILE_NAME)
    done = []
    loader = threading.Thread(target=lambda: done.append(Progress(tmp_path)), daemon=True)
    loader.start()
    loader.join(20)
    if loader.is_alive():
        with open(tmp_path / FILE_NAME, "w"):
            pass
        pytest.fail("a FIFO as progress.json blocked the game's start")
    assert "unreadable" in done[0].message


def test_a_save_that_is_a_folder_is_set_aside(tmp_path):
    (tmp_path / FILE_NAME).mkdir()
    set_aside(tmp_path)


def test_a_folder_that_cannot_be_looked_into_starts_empty_and_never_saves(tmp_path, monkeypatch):
    folder = tmp_path / "saves"
    real_lstat = os.lstat

    def no_search(path, *args, **kw):
        if str(path).startswith(str(folder)):
            raise PermissionError(13, "Permission denied", str(path))
        return real_lstat(path, *args, **kw)

    monkeypatch.setattr(os, "lstat", no_search)
    p = Progress(folder)
    assert p.levels == {} and "cannot be read" in p.message and "Permission denied" in p.message
    with pytest.raises(OSError):
        p.record("01-bowl", 2, 10, 0)


def test_a_real_folder_without_execute_permission(tmp_path):
    """The folder itself: chmod 600; as root, run without the capabilities that skip the check."""
    folder = tmp_path / "saves"
    folder.mkdir()
    (folder / FILE_NAME).write_text('{"version": 1, "levels": {}}')
    folder.chmod(0o600)
    code = ("import sys; from game.play.progress import Progress; p = Progress(sys.argv[1]); print(p.message)\n"
            "try:\n    p.record('01-bowl', 2, 10, 0)\nexcept OSError:\n    print('not saved')")
    cmd = [sys.executable, "-c", code, str(folder)]
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv: a folder's permissions do not apply")
        caps = "-dac_override,-dac_read_search"
        cmd = ["setpriv", "--bounding-set", caps, "--inh-caps", caps, *cmd]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60, cwd=str(ROOT))
    finally:
        folder.chmod(0o700)
    if os.geteuid() == 0 and proc.returncode != 0 and "setpriv" in proc.stderr:
        pytest.skip(f"setpriv cannot drop capabilities here: {proc.stderr.strip()}")
    assert proc.returncode == 0, proc.stderr
    assert "cannot be read" in proc.stdout and "not saved" in proc.stdout
    assert json.loads((folder / FILE_NAME).read_text()) == {"version": 1, "levels": {}}


def test_the_game_starts_and_says_so(make_app, data_dir, monkeypatch):
    data_dir.mkdir(parents=True)
    (data_dir / FILE_NAME).write_text('{"version": 1, "levels": ' + "[" * 100_000 + "]" * 100_000 + "}")
    app = make_app()
    assert "unreadable" in app.progress.message
