"""`run.py validate` (score an ensemble against the dated record) and `run.py calibrate`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cli.core import (
    _console,
    add_ensemble_options,
    add_posterior_options,
    ensemble_inputs,
    posterior_sets,
    run_checked,
)
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
    p.add_argument(
        "--structural",
        nargs="?",
        type=Path,
        const=Path("analysis/structural.toml"),
        default=None,
        metavar="FILE",
        help="also run the structural targets (causal facts, paired variants of their baseline "
        "on the same seeds; default file: analysis/structural.toml); never part of the scores",
    )
    add_posterior_options(p, "score")
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
        help="write the fitted values into params/ and the record to params/calibration.json "
        "(with --posterior: the posterior to params/posterior.parquet)",
    )
    p.add_argument(
        "--posterior",
        action="store_true",
        help="ABC-SMC (pyabc): a weighted sample of every parameter set the train window "
        "allows, instead of one point",
    )
    p.add_argument("--population", type=int, default=100, help="particles a generation "
                   "(with --posterior; default 100)")
    p.add_argument("--generations", type=int, default=4, help="generations of ABC-SMC "
                   "(with --posterior; default 4)")
    p.add_argument("--confirm-runs", type=int, default=64, help="seeds on which the shortlist "
                   "of the best sets is run again to choose the point (with --posterior; "
                   "default 64)")
    p.add_argument("--prior-share", type=float, default=0.25, help="share of each generation's "
                   "candidates drawn from the prior, which bounds the weights (with --posterior; "
                   "default 0.25)")
    p.add_argument("--db", type=Path, default=None, help="the inference's store, for --resume "
                   "(default: results/posterior/<scenario>.db)")
    p.add_argument("--resume", action="store_true",
                   help="go on with the inference stored in --db after an interruption")
    p.set_defaults(func=cmd_calibrate)


def cmd_validate(args: argparse.Namespace) -> int:
    from analysis.checks import EVALUATION_COLUMNS, evaluate, score
    from analysis.targets import load_targets
    from sim.scenario import output_name

    targets = load_targets(args.targets) if args.targets else load_targets()
    scenario, seeds = ensemble_inputs(args, args.scenario, default_runs=50)
    if args.posterior is not None:
        return validate_across_posterior(args, targets, scenario, seeds)
    structural = None
    if args.structural is not None:  # a bad file is refused before any run
        from analysis.structural import load_structural

        structural = load_structural(args.structural)
    out = args.out or Path("results") / f"validate_{output_name(scenario)}.csv"
    check_table_destination(out, ",".join(EVALUATION_COLUMNS))  # before the runs
    structural_out = out.parent / f"structural_{structural.baseline}.csv" if structural else None
    if structural_out is not None:
        from analysis.structural import COLUMNS

        check_table_destination(structural_out, ",".join(COLUMNS))
    ensemble = run_checked(scenario, seeds, args)
    table = evaluate(targets, ensemble)
    write_table(table, out)

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
    if structural is not None:
        structural_report(structural, args, scenario, ensemble, seeds, structural_out)
    if args.min_score is not None:
        below = {k: v for k, v in scores.items() if v < args.min_score}
        if below:
            print(f"score below {args.min_score}: {below}", file=sys.stderr)
            return 1
    return 0


def write_table(table, out: Path) -> None:
    """A CSV written whole or not at all (its destination checked before the work)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        table.to_csv(tmp, index=False, float_format="%.4g")
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)


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


def _figure_names(out: Path) -> list[Path]:
    return [out.with_suffix(".png"), out.with_suffix(".svg")]


def check_figures_beside(out: Path) -> None:
    """The figure of a table goes beside it, under its name (`.png`, `.svg`): those names are
    this command's only when the table is (checked by `check_table_destination`); a figure
    of that name beside no table of ours is the user's, and is refused before the runs."""
    for figure in _figure_names(out):
        if figure.is_dir() or (figure.exists() and not out.exists()):
            raise UserInputError("--out", str(out), f"{figure} exists and is not a figure this "
                                 "command drew; give a new name")


def draw_beside(out: Path, draw) -> Path:
    """`draw(folder, name)` into a temporary folder beside `out`, then its PNG and SVG moved
    to `out`'s name: an interrupted drawing leaves no half-written figure."""
    import shutil
    import tempfile

    temp = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.stem}.figure-"))
    try:
        for drawn, final in zip(draw(temp, out.stem), _figure_names(out), strict=True):
            drawn.replace(final)
    finally:
        shutil.rmtree(temp, ignore_errors=True)
    return _figure_names(out)[0]


POSTERIOR_SCORE_COLUMNS = ("set", "mean", "set_q05", "set_q95", "var_parameters", "var_seeds",
                           "share_parameters", "sets_positive", "sets_negative", "sets", "seeds")


