"""`run.py list`, `describe` and `run`, end to end: what they print, write, and refuse."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from sim.scenario import list_scenarios

ROOT = Path(__file__).resolve().parent.parent


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "run.py", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_list_shows_the_scenarios_with_their_windows():
    done = cli("list")
    assert done.returncode == 0, done.stderr
    for name in list_scenarios():
        assert name in done.stdout
    assert "cooperation_2011_2017" in done.stdout and "2011-03 to 2017-12" in done.stdout
    assert "_history" not in done.stdout  # a base, not a scenario to run


def test_describe_shows_shocks_overrides_and_sources():
    done = cli("describe", "cooperation_2011_2017", "--set", "russia.resolve=0.5")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Iran and Russia cooperate" in out
    assert "scenarios/cooperation_2011_2017.toml <- scenarios/_history.toml" in out
    assert "initial state: 2011-03" in out
    assert "uprising: force_surge, 2011-03" in out and "source: record row 1" in out
    assert "russia.resolve = 0.5 (default" in out
    assert "resolve: 0.5" in out
    fitted = json.loads((ROOT / "params" / "calibration.json").read_text())["date"]
    assert f"# calibrated ({fitted}, params/calibration.json): seed 001: Moscow's" in out


def test_run_writes_the_outputs_and_prints_the_table(tmp_path):
    out = tmp_path / "coop"
    done = cli(
        "run", "cooperation_2011_2017", "--runs", "2", "--set", "end=2012-06", "--out", str(out)
    )
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "events.csv",
        "manifest.json",
        "summary.csv",
        "timeseries.csv",
    ]
    for line in ("regime fell", "iran: own combat forces arrive", "Iran-Russia cooperation peak",
                 "UN vetoes", "over the runs in which it happened"):
        assert line in done.stdout
    assert re.search(r"regime fell\s+\d+% \([012]/2\)", done.stdout)
    assert str(out) in done.stdout
    summary = (out / "summary.csv").read_text().splitlines()
    assert len(summary) == 3 and summary[0].startswith("run,seed,regime_fell,regime_fall_date")


# Each file is short (`end`) so that nothing long would run if it were wrongly accepted.
SHORT = 'extends = "cooperation_2011_2017"\nend = "2011-04"\n'
BAD_FILES = {
    "malformed.toml": (SHORT + "name = [\n", "malformed TOML"),
    "unknown_key.toml": (SHORT + 'colour = "red"\n', "colour"),
    "misspelt_parameter.toml": (
        SHORT + "[parameters.russia]\nresolv = 0.5\n",
        "parameters.russia.resolv",
    ),
    "bad_date.toml": (SHORT + 'start = "2011-13"\n', "start"),
    "missing_parent.toml": ('extends = "no_such_base"\nend = "2011-04"\n', "extends"),
    "unknown_actor.toml": (
        SHORT + '[[forbid]]\nactor = "france"\naction = "negotiation"\n',
        "forbid",
    ),
}


def _assert_user_error(done: subprocess.CompletedProcess, key: str) -> None:
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: ") and key in lines[0]


@pytest.mark.parametrize(
    ("sets", "key"),
    [
        ("russia.resolv=0.5", "russia.resolv"),  # misspelt
        ("russia.resolve=7", "russia.resolve"),  # out of range
        ("russia.resolve=abc", "russia.resolve"),  # not a number
    ],
)
def test_a_bad_set_is_one_line_naming_the_key(sets, key, tmp_path):
    done = cli("run", "cooperation_2011_2017", "--set", sets, "--out", str(tmp_path / "out"))
    _assert_user_error(done, key)
    assert not (tmp_path / "out").exists()


def test_an_unknown_scenario_is_one_line():
    _assert_user_error(cli("run", "no_such_scenario"), "no_such_scenario")


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_a_bad_scenario_file_is_one_line_naming_the_key(name, tmp_path):
    text, key = BAD_FILES[name]
    path = tmp_path / name
    path.write_text(text)
    done = cli("run", str(path), "--out", str(tmp_path / "out"))
    _assert_user_error(done, key)
    assert name in done.stderr  # names the file
    assert not (tmp_path / "out").exists()
