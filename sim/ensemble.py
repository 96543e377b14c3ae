"""Ensembles: many runs of one scenario, one seed each, collected into the output tables.

A run (`run_one`) returns compact numpy arrays, cheap to send back from a worker process;
`frames` turns a list of runs into the three tables of the output contract (`timeseries`,
`events`, `summary`), and `run_ensemble` does both, in parallel if asked, holding every run in
memory. `stream_runs` hands each run to a function where it ran and only what that returns to
the parent: `run.py run` writes the runs' rows there (`sim.output.write_streamed`).

Seeds: run `r` of an ensemble with base seed `s` uses seed `s + r` (`seeds_for`). Two
scenarios run with the same base seed therefore share their seeds run by run (common random
numbers), so their differences come from the scenario and not from the draw.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from tqdm import tqdm

from sim import interrupt, strikes
from sim.model import SyriaModel
from sim.pool import started_pool
from sim.scenario import ScenarioSpec
from sim.vocabulary import (
    FACTIONS,
    FOREIGN_STATES,
    PAIR_NAMES,
    STATES,
    TERM_VARIABLES,
    VARIABLE_SUBJECTS,
    month_label,
)

# --- the output contract ----------------------------------------------------------------------

TIMESERIES_COLUMNS = ("run", "seed", "step", "date", "variable", "subject", "value")
EVENT_COLUMNS = ("run", "seed", "step", "date", "actor", "event", "target", "detail")

_FOREIGN = [STATES.index(s) for s in FOREIGN_STATES]

# how to get each variable's (T, len(subjects)) block from the run's series
_GET: dict[str, Any] = {
    "control": lambda s: s["control"],
    "influence": lambda s: s["influence"][:, _FOREIGN],
    "cooperation": lambda s: s["cooperation"],
    "commitment": lambda s: s["commitment"],
    **{name: (lambda s, t=t: s["terms"][:, :, t]) for t, name in enumerate(TERM_VARIABLES)},
    "morale": lambda s: s["morale"][:, None],
    "manpower": lambda s: s["manpower"],
}
# (variable, subjects, getter), in the output contract's order (sim/vocabulary.py)
_BLOCKS: tuple[tuple[str, tuple[str, ...], Any], ...] = tuple(
    (v, subjects, _GET[v]) for v, subjects in VARIABLE_SUBJECTS.items())
VARIABLES: tuple[str, ...] = tuple(b[0] for b in _BLOCKS)
VARIABLES_WIDTH = sum(len(b[1]) for b in _BLOCKS)  # rows of timeseries.csv per run and month
# the model reporter (`sim.model.REPORTERS`) each variable is read from
_SOURCE = {**{v: v for v in VARIABLES}, **dict.fromkeys(TERM_VARIABLES, "terms")}


def _blocks(reporters: tuple[str, ...] | None = None) -> list:
    """The output blocks read from the given reporters (all of them by default)."""
    return [b for b in _BLOCKS if reporters is None or _SOURCE[b[0]] in reporters]


IRAN_RUSSIA = PAIR_NAMES.index("iran-russia")
SUMMARY_COLUMNS: tuple[str, ...] = (
    "run",
    "seed",
    "regime_fell",
    "regime_fall_date",
    *(f"intervention_date_{s}" for s in STATES),
    "vetoes",
    # air and missile strikes on Syria (the strikes `airstrike` events report, one for an
    # event without a count: `strikes.count_of`): a state strikes without its combat forces
    # arriving (Israel struck every year; its intervention_date stays empty)
    *(f"airstrikes_{s}" for s in FOREIGN_STATES),
    "peak_cooperation_iran_russia",
    "peak_cooperation_date_iran_russia",
    *(f"final_control_{f}" for f in FACTIONS),
    *(f"final_influence_{s}" for s in FOREIGN_STATES),
)
# Summary columns holding a month (YYYY-MM, or "" when it did not happen).
SUMMARY_DATE_COLUMNS: tuple[str, ...] = tuple(
    c for c in SUMMARY_COLUMNS if c.endswith("_date") or "_date_" in c
)


def seeds_for(base_seed: int, runs: int) -> list[int]:
    """The seeds of an ensemble: `base_seed + r` for run `r` (common random numbers across
    scenarios come from running them with the same base seed)."""
    return [base_seed + r for r in range(runs)]


# --- one run ----------------------------------------------------------------------------------


@dataclass
class RunResult:
    """One run, as compact arrays: `series[reporter]` is (T, ...) with one row per month."""

    seed: int
    start: int  # month index of step 1
    series: dict[str, np.ndarray]
    events: list[tuple[int, str, str, str, str]]  # (step, actor, event, target, detail)
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def steps(self) -> int:
        return len(self.series["control"])

    def wide(self, reporters: tuple[str, ...] | None = None) -> np.ndarray:
        """(T, C) matrix of every output variable and subject, in contract order (of those
        read from `reporters` only, if given)."""
        return np.concatenate(
            [
                np.asarray(get(self.series), dtype=float).reshape(self.steps, -1)
                for _, _, get in _blocks(reporters)
            ],
            axis=1,
        )


def run_one(scenario: ScenarioSpec, seed: int, record: tuple[str, ...] | None = None) -> RunResult:
    """Run the scenario once with this seed, from its start month to its end month, keeping
    the series named in `record` (all of them unless told; the summary needs `control`,
    `influence` and `cooperation`)."""
    interrupt.check()
    model = SyriaModel(scenario, rng=seed, record=record)
    while model.running:
        interrupt.check()  # Ctrl-C stops a run here, between months, never inside a kernel
        model.step()
    series = {
        name: np.stack([np.asarray(v, dtype=float) for v in values])
        for name, values in model.datacollector.model_vars.items()
    }
    events = [
        (int(step), str(actor), str(event), str(target), str(detail))
        for step, actor, event, target, detail in model.events
    ]
    return RunResult(
        seed=seed,
        start=scenario.start,
        series=series,
        events=events,
        summary=_summarise(model, series, events, scenario.start),
    )


def _label(month: int | None) -> str:
    return "" if month is None else month_label(int(month))


def _summarise(
    model: SyriaModel, series: dict[str, np.ndarray], events: list[tuple], start: int
) -> dict[str, Any]:
    cooperation = series["cooperation"][:, IRAN_RUSSIA]
    peak = int(np.argmax(cooperation))  # the first month at the peak
    summary: dict[str, Any] = {
        "regime_fell": int(model.fallen_at is not None),
        "regime_fall_date": _label(model.fallen_at),
        **{f"intervention_date_{s}": _label(model.states[s].intervened) for s in STATES},
        "vetoes": sum(1 for e in events if e[2] == "veto"),
        **{f"airstrikes_{s}": sum(strikes.count_of(e[4]) for e in events
                                  if e[2] == "airstrike" and e[1] == s)
           for s in FOREIGN_STATES},
        "peak_cooperation_iran_russia": float(cooperation[peak]),
        "peak_cooperation_date_iran_russia": month_label(start + peak),
    }
    final_control = series["control"][-1]
    final_influence = series["influence"][-1]
    summary.update({f"final_control_{f}": float(final_control[i]) for i, f in enumerate(FACTIONS)})
    summary.update(
        {f"final_influence_{s}": float(final_influence[STATES.index(s)]) for s in FOREIGN_STATES}
    )
    return summary


# --- the tables -------------------------------------------------------------------------------


@dataclass
class Ensemble:
    """The three tables of the output contract."""

    timeseries: pd.DataFrame
    events: pd.DataFrame
    summary: pd.DataFrame

    @property
    def runs(self) -> int:
        return len(self.summary)

    @property
    def seeds(self) -> list[int]:
        return [int(s) for s in self.summary["seed"]]


def frames(results: list[RunResult]) -> Ensemble:
    """The contract's tables from runs in run order (run `r` is `results[r]`)."""
    return Ensemble(
        timeseries=timeseries_frame(results),
        events=events_frame(results),
        summary=summary_frame(results),
    )


