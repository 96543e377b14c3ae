"""`list`, `describe` and `run`: the scenarios, what one contains, and running an ensemble."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sim import params
from sim.errors import UserInputError
from sim.scenario import ScenarioSpec, check_start, list_scenarios, load_scenario, output_name
from sim.vocabulary import FOREIGN_STATES, STATES, month_index, month_label

if TYPE_CHECKING:  # pandas and rich load only for `run`: `list` and `describe` start fast
    import pandas as pd
    from rich.console import Console
    from rich.table import Table


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("list", help="the scenarios, with their description and dates")
    p.set_defaults(func=cmd_list)

    p = subparsers.add_parser("describe", help="what a scenario contains")
    p.add_argument("scenario", metavar="NAME|PATH")
    _add_set(p)
    p.set_defaults(func=cmd_describe)

    p = subparsers.add_parser("run", help="run an ensemble and write its outputs")
    p.add_argument("scenario", metavar="NAME|PATH")
    add_ensemble_options(p)
    add_out(p)
    p.add_argument(
        "--quiet",
        action="store_true",
        help="no progress bar and no table; print only the folder written",
    )
    p.add_argument("--plot", action="store_true", help="also draw the figures into DIR/figures")
    p.add_argument(
        "--format",
        choices=("csv", "parquet"),
        default="csv",
        help="the tables as CSV (default; floats to 6 significant digits) or as Parquet "
        "(timeseries.parquet, ...: exact floats, a fraction of the size)",
    )
    p.set_defaults(func=cmd_run)


def add_out(parser: argparse.ArgumentParser) -> None:
    """--out and --overwrite: where a command that writes a results folder writes it."""
    parser.add_argument(
        "--out",
        default=None,
        metavar="DIR",
        help="results folder (default: results/<scenario name>, with a short hash of the "
        "--set overrides if any)",
    )
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="write into a folder that holds other files too, replacing only this tool's "
        "files in it (a previous output of this tool is replaced without it)",
    )


def results_folder(args: argparse.Namespace, scenario: ScenarioSpec, seeds: list[int]) -> Path:
    """The checked results folder of an ensemble command, refused before any run if it cannot
    or must not be written (see `sim.output.check_destination`)."""
    from sim.output import check_destination, estimated_bytes

    out = args.out if args.out is not None else Path("results") / output_name(scenario)
    return check_destination(
        out, overwrite=args.overwrite, need_bytes=2 * estimated_bytes(scenario, len(seeds))
    )


def add_ensemble_options(parser: argparse.ArgumentParser, runs_help: str | None = None) -> None:
    """--runs, --seed, --workers and --set: how every command that runs ensembles takes them."""
    parser.add_argument(
        "--runs",
        type=int,
        default=None,
        help=runs_help or "number of runs (default: the scenario's `runs`)",
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="base seed; run r uses seed S+r (default 0)"
    )
    parser.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    _add_set(parser)


def ensemble_inputs(
    args: argparse.Namespace,
    scenario_arg: str,
    default_runs: int | None = None,
    in_memory: bool = True,
) -> tuple[ScenarioSpec, list[int]]:
    """The checked scenario and seeds an ensemble command asked for (errors before any run);
    the memory they need is checked only for an ensemble held in memory (`run` streams its
    runs to disk, whose free space `results_folder` checks)."""
    from sim import limits
    from sim.ensemble import VARIABLES_WIDTH, seeds_for

    scenario = load_scenario(scenario_arg, args.sets)
    check_start(scenario)
    runs = args.runs if args.runs is not None else (default_runs or scenario.runs)
    if runs < 1:
        raise UserInputError("--runs", None, f"expected a number of runs >= 1, got {runs}")
    if args.workers < 1:
        raise UserInputError("--workers", None, f"expected a number >= 1, got {args.workers}")
    limits.check_seeds(args.seed, runs)
    if in_memory:
        limits.check_memory(
            runs * scenario.months * VARIABLES_WIDTH * limits.MEMORY_BYTES_PER_ROW,
            f"{runs} runs of {scenario.months} months",
        )
    return scenario, seeds_for(args.seed, runs)


def run_checked(
    scenario: ScenarioSpec, seeds: list[int], args: argparse.Namespace, progress: bool = True
):
    """Run the ensemble the checked inputs describe."""
    from sim.ensemble import run_ensemble  # the model loads once the input is good

    return run_ensemble(scenario, seeds, workers=args.workers, progress=progress)


def _add_set(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY.PATH=VALUE",
        dest="sets",
        help="override a parameter, a shock field, start/end/runs",
    )


def _console() -> Console:
    from rich.console import Console

    # piped output (logs, tests) gets room for the table instead of rich's 80 columns
    return Console(highlight=False, width=None if sys.stdout.isatty() else 120)


# --- list -------------------------------------------------------------------------------------


def cmd_list(args: argparse.Namespace) -> int:
    names = list_scenarios()
    width = max((len(n) for n in names), default=0)
    for name in names:
        try:
            scenario = load_scenario(name)
        except UserInputError as exc:
            print(f"{name:<{width}}  invalid: {exc}")
            continue
        print(
            f"{name:<{width}}  {scenario.start_label} to {scenario.end_label}  "
            f"{scenario.description}"
        )
    return 0


# --- describe ---------------------------------------------------------------------------------


def cmd_describe(args: argparse.Namespace) -> int:
    scenario = load_scenario(args.scenario, args.sets)
    initial = scenario.initial.get("name", "?")
    lines = [
        f"{scenario.name}: {scenario.description}",
        f"window: {scenario.start_label} to {scenario.end_label} ({scenario.months} months); "
        f"default runs {scenario.runs}",
        f"files: {' <- '.join(scenario.chain)}",
        f"initial state: {initial} (params/initial/{initial}.toml)",
    ]
    if scenario.sets:
        lines.append(f"--set: {' '.join(scenario.sets)}")

    lines += ["", "shocks:"]
    for name, shock in sorted(scenario.shocks.items(), key=lambda kv: kv[1]["start_index"]):
        dates = shock["start"] + (f" to {shock['end']}" if shock["end"] else "")
        off = "" if shock["enabled"] else " (switched off)"
        lines.append(f"  {name}{off}: {shock['kind']}, {dates}, magnitude {shock['magnitude']:g}")
        lines.append(f"      source: {shock['source']}")
    if not scenario.shocks:
        lines.append("  none")

    lines += ["", "forbidden actions:"]
    for rule in scenario.forbid:
        window = f"{rule['start'] or 'start'} to {rule['end'] or 'end'}"
        why = f": {rule['why']}" if rule["why"] else ""
        lines.append(f"  {rule['actor']} may not use {rule['action']} ({window}){why}")
    if not scenario.forbid:
        lines.append("  none")

    lines += ["", "parameters that differ from params/:"]
    changed = parameter_changes(scenario)
    lines += [f"  {path} = {value!r} (default {default!r})" for path, value, default in changed]
    if not changed:
        lines.append("  none")

    lines += ["", "states (value  # source):"]
    sources = params.parameter_sources()
    overridden = {path.rsplit(".", 1)[0] if ".weights." in path else path for path, _, _ in changed}
    for state in STATES:
        actor = scenario.params[state]
        weights = ", ".join(f"{k} {v:g}" for k, v in actor["weights"].items())
        lines.append(f"  {state}")
        for key, shown in (
            ("weights", weights),
            ("resolve", f"{actor['resolve']:g}"),
            ("budget", f"{actor['budget']:g}"),
        ):
            path = f"{state}.{key}"
            note = " (set by the scenario; source of the default)" if path in overridden else ""
            lines.append(f"    {key}: {shown}{note}  # {sources.get(path, 'no source given')}")
    print("\n".join(lines))
    return 0


def parameter_changes(scenario: ScenarioSpec) -> list[tuple[str, Any, Any]]:
    """(path, value, default) for every parameter the scenario sets to a non-default value."""
    defaults = params.validate(params.load_defaults(), "params/")
    changes = []
    for path in params.leaf_paths(scenario.params):
        value = params.get_path(scenario.params, path)
        default = params.get_path(defaults, path) if params.has_path(defaults, path) else None
        if value != default:
            changes.append((path, value, default))
    return changes


# --- run --------------------------------------------------------------------------------------


def cmd_run(args: argparse.Namespace) -> int:
    scenario, seeds = ensemble_inputs(args, args.scenario, in_memory=False)
    from sim.output import write_streamed

    out_dir = results_folder(args, scenario, seeds)  # refused here, before the runs
    # the runs stream into the folder (each written where it ran), so memory stays flat
    written, summary = write_streamed(
        scenario,
        seeds,
        out_dir,
        workers=args.workers,
        progress=not args.quiet,
        fmt=args.format,
        argv=["run.py", *sys.argv[1:]],
        overwrite=args.overwrite,
        extra=_figures if args.plot else None,
    )
    if args.quiet:
        print(written)
        return 0
    console = _console()
    console.print(summary_table(summary, scenario))
    console.print(f"results written to {written}")
    return 0


def _figures(folder: Path) -> None:
    """`--plot`: the figures are drawn into the temporary folder from the tables just written
    there (the one time `run` reads the whole long table back), so they arrive (or not) with
    them."""
    from analysis.figures import load_control_record, plot_all
    from sim.output import read_outputs

    plot_all(read_outputs(folder), folder / "figures", record=load_control_record())


def _months(column: pd.Series) -> np.ndarray:
    return np.array([month_index(d) for d in column if d], dtype=int)


def _quantile_month(months: np.ndarray, q: float) -> str:
    return month_label(int(np.quantile(months, q, method="inverted_cdf")))


def _date_columns(months: np.ndarray) -> tuple[str, str]:
    """Median month and the 10-90% range, over the runs in which it happened."""
    if len(months) == 0:
        return "-", "-"
    low, high = _quantile_month(months, 0.1), _quantile_month(months, 0.9)
    return _quantile_month(months, 0.5), (low if low == high else f"{low} to {high}")


def summary_table(summary: pd.DataFrame, scenario: ScenarioSpec) -> Table:
    """The ensemble at a glance: the fall, the arrival of each state's own combat forces with
    its air strikes beside it, Iran-Russia, the vetoes. Every date is over the runs in which
    the event happened, and the row says how many those are."""
    from rich import box
    from rich.table import Table

    n = len(summary)
    table = Table(
        title=f"{scenario.name}: {n} run{'s' if n != 1 else ''}, "
        f"{scenario.start_label} to {scenario.end_label}",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        caption="dates: median and 10-90% over the runs in which it happened; own combat "
        "forces: advisers and militias, air campaign or ground troops (strikes alone do not "
        "count); airstrikes: median per run (range)",
        caption_justify="left",
    )
    table.add_column("outcome")
    table.add_column("runs", justify="right")
    table.add_column("value", justify="right")
    table.add_column("median date")
    table.add_column("10-90%")

    def share(count: int) -> str:
        return f"{count / n:.0%} ({count}/{n})" if n else "-"

    fell = int(summary["regime_fell"].sum())
    table.add_row(
        "regime fell", share(fell), f"dates of {fell} run{'s' if fell != 1 else ''}" if fell
        else "", *_date_columns(_months(summary["regime_fall_date"]))
    )
    for state in FOREIGN_STATES:  # the regime does not intervene in its own war
        months = _months(summary[f"intervention_date_{state}"])
        dates = _date_columns(months)
        if len(months) and (months == scenario.start - 1).all():
            dates = (f"before {scenario.start_label}", "")  # in combat when the window opens
        strikes = f"airstrikes_{state}"
        shown = ""
        if strikes in summary and n and summary[strikes].max() > 0:
            values = summary[strikes].to_numpy()
            shown = f"{np.median(values):g} airstrikes ({values.min()}-{values.max()})"
        table.add_row(f"{state}: own combat forces arrive", share(len(months)), shown, *dates)
    peak = summary["peak_cooperation_iran_russia"].to_numpy(dtype=float)
    table.add_row(
        "Iran-Russia cooperation peak",
        "",
        f"{np.median(peak):.2f}" if n else "-",
        *_date_columns(_months(summary["peak_cooperation_date_iran_russia"])),
    )
    vetoes = summary["vetoes"].to_numpy()
    table.add_row(
        "UN vetoes: median (range)",
        "",
        f"{np.median(vetoes):g} ({vetoes.min()}-{vetoes.max()})" if n else "-",
        "",
        "",
    )
    return table


__all__ = ["add_out", "register", "results_folder", "summary_table"]


def add_posterior_options(parser: argparse.ArgumentParser, what: str, note: str = "") -> None:
    """--posterior [FILE] and --sets K: answer across parameter sets drawn from a posterior
    (`note`: what the command adds to --posterior's help)."""
    parser.add_argument(
        "--posterior",
        nargs="?",
        type=Path,
        const=Path("params/posterior.parquet"),
        default=None,
        metavar="FILE",
        help=f"{what} across the posterior (default file: params/posterior.parquet): each of "
        f"--sets parameter sets drawn by weight runs on the same seeds{note}",
    )
    parser.add_argument("--sets", type=int, default=20, dest="posterior_sets",
                        help="parameter sets drawn from the posterior (default 20)")


def posterior_sets(args: argparse.Namespace) -> tuple[pd.DataFrame, list[str]]:
    """The parameter sets --posterior and --sets ask for (drawn by weight with --seed) and
    the paths of the parameters they set; a bad count or a missing file is refused."""
    from analysis.posterior import load_sets

    sets, paths, identity = load_sets(args.posterior, args.posterior_sets, args.seed)
    if identity["conditioned_on"]:
        given = ", ".join(identity["conditioned_on"])
        _console().print(f"{args.posterior} is conditioned on {given}: its answers to those "
                         "hold by construction, not as evidence", markup=False)
    return sets, paths
