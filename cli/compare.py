"""`run.py compare A B`: two scenarios on the same seeds, their difference with bootstrap CIs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cli.core import (
    _console,
    add_ensemble_options,
    add_out,
    add_posterior_options,
    ensemble_inputs,
    posterior_sets,
    run_checked,
)
from sim.scenario import output_name


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "compare", help="run two scenarios on the same seeds and compare their outcomes"
    )
    p.add_argument("a", metavar="A")
    p.add_argument("b", metavar="B", nargs="+",
                   help="one scenario, or several with --posterior (A runs once a set)")
    add_ensemble_options(p, runs_help="runs per scenario (default: A's `runs`)")
    add_out(p)
    p.add_argument("--boot", type=int, default=2000, help="bootstrap resamples (default 2000)")
    add_posterior_options(p, "answer")
    p.add_argument("--by", action="append", default=[], metavar="YYYY-MM",
                   help="with --posterior, also report P(fallen) by this month (repeatable; "
                        "by 2017-12 and by the end always)")
    p.set_defaults(func=cmd_compare)


def cmd_compare(args: argparse.Namespace) -> int:
    from sim.errors import UserInputError

    if args.posterior is not None:
        return compare_across_posterior(args)
    if args.by:
        raise UserInputError("--by", args.by[0], "only with --posterior (one comparison "
                             "reports its falls by every month already)")
    if len(args.b) > 1:
        raise UserInputError("B", " ".join(args.b), "expected one scenario to compare with A "
                             "(several only with --posterior; otherwise run compare once each)")
    args.b = args.b[0]
    from analysis.figures import plot_comparison
    from analysis.stats import compare
    from sim.output import build_manifest, check_destination, write_folder

    if args.boot < 1:
        raise UserInputError("--boot", None, f"expected a number >= 1, got {args.boot}")
    a, seeds = ensemble_inputs(args, args.a)
    b, _ = ensemble_inputs(args, args.b, default_runs=len(seeds))
    out = args.out if args.out is not None else Path("results") / (
        f"compare_{a.name}_{output_name(b)}")  # b's name carries the hash of any --set
    out = check_destination(out, overwrite=args.overwrite)  # before the runs
    ens_a = run_checked(a, seeds, args)
    ens_b = run_checked(b, seeds, args)  # the same seeds: common random numbers
    table = with_fall_counts(compare(ens_a, ens_b, n_boot=args.boot, seed=args.seed),
                             ens_a, ens_b)
    figures: list[Path] = []

    def fill(folder: Path) -> None:
        # a decimal year needs 8 digits to keep its month exactly (%.4g rounded to years)
        table.to_csv(folder / "comparison.csv", index=False, float_format="%.8g")
        drawn = plot_comparison(ens_a, ens_b, folder / "figures", labels=(a.name, b.name))
        figures.extend(out / p.relative_to(folder) for p in drawn)

    manifest = {
        **build_manifest(b, seeds, ["run.py", *sys.argv[1:]]),
        "scenario": f"{b.name} minus {a.name}",
        "resolved": {"a": a.resolved(), "b": b.resolved()},
    }
    write_folder(out, fill, manifest, overwrite=args.overwrite)

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
        shown_a, shown_b = num(row.a), num(row.b)
        if row.quantity == "median_fall_date":  # a median over the runs that fell only
            what = "median fall date, of the runs that fell"
            shown_a, shown_b = f"{shown_a} ({row.fell_a} fell)", f"{shown_b} ({row.fell_b} fell)"
        if isinstance(row.subject, str) and row.subject:
            what = f"{row.variable}:{row.subject} {row.start}..{row.end}"
        table_view.add_row(
            "*" if row.ci_excludes_zero else "",
            what,
            shown_a,
            shown_b,
            num(row.difference, "+"),
            f"[{num(row.ci_low, '+')}, {num(row.ci_high, '+')}]",
            str(row.unit),
        )
    console = _console()
    console.print(table_view)
    console.print(f"table and {len(figures)} figure files written to {out}")
    return 0


def with_fall_counts(table, ens_a, ens_b):
    """The comparison table with, on its fall rows, how many runs of each ensemble fell out
    of how many (`fell_a`, `fell_b`, as "k/n"): a median fall date is over those runs only."""
    table = table.copy()

    def count(ensemble) -> str:
        fell = ensemble.summary["regime_fell"]
        return f"{int(fell.sum())}/{len(fell)}"

    is_fall = table["quantity"].isin(["fall_probability", "median_fall_date"])
    table["fell_a"] = [count(ens_a) if f else "" for f in is_fall]
    table["fell_b"] = [count(ens_b) if f else "" for f in is_fall]
    return table


# the posterior's column of each set's train distance (1 - its train score on the search seeds)
FIT = "distance"


def by_months(months: list[str]) -> dict[str, str]:
    """--by's months as the table names them; a month not written YYYY-MM is refused (the
    project's one month parser, `vocabulary.month_index`)."""
    from sim.vocabulary import month_index

    for month in months:
        month_index(month, "--by")
    return {f"by {month}": month for month in sorted(set(months) - {"2017-12"})}


