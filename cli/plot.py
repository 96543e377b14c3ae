"""`run.py plot DIR` (figures of a results folder) and `run.py report NAME` (one HTML file)."""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from pathlib import Path

from cli.core import (
    _console,
    add_ensemble_options,
    add_out,
    ensemble_inputs,
    results_folder,
    run_checked,
)
from sim.errors import UserInputError


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("plot", help="draw the figures of a results folder (PNG and SVG)")
    p.add_argument("results", type=Path, metavar="DIR")
    p.set_defaults(func=cmd_plot)

    p = subparsers.add_parser(
        "report", help="one self-contained HTML report: scenario, sources, figures, validation"
    )
    p.add_argument("scenario", metavar="NAME|PATH")
    add_ensemble_options(p)
    add_out(p)
    p.set_defaults(func=cmd_report)


def _check_results(folder: Path) -> None:
    from sim.output import output_format

    if output_format(folder) is None:  # CSV or Parquet (`run --format`)
        raise UserInputError(
            str(folder),
            None,
            "expected a results folder from `run.py run` (timeseries.csv missing)",
        )


def cmd_plot(args: argparse.Namespace) -> int:
    from analysis.figures import load_control_record, plot_all
    from sim.output import read_outputs

    _check_results(args.results)
    ensemble = read_outputs(args.results)
    figures = args.results / "figures"
    # drawn beside the tables, then put in place whole: a Ctrl-C or an error mid-way leaves
    # the previous figures (the tool's own, replaced) and nothing half-drawn
    temp = Path(tempfile.mkdtemp(dir=args.results, prefix=f".figures.tmp-{os.getpid()}-"))
    try:
        written = plot_all(ensemble, temp, record=load_control_record())
        if figures.is_dir():
            shutil.rmtree(figures)
        os.replace(temp, figures)
    finally:
        shutil.rmtree(temp, ignore_errors=True)
    _console().print(f"{len(written)} figure files written to {figures}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    import sys

    from analysis.report import report_from_folder
    from sim.output import holds_run, write_outputs

    scenario, seeds = ensemble_inputs(args, args.scenario)
    out = results_folder(args, scenario, seeds)
    if holds_run(out, scenario, seeds):  # the same runs are there: add the report to them
        _console().print(f"using the runs already in {out}")
        written = out
    else:
        ensemble = run_checked(scenario, seeds, args)
        written = write_outputs(
            ensemble, out, scenario, seeds, argv=["run.py", *sys.argv[1:]],
            overwrite=args.overwrite,
        )
    report = report_from_folder(written)
    _console().print(f"report written to {report}")
    return 0
