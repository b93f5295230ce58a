"""Shared test setup: headless SDL before anything imports pygame; the repo root on sys.path; the
game app on a fixed clock with a fresh save folder (fixtures ``data_dir`` and ``make_app``)."""
import os
import sys
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pygame  # noqa: E402  (after the SDL settings above)
import pytest  # noqa: E402

from sim import load_level  # noqa: E402
from tests.drive import DT  # noqa: E402
from tests.play import RACE  # noqa: E402


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    from game.play.progress import ENV_VAR
    folder = tmp_path / "saves"
    monkeypatch.setenv(ENV_VAR, str(folder))
    return folder


@pytest.fixture
def make_app(data_dir):
    apps = []

    def make(size=(1280, 720), **kw):
        from game.play.app import GameApp
        kw.setdefault("view", "map")            # the map-view tests; relief tests ask for "relief"
        app = GameApp(size, fixed_dt=DT, **kw)
        pygame.event.clear()
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.close()


@pytest.fixture
def make_classroom(tmp_path, monkeypatch):
    from game.play.progress import ENV_VAR
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "saves"))
    apps = []

    def make(level="03-ravine", race=tuple(RACE), autoplay=False, size=(1280, 720), dt=DT, view="map"):
        from game.classroom.app import ClassroomApp
        app = ClassroomApp(load_level(level), race, autoplay, 1.0, view, size=size, fixed_dt=dt)
        pygame.event.clear()
        apps.append(app)
        return app, app.scene

    yield make
    for app in apps:
        app.close()