def validate_across_posterior(args, targets, scenario, seeds) -> int:
    """The train and test scores across parameter sets drawn from the posterior, every set on
    the same seeds: the mean, the interval across sets and the variance split into what the
    parameters and what the seeds explain (a run's score is its mean over the set's targets)."""
    import numpy as np
    import pandas as pd

    from analysis.checks import outcomes
    from analysis.figures import across_sets_chart
    from analysis.posterior import overrides, split_variance
    from sim.scenario import load_scenario, output_name

    sets, paths = posterior_sets(args)
    out = args.out or Path("results") / f"validate_{output_name(scenario)}_posterior.csv"
    check_table_destination(out, ",".join(POSTERIOR_SCORE_COLUMNS))  # before the runs
    check_figures_beside(out)
    structural, structural_out = None, None
    if args.structural is not None:  # a bad file or destination is refused before any run
        from analysis.structural import ACROSS_COLUMNS, load_structural

        structural = load_structural(args.structural)
        structural_out = out.parent / f"structural_{structural.baseline}_posterior.csv"
        check_table_destination(structural_out, ",".join(ACROSS_COLUMNS))
    by_set = {name: [] for name in ("train", "test")}
    structural_by_set = []
    for _, row in sets.iterrows():
        values = [*args.sets, *overrides(row, paths)]
        variant = load_scenario(args.scenario, values)
        ensemble = run_checked(variant, seeds, args, progress=False)
        passed = outcomes(targets, ensemble)
        for name in by_set:
            ids = [t.id for t in targets if t.set == name]
            by_set[name].append(passed[ids].astype(float).mean(axis=1).to_numpy())
        if structural is not None:
            structural_by_set.append(structural_of_set(structural, args, variant, ensemble,
                                                       seeds, tuple(values)))
    console = _console()
    console.print(f"{scenario.name} across {len(sets)} posterior parameter sets x {len(seeds)} "
                  f"seeds ({args.posterior})")
    rows = []
    for name, values in by_set.items():
        values = np.vstack(values)
        if np.isnan(values).all():
            continue  # the scenario does not cover this set's months
        split = split_variance(np.nan_to_num(values, nan=np.nanmean(values)))
        rows.append({"set": name, **split})
        console.print(f"  {name} score {split['mean']:.3f} (sets 5-95%: {split['set_q05']:.3f} "
                      f"to {split['set_q95']:.3f}); variance from parameters "
                      f"{split['share_parameters']:.0%}, from seeds "
                      f"{1 - split['share_parameters']:.0%}", markup=False)
    write_table(pd.DataFrame(rows, columns=list(POSTERIOR_SCORE_COLUMNS)), out)
    figure = draw_beside(out, lambda folder, name: across_sets_chart(
        {f"{name} score": np.nanmean(np.vstack(values), axis=1)
         for name, values in by_set.items() if not np.isnan(np.vstack(values)).all()},
        f"share of targets passed, each dot one parameter set's mean over {len(seeds)} seeds",
        f"{scenario.name} across {len(sets)} posterior sets", folder, name))
    console.print(f"table written to {out}; figure {figure}")
    if structural is not None:
        structural_across_report(structural, structural_by_set, len(seeds), structural_out)
    return 0


def structural_of_set(spec, args, scenario, ensemble, seeds, values: tuple[str, ...]):
    """One parameter set's structural targets (`analysis.structural.evaluate`, under its
    `values`), reusing the set's validated ensemble when it is their baseline."""
    from analysis.structural import evaluate

    return evaluate(spec, reusing(scenario, ensemble, seeds, args, progress=False),
                    seed=args.seed, sets=values)


def reusing(scenario, ensemble, seeds, args, progress: bool = True):
    """The structural targets' run function: the validated `ensemble` when the variant is its
    scenario (the same name, path and --set), any other variant run on the same seeds."""

    def run(variant):
        if variant.name == scenario.name and variant.path == scenario.path:
            return ensemble
        return run_checked(variant, seeds, args, progress=progress)

    return run


def structural_across_report(spec, per_set, seeds: int, out: Path) -> None:
    """Write and print the structural targets across the posterior's sets."""
    from analysis.structural import across_sets

    table = across_sets(spec, per_set)
    write_table(table, out)
    console = _console()
    console.print(f"\n[bold]structural[/bold] ({len(table)} targets across {len(per_set)} "
                  f"parameter sets x {seeds} seeds; regime fallen by the month; the range is "
                  "5-95% of the sets' own differences)")
    for row in table.itertuples():
        mark = "pass" if row.passes else "FAIL"
        console.print(
            f"  {mark}  {row.id:<40} by {row.fallen_by}: {row.baseline_share:.2f} -> "
            f"{row.variant_share:.2f} ({row.difference:+.2f}, sets {row.set_q05:+.2f} to "
            f"{row.set_q95:+.2f}; met in {row.sets_pass:.0%} of sets); needs {row.requirement}",
            markup=False)
    console.print(f"  [bold]{int(table['passes'].sum())} of {len(table)} pass[/bold] on the "
                  f"sets' average; table written to {out}")


