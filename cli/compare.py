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
    p.set_defaults(func=cmd_compare)


def cmd_compare(args: argparse.Namespace) -> int:
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
