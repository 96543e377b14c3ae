"""`run.py validate` (score an ensemble against the dated record) and `run.py calibrate`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cli.core import _console, add_ensemble_options, ensemble_inputs, run_checked
from sim.errors import UserInputError


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "validate",
        help="score an ensemble against the 2011-2017 record (train) and 2018-2025 (test)",
    )
    p.add_argument("scenario", nargs="?", default="full_2011_2025", metavar="NAME|PATH")
    add_ensemble_options(p, runs_help="number of runs (default 50)")
    p.add_argument(
        "--targets", type=Path, default=None, help="a targets file (default: analysis/targets.toml)"
    )
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="CSV",
        help="where to write the table (default: results/validate_<scenario>.csv)",
    )
    p.add_argument(
        "--min-score",
        type=float,
        default=None,
        help="exit with status 1 if the train or test score is below this",
    )
    p.set_defaults(func=cmd_validate)

    p = subparsers.add_parser(
        "calibrate",
        help="fit the free parameters (params/free_parameters.toml) to the train targets",
    )
    p.add_argument("--scenario", default="cooperation_2011_2017", metavar="NAME|PATH")
    p.add_argument("--runs", type=int, default=16, help="seeds per candidate (default 16)")
    p.add_argument("--seed", type=int, default=0, help="seed of the search and first run seed")
    p.add_argument("--maxiter", type=int, default=15, help="generations of differential evolution")
    p.add_argument("--popsize", type=int, default=6, help="population size multiplier")
    p.add_argument("--workers", type=int, default=1, help="worker processes")
    p.add_argument(
        "--write",
        action="store_true",
        help="write the fitted values into params/ and the record to params/calibration.json",
    )
    p.set_defaults(func=cmd_calibrate)


def cmd_validate(args: argparse.Namespace) -> int:
    from analysis.checks import EVALUATION_COLUMNS, evaluate, score
    from analysis.targets import load_targets
    from sim.scenario import output_name

    if args.targets:  # a device, a pipe, not UTF-8 or a non-finite number: one line, exit 2
        from sim.scenario import read_toml

        read_toml(Path(args.targets))
    targets = load_targets(args.targets) if args.targets else load_targets()
    scenario, seeds = ensemble_inputs(args, args.scenario, default_runs=50)
    out = args.out or Path("results") / f"validate_{output_name(scenario)}.csv"
    check_table_destination(out, ",".join(EVALUATION_COLUMNS))  # before the runs
    ensemble = run_checked(scenario, seeds, args)
    table = evaluate(targets, ensemble)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    try:  # whole or not at all
        table.to_csv(tmp, index=False, float_format="%.4g")
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)

    console = _console()
    scores = {}
    for name in ("train", "test"):
        part = table[table["set"] == name]
        if part.empty:
            continue
        console.print(
            f"\n[bold]{name}[/bold] ({len(part)} targets, {len(seeds)} runs of {scenario.name})"
        )
        for row in part.itertuples():
            shown = "  n/a" if row.n_runs == 0 else f"{row.share_pass:5.2f}"
            console.print(f"  {shown}  {row.id:<36} {row.description}")
        scores[name] = score(table, name)
        console.print(
            f"  [bold]{name} score: {scores[name]:.3f}[/bold] (mean share of runs passing)"
        )
    console.print(f"\ntable written to {out}")
    if args.min_score is not None:
        below = {k: v for k, v in scores.items() if v < args.min_score}
        if below:
            print(f"score below {args.min_score}: {below}", file=sys.stderr)
            return 1
    return 0


def check_table_destination(out: Path, header: str) -> None:
    """Refuse a CSV destination that is a folder, lies under a file, or is a file this
    command did not write (its first line is not `header`): the user's file is never
    replaced."""
    text = str(out)
    if not text.strip() or out.is_dir():
        raise UserInputError("--out", text, "expected a CSV file name, got a folder")
    blocker = next((p for p in out.parents if p.exists()), None)
    if blocker is not None and not blocker.is_dir():
        raise UserInputError("--out", text, f"is under {blocker}, which is a file, not a folder")
    if out.exists():
        try:
            with open(out, encoding="utf-8") as fh:
                first = fh.readline().strip()
        except (OSError, UnicodeDecodeError):
            first = ""
        if first != header:
            raise UserInputError(
                "--out", text, "exists and is not a table this command wrote; give a new name"
            )


def cmd_calibrate(args: argparse.Namespace) -> int:
    from analysis import calibrate

    for name, value in (
        ("--runs", args.runs),
        ("--maxiter", args.maxiter),
        ("--popsize", args.popsize),
        ("--workers", args.workers),
    ):
        if value < 1:
            raise UserInputError(name, None, f"expected a number >= 1, got {value}")
    free = calibrate.load_free()
    console = _console()
    console.print(
        f"calibrating {len(free)} free parameters on the train targets of "
        f"{args.scenario} ({args.runs} runs per candidate)"
    )

    def progress(generation: int, best: float) -> None:
        console.print(f"  generation {generation}: best train score {1 - best:.3f}")

    fit = calibrate.calibrate(
        scenario=args.scenario,
        runs=args.runs,
        seed=args.seed,
        maxiter=args.maxiter,
        popsize=args.popsize,
        workers=args.workers,
        free=free,
        on_generation=progress,
    )
    record = calibrate.fit_record(fit, free)
    for path, value in fit.values.items():
        console.print(f"  {path:<32} {value:.4g}")
    console.print(
        f"train score {record['train_score']:.3f} after {fit.evaluations} evaluations; "
        f"targets used: {', '.join(record['target_sets_used'])} only"
    )
    if args.write:
        written = calibrate.write_values(fit.values, record)
        console.print("written: " + ", ".join(str(p) for p in written))
    else:
        console.print("(dry run: add --write to put these values into params/)")
    return 0