def compare_across_posterior(args: argparse.Namespace) -> int:
    """P(the regime has fallen) by the end of 2017 and by the end of the run, in A and each B
    and B minus A, across parameter sets drawn from the posterior, every set on the same
    seeds (A runs once a set, however many B): the mean, the interval across the sets, the
    variance the parameters explain beside what the seeds do, and the share of sets in which
    the effect has each sign."""
    import numpy as np
    import pandas as pd

    from analysis.figures import across_sets_chart
    from analysis.posterior import drivers, overrides, split_variance
    from analysis.stats import fall_indicators
    from sim.output import build_manifest, check_destination, write_folder
    from sim.scenario import load_scenario

    sets, paths = posterior_sets(args)
    a, seeds = ensemble_inputs(args, args.a)  # checked before any run
    bs = [ensemble_inputs(args, name, default_runs=len(seeds))[0] for name in args.b]
    named = [b.name for b in bs]
    twice = next((name for name in named if named.count(name) > 1), None)
    if twice is not None:  # its runs would be pooled under one name in the table
        from sim.errors import UserInputError

        raise UserInputError("B", twice, "named more than once: give each counterfactual once")
    out = args.out if args.out is not None else Path("results") / (
        f"compare_{a.name}_{'_'.join(output_name(b) for b in bs)}_posterior")
    out = check_destination(out, overwrite=args.overwrite)  # before the runs
    months = {"by 2017-12": "2017-12", **by_months(args.by), "by the end": None}
    measured: dict[tuple[str, str, str], list] = {}
    for index, row in sets.iterrows():
        values = [*args.sets, *overrides(row, paths)]
        ens_a = run_checked(load_scenario(args.a, values), seeds, args, progress=False)
        for name_b, b in zip(args.b, bs, strict=True):
            ens_b = run_checked(load_scenario(name_b, values), seeds, args, progress=False)
            for name, by in months.items():
                fell_a, fell_b = fall_indicators(ens_a, ens_b, by)
                for arm, value in (("a", fell_a), ("b", fell_b), ("b - a", fell_b - fell_a)):
                    measured.setdefault((b.name, name, arm), []).append(value)
        _console().print(f"  parameter set {index + 1} of {len(sets)} done")
    rows = [{"b": b_name, "quantity": f"fallen {name}", "arm": arm,
             **split_variance(np.vstack(values))}
            for (b_name, name, arm), values in measured.items()]
    result = pd.DataFrame(rows)
    # what each effect hangs on: its per-set means against the sets' parameter values, and
    # against how well each set fits the train window (its distance), which says whether the
    # better-fitting worlds answer differently
    fit = [FIT] if FIT in sets.columns else []
    hangs_on = pd.concat([drivers(np.vstack(values).mean(axis=1), sets, [*paths, *fit]).assign(
        b=b_name, quantity=f"fallen {name}")
        for (b_name, name, arm), values in measured.items() if arm == "b - a"],
        ignore_index=True)[["b", "quantity", "parameter", "spearman", "p_value"]]
    names = ", ".join(b.name for b in bs)
    manifest = {
        **build_manifest(bs[0], seeds, ["run.py", *sys.argv[1:]]),
        "scenario": f"{names} minus {a.name}, across {args.posterior}",
        "resolved": {"a": a.resolved(), "b": bs[0].resolved()} if len(bs) == 1 else
                    {"a": a.resolved(), "b": {b.name: b.resolved() for b in bs}},
    }

    def chart() -> dict[str, np.ndarray]:
        """Each set's mean: with one B both arms and the effect, with several the effects."""
        if len(bs) == 1:
            labels = {"a": a.name, "b": bs[0].name, "b - a": f"{bs[0].name} - {a.name}"}
            return {f"{labels[arm]}, {when}": np.vstack(v).mean(axis=1)
                    for (_, when, arm), v in measured.items()}
        return {f"{b_name} minus A, {when}": np.vstack(v).mean(axis=1)
                for (b_name, when, arm), v in measured.items() if arm == "b - a"}

    def fill(folder: Path) -> None:
        result.to_csv(folder / "comparison_posterior.csv", index=False, float_format="%.8g")
        per_set = pd.DataFrame([{"b": b_name, "quantity": f"fallen {when}", "arm": arm,
                                 "set": k, "value": float(run_values.mean())}
                                for (b_name, when, arm), v in measured.items()
                                for k, run_values in enumerate(v)])
        per_set.to_csv(folder / "comparison_posterior_sets.csv", index=False,
                       float_format="%.8g")
        hangs_on.to_csv(folder / "comparison_posterior_drivers.csv", index=False,
                        float_format="%.8g")
        across_sets_chart(chart(), f"P(the regime has fallen): each dot one parameter set, "
                          f"its mean over {len(seeds)} seeds",
                          f"against A = {a.name}, {len(sets)} posterior sets" if len(bs) > 1
                          else f"{names} against {a.name}, {len(sets)} posterior sets",
                          folder, "comparison_posterior")

    write_folder(out, fill, manifest, overwrite=args.overwrite)
    console = _console()
    console.print(f"\n{names} against {a.name} across {len(sets)} posterior parameter sets x "
                  f"{len(seeds)} seeds ({args.posterior})")
    for r in result.itertuples():
        share = "-" if r.share_parameters != r.share_parameters else f"{r.share_parameters:.0%}"
        console.print(f"  {r.b:<30} {r.quantity:<20} {r.arm:<6} {r.mean:+.3f} (sets 5-95%: "
                      f"{r.set_q05:+.3f} to {r.set_q95:+.3f}); variance from parameters "
                      f"{share}; sets >0: {r.sets_positive:.0%}, <0: {r.sets_negative:.0%}",
                      markup=False)
    console.print("\nwhat each effect hangs on (Spearman rank correlation of the sets' effects "
                  f"with their parameters, {len(sets)} sets; the three strongest):")
    for (b_name, quantity), group in hangs_on.groupby(["b", "quantity"], sort=False):
        ranked = group.dropna(subset=["spearman"])
        top = ranked[ranked["parameter"] != FIT].head(3)
        listed = "; ".join(f"{r.parameter} {r.spearman:+.2f} (p {r.p_value:.3f})"
                           for r in top.itertuples()) or "no effect varies across the sets"
        for r in ranked[ranked["parameter"] == FIT].itertuples():
            listed += f"; the fit: {FIT} {r.spearman:+.2f} (p {r.p_value:.3f})"
        console.print(f"  {b_name:<30} {quantity:<20} {listed}", markup=False)
    console.print(f"table written to {out / 'comparison_posterior.csv'}; what the effects hang "
                  f"on: {out / 'comparison_posterior_drivers.csv'}")
    return 0
