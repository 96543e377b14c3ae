"""Impossible inputs are refused before any run: one line naming the file (or flag) and the key
with what was expected, exit status 2, no traceback, nothing written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cli.main import main
from sim import limits

ROOT = Path(__file__).resolve().parent.parent
# Each file is short, so that nothing long would run if it were wrongly accepted.
SHORT = 'extends = "collapse_2024"\nend = "2024-02"\n'


def refused(capsys, *argv: str) -> str:
    """Run the command line in this process; assert it refused with one line; return it."""
    code = main(list(argv))
    err = capsys.readouterr().err
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    return lines[0]


def run_file(tmp_path: Path, capsys, text: str | bytes, name: str = "bad.toml") -> str:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    out = tmp_path / "out"
    line = refused(capsys, "run", str(path), "--out", str(out))
    assert str(path) in line  # names the file
    assert not out.exists()  # nothing written
    return line


# --- non-finite numbers, anywhere ----------------------------------------------------------

NON_FINITE_FILES = {
    "a parameter": ("[parameters.russia]\nresolve = nan\n", "parameters.russia.resolve"),
    "a weight": ("[parameters.iran.weights]\nsurvival = inf\n", "parameters.iran.weights"),
    "a shock field": (
        '[shocks.fall_of_aleppo_extra]\nkind = "force_surge"\nforce = "opposition"\n'
        'start = "2024-01"\nsource = "test"\nmanpower = inf\n',
        "shocks.fall_of_aleppo_extra.manpower",
    ),
    "a shock magnitude": ("[shocks.uprising]\nmagnitude = -inf\n", "magnitude"),
    "a number in an array": ("[parameters.x]\ny = [1.0, nan]\n", "parameters.x.y[1]"),
    "a number written as text": ('[parameters.russia]\nresolve = "NaN"\n', "resolve"),
}


@pytest.mark.parametrize("case", sorted(NON_FINITE_FILES))
def test_a_non_finite_number_in_a_scenario_file_is_refused(case, tmp_path, capsys):
    text, key = NON_FINITE_FILES[case]
    line = run_file(tmp_path, capsys, SHORT + text)
    assert key in line and "finite" in line


@pytest.mark.parametrize(
    "item",
    [
        "russia.resolve=nan",
        "russia.resolve=inf",
        "russia.resolve=-inf",
        "russia.resolve=NaN",  # not TOML: read as text, which a schema would coerce
        "shocks.uprising.magnitude=nan",
        "theatre.consolidation_months=inf",
    ],
)
def test_a_non_finite_set_is_refused(item, tmp_path, capsys):
    out = tmp_path / "out"
    line = refused(capsys, "run", "collapse_2024", "--set", item, "--out", str(out))
    assert line.startswith("error: --set: ") and item.split("=")[0] in line
    assert "finite" in line
    assert not out.exists()


def test_a_non_finite_number_in_an_initial_state_is_refused(tmp_path, monkeypatch):
    from sim import scenario as S

    source = (S.INITIAL_DIR / "2024-01.toml").read_text(encoding="utf-8")
    (tmp_path / "2024-01.toml").write_text(source.replace("morale = 0.45", "morale = nan"))
    monkeypatch.setattr(S, "INITIAL_DIR", tmp_path)
    with pytest.raises(S.UserInputError, match="morale: expected a finite number"):
        S.load_scenario("collapse_2024")


def test_an_action_a_patron_cannot_take_in_its_shown_help_is_refused(tmp_path, monkeypatch):
    """`[shown]` (what a patron showed it could send) must come from the patron's own menu:
    Iran never flew an air campaign (seed 001/002), so a state file saying it did is a slip."""
    from sim import scenario as S

    source = (S.INITIAL_DIR / "2024-01.toml").read_text(encoding="utf-8")
    slip = source.replace('iran = ["diplomatic_cover", "financial_aid", "advisers_militias", '
                          '"ground_deployment"]',
                          'iran = ["diplomatic_cover", "air_campaign"]')
    assert slip != source
    (tmp_path / "2024-01.toml").write_text(slip)
    monkeypatch.setattr(S, "INITIAL_DIR", tmp_path)
    with pytest.raises(S.UserInputError, match=r"shown\.iran: actions not on its menu"):
        S.load_scenario("collapse_2024")


# --- magnitudes outside the physical ranges ---------------------------------------------------


@pytest.mark.parametrize(
    ("item", "key"),
    [
        ("shocks.uprising.manpower=1e6", "shocks.uprising.manpower"),
        ("shocks.ukraine_war.demand=50", "shocks.ukraine_war.demand"),
        ("regime.manpower_cap=1e9", "regime.manpower_cap"),
    ],
)
def test_a_magnitude_outside_its_range_is_refused(item, key, tmp_path, capsys):
    line = refused(capsys, "run", "collapse_2024", "--set", item, "--out", str(tmp_path / "o"))
    assert key in line and "at most" in line


def test_a_shipped_scenario_is_inside_every_range():
    from sim.scenario import list_scenarios, load_scenario

    for name in list_scenarios():  # the ranges refuse slips, never the shipped values
        load_scenario(name)


def test_an_absurd_manpower_in_an_initial_state_is_refused(tmp_path, monkeypatch):
    from sim import scenario as S

    source = (S.INITIAL_DIR / "2024-01.toml").read_text(encoding="utf-8")
    (tmp_path / "2024-01.toml").write_text(source.replace("regime = 128.0", "regime = 128e6"))
    monkeypatch.setattr(S, "INITIAL_DIR", tmp_path)
    with pytest.raises(S.UserInputError, match=r"manpower\.regime: expected at most 1000"):
        S.load_scenario("collapse_2024")


# --- months -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("item", "key"),
    [("end=2099-01", "end"), ("start=1990-01", "start"), ("shocks.uprising.start=2030-01",
 "shocks.uprising.start")],
)
def test_a_month_outside_the_data_is_refused(item, key, tmp_path, capsys):
    line = refused(capsys, "run", "collapse_2024", "--set", item, "--out", str(tmp_path / "o"))
    assert key in line and f"{limits.DATA_FIRST} to {limits.DATA_LAST}" in line


def test_a_start_that_does_not_match_its_initial_state_is_refused(tmp_path, capsys):
    line = refused(capsys, "run", "full_2011_2025", "--set", "start=2017-12",
                   "--out", str(tmp_path / "o"))
    assert "--set: start" in line and "2011-03" in line and "initial_state = '2017-12'" in line


def test_a_start_that_matches_a_named_initial_state_is_accepted(capsys):
    code = main(["describe", "full_2011_2025", "--set", "start=2017-12",
                 "--set", "initial_state=2017-12"])
    assert code == 0, capsys.readouterr().err


# --- forbid windows ---------------------------------------------------------------------------

FORBID = '[[forbid]]\nactor = "russia"\naction = "air_campaign"\n'


@pytest.mark.parametrize(
    ("window", "says"),
    [
        ('start = "2024-02"\nend = "2024-01"\n', "forbid nothing"),  # empty
        ('start = "2015-01"\nend = "2016-01"\n', "outside the run"),  # before the run
        ('start = "2025-01"\n', "outside the run"),  # after the run's end (2024-02)
    ],
)
def test_a_forbid_rule_that_forbids_nothing_is_refused(window, says, tmp_path, capsys):
    line = run_file(tmp_path, capsys, SHORT + FORBID + window)
    assert "forbid[0]" in line and says in line


# --- files that are not UTF-8 TOML text -------------------------------------------------------


def test_a_byte_order_mark_is_named(tmp_path, capsys):
    line = run_file(tmp_path, capsys, b"\xef\xbb\xbf" + SHORT.encode())
    assert "starts with a byte-order mark" in line


def test_a_file_that_is_not_utf8_is_named(tmp_path, capsys):
    line = run_file(tmp_path, capsys, SHORT.encode() + b'description = "caf\xe9"\n')
    assert "not UTF-8 text" in line and "line 3" in line


def test_a_device_is_refused_without_reading_it(capsys):
    line = refused(capsys, "run", "/dev/zero", "--out", "/nonexistent/never")
    assert "/dev/zero" in line and "a device, pipe or socket" in line


def test_a_pipe_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "scenario.toml"
    os.mkfifo(fifo)
    done = subprocess.run([sys.executable, "run.py", "describe", str(fifo)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "a device, pipe or socket" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_folder_given_as_a_scenario_is_refused(tmp_path, capsys):
    folder = tmp_path / "scen.toml"
    folder.mkdir()
    assert "a folder" in refused(capsys, "describe", str(folder))


# --- seeds, run counts, names -----------------------------------------------------------------


@pytest.mark.parametrize("seed", ["-1", str(2**63 - 1), str(2**70)])
def test_a_seed_numpy_or_the_tables_cannot_take_is_refused(seed, tmp_path, capsys):
    line = refused(capsys, "run", "collapse_2024", "--runs", "2", "--seed", seed,
                   "--out", str(tmp_path / "o"))
    assert line.startswith("error: --seed: expected a seed from 0 to")


def test_a_run_count_beyond_the_memory_is_refused_before_allocating(tmp_path, capsys):
    # `compare` holds its ensembles in memory; `run` streams them to disk (below)
    line = refused(capsys, "compare", "full_2011_2025", "cf_no_ukraine_war", "--runs",
                   "90000000", "--out", str(tmp_path / "o"))
    assert line.startswith("error: --runs: ") and "GB of memory" in line


def test_a_streamed_run_count_beyond_the_disk_is_refused_before_any_run(tmp_path, capsys):
    line = refused(capsys, "run", "full_2011_2025", "--runs", "90000000",
                   "--out", str(tmp_path / "o"))
    assert line.startswith("error: --out: ") and "free" in line


@pytest.mark.parametrize("name", ["../escaped", "/tmp/absolute", "a/b", "..", ".hidden", "a b"])
def test_a_scenario_name_that_would_leave_results_is_refused(name, tmp_path, capsys):
    line = run_file(tmp_path, capsys, SHORT + f"name = {name!r}\n".replace("'", '"'))
    assert "name" in line and "plain name" in line
    assert not (tmp_path / "escaped").exists() and not (ROOT / "escaped").exists()


def test_a_bad_boot_count_is_refused_before_the_runs(capsys):
    line = refused(capsys, "compare", "collapse_2024", "collapse_2024", "--boot", "0")
    assert "--boot" in line


def test_a_targets_file_that_is_not_utf8_is_refused_before_the_runs(tmp_path, capsys):
    targets = tmp_path / "targets.toml"
    targets.write_bytes(b"\xff\xfe[[target]]\n")
    line = refused(capsys, "validate", "collapse_2024", "--targets", str(targets),
                   "--out", str(tmp_path / "v.csv"))
    assert str(targets) in line and "not UTF-8 text" in line
    assert not (tmp_path / "v.csv").exists()
