"""Running a sweep: plan → batches of runs → an executor → the results store.

The model is reached through one function, named by its import path so that worker processes
and Dask workers can import it themselves (a closure would not travel):

    run_fn(scenario: str, overrides: dict[str, float], seed: int) -> dict[str, float|int|str|None]

`overrides` maps dotted parameter paths (`russia.resolve`) to values; the result holds at least
the spec's outcomes. The path comes from `--run-fn`, else the spec's `run_fn`, else the default
(`set_default_run_fn`, initially `sim.batch:run_outcomes`).

Executors: in-process (one worker), a local process pool (the default: `pool_context`), or Dask
distributed (a scheduler address, or a `LocalCluster`). A task is a batch of runs; at most a
few batches per worker are in flight, and each finished batch is committed to the store as it
arrives, so memory stays flat and a killed sweep loses only the batches in flight.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import math
import multiprocessing
import os
import signal
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from analysis.sweep.sampling import Plan, Posterior, RunTask, batches, make_plan, tasks
from analysis.sweep.spec import _PATH, SweepSpec, check_against_model, load_spec
from sim import interrupt
from sim.errors import UserInputError
from sim.pool import started_pool

if TYPE_CHECKING:  # the store (duckdb, pyarrow) loads only in the driver, not in workers
    from analysis.sweep.store import SweepStore

RunFn = Callable[[str, dict[str, float], int], dict[str, Any]]
Row = tuple[Any, ...]

_default_run_fn = "sim.batch:run_outcomes"
MAX_BATCH = 64  # runs per task at most: bounds what a killed sweep loses
IN_FLIGHT_PER_WORKER = 2  # batches queued per worker: keeps it busy, keeps memory flat


def set_default_run_fn(path: str) -> None:
    """Set the run function used when neither `--run-fn` nor the spec names one (checked when
    a sweep starts, so the model's module may call this while it is being imported)."""
    global _default_run_fn
    if ":" not in path:
        raise UserInputError("run_fn", path, "expected an import path 'module:function'")
    _default_run_fn = path


def default_run_fn() -> str:
    return _default_run_fn


@cache
def resolve_run_fn(path: str) -> RunFn:
    """Import `module:function` (once per process)."""
    module_name, _, attr = path.partition(":")
    if not module_name or not attr:
        raise UserInputError("run_fn", path, "expected an import path 'module:function'")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and (module_name + ".").startswith(exc.name + "."):
            raise UserInputError("run_fn", path, f"no module {exc.name!r} to import") from None
        raise
    fn = getattr(module, attr, None)
    if not callable(fn):
        raise UserInputError("run_fn", path, f"module {module_name!r} has no function {attr!r}")
    return fn


# --- one batch, in a worker -------------------------------------------------------------------


def run_batch(
    run_fn: str,
    scenario: str,
    names: tuple[str, ...],
    outcomes: dict[str, str],
    batch: list[RunTask],
    source: str = "sweep",
    timeseries: tuple[str, ...] = (),
    posterior: tuple[tuple[str, ...], tuple[tuple[float, ...], ...]] | None = None,
) -> tuple[list[Row], dict[str, np.ndarray] | None]:
    """Run a batch and return its rows in `runs` column order (ids, seed, [posterior set],
    values, outcomes) and, if the spec asks for `timeseries`, the runs' monthly series as long
    columns (`store.SERIES_SCHEMA`); the run function then takes `series=` and returns them
    under the key "series" (as `sim.batch.run_outcomes` does).

    `posterior`: the posterior's parameter paths and its sets' values; a task's set index
    (its fifth field) picks the set its run starts from, and the point's own values override
    it where both set a path (the sweep's parameters win)."""
    fn = resolve_run_fn(run_fn)
    rows = []
    parts: list[dict[str, np.ndarray]] = []
    for point_id, replicate, seed, values, *chosen in batch:
        overrides = dict(zip(names, values, strict=True))
        if posterior is not None:
            set_names, set_values = posterior
            overrides = {**dict(zip(set_names, set_values[chosen[0]], strict=True)),
                         **overrides}
        if timeseries:
            result = fn(scenario, overrides, seed, series=timeseries)
            series = result.pop("series")
            count = len(series["value"])
            parts.append({"point_id": np.full(count, point_id, dtype=np.int64),
                          "replicate": np.full(count, replicate, dtype=np.int32),
                          "seed": np.full(count, seed, dtype=np.uint64), **series})
        else:
            result = fn(scenario, overrides, seed)
        recorded = [_outcome(result, name, kind, run_fn, source) for name, kind in outcomes.items()]
        rows.append((point_id, replicate, seed, *chosen, *values, *recorded))
    if not timeseries:
        return rows, None
    return rows, {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}


def _outcome(result: dict[str, Any], name: str, kind: str, run_fn: str, source: str) -> Any:
    if name not in result:
        known = ", ".join(sorted(result))
        raise UserInputError(
            source, f"outcomes.{name}", f"{run_fn} returns no such outcome (it returns: {known})"
        )
    value = result[name]
    if value is None:
        return None
    if kind == "text":
        return str(value)
    if isinstance(value, str) or not np.isscalar(value):
        raise UserInputError(
            source,
            f"outcomes.{name}",
            f"declared a {kind} but {run_fn} returned {value!r}; declare it "
            f'"text" in an [outcomes] table',
        )
    number = float(value)
    if math.isnan(number):
        return None
    if kind == "integer":
        if not number.is_integer():
            raise UserInputError(
                source, f"outcomes.{name}", f"declared an integer but {run_fn} returned {value!r}"
            )
        return int(number)
    return number


# --- executors --------------------------------------------------------------------------------

BatchArgs = tuple[Any, ...]  # the arguments of one `run_batch` call
BatchResult = tuple[list[Row], dict[str, np.ndarray] | None]  # what `run_batch` returns


class Executor(Protocol):
    """Runs batches somewhere and yields their rows as they finish (in any order)."""

    name: str
    workers: int

    def stream(self, calls: Iterator[BatchArgs]) -> Iterator[BatchResult]: ...

    def close(self) -> None: ...


class InlineExecutor:
    """Every batch in this process, one after the other (`--workers 1`)."""

    name = "inline"
    workers = 1

    def stream(self, calls: Iterator[BatchArgs]) -> Iterator[BatchResult]:
        for args in calls:
            yield run_batch(*args)

    def close(self) -> None:
        pass


def _worker_setup(parent: int) -> None:
    """Pool workers leave Ctrl-C to the parent, and exit if the parent dies (SIGKILL) rather
    than finish runs whose results nobody will store."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def pool_context() -> multiprocessing.context.BaseContext:
    """How the local pool starts its workers: `fork` on Linux, so that they start at once with
    the run function's modules already imported by the parent (`run_sweep` imports them, and
    starts the pool before the store opens: the parent then runs only the idle thread pools
    of numpy and pandas, as when `mesa.batch_run` forks its pool); `spawn` elsewhere, where
    fork is unsafe or missing (workers import the model themselves, about two seconds each)."""
    if sys.platform == "linux":
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


class PoolExecutor:
    """A local process pool (`pool_context`), its workers started when it is made."""

    name = "pool"

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.pool = started_pool(workers, pool_context(), _worker_setup, (os.getpid(),))
        self.pending: set[Future] = set()

    def stream(self, calls: Iterator[BatchArgs]) -> Iterator[BatchResult]:
        window = self.workers * IN_FLIGHT_PER_WORKER
        for args in _take(calls, window):
            self.pending.add(self.pool.submit(run_batch, *args))
        while self.pending:
            done, self.pending = wait(self.pending, return_when=FIRST_COMPLETED)
            for future in done:
                rows = future.result()  # a worker's exception is raised here
                for args in _take(calls, 1):
                    self.pending.add(self.pool.submit(run_batch, *args))
                yield rows

    def close(self) -> None:
        for future in self.pending:
            future.cancel()
        if self.pending:  # stopped early: in-flight runs will not be stored, so stop them
            for process in list(getattr(self.pool, "_processes", {}).values()):
                process.terminate()
        self.pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor:
    """Dask distributed: an existing scheduler, or a `LocalCluster` started here."""

    name = "dask"

    def __init__(self, scheduler: str | None = None, workers: int | None = None) -> None:
        from distributed import Client, LocalCluster

        self.cluster = None
        if scheduler is None:
            self.cluster = LocalCluster(
                n_workers=workers or available_cores(),
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            self.client = Client(self.cluster)
        else:
            try:
                self.client = Client(scheduler, timeout="20s")
            except (OSError, TimeoutError) as exc:
                raise UserInputError(
                    "--scheduler", scheduler, f"cannot reach a Dask scheduler there ({exc})"
                ) from None
        self.workers = max(1, sum(self.client.nthreads().values()))
        self.pending: set[Any] = set()
        self.token = uuid.uuid4().hex[:8]  # task keys unique to this sweep session

    def stream(self, calls: Iterator[BatchArgs]) -> Iterator[BatchResult]:
        from distributed import as_completed

        window = self.workers * IN_FLIGHT_PER_WORKER
        running = as_completed([self._submit(args) for args in _take(calls, window)])
        for future in running:
            rows = future.result()  # a worker's exception is raised here
            self.pending.discard(future)
            future.release()
            for args in _take(calls, 1):
                running.add(self._submit(args))
            yield rows

    def _submit(self, args: BatchArgs) -> Any:
        batch = args[4]
        first = batch[0]  # (point, replicate[, posterior set]) of its first run: unique
        where = "-".join(str(v) for v in (*first[:2], *first[4:]))
        key = f"sweep-{self.token}-{where}-{len(batch)}"
        future = self.client.submit(run_batch, *args, key=key, pure=False, retries=0)
        self.pending.add(future)
        return future

    def close(self) -> None:
        if self.pending:
            self.client.cancel(list(self.pending))
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def _take(calls: Iterator[BatchArgs], n: int) -> list[BatchArgs]:
    out = []
    for args in calls:
        out.append(args)
        if len(out) == n:
            break
    return out


def available_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


# --- a sweep ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepOutcome:
    """What a `run_sweep` call did."""

    db: Path
    planned: int
    finished_before: int
    finished_now: int
    seconds: float
    executor: str
    workers: int

    @property
    def complete(self) -> bool:
        return self.finished_before + self.finished_now == self.planned


def auto_batch_size(runs: int, workers: int) -> int:
    """About eight batches per worker (load balance), at most `MAX_BATCH` runs each."""
    return max(1, min(MAX_BATCH, math.ceil(runs / (workers * 8))))


def prepare_store(
    plan: Plan, db: str | Path, run_fn: str, resume: bool
) -> tuple[SweepStore, np.ndarray]:
    """Open the store for this plan: create it, or check it holds this very sweep.

    Returns (store, finished mask). Refuses (UserInputError) a store holding another sweep,
    runs already there without `resume`, a different run function, or stored points that the
    spec no longer reproduces.
    """
    from analysis.sweep.store import SweepStore

    spec = plan.spec
    store = SweepStore.open(db)
    try:
        state = store.has_sweep()
        if state is None:
            raise UserInputError(
                db, None, "this database is not a sweep results store; pick a new --db"
            )
        if state is False:
            store.create(plan, run_fn)
            return store, np.zeros(plan.shape, dtype=bool)
        info = store.info()
        if info["spec_hash"] != spec.digest():
            raise UserInputError(
                spec.path,
                None,
                f"differs from the spec of the sweep stored in {db} (from {info['spec_path']}, "
                f"hash {info['spec_hash'][:12]} vs {spec.digest()[:12]}); a changed spec "
                "cannot be resumed: use a new --db",
            )
        if info["run_fn"] != run_fn:
            raise UserInputError(
                "--run-fn",
                run_fn,
                f"the sweep in {db} was run with {info['run_fn']!r}; resume it with the same one",
            )
        _check_same_posterior(store.posterior(), plan.posterior, db)
        done = store.run_count()
        if done and not resume:
            raise UserInputError(
                db,
                None,
                f"already holds {done} of {info['planned_runs']} runs of this sweep; "
                "add --resume to finish it, or pick a new --db",
            )
        stored = store.points()
        if stored.shape != plan.points.shape or not np.array_equal(stored, plan.points):
            raise UserInputError(
                spec.path,
                "sampler",
                f"the sample drawn now differs from the points stored in {db} "
                "(a different SALib version?); use a new --db",
            )
        sets = None if plan.posterior is None else plan.n_sets
        return store, store.finished(plan.n_points, plan.replicates, sets)
    except BaseException:
        store.close()
        raise


def _describe_posterior(identity: dict[str, Any] | None) -> str:
    if identity is None:
        return "without --posterior"
    return (f"across {identity['file']} (sha256 {identity['sha256'][:12]}), "
            f"--sets {identity['sets']}, --draw-seed {identity['draw_seed']}")


def _check_same_posterior(stored: dict[str, Any] | None, wanted: Posterior | None,
                          db: str | Path) -> None:
    """A store holds one sweep across one draw of one posterior: the same file content (its
    SHA-256: the path may move), the same number of sets and the same draw seed."""
    now = None if wanted is None else wanted.identity
    keys = ("sha256", "sets", "draw_seed")
    if stored is None and now is None:
        return
    if stored is not None and now is not None and all(stored[k] == now[k] for k in keys):
        return
    raise UserInputError(
        "--posterior",
        None,
        f"the sweep in {db} was run {_describe_posterior(stored)}; this one would run "
        f"{_describe_posterior(now)}: resume it with the same posterior and settings, "
        "or use a new --db",
    )


def load_posterior(
    spec: SweepSpec, path: str | Path, sets: int, draw_seed: int | None, run_fn: str
) -> Posterior:
    """The parameter sets a sweep runs every point under, drawn by weight from the posterior
    at `path` (`analysis.posterior.load_sets`; the draw's seed defaults to the spec's), and
    checked against the spec before anything is written: its parameters must be model paths,
    not all of them swept (the sweep's values win where both set a path), and, for the model's
    own run function, every set must pass the model's loader as `--set` would."""
    from analysis.posterior import load_sets

    seed = spec.seed if draw_seed is None else draw_seed
    table, names, identity = load_sets(Path(path), sets, seed)
    source = str(path)
    bad = [n for n in names if not _PATH.match(n)]
    if bad:
        raise UserInputError(source, bad[0], "not a dotted model parameter path like "
                             "'russia.resolve'; expected a posterior over the model's parameters")
    if spec.timeseries:
        raise UserInputError("--posterior", source, f"{spec.path} keeps monthly series "
                             "(timeseries), which a sweep across a posterior does not record "
                             "yet; drop timeseries from the spec, or --posterior")
    if all(n in spec.parameters for n in names):
        raise UserInputError("--posterior", source, "the sweep varies every parameter of this "
                             "posterior, so its sets would change nothing")
    free = [n for n in names if n not in spec.parameters]
    values = table[names].to_numpy(dtype=float)
    if runs_the_model(run_fn):
        from sim.scenario import load_scenario

        for row in table[free].itertuples(index=False):
            try:
                load_scenario(spec.scenario, sets=[f"{n}={float(v)!r}" for n, v
                                                   in zip(free, row, strict=True)])
            except UserInputError as exc:
                raise UserInputError(source, exc.key, f"{exc.expected} (the model's check of "
                                     f"a posterior set on {spec.scenario})") from None
    return Posterior(names=tuple(names), values=values, identity=identity)


def runs_the_model(run_fn: str) -> bool:
    """Whether a run function is the model's own (in the `sim` package)."""
    return run_fn.partition(":")[0].split(".")[0] == "sim"


def check_spec(spec: SweepSpec, run_fn: str) -> None:
    """Before any run of the model, check the spec's parameters against the model itself
    (other run functions, such as the tests' toy, check their overrides themselves)."""
    if runs_the_model(run_fn):
        check_against_model(spec)
    elif spec.timeseries:
        raise UserInputError(spec.path, "timeseries", f"monthly series come from the model's "
                             f"own run function (sim.batch:run_outcomes), not {run_fn}")


def make_executor(
    workers: int | None, scheduler: str | None, local_cluster: bool, runs: int
) -> Executor:
    if scheduler is not None:
        return DaskExecutor(scheduler=scheduler)
    if local_cluster:
        return DaskExecutor(workers=workers)
    count = min(workers or available_cores(), max(runs, 1))
    return InlineExecutor() if count <= 1 else PoolExecutor(count)


def run_sweep(
    spec: SweepSpec | str | Path,
    db: str | Path,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    local_cluster: bool = False,
    resume: bool = False,
    batch_size: int | None = None,
    run_fn: str | None = None,
    progress: bool = True,
    posterior: str | Path | None = None,
    sets: int = 20,
    draw_seed: int | None = None,
) -> SweepOutcome:
    """Run every planned run that the store does not hold yet, committing as results arrive.

    `posterior`: a posterior file (`run.py calibrate --posterior`); every point then runs
    under each of `sets` parameter sets drawn from it by weight with `draw_seed` (default: the
    spec's seed), on the same seeds, the sweep's own parameters winning where both set a path
    (`load_posterior`)."""
    if not isinstance(spec, SweepSpec):
        spec = load_spec(spec)
    fn_path = run_fn or spec.run_fn or default_run_fn()
    resolve_run_fn(fn_path)  # fail here, not in every worker
    check_spec(spec, fn_path)
    drawn = (None if posterior is None
             else load_posterior(spec, posterior, sets, draw_seed, fn_path))
    plan = make_plan(spec, drawn)
    executor: Executor | None = None
    if scheduler is None and not local_cluster and plan.n_runs:
        # a local pool forks before the store opens (and starts its threads)
        executor = make_executor(workers, None, False, plan.n_runs)
    try:
        store, finished = prepare_store(plan, db, fn_path, resume)
    except BaseException:
        if executor is not None:
            executor.close()
        raise
    started = time.perf_counter()
    before = int(finished.sum())
    missing = ~finished
    todo = int(missing.sum())
    done_now = 0
    session = None
    try:
        if todo:
            if executor is None:
                executor = make_executor(workers, scheduler, local_cluster, todo)
            session = store.begin_session(executor.name, executor.workers)
            size = batch_size or auto_batch_size(todo, executor.workers)
            sets_of = None if drawn is None else (drawn.names, drawn.rows())
            calls = (
                (fn_path, spec.scenario, spec.names, spec.outcomes, batch, spec.path,
                 spec.timeseries, sets_of)
                for batch in batches(tasks(plan, missing), size)
            )
            # runs in this process answer Ctrl-C between months (sim.interrupt), never inside
            # a kernel; a pool's workers ignore it and the parent, waiting, gets it at once
            inline = isinstance(executor, InlineExecutor)
            with interrupt.deferred() if inline else contextlib.nullcontext():
                done_now = _drain(executor, calls, store, spec, plan.n_runs, before, progress,
                                  session)
        return SweepOutcome(
            db=Path(db),
            planned=plan.n_runs,
            finished_before=before,
            finished_now=done_now,
            seconds=time.perf_counter() - started,
            executor=executor.name if executor and todo else "none",
            workers=executor.workers if executor and todo else 0,
        )
    except UserInputError as exc:
        raise _in_spec_terms(exc, spec) from None
    finally:
        if executor is not None:
            executor.close()
        if session is not None:
            store.end_session(session)
        store.close()


def _drain(
    executor: Executor,
    calls: Iterator[BatchArgs],
    store: SweepStore,
    spec: SweepSpec,
    planned: int,
    before: int,
    progress: bool,
    session: int,
) -> int:
    from tqdm import tqdm

    bar = tqdm(
        total=planned,
        initial=before,
        unit="run",
        desc=spec.name,
        file=sys.stderr,
        disable=not progress,
        smoothing=0.1,
        dynamic_ncols=True,
    )
    stored = 0
    try:
        for rows, series in executor.stream(calls):
            if series is not None:  # first the series, so that a committed run has them
                store.add_series(series, session)
            stored += store.add_runs(spec, rows)  # committed: survives a kill from here on
            bar.update(len(rows))
    finally:
        bar.close()
    return stored


def _in_spec_terms(exc: UserInputError, spec: SweepSpec) -> UserInputError:
    """A bad override reported by the model names the spec's parameter, not `--set`."""
    if exc.key in spec.parameters and exc.source != spec.path:
        return UserInputError(spec.path, f"parameters.{exc.key}", exc.expected)
    return exc


__all__ = [
    "DaskExecutor",
    "InlineExecutor",
    "PoolExecutor",
    "SweepOutcome",
    "auto_batch_size",
    "check_spec",
    "default_run_fn",
    "load_posterior",
    "make_executor",
    "prepare_store",
    "resolve_run_fn",
    "run_batch",
    "run_sweep",
    "set_default_run_fn",
]
