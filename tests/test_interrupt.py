"""Ctrl-C always ends the same way: exit 130, one line on stderr, nothing half-written, never a
traceback, wherever the signal lands (imports, Python, compiled kernels, the pool, writing)."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cli.main import INTERRUPTED
from sim.output import FILES

ROOT = Path(__file__).resolve().parent.parent
TRIES = 20


def interrupted_run(out: Path, workers: int, delay: float, runs: int = 8,
                    fmt: str = "csv") -> subprocess.CompletedProcess:
    """`run.py run` with SIGINT sent after `delay` seconds (as Ctrl-C in a terminal would)."""
    process = subprocess.Popen(
        [sys.executable, "run.py", "run", "collapse_2024", "--runs", str(runs), "--quiet",
         "--workers", str(workers), "--out", str(out), "--format", fmt],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    time.sleep(delay)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
def test_ctrl_c_at_random_moments_always_ends_with_130_and_one_line(workers, tmp_path):
    subprocess.run([sys.executable, "run.py", "run", "collapse_2024", "--runs", "1", "--quiet",
                    "--set", "end=2024-02", "--out", str(tmp_path / "warm")], cwd=ROOT,
                   check=True, capture_output=True)  # compiled once, so every try is short
    draw = random.Random(workers)  # random moments, the same ones on every test run
    for attempt in range(TRIES):
        out = tmp_path / f"out{attempt}"
        # from 0.15 s: before that the interpreter is still starting, and the signal ends the
        # process as it ends any program that has not begun (it has written nothing)
        delay = draw.uniform(0.15, 2.0)
        done = interrupted_run(out, workers, delay)
        if done.returncode == 0:  # finished before the signal: whole, and said so
            assert all((out / f).is_file() for f in FILES) and str(out) in done.stdout
            continue
        what = f"try {attempt}, {workers} workers, SIGINT after {delay:.2f} s"
        assert done.returncode == 130, (what, done.returncode, done.stderr)
        assert done.stderr.strip().splitlines() == [INTERRUPTED], (what, done.stderr)
        # nothing half-written: the folder is whole (the signal came after it was) or absent
        assert not out.exists() or all((out / f).is_file() for f in FILES), what
        assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")], what


@pytest.mark.slow
def test_ctrl_c_during_a_run_leaves_the_previous_results(tmp_path):
    out = tmp_path / "res"
    subprocess.run([sys.executable, "run.py", "run", "collapse_2024", "--runs", "1", "--quiet",
                    "--out", str(out)], cwd=ROOT, check=True, capture_output=True)
    before = (out / "summary.csv").read_bytes()
    # enough runs that the signal lands while they are under way, however fast the machine
    done = interrupted_run(out, 1, 2.0, runs=2000)
    assert done.returncode == 130, done.stderr
    assert (out / "summary.csv").read_bytes() == before


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
def test_ctrl_c_while_runs_stream_in_leaves_no_parts_and_the_previous_parquet(workers,
                                                                               tmp_path):
    """The runs' parts are written while the ensemble runs, in the temporary folder: Ctrl-C
    takes them with it, and the previous results stay as they were."""
    out = tmp_path / "res"
    subprocess.run([sys.executable, "run.py", "run", "collapse_2024", "--runs", "1", "--quiet",
                    "--format", "parquet", "--out", str(out)], cwd=ROOT, check=True,
                   capture_output=True)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    for delay in (2.5, 4.0):  # runs (and parts) under way, in the pool or in this process
        done = interrupted_run(out, workers, delay, runs=2000, fmt="parquet")
        assert done.returncode == 130, done.stderr
        assert done.stderr.strip().splitlines() == [INTERRUPTED], done.stderr
        assert {p.name: p.read_bytes() for p in out.iterdir()} == before
        assert sorted(p.name for p in tmp_path.iterdir()) == ["res"]  # no temporary folder


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("posterior", [False, True])
def test_ctrl_c_in_a_calibration_ends_with_130_and_one_line(workers, posterior, tmp_path):
    """The calibration's candidates run the model in this process (one worker: Ctrl-C is
    answered between months) or in a pool that leaves Ctrl-C to the parent (several)."""
    method = ["--posterior", "--population", "40", "--generations", "3"] if posterior \
        else ["--maxiter", "5", "--popsize", "4"]
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "run.py"), "calibrate", *method, "--runs", "4",
         "--workers", str(workers)],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    time.sleep(6.0)  # the search is under way by then: candidates are being run
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    assert stderr.strip().splitlines() == [INTERRUPTED], stderr


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
def test_ctrl_c_in_a_sweep_keeps_the_finished_runs_and_says_so(workers, tmp_path):
    """A sweep in this process answers Ctrl-C between months; one on a pool in the parent.
    Either way: exit 130, its one line, and the store keeps what finished (--resume)."""
    db = tmp_path / "sobol_core.duckdb"
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "run.py"), "sweep",
         str(ROOT / "params/sweeps/sobol_core.toml"), "--workers", str(workers), "--db", str(db)],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    time.sleep(7.0)  # runs are under way by then, and 10,240 of them are far from done
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    lines = [line for line in stderr.strip().splitlines() if "interrupted" in line]
    assert len(lines) == 1 and "Traceback" not in stderr and "SystemError" not in stderr, stderr


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
def test_ctrl_c_in_a_conditioning_keeps_the_finished_sets(workers, tmp_path):
    """`run.py condition` answers Ctrl-C between months (one worker) or in the parent (a
    pool): exit 130, its one line, and the sets measured so far stay in the store, which the
    next run reads back instead of running them again."""
    from analysis.conditioning import Store

    process = subprocess.Popen(
        [sys.executable, str(ROOT / "run.py"), "condition", "no_russia_regime_falls_by_2017",
         "--posterior", str(ROOT / "params/posterior.parquet"), "--runs", "2",
         "--workers", str(workers)],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    time.sleep(8.0)  # sets are being measured by then, and 150 of them are far from done
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    lines = [line for line in stderr.strip().splitlines() if "interrupted" in line]
    assert lines == [INTERRUPTED] and "Traceback" not in stderr, stderr
    stores = list((tmp_path / "results" / "posterior" / "conditioning").glob("*.csv"))
    assert len(stores) == 1
    done = Store(stores[0]).done()
    assert 0 < len(done) < 150 and all(len(rows) == 1 for rows in done.values())
    assert not (tmp_path / "results" / "posterior" / "given_no_russia_regime_falls_by_2017"
                ).exists()  # nothing half-written
