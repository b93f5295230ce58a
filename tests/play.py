"""Apps for tests: the game at the deploy stage of a level, the classroom's usual race (the
fixtures ``make_app`` and ``make_classroom`` are in conftest.py)."""
import pygame

from game.play.battle import Battle
from game.play.briefing import Briefing
from tests.drive import press

RACE = ["sgd", "momentum", "nesterov", "adam"]     # the classroom race most tests run


def deployed(make_app, level="03-ravine", size=(960, 600)) -> tuple:
    """An app at the deploy stage of ``level``: (app, battle)."""
    app = make_app(size, level=level)
    assert isinstance(app.scene, Briefing)
    press(app, pygame.K_RETURN)
    assert isinstance(app.scene, Battle) and app.scene.phase == "deploy"
    return app, app.scene
