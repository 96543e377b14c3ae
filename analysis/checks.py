"""Checks of an ensemble against the historical targets.

One pure function per kind of target: it takes the target and the ensemble's tables and returns,
for every run, whether the run passes (a boolean Series indexed by `run`). `evaluate` runs them
all and gives the share of runs that pass each target; `score` averages that over a set.
A target whose months the ensemble does not cover (a scenario that starts later or ends earlier)
is not applicable: its share is NaN and it counts in no score.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pandas as pd

from analysis.targets import (
    Band,
    Change,
    EventCount,
    EventEachYear,
    EventMatch,
    EventOrder,
    EventRise,
    EventWindow,
    ExtremumDate,
    Largest,
    Rescue,
    Target,
)
from sim.strikes import count_of
from sim.vocabulary import month_index, month_label

EVALUATION_COLUMNS = ("id", "set", "description", "share_pass", "n_runs", "source")


class EnsembleFrames(Protocol):
    """The tables of the output contract (e.g. `sim.ensemble.Ensemble`, or `read_outputs(DIR)`)."""

    timeseries: pd.DataFrame
    events: pd.DataFrame
    summary: pd.DataFrame


# --- reading the tables -----------------------------------------------------------------------


def runs_of(ensemble: EnsembleFrames) -> pd.Index:
    """Every run of the ensemble (the summary has one row per run)."""
    runs = pd.concat([ensemble.summary["run"], pd.Series(ensemble.timeseries["run"].unique())])
    return pd.Index(np.sort(runs.unique()), name="run")


def months_covered(ensemble: EnsembleFrames) -> tuple[str, str] | None:
    """First and last month of the ensemble's timeseries (None when it is empty)."""
    dates = ensemble.timeseries["date"]
    return (str(dates.min()), str(dates.max())) if len(dates) else None


def applies(target: Target, ensemble: EnsembleFrames) -> bool:
    """Whether the ensemble covers every month the target is about."""
    return _covers(months_covered(ensemble), target)


def _covers(covered: tuple[str, str] | None, target: Target) -> bool:
    if covered is None:
        return False
    start, end = target.period()
    return covered[0] <= start and end <= covered[1]


def window_values(
    timeseries: pd.DataFrame, variable: str, subject: str | None, window: tuple[str, str]
) -> pd.DataFrame:
    """Values of one variable in a window: a (run × date) table for one subject, or a
    (run, subject) × date table for all its subjects when `subject` is None."""
    keep = timeseries["variable"] == variable
    if subject is not None:
        keep &= timeseries["subject"] == subject
    keep &= (timeseries["date"] >= window[0]) & (timeseries["date"] <= window[1])
    index = ["run"] if subject is not None else ["run", "subject"]
    rows = timeseries.loc[keep.to_numpy(), [*index, "date", "value"]]
    return rows.pivot(index=index, columns="date", values="value")


def window_mean(
    timeseries: pd.DataFrame, variable: str, subject: str, window: tuple[str, str]
) -> pd.Series:
    """Each run's mean of a variable over a window (indexed by run)."""
    return window_values(timeseries, variable, subject, window).mean(axis=1)


def matching(events: pd.DataFrame, match: EventMatch) -> pd.DataFrame:
    """The events a target's `match` selects."""
    keep = events["event"] == match.event
    for column in ("actor", "target"):
        wanted = getattr(match, column)
        if wanted is not None:
            keep &= events[column].isin([wanted] if isinstance(wanted, str) else wanted)
    if match.detail is not None:
        keep &= events["detail"] == match.detail
    return events[keep]


def first_dates(
    events: pd.DataFrame, match: EventMatch, since: str | None = None, until: str | None = None
) -> pd.Series:
    """Month of each run's first matching event in [since, until] (runs without one absent)."""
    found = matching(events, match)
    if since is not None:
        found = found[found["date"] >= since]
    if until is not None:
        found = found[found["date"] <= until]
    return found.groupby("run")["date"].min()


def _per_run(passed: pd.Series, ensemble: EnsembleFrames) -> pd.Series:
    """A pass/fail value for every run; a run with nothing to judge fails."""
    out = passed.astype("boolean").reindex(runs_of(ensemble)).fillna(False).astype(bool)
    out.name = "passed"
    return out


# --- one check per kind -----------------------------------------------------------------------


def check_band(target: Band, ensemble: EnsembleFrames) -> pd.Series:
    """The variable's mean (or min, or max) over the window lies in [lo, hi]."""
    values = window_values(ensemble.timeseries, target.variable, target.subject, target.window)
    level = getattr(values, target.stat)(axis=1)
    return _per_run(level.between(target.lo, target.hi), ensemble)


