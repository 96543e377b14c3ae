"""A stand-in for the model's run function, with known sensitivities.

The regime's strength is a weighted sum of the parameters, each scaled to [0, 1] over its
nominal range; outcomes are logistic or linear in it, plus a little noise drawn from the
run's seed. `control_regime_2017_12` is linear, so its first-order Sobol' indices are
proportional to the squared weights (16 : 4 : 1 : 0.25 : ... for weights 4, 2, 1, 0.5), and
the analysis has a ranking to get right.

`run_outcomes` spins for `SWEEP_TOY_COST` seconds of CPU (default 0.005) like a small model
would; `run_outcomes_fast` does not. The two return the same outcomes for the same arguments.
"""

from __future__ import annotations

import math
import os
import time

import numpy as np

from sim.errors import UserInputError

# parameter: (nominal range, weight in the regime's strength)
PARAMETERS: dict[str, tuple[tuple[float, float], float]] = {
    "russia.resolve": ((0.3, 1.0), 4.0),
    "iran.resolve": ((0.3, 1.0), 2.0),
    "choice.temperature": ((0.05, 0.5), -1.0),
    "turkey.resolve": ((0.3, 1.0), -0.5),
    "us.resolve": ((0.3, 1.0), -0.25),
    "israel.resolve": ((0.3, 1.0), 0.0),
    "theatre.decisiveness": ((1.0, 2.0), 0.1),
    "regime.morale_sensitivity": ((0.4, 1.2), -0.1),
    "shocks.ukraine_war.magnitude": ((0.0, 2.0), -1.5),
}
DEFAULTS = {name: (lo + hi) / 2 for name, ((lo, hi), _) in PARAMETERS.items()}
OUTCOMES = (
    "regime_fell",
    "regime_fall_month",
    "control_regime_2017_12",
    "influence_iran_2025",
    "cooperation_iran_russia_peak",
)
NOISE = 0.01


def strength(overrides: dict[str, float]) -> float:
    """The regime's strength: the weighted sum of the scaled parameters."""
    unknown = sorted(set(overrides) - set(PARAMETERS))
    if unknown:
        raise UserInputError("--set", unknown[0], "no such parameter")
    total = 0.0
    for name, ((lo, hi), weight) in PARAMETERS.items():
        value = overrides.get(name, DEFAULTS[name])
        total += weight * (value - lo) / (hi - lo)
    return total


def run_outcomes_fast(
    scenario: str, overrides: dict[str, float], seed: int
) -> dict[str, float | int | str | None]:
    """The outcomes of one toy run (no cost)."""
    rng = np.random.default_rng(seed)
    z = strength(overrides)
    survival = 1.0 / (1.0 + math.exp(-(z - 2.0)))
    fell = bool(rng.random() > survival)
    return {
        "regime_fell": int(fell),
        "regime_fall_month": int(rng.integers(12, 180)) if fell else None,
        "control_regime_2017_12": 0.1 * z + rng.normal(0.0, NOISE),
        "influence_iran_2025": survival * overrides.get("iran.resolve", 0.65),
        "cooperation_iran_russia_peak": survival + rng.normal(0.0, NOISE),
        "scenario": scenario,
    }


def run_outcomes(
    scenario: str, overrides: dict[str, float], seed: int
) -> dict[str, float | int | str | None]:
    """The outcomes of one toy run, after `SWEEP_TOY_COST` seconds of busy CPU."""
    cost = float(os.environ.get("SWEEP_TOY_COST", "0.005"))
    until = time.perf_counter() + cost
    while time.perf_counter() < until:
        pass
    return run_outcomes_fast(scenario, overrides, seed)


CALLS: list[tuple[float, ...]] = []  # (seed,) of each counted run, for tests in this process


def run_outcomes_counted(
    scenario: str, overrides: dict[str, float], seed: int
) -> dict[str, float | int | str | None]:
    """`run_outcomes_fast`, remembering each seed it was called with."""
    CALLS.append((seed,))
    return run_outcomes_fast(scenario, overrides, seed)


def run_outcomes_echo(
    scenario: str, overrides: dict[str, float], seed: int
) -> dict[str, float | int | str | None]:
    """`run_outcomes_fast`, counted in `CALLS`, with every override it was given returned as
    an outcome (`russia.resolve` as `echo_russia_resolve`): what reached the run."""
    CALLS.append((seed,))
    echoed = {"echo_" + name.replace(".", "_"): value for name, value in overrides.items()}
    return {**run_outcomes_fast(scenario, overrides, seed), **echoed, "echo_seed": seed}
