"""Left out, an optimizer's momentum is torch's default -- 0 for SGD and RMSprop, beta1 = 0.9 for
Adam -- in the API, the world, the game's squad panel, the classroom and the terminal."""
import numpy as np
import pytest

import sim
from tests.drive import run
from tests.play import deployed

TORCH_DEFAULTS = {"sgd": 0.0, "momentum": 0.0, "nesterov": 0.0, "adagrad": 0.0, "rmsprop": 0.0, "adam": 0.9}


@pytest.mark.parametrize("name", sim.OPTIMIZERS)
def test_make_optimizer_takes_torchs_default(name):
    assert sim.make_optimizer(name, lr=0.1).momentum == TORCH_DEFAULTS[name] == sim.default_momentum(name)
    assert sim.make_optimizer(name, lr=0.1, momentum=0.5).momentum == 0.5


def test_adams_default_step_is_torchs():
    """Three steps of Adam with betas (0.9, 0.999), written out independently of sim.optim, on
    gradients that change (under a constant one every beta1 gives the same steps)."""
    x = np.array([[1.0, -2.0]])
    opt = sim.make_optimizer("adam", lr=0.1)
    m = v = np.zeros((1, 2))
    y = x.copy()
    for t in range(1, 4):
        g = np.array([[0.5, 3.0]]) * (-2.0) ** t
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        y = y - 0.1 / (1 - 0.9 ** t) * m / (np.sqrt(v) / np.sqrt(1 - 0.999 ** t) + 1e-8)
        x = opt.step(x, g)
    np.testing.assert_allclose(x, y, rtol=1e-12)


def test_world_switching_optimizer_takes_the_new_ones_default():
    world = sim.World(sim.load_level("05-saddle"))
    world.set_orders(0, optimizer="adam")
    assert world.orders[0].momentum == 0.9 and world.optimizer(0).momentum == 0.9
    world.set_orders(0, lr=0.2)                           # same optimizer: momentum kept
    assert world.orders[0].momentum == 0.9
    world.set_orders(0, optimizer="adam", momentum=0.3)
    assert world.orders[0].momentum == 0.3
    world.set_orders(0, optimizer="momentum")
    assert world.orders[0].momentum == 0.0


def test_the_games_squad_panel_shows_beta1_09_after_switching_to_adam(make_app):
    app, battle = deployed(make_app, level="05-saddle")
    battle.give_orders(optimizer="adam")
    assert battle.world.orders[battle.squad].momentum == 0.9
    run(app, 1)
    assert battle.panel.momentum.value == pytest.approx(0.9)
    battle.give_orders(optimizer="sgd")
    assert battle.world.orders[battle.squad].momentum == 0.0
    battle.give_orders(optimizer="momentum")      # torch's SGD has no momentum to default to: the panel's 0.9
    assert battle.world.orders[battle.squad].momentum == pytest.approx(
        min(max(0.9, battle.level.momentum_range[0]), battle.level.momentum_range[1]))


def test_the_terminals_next_optimizer_takes_torchs_default():
    from game.terminal.tui import Session
    session = Session(sim.load_level("06-plateau"), seed=0)
    seen = {}
    for _ in sim.load_level("06-plateau").allowed:
        session.next_optimizer()
        o = session.world.orders[0]
        seen[o.optimizer] = o.momentum
    assert seen["adam"] == 0.9 and seen["rmsprop"] == 0.0
    assert seen.get("momentum", 0.9) == min(0.9, sim.load_level("06-plateau").momentum_range[1]) > 0


def test_the_classrooms_next_optimizer_gives_adam_beta1_09(make_classroom):
    app, c = make_classroom(level="05-saddle", race=["sgd"])
    for _ in sim.OPTIMIZERS:
        c.next_optimizer()
        o = c.world.orders[c.squad]
        if o.optimizer == "adam":
            assert o.momentum == 0.9
            return
    pytest.fail("the classroom never reached adam")
