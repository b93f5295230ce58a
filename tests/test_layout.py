"""The layout of the code: each front end (a wing of game/) stands on the shared drawing wing and
the simulation only, modules import each other without circles, and none grows past 400 lines.

The rules are read from the source itself (every import statement, at the top of a module or
inside a function), so a new module is checked the day it is added.
"""
import ast
from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WINGS = ("play", "classroom", "video", "terminal")     # front ends; game/view/ is the shared drawing wing
SHARED = ("game.app", "game.cli")                      # what every front end may use besides game.view
MAX_LINES = 400


@lru_cache(maxsize=1)
def modules() -> dict:
    """Dotted module name -> path, for every Python file of the project."""
    out = {}
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if rel.parts[0].startswith(".") or rel.parts[0] in ("docs", "levels"):
            continue
        name = ".".join(rel.with_suffix("").parts)
        out[name.removesuffix(".__init__")] = path
    return out


def imports_of(name: str, path: Path) -> set:
    """The project modules ``name`` imports, resolved to dotted names (relative imports included)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    known = modules()
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[:len(parts) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            for a in node.names:          # "from game.view import sprites" names a module, else a name in base
                found.add(f"{base}.{a.name}" if f"{base}.{a.name}" in known else base)
    return {m for m in found if m in known and m != name}


def wing_of(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if len(parts) > 2 and parts[0] == "game" else None


GRAPH = {name: imports_of(name, path) for name, path in modules().items()}


def broken_wing_rules(graph: dict) -> list:
    """(module, import) pairs that break the wing rule: game/view/ imports only itself (and sim);
    a front-end wing imports itself, game.view, game.app, game.cli and sim -- never another wing."""
    bad = []
    for name, targets in graph.items():
        own = wing_of(name)
        for target in targets:
            if not own or not target.startswith("game"):
                continue
            other = wing_of(target)
            allowed = other == "view" if own == "view" else (other in (own, "view") or target in SHARED)
            if not allowed:
                bad.append((name, target))
    return sorted(bad)


def test_a_wing_imports_the_drawing_wing_and_the_simulation_only():
    assert broken_wing_rules(GRAPH) == []


def test_the_wing_rule_catches_a_front_end_importing_another():
    graph = {"game.video.film": {"game.play.hud", "game.view.render", "sim.world", "game.app"},
             "game.view.render": {"game.classroom.look"}, "game.play.hud": {"game.view.widgets"}}
    assert broken_wing_rules(graph) == [("game.video.film", "game.play.hud"),
                                        ("game.view.render", "game.classroom.look")]


def test_the_simulation_imports_nothing_of_the_game():
    for name, targets in GRAPH.items():
        if name.startswith("sim"):
            assert not any(t.startswith("game") for t in targets), f"{name} imports {targets}"


def find_circle(graph: dict) -> list | None:
    """A circle of imports in ``graph`` (module -> modules it imports), as [a, b, ..., a], or None.
    Depth-first search: reaching a module that is still open closes a circle."""
    state: dict = {}

    def visit(node, path):
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                circle = visit(nxt, path + [nxt])
                if circle:
                    return circle
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state:
            circle = visit(node, [node])
            if circle:
                return circle
    return None


def test_game_modules_import_each_other_without_a_circle():
    graph = {n: {t for t in ts if t.startswith(("game", "sim"))} for n, ts in GRAPH.items()
             if n.startswith(("game", "sim"))}
    circle = find_circle(graph)
    assert circle is None, "import circle: " + " -> ".join(circle)


def test_the_circle_finder_finds_circles_and_only_circles():
    assert find_circle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_circle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None      # a diamond is no circle


@pytest.mark.parametrize("name", sorted(modules()))
def test_no_module_is_longer_than_400_lines(name):
    lines = modules()[name].read_text().count("\n")
    assert lines <= MAX_LINES, f"{name}: {lines} lines"
