"""Executors give the same rows whatever runs them, and a killed sweep resumes to exactly the
planned rows."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time

import pandas as pd
import pytest

from analysis.sweep.runner import run_sweep
from analysis.sweep.store import SweepStore

from .conftest import ROOT
from .helpers import LHS_PARAMETERS, spec_text

pytestmark = pytest.mark.slow

SLOW_TOY = "tests.sweep.toy:run_outcomes"  # spins SWEEP_TOY_COST seconds per run


def rows(db) -> pd.DataFrame:
    with SweepStore.open(db, read_only=True) as store:
        return store.runs().sort_values(["point_id", "replicate"]).reset_index(drop=True)


def test_dask_local_cluster_process_pool_and_inline_store_the_same_rows(write_spec, tmp_path):
    path = write_spec(spec_text("method = 'lhs'\nn = 15", LHS_PARAMETERS, replicates=3))
    inline = run_sweep(path, tmp_path / "inline.duckdb", workers=1, progress=False)
    pool = run_sweep(path, tmp_path / "pool.duckdb", workers=2, batch_size=4, progress=False)
    dask = run_sweep(
        path, tmp_path / "dask.duckdb", workers=2, local_cluster=True, batch_size=7, progress=False
    )
    assert (inline.executor, pool.executor, dask.executor) == ("inline", "pool", "dask")
    assert pool.workers == dask.workers == 2
    expected = rows(tmp_path / "inline.duckdb")
    assert len(expected) == 45
    pd.testing.assert_frame_equal(rows(tmp_path / "pool.duckdb"), expected)
    pd.testing.assert_frame_equal(rows(tmp_path / "dask.duckdb"), expected)


def _stored_so_far(stderr: str) -> int:
    """The last count the progress bar showed (it is updated after each commit)."""
    counts = re.findall(r"\| *(\d+)/\d+ \[", stderr)
    return int(counts[-1]) if counts else 0


def test_a_sweep_killed_mid_way_resumes_to_exactly_the_planned_rows(write_spec, tmp_path):
    path = write_spec(
        spec_text("method = 'lhs'\nn = 40", LHS_PARAMETERS, replicates=3, run_fn=SLOW_TOY)
    )
    db = tmp_path / "killed.duckdb"
    env = {**os.environ, "SWEEP_TOY_COST": "0.02", "PYTHONUNBUFFERED": "1"}
    sweep = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "analysis.sweep",
            "sweep",
            str(path),
            "--db",
            str(db),
            "--workers",
            "2",
            "--batch-size",
            "3",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    chunks: list[bytes] = []  # the progress bar rewrites one line with \r: read raw chunks
    reader = threading.Thread(
        target=lambda: chunks.extend(iter(lambda: sweep.stderr.read1(4096), b"")), daemon=True
    )
    reader.start()
    deadline = time.monotonic() + 60
    try:
        while _stored_so_far(stderr := b"".join(chunks).decode(errors="replace")) < 15:
            assert sweep.poll() is None, f"the sweep ended before it was killed:\n{stderr}"
            assert time.monotonic() < deadline, f"no progress:\n{stderr}"
            time.sleep(0.05)
        os.kill(sweep.pid, signal.SIGKILL)
    finally:
        if sweep.poll() is None:
            os.kill(sweep.pid, signal.SIGKILL)
        sweep.wait(timeout=30)
        reader.join(timeout=10)
        sweep.stderr.close()
    assert sweep.returncode == -signal.SIGKILL

    with SweepStore.open(db, read_only=True) as store:
        survived = store.run_count()
    assert 15 <= survived < 120, survived  # what was committed survived; the rest did not run

    os.environ["SWEEP_TOY_COST"] = "0"  # the same function, without the spin
    try:
        done = run_sweep(path, db, workers=1, resume=True, progress=False)
    finally:
        del os.environ["SWEEP_TOY_COST"]
    assert (done.finished_before, done.finished_now) == (survived, 120 - survived)
    resumed = rows(db)
    assert len(resumed) == 120
    assert not resumed.duplicated(["point_id", "replicate"]).any()
    uninterrupted = run_sweep(
        path,
        tmp_path / "whole.duckdb",
        workers=1,
        progress=False,
        run_fn="tests.sweep.toy:run_outcomes_fast",
    )
    assert uninterrupted.complete
    pd.testing.assert_frame_equal(resumed, rows(tmp_path / "whole.duckdb"))
