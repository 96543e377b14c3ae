"""The one writer (and reader) of run outputs.

A results folder holds `timeseries.csv`, `events.csv`, `summary.csv` (the output contract,
see sim/ensemble.py for the columns) and `manifest.json` (what produced them). Floats are
written as `%.6g`, so the same scenario and seeds give byte-identical CSVs; the only
timestamp is `created` in the manifest.

The folder is written whole or not at all: everything goes into a temporary sibling folder
that replaces DIR at the end, so a failed or interrupted run leaves no half-written DIR.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

import sim
from sim import interrupt
from sim.ensemble import (
    EVENT_COLUMNS,
    SUMMARY_DATE_COLUMNS,
    TIMESERIES_COLUMNS,
    Ensemble,
    RunResult,
    events_frame,
    stream_runs,
    summary_from_rows,
    summary_row,
    timeseries_frame,
    typed_summary,
)
from sim.errors import UserInputError
from sim.scenario import ROOT, ScenarioSpec

FILES = ("timeseries.csv", "events.csv", "summary.csv", "manifest.json")
TABLES = ("timeseries", "events", "summary")
FORMATS = ("csv", "parquet")  # `run --format`: the contract's tables as CSV or as Parquet
PARQUET_FILES = tuple(f"{t}.parquet" for t in TABLES)
# Where the runs' parts wait, inside the temporary folder, until the parent appends them to the
# tables in run order: they go with that folder, whatever ends the run.
PARTS = ".parts"
# What else the tool puts in a results folder (`run --plot`, `plot`, `report`): a folder holding
# only these and FILES is the tool's own and may be replaced whole.
ADDED = ("figures", "report.html", "comparison.csv", *PARQUET_FILES)
TOOL = "syria-realism run.py"  # the manifest's `tool`: how a folder is recognised as ours
FLOAT_FORMAT = "%.6g"
TEMP_TAG = ".tmp-"  # `.NAME.tmp-PID-XXXX`: the pid tells a live run's folder from a dead one's
OLD_TAG = ".old-"


def write_outputs(
    ensemble: Ensemble,
    out_dir: str | Path,
    scenario: ScenarioSpec,
    seeds: list[int],
    argv: list[str] | None = None,
    overwrite: bool = False,
    extra: Callable[[Path], None] | None = None,
) -> Path:
    """Write the ensemble's tables and manifest into `out_dir`; return it.

    `out_dir` may be new, empty, or a previous output of this tool (replaced whole); a folder
    holding anything else is refused, or with `overwrite` only the tool's files in it are
    replaced and the rest is kept. `extra(folder)` adds files of its own (figures)."""

    def fill(temp: Path) -> None:
        _write_csv(ensemble.timeseries, temp / "timeseries.csv")
        _write_csv(ensemble.events, temp / "events.csv")
        _write_csv(ensemble.summary, temp / "summary.csv")
        if extra is not None:
            extra(temp)

    return write_folder(out_dir, fill, build_manifest(scenario, seeds, argv), overwrite)


def write_folder(
    out_dir: str | Path,
    fill: Callable[[Path], None],
    manifest: dict[str, Any],
    overwrite: bool = False,
) -> Path:
    """Write a results folder whole or not at all: `fill(temp)` writes the files into a
    temporary sibling, the manifest (listing them) is added, and the folder takes DIR's
    place (see `write_outputs` for which DIR may be replaced)."""
    out_dir = check_destination(out_dir, overwrite=overwrite)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    clean_stale(out_dir)
    temp = Path(
        tempfile.mkdtemp(dir=out_dir.parent, prefix=f".{out_dir.name}{TEMP_TAG}{os.getpid()}-")
    )
    try:
        os.chmod(temp, 0o755)  # mkdtemp makes it private; results are ordinary files
        fill(temp)
        files = sorted(p.name for p in temp.iterdir())
        manifest = {**manifest, "tool": TOOL, "files": [*files, "manifest.json"]}
        (temp / "manifest.json").write_text(
            json.dumps(manifest, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8"
        )
        interrupt.check()  # a Ctrl-C while writing: keep the previous folder, drop this one
        if out_dir.exists() and _foreign(out_dir):
            _replace_own_files(temp, out_dir)
        else:
            _swap_into_place(temp, out_dir)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    return out_dir


def _write_csv(table: pd.DataFrame, path: Path | IO[bytes], header: bool = True) -> None:
    table.to_csv(path, index=False, float_format=FLOAT_FORMAT, lineterminator="\n",
                 header=header)


# --- an ensemble streamed to disk ---------------------------------------------------------------

# The Parquet columns: the contract's, with the types the CSV is read back with (exact floats).
_STR, _INT, _FLOAT = pa.string(), pa.int64(), pa.float64()
SCHEMAS = {
    "timeseries": pa.schema([(c, _FLOAT if c == "value" else _INT if c in ("run", "seed", "step")
                              else _STR) for c in TIMESERIES_COLUMNS]),
    "events": pa.schema([(c, _INT if c in ("run", "seed", "step") else _STR)
                         for c in EVENT_COLUMNS]),
}
PARQUET_COMPRESSION = "zstd"


def _to_arrow(table: pd.DataFrame, name: str) -> pa.Table:
    return pa.Table.from_pandas(table, schema=SCHEMAS[name], preserve_index=False)


@dataclass(frozen=True)
class _Parts:
    """Writes a run's rows as its parts (where the run ran: a pool's worker) and returns the
    run's summary row, all that travels back to the parent."""

    folder: Path
    format: str

    def path(self, table: str, run: int) -> Path:
        return self.folder / f"{table}-{run:09d}.{self.format}"

    def __call__(self, run: int, result: RunResult) -> dict[str, Any]:
        tables = {"timeseries": timeseries_frame([result], run),
                  "events": events_frame([result], run)}
        for name, table in tables.items():
            if self.format == "csv":  # the same writer as a whole table: the same bytes
                _write_csv(table, self.path(name, run), header=False)
            else:
                pq.write_table(_to_arrow(table, name), self.path(name, run),
                               compression=PARQUET_COMPRESSION)
        return summary_row(run, result)