def check_change(target: Change, ensemble: EnsembleFrames) -> pd.Series:
    """The variable's mean moves up, down, or stays flat, from `before` to `after`."""
    ts = ensemble.timeseries
    before = window_mean(ts, target.variable, target.subject, target.before)
    after = window_mean(ts, target.variable, target.subject, target.after)
    change = after - before.reindex(after.index)
    if target.direction == "up":
        passed = change > target.margin
    elif target.direction == "down":
        passed = change < -target.margin
    else:
        passed = change.abs() <= target.margin
    return _per_run(passed, ensemble)


def check_largest(target: Largest, ensemble: EnsembleFrames) -> pd.Series:
    """The subject's window mean is strictly larger than every other subject's."""
    means = window_values(ensemble.timeseries, target.variable, None, target.window).mean(axis=1)
    table = means.unstack("subject")
    if target.subject not in table.columns:
        return _per_run(pd.Series(dtype=bool), ensemble)
    others = table.drop(columns=target.subject).max(axis=1)
    return _per_run(table[target.subject] > others, ensemble)


def check_extremum_date(target: ExtremumDate, ensemble: EnsembleFrames) -> pd.Series:
    """The month of the variable's min (or max) within `search` falls in `window`
    (the first such month if it is reached more than once)."""
    values = window_values(ensemble.timeseries, target.variable, target.subject, target.search)
    matrix = values.to_numpy(dtype=float)
    filler = np.inf if target.stat == "min" else -np.inf
    filled = np.where(np.isnan(matrix), filler, matrix)
    at = filled.argmin(axis=1) if target.stat == "min" else filled.argmax(axis=1)
    dates = pd.Series(np.asarray(values.columns, dtype=object)[at], index=values.index)
    inside = (dates >= target.window[0]) & (dates <= target.window[1])
    has_data = pd.Series(~np.isnan(matrix).all(axis=1), index=values.index)
    return _per_run(inside & has_data, ensemble)


def check_rescue(target: Rescue, ensemble: EnsembleFrames) -> pd.Series:
    """The first matching event in `search` comes at most `lag` months after the variable's
    minimum over `search` (not before it), and the variable is higher `after` months on (at
    the end of `search`, if sooner) than at the event by more than `margin`. A run without the
    event fails."""
    ts = ensemble.timeseries
    values = window_values(ts, target.variable, target.subject, target.search)
    low = values.idxmin(axis=1, skipna=True).dropna()
    event = first_dates(ensemble.events, target.match, *target.search)
    runs = low.index.intersection(event.index)
    low_at = np.array([month_index(str(d)) for d in low[runs]], dtype=int)
    at = np.array([month_index(str(d)) for d in event[runs]], dtype=int)
    timely = (at >= low_at) & (at <= low_at + target.lag)
    last = month_index(target.search[1])
    later = [month_label(min(m + target.after, last)) for m in at]
    series = ts[(ts["variable"] == target.variable) & (ts["subject"] == target.subject)]
    value = series.set_index(["run", "date"])["value"]
    then = value.reindex(list(zip(runs, event[runs], strict=True))).to_numpy(dtype=float)
    after = value.reindex(list(zip(runs, later, strict=True))).to_numpy(dtype=float)
    recovered = after - then > target.margin  # False where a month is missing (NaN)
    return _per_run(pd.Series(timely & recovered, index=runs), ensemble)


def check_event_window(target: EventWindow, ensemble: EnsembleFrames) -> pd.Series:
    """The first matching event (from `search_from`, if given) falls in the window."""
    first = first_dates(ensemble.events, target.match, since=target.search_from)
    return _per_run((first >= target.window[0]) & (first <= target.window[1]), ensemble)


def check_event_order(target: EventOrder, ensemble: EnsembleFrames) -> pd.Series:
    """Within the window both events happen, the `first` in a strictly earlier month."""
    start, end = target.window
    first = first_dates(ensemble.events, target.first, start, end)
    second = first_dates(ensemble.events, target.second, start, end)
    both = pd.concat([first.rename("first"), second.rename("second")], axis=1).dropna()
    return _per_run(both["first"] < both["second"], ensemble)


def counted_in(
    events: pd.DataFrame, match: EventMatch, window: tuple[str, str], count: str
) -> pd.Series:
    """Each run's number of matching events in the window (`count` "events"), or of the
    strikes they report ("strikes": `sim.strikes.count_of` of each detail); runs without
    one are absent."""
    found = matching(events, match)
    found = found[(found["date"] >= window[0]) & (found["date"] <= window[1])]
    if count == "strikes":
        weight = found["detail"].fillna("").astype(str).map(count_of).astype(np.int64)
        totals = weight.groupby(found["run"]).sum()
    else:
        totals = found.groupby("run").size()
    return totals.astype(np.int64)


def _months(window: tuple[str, str]) -> int:
    return month_index(window[1]) - month_index(window[0]) + 1