def structural_report(spec, args, scenario, ensemble, seeds, out: Path) -> None:
    """Run and print the structural targets; the validated ensemble is reused when it is
    their baseline (the same scenario, seeds and --set)."""
    from analysis.structural import evaluate

    table = evaluate(spec, reusing(scenario, ensemble, seeds, args), seed=args.seed,
                     sets=tuple(args.sets))
    write_table(table, out)
    console = _console()
    console.print(
        f"\n[bold]structural[/bold] ({len(table)} targets: variants of {spec.baseline} against "
        f"it on the same {len(seeds)} seeds; regime fallen by the month; 95% paired intervals)"
    )
    for row in table.itertuples():
        mark = "pass" if row.passes else "FAIL"
        console.print(
            f"  {mark}  {row.id:<40} by {row.fallen_by}: {row.baseline_share:.2f} -> "
            f"{row.variant_share:.2f} ({row.difference:+.2f} [{row.ci_low:+.2f}, "
            f"{row.ci_high:+.2f}]); needs {row.requirement}"
        )
    console.print(f"  [bold]{int(table['passes'].sum())} of {len(table)} pass[/bold]; "
                  f"table written to {out}")


def cmd_calibrate(args: argparse.Namespace) -> int:
    from analysis import calibrate

    for name, value in (
        ("--runs", args.runs),
        ("--maxiter", args.maxiter),
        ("--popsize", args.popsize),
        ("--workers", args.workers),
        ("--population", args.population),
        ("--generations", args.generations),
        ("--confirm-runs", args.confirm_runs),
    ):
        if value < 1:
            raise UserInputError(name, None, f"expected a number >= 1, got {value}")
    if not 0.0 < args.prior_share < 1.0:
        raise UserInputError("--prior-share", None,
                             f"expected a share between 0 and 1, got {args.prior_share}")
    free = calibrate.load_free()
    if args.posterior:
        return calibrate_posterior(args, free)
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


