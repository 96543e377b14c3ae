"""Statistics of one ensemble, and of the difference between two run on the same seeds.

Two scenarios run with the same base seed share their seeds run by run (common random numbers,
see `sim.ensemble.seeds_for`), so runs are compared in pairs: the paired bootstrap resamples
pairs of runs, which keeps the shared noise out of the difference. Differences are always
B minus A. Bootstraps are seeded, so the same call gives the same intervals.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd

from analysis.checks import EnsembleFrames, months_covered, window_mean
from sim.errors import UserInputError
from sim.vocabulary import FOREIGN_STATES

COMPARISON_COLUMNS = (
    "quantity",
    "variable",
    "subject",
    "start",
    "end",
    "a",
    "b",
    "difference",
    "ci_low",
    "ci_high",
    "ci_excludes_zero",
    "unit",
    "n_pairs",
)
# The record's three periods (calibration_record.md): the train window, the competition years
# of the test window, and the collapse and after.
PERIODS: tuple[tuple[str, str], ...] = (
    ("2011-03", "2017-12"),
    ("2018-01", "2024-10"),
    ("2024-11", "2025-12"),
)


class Window(NamedTuple):
    """A variable and subject averaged over the months [start, end]."""

    variable: str
    subject: str
    start: str
    end: str


# --- months as numbers ------------------------------------------------------------------------


def month_number(dates: pd.Series) -> pd.Series:
    """`YYYY-MM` strings as months since year 0 (float; NaN for "" or missing)."""
    text = dates.fillna("").astype(str)
    valid = text.str.match(r"^\d{4}-\d{2}$")
    year = pd.to_numeric(text.str.slice(0, 4).where(valid), errors="coerce")
    month = pd.to_numeric(text.str.slice(5, 7).where(valid), errors="coerce")
    return (year * 12 + month - 1).astype(float)


def month_text(number: float) -> str:
    """The `YYYY-MM` of a month number (rounded down; "" for NaN)."""
    if number is None or not np.isfinite(number):
        return ""
    whole = int(np.floor(number))
    return f"{whole // 12:04d}-{whole % 12 + 1:02d}"


def decimal_year(number: float) -> float:
    """A month number as a decimal year (2024-12 → 2024.917), for tables and axes."""
    return number / 12.0 if np.isfinite(number) else float("nan")


# --- pairing and the bootstrap ----------------------------------------------------------------


def paired_runs(a: EnsembleFrames, b: EnsembleFrames) -> pd.DataFrame:
    """Runs of A and B that share a seed: columns `seed, run_a, run_b`, in seed order."""
    left = a.summary[["seed", "run"]].rename(columns={"run": "run_a"})
    right = b.summary[["seed", "run"]].rename(columns={"run": "run_b"})
    pairs = left.merge(right, on="seed", how="inner").sort_values("seed", ignore_index=True)
    if pairs.empty:
        raise UserInputError(
            "ensembles",
            "seed",
            "two ensembles run on the same seeds (run both with the same --seed); these share none",
        )
    return pairs


def bootstrap_indices(n: int, n_boot: int, seed: int) -> np.ndarray:
    """(n_boot × n) indices of pairs, drawn with replacement; the same seed gives the same."""
    return np.random.default_rng(seed).integers(0, n, size=(n_boot, n))


def _interval(draws: np.ndarray, level: float) -> tuple[float, float]:
    draws = draws[np.isfinite(draws)]
    if not len(draws):
        return (float("nan"), float("nan"))
    tail = (1.0 - level) / 2.0 * 100.0
    low, high = np.percentile(draws, [tail, 100.0 - tail])
    return (float(low), float(high))


def _row(quantity: str, a: float, b: float, diff: float, ci: tuple[float, float], **rest) -> dict:
    excludes = bool(np.isfinite(ci[0]) and (ci[0] > 0 or ci[1] < 0))
    return {
        "quantity": quantity,
        "variable": "",
        "subject": "",
        "a": a,
        "b": b,
        "difference": diff,
        "ci_low": ci[0],
        "ci_high": ci[1],
        "ci_excludes_zero": excludes,
        **rest,
    }


# --- the regime's fall ------------------------------------------------------------------------


def _fall_arrays(
    a: EnsembleFrames, b: EnsembleFrames, pairs: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    def per_pair(ensemble: EnsembleFrames, runs: pd.Series) -> tuple[np.ndarray, np.ndarray]:
        summary = ensemble.summary.set_index("run").loc[runs]
        fell = summary["regime_fell"].astype(float).to_numpy()
        month = month_number(summary["regime_fall_date"]).to_numpy()
        return fell, np.where(fell > 0, month, np.nan)

    fell_a, month_a = per_pair(a, pairs["run_a"])
    fell_b, month_b = per_pair(b, pairs["run_b"])
    return fell_a, fell_b, month_a, month_b


def fall_indicators(
    a: EnsembleFrames, b: EnsembleFrames, by: str | None = None,
    pairs: pd.DataFrame | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """1.0 where the regime fell (by the month `by`, if given), 0.0 elsewhere, for A's and
    B's runs paired by seed, in seed order."""
    pairs = paired_runs(a, b) if pairs is None else pairs
    fell_a, fell_b, month_a, month_b = _fall_arrays(a, b, pairs)
    if by is None:
        return fell_a, fell_b
    last = month_number(pd.Series([by])).iloc[0]
    return tuple((np.nan_to_num(m, nan=np.inf) <= last).astype(float)
                 for m in (month_a, month_b))


