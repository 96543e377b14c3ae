"""One run's outcomes as plain numbers: the run function that parameter sweeps call.

`run_outcomes(scenario, overrides, seed)` is named by import path (`sim.batch:run_outcomes`) so
process pools and Dask workers import it themselves. Months are counted from January 2011
(`regime_fall_month` 47 is December 2014); a quantity that does not exist in a run (no fall,
no intervention) is None.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from sim.ensemble import IRAN_RUSSIA, long_series, run_one
from sim.scenario import ScenarioSpec, load_scenario
from sim.vocabulary import FACTIONS, FOREIGN_STATES, STATES, month_index

EPOCH = month_index("2011-01")
SNAPSHOTS = ("2015-06", "2017-12", "2021-12", "2024-06")  # control shares recorded at these months
SERIES = ("control", "influence", "cooperation")  # the monthly series the outcomes read


def _months_since_2011(label: str) -> int | None:
    return month_index(label) - EPOCH if label else None


@lru_cache(maxsize=64)  # a worker runs many replicates of the same point
def _scenario(name: str, sets: tuple[str, ...]) -> ScenarioSpec:
    return load_scenario(name, list(sets))


def run_outcomes(scenario: str, overrides: dict[str, float], seed: int,
                 series: tuple[str, ...] = ()) -> dict[str, Any]:
    """Run `scenario` once with `overrides` (dotted parameter or shock paths) and this seed.
    With `series` (model reporters, `sim.model.REPORTERS`), the result also holds those
    monthly series under "series", as long columns (`sim.ensemble.long_series`)."""
    sets = tuple(f"{key}={value!r}" for key, value in sorted(overrides.items()))
    spec = _scenario(scenario, sets)
    result = run_one(spec, seed, record=tuple(dict.fromkeys((*SERIES, *series))))
    monthly, summary = result.series, result.summary
    months = spec.start + np.arange(len(monthly["control"]))

    def at(label: str) -> int | None:
        index = month_index(label) - spec.start
        return index if 0 <= index < len(months) else None

    out: dict[str, Any] = {
        "regime_fell": summary["regime_fell"],
        "regime_fall_month": _months_since_2011(summary["regime_fall_date"]),
        "vetoes": summary["vetoes"],
        "cooperation_iran_russia_peak": summary["peak_cooperation_iran_russia"],
        "cooperation_iran_russia_peak_month": int(
            month_index(summary["peak_cooperation_date_iran_russia"]) - EPOCH),
    }
    for state in STATES:
        out[f"intervention_month_{state}"] = _months_since_2011(
            summary[f"intervention_date_{state}"])
    for label in SNAPSHOTS:
        index = at(label)
        for i, faction in enumerate(FACTIONS[:4]):
            key = f"control_{faction}_{label.replace('-', '_')}"
            out[key] = None if index is None else float(monthly["control"][index, i])
    in_2025 = (months >= month_index("2025-01")) & (months <= month_index("2025-12"))
    for state in FOREIGN_STATES:
        value = monthly["influence"][in_2025, STATES.index(state)]
        out[f"influence_{state}_2025"] = float(value.mean()) if value.size else None
    for i, faction in enumerate(FACTIONS):
        out[f"final_control_{faction}"] = float(monthly["control"][-1, i])
    cooperation = monthly["cooperation"][:, IRAN_RUSSIA]
    out["cooperation_iran_russia_final"] = float(cooperation[-1])
    if series:
        out["series"] = long_series(result, series)
    return out
