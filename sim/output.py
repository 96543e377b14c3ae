"""The one writer (and reader) of run outputs.

A results folder holds `timeseries.csv`, `events.csv`, `summary.csv` (the output contract,
see sim/ensemble.py for the columns) and `manifest.json` (what produced them). Floats are
written as `%.6g`, so the same scenario and seeds give byte-identical CSVs; the only
timestamp is `created` in the manifest.

The folder is written whole or not at all: everything goes into a temporary sibling folder
that replaces DIR at the end, so a failed or interrupted run leaves no half-written DIR.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import sim
from sim.ensemble import (
    EVENT_COLUMNS,
    SUMMARY_DATE_COLUMNS,
    TIMESERIES_COLUMNS,
    Ensemble,
    typed_summary,
)
from sim.errors import UserInputError
from sim.scenario import ROOT, ScenarioSpec

FILES = ("timeseries.csv", "events.csv", "summary.csv", "manifest.json")
FLOAT_FORMAT = "%.6g"


def write_outputs(
    ensemble: Ensemble,
    out_dir: str | Path,
    scenario: ScenarioSpec,
    seeds: list[int],
    argv: list[str] | None = None,
) -> Path:
    """Write the ensemble's tables and manifest into `out_dir` (replacing it); return it."""
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise UserInputError(out_dir, None, "exists and is not a folder")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=f".{out_dir.name}.tmp-"))
    try:
        os.chmod(temp, 0o755)  # mkdtemp makes it private; results are ordinary files
        _write_csv(ensemble.timeseries, temp / "timeseries.csv")
        _write_csv(ensemble.events, temp / "events.csv")
        _write_csv(ensemble.summary, temp / "summary.csv")
        manifest = build_manifest(scenario, seeds, argv)
        (temp / "manifest.json").write_text(
            json.dumps(manifest, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8"
        )
        _swap_into_place(temp, out_dir)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    return out_dir


def _write_csv(table: pd.DataFrame, path: Path) -> None:
    table.to_csv(path, index=False, float_format=FLOAT_FORMAT, lineterminator="\n")


def _swap_into_place(temp: Path, out_dir: Path) -> None:
    if not out_dir.exists():
        os.replace(temp, out_dir)
        return
    old = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=f".{out_dir.name}.old-"))
    os.replace(out_dir, old)  # an empty folder is replaced atomically
    try:
        os.replace(temp, out_dir)
    except BaseException:
        os.replace(old, out_dir)  # put the previous results back
        raise
    shutil.rmtree(old, ignore_errors=True)


def build_manifest(
    scenario: ScenarioSpec, seeds: list[int], argv: list[str] | None = None
) -> dict[str, Any]:
    """What produced a results folder: the resolved scenario, seeds, code and versions."""
    import mesa

    return {
        "scenario": scenario.name,
        "resolved": scenario.resolved(),
        "seeds": [int(s) for s in seeds],
        "runs": len(seeds),
        "version": sim.__version__,
        "git": git_state(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "mesa": mesa.__version__,
        "pandas": pd.__version__,
        "command": list(sys.argv if argv is None else argv),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def git_state() -> dict[str, Any]:
    """The commit of the code that ran and whether the work tree differed from it."""

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10, check=True
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip()

    commit = git("rev-parse", "HEAD")
    if commit is None:
        return {"commit": None, "dirty": None}
    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit, "dirty": None if status is None else bool(status)}


def read_outputs(out_dir: str | Path) -> Ensemble:
    """The three tables of a results folder, with the contract's dtypes (dates as str,
    a month that did not happen as "")."""
    out_dir = Path(out_dir)
    for name in FILES[:3]:
        if not (out_dir / name).is_file():
            raise UserInputError(out_dir, name, "missing; not a results folder from `run.py run`")
    ints = {c: np.int64 for c in ("run", "seed", "step")}
    timeseries = pd.read_csv(
        out_dir / "timeseries.csv",
        keep_default_na=False,
        na_values={"value": ["nan", ""]},
        dtype={**ints, "date": str, "variable": str, "subject": str, "value": np.float64},
    )
    events = pd.read_csv(
        out_dir / "events.csv",
        keep_default_na=False,
        dtype={**ints, **{c: str for c in EVENT_COLUMNS[3:]}},
    )
    summary = pd.read_csv(
        out_dir / "summary.csv",
        keep_default_na=False,
        na_values={c: ["nan", ""] for c in _summary_numbers(out_dir / "summary.csv")},
        dtype={c: str for c in SUMMARY_DATE_COLUMNS},
    )
    for table, columns, name in (
        (timeseries, TIMESERIES_COLUMNS, "timeseries.csv"),
        (events, EVENT_COLUMNS, "events.csv"),
    ):
        if tuple(table.columns) != columns:
            raise UserInputError(out_dir / name, None, f"expected the columns {columns}")
    return Ensemble(timeseries=timeseries, events=events, summary=typed_summary(summary))


def _summary_numbers(path: Path) -> list[str]:
    with open(path, encoding="utf-8") as fh:
        header = fh.readline().strip().split(",")
    return [c for c in header if c not in SUMMARY_DATE_COLUMNS]


__all__ = ["FILES", "build_manifest", "git_state", "read_outputs", "write_outputs"]