def fall_probability_difference(
    a: EnsembleFrames,
    b: EnsembleFrames,
    *,
    n_boot: int = 2000,
    seed: int = 0,
    level: float = 0.95,
    by: str | None = None,
) -> dict:
    """P(regime falls) in B minus in A over paired runs, with a paired bootstrap interval;
    with `by` (`YYYY-MM`), a fall counts only if it came in that month or before."""
    pairs = paired_runs(a, b)
    fell_a, fell_b = fall_indicators(a, b, by, pairs)
    each = fell_b - fell_a
    draws = each[bootstrap_indices(len(each), n_boot, seed)].mean(axis=1)
    return _row(
        "fall_probability" if by is None else f"fallen_by_{by}",
        float(fell_a.mean()),
        float(fell_b.mean()),
        float(each.mean()),
        _interval(draws, level),
        unit="probability",
        n_pairs=len(pairs),
    )


def fall_date_difference(
    a: EnsembleFrames,
    b: EnsembleFrames,
    *,
    n_boot: int = 2000,
    seed: int = 0,
    level: float = 0.95,
) -> dict:
    """Median fall date in B minus in A (months), each over the runs in which the regime fell,
    with a paired bootstrap interval; `a` and `b` are the medians as decimal years."""
    pairs = paired_runs(a, b)
    _, _, month_a, month_b = _fall_arrays(a, b, pairs)
    with warnings.catch_warnings():  # a resample in which no run fell has no median
        warnings.simplefilter("ignore", RuntimeWarning)
        median_a, median_b = np.nanmedian(month_a), np.nanmedian(month_b)
        picks = bootstrap_indices(len(pairs), n_boot, seed)
        draws = np.nanmedian(month_b[picks], axis=1) - np.nanmedian(month_a[picks], axis=1)
    return _row(
        "median_fall_date",
        decimal_year(median_a),
        decimal_year(median_b),
        float(median_b - median_a),
        _interval(draws, level),
        unit="months (a, b: decimal years)",
        n_pairs=len(pairs),
    )


# --- means over windows -----------------------------------------------------------------------


def run_means(ensemble: EnsembleFrames, windows: Sequence[Window]) -> pd.DataFrame:
    """Each run's mean of each window (rows: run; columns: the windows, in order)."""
    ts = ensemble.timeseries
    by_variable = {str(v): rows for v, rows in ts.groupby("variable", sort=False)}
    runs = pd.Index(ensemble.summary["run"], name="run")
    columns = {}
    for k, w in enumerate(windows):
        rows = by_variable.get(w.variable, ts.iloc[:0])
        columns[k] = window_mean(rows, w.variable, w.subject, (w.start, w.end)).reindex(runs)
    return pd.DataFrame(columns, index=runs)


def default_windows(a: EnsembleFrames, b: EnsembleFrames | None = None) -> list[Window]:
    """Control of every faction, influence of every outside state and Iran–Russia cooperation,
    over each of the record's periods both ensembles cover (clipped to what they cover)."""
    spans = [months_covered(e) for e in (a, b) if e is not None]
    if any(s is None for s in spans):
        return []
    first = max(s[0] for s in spans)
    last = min(s[1] for s in spans)
    periods = [(max(p0, first), min(p1, last)) for p0, p1 in PERIODS]
    periods = [(p0, p1) for p0, p1 in periods if p0 <= p1]
    series = [("control", f) for f in ("regime", "opposition", "sdf", "isis", "successor")]
    series += [("influence", s) for s in FOREIGN_STATES]
    series += [("cooperation", "iran-russia")]
    return [Window(v, s, p0, p1) for p0, p1 in periods for v, s in series]


