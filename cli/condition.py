"""`run.py condition TARGET...`: the posterior conditioned on structural targets
(analysis/conditioning.py), to report the counterfactual answers with and without them."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cli.core import _console
from sim.errors import UserInputError

# what --write replaces: the project's own file beside the shipped posterior, wherever the
# command runs from (as calibrate --write writes params/posterior.parquet)
CONDITIONED = Path(__file__).resolve().parent.parent / "params" / "posterior_conditioned.parquet"
SEED_OFFSET = 300_000  # the default conditioning seeds: neither the fit's nor the report's


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "condition",
        help="keep the posterior's parameter sets that meet structural targets (causal facts "
             "of 2011-2017), to answer with and without them",
    )
    p.add_argument("targets", nargs="+", metavar="TARGET",
                   help="structural target ids (analysis/structural.toml), judged by 2017-12")
    p.add_argument("--posterior", type=Path, default=Path("params/posterior.parquet"),
                   metavar="FILE", help="the posterior to condition (default "
                   "params/posterior.parquet)")
    p.add_argument("--structural", type=Path, default=None, metavar="FILE",
                   help="the structural targets' file (default analysis/structural.toml)")
    p.add_argument("--runs", type=int, default=24,
                   help="seeds each set runs on, the same for every set (default 24)")
    p.add_argument("--seed", type=int, default=SEED_OFFSET,
                   help=f"first conditioning seed (default {SEED_OFFSET}: neither the fit's "
                        "seeds nor the 1000s that validation reports on)")
    p.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    p.add_argument("--out", type=Path, default=None, metavar="DIR",
                   help="results folder (default results/posterior/given_<targets>)")
    p.add_argument("--write", action="store_true",
                   help="also write the conditioned posterior to the project's "
                        "params/posterior_conditioned.parquet, where compare and validate "
                        "--posterior can read it")
    p.set_defaults(func=cmd_condition)


def cmd_condition(args: argparse.Namespace) -> int:
    for name, value in (("--runs", args.runs), ("--workers", args.workers)):
        if value < 1:
            raise UserInputError(name, None, f"expected a number >= 1, got {value}")
    if args.seed < 0:
        raise UserInputError("--seed", None, f"expected a number >= 0, got {args.seed}")
    import json
    from datetime import UTC, datetime

    from tqdm import tqdm

    from analysis import conditioning, posterior
    from analysis.calibrate import FreeParameter, load_free
    from sim.ensemble import worker_pool
    from sim.output import build_manifest, check_destination, write_folder
    from sim.scenario import load_scenario

    conditions = conditioning.choose(args.targets, range(args.seed, args.seed + args.runs),
                                     args.structural)
    # the file is checked as compare and validate check it (a whole draw of its sets)
    _, paths, identity = posterior.load_sets(args.posterior, 1, 0)
    table, parent = posterior.read_posterior(args.posterior)
    out = check_destination(args.out if args.out is not None else Path("results") / "posterior"
                            / f"given_{'_'.join(conditions.ids)}")  # before the runs
    store = conditioning.Store(Path("results") / "posterior" / "conditioning"
                               / f"{conditions.key(identity['sha256'])}.csv")
    console = _console()
    console.print(f"conditioning {len(table)} parameter sets of {args.posterior} on "
                  f"{', '.join(conditions.ids)}: {args.runs} seeds each "
                  f"({args.seed}..{args.seed + args.runs - 1}), runs to {conditions.end}; "
                  f"finished sets are kept in {store.path}")
    with worker_pool(args.workers) as map_, tqdm(total=len(table), unit="set",
                                                 file=sys.stderr) as bar:
        measured = conditioning.measure_all(table, paths, conditions, store, map_,
                                            on_sets=bar.update)
    kept, long, share = conditioning.conditioned(table, measured, conditions.ids)
    # the parameters the file was fit on, as its metadata bounds them: a posterior fit in a
    # copy of the tree may free one params/free_parameters.toml does not declare
    declared = {f.path: f.why for f in load_free()}
    free = [FreeParameter(path=path, low=low, high=high, why=declared.get(
        path, "fit free in this posterior (its metadata's prior)"))
        for path, (low, high) in parent["priors"].items()]
    metadata = {
        **parent,
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "conditioned_on": [*parent.get("conditioned_on", []), *conditions.ids],
        "conditioning": {
            "method": "ABC rejection on the structural targets: a set is kept when its "
                      "ensemble on the conditioning seeds meets every target; weights "
                      "renormalised (analysis/conditioning.py)",
            "parent": str(args.posterior), "parent_sha256": identity["sha256"],
            "seeds": [conditions.seeds[0], conditions.seeds[-1]], "runs_to": conditions.end,
            "kept": len(kept), "of": len(table), "parent_weight_kept": round(share, 4),
            "effective_sample_size": round(posterior.effective_sample_size(kept), 1),
        },
    }
    summary = posterior.summary(kept, free)
    before = posterior.summary(table, free).set_index("parameter")

    def fill(temp: Path) -> None:
        posterior.write_posterior(kept, metadata, temp / "posterior.parquet")
        long.to_csv(temp / "conditioning.csv", index=False, float_format="%.6g")
        summary.to_csv(temp / "posterior_summary.csv", index=False, float_format="%.4g")
        (temp / "conditioning.json").write_text(json.dumps(metadata, indent=2) + "\n",
                                                encoding="utf-8")

    scenario = load_scenario(conditions.spec.baseline)
    write_folder(out, fill, {**build_manifest(scenario, list(conditions.seeds),
                                              ["run.py", *sys.argv[1:]]),
                             "posterior": metadata})
    if args.write:
        posterior.write_posterior(kept, metadata, CONDITIONED)
    c = metadata["conditioning"]
    console.print(f"kept {c['kept']} of {c['of']} sets ({share:.0%} of the posterior's weight; "
                  f"effective sample size {c['effective_sample_size']:.1f})")
    for row in summary.itertuples():
        was = before.loc[row.parameter]
        console.print(f"  {row.parameter:<32} {row.mean:.4g} [{row.q05:.4g}, {row.q95:.4g}]"
                      f"  (unconditioned {was['mean']:.4g} [{was['q05']:.4g}, "
                      f"{was['q95']:.4g}])", markup=False)
    if c["effective_sample_size"] < 10:
        console.print("few sets carry the conditioned posterior: its spreads are not to be "
                      "trusted (a larger posterior, or conditions more of it meets)")
    console.print(f"written: {out}" + (f" and {CONDITIONED}" if args.write else ""))
    return 0
