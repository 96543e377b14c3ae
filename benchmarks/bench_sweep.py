#!/usr/bin/env python3
"""Sweep throughput and memory: the runner's overhead against the model alone and against a
plain process pool doing the same runs.

    .venv/bin/python benchmarks/bench_sweep.py                 # the toy model (tests/sweep/toy.py)
    .venv/bin/python benchmarks/bench_sweep.py --model real --runs 500   # the real model

Throughput: runs per second with 1 and 2 local workers (1 = in process, 2 = the process pool),
median of `--repeats` sweeps into fresh stores, start-up included, against two baselines doing
the same runs with the same seeds and taking turns with it in each round:
- a plain `multiprocessing.Pool.map` (fork, as the sweep's pool) of the same run function
  (`sim.batch:run_outcomes`, or the toy's) with 1 and 2 processes, its results kept in a list:
  what any runner of this run function costs, so sweep / Pool.map is the runner's own price
  for its store, resumability and progress;
- with `--model real`, the model alone on one core (`SyriaModel` stepped to the end, each
  point's scenario loaded beforehand and not timed): the sweep's overhead a run is its time a
  run less the model's, as a share of the model's (issue 16: at most 5%).
`mesa.batch_run` is no longer a throughput baseline (issue 16 retired the target: it runs the
same model, so no runner can be much faster than it). Memory: peak RSS of the sweep's driver
process (and of its largest worker) at two sweep sizes, each in a fresh interpreter, to show
that streaming to the store keeps it flat; `mesa.batch_run`, which keeps every result in a
list, is measured the same way.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import mesa  # noqa: E402

from analysis.sweep.runner import resolve_run_fn, run_sweep  # noqa: E402
from analysis.sweep.sampling import make_plan, tasks  # noqa: E402
from analysis.sweep.spec import SweepSpec, parse_spec  # noqa: E402

TOY_SPEC = """
scenario = "full_2011_2025"
run_fn = "tests.sweep.toy:run_outcomes"
seed = 1
replicates = 2
outcomes = ["regime_fell", "regime_fall_month", "control_regime_2017_12",
            "influence_iran_2025", "cooperation_iran_russia_peak"]
