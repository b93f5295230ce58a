"""What the game says after a loss: the cause, the advice, the level's own hint when it answers
that cause, never two pieces of advice that pull one setting opposite ways; the levels' hints win
when followed; the levels' texts write the maths as the HUD does."""
import re

import numpy as np
import pytest

import sim
from game.view.advice import loss_cause, loss_hints
from sim.level_file import LOSS_CAUSES
from sim.levels import parse_level
from tests.losses import lost_world, order_variants

LEVELS = sim.campaign()

# an independent reading of a piece of advice: a direction word within three words of a setting
UP, DOWN = r"raise|larger|higher|increase|up|more|add|bigger", r"lower|smaller|drop|reduce|down|below|less|decrease"
SETTING = {"lr": r"η|learning[ -]rate|lr", "mu": r"μ|momentum|β₁"}


def ways(line: str) -> set:
    """{(setting, +1 or -1)}: which way a line of advice moves each setting."""
    found = set()
    for sentence in re.split(r"[.;:]\s", line.lower()):
        for setting, name in SETTING.items():
            for sign, way in ((1, UP), (-1, DOWN)):
                near = rf"\b({way})\b(\W+\S+){{0,3}}?\W+({name})|({name})(\W+\S+){{0,3}}?\W+\b({way})\b"
                if re.search(near, sentence):
                    found.add((setting, sign))
    return found


def test_the_reading_of_advice_finds_both_ways():
    assert ways("Too slow: raise η or add momentum.") == {("lr", 1), ("mu", 1)}
    assert ways("Your learning rate was too large: units flew off the map. Lower η.") == {("lr", -1)}
    assert ways("Drag the learning-rate slider (η) up towards 0.5.") == {("lr", 1)}
    assert ways("Switch to Momentum with μ near 0.7 and η about 2.") == set()


@pytest.mark.parametrize("name", LEVELS)
def test_advice_never_pulls_a_setting_both_ways(name):
    level = sim.load_level(name)
    for cause in LOSS_CAUSES:
        for orders in order_variants(level):
            world = lost_world(level, cause, orders=orders)
            assert loss_cause(world) == cause
            lines = loss_hints(world)
            assert lines, (name, cause, orders)
            said = set().union(*(ways(line) for line in lines))
            both = {q for q, sign in said if (q, -sign) in said}
            assert not both, (name, cause, orders, lines)
            assert (level.hint in lines) == (cause in level.hint_when)


def test_the_bowl_too_bold_is_told_to_lower_eta_and_not_to_raise_it():
    world = lost_world(sim.load_level("01-bowl"), "diverged", orders=("sgd", 3.0, 0.0))
    lines = loss_hints(world)
    assert lines == ["Your learning rate was too large: units flew off the map. Lower η."]
    slow = loss_hints(lost_world(sim.load_level("01-bowl"), "slow"))
    assert slow[-1] == sim.load_level("01-bowl").hint


def test_advice_leaves_out_what_the_level_hint_goes_against():
    level = sim.load_level("22-nn-dead-relu")                    # its hint: lower η
    world = lost_world(level, "stalled", orders=("momentum", 0.03, 0.95))
    lines = loss_hints(world)
    assert lines[-1] == level.hint and "larger" not in lines[0] and lines[0].startswith("Your units stalled")


BASE = {"title": "t", "briefing": "b", "budget": 50, "goal_radius": 0.3, "units": 4, "hint": "go lower",
        "bounds": [[-4, 4], [-3, 3]], "spawn": {"center": [2.5, 2.0], "radius": 0.4},
        "orders": {"optimizer": "sgd", "lr": 0.1}, "stars": {}, "terrain": [{"type": "bowl"}]}


def test_hint_when_is_read_and_checked():
    assert parse_level(BASE, "x.toml", "x").hint_when == LOSS_CAUSES          # left out: every cause
    assert parse_level({**BASE, "hint_when": ["slow", "trapped"]}, "x.toml", "x").hint_when == ("slow", "trapped")
    bad = [({"hint_when": ["trappd"]}, "x.toml: hint_when[0]: unknown cause 'trappd' (did you mean 'trapped'?)"),
           ({"hint_when": "slow"}, "x.toml: hint_when: expected a list of causes"),
           ({"hint_when": []}, "x.toml: hint_when: expected a list of causes"),
           ({"hint_when": ["slow"], "hint": ""}, "x.toml: hint_when: given without a hint")]
    for extra, message in bad:
        with pytest.raises(sim.LevelError) as err:
            parse_level({**BASE, **extra}, "x.toml", "x")
        assert str(err.value).startswith(message)


# -- the hints win --------------------------------------------------------------------------------------
NAMES = {"sgd": "SGD", "momentum": "Momentum", "nesterov": "Nesterov", "adagrad": "AdaGrad", "adam": "Adam",
         "rmsprop": "RMSProp"}


def test_every_level_hint_names_its_orders_as_data():
    """A level whose win needs a change of orders or a drop (``needs``) names a plan instead: its
    hint's plan is scripted and won in tests/test_plans.py."""
    levels = [sim.load_level(n) for n in LEVELS]
    assert [lv.id for lv in levels if lv.hint and not lv.needs and not lv.hint_orders] == []


