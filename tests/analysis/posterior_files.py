"""A small posterior file of the real free parameters, and run.py as a user runs it: for the
tests of the commands that read posteriors (compare, validate, condition)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd

from analysis.posterior import write_posterior


def two_set_posterior(folder) -> None:
    """A posterior of two equally weighted sets of the real free parameters, at p.parquet."""
    from analysis.calibrate import load_free

    free = load_free()
    table = pd.DataFrame({f.path: [(f.low + f.high) / 2, f.low + 0.9 * (f.high - f.low)]
                          for f in free})
    table["weight"], table["distance"] = [0.5, 0.5], [0.4, 0.5]
    write_posterior(table, {"priors": {f.path: [f.low, f.high] for f in free}},
                    folder / "p.parquet")


def run_py(*args: str, cwd) -> subprocess.CompletedProcess:
    script = Path(__file__).resolve().parents[2] / "run.py"
    return subprocess.run([sys.executable, str(script), *args], cwd=cwd, capture_output=True,
                          text=True, timeout=600)


