"""`run.py compare A B`: two scenarios on the same seeds, their difference with bootstrap CIs."""

from __future__ import annotations

import argparse
from pathlib import Path

from cli.core import _console, add_ensemble_options, ensemble_inputs, run_checked


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "compare", help="run two scenarios on the same seeds and compare their outcomes"
    )
    p.add_argument("a", metavar="A")
    p.add_argument("b", metavar="B")
    add_ensemble_options(p, runs_help="runs per scenario (default: A's `runs`)")
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="DIR",
        help="where to write the table and figures (default: results/compare_A_B)",
    )
    p.add_argument("--boot", type=int, default=2000, help="bootstrap resamples (default 2000)")
    p.add_argument(
        "--posterior",
        nargs="?",
        type=Path,
        const=Path("params/posterior.parquet"),
        default=None,
        metavar="FILE",
        help="answer across the posterior (default file: params/posterior.parquet): each of "
        "--sets parameter sets drawn by weight runs both scenarios on the same seeds",
    )
    p.add_argument("--sets", type=int, default=20, dest="posterior_sets",
                   help="parameter sets drawn from the posterior (default 20)")
    p.set_defaults(func=cmd_compare)


def cmd_compare(args: argparse.Namespace) -> int:
    if args.posterior is not None:
        return compare_across_posterior(args)
    from analysis.figures import plot_comparison
    from analysis.stats import compare

    a, seeds = ensemble_inputs(args, args.a)
    b, _ = ensemble_inputs(args, args.b, default_runs=len(seeds))
    ens_a = run_checked(a, seeds, args)
    ens_b = run_checked(b, seeds, args)  # the same seeds: common random numbers
    table = compare(ens_a, ens_b, n_boot=args.boot, seed=args.seed)
    out = args.out or Path("results") / f"compare_{a.name}_{b.name}"
    out.mkdir(parents=True, exist_ok=True)
    table.to_csv(out / "comparison.csv", index=False, float_format="%.4g")
    figures = plot_comparison(ens_a, ens_b, out / "figures", labels=(a.name, b.name))

    from rich.table import Table

    def num(x: float, sign: str = "") -> str:
        return "-" if x != x else f"{x:{sign}.3f}"  # NaN: nothing to compare (e.g. no falls)

    table_view = Table(
        title=f"{b.name} minus {a.name}, {len(seeds)} paired runs "
        "(95% paired-bootstrap intervals; * excludes 0)"
    )
    for column in ("", "quantity", "A", "B", "B - A", "95% CI", "unit"):
        table_view.add_column(column)
    for row in table.itertuples():
        what = row.quantity
        if isinstance(row.subject, str) and row.subject:
            what = f"{row.variable}:{row.subject} {row.start}..{row.end}"
        table_view.add_row(
            "*" if row.ci_excludes_zero else "",
            what,
            num(row.a),
            num(row.b),
            num(row.difference, "+"),
            f"[{num(row.ci_low, '+')}, {num(row.ci_high, '+')}]",
            str(row.unit),
        )
    console = _console()
    console.print(table_view)
    console.print(f"table and {len(figures)} figure files written to {out}")
    return 0


def compare_across_posterior(args: argparse.Namespace) -> int:
    """P(the regime has fallen) by the end of 2017 and by the end of the run, in A and B and
    B minus A, across parameter sets drawn from the posterior, every set on the same seeds:
    the mean, the interval across the sets, the variance the parameters explain beside what
    the seeds do, and the share of sets in which the effect has each sign."""
    import numpy as np
    import pandas as pd

    from analysis.posterior import draw_sets, overrides, read_posterior, split_variance
    from analysis.stats import fall_indicators
    from sim.errors import UserInputError
    from sim.scenario import load_scenario

    if args.posterior_sets < 1:
        raise UserInputError("--sets", None, f"expected a number >= 1, got {args.posterior_sets}")
    if not args.posterior.is_file():
        raise UserInputError(args.posterior, None, "no posterior there (run.py calibrate "
                             "--posterior writes one)")
    table, metadata = read_posterior(args.posterior)
    paths = sorted(metadata["priors"])
    sets = draw_sets(table, args.posterior_sets, seed=args.seed)
    a, seeds = ensemble_inputs(args, args.a)  # checked before any run
    b, _ = ensemble_inputs(args, args.b, default_runs=len(seeds))
    months = {"by 2017-12": "2017-12", "by the end": None}
    measured = {(name, arm): [] for name in months for arm in ("a", "b", "b - a")}
    for index, row in sets.iterrows():
        values = [*args.sets, *overrides(row, paths)]
        ens_a = run_checked(load_scenario(args.a, values), seeds, args, progress=False)
        ens_b = run_checked(load_scenario(args.b, values), seeds, args, progress=False)
        for name, by in months.items():
            fell_a, fell_b = fall_indicators(ens_a, ens_b, by)
            for arm, value in (("a", fell_a), ("b", fell_b), ("b - a", fell_b - fell_a)):
                measured[(name, arm)].append(value)
        _console().print(f"  parameter set {index + 1} of {len(sets)} done")
    rows = [{"quantity": f"fallen {name}", "arm": arm,
             **split_variance(np.vstack(values))} for (name, arm), values in measured.items()]
    result = pd.DataFrame(rows)
    out = args.out or Path("results") / f"compare_{a.name}_{b.name}_posterior"
    out.mkdir(parents=True, exist_ok=True)
    result.to_csv(out / "comparison_posterior.csv", index=False, float_format="%.4g")
    console = _console()
    console.print(f"\n{b.name} against {a.name} across {len(sets)} posterior parameter sets x "
                  f"{len(seeds)} seeds ({args.posterior})")
    for r in result.itertuples():
        share = "-" if r.share_parameters != r.share_parameters else f"{r.share_parameters:.0%}"
        console.print(f"  {r.quantity:<20} {r.arm:<6} {r.mean:+.3f} (sets 5-95%: "
                      f"{r.set_q05:+.3f} to {r.set_q95:+.3f}); variance from parameters "
                      f"{share}; sets >0: {r.sets_positive:.0%}, <0: {r.sets_negative:.0%}",
                      markup=False)
    console.print(f"table written to {out / 'comparison_posterior.csv'}")
    return 0
