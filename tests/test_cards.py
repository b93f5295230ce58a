"""What a lesson card says about the optimizers happens in its level's default race: one squad
per allowed optimizer (game.classroom.race.default_lineup) on the same starts, run for the budget.
Each claim is written here with the words of the card that make it, so the two stay together."""
import numpy as np
import pytest

import sim
from game.classroom.race import default_lineup, race_starts, race_world

# level -> [(words on the card, optimizer, what happens)]; "wins": a unit of its squad reaches the
# global minimum; "fails": none does; "flies off": most of its units diverge; "lower": it ends lower
# on average than plain SGD
CLAIMS = {
    "03-ravine": [("plain descent crawls", "sgd", "fails"), ("momentum builds up speed", "momentum", "wins")],
    "04-banana": [("only heavy momentum carries units", "momentum", "wins"), ("units crawl and stall", "sgd", "fails"),
                  ("Nesterov", "nesterov", "wins")],
    "05-saddle": [("momentum and Adam escape", "momentum", "wins"), ("momentum and Adam escape", "adam", "wins"),
                  ("plain descent stalls", "sgd", "fails")],
    "06-plateau": [("Adam and RMSProp normalise", "adam", "wins"), ("Adam and RMSProp normalise", "rmsprop", "wins"),
                   ("plain steps shrink to nothing", "sgd", "fails")],
    "07-cliff": [("bold learning rate hurls a unit off the map", "sgd", "flies off"),
                 ("let Adam,", "adam", "wins"), ("RMSProp or AdaGrad divide", "rmsprop", "wins"),
                 ("RMSProp or AdaGrad divide", "adagrad", "wins")],
    "08-himmelblau": [("a cautious squad settles in the nearest valley", "sgd", "fails"),
                      ("give it momentum", "momentum", "wins")],
    "09-rastrigin": [("small steps fall into the nearest pit", "sgd", "fails"),
                     ("momentum rolls over rims and settles lower", "momentum", "lower"),
                     ("now and then in the middle itself", "momentum", "wins")],
    "11-weather": [("a big step plus noise never settles", "sgd", "flies off")],
    "21-nn-sigmoid": [("Adam normalises the whisper", "adam", "wins"), ("Plain steps stall", "sgd", "fails"),
                      ("Adam and RMSProp rescale", "rmsprop", "wins")],
    "23-nn-explode": [("the loss explodes and units are thrown off the map", "sgd", "flies off")],
    "25-nn-leaky-relu": [("Bold steps still fly off the map", "sgd", "flies off")],
}


@pytest.mark.parametrize("name", sorted(CLAIMS))
def test_the_cards_claims_hold_in_the_default_race(name):
    level = sim.load_level(name)
    card = " ".join((level.lesson + " " + level.briefing).split())
    entries = default_lineup(level, list(level.allowed))
    world = race_world(level, entries, race_starts(level))
    world.step(level.budget)
    squad = {e.orders.optimizer: k for k, e in enumerate(entries)}
    sgd_height = world.heights[world.squad == squad["sgd"]].mean()
    for words, optimizer, outcome in CLAIMS[name]:
        assert words in card, (name, words)
        k = squad[optimizer]
        counts, members = world.counts(k), world.squad == k
        happened = {"wins": counts["arrived"] > 0, "fails": counts["arrived"] == 0,
                    "flies off": counts["diverged"] * 2 > members.sum(),
                    "lower": world.heights[members].mean() < sgd_height}[outcome]
        assert happened, (name, optimizer, outcome, counts, entries[k].orders)


def test_the_saddle_race_of_the_readme_lets_momentum_nesterov_and_adam_out():
    """`demo 05-saddle --race sgd,momentum,nesterov,adam`: all but SGD reach the valley in the budget."""
    level = sim.load_level("05-saddle")
    world = race_world(level, default_lineup(level, ["sgd", "momentum", "nesterov", "adam"]), race_starts(level))
    world.step(level.budget)
    assert [world.counts(k)["arrived"] > 0 for k in range(4)] == [False, True, True, True]
    assert np.all(world.status[world.squad == 0] != sim.ARRIVED)


def test_exploding_steps_bounce_below_half_and_explode_from_it_as_its_card_says():
    """'up to η about 0.4 the units only bounce about the valley without flying off ... from η
    about 0.45 ... units are thrown off the map', over the whole budget."""
    level = sim.load_level("23-nn-explode")
    card = " ".join(level.briefing.split())
    assert "up to η about 0.4 the units only bounce" in card and "from η about 0.45" in card
    for lr, flung in ((0.15, False), (0.3, False), (0.4, False), (0.5, True), (0.6, True)):
        world = sim.World(level)
        world.set_orders(0, "sgd", lr, 0.0)
        world.step(level.budget)
        diverged = world.counts()["diverged"]
        assert (diverged * 2 > world.n_units) if flung else diverged == 0, (lr, world.counts())
        if not flung:
            assert world.counts()["trapped"] == 0                        # bouncing: none stops short


def test_dead_ground_stops_plain_sgd_for_good_and_only_carried_speed_moves_a_unit_there():
    """Dead ReLUs: 'A unit on plain SGD that lands there never moves again; one with momentum ...
    only coasts on the speed it brought in, which fades step by step.'"""
    level = sim.load_level("22-nn-dead-relu")
    dead = np.array([[-1.4, -1.4]])
    assert np.all(level.terrain.grad(dead) == 0)                          # the flat ground: no slope at all
    for optimizer in sim.OPTIMIZERS:                                      # no speed brought in: no move
        opt = sim.make_optimizer(optimizer, lr=0.1, momentum=0.9 if optimizer != "sgd" else 0.0)
        x = dead.copy()
        for _ in range(20):
            x = opt.step(x, level.terrain.grad(x))
        assert np.array_equal(x, dead), optimizer
    opt = sim.make_optimizer("momentum", lr=0.1, momentum=0.9)
    x = opt.step(np.array([[-1.3, -1.3]]), np.array([[0.1, 0.1]]))         # arriving with some speed
    moves = []
    for _ in range(10):
        assert np.all(level.terrain.grad(x) == 0)                          # still on the dead ground
        before, x = x, opt.step(x, level.terrain.grad(x))
        moves.append(float(np.hypot(*(x - before)[0])))
    assert moves[0] > 0 and all(0 < b < a for a, b in zip(moves, moves[1:]))   # coasting, fading
