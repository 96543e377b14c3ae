#!/usr/bin/env python3
"""Time full runs of a scenario on one core: median, p10 and p90 over repeated runs.

    .venv/bin/python benchmarks/bench_run.py [--runs 20] [--scenario full_2011_2025] [--cold]

A run is `SyriaModel(scenario, rng=seed)` and its steps to the end, as a user runs it. The
first run of the process is timed apart: it loads the compiled kernels from numba's cache
(or, with `--cold`, compiles them into an empty cache), so "first-call overhead" is the first
run minus the median run. Imports are timed apart too. The figures are printed against the
target of 100 ms a run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 100.0


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
    args = parser.parse_args(argv)

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