def calibrate_posterior(args: argparse.Namespace, free) -> int:
    """`calibrate --posterior`: ABC-SMC on the train targets, a report, and the posterior's
    train score on fresh seeds beside its score on the search seeds."""
    import dataclasses
    import functools
    import json
    from datetime import UTC, datetime

    from analysis import calibrate, posterior
    from analysis.targets import load_targets
    from sim.ensemble import worker_pool
    from sim.output import build_manifest, check_destination, write_folder
    from sim.scenario import load_scenario

    settings = posterior.Settings(scenario=args.scenario, runs=args.runs, seed=args.seed,
                                  population=args.population, generations=args.generations,
                                  workers=args.workers, prior_share=args.prior_share)
    folder = Path("results") / "posterior"
    db = args.db or folder / f"{args.scenario}.db"
    # the report folder is checked before the inference: a user's folder is never replaced
    report = check_destination(folder / f"report_{args.scenario}")
    if db.exists() and not args.resume:
        raise UserInputError(db, None, "an inference is stored there: add --resume to go on "
                             "with it, or name another --db")
    if args.resume and not db.exists():
        raise UserInputError(db, None, "no inference stored there to resume")
    targets = tuple(calibrate.train_targets(load_targets()))
    search = calibrate.Problem(scenario=args.scenario, paths=tuple(f.path for f in free),
                               seeds=tuple(range(args.seed, args.seed + args.runs)),
                               targets=targets)
    fresh_start = args.seed + 100_000  # never the search's seeds
    fresh = dataclasses.replace(search, seeds=tuple(range(fresh_start, fresh_start + args.runs)))
    console = _console()
    console.print(f"ABC-SMC over {len(free)} free parameters on the train targets of "
                  f"{args.scenario}: {args.population} particles x {args.generations} "
                  f"generations, {args.runs} seeds a candidate; store {db}")

    def progress(t: int, median: float, epsilon: float) -> None:
        console.print(f"  generation {t}: tolerance {epsilon:.3f}, median train score "
                      f"{1 - median:.3f}")

    with worker_pool(args.workers) as map_:
        distance = functools.partial(posterior.train_distance, problem=search)
        table = posterior.infer(free, distance, settings, db, map_=map_,
                                on_generation=progress)
        on_search = posterior.weighted_mean(1.0 - table["distance"].to_numpy(), table)
        fresh_scores = posterior.train_scores(table, fresh, map_)
        on_fresh = posterior.weighted_mean(fresh_scores, table)
        # the point: the shortlist run again on seeds neither score has seen
        candidates = posterior.shortlist(table, fresh_scores)
        confirm_start = args.seed + posterior.CONFIRM_OFFSET
        confirm = dataclasses.replace(search, seeds=tuple(
            range(confirm_start, confirm_start + args.confirm_runs)))
        confirm_scores = posterior.train_scores(table.iloc[candidates], confirm, map_)
    table["train_fresh"] = fresh_scores  # each set's train score on the fresh seeds
    point, point_score = posterior.point_summary(table, fresh_scores, search.paths, candidates,
                                                 confirm_scores, args.runs,
                                                 args.confirm_runs)
    metadata = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "method": "ABC-SMC (pyabc), uniform priors on the declared bounds, distance = "
                  "1 - train score, median tolerance schedule, proposals a defensive mixture "
                  f"of the prior ({args.prior_share:g}) and pyabc's multivariate normal kernel",
        "settings": settings.__dict__,
        "search_seeds": list(search.seeds),
        "fresh_seeds": list(fresh.seeds),
        "confirm_seeds": [confirm.seeds[0], confirm.seeds[-1]],
        "point_candidates": [{"set": int(i), "search": round(1.0 - float(table["distance"]
                              .iloc[i]), 4), "fresh": round(float(fresh_scores[i]), 4),
                              "confirm": round(float(c), 4)}
                             for i, c in zip(candidates, confirm_scores, strict=True)],
        "targets_used": [t.id for t in targets],
        "priors": {f.path: [f.low, f.high] for f in free},
        "train_score_search_seeds": round(on_search, 4),
        "train_score_fresh_seeds": round(on_fresh, 4),
        "effective_sample_size": round(posterior.effective_sample_size(table), 1),
    }
    summary = posterior.summary(table, free)

    def fill(temp: Path) -> None:
        posterior.write_posterior(table, metadata, temp / "posterior.parquet")
        summary.to_csv(temp / "posterior_summary.csv", index=False, float_format="%.4g")
        (temp / "posterior_settings.json").write_text(json.dumps(metadata, indent=2) + "\n",
                                                      encoding="utf-8")
        posterior.plot_posterior(table, free, temp / "figures")

    write_folder(report, fill, {**build_manifest(load_scenario(args.scenario),
                                                 list(search.seeds), ["run.py", *sys.argv[1:]]),
                                "posterior": metadata}, overwrite=False)
    out = report / "posterior.parquet"
    if args.write:  # the shipped posterior, params/'s own file, and its summary point
        out = posterior.write_posterior(table, metadata, posterior.POSTERIOR)
        calibrate.write_values(point, {
            **{k: metadata[k] for k in ("date", "settings", "targets_used", "priors")},
            "method": "summary of params/posterior.parquet (analysis.posterior.point_summary):"
                      f" of the {posterior.CONFIRM_SETS} parameter sets with the best train "
                      "score over the search and fresh seeds, the one with the best score "
                      f"over those and {args.confirm_runs} confirmation seeds together",
            "posterior": "params/posterior.parquet",
            "posterior_sha256": posterior.file_digest(out),
            "scenario": args.scenario, "seeds": [*search.seeds, *fresh.seeds,
                                                  *confirm.seeds],
            "train_score": round(point_score, 6), "loss": round(1.0 - point_score, 6),
            "target_sets_used": sorted({t.set for t in targets}),
            "values": {k: round(v, 6) for k, v in point.items()},
            "bounds": {f.path: [f.low, f.high] for f in free},
        })
    for row in summary.itertuples():
        mark = "" if row.identified else "  (unidentified by the train window)"
        console.print(f"  {row.parameter:<32} {row.mean:.4g} [{row.q05:.4g}, {row.q95:.4g}] "
                      f"of {row.prior_low:g}-{row.prior_high:g}{mark}")
    ess = metadata["effective_sample_size"]
    console.print(f"effective sample size {ess:.1f} of {len(table)} particles"
                  + (": a few particles carry the posterior; its spreads are not to be "
                     "trusted (more particles or generations)" if ess < len(table) / 4 else ""))
    console.print(f"train score: {on_search:.3f} on the search seeds, {on_fresh:.3f} on fresh "
                  f"seeds ({fresh_start}..{fresh_start + args.runs - 1})")
    console.print(f"point summary (of the {len(candidates)} sets best on both seed sets, the "
                  f"best with {args.confirm_runs} confirmation seeds "
                  f"{confirm_start}..{confirm_start + args.confirm_runs - 1} beside "
                  f"them): {point_score:.3f}")
    console.print(f"written: {report} (posterior, summary, settings, figures)"
                  + (f" and {out}, the point into params/ (params/calibration.json)"
                     if args.write else ""))
    return 0
