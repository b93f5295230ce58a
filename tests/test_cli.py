"""The command line, run as a user would: a subprocess, its exit status and its output."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOOD = (ROOT / "levels" / "01-bowl.toml").read_text()


def run(*args, timeout=120):
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True, text=True,
                          timeout=timeout, cwd=str(ROOT))


def one_line_error(proc, *needles):
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    for n in needles:
        assert n in lines[0], (n, lines[0])
    return lines[0]


BAD_FILES = {
    "syntax": ("title = \"x\nbudget = 3", ["TOML syntax error"]),
    "unknown_key": (GOOD.replace("budget = 60", "budgett = 60"), ["budgett", "did you mean 'budget'"]),
    "nan": (GOOD.replace("goal_radius = 0.3", "goal_radius = nan"), ["goal_radius", "finite"]),
    "negative_budget": (GOOD.replace("budget = 60", "budget = -5"), ["budget", "-5"]),
    "wrong_type": (GOOD.replace("units = 12", 'units = "twelve"'), ["units", "integer"]),
    "bad_component": (GOOD.replace('type = "bowl"', 'type = "bowel"'), ["terrain[0].type", "did you mean 'bowl'"]),
    "bad_param": (GOOD.replace("curvature = 1.0", "curvature = -1.0"), ["terrain[0].curvature", "> 0"]),
    "inf": (GOOD.replace("lr = 0.01", "lr = inf"), ["orders.lr", "finite"]),
    "huge": (GOOD.replace("radius = 0.6", "radius = 1e300"), ["spawn.radius", "too large"]),
    "missing_field": (GOOD.replace("budget = 60\n", ""), ["budget", "missing"]),
    "type_not_a_name": (GOOD.replace('type = "bowl"', "type = []"), ["terrain[0].type", "type name"]),
    "deep_nesting": ("x = " + "[" * 5000 + "]" * 5000 + "\n", ["nested too deeply"]),
    "tiny_stretch": (GOOD.replace("curvature = 1.0", "curvature = 1.0\nstretch = 1e-300"), ["stretch", "at least"]),
    "huge_spawn": (GOOD.replace("radius = 0.6", "radius = 1000.0"), ["spawn.radius", "too large"]),
    "huge_goal": (GOOD.replace("goal_radius = 0.3", "goal_radius = 1000.0"), ["goal_radius"]),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_level_file_is_one_line_naming_file_and_field(tmp_path, case):
    text, needles = BAD_FILES[case]
    path = tmp_path / f"{case}.toml"
    path.write_text(text)
    one_line_error(run("simulate", str(path)), str(path), *needles)


def test_missing_file_directory_and_huge_file(tmp_path):
    one_line_error(run("simulate", str(tmp_path / "nope.toml")), "nope.toml", "not found")
    d = tmp_path / "dir.toml"
    d.mkdir()
    one_line_error(run("simulate", str(d)), "dir.toml", "directory")
    big = tmp_path / "big.toml"
    with open(big, "wb") as fh:
        fh.write(b"# " + b"x" * (50 * 1024 * 1024) + b"\n")
    one_line_error(run("simulate", str(big)), "big.toml", "at most")
    one_line_error(run("simulate", "no-such-level"), "no-such-level", "no such level")
    one_line_error(run("simulate", "01-bowll"), "01-bowll", "did you mean '01-bowl'")


def test_bad_flags_are_one_line():
    one_line_error(run("simulate", "01-bowl", "--lr", "-1"), "learning rate", "-1")
    one_line_error(run("simulate", "01-bowl", "--momentum", "1.5"), "momentum", "1.5")
    one_line_error(run("simulate", "random:abc"), "random:abc")
    one_line_error(run("simulate", "01-bowl", "--units", "0"), "--units", "from 1")
    one_line_error(run("simulate", "01-bowl", "--units", "100000000000"), "--units", "1,000,000")
    one_line_error(run("simulate", "01-bowl", "--lr", "nan"), "--lr", "finite")
    one_line_error(run("simulate", "01-bowl", "--optimizer", "adamw"), "--optimizer", "adamw")
    one_line_error(run("frobnicate"), "frobnicate")
    one_line_error(run("demo", "03-ravine", "--rcae", "sgd"), "main.py demo", "did you mean --race?",
                   "main.py demo --help")                       # the command's own parser, and its nearest flag


def test_simulate_json_outcome():
    proc = run("simulate", "01-bowl", "--lr", "0.5", "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    for key in ("arrived", "trapped", "diverged", "descending", "first_arrival_step", "best_height",
                "global_min_height", "steps"):
        assert key in out
    assert out["arrived"] >= 1 and out["won"]
    assert out["global_min_height"] == pytest.approx(0.0, abs=1e-9)
    assert out["arrived"] + out["trapped"] + out["diverged"] + out["descending"] == out["units"]


def test_simulate_table_and_levels_listing():
    proc = run("simulate", "01-bowl")
    assert proc.returncode == 0 and "not won" in proc.stdout
    proc = run("levels")
    assert proc.returncode == 0
    lines = proc.stdout.strip().splitlines()
    assert len(lines) >= 12 and lines[0].startswith("Chapter 1: ") and lines[1].split()[:2] == ["01", "01-bowl"]


def test_help_does_not_import_heavy_modules():
    code = ("import sys, runpy; sys.argv=['main.py','--help'];\n"
            "try:\n    runpy.run_path('main.py', run_name='__main__')\nexcept SystemExit: pass\n"
            "print('numpy' in sys.modules, 'pygame' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=str(ROOT))
    assert out.stdout.strip().splitlines()[-1] == "False False"


def test_bench_quick_reports_its_keys():
    proc = run("bench", "--quick", timeout=300)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    for key in ("sim_unit_steps_per_s", "sim_speedup_vs_python", "sim_exp_only_unit_steps_per_s",
                "sim_ns_per_unit_step", "procgen_median_s"):
        assert out[key] > 0


def test_simulate_with_a_schedule_runs_the_schedule():
    import sim
    from sim.schedule import schedule_from_text
    proc = run("simulate", "03-ravine", "--optimizer", "momentum", "--lr", "0.3", "--momentum", "0.9",
               "--schedule", "cosine:60:0.01", "--json")
    assert proc.returncode == 0, proc.stderr
    world = sim.World(sim.load_level("03-ravine"))
    world.set_orders(0, "momentum", 0.3, 0.9, schedule=sim.make_schedule("cosine", lr=0.3, t_max=60, eta_min=0.01))
    while world.step_count < world.level.budget and (world.status == sim.DESCENDING).any():
        world.step()
    assert json.loads(proc.stdout) == json.loads(json.dumps(world.outcome()))
    assert schedule_from_text("step:30:0.5", 0.2) == sim.make_schedule("step", lr=0.2, step_size=30, gamma=0.5)
    assert schedule_from_text("cosine:40", 0.2) == sim.make_schedule("cosine", lr=0.2, t_max=40, eta_min=0.002)
    one_line_error(run("simulate", "03-ravine", "--schedule", "cosine:ten"), "--schedule", "numbers")
    one_line_error(run("record", "03-ravine", "--schedule", "linear", "--out", "x.gif"), "--schedule", "linear")