def check_event_count(target: EventCount, ensemble: EnsembleFrames) -> pd.Series:
    """The number of matching events (or strikes) in the window lies in [lo, hi]."""
    counts = counted_in(ensemble.events, target.match, target.window, target.count)
    counts = counts.reindex(runs_of(ensemble), fill_value=0)
    return _per_run(counts.between(target.lo, target.hi), ensemble)


def check_event_rise(target: EventRise, ensemble: EnsembleFrames) -> pd.Series:
    """Matching events (or strikes) a month in `after` exceed those in `before` by more
    than `margin`."""
    runs = runs_of(ensemble)
    before = counted_in(ensemble.events, target.match, target.before, target.count)
    after = counted_in(ensemble.events, target.match, target.after, target.count)
    before = before.reindex(runs, fill_value=0) / _months(target.before)
    after = after.reindex(runs, fill_value=0) / _months(target.after)
    return _per_run(after > before + target.margin, ensemble)


def check_event_each_year(target: EventEachYear, ensemble: EnsembleFrames) -> pd.Series:
    """At least `min_per_year` matching events in every year of the range."""
    first, last = target.years
    found = matching(ensemble.events, target.match)
    years = found["date"].str.slice(0, 4).astype(int)
    found = found.assign(year=years)[(years >= first) & (years <= last)]
    counts = (
        found.groupby(["run", "year"])
        .size()
        .unstack("year")
        .reindex(index=runs_of(ensemble), columns=range(first, last + 1))
        .fillna(0)
    )
    return _per_run((counts >= target.min_per_year).all(axis=1), ensemble)


CHECKS: dict[str, Callable[..., pd.Series]] = {
    "band": check_band,
    "change": check_change,
    "largest": check_largest,
    "extremum_date": check_extremum_date,
    "rescue": check_rescue,
    "event_window": check_event_window,
    "event_order": check_event_order,
    "event_count": check_event_count,
    "event_each_year": check_event_each_year,
    "event_rise": check_event_rise,
}


def check(target: Target, ensemble: EnsembleFrames) -> pd.Series:
    """Pass/fail of every run on one target, whatever its kind."""
    return CHECKS[target.kind](target, ensemble)


# --- the validation table ---------------------------------------------------------------------


@dataclass
class _Frames:
    timeseries: pd.DataFrame
    events: pd.DataFrame
    summary: pd.DataFrame


def outcomes(targets: Iterable[Target], ensemble: EnsembleFrames) -> pd.DataFrame:
    """Pass/fail per run (rows) and target (columns); <NA> where a target does not apply."""
    runs = runs_of(ensemble)
    covered = months_covered(ensemble)
    # split the long table once, so each check scans only its own variable's rows
    ts = ensemble.timeseries
    by_variable = {str(v): rows for v, rows in ts.groupby("variable", sort=False)}
    columns = {}
    for target in targets:
        if not _covers(covered, target):
            columns[target.id] = pd.Series(pd.NA, index=runs, dtype="boolean")
            continue
        variable = getattr(target, "variable", None)
        rows = by_variable.get(variable, ts.iloc[:0]) if variable else ts.iloc[:0]
        frames = _Frames(rows, ensemble.events, ensemble.summary)
        columns[target.id] = check(target, frames).astype("boolean").reindex(runs)
    return pd.DataFrame(columns, index=runs)


def evaluate(targets: Iterable[Target], ensemble: EnsembleFrames) -> pd.DataFrame:
    """One row per target: `id, set, description, share_pass, n_runs, source`.

    `share_pass` is the share of runs that pass; NaN (and `n_runs` 0) when the ensemble does
    not cover the target's months.
    """
    targets = list(targets)
    table = outcomes(targets, ensemble)
    rows = []
    for target in targets:
        passed = table[target.id].dropna()
        rows.append(
            {
                "id": target.id,
                "set": target.set,
                "description": target.description,
                "share_pass": float(passed.mean()) if len(passed) else np.nan,
                "n_runs": len(passed),
                "source": target.source,
            }
        )
    return pd.DataFrame(rows, columns=list(EVALUATION_COLUMNS))


def score(table: pd.DataFrame, set: str) -> float:
    """Mean share of runs passing the applicable targets of one set (`train` or `test`)."""
    if set not in ("train", "test"):
        raise ValueError(f"set must be 'train' or 'test', got {set!r}")
    shares = table.loc[table["set"] == set, "share_pass"].dropna()
    return float(shares.mean()) if len(shares) else float("nan")


__all__ = [
    "CHECKS",
    "EVALUATION_COLUMNS",
    "EnsembleFrames",
    "applies",
    "check",
    "check_band",
    "check_change",
    "check_event_count",
    "check_event_each_year",
    "check_event_order",
    "check_event_rise",
    "check_event_window",
    "check_extremum_date",
    "check_largest",
    "evaluate",
    "first_dates",
    "matching",
    "months_covered",
    "outcomes",
    "runs_of",
    "score",
    "window_mean",
    "window_values",
]