[sampler]
method = "lhs"
n = {points}
[parameters]
"russia.resolve" = {{ low = 0.3, high = 1.0 }}
"iran.resolve" = {{ low = 0.3, high = 1.0 }}
"choice.temperature" = {{ low = 0.05, high = 0.5 }}
"""


def toy_spec(runs: int) -> SweepSpec:
    return parse_spec(TOY_SPEC.format(points=max(1, runs // 2)), "bench_toy.toml")


def real_spec(runs: int) -> SweepSpec:
    """The toy's sweep, run by the real model (`sim.batch:run_outcomes`)."""
    text = TOY_SPEC.format(points=max(1, runs // 2)).replace(
        "tests.sweep.toy:run_outcomes", "sim.batch:run_outcomes"
    )
    return parse_spec(text, "bench_real.toml")


def _runs_and_scenarios(spec: SweepSpec) -> tuple[list, dict]:
    """The sweep's runs, and each point's parameters as a validated scenario (by point id)."""
    from sim.scenario import load_scenario

    runs = list(tasks(make_plan(spec)))
    points = {}
    for point_id, _, _, values in runs:
        if point_id not in points:
            sets = [f"{k}={v!r}" for k, v in zip(spec.names, values, strict=True)]
            points[point_id] = load_scenario(spec.scenario, sets)
    return runs, points


def mesa_batch_run_real(spec: SweepSpec, processes: int) -> int:
    """The sweep's runs as `mesa.batch_run(SyriaModel, ...)`: each point's parameters as a
    validated scenario, each replicate's seed as `rng` (batch_run crosses the two)."""
    from sim.model import SyriaModel

    runs, points = _runs_and_scenarios(spec)
    seeds = [seed for point_id, _, seed, _ in runs if point_id == runs[0][0]]  # one per replicate
    results = mesa.batch_run(
        SyriaModel,
        parameters={"scenario": list(points.values())},
        number_processes=processes,
        rng=seeds,
        max_steps=10_000,
        display_progress=False,
    )
    assert len(results) == len(points) * len(seeds)
    return len(results)


def model_alone(spec: SweepSpec):
    """A job doing the sweep's runs with nothing around them: `SyriaModel(scenario, rng=seed,
    record=...)` stepped to the end, keeping the series the sweep's outcomes read, each point's
    scenario loaded beforehand (not timed): the ceiling a runner of this model can reach."""
    from sim.batch import SERIES
    from sim.model import SyriaModel

    runs, points = _runs_and_scenarios(spec)

    def job() -> int:
        for point_id, _, seed, _ in runs:
            model = SyriaModel(points[point_id], rng=seed, record=SERIES)
            while model.running:
                model.step()
        return len(runs)

    return job


class RunModel(mesa.Model):
    """One sweep run as a Mesa model, so `mesa.batch_run` can do the same runs: one step
    calls the run function with the run's overrides and seed and records its outcomes.

    With `--model real` the baseline is `batch_run(SyriaModel, ...)` itself
    (`mesa_batch_run_real`).
    """

    def __init__(self, run: tuple = (), spec_text: str = "", rng: Any = None) -> None:
        super().__init__(rng=rng)
        self.run, self.spec = run, _spec_from_text(spec_text)
        self.outcomes: dict[str, Any] = {}
        self.datacollector = mesa.DataCollector(
            model_reporters={
                name: (lambda m, n=name: m.outcomes.get(n)) for name in self.spec.outcomes
            }
        )

    def step(self) -> None:
        _, _, seed, values = self.run
        run_fn = resolve_run_fn(self.spec.run_fn or "sim.batch:run_outcomes")
        overrides = dict(zip(self.spec.names, values, strict=True))
        self.outcomes = run_fn(self.spec.scenario, overrides, seed)
        self.datacollector.collect(self)
        self.running = False


_SPECS: dict[str, SweepSpec] = {}


def _spec_from_text(text: str) -> SweepSpec:
    if text not in _SPECS:
        _SPECS[text] = parse_spec(text, "bench.toml")
    return _SPECS[text]


def mesa_batch_run(spec: SweepSpec, processes: int) -> int:
    """The sweep's runs through `mesa.batch_run` (results kept in memory, as it does)."""
    runs = list(tasks(make_plan(spec)))
    results = mesa.batch_run(
        RunModel,
        parameters={"run": runs, "spec_text": spec.text},
        number_processes=processes,
        rng=[None],
        max_steps=1,
        display_progress=False,
    )
    assert len(results) == len(runs)
    return len(results)


def _one_run(run: tuple) -> dict:
    """One of the sweep's runs, as the plain pool maps it: the spec's run function on the
    run's overrides and seed (the spec is the module's, set before the pool forks)."""
    _, _, seed, values = run
    spec = _POOL_SPEC[0]
    run_fn = resolve_run_fn(spec.run_fn or "sim.batch:run_outcomes")
    return run_fn(spec.scenario, dict(zip(spec.names, values, strict=True)), seed)


_POOL_SPEC: list[SweepSpec] = []


def pool_map(spec: SweepSpec, processes: int) -> int:
    """The sweep's runs through a plain `multiprocessing.Pool.map` (fork) with `processes`
    processes, or a list comprehension with one; results kept in a list."""
    import multiprocessing

    runs = list(tasks(make_plan(spec)))
    _POOL_SPEC[:] = [spec]
    if processes == 1:
        results = [_one_run(run) for run in runs]
    else:
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            results = pool.map(_one_run, runs, chunksize=max(1, len(runs) // (8 * processes)))
    assert len(results) == len(runs)
    return len(results)


def our_sweep(spec: SweepSpec, workers: int) -> int:
    with tempfile.TemporaryDirectory() as folder:
        done = run_sweep(spec, Path(folder) / "bench.duckdb", workers=workers, progress=False)
        assert done.complete
        return done.finished_now


def rates(jobs: list, repeats: int) -> list[float]:
    """Median runs per second of each job over `repeats` rounds (a job returns its run
    count). The jobs take turns within a round, so a slow spell of a shared host falls on
    both sides of a ratio rather than on one."""
    seen: list[list[float]] = [[] for _ in jobs]
    for _ in range(repeats):
        for job, out in zip(jobs, seen, strict=True):
            start = time.perf_counter()
            runs = job()
            out.append(runs / (time.perf_counter() - start))
    return [statistics.median(out) for out in seen]


def peak_rss(kind: str, model: str, runs: int, workers: int) -> dict[str, float]:
    """Peak RSS (MB) of a fresh interpreter doing one sweep, and of its largest child."""
    out = subprocess.run(
        [sys.executable, __file__, "--model", model, "--rss-child", kind, str(runs), str(workers)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _rss_child(kind: str, model: str, runs: int, workers: int) -> None:
    spec = (toy_spec if model == "toy" else real_spec)(runs)
    if kind == "ours":
        our_sweep(spec, workers)
    else:
        (mesa_batch_run if model == "toy" else mesa_batch_run_real)(spec, workers)
    self_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"driver": round(self_mb, 1), "worker": round(children_mb, 1)}))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", choices=("toy", "real"), default="toy")
    parser.add_argument("--runs", type=int, default=2000, help="runs per throughput sweep")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--cost", type=float, default=0.005, help="toy: seconds of CPU per run (SWEEP_TOY_COST)"
    )
    parser.add_argument(
        "--memory-runs",
        default=None,
        help="the two sweep sizes for peak RSS (default: 2000,50000 cheap toy runs; "
        "100,400 runs of the real model)",
    )
    parser.add_argument("--json", action="store_true", help="print the throughput figures as JSON")
    parser.add_argument("--no-memory", action="store_true", help="throughput only")
    parser.add_argument(
        "--rss-child", nargs=3, metavar=("KIND", "RUNS", "WORKERS"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.rss_child:
        kind, runs, workers = args.rss_child
        _rss_child(kind, args.model, int(runs), int(workers))
        return 0

    os.environ["SWEEP_TOY_COST"] = str(args.cost)
    spec = toy_spec(args.runs) if args.model == "toy" else real_spec(args.runs)
    n_runs = make_plan(spec).n_runs
    print(
        f"throughput: {n_runs} runs per sweep ({args.model} model"
        + (f", {args.cost * 1000:g} ms CPU per run" if args.model == "toy" else "")
        + f"), median of {args.repeats}, on {os.cpu_count()} cores, load average "
        f"{os.getloadavg()[0]:.1f} (other processes slow the 2-worker case)"
    )
    table: dict[int, tuple[float, float]] = {}
    figures: dict[str, float] = {"runs": n_runs}
    for workers in (1, 2):
        jobs = [lambda w=workers: our_sweep(spec, w), lambda w=workers: pool_map(spec, w)]
        if workers == 1 and args.model == "real":
            jobs.append(model_alone(spec))
        ours, plain, *alone = rates(jobs, args.repeats)
        table[workers] = (ours, plain)
        figures[f"sweep_{workers}"], figures[f"pool_map_{workers}"] = ours, plain
        print(
            f"  {workers} worker{'s' if workers > 1 else ' '}: sweep {ours:8.1f} runs/s   "
            f"Pool.map {plain:8.1f} runs/s   sweep / Pool.map {ours / plain:5.2f}"
        )
        if alone:
            overhead = 1000 / ours - 1000 / alone[0]
            figures["model_alone"] = alone[0]
            figures["overhead_ms"] = overhead
            figures["overhead_share"] = overhead / (1000 / alone[0])
            print(
                f"  the model alone, one core: {alone[0]:8.1f} runs/s ({1000 / alone[0]:.1f} ms "
                f"a run): the sweep's overhead a run {overhead:.1f} ms, "
                f"{figures['overhead_share']:.1%} of the model's own time (target at most 5%); "
                f"Pool.map's {1000 / plain - 1000 / alone[0]:.1f} ms"
            )
    figures["speedup_sweep"] = table[2][0] / table[1][0]
    figures["speedup_pool_map"] = table[2][1] / table[1][1]
    print(
        f"  speed-up 1 -> 2 workers: sweep {figures['speedup_sweep']:.2f}x (target at least "
        f"1.9x from 500 runs), Pool.map {figures['speedup_pool_map']:.2f}x"
    )
    if args.json:
        print(json.dumps({k: round(v, 4) for k, v in figures.items()}))
    if args.no_memory:
        return 0

    os.environ["SWEEP_TOY_COST"] = "0"  # memory: many cheap runs
    memory_runs = args.memory_runs or ("100,400" if args.model == "real" else "2000,50000")
    sizes = [int(s) for s in memory_runs.split(",")]
    runs = "runs of the real model" if args.model == "real" else "cheap runs"
    print(f"peak RSS (MB), 2 workers, {runs}, sizes {sizes[0]} and {sizes[1]} runs:")
    for kind, label in (("ours", "sweep"), ("mesa", "mesa.batch_run")):
        small, large = (peak_rss(kind, args.model, n, 2) for n in sizes)
        print(
            f"  {label:<15} driver {small['driver']:7.1f} -> {large['driver']:7.1f}"
            f"   worker {small['worker']:7.1f} -> {large['worker']:7.1f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
