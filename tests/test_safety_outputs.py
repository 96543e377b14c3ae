"""Outputs never destroy what the tool did not write, and a bad destination is refused before
the first run."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_input_refusal import refused

import sim.output
from cli.main import main
from sim.ensemble import run_ensemble
from sim.errors import UserInputError
from sim.output import FILES, check_destination, clean_stale, write_outputs
from sim.scenario import load_scenario, output_name

ROOT = Path(__file__).resolve().parent.parent
SHORT = ["collapse_2024", "--runs", "1", "--set", "end=2024-02"]


@pytest.fixture(scope="module")
def scenario():
    return load_scenario("collapse_2024", ["end=2024-02"])


@pytest.fixture(scope="module")
def ensemble(scenario):
    return run_ensemble(scenario, [0], progress=False)


@pytest.fixture
def no_runs(monkeypatch):
    """Fail the test if the command gets as far as running the model."""

    def forbidden(*args, **kwargs):
        raise AssertionError("a run started before the destination was checked")

    monkeypatch.setattr("cli.core.run_checked", forbidden)
    monkeypatch.setattr("sim.output.write_streamed", forbidden)  # `run` streams its runs
    monkeypatch.setattr("cli.compare.run_checked", forbidden)
    monkeypatch.setattr("cli.plot.run_checked", forbidden)
    monkeypatch.setattr("cli.validate.run_checked", forbidden)


# --- a user's files survive -------------------------------------------------------------------


def test_a_user_file_in_a_non_empty_out_survives(tmp_path, capsys, no_runs):
    out = tmp_path / "thesis"
    out.mkdir()
    (out / "chapter1.tex").write_text("three years of work")
    line = refused(capsys, "run", *SHORT, "--out", str(out))
    assert "chapter1.tex" in line and "did not write" in line
    assert sorted(p.name for p in out.iterdir()) == ["chapter1.tex"]
    assert (out / "chapter1.tex").read_text() == "three years of work"


def test_overwrite_replaces_only_the_tools_files(scenario, ensemble, tmp_path):
    out = write_outputs(ensemble, tmp_path / "mixed", scenario, [0], ["test"])
    (out / "notes.md").write_text("mine")
    with pytest.raises(UserInputError, match=r"notes\.md"):
        write_outputs(ensemble, out, scenario, [0], ["test"])
    stamp = (out / "manifest.json").stat().st_mtime_ns
    write_outputs(ensemble, out, scenario, [0], ["again"], overwrite=True)
    assert (out / "notes.md").read_text() == "mine"
    assert sorted(p.name for p in out.iterdir()) == sorted([*FILES, "notes.md"])
    assert json.loads((out / "manifest.json").read_text())["command"] == ["again"]
    assert (out / "manifest.json").stat().st_mtime_ns >= stamp


def test_a_previous_output_is_recognised_by_its_manifest_and_replaced(scenario, ensemble,
                                                                      tmp_path):
    out = write_outputs(ensemble, tmp_path / "out", scenario, [0], ["first"])
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["tool"] == sim.output.TOOL and "summary.csv" in manifest["files"]
    write_outputs(ensemble, out, scenario, [0], ["second"])
    assert json.loads((out / "manifest.json").read_text())["command"] == ["second"]


def test_a_foreign_manifest_does_not_make_a_folder_ours(scenario, ensemble, tmp_path):
    out = tmp_path / "other_tool"
    out.mkdir()
    (out / "manifest.json").write_text('{"name": "someone else"}')
    with pytest.raises(UserInputError, match=r"manifest\.json"):
        write_outputs(ensemble, out, scenario, [0], ["test"])
    assert (out / "manifest.json").read_text() == '{"name": "someone else"}'


def test_a_set_run_does_not_replace_the_plain_scenarios_results(scenario):
    plain = load_scenario("collapse_2024")
    assert output_name(plain) == "collapse_2024"
    named = output_name(scenario)
    assert named.startswith("collapse_2024-set-") and len(named) == len("collapse_2024-set-") + 8
    other = load_scenario("collapse_2024", ["end=2024-03"])
    assert output_name(other) != named  # each set of overrides has its own folder
    assert output_name(load_scenario("collapse_2024", ["end=2024-02"])) == named  # and keeps it


def test_report_adds_to_the_folder_of_the_same_runs(tmp_path, capsys):
    out = tmp_path / "res"
    assert main(["run", *SHORT, "--plot", "--quiet", "--out", str(out)]) == 0
    figures = sorted(p.name for p in (out / "figures").iterdir())
    assert figures
    before = (out / "summary.csv").read_bytes()
    assert main(["report", *SHORT, "--out", str(out)]) == 0
    assert "using the runs already in" in capsys.readouterr().out
    assert sorted(p.name for p in (out / "figures").iterdir()) == figures  # kept
    assert (out / "report.html").is_file() and (out / "summary.csv").read_bytes() == before


def test_plot_adds_figures_beside_the_tables(scenario, ensemble, tmp_path, capsys):
    out = write_outputs(ensemble, tmp_path / "res", scenario, [0], ["test"])
    (out / "report.html").write_text("<html></html>")
    assert main(["plot", str(out)]) == 0
    assert (out / "figures").is_dir() and (out / "report.html").is_file()


# --- stale temporary folders ------------------------------------------------------------------


def test_a_stale_temporary_folder_of_a_killed_run_is_cleaned(scenario, ensemble, tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    pid = int(dead.stdout)  # a process that has ended
    stale = tmp_path / f".out.tmp-{pid}-abcd1234"
    stale.mkdir()
    (stale / "timeseries.csv").write_text("half")
    live = tmp_path / f".out.tmp-{os.getpid()}-efgh5678"  # a run under way: left alone
    live.mkdir()
    foreign = tmp_path / f".out.tmp-{pid}-user"  # holds something not ours: left alone
    foreign.mkdir()
    (foreign / "keep.txt").write_text("x")
    legacy_old = tmp_path / ".out.tmp-k2j4x9qa"  # named by an older version, without a pid
    legacy_new = tmp_path / ".out.tmp-p0w8e7rt"
    for folder in (legacy_old, legacy_new):
        folder.mkdir()
        (folder / "events.csv").write_text("half")
    os.utime(legacy_old, (0, time.time() - 2 * sim.output.LEGACY_AGE))
    write_outputs(ensemble, tmp_path / "out", scenario, [0], ["test"])
    assert not stale.exists() and live.exists() and (foreign / "keep.txt").exists()
    assert not legacy_old.exists() and legacy_new.exists()  # a recent one may be in use


def test_a_sigkilled_write_leaves_nothing_a_later_run_keeps(tmp_path):
    out = tmp_path / "out"
    code = (
        "import os, signal, sys\n"
        "sys.argv = ['run.py', 'run', *sys.argv[1:]]\n"
        "import sim.output as o\n"
        "real = o._write_csv\n"
        "def kill(*a, **k):\n"  # the first write: a run's part, in the temporary folder
        "    real(*a, **k)\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "o._write_csv = kill\n"
        "from cli.main import main\n"
        "main(sys.argv[1:])\n"
    )
    done = subprocess.run([sys.executable, "-c", code, *SHORT, "--out", str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == -9, done.stderr
    assert [p.name.startswith(".out.tmp-") for p in tmp_path.iterdir()] == [True]
    assert not out.exists()
    removed = clean_stale(out)
    assert len(removed) == 1 and list(tmp_path.iterdir()) == []


# --- the destination is checked before the first run ------------------------------------------


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda t: t / "file.txt", "is a file"),
        (lambda t: t / "file.txt" / "below", "which is a file"),
        (lambda t: t / ("n" * 250), "too long"),
        (lambda t: "", "empty"),
        (lambda t: ".", "current folder"),
    ],
)
def test_a_bad_destination_is_refused_before_any_run(make, says, tmp_path, capsys, no_runs,
                                                     monkeypatch):
    (tmp_path / "file.txt").write_text("user data")
    monkeypatch.chdir(tmp_path)
    for command in (["run", *SHORT], ["report", *SHORT],
                    ["compare", "collapse_2024", "collapse_2024", "--runs", "1"]):
        line = refused(capsys, *command, "--out", str(make(tmp_path)))
        assert line.startswith("error: --out") and says in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt"]
    assert (tmp_path / "file.txt").read_text() == "user data"


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_an_unwritable_destination_is_refused_before_any_run(tmp_path, capsys, no_runs):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        assert "permission denied" in refused(capsys, "run", *SHORT, "--out",
                                              str(locked / "out"))
    finally:
        locked.chmod(0o700)


def test_a_read_only_file_system_is_refused(tmp_path):
    with pytest.raises(UserInputError, match=r"cannot write|needs about"):
        check_destination("/proc/simulation_results", need_bytes=10**6)


def test_too_little_free_space_is_refused(tmp_path):
    free = shutil.disk_usage(tmp_path).free
    with pytest.raises(UserInputError, match=r"needs about .* free"):
        check_destination(tmp_path / "out", need_bytes=free * 2)
    check_destination(tmp_path / "out", need_bytes=1000)  # room enough: accepted


def test_validate_never_replaces_a_users_csv(tmp_path, capsys, no_runs):
    mine = tmp_path / "data.csv"
    mine.write_text("a,b\n1,2\n")
    line = refused(capsys, "validate", "collapse_2024", "--runs", "1", "--out", str(mine))
    assert "not a table this command wrote" in line and mine.read_text() == "a,b\n1,2\n"
    assert "is under" in refused(capsys, "validate", "collapse_2024", "--out",
                                 str(mine / "x.csv"))
    assert "folder" in refused(capsys, "validate", "collapse_2024", "--out", str(tmp_path))


def test_a_failed_plot_keeps_the_previous_figures(scenario, ensemble, tmp_path, capsys,
                                                  monkeypatch):
    out = write_outputs(ensemble, tmp_path / "res", scenario, [0], ["test"])
    assert main(["plot", str(out)]) == 0
    before = sorted(p.name for p in (out / "figures").iterdir())

    def half_then_fail(ensemble, folder, record=None):
        (Path(folder) / "control_fan.png").write_bytes(b"half")
        raise KeyboardInterrupt

    monkeypatch.setattr("analysis.figures.plot_all", half_then_fail)
    assert main(["plot", str(out)]) == 130
    assert sorted(p.name for p in (out / "figures").iterdir()) == before
    assert (out / "figures" / "control_fan.png").read_bytes() != b"half"
    assert not [p for p in out.iterdir() if p.name.startswith(".")]