def _dates(start: int, steps: np.ndarray) -> np.ndarray:
    return np.array([month_label(start + int(k) - 1) for k in steps], dtype=object)


def long_series(
    result: RunResult, reporters: tuple[str, ...] | None = None
) -> dict[str, np.ndarray]:
    """A run's monthly series as the contract's long columns (`step`, `date`, `variable`,
    `subject`, `value`; month by month, subjects in contract order), of every reporter or of
    those given: the rows of `timeseries.csv`, and what a sweep keeps per run
    (`sim.batch.run_outcomes(series=...)`)."""
    blocks = _blocks(reporters)
    variable = np.array([v for v, subjects, _ in blocks for _ in subjects], dtype=object)
    subject = np.array([s for _, subjects, _ in blocks for s in subjects], dtype=object)
    steps = np.arange(1, result.steps + 1)
    return {
        "step": np.repeat(steps, len(variable)),
        "date": np.repeat(_dates(result.start, steps), len(variable)),
        "variable": np.tile(variable, result.steps),
        "subject": np.tile(subject, result.steps),
        "value": result.wide(reporters).ravel(),
    }


def timeseries_frame(results: list[RunResult], first_run: int = 0) -> pd.DataFrame:
    """Long table: one row per run, month, variable and subject (rows in that order); the
    runs are numbered from `first_run` (a streamed ensemble makes one run's rows at a time)."""
    parts: dict[str, list[np.ndarray]] = {c: [] for c in TIMESERIES_COLUMNS}
    for run, result in enumerate(results, first_run):
        columns = long_series(result)
        rows = len(columns["value"])
        parts["run"].append(np.full(rows, run, dtype=np.int64))
        parts["seed"].append(np.full(rows, result.seed, dtype=np.int64))
        for name, values in columns.items():
            parts[name].append(values)
    return _frame(parts, TIMESERIES_COLUMNS, {"value": np.float64})


