"""`run.py sweep SPEC` and `run.py analyze DB`: parameter sweeps (analysis/sweep/)."""

from analysis.sweep.cli import register

__all__ = ["register"]
