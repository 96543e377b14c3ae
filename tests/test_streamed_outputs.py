"""`run.py run` streams its runs to disk: each run's rows are written where it ran and appended
to the tables in run order, the CSVs byte for byte those of the in-memory writer, the parent
holding no run's rows, and `--format parquet` holding the same values exactly."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim.errors
import sim.output
from cli.main import main
from sim.ensemble import RunResult, run_ensemble, stream_runs
from sim.output import (
    PARQUET_FILES,
    PARTS,
    _write_csv,
    clean_stale,
    read_outputs,
    write_outputs,
    write_streamed,
)
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
CSVS = ("timeseries.csv", "events.csv", "summary.csv")
SEEDS = [3, 4, 5]


@pytest.fixture(scope="module")
def scenario():
    return load_scenario("collapse_2024", ["end=2024-04"])


@pytest.fixture(scope="module")
def in_memory(scenario, tmp_path_factory):
    """The tables as `run` wrote them before it streamed: the whole ensemble, then one write."""
    out = tmp_path_factory.mktemp("memory") / "out"
    return write_outputs(run_ensemble(scenario, SEEDS, progress=False), out, scenario, SEEDS,
                         ["test"])


def test_a_streamed_ensemble_writes_the_in_memory_writers_bytes(scenario, in_memory, tmp_path):
    out, summary = write_streamed(scenario, SEEDS, tmp_path / "out", progress=False)
    for name in CSVS:
        assert (out / name).read_bytes() == (in_memory / name).read_bytes(), name
    assert summary["seed"].tolist() == SEEDS
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["files"] == [*sorted(CSVS), "manifest.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no temporary folder, no parts


@pytest.mark.slow
def test_two_workers_write_the_same_bytes_as_one(scenario, in_memory, tmp_path):
    out, _ = write_streamed(scenario, SEEDS, tmp_path / "out", workers=2, progress=False)
    for name in CSVS:
        assert (out / name).read_bytes() == (in_memory / name).read_bytes(), name


@pytest.mark.slow
def test_the_command_with_two_workers_writes_what_one_writes(tmp_path):
    """The whole command line, in fresh processes: a 2-worker run's files equal a 1-worker
    run's byte for byte, and a Parquet run holds the same tables."""
    outs = {}
    for name, extra in (("one", []), ("two", ["--workers", "2"]),
                        ("parquet", ["--workers", "2", "--format", "parquet"])):
        outs[name] = tmp_path / name
        subprocess.run([sys.executable, "run.py", "run", "collapse_2024", "--runs", "5",
                        "--seed", "11", "--quiet", "--out", str(outs[name]), *extra],
                       cwd=ROOT, check=True, capture_output=True)
    for name in CSVS:
        assert (outs["one"] / name).read_bytes() == (outs["two"] / name).read_bytes(), name
    assert sorted(p.name for p in outs["parquet"].iterdir()) == sorted(
        [*PARQUET_FILES, "manifest.json"])
    _assert_parquet_is_the_csv(outs["parquet"], outs["one"])


def _assert_parquet_is_the_csv(parquet: Path, csv: Path) -> None:
    """Each Parquet table, written by the CSV writer, gives the CSV's bytes: the same rows,
    columns, types and (to the CSV's 6 digits) values."""
    for table in ("timeseries", "events", "summary"):
        frame = pd.read_parquet(parquet / f"{table}.parquet")
        text = io.BytesIO()
        _write_csv(frame, text)
        assert text.getvalue() == (csv / f"{table}.csv").read_bytes(), table


def test_parquet_holds_the_runs_exact_values(scenario, in_memory, tmp_path):
    out, _ = write_streamed(scenario, SEEDS, tmp_path / "out", progress=False, fmt="parquet")
    _assert_parquet_is_the_csv(out, in_memory)
    exact = run_ensemble(scenario, SEEDS, progress=False)
    stored = pd.read_parquet(out / "timeseries.parquet")
    # exact: the floats as the model made them, not the CSV's 6 significant digits
    assert np.array_equal(stored["value"].to_numpy(), exact.timeseries["value"].to_numpy(),
                          equal_nan=True)
    assert not np.array_equal(
        read_outputs(in_memory).timeseries["value"].to_numpy(), stored["value"].to_numpy(),
        equal_nan=True)
    back = read_outputs(out)  # the one reader takes either format
    pd.testing.assert_frame_equal(back.summary, exact.summary)
    pd.testing.assert_frame_equal(back.events, read_outputs(in_memory).events)
    assert (out / "timeseries.parquet").stat().st_size < (in_memory / "timeseries.csv").stat(
    ).st_size / 2