class _Tables:
    """The growing tables of a streamed ensemble in a temporary folder: each run's parts are
    appended in run order (the CSV's bytes copied, or the Parquet file's row groups) and
    deleted; only the summary's rows are kept."""

    def __init__(self, folder: Path, fmt: str) -> None:
        self.folder, self.format = folder, fmt
        (folder / PARTS).mkdir()
        self.parts = _Parts(folder / PARTS, fmt)
        self.rows: list[dict[str, Any]] = []
        self.sinks: dict[str, Any] = {}

    def _open(self) -> None:
        """The tables' files, opened at the first run's parts: after a pool has forked, so
        that no worker inherits them (nor a buffer of theirs)."""
        for name in ("timeseries", "events"):
            path = self.folder / f"{name}.{self.format}"
            if self.format == "csv":
                self.sinks[name] = open(path, "wb")  # noqa: SIM115 (closed in `close`)
                columns = TIMESERIES_COLUMNS if name == "timeseries" else EVENT_COLUMNS
                _write_csv(pd.DataFrame(columns=list(columns)), self.sinks[name])
            else:
                self.sinks[name] = pq.ParquetWriter(path, SCHEMAS[name],
                                                    compression=PARQUET_COMPRESSION)

    def take(self, run: int, row: dict[str, Any]) -> None:
        if not self.sinks:
            self._open()
        for name, sink in self.sinks.items():
            part = self.parts.path(name, run)
            if self.format == "csv":
                with open(part, "rb") as fh:
                    shutil.copyfileobj(fh, sink)
            else:
                table = pq.read_table(part)
                if table.num_rows:  # a run without events adds no empty row group
                    sink.write_table(table)
            part.unlink()
        self.rows.append(row)

    def close(self) -> pd.DataFrame:
        """Finish the files, write the summary and return it."""
        if not self.sinks:  # no runs: the tables with their header only
            self._open()
        for sink in self.sinks.values():
            sink.close()
        (self.folder / PARTS).rmdir()  # every part was taken: an error here is a bug
        summary = summary_from_rows(self.rows)
        if self.format == "csv":
            _write_csv(summary, self.folder / "summary.csv")
        else:
            summary.to_parquet(self.folder / "summary.parquet", index=False,
                               compression=PARQUET_COMPRESSION)
        return summary

    def abandon(self) -> None:
        for sink in self.sinks.values():
            with contextlib.suppress(Exception):
                sink.close()


def write_streamed(
    scenario: ScenarioSpec,
    seeds: list[int],
    out_dir: str | Path,
    workers: int = 1,
    progress: bool = True,
    fmt: str = "csv",
    argv: list[str] | None = None,
    overwrite: bool = False,
    extra: Callable[[Path], None] | None = None,
) -> tuple[Path, pd.DataFrame]:
    """Run the ensemble into `out_dir` (see `write_outputs` for which folders may be
    replaced): each run's rows are written where it ran, as it finishes, and appended to the
    tables in run order, so this process never holds the long tables and its memory does not
    grow with the runs. The CSVs are byte-identical to `write_outputs` of the same runs.
    Returns the folder and the summary table."""
    if fmt not in FORMATS:
        raise UserInputError("--format", fmt, f"expected one of {', '.join(FORMATS)}")
    summary: list[pd.DataFrame] = []

    def fill(temp: Path) -> None:
        tables = _Tables(temp, fmt)
        try:
            stream_runs(scenario, seeds, tables.parts, tables.take, workers, progress)
        except BaseException:
            tables.abandon()  # the folder and its parts go with `write_folder`'s cleanup
            raise
        summary.append(tables.close())
        if extra is not None:
            extra(temp)

    written = write_folder(out_dir, fill, build_manifest(scenario, seeds, argv), overwrite)
    return written, summary[0]


