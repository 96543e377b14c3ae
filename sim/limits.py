"""What the model can be asked to do: the physical ranges of the numbers a scenario gives, the
months it has data for, the seeds numpy takes, and what an ensemble needs in memory.

The ranges are wide (they refuse unit mistakes and typing slips, not bold counterfactuals); each
says why it is where it is. The checks raise `UserInputError` naming the file and the key.
"""

from __future__ import annotations

import math
import os
from typing import Any

from sim.errors import UserInputError

# --- months -----------------------------------------------------------------------------------

# The model's data run from the first initial state (params/initial/2011-03.toml, the uprising)
# to the end of the record the shocks, targets and last scenario are built from (December 2025).
# Before it there is no initial state; after it no shock, target or force figure.
DATA_FIRST = "2011-03"
DATA_LAST = "2025-12"

# --- magnitudes -------------------------------------------------------------------------------

# Shock fields: (highest value, why). Every field is also >= 0 (the shock schema says so).
SHOCK_LIMITS: dict[str, tuple[float, str]] = {
    "manpower": (
        1000.0,
        "thousands of fighters; 1000 is a million, over three times the largest force of the "
        "war (the army's 295,000 in 2011)",
    ),
    "demand": (10.0, "over three times the largest shipped demand (the Ukraine war, 3.0)"),
    "severity": (5.0, "five times the largest shipped severity (the 2013 chemical attack, 1.0)"),
    "factor": (10.0, "a payoff term weighed ten times over; the shipped shocks use at most 1.4"),
}
# Parameters: every number in params/ is a share, a scale or thousands of fighters, the largest
# the regime's manpower cap of 300 (thousand). 10,000 would be ten million fighters: a slip.
PARAMETER_LIMIT = 10_000.0
# Initial-state manpower, in thousands, for the same reason as a shock's.
MANPOWER_LIMIT = SHOCK_LIMITS["manpower"][0]

# --- seeds and sizes ----------------------------------------------------------------------------

# numpy takes any seed >= 0; the output tables store seeds as 64-bit integers.
SEED_MAX = 2**63 - 1
# In memory, a row of the timeseries table (with its strings, the arrays it came from, and
# pandas' copy while writing) takes about this many bytes. Measured 1 Dec 2026: the peak
# resident memory of `run collapse_2024 --runs 400` (595,200 rows) less that of one run is
# 217 bytes a row (255 at 100 runs); rounded up.
MEMORY_BYTES_PER_ROW = 300


def check_finite(tree: Any, source: str, prefix: str = "") -> None:
    """Refuse NaN and infinity anywhere in a tree of TOML values (tables, arrays, numbers)."""
    if isinstance(tree, dict):
        for key, value in tree.items():
            check_finite(value, source, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(tree, list | tuple):
        for i, value in enumerate(tree):
            check_finite(value, source, f"{prefix}[{i}]")
    elif isinstance(tree, float | str) and not _finite(tree):
        raise UserInputError(source, prefix or None, f"expected a finite number, got {tree!r}")


def _finite(value: float | str) -> bool:
    """False for NaN and infinity, also written as text ("nan", "-Infinity"), which the
    schemas would otherwise read as a number."""
    try:
        return math.isfinite(float(value))
    except (ValueError, OverflowError):
        return True  # not a number at all: the schema decides whether text is allowed


def check_shock(shock: dict[str, Any], source: str, key: str) -> None:
    for name, (high, why) in SHOCK_LIMITS.items():
        value = shock.get(name)
        if isinstance(value, int | float) and value > high:
            raise UserInputError(
                source, f"{key}.{name}", f"expected at most {high:g} ({why}), got {value:g}"
            )


def check_parameters(tree: dict[str, Any], source: str, prefix: str = "parameters") -> None:
    for key, value in tree.items():
        path = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            check_parameters(value, source, path)
        elif (
            isinstance(value, int | float)
            and not isinstance(value, bool)
            and abs(value) > PARAMETER_LIMIT
        ):
            raise UserInputError(
                source,
                path,
                f"expected a magnitude of at most {PARAMETER_LIMIT:g} (no parameter in params/ "
                f"exceeds 300, the regime's manpower cap in thousands), got {value:g}",
            )


def check_manpower(manpower: dict[str, float], source: str) -> None:
    for force, value in manpower.items():
        if value > MANPOWER_LIMIT:
            raise UserInputError(
                source,
                f"manpower.{force}",
                f"expected at most {MANPOWER_LIMIT:g} ({SHOCK_LIMITS['manpower'][1]}), "
                f"got {value:g}",
            )


def check_month(index: int, source: str, key: str) -> None:
    from sim.vocabulary import month_index, month_label

    if not month_index(DATA_FIRST) <= index <= month_index(DATA_LAST):
        raise UserInputError(
            source,
            key,
            f"expected a month from {DATA_FIRST} to {DATA_LAST}, the span the model has data "
            f"for, got {month_label(index)}",
        )


def check_seeds(base: int, runs: int, flag: str = "--seed") -> None:
    if base < 0 or base + runs - 1 > SEED_MAX:
        raise UserInputError(
            flag,
            None,
            f"expected a seed from 0 to {SEED_MAX - runs + 1} for {runs} runs (numpy takes "
            f"seeds >= 0; run r uses seed S+r, stored as a 64-bit integer), got {base}",
        )


def available_memory() -> int | None:
    """Bytes of memory available to a new allocation now (Linux: MemAvailable), or None."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, AttributeError):
        return None


def check_memory(need: int, what: str, flag: str = "--runs") -> None:
    """Refuse, before allocating it, what would need `need` bytes of memory that the machine
    does not have available."""
    free = available_memory()
    if free is not None and need > free:
        raise UserInputError(
            flag,
            None,
            f"{what} would need about {need / 1e9:.1f} GB of memory; this machine has "
            f"{free / 1e9:.1f} GB available (ask for fewer, or a shorter window)",
        )


__all__ = [
    "DATA_FIRST",
    "DATA_LAST",
    "PARAMETER_LIMIT",
    "SEED_MAX",
    "SHOCK_LIMITS",
    "check_finite",
    "check_manpower",
    "check_memory",
    "check_month",
    "check_parameters",
    "check_seeds",
    "check_shock",
]
