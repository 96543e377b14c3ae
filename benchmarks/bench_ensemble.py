#!/usr/bin/env python3
"""`run.py run` on an ensemble: wall time and the parent's peak memory, before and after.

    .venv/bin/python benchmarks/bench_ensemble.py --before /tmp/sim-BASE --rounds 3

Each case is the whole command as a user runs it (`run.py run SCENARIO --runs N --workers W`,
interpreter start, imports, runs and writing), in a fresh process started from the tree's root
(this checkout, and `--before`'s export of an earlier commit, made as in check_identical.py).
The parent's peak memory is its own `ru_maxrss` at the end (RUSAGE_SELF: the workers' memory
is their own), and its CPU time beside it (with workers: what the parent does alone, the
serial part), and the CPU time of the parent and its workers together (the whole work): both
less sensitive to the neighbours than the wall time. Trees and cases take turns
within each round, the order reversed every other round, so a busy spell of the shared host
falls on both; medians over the rounds are printed with every round's figures, then the
ratios: two workers against one, and the parent's peak at the most runs against the fewest.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The command line of a tree, in-process, and the parent's peak memory (kB on Linux) at its end.
WRAPPER = """
import resource, sys
root = sys.argv.pop(1)
sys.path.insert(0, root)
from sim import interrupt
interrupt.install()
from pathlib import Path
import sim.scenario
assert Path(sim.scenario.ROOT).resolve() == Path(root).resolve(), sim.scenario.ROOT
from cli.main import main
code = main(sys.argv[1:])
usage = resource.getrusage(resource.RUSAGE_SELF)
print("PARENT", usage.ru_maxrss, usage.ru_utime + usage.ru_stime, file=sys.stderr)
sys.exit(code)
"""


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # every reaped descendant's
    return usage.ru_utime + usage.ru_stime


def run_case(root: Path, scenario: str, runs: int,
             workers: int) -> tuple[float, float, float, float]:
    """(wall seconds, parent peak MB, parent CPU seconds, CPU seconds of the parent and its
    workers together) of one `run.py run` from `root`."""
    out = Path(tempfile.mkdtemp(prefix="bench-ensemble-"))
    try:
        cpu_before = _children_cpu()
        began = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", WRAPPER, str(root), "run", scenario, "--runs", str(runs),
             "--workers", str(workers), "--quiet", "--out", str(out / "res")],
            cwd=root, capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"},
        )
        wall = time.perf_counter() - began
        if done.returncode != 0:
            raise SystemExit(f"{root}: failed ({done.returncode}):\n{done.stderr}")
        parent = [line.split() for line in done.stderr.splitlines()
                  if line.startswith("PARENT")][-1]
        return wall, int(parent[1]) / 1024, float(parent[2]), _children_cpu() - cpu_before
    finally:
        shutil.rmtree(out, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, help="the tree to compare with (an export)")
    parser.add_argument("--scenario", default="full_2011_2025")
    parser.add_argument("--runs", type=int, nargs="+", default=[50, 200])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write every figure here")
    args = parser.parse_args(argv)

    trees = {"after": ROOT}
    if args.before is not None:
        trees = {"before": args.before.resolve(), **trees}
    cases = [(n, w) for n in args.runs for w in args.workers]
    figures: dict[str, dict[str, list[tuple[float, ...]]]] = {
        t: {f"{n}x{w}": [] for n, w in cases} for t in trees}
    load = []
    for r in range(args.rounds):
        order = [(t, n, w) for n, w in cases for t in trees]
        if r % 2:
            order.reverse()
        for tree, n, w in order:
            load.append(os.getloadavg()[0])
            wall, peak, cpu, total = run_case(trees[tree], args.scenario, n, w)
            figures[tree][f"{n}x{w}"].append((wall, peak, cpu, total))
            print(f"round {r + 1} {tree:6} runs {n:4} workers {w}: {wall:6.1f} s, "
                  f"parent peak {peak:6.0f} MB, CPU parent {cpu:5.1f} s, all {total:5.1f} s "
                  f"(load {load[-1]:.1f})", flush=True)

    print(f"\n{args.scenario}, {args.rounds} rounds, load average {min(load):.1f}-{max(load):.1f}")
    print(f"{'tree':6} {'runs':>4} {'workers':>7} {'wall s':>7} {'peak MB':>8} {'CPU s':>6} "
          f"{'all CPU':>7}  (medians)  rounds: wall s/peak MB/parent CPU s/all CPU s")
    med: dict[tuple[str, int, int], tuple[float, ...]] = {}
    for tree in trees:
        for n, w in cases:
            values = figures[tree][f"{n}x{w}"]
            med[tree, n, w] = tuple(statistics.median(v[i] for v in values) for i in range(4))
            wall, peak, cpu, total = med[tree, n, w]
            print(f"{tree:6} {n:4} {w:7} {wall:7.1f} {peak:8.0f} {cpu:6.1f} {total:7.1f}  "
                  + ", ".join(f"{a:.1f}/{b:.0f}/{c:.1f}/{d:.1f}" for a, b, c, d in values))
    print()
    low, high = min(args.runs), max(args.runs)
    for tree in trees:
        for n in args.runs:
            if 1 in args.workers and 2 in args.workers:
                print(f"{tree}: {n} runs, 2 workers against 1: "
                      f"{med[tree, n, 1][0] / med[tree, n, 2][0]:.2f}x")
        for w in args.workers:
            print(f"{tree}: parent peak at {high} runs / at {low}, {w} worker(s): "
                  f"{med[tree, high, w][1] / med[tree, low, w][1]:.2f}")
    if "before" in trees:
        for n, w in cases:
            b, a = med["before", n, w], med["after", n, w]
            print(f"after against before, {n} runs x {w}: wall {b[0] / a[0]:.2f}x faster, "
                  f"parent peak {a[1] / b[1]:.2f} of before, CPU parent {a[2] / b[2]:.2f}, all "
                  f"{a[3] / b[3]:.2f}")
    if args.json is not None:
        args.json.write_text(json.dumps({"figures": figures, "load": load}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