# --- whose folder is it -------------------------------------------------------------------------


def tool_manifest(folder: Path) -> dict[str, Any] | None:
    """The manifest of a folder this tool wrote, or None (no manifest, or not ours)."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(manifest, dict):
        return None
    # manifests written before `tool` existed have these keys, and only ours have all of them
    legacy = {"scenario", "resolved", "seeds", "version", "git", "created"} <= manifest.keys()
    return manifest if manifest.get("tool") == TOOL or legacy else None


def _own_names(folder: Path) -> set[str]:
    manifest = tool_manifest(folder)
    if manifest is None:
        return set()
    listed = manifest.get("files")
    return {*(listed if isinstance(listed, list) else FILES), *ADDED}


def _foreign(folder: Path) -> list[str]:
    """What in a folder this tool did not write (everything, if it holds no manifest of ours)."""
    own = _own_names(folder)
    return sorted(p.name for p in folder.iterdir() if p.name not in own)


def check_destination(
    out_dir: str | Path, overwrite: bool = False, need_bytes: int = 0, flag: str = "--out"
) -> Path:
    """Refuse, before any work, a results folder that cannot or must not be written: an
    empty name, the current folder or one holding it, a file or a path under a file, a name
    too long for the file system, a place without write permission or without `need_bytes`
    free, or a folder holding files this tool did not write (unless `overwrite`, which
    replaces only the tool's files). Returns the folder as an absolute path."""
    text = str(out_dir)
    if not text.strip():
        raise UserInputError(flag, None, "expected a folder name, got an empty one")
    path = Path(os.path.abspath(os.path.expanduser(text)))
    here = Path.cwd().resolve()
    if here == path.resolve() or here.is_relative_to(path.resolve()):
        raise UserInputError(
            flag, text, "is the current folder or holds it; give a new folder name for results"
        )
    existing = path
    while not existing.exists():
        if existing.is_symlink():  # a dangling link: writing would follow it somewhere else
            raise UserInputError(flag, text, f"{existing} is a broken symbolic link")
        existing = existing.parent
    if existing != path and not existing.is_dir():
        raise UserInputError(flag, text, f"is under {existing}, which is a file, not a folder")
    if existing == path and not path.is_dir():
        raise UserInputError(flag, text, "exists and is a file, not a folder")
    limit = _name_max(existing)
    for part in path.relative_to(existing).parts or (path.name,):
        if len(f".{part}{TEMP_TAG}{os.getpid()}-XXXXXXXX".encode()) > limit:
            raise UserInputError(
                flag, text, f"the name {part[:40]!r}... is too long for this file system "
                f"(at most {limit - 24} bytes here)"
            )
    writable_in = path.parent if path.parent.exists() else existing
    if not os.access(writable_in, os.W_OK | os.X_OK):
        raise UserInputError(flag, text, f"cannot write in {writable_in} (permission denied)")
    if need_bytes:
        free = shutil.disk_usage(existing).free
        if free < need_bytes:
            raise UserInputError(
                flag, text, f"needs about {_size(need_bytes)} free; {existing} has {_size(free)}"
            )
    if path.is_dir() and not overwrite:
        foreign = _foreign(path)
        if foreign:
            more = f" and {len(foreign) - 3} more" if foreign[3:] else ""
            shown = ", ".join(foreign[:3]) + more
            raise UserInputError(
                flag, text, f"holds files this tool did not write ({shown}); give a new or "
                "empty folder, or --overwrite to replace only the tool's files in it"
            )
    return path


def _name_max(folder: Path) -> int:
    try:
        return int(os.pathconf(folder, "PC_NAME_MAX"))
    except (OSError, ValueError):
        return 255


def _size(n: float) -> str:
    for unit in ("bytes", "kB", "MB", "GB"):
        if n < 1000:
            return f"{n:.0f} {unit}"
        n /= 1000
    return f"{n:.0f} TB"


# A row of timeseries.csv takes about this many bytes: 41 measured for one run of collapse_2024;
# more digits in the run and seed numbers of a large ensemble make it longer.
BYTES_PER_ROW = 56


def estimated_bytes(scenario: ScenarioSpec, runs: int) -> int:
    """About how much a results folder of `runs` runs of `scenario` takes on disk, written
    once in the temporary folder beside the previous one."""
    from sim.ensemble import VARIABLES_WIDTH

    return int(runs * scenario.months * VARIABLES_WIDTH * BYTES_PER_ROW * 1.1) + 1_000_000


# --- putting it in place --------------------------------------------------------------------


_PART_NAME = re.compile(r"(timeseries|events)-\d{9}\.(csv|parquet)")

# A temporary folder named without a pid (written before the pid was in the name) is taken
# for a dead run's once it has not changed for this long.
LEGACY_AGE = 3600.0


def clean_stale(out_dir: Path) -> list[Path]:
    """Remove the temporary folders a killed run left beside `out_dir`: only ours (our name
    pattern, holding nothing but our files) and only when the process that made them is gone."""
    removed = []
    for tag in (TEMP_TAG, OLD_TAG):
        for leftover in out_dir.parent.glob(f".{glob.escape(out_dir.name)}{tag}*"):
            suffix = leftover.name[len(out_dir.name) + 1 + len(tag):]
            pid = suffix.split("-", 1)[0]
            if not leftover.is_dir():
                continue
            if pid.isdigit() and "-" in suffix:
                if _alive(int(pid)):
                    continue
            elif time.time() - leftover.stat().st_mtime < LEGACY_AGE:
                continue
            contents = {p.name for p in leftover.iterdir()}
            parts = leftover / PARTS  # a killed streamed run's parts: ours if named as ours
            if parts.is_dir() and all(_PART_NAME.fullmatch(p.name) for p in parts.iterdir()):
                contents.discard(PARTS)
            if contents <= {*FILES, *ADDED}:
                shutil.rmtree(leftover, ignore_errors=True)
                removed.append(leftover)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def _swap_into_place(temp: Path, out_dir: Path) -> None:
    if not out_dir.exists():
        os.replace(temp, out_dir)
        return
    old = Path(
        tempfile.mkdtemp(dir=out_dir.parent, prefix=f".{out_dir.name}{OLD_TAG}{os.getpid()}-")
    )
    os.replace(out_dir, old)  # an empty folder is replaced atomically
    try:
        os.replace(temp, out_dir)
    except BaseException:
        os.replace(old, out_dir)  # put the previous results back
        raise
    shutil.rmtree(old, ignore_errors=True)


def _replace_own_files(temp: Path, out_dir: Path) -> None:
    """`--overwrite` on a folder with the user's files in it: the tool's previous files go,
    the new ones move in one by one, and nothing else is touched."""
    for name in sorted(_own_names(out_dir) | {*FILES, *ADDED}):
        stale = out_dir / name
        if stale.is_dir() and not stale.is_symlink():
            shutil.rmtree(stale)
        elif stale.exists() or stale.is_symlink():
            stale.unlink()
    for new in sorted(temp.iterdir()):
        os.replace(new, out_dir / new.name)
    temp.rmdir()


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
        "code": code_digest(),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def code_digest() -> str:
    """A hash of everything a run's results depend on beside the resolved scenario: the model's
    code (sim/) and its data (params/); two manifests with the same digest, scenario and seeds
    describe the same results."""
    digest = hashlib.sha256()
    for folder, pattern in (("sim", "*.py"), ("params", "**/*")):
        for path in sorted((ROOT / folder).glob(pattern)):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(ROOT)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def holds_run(folder: Path, scenario: ScenarioSpec, seeds: list[int]) -> bool:
    """Whether `folder` holds this tool's outputs of exactly this scenario, these seeds and
    this code (so that they need not be run again)."""
    manifest = tool_manifest(folder)
    if manifest is None or output_format(folder) is None:
        return False

    def plain(value: Any) -> Any:  # as the manifest stores it
        return json.loads(json.dumps(value, sort_keys=True, default=str))

    return (
        manifest.get("code") == code_digest()
        and manifest.get("seeds") == [int(s) for s in seeds]
        and manifest.get("resolved") == plain(scenario.resolved())
    )


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


def output_format(folder: Path) -> str | None:
    """The format a results folder's tables are in ("csv" or "parquet"), or None if it does
    not hold all three in one of them."""
    for fmt in FORMATS:
        if all((folder / f"{t}.{fmt}").is_file() for t in TABLES):
            return fmt
    return None


def read_outputs(out_dir: str | Path) -> Ensemble:
    """The three tables of a results folder, CSV or Parquet (`run --format`), with the
    contract's dtypes (dates as str, a month that did not happen as "")."""
    out_dir = Path(out_dir)
    if output_format(out_dir) == "parquet":
        timeseries, events, summary = (pd.read_parquet(out_dir / f"{t}.parquet") for t in TABLES)
        return Ensemble(timeseries=timeseries, events=events, summary=typed_summary(summary))
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


__all__ = [
    "FILES",
    "FORMATS",
    "build_manifest",
    "check_destination",
    "clean_stale",
    "code_digest",
    "estimated_bytes",
    "git_state",
    "holds_run",
    "output_format",
    "read_outputs",
    "tool_manifest",
    "write_folder",
    "write_outputs",
    "write_streamed",
]
