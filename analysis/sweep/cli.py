"""`sweep` and `analyze`: run a parameter sweep into a results store, and analyse one.

A command module: `register(subparsers)` adds the sub-commands; each handler returns an exit
code. Bad input raises `UserInputError`, which the caller turns into exit status 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.errors import UserInputError

if TYPE_CHECKING:
    from analysis.sweep.sampling import Posterior
    from analysis.sweep.spec import SweepSpec


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}")
    return value


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "sweep",
        help="run a parameter sweep (params/sweeps/*.toml) into a DuckDB results store",
        description="Run every run of a sweep spec and store one row per run. Finished runs "
        "are committed as they arrive; --resume runs only the missing ones.",
    )
    p.add_argument("spec", metavar="SPEC", help="a spec file, or a name in params/sweeps/")
    p.add_argument(
        "--db",
        type=Path,
        default=None,
        metavar="PATH",
        help="results store (default: results/sweeps/<spec name>.duckdb)",
    )
    p.add_argument(
        "--workers",
        type=_positive,
        default=None,
        metavar="N",
        help="local worker processes, or LocalCluster workers (default: all cores; "
        "1 runs in this process)",
    )
    p.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="run on a Dask cluster, e.g. tcp://10.0.0.5:8786",
    )
    p.add_argument(
        "--local-cluster",
        action="store_true",
        help="run on a Dask LocalCluster on this machine (--workers processes)",
    )
    p.add_argument(
        "--resume",
        action="store_true",
        help="finish an interrupted sweep: run only what the store lacks",
    )
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="print the plan (sampler, points, replicates, runs) and stop",
    )
    p.add_argument(
        "--batch-size",
        type=_positive,
        default=None,
        metavar="K",
        help="runs per task (default: about 8 tasks per worker, at most 64)",
    )
    p.add_argument(
        "--run-fn",
        default=None,
        metavar="MODULE:FUNCTION",
        help="the model's run function (default: the spec's, else sim.batch)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    from cli.core import add_posterior_options

    add_posterior_options(
        p, "run every point of the design",
        note=" (the spec's replicates and seeds, common across sets); where the sweep and the "
        "posterior set the same parameter, the sweep's value wins")
    p.add_argument(
        "--draw-seed",
        type=int,
        default=None,
        metavar="N",
        help="the seed of the draw of --sets from --posterior (default: the spec's seed)",
    )
    p.set_defaults(func=cmd_sweep)

    p = subparsers.add_parser(
        "analyze",
        help="sensitivity indices, scenario discovery and heat maps from a sweep's store",
        description="Sobol' indices (sobol sweeps), Morris mu*/sigma (morris sweeps), a heat "
        "map of mean outcomes (grids), and PRIM boxes for --condition (any sweep).",
    )
    p.add_argument("db", type=Path, metavar="DB", help="a sweep's results store")
    p.add_argument(
        "--outcome",
        default=None,
        metavar="NAME",
        help="the outcome to analyse (default: the spec's first)",
    )
    p.add_argument(
        "--condition",
        default=None,
        metavar="EXPR",
        help="runs of interest for PRIM, e.g. 'regime_fell == 0'",
    )
    p.add_argument(
        "--threshold",
        type=float,
        default=0.8,
        metavar="DENSITY",
        help="PRIM: the least density of a box worth reporting (default 0.8)",
    )
    p.add_argument(
        "--fill",
        type=float,
        default=None,
        metavar="VALUE",
        help="count runs without the outcome as VALUE (e.g. regime_fall_month: --fill 180, "
        "the month after December 2025, for a fall that never came)",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="DIR",
        help="where tables and figures go (default: <db>_analysis/ beside it)",
    )
    p.set_defaults(func=cmd_analyze)


def cmd_sweep(args: argparse.Namespace) -> int:
    from analysis.sweep import runner
    from analysis.sweep.sampling import make_plan
    from analysis.sweep.spec import base_values, load_spec

    if args.scheduler and args.local_cluster:
        raise UserInputError(
            "--scheduler", args.scheduler, "give either --scheduler or --local-cluster, not both"
        )
    spec = load_spec(args.spec)
    if args.posterior is None and args.draw_seed is not None:
        raise UserInputError("--draw-seed", None, "only with --posterior")
    # (a count of sets below 1 is refused with the posterior file, `posterior.load_sets`)
    check_sweep_size(spec, max(args.posterior_sets, 1) if args.posterior is not None else 1)
    db = args.db or Path("results") / "sweeps" / f"{spec.name}.duckdb"
    run_fn = args.run_fn or spec.run_fn or runner.default_run_fn()
    if args.dry_run:
        runner.check_spec(spec, run_fn)
        drawn = None if args.posterior is None else runner.load_posterior(
            spec, args.posterior, args.posterior_sets, args.draw_seed, run_fn)
        plan = make_plan(spec, drawn)
        base = base_values(spec) if runner.runs_the_model(run_fn) else None
        for line in plan_lines(spec, plan.n_points, run_fn, db if args.resume else None, db,
                               base, drawn):
            print(line)
        return 0
    outcome = runner.run_sweep(
        spec,
        db,
        workers=args.workers,
        scheduler=args.scheduler,
        local_cluster=args.local_cluster,
        resume=args.resume,
        batch_size=args.batch_size,
        run_fn=args.run_fn,
        progress=not args.quiet,
        posterior=args.posterior,
        sets=args.posterior_sets,
        draw_seed=args.draw_seed,
    )
    done = outcome.finished_before + outcome.finished_now
    rate = outcome.finished_now / outcome.seconds if outcome.seconds > 0 else 0.0
    print(
        f"{db}: {done} of {outcome.planned} runs stored ({outcome.finished_now} new, "
        f"{outcome.executor} x{outcome.workers}, {rate:.1f} runs/s)"
    )
    if args.posterior is not None and outcome.complete:
        from analysis.sweep.analyze import describe_posterior_split, load_record

        print(describe_posterior_split(load_record(db)))
    return 0 if outcome.complete else 1


# What a sweep holds in memory per point (its parameter values, as drawn by the sampler and
# again in the plan and the task list: about four copies of 8 bytes each) and per run (the
# missing-runs mask, the seed and the bookkeeping of a task in flight).
BYTES_PER_POINT_PARAMETER = 32
BYTES_PER_RUN = 64


def check_sweep_size(spec: SweepSpec, sets: int = 1) -> None:
    """Refuse, before the sampler allocates anything, a sweep whose plan would not fit in
    memory (a grid's size is the product of its levels: it grows fast); `sets`: posterior
    sets each point runs under."""
    import math

    from analysis.sweep import sampling
    from sim import limits

    d = len(spec.parameters)
    if spec.sampler.method == "grid":  # exact, without numpy's 64-bit overflow
        points = math.prod(len(p.levels or ()) for p in spec.parameters.values())
    else:
        points = sampling.point_count(spec)
    runs = points * sets * spec.replicates
    need = points * d * BYTES_PER_POINT_PARAMETER + runs * BYTES_PER_RUN
    across = "" if sets == 1 else f" x {sets} posterior sets"
    limits.check_memory(need, f"{points} points{across} x {spec.replicates} replicates = "
                        f"{runs} runs", flag=str(spec.path))


def plan_lines(spec: SweepSpec, n_points: int, run_fn: str, db: Path | None = None,
               store: Path | None = None, base: dict[str, Any] | None = None,
               posterior: Posterior | None = None) -> list[str]:
    """The plan of a sweep as printed by `--dry-run`; the last line gives the number of runs.
    `db`: a store to report resumable runs from; `store`: where results would go; `base`: each
    parameter's value in the base scenario (`spec.base_values`), shown beside its range and
    flagged when the range leaves it out; `posterior`: the sets every point runs under."""
    from analysis.sweep.spec import covers

    sampler = spec.sampler
    detail = {
        "grid": "product of the levels",
        "lhs": f"n = {sampler.n}",
        "sobol": f"N = {sampler.n}, second order {'on' if sampler.second_order else 'off'}",
        "morris": f"{sampler.n} trajectories, {sampler.num_levels} levels",
    }[sampler.method]
    lines = [
        f"sweep {spec.name} ({spec.path})",
        f"  scenario {spec.scenario}; run function {run_fn}; seed {spec.seed}",
        f"  sampler {sampler.method} ({detail})",
        "  parameters:",
    ]
    width = max(len(n) for n in spec.names)
    for name, p in spec.parameters.items():
        if p.levels is not None:
            what = f"levels {p.levels}"
        elif p.dist == "normal":
            what = f"normal(mean {p.mean}, sd {p.sd})"
        elif p.dist == "truncnormal":
            what = f"truncnormal(mean {p.mean}, sd {p.sd}) on [{p.low}, {p.high}]"
        else:
            what = f"{p.dist} [{p.low}, {p.high}]"
        if base is not None:
            value = base[name]
            number = isinstance(value, int | float) and not isinstance(value, bool)
            what = f"{what:<32}  scenario's value {f'{value:g}' if number else value}"
            if number and not covers(p, value):
                what += "  (outside the swept range)"
        lines.append(f"    {name:<{width}}  {what}".rstrip())
    lines.append(f"  outcomes: {', '.join(spec.outcomes)}")
    if spec.timeseries:
        target = store or db
        where = f"{Path(target).with_suffix('.series')}/" if target else "beside the store"
        lines.append(f"  monthly series per run: {', '.join(spec.timeseries)} (Parquet, {where})")
    sets = 1 if posterior is None else posterior.n_sets
    if posterior is not None:
        identity = posterior.identity
        swept = [n for n in posterior.names if n in spec.parameters]
        lines.append(f"  posterior {identity['file']} (sha256 {identity['sha256'][:12]}): "
                     f"{sets} sets drawn by weight with seed {identity['draw_seed']}, "
                     f"{len(posterior.names)} parameters, on the same seeds")
        if swept:
            lines.append(f"    swept here, so the sweep's value wins: {', '.join(swept)}")
    total = n_points * sets * spec.replicates
    if db is not None and Path(db).exists():
        lines.append(f"  resume: {_stored_runs(db)} of {total} runs already in {db}")
    across = "" if posterior is None else f" x {sets} posterior sets"
    lines.append(f"{n_points} points{across} x {spec.replicates} replicates = {total} runs")
    return lines


def _stored_runs(db: Path) -> str:
    from analysis.sweep.store import SweepStore

    try:
        with SweepStore.open(db, read_only=True) as store:
            return str(store.run_count())
    except UserInputError as exc:
        return f"? ({exc.expected})"


def cmd_analyze(args: argparse.Namespace) -> int:
    from analysis.sweep.analyze import report

    written = report(
        args.db,
        outcome=args.outcome,
        condition=args.condition,
        out=args.out,
        threshold=args.threshold,
        fill=args.fill,
    )
    for path in written:
        print(f"wrote {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """`python -m analysis.sweep`: the two commands on their own."""
    parser = argparse.ArgumentParser(
        prog="python -m analysis.sweep", description="Parameter sweeps and their analysis."
    )
    register(parser.add_subparsers(dest="command", required=True, metavar="COMMAND"))
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except UserInputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(
            "interrupted: finished runs are in the store; --resume finishes the sweep",
            file=sys.stderr,
        )
        return 130


__all__ = ["cmd_analyze", "cmd_sweep", "main", "plan_lines", "register"]