def mean_differences(
    a: EnsembleFrames,
    b: EnsembleFrames,
    windows: Iterable[Window],
    *,
    n_boot: int = 2000,
    seed: int = 0,
    level: float = 0.95,
) -> list[dict]:
    """For each window, the mean over runs of B's window mean minus A's (paired), with a
    paired bootstrap interval."""
    windows = [Window(*w) for w in windows]
    pairs = paired_runs(a, b)
    means_a = run_means(a, windows).loc[pairs["run_a"]].to_numpy()
    means_b = run_means(b, windows).loc[pairs["run_b"]].to_numpy()
    picks = bootstrap_indices(len(pairs), n_boot, seed)
    rows = []
    for k, w in enumerate(windows):
        each = means_b[:, k] - means_a[:, k]
        ok = np.isfinite(each)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            draws = np.nanmean(each[picks], axis=1)
        rows.append(
            _row(
                "mean",
                float(np.nanmean(means_a[:, k])) if ok.any() else float("nan"),
                float(np.nanmean(means_b[:, k])) if ok.any() else float("nan"),
                float(each[ok].mean()) if ok.any() else float("nan"),
                _interval(draws, level),
                variable=w.variable,
                subject=w.subject,
                start=w.start,
                end=w.end,
                unit=w.variable,
                n_pairs=int(ok.sum()),
            )
        )
    return rows


def compare(
    a: EnsembleFrames,
    b: EnsembleFrames,
    windows: Iterable[Window] | None = None,
    *,
    n_boot: int = 2000,
    seed: int = 0,
    level: float = 0.95,
) -> pd.DataFrame:
    """Tidy table of B − A: the regime's fall probability, its median fall date, and the mean
    of each window (default: `default_windows`), each with a paired bootstrap interval."""
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be in (0, 1), got {level}")
    windows = default_windows(a, b) if windows is None else list(windows)
    covered = [months_covered(e) for e in (a, b)]
    start = max(c[0] for c in covered if c) if all(covered) else ""
    end = min(c[1] for c in covered if c) if all(covered) else ""
    options = {"n_boot": n_boot, "seed": seed, "level": level}
    rows = [
        {**fall_probability_difference(a, b, **options), "start": start, "end": end},
        {**fall_date_difference(a, b, **options), "start": start, "end": end},
        *mean_differences(a, b, windows, **options),
    ]
    return pd.DataFrame(rows, columns=list(COMPARISON_COLUMNS))


# --- one ensemble's outcomes ------------------------------------------------------------------


def outcome_summary(
    ensemble: EnsembleFrames, quantiles: Sequence[float] = (0.1, 0.25, 0.5, 0.75, 0.9)
) -> pd.DataFrame:
    """The key outcome distribution: per outcome (the regime's fall, each state's first
    military intervention) the share of runs in which it happened and the quantiles of its
    month over those runs. Columns: `outcome, share, n_runs, q10, q25, q50, ...` (YYYY-MM)."""
    summary = ensemble.summary
    columns = {"regime_fall": "regime_fall_date"}
    columns |= {
        f"intervention_{s}": f"intervention_date_{s}"
        for s in FOREIGN_STATES
        if f"intervention_date_{s}" in summary.columns
    }
    rows = []
    for outcome, column in columns.items():
        months = month_number(summary[column])
        happened = months.dropna()
        row = {
            "outcome": outcome,
            "share": float(len(happened) / max(len(summary), 1)),
            "n_runs": len(summary),
        }
        for q in quantiles:
            # "lower" keeps a quantile on a month that happened
            value = happened.quantile(q, interpolation="lower") if len(happened) else np.nan
            row[f"q{round(q * 100):02d}"] = month_text(value)
        rows.append(row)
    return pd.DataFrame(rows)


__all__ = [
    "COMPARISON_COLUMNS",
    "PERIODS",
    "Window",
    "bootstrap_indices",
    "compare",
    "decimal_year",
    "default_windows",
    "fall_date_difference",
    "fall_probability_difference",
    "mean_differences",
    "month_number",
    "month_text",
    "outcome_summary",
    "paired_runs",
    "run_means",
]