def events_frame(results: list[RunResult], first_run: int = 0) -> pd.DataFrame:
    """One row per event, in run order and, within a run, in the order they happened."""
    parts: dict[str, list[np.ndarray]] = {c: [] for c in EVENT_COLUMNS}
    for run, result in enumerate(results, first_run):
        count = len(result.events)
        fields = list(zip(*result.events, strict=True)) if count else [()] * 5
        steps = np.asarray(fields[0], dtype=np.int64)
        parts["run"].append(np.full(count, run, dtype=np.int64))
        parts["seed"].append(np.full(count, result.seed, dtype=np.int64))
        parts["step"].append(steps)
        parts["date"].append(_dates(result.start, steps))
        for name, values in zip(EVENT_COLUMNS[4:], fields[1:], strict=True):
            parts[name].append(np.asarray(values, dtype=object))
    return _frame(parts, EVENT_COLUMNS, {})


def summary_frame(results: list[RunResult]) -> pd.DataFrame:
    """One row per run."""
    return summary_from_rows([summary_row(run, r) for run, r in enumerate(results)])


def summary_row(run: int, result: RunResult) -> dict[str, Any]:
    """Run `run`'s row of the summary table."""
    return {"run": run, "seed": result.seed, **result.summary}


def summary_from_rows(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The summary table from its rows (`summary_row`), in run order."""
    return typed_summary(pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS)))


def typed_summary(table: pd.DataFrame) -> pd.DataFrame:
    table = table.copy()
    for column in table.columns:
        if column in SUMMARY_DATE_COLUMNS:
            table[column] = table[column].fillna("").astype(str)
        elif column in ("run", "seed", "regime_fell", "vetoes") or column.startswith(
            "airstrikes_"
        ):
            table[column] = table[column].astype(np.int64)
        else:
            table[column] = table[column].astype(np.float64)
    return table


def _frame(
    parts: dict[str, list[np.ndarray]], columns: Iterable[str], floats: dict[str, Any]
) -> pd.DataFrame:
    data = {}
    for name in columns:
        chunks = parts[name]
        if name in floats:
            data[name] = np.concatenate(chunks) if chunks else np.zeros(0)
        elif name in ("run", "seed", "step"):
            data[name] = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int64)
        else:
            values = np.concatenate(chunks) if chunks else np.zeros(0, dtype=object)
            data[name] = pd.Series(values, dtype=str)
    return pd.DataFrame(data)


# --- many runs --------------------------------------------------------------------------------


@contextlib.contextmanager
def worker_pool(workers: int):
    """A process pool for jobs that call the model (calibration's candidates), whose workers
    leave Ctrl-C to the parent. With more than one worker, Ctrl-C is the ordinary
    KeyboardInterrupt in the parent while it waits on the pool (Python code, never a kernel:
    the kernels run in the workers), so it ends the command at once; with one, no pool, and the
    deferred Ctrl-C of the ensemble loop."""
    if workers <= 1:
        yield map
        return
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(workers, mp_context=_pool_context(), initializer=_worker_setup,
                               initargs=(os.getpid(),))
    try:
        # every worker up before Ctrl-C may shut the pool down: a pool shut down while the
        # forkserver is still starting a worker leaves that worker to print a traceback (the
        # command is in deferred mode here, so a Ctrl-C meanwhile only sets the flag)
        for started in [pool.submit(os.getpid) for _ in range(workers)]:
            started.result()
        with interrupt.immediate():  # raises at once if Ctrl-C came while they started
            yield pool.map
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _worker_setup(parent: int) -> None:
    """Workers leave Ctrl-C to the parent (which cancels what is pending and shuts the pool
    down), and exit on their own if the parent dies without shutting them down (SIGKILL)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while True:
            time.sleep(1.0)
            try:
                os.kill(parent, 0)
            except ProcessLookupError:
                os._exit(1)
            except PermissionError:  # the pid was reused by someone else's process
                os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def run_ensemble(
    scenario: ScenarioSpec, seeds: list[int], workers: int = 1, progress: bool = True
) -> Ensemble:
    """Run the scenario once per seed (run `r` uses `seeds[r]`) and collect the tables.

    With `workers > 1` the runs go to a process pool; results are put back in run order
    whatever order they finish in, so the tables do not depend on `workers`.
    """
    return frames(run_results(scenario, seeds, workers, progress))


# Measured: the first run after set-up (or after an edit of sim/) spends this long compiling
# the kernels on one core of the 2-core reference machine; later runs load them from the cache.
COMPILE_SECONDS = 60


def kernels_to_compile() -> int:
    """How many of the model's compiled kernels the next run must compile first: those neither
    compiled in this process nor in numba's on-disk cache (every one if the kernels are not
    cached at all). The count reads numba's cache index, the same check numba makes."""
    from numba.core.caching import NullCache
    from numba.core.registry import CPUDispatcher

    cold = 0
    for name, module in list(sys.modules.items()):
        if not name.startswith("sim.") or module is None:
            continue
        for kernel in vars(module).values():
            if not isinstance(kernel, CPUDispatcher) or kernel.overloads:
                continue
            cache = getattr(kernel, "_cache", None)
            try:
                warm = not isinstance(cache, NullCache) and bool(cache._cache_file._load_index())
            except Exception:  # numba internals moved: assume nothing is cached
                warm = False
            cold += not warm
    return cold


def _bar(scenario: ScenarioSpec, total: int, progress: bool, done: int = 0) -> tqdm:
    return tqdm(
        total=total,
        initial=done,
        desc=scenario.name,
        unit="run",
        file=sys.stderr,
        disable=not progress,
        leave=False,
    )


def run_results(
    scenario: ScenarioSpec, seeds: list[int], workers: int = 1, progress: bool = True
) -> list[RunResult]:
    """The runs themselves, in run order (see `run_ensemble`), all held in memory: what
    `compare`, `validate` and the dashboard read. `run.py run` streams instead
    (`stream_runs`)."""
    results: list[RunResult] = []
    stream_runs(scenario, seeds, _keep, lambda run, result: results.append(result), workers,
                progress)
    return results


def _keep(run: int, result: RunResult) -> RunResult:
    return result


def stream_runs(
    scenario: ScenarioSpec,
    seeds: list[int],
    part: Callable[[int, RunResult], Any],
    take: Callable[[int, Any], None],
    workers: int = 1,
    progress: bool = True,
) -> None:
    """Run the scenario once per seed (run `r` uses `seeds[r]`). Each run goes to
    `part(run, result)` in the process that ran it (a worker's, with several workers: it
    writes the run's rows there, so they never travel to the parent), and what `part` returns
    goes to `take(run, returned)` in this process, in run order whatever order the runs
    finish in. The parent holds only what waits for an earlier run to finish.

    When the kernels must be compiled first, one line says so (the progress bar would
    otherwise sit still, promising hours); the bar starts after the first run, so its
    estimate is not inflated by the compilation."""
    compiling = progress and kernels_to_compile() > 0
    if compiling:
        print(f"compiling the model once, about {COMPILE_SECONDS} s (later runs start at once)",
              file=sys.stderr, flush=True)
    if workers <= 1 or len(seeds) <= 1:
        first = 0
        if compiling and seeds:
            take(0, part(0, run_one(scenario, seeds[0])))
            first = 1
        with _bar(scenario, len(seeds), progress, done=first) as bar:
            for run in range(first, len(seeds)):
                take(run, part(run, run_one(scenario, seeds[run])))
                bar.update()
        return
    _in_pool(scenario, seeds, part, take, min(workers, len(seeds)), progress, compiling)


def _run_part(scenario: ScenarioSpec, run: int, seed: int, part: Callable) -> Any:
    return part(run, run_one(scenario, seed))


def _pool_context() -> multiprocessing.context.BaseContext:
    """Forkserver (no fork of a threaded parent); the server imports the model once and the
    workers fork from it, so a pool starts in a fraction of a second after the first."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["sim.ensemble"])
    return context


def fork_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of `workers` processes forked from this one, started now: they have the model
    imported already (a forkserver imports it again, about 2 s a pool), as the sweeps' pool
    does (`analysis.sweep.runner.pool_context`). Fork only on Linux; elsewhere the forkserver
    or spawn that the platform has."""
    context = (multiprocessing.get_context("fork") if sys.platform == "linux"
               else _pool_context())
    return started_pool(workers, context, _worker_setup, (os.getpid(),))


def _in_pool(
    scenario: ScenarioSpec,
    seeds: list[int],
    part: Callable,
    take: Callable,
    workers: int,
    progress: bool,
    compiling: bool,
) -> None:
    pool = fork_pool(workers)  # before the bar: its monitor is a thread
    futures: dict[Future, int] = {}
    finished: dict[int, Any] = {}  # what `part` returned for runs that wait on an earlier one
    taken = 0
    bar = None if compiling else _bar(scenario, len(seeds), progress)
    try:
        futures = {pool.submit(_run_part, scenario, run, seed, part): run
                   for run, seed in enumerate(seeds)}
        pending = set(futures)
        while pending:
            # a short wait, so that a Ctrl-C (a flag, see sim.interrupt) is seen within 0.2 s
            done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            interrupt.check()
            for future in done:
                finished[futures.pop(future)] = future.result()  # a worker's error: raised
            while taken in finished:
                take(taken, finished.pop(taken))
                taken += 1
            if bar is None and done:  # compiled: the estimate starts now
                bar = _bar(scenario, len(seeds), progress, done=len(seeds) - len(pending))
            elif bar is not None:
                bar.update(len(done))
    except BaseException:  # an error in a run, or Ctrl-C: stop the workers, keep nothing
        _stop(pool)
        raise
    finally:
        if bar is not None:
            bar.close()
    pool.shutdown(wait=True)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Cancel what has not started and end the runs under way (workers ignore SIGINT, so
    they would otherwise finish runs nobody will read)."""
    terminate = getattr(pool, "terminate_workers", None)  # Python 3.14
    if terminate is not None:
        terminate()
        return
    processes = list((getattr(pool, "_processes", None) or {}).values())  # shutdown clears it
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=5)


__all__ = [
    "EVENT_COLUMNS",
    "SUMMARY_COLUMNS",
    "TIMESERIES_COLUMNS",
    "VARIABLES",
    "Ensemble",
    "RunResult",
    "frames",
    "run_ensemble",
    "run_one",
    "seeds_for",
    "stream_runs",
]
