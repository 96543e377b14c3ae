"""Argument parsing and the one place where user errors become exit status 2."""

from __future__ import annotations

import argparse
import importlib
import sys

from sim import interrupt
from sim.errors import UserInputError

# Each module exposes ``register(subparsers)``;
# the handler it sets as ``func`` returns an exit code.
COMMAND_MODULES = (
    "cli.core",  # list, describe, run
    "cli.validate",  # validate, calibrate
    "cli.compare",  # compare
    "cli.condition",  # condition
    "cli.plot",  # plot, report
    "cli.sweep",  # sweep, analyze
    "cli.dashboard",  # dashboard
)
# Commands that run ensembles take Ctrl-C as a flag read between months (`sim.interrupt`);
# the others keep Python's KeyboardInterrupt (`sweep` has its own Ctrl-C handling).
DEFERRED_INTERRUPT = {"run", "compare", "report", "validate", "calibrate", "condition"}
INTERRUPTED = "interrupted: nothing half-written was left behind"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="run.py",
        description="Realist agent-based simulation of the Syrian war, 2011-2025.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # a capability not built yet
                continue
            raise
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        deferred = args.command in DEFERRED_INTERRUPT
        with interrupt.deferred() if deferred else interrupt.immediate():
            code = int(args.func(args) or 0)
            interrupt.check()  # Ctrl-C in the last steps: the command still ends as interrupted
        return code
    except UserInputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(INTERRUPTED, file=sys.stderr)
        return 130
