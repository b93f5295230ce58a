"""The campaign's chapters as data (levels/campaign.toml, sim/campaign.py): every level file is in
one chapter, each chapter has its bosses among its levels, and a broken chapters file is one line
naming the file and the field."""
from pathlib import Path

import pytest

import sim
from sim.campaign import CAMPAIGN_FILE, campaign, chapters, parse_chapters
from sim.level_file import LevelError, parse_toml

LEVELS_DIR = CAMPAIGN_FILE.parent


def test_every_level_file_is_in_exactly_one_chapter_and_ids_stay_the_file_names():
    files = sorted(p.stem for p in LEVELS_DIR.glob("*.toml") if p.stem != "campaign")
    listed = [name for chapter in sim.chapters() for name in chapter.levels]
    assert sorted(listed) == files and len(set(listed)) == len(listed)
    assert sim.campaign() == listed
    for chapter in sim.chapters():
        assert chapter.name and chapter.theme and "\n" not in chapter.theme
        assert chapter.bosses and set(chapter.bosses) <= set(chapter.levels)
        assert all(sim.chapter_of(name) == chapter for name in chapter.levels)
    assert sim.chapter_of("random:7") is None


def test_the_campaign_is_not_a_level():
    with pytest.raises(sim.LevelError, match="no such level"):
        sim.load_level("campaign")


GOOD = """
[[chapter]]
name = "One"
theme = "The first."
levels = ["01-bowl", "02-overshoot"]
bosses = ["02-overshoot"]
"""


def read(text: str, tmp_path: Path):
    path = tmp_path / "campaign.toml"
    path.write_text(text, encoding="utf-8")
    return parse_chapters(parse_toml(text, str(path)), str(path), LEVELS_DIR)


def test_a_good_file_reads_and_is_reread_when_it_changes(tmp_path):
    (chapter,) = read(GOOD, tmp_path)
    assert (chapter.name, chapter.levels, chapter.bosses) == ("One", ("01-bowl", "02-overshoot"), ("02-overshoot",))
    path = tmp_path / "levels" / "campaign.toml"
    path.parent.mkdir()
    for name in ("01-bowl", "02-overshoot"):
        (path.parent / f"{name}.toml").write_text((LEVELS_DIR / f"{name}.toml").read_text())
    path.write_text(GOOD)
    assert campaign(path) == ["01-bowl", "02-overshoot"]
    path.write_text(GOOD.replace('["01-bowl", "02-overshoot"]', '["02-overshoot", "01-bowl"]') + "\n")
    assert campaign(path) == ["02-overshoot", "01-bowl"] and chapters(path)[0].bosses == ("02-overshoot",)


@pytest.mark.parametrize("change, message", [
    (("bosses", "boss"), "chapter[0].boss: unknown key (did you mean 'bosses'?)"),
    (('bosses = ["02-overshoot"]', ""), "chapter[0].bosses: missing (every chapter needs it)"),
    (('bosses = ["02-overshoot"]', 'bosses = ["03-ravine"]'), "chapter[0].bosses[0]: 03-ravine is not one of"),
    (('bosses = ["02-overshoot"]', "bosses = []"), "chapter[0].bosses: expected a list of level names"),
    (('"02-overshoot"]\nbosses', '"01-bowl"]\nbosses'), "chapter[0].levels[1]: 01-bowl is already in chapter[0]"),
    (('"01-bowl"', '"99-nowhere"'), "chapter[0].levels[0]: no level file 99-nowhere.toml"),
    (('"01-bowl"', '"../01-bowl"'), "chapter[0].levels[0]: expected a level name such as '01-bowl'"),
    (('"01-bowl"', "1"), "chapter[0].levels[0]: expected a level name such as '01-bowl', got 1"),
    (('name = "One"', 'name = ""'), "chapter[0].name: empty"),
    (('theme = "The first."', 'theme = "' + "x" * 201 + '"'), "chapter[0].theme: a text of 201 characters"),
    (("[[chapter]]", "[[chapters]]"), ": chapters: unknown key (did you mean 'chapter'?)"),
])
def test_a_bad_chapters_file_is_one_line_naming_the_field(tmp_path, change, message):
    old, new = change
    with pytest.raises(LevelError) as err:
        read(GOOD.replace(old, new, 1), tmp_path)
    text = str(err.value)
    assert message in text and text.startswith(str(tmp_path / "campaign.toml")) and "\n" not in text


def test_a_level_in_two_chapters_is_refused(tmp_path):
    two = GOOD + GOOD.replace('"One"', '"Two"')
    with pytest.raises(LevelError, match=r"chapter\[1\]\.levels\[0\]: 01-bowl is already in chapter\[0\]"):
        read(two, tmp_path)
