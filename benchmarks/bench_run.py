#!/usr/bin/env python3
"""Time full runs of a scenario on one core: median, p10 and p90 over repeated runs.

    .venv/bin/python benchmarks/bench_run.py [--runs 20] [--scenario full_2011_2025] [--cold]
    .venv/bin/python benchmarks/bench_run.py --runs 15 --before /tmp/sim-BASE --rounds 4

A run is `SyriaModel(scenario, rng=seed)` and its steps to the end, as a user runs it. The
first run of the process is timed apart: it loads the compiled kernels from numba's cache
(or, with `--cold`, compiles them into an empty cache), so "first-call overhead" is the first
run minus the median run. Imports are timed apart too. The figures are printed against
issue 16's target of 40 ms a run (its goal is 20 ms).

`--before DIR` compares this checkout with another (an export of the base commit, as in
check_identical.py): each of `--rounds` rounds runs this script in a fresh process from each
tree, in turns, the order reversed every other round, so that a busy spell of the shared
host falls on both; it prints each round's medians and their ratio, and the median ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 40.0


def _one_core() -> str:
    """Pin the process to one core and keep every library single-threaded."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    if hasattr(os, "sched_setaffinity"):
        core = max(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {core})
        return f"core {core}"
    return "unpinned"


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _timed_in(root: Path, args: argparse.Namespace) -> dict:
    """This benchmark's figures for the checkout at `root`, from a fresh process."""
    command = [sys.executable, str(root / "benchmarks" / "bench_run.py"), "--json",
               "--runs", str(args.runs), "--scenario", args.scenario]
    done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=root)
    return json.loads(done.stdout)


def _compare(args: argparse.Namespace) -> int:
    """Rounds of this tree against `--before`, in turns (see the module's docstring)."""
    ratios = []
    print(f"{args.scenario}: {args.runs} runs a turn, this tree ({ROOT}) against {args.before}")
    for r in range(args.rounds):
        order = (ROOT, args.before) if r % 2 == 0 else (args.before, ROOT)
        medians = {root: _timed_in(root, args)["median_ms"] for root in order}
        ratios.append(medians[ROOT] / medians[args.before])
        print(f"  round {r + 1}: this tree {medians[ROOT]:6.1f} ms, before "
              f"{medians[args.before]:6.1f} ms, ratio {ratios[-1]:.3f}")
    print(f"  median ratio {statistics.median(ratios):.3f} (this tree / before; < 1 is faster)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="timed runs after the first")
    parser.add_argument("--scenario", default="full_2011_2025")
    parser.add_argument(
        "--cold",
        action="store_true",
        help="compile every kernel into an empty cache (time the JIT compile)",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--before", type=Path, metavar="DIR",
                        help="another checkout to compare with, round by round")
    parser.add_argument("--rounds", type=int, default=4, help="rounds of --before (default 4)")
    args = parser.parse_args(argv)
    if args.before is not None:
        return _compare(args)

    pinned = _one_core()
    if args.cold:
        os.environ["NUMBA_CACHE_DIR"] = tempfile.mkdtemp(prefix="numba-cold-")
    sys.path.insert(0, str(ROOT))  # this checkout's sim, whatever else is installed

    start = time.perf_counter()
    import numba  # noqa: F401

    from sim.model import SyriaModel
    from sim.scenario import load_scenario

    import_ms = (time.perf_counter() - start) * 1000
    scenario = load_scenario(args.scenario)

    def run(seed: int) -> float:
        began = time.perf_counter()
        model = SyriaModel(scenario, rng=seed)
        while model.running:
            model.step()
        return (time.perf_counter() - began) * 1000

    first_ms = run(0)
    times = [run(seed) for seed in range(1, args.runs + 1)]
    median = statistics.median(times)
    figures = {
        "scenario": args.scenario,
        "months": scenario.months,
        "runs": len(times),
        "median_ms": median,
        "p10_ms": _percentile(times, 0.1),
        "p90_ms": _percentile(times, 0.9),
        "min_ms": min(times),
        "ratio_to_target": median / TARGET_MS,
        "runs_per_second": 1000.0 / median,
        "import_ms": import_ms,
        "first_run_ms": first_ms,
        "first_call_overhead_ms": first_ms - median,
        "cache": "cold (compiled now)" if args.cold else "as found (loaded if cached)",
        "cpu": pinned,
    }
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    print(f"{args.scenario}: {scenario.months} months, {len(times)} runs on one {pinned}")
    print(
        f"  median {median:7.1f} ms   p10 {figures['p10_ms']:7.1f} ms   "
        f"p90 {figures['p90_ms']:7.1f} ms   min {figures['min_ms']:7.1f} ms"
    )
    print(
        f"  {figures['ratio_to_target']:.2f} x the {TARGET_MS:.0f} ms target   "
        f"{figures['runs_per_second']:.1f} runs/s"
    )
    print(
        f"  imports {import_ms:7.1f} ms   first run {first_ms:7.1f} ms   "
        f"first-call overhead {figures['first_call_overhead_ms']:7.1f} ms "
        f"(kernel cache: {figures['cache']})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