@pytest.mark.parametrize("name", [n for n in LEVELS if sim.load_level(n).hint_orders])
def test_following_the_hint_wins(name):
    """Every setting the hint names (its ``hint_orders``, which the text must name too) wins the
    level with all its units; where the hint leaves μ (Adam's β₁) to the slider, both the level's
    default and 0.9 win."""
    level = sim.load_level(name)
    for optimizer, lr, mu in level.hint_orders:
        named = NAMES[optimizer] in level.hint or optimizer == level.optimizer
        assert f"{lr:g}" in level.hint and named, (name, optimizer, lr)
        assert mu is None or re.search(rf"μ (near |about )?{mu:g}", level.hint), (name, optimizer, mu)
        for m in [mu] if mu is not None else sorted({level.momentum, 0.9 if optimizer == "adam" else level.momentum}):
            world = sim.World(level)
            world.set_orders(0, optimizer, lr, m)
            while not world.over:
                world.step()
            assert world.won, (name, optimizer, lr, m, world.counts())


def test_hint_orders_are_read_and_checked():
    orders = [{"optimizer": "sgd", "lr": 0.5}, {"optimizer": "sgd", "lr": 0.2, "momentum": 0.0}]
    assert parse_level({**BASE, "hint_orders": orders}, "x.toml", "x").hint_orders == (("sgd", 0.5, None),
                                                                                     ("sgd", 0.2, 0.0))
    bad = [([{"optimizer": "adamw", "lr": 0.1}], "hint_orders[0].optimizer: expected one of orders.allowed"),
           ([{"optimizer": "sgd"}], "hint_orders[0].lr: missing"),
           ([{"optimizer": "sgd", "lr": 50}], "hint_orders[0].lr: expected a number <= 1, got 50"),
           ([{"optimizer": "sgd", "lr": 0.1, "momentun": 0.9}], "hint_orders[0].momentun: unknown key (did you mean"),
           ("sgd", "hint_orders: expected a list")]
    for value, message in bad:
        with pytest.raises(sim.LevelError) as err:
            parse_level({**BASE, "hint_orders": value}, "x.toml", "x")
        assert str(err.value).startswith("x.toml: " + message), str(err.value)


# -- one notation -------------------------------------------------------------------------------------
ASCII_MATHS = r"<-|\beta\b|\bgrad\b|\btheta\b|\blr\b|\bmu\b|\bbeta1\b|[a-z]_[a-z0-9]|\bsum_|\bRMSprop\b|\bAdagrad\b"


@pytest.mark.parametrize("name", LEVELS)
def test_level_texts_write_the_maths_as_the_hud_does(name):
    level = sim.load_level(name)
    for words in (level.title, level.lesson, level.briefing, level.hint):
        assert not re.search(ASCII_MATHS, words), (name, re.search(ASCII_MATHS, words).group())
        assert not re.search(r"\d\s*\*\s*\w|\w\s\*\s", words), (name, words)


def test_the_terminal_end_box_gives_the_same_advice():
    from game.terminal.text import end_box
    world = lost_world(sim.load_level("01-bowl"), "diverged", orders=("sgd", 3.0, 0.0))
    said = " ".join(line for line, _ in end_box(world, 200))
    assert "Lower η" in said and "up towards" not in said
    slow = " ".join(line for line, _ in end_box(lost_world(sim.load_level("01-bowl"), "slow"), 200))
    assert "up towards 0.5" in slow


def test_advice_never_suggests_what_a_failing_squad_already_used():
    """Squad 1 on Momentum with μ 0.89 (a slider's near-0.9), squad 2 on Adam, both trapped on Egg
    Crate: the advice neither asks for μ ≥ 0.9 nor names Adam."""
    from game.view.advice import loss_advice
    level = sim.load_level("09-rastrigin")
    world = sim.World(level)
    world.assign(np.arange(6, 12), 1)
    world.set_orders(0, "momentum", level.lr_range[0], 0.89)
    world.set_orders(1, "adam", level.lr_range[0], 0.9)
    while not world.over:
        world.step()
    assert loss_cause(world) == "trapped"
    words = " ".join(loss_advice(world))
    assert "Adam" not in words and "\u03bc \u2265" not in words and "RMSProp" in words, words


def test_no_advice_asks_for_more_momentum_than_the_level_allows():
    """Fresh Legs allows β₁ up to 0.5: Adam at the top η and β₁ 0.5, too slow on the plain, is not
    told to add momentum, whatever the cause."""
    from game.view.advice import loss_advice
    level = sim.load_level("15-fresh-legs")
    for cause in ("slow", "trapped", "stalled"):
        world = lost_world(level, cause, orders=("adam", level.lr_range[1], float(np.max(level.momentum_range))))
        assert loss_cause(world) == cause
        words = " ".join(loss_advice(world))
        assert words and "momentum" not in words, (cause, words)


def test_where_the_levels_hint_answers_the_advice_only_diagnoses():
    """The Sigmoid Plateau: no Momentum setting crosses it, only Adam or RMSProp (its hint). After
    a stall the generic remedies ('try momentum') are not offered beside the hint."""
    level = sim.load_level("21-nn-sigmoid")
    lines = loss_hints(lost_world(level, "stalled", orders=("sgd", level.lr_range[0], 0.0)))
    assert lines[-1] == level.hint and len(lines) == 2 and "try" not in lines[0] and "momentum" not in lines[0]
    assert lines[0].startswith("Your units") and lines[0].endswith(".")
