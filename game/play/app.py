"""The game's window: title -> campaign map -> briefing -> battle (deploy, then descend) -> results;
or title -> endless -> battle -> results -> the next map's battle ... -> the high scores.

``GameApp`` is the shared ``game.app.App`` with the game's scenes, the player's saved progress
(``Progress``) and the runs lost this session (a level's hint shows after a first loss). It
starts at the title screen, or at a level's briefing (over the campaign map when the level is a
campaign one), or straight into a replay or an endless run.
"""
from __future__ import annotations

import sim
from game.app import ALERT_SECONDS, App

from .battle import Battle
from .briefing import Briefing
from .campaign import Campaign
from .endless import Endless
from .progress import Progress
from .results import Results
from .title import Title


ENDLESS = "endless"        # ``play endless``: the level name that starts an endless run


class GameApp(App):
    """The game. ``level`` starts at that level's briefing ("endless": an endless run, its seed
    ``endless_seed`` or one from the clock); ``replay`` (a ``sim.replay.Replay``) plays it back
    straight away; ``data_dir`` holds the save (default: the player's data folder); ``view`` is how
    battles show the world at first: the sand table ("relief") or the map."""

    scene_types = {"title": Title, "campaign": Campaign, "briefing": Briefing, "battle": Battle, "results": Results,
                   "endless": Endless}

    def __init__(self, size=(1280, 720), data_dir=None, fixed_dt: float | None = None,
                 level: str | None = None, replay=None, fullscreen=False, view: str = "relief",
                 endless_seed: int | None = None):
        self.progress = Progress(data_dir)
        self.view = view                      # "relief" or "map": how battles show the world (V switches)
        self.losses: dict[str, int] = {}      # level id -> runs lost this session (hints show after one)
        self._first = (level, replay, endless_seed)
        super().__init__(size, fixed_dt, fullscreen)

    def start(self):
        if self.progress.message:
            self.notify(self.progress.message, seconds=ALERT_SECONDS, local=False)
        level, replay, seed = self._first
        self.open("title")
        if level == ENDLESS:
            self.open("endless", seed=seed)            # its rules and table first; Enter starts the run
        elif replay is not None:
            self.open("battle", replay.level, replay=replay)
        elif level is not None:
            lvl = sim.load_level(level)
            if lvl.id in sim.campaign():
                self.open("campaign")
            self.open("briefing", lvl)
