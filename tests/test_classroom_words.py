"""The classroom names each unit's state with one word everywhere on the screen (header, line-up,
note, the step not taken), the true one: 'stalled' at a saddle, 'trapped' in a local minimum; and
the race's result names its winner, the first squad to arrive, not the last."""
import numpy as np
import pytest

from game.classroom import screen
from game.view.widgets import recording_text
from sim.world import DESCENDING
from tests.drive import run

WORDS = ("stalled", "trapped")


def to_the_end(c):
    while not c.over:
        c.step()


def screen_text(app) -> list:
    with recording_text() as log:
        run(app, 1)
    return [s for s, _, _, _ in log]


@pytest.mark.parametrize("level, race, word", [
    ("05-saddle", ["sgd", "momentum", "adam"], "stalled"),         # SGD stops at the saddle: no minimum there
    ("09-rastrigin", ["sgd", "momentum"], "trapped"),              # SGD settles in the egg crate's hollows
])
def test_a_stopped_unit_has_one_word_on_the_whole_screen(make_classroom, level, race, word):
    app, c = make_classroom(level, race=race)
    to_the_end(c)
    c.select(0)
    event = [e for e in c.world.events if e.kind == "trapped" and e.unit == 0][-1]
    assert event.near_minimum == (word == "trapped")                # the world's own verdict
    texts = screen_text(app)
    said = [s for s in texts if any(w in s for w in WORDS)]
    other = WORDS[1 - WORDS.index(word)]
    assert not [s for s in said if other in s], said
    assert any(s.endswith(f"\u00b7  {word}") for s in said)        # the panel's header
    assert f"(not taken: {word})" in " ".join(said)                # the next step's line
    assert any(s.startswith("this unit") and word in s for s in said)      # the note
    assert any(s.strip() == word for s in said)                    # SGD's row in the line-up


def test_the_race_result_names_the_first_squad_to_arrive(make_classroom):
    app, c = make_classroom("05-saddle", race=["sgd", "momentum", "adam"])
    notices = []
    while not c.over:
        c.step()
        if c.notice is not None and (not notices or notices[-1] != c.notice[0]):
            notices.append(c.notice[0])
    first = {k: int(c.world.arrival_step[(c.world.squad == k) & (c.world.arrival_step >= 0)].min())
             for k in range(3) if (c.world.arrival_step[c.world.squad == k] >= 0).any()}
    winner = min(first, key=first.get)
    last = max(first, key=first.get)
    assert winner != last and c.squad_label(winner) == "Adam"
    assert any("Momentum" in n and "second" in n for n in notices)          # the later one says so
    head, summary = c.banner()[0].split("\n")
    assert head.startswith("Adam wins") and f"{first[winner]} steps" in head and "Momentum" not in head
    assert f"Momentum {first[last]}" in summary and "SGD stalled" in summary
    assert summary.index("Adam") < summary.index("Momentum") < summary.index("SGD")
    c.update(screen.NOTICE_SECONDS + 1)
    assert c.notice is None and c.banner()[0].startswith("Adam wins")        # it stays once the race is over
    assert head in screen_text(app)


def test_a_race_nobody_wins_says_so(make_classroom):
    app, c = make_classroom("05-saddle", race=["sgd", "sgd"])
    to_the_end(c)
    assert not (c.world.status == DESCENDING).any() or c.world.step_count == c.level.budget
    assert (c.world.arrival_step < 0).all()
    head, summary = c.banner()[0].split("\n")
    assert "no squad" in head and "SGD stalled" in summary and "SGD 2 stalled" in summary
    assert np.all(c.world.arrival_step < 0)


def test_a_restart_clears_the_last_races_result(make_classroom):
    app, c = make_classroom("05-saddle", race=["sgd", "adam"])
    to_the_end(c)
    assert c.banner()[0].startswith("Adam wins")
    c.restart()
    assert c.banner() is None and c.world.step_count == 0


def test_a_squad_keeps_the_name_it_arrived_under_when_o_changes_it_afterwards(make_classroom):
    """Adam reaches the global minimum; O then makes the squad RMSProp: the race's result and the flag
    still say Adam did it, while the line-up names the orders it has now."""
    app, c = make_classroom("05-saddle", race=["sgd", "adam"])
    to_the_end(c)
    assert c.banner()[0].startswith("Adam wins")
    c.select_squad(1)
    while c.world.orders[1].optimizer != "rmsprop":
        c.next_optimizer()
    assert c.squad_labels()[1] != "Adam" and c.result_labels()[1] == "Adam"
    assert c.banner()[0].startswith("Adam wins")
    c.restart()
    assert c.result_labels() == c.squad_labels()                            # a new race: new names
