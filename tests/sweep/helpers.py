"""Spec texts for the sweep tests, all run against the toy model (tests/sweep/toy.py)."""

from __future__ import annotations

TOY = "tests.sweep.toy:run_outcomes_fast"
OUTCOMES = '["regime_fell", "regime_fall_month", "control_regime_2017_12", "influence_iran_2025"]'


def spec_text(
    sampler: str,
    parameters: str,
    replicates: int = 2,
    seed: int = 5,
    run_fn: str = TOY,
    outcomes: str = OUTCOMES,
) -> str:
    """A spec file's text: `sampler` and `parameters` are TOML table bodies."""
    return (
        f'scenario = "full_2011_2025"\nrun_fn = "{run_fn}"\nseed = {seed}\n'
        f"replicates = {replicates}\noutcomes = {outcomes}\n\n"
        f"[sampler]\n{sampler}\n\n[parameters]\n{parameters}\n"
    )


LHS_PARAMETERS = """"russia.resolve" = { low = 0.3, high = 1.0 }
"iran.resolve" = { low = 0.3, high = 1.0 }
"choice.temperature" = { low = 0.05, high = 0.5 }"""
