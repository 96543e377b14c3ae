#!/usr/bin/env python3
"""Byte-identity check for refactors: every shipped scenario, a few seeds, every output file.

    .venv/bin/python benchmarks/check_identical.py            # compare with the reference
    .venv/bin/python benchmarks/check_identical.py --write    # (re)make the reference

Each scenario in scenarios/ (not `_history.toml`, which only others extend) runs on the seeds
`--seed`, `--seed + 1`, ... through the code path of `run.py run` (`load_scenario`, then
`write_streamed` with `--workers` workers, or `run_ensemble` and `write_outputs` in a tree from
before the ensembles streamed), and its timeseries.csv, events.csv and summary.csv are
compared byte for byte with those in the reference folder (benchmarks/out/identity/, git-ignored).

The reference is made from the base commit of the change under test (any commit: the base of
the restructuring was 63393fa, of issue 13's last step 4d3cd7a), from an export of that
commit, so no worktree of the repository is touched:

    BASE=4d3cd7a   # the commit the outputs must stay identical to
    rm -rf /tmp/sim-$BASE && mkdir /tmp/sim-$BASE
    git archive $BASE | tar -x -C /tmp/sim-$BASE
    .venv/bin/python benchmarks/check_identical.py --root /tmp/sim-$BASE --write

The export compiles its own kernel cache on the first run (a minute or two).
`--root` names the checkout whose `sim` runs (this one by default). Exit status 1 if any file
differs; the first differing line of each is printed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUTPUTS = ("timeseries.csv", "events.csv", "summary.csv")
REFERENCE = HERE / "out" / "identity"


def _run(root: Path, out: Path, seed: int, runs: int, workers: int = 1) -> None:
    """Run every shipped scenario with the `sim` of `root` (in a child process, so that
    `sim` is imported from there) and write its outputs into out/<scenario>/."""
    code = f"""
import sys
sys.path.insert(0, {str(root)!r})
from pathlib import Path
from sim.ensemble import run_ensemble, seeds_for
from sim.output import write_outputs
from sim.scenario import SCENARIO_DIR, load_scenario
try:
    from sim.output import write_streamed
except ImportError:  # a tree from before the ensembles streamed
    write_streamed = None
assert Path(SCENARIO_DIR).resolve() == Path({str(root)!r}).resolve() / "scenarios"
seeds = seeds_for({seed}, {runs})
for path in sorted(Path(SCENARIO_DIR).glob("*.toml")):
    if path.stem.startswith("_"):
        continue
    scenario = load_scenario(path.stem)
    out = Path({str(out)!r}) / path.stem
    if write_streamed is not None:
        write_streamed(scenario, seeds, out, workers={workers}, progress=False, argv=["check"])
        continue
    ensemble = run_ensemble(scenario, seeds, workers={workers}, progress=False)
    write_outputs(ensemble, out, scenario, seeds, argv=["check"])
"""
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root, env=env)


def _first_difference(a: bytes, b: bytes) -> str:
    for number, (x, y) in enumerate(zip(a.splitlines(), b.splitlines(), strict=False), 1):
        if x != y:
            return f"line {number}: reference {x.decode()!r} now {y.decode()!r}"
    return f"lengths differ: reference {len(a.splitlines())} lines, now {len(b.splitlines())}"


def _compare(reference: Path, current: Path) -> list[str]:
    problems = []
    scenarios = sorted(p.name for p in reference.iterdir() if p.is_dir())
    now = sorted(p.name for p in current.iterdir() if p.is_dir())
    if scenarios != now:
        problems.append(f"scenarios differ: reference {scenarios}, now {now}")
    for name in scenarios:
        for file in OUTPUTS:
            a, b = reference / name / file, current / name / file
            if not b.is_file():
                problems.append(f"{name}/{file}: missing")
                continue
            old, new = a.read_bytes(), b.read_bytes()
            if old != new:
                problems.append(f"{name}/{file}: {_first_difference(old, new)}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="checkout whose sim runs")
    parser.add_argument("--reference", type=Path, default=REFERENCE)
    parser.add_argument("--seed", type=int, default=7, help="base seed")
    parser.add_argument("--runs", type=int, default=3, help="seeds per scenario")
    parser.add_argument("--workers", type=int, default=1, help="worker processes")
    parser.add_argument("--write", action="store_true", help="write the reference instead")
    args = parser.parse_args(argv)

    began = time.perf_counter()
    target = args.reference if args.write else HERE / "out" / "identity-now"
    _run(args.root.resolve(), target, args.seed, args.runs, args.workers)
    elapsed = time.perf_counter() - began
    if args.write:
        print(f"reference written to {target} ({elapsed:.0f} s)")
        return 0
    problems = _compare(args.reference, target)
    count = sum(1 for p in args.reference.iterdir() if p.is_dir())
    if problems:
        print("DIFFERENT:")
        for problem in problems:
            print("  " + problem)
        return 1
    print(f"identical: {count} scenarios x {args.runs} seeds x {len(OUTPUTS)} files, "
          f"{args.workers} worker(s) ({elapsed:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
