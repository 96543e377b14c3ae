"""A small posterior file of the real free parameters, and run.py as a user runs it: for the
tests of the commands that read posteriors (compare, validate, condition)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd

from analysis.posterior import write_posterior


def two_set_posterior(folder, extra: dict[str, tuple[float, float]] | None = None) -> None:
    """A posterior of two equally weighted sets of the real free parameters, at p.parquet;
    `extra`: parameters fit free in it that params/free_parameters.toml does not declare
    (path: prior bounds), as a fit made in a copy of the tree leaves them."""
    from analysis.calibrate import load_free

    priors = {f.path: [f.low, f.high] for f in load_free()}
    priors.update({path: list(bounds) for path, bounds in (extra or {}).items()})
    table = pd.DataFrame({path: [(low + high) / 2, low + 0.9 * (high - low)]
                          for path, (low, high) in priors.items()})
    table["weight"], table["distance"] = [0.5, 0.5], [0.4, 0.5]
    write_posterior(table, {"priors": priors}, folder / "p.parquet")


def run_py(*args: str, cwd) -> subprocess.CompletedProcess:
    script = Path(__file__).resolve().parents[2] / "run.py"
    return subprocess.run([sys.executable, str(script), *args], cwd=cwd, capture_output=True,
                          text=True, timeout=600)