def test_a_parquet_folder_is_the_tools_own_and_is_replaced_whole(scenario, tmp_path):
    out, _ = write_streamed(scenario, SEEDS[:1], tmp_path / "out", progress=False,
                            fmt="parquet")
    again, _ = write_streamed(scenario, SEEDS[:1], out, progress=False)  # now as CSV
    assert sorted(p.name for p in again.iterdir()) == sorted([*CSVS, "manifest.json"])


def test_overwrite_of_a_mixed_folder_keeps_the_users_files_in_parquet_too(scenario, tmp_path):
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    (mixed / "notes.txt").write_text("mine")
    (mixed / "timeseries.parquet").write_text("a user's file of the same name")
    with pytest.raises(sim.errors.UserInputError):
        write_streamed(scenario, SEEDS[:1], mixed, progress=False, fmt="parquet")
    assert (mixed / "timeseries.parquet").read_text() == "a user's file of the same name"
    write_streamed(scenario, SEEDS[:1], tmp_path / "ours", progress=False, fmt="parquet")
    (tmp_path / "ours" / "notes.txt").write_text("mine")
    write_streamed(scenario, SEEDS[:2], tmp_path / "ours", progress=False, fmt="parquet",
                   overwrite=True)
    assert (tmp_path / "ours" / "notes.txt").read_text() == "mine"
    assert len(pd.read_parquet(tmp_path / "ours" / "summary.parquet")) == 2


def test_the_parent_holds_no_runs_rows(scenario, monkeypatch, tmp_path):
    """What reaches the parent from each run is its summary row only, and it keeps nothing of a
    run once the run's parts are appended (the part files are gone, one at a time)."""
    seen: list[tuple[int, object]] = []
    real = sim.output._Tables.take

    def take(self, run, row):
        seen.append((run, row))
        assert sorted(p.name for p in (self.folder / PARTS).iterdir()) == [
            f"events-{run:09d}.csv", f"timeseries-{run:09d}.csv"]  # only this run's parts wait
        real(self, run, row)
        assert list((self.folder / PARTS).iterdir()) == []

    monkeypatch.setattr(sim.output._Tables, "take", take)
    write_streamed(scenario, SEEDS, tmp_path / "out", progress=False)
    assert [run for run, _ in seen] == [0, 1, 2]
    assert all(isinstance(row, dict) and not any(isinstance(v, (np.ndarray, list, RunResult))
                                                 for v in row.values()) for _, row in seen)


@pytest.mark.slow
def test_a_pool_hands_the_runs_over_in_run_order_whatever_order_they_finish(scenario):
    taken: list[int] = []
    stream_runs(scenario, [0, 1, 2, 3], _slow_first, lambda run, seed: taken.append(seed),
                workers=2, progress=False)
    assert taken == [0, 1, 2, 3]


def _slow_first(run: int, result: RunResult) -> int:
    if run == 0:  # the first run finishes last
        import time

        time.sleep(1.5)
    return result.seed


def test_parts_left_by_a_killed_streamed_run_are_cleaned(scenario, tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    pid = int(dead.stdout)
    stale = tmp_path / f".out.tmp-{pid}-abcd1234"
    (stale / PARTS).mkdir(parents=True)
    (stale / "timeseries.parquet").write_text("half")
    (stale / PARTS / "timeseries-000000007.parquet").write_text("half")
    (stale / PARTS / "events-000000007.csv").write_text("half")
    odd = tmp_path / f".out.tmp-{pid}-efgh5678"  # a parts folder holding a file not ours
    (odd / PARTS).mkdir(parents=True)
    (odd / PARTS / "keep.txt").write_text("x")
    assert clean_stale(tmp_path / "out") == [stale]
    assert not stale.exists() and (odd / PARTS / "keep.txt").exists()


def test_an_error_in_a_run_leaves_no_temporary_folder_or_parts(scenario, tmp_path, monkeypatch):
    calls = []

    def failing(self, run, result):
        calls.append(run)
        if run == 1:
            raise RuntimeError("a run failed")
        return real(self, run, result)

    real = sim.output._Parts.__call__
    monkeypatch.setattr(sim.output._Parts, "__call__", failing)
    with pytest.raises(RuntimeError, match="a run failed"):
        write_streamed(scenario, SEEDS, tmp_path / "out", progress=False)
    assert calls == [0, 1] and list(tmp_path.iterdir()) == []


def test_run_format_parquet_on_the_command_line(tmp_path, capsys):
    out = tmp_path / "res"
    assert main(["run", "collapse_2024", "--runs", "2", "--set", "end=2024-02", "--quiet",
                 "--format", "parquet", "--out", str(out)]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    assert read_outputs(out).runs == 2
    assert main(["plot", str(out)]) == 0  # a Parquet folder is a results folder
    assert (out / "figures").is_dir()
