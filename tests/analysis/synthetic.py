"""Synthetic ensembles in the shape of the output contract, for testing the analysis layer
before (and independently of) the model.

Each run follows a stylised version of the historical course (the regime's low point in 2015,
recovery to ~53% by December 2017, ISIS's rise and fall, frozen lines, Russia's drawdown in
2022, the fall in late 2024 and what follows) plus noise drawn from the run's own seed, so two
ensembles built on the same seeds share their noise run by run (common random numbers).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.signal import lfilter

from sim.vocabulary import (
    FACTIONS,
    FORCES,
    FOREIGN_STATES,
    PAIR_NAMES,
    STATES,
    month_index,
    month_label,
)

VETO_DATES = (  # analysis/data/unsc_vetoes_syria_2011_2017.csv, then 2018-2020
    "2011-10", "2012-02", "2012-07", "2014-05", "2016-10", "2016-12", "2017-02", "2017-04",
    "2017-10", "2017-11", "2017-11", "2018-04", "2019-09", "2019-12", "2020-07",
)  # fmt: skip
SHOCKS = {
    "uprising": "2011-03",
    "isis_into_syria": "2013-04",
    "ukraine_war": "2022-02",
    "gaza_war": "2023-10",
    "hezbollah_blows": "2024-09",
}
TERMS = ("payoff_survival", "payoff_balancing", "payoff_influence", "payoff_cost", "utility")

# Anchors (month, value) of each run's course before the fall; linear in between.
CONTROL = {
    "regime": [("2011-03", 0.95), ("2012-08", 0.6), ("2014-06", 0.45), ("2015-02", 0.4),
               ("2015-08", 0.22), ("2016-06", 0.33), ("2017-08", 0.37), ("2017-12", 0.53),
               ("2018-12", 0.6), ("2020-06", 0.63), ("2025-12", 0.63)],
    "isis": [("2011-03", 0.0), ("2013-06", 0.0), ("2014-06", 0.3), ("2015-06", 0.48),
             ("2016-06", 0.38), ("2017-08", 0.22), ("2017-12", 0.07), ("2019-03", 0.005),
             ("2025-12", 0.005)],
    "sdf": [("2011-03", 0.0), ("2012-07", 0.03), ("2015-06", 0.05), ("2016-06", 0.15),
            ("2017-08", 0.22), ("2017-12", 0.26), ("2025-12", 0.26)],
}  # fmt: skip
INFLUENCE = {
    "iran": [("2011-03", 0.15), ("2013-06", 0.3), ("2016-01", 0.35), ("2025-12", 0.3)],
    "israel": [("2011-03", 0.02), ("2025-12", 0.05)],
    "russia": [("2011-03", 0.1), ("2015-09", 0.15), ("2016-06", 0.4), ("2021-12", 0.38),
               ("2022-06", 0.3), ("2025-12", 0.28)],
    "turkey": [("2011-03", 0.1), ("2016-08", 0.15), ("2025-12", 0.18)],
    "us": [("2011-03", 0.05), ("2014-09", 0.12), ("2017-12", 0.2), ("2025-12", 0.15)],
}  # fmt: skip
INFLUENCE_AFTER_FALL = {"iran": 0.01, "israel": 0.06, "russia": 0.08, "turkey": 0.45, "us": 0.22}
COOPERATION = {
    "iran-israel": -0.8, "iran-syria": 0.8, "iran-turkey": -0.1, "iran-us": -0.7,
    "israel-russia": 0.2, "israel-syria": -0.6, "israel-turkey": 0.0, "israel-us": 0.8,
    "russia-syria": 0.7, "russia-turkey": 0.0, "russia-us": -0.4, "syria-turkey": -0.6,
    "syria-us": -0.7, "turkey-us": 0.2,
}  # fmt: skip
IRAN_RUSSIA = [("2011-03", 0.25), ("2013-12", 0.3), ("2015-09", 0.6), ("2016-06", 0.7),
               ("2017-12", 0.65), ("2019-06", 0.4), ("2025-12", 0.35)]  # fmt: skip
COOPERATION_AFTER_FALL = {"iran-russia": 0.05, "iran-syria": -0.5, "russia-syria": 0.0,
                          "syria-turkey": 0.6, "syria-us": 0.2}  # fmt: skip
COMMITMENT = {
    "iran": [("2011-03", 0.5), ("2013-06", 3.0), ("2015-06", 6.0), ("2018-06", 4.0),
             ("2025-12", 3.0)],
    "israel": [("2011-03", 0.05), ("2013-01", 0.3), ("2023-10", 0.5), ("2025-12", 0.5)],
    "russia": [("2011-03", 0.1), ("2015-08", 0.2), ("2015-11", 3.0), ("2017-12", 2.5),
               ("2021-12", 1.8), ("2022-04", 0.8), ("2025-12", 0.7)],
    "syria": [("2011-03", 8.0), ("2016-01", 5.0), ("2025-12", 3.0)],
    "turkey": [("2011-03", 0.2), ("2016-08", 1.0), ("2019-10", 1.5), ("2025-12", 1.5)],
    "us": [("2011-03", 0.0), ("2014-09", 0.5), ("2017-12", 2.0), ("2023-01", 1.2),
           ("2025-12", 1.2)],
}  # fmt: skip
COMMITMENT_AFTER_FALL = {"iran": 0.1, "russia": 0.3}
INTERVENTIONS = {"iran": "2012-05", "us": "2014-09", "russia": "2015-09", "turkey": "2016-08"}


@dataclass
class SyntheticEnsemble:
    """The three tables of the output contract (what `sim.output.read_outputs` returns)."""

    timeseries: pd.DataFrame
    events: pd.DataFrame
    summary: pd.DataFrame


def months(start: str, end: str) -> list[str]:
    return [month_label(m) for m in range(month_index(start), month_index(end) + 1)]


# thousands of fighters, after the record's §2c and COW's milper (the regime's reliable share)
MANPOWER = {
    "regime": [("2011-03", 220.0), ("2013-06", 130.0), ("2016-06", 100.0), ("2025-12", 80.0)],
    "opposition": [("2011-03", 0.0), ("2013-09", 100.0), ("2017-12", 70.0), ("2025-12", 60.0)],
    "sdf": [("2011-03", 0.0), ("2015-06", 20.0), ("2018-06", 40.0), ("2025-12", 40.0)],
    "isis": [("2011-03", 0.0), ("2015-06", 30.0), ("2017-12", 5.0), ("2025-12", 1.0)],
    "militias": [("2011-03", 1.0), ("2016-06", 30.0), ("2018-06", 25.0), ("2025-12", 15.0)],
    "hezbollah": [("2011-03", 0.0), ("2013-05", 5.0), ("2017-02", 8.5), ("2024-09", 3.0),
                  ("2025-12", 0.0)],
}


def _course(anchors: list[tuple[str, float]], index: np.ndarray) -> np.ndarray:
    x = np.array([month_index(m) for m, _ in anchors], dtype=float)
    y = np.array([v for _, v in anchors])
    return np.interp(index, x, y)


def _wobble(rng: np.random.Generator, count: int, scale: float) -> np.ndarray:
    """A smooth, mean-reverting noise path (AR(1)) plus a per-run offset."""
    path = lfilter([1.0], [1.0, -0.9], rng.normal(0.0, scale, count))
    return path + rng.normal(0.0, scale)


def synthetic_ensemble(
    runs: int = 20,
    base_seed: int = 0,
    start: str = "2011-03",
    end: str = "2025-12",
    fall_dates: Sequence[str | None] | None = None,
    fall_share: float = 0.8,
    noise: float = 1.0,
) -> SyntheticEnsemble:
    """`runs` runs with seeds `base_seed + r`. `fall_dates` (one per run, None = no fall)
    overrides the default: a fall in late 2024 in about `fall_share` of the runs."""
    ts_parts, event_rows, summary_rows = [], [], []
    labels = months(start, end)
    index = np.array([month_index(m) for m in labels], dtype=float)
    for run in range(runs):
        seed = base_seed + run
        rng = np.random.default_rng(seed)
        # always draw the default fall, so the noise that follows is the seed's alone
        falls, when = rng.random() < fall_share, int(np.clip(rng.normal(0, 1.5), -3, 3))
        fall = month_label(month_index("2024-12") + when) if falls else None
        if fall_dates is not None:
            fall = fall_dates[run]
        rng_events = np.random.default_rng([seed, 1])  # events do not shift the series' draws
        block, events = _run(rng, rng_events, index, labels, fall, noise)
        block.insert(0, "seed", seed)
        block.insert(0, "run", run)
        ts_parts.append(block)
        event_rows += [(run, seed, *e) for e in events]
        interventions = {e[2]: e[1] for e in events if e[3] == "military_intervention"}
        summary_rows.append(
            {
                "run": run,
                "seed": seed,
                "regime_fell": int(fall is not None and fall <= end),
                "regime_fall_date": fall if fall is not None and fall <= end else "",
                **{f"intervention_date_{s}": interventions.get(s, "") for s in STATES},
                "vetoes": sum(1 for e in events if e[3] == "veto"),
            }
        )
    timeseries = pd.concat(ts_parts, ignore_index=True)
    for column in ("date", "variable", "subject"):
        timeseries[column] = timeseries[column].astype(str)
    events = pd.DataFrame(
        event_rows, columns=["run", "seed", "step", "date", "actor", "event", "target", "detail"]
    )
    events = events.astype({"run": np.int64, "seed": np.int64, "step": np.int64})
    for column in ("date", "actor", "event", "target", "detail"):
        events[column] = events[column].astype(str)
    summary = pd.DataFrame(summary_rows)
    return SyntheticEnsemble(timeseries=timeseries, events=events, summary=summary)


def _run(
    rng: np.random.Generator,
    rng_events: np.random.Generator,
    index: np.ndarray,
    labels: list[str],
    fall: str | None,
    noise: float,
) -> tuple[pd.DataFrame, list[tuple]]:
    count = len(index)
    fallen = (
        np.zeros(count, dtype=bool) if fall is None else index >= month_index(fall)
    )  # after the fall
    wobble = {}

    def w(name: str, scale: float) -> np.ndarray:
        wobble[name] = _wobble(rng, count, scale * noise)
        return wobble[name]

    # control: regime, isis and sdf from their courses; the opposition holds the rest
    regime = np.clip(_course(CONTROL["regime"], index) + w("regime", 0.01), 0.05, 0.98)
    isis = np.clip(_course(CONTROL["isis"], index) + w("isis", 0.008), 0.0, 0.7)
    isis[index < month_index("2013-04")] = 0.0
    sdf = np.clip(_course(CONTROL["sdf"], index) + w("sdf", 0.006), 0.0, 0.4)
    if fall is not None:  # the offensive: the regime loses ground in the last three months
        last = (index >= month_index(fall) - 3) & ~fallen
        regime[last] *= 0.75
    opposition = np.clip(1.0 - regime - isis - sdf, 0.02, None)
    total = regime + isis + sdf + opposition
    control = {"regime": regime / total, "opposition": opposition / total, "sdf": sdf / total,
               "isis": isis / total}  # fmt: skip
    control["successor"] = np.where(fallen, control["regime"] + control["opposition"], 0.0)
    control["regime"] = np.where(fallen, 0.0, control["regime"])
    control["opposition"] = np.where(fallen, 0.0, control["opposition"])

    influence = {}
    for state in FOREIGN_STATES:
        course = _course(INFLUENCE[state], index) + w(f"inf_{state}", 0.01)
        influence[state] = np.clip(np.where(fallen, INFLUENCE_AFTER_FALL[state], course), 0, 1)

    cooperation = {}
    for pair in PAIR_NAMES:
        course = _course(IRAN_RUSSIA, index) if pair == "iran-russia" else COOPERATION[pair]
        after = COOPERATION_AFTER_FALL.get(pair)
        level = np.where(fallen, after, course) if after is not None else course
        cooperation[pair] = np.clip(level + w(f"coop_{pair}", 0.015), -1, 1)

    commitment = {}
    for state in STATES:
        course = _course(COMMITMENT[state], index) * (1 + w(f"com_{state}", 0.02))
        after = COMMITMENT_AFTER_FALL.get(state)
        commitment[state] = np.clip(np.where(fallen, after, course) if after else course, 0, None)

    payoffs = {}
    for state in STATES:
        survival = -(1 - control["regime"] - control["successor"]) * (
            0.3 + 0.7 * (state == "syria")
        )
        balancing = 0.3 * cooperation["iran-russia"] if state in ("iran", "russia") else 0.0 * index
        sway = control["regime"] if state == "syria" else influence.get(state, 0.0 * index)
        cost = commitment[state] / 10.0
        payoffs[state] = (survival, balancing + w(f"bal_{state}", 0.01), sway, cost)
    morale = np.clip(0.7 - 0.3 * (index < month_index("2016-01")) + w("morale", 0.02), 0.02, 1)

    columns = []  # (variable, subject, values)
    columns += [("control", f, control[f]) for f in FACTIONS]
    columns += [("influence", s, influence[s]) for s in FOREIGN_STATES]
    columns += [("cooperation", p, cooperation[p]) for p in PAIR_NAMES]
    columns += [("commitment", s, commitment[s]) for s in STATES]
    for t, term in enumerate(TERMS[:4]):
        columns += [(term, s, payoffs[s][t]) for s in STATES]
    columns += [
        ("utility", s, payoffs[s][0] + payoffs[s][1] + payoffs[s][2] - payoffs[s][3])
        for s in STATES
    ]
    columns += [("morale", "regime", np.where(fallen, np.nan, morale))]
    columns += [
        ("manpower", f, np.clip(_course(MANPOWER[f], index) * (1 + w(f"man_{f}", 0.02)), 0, None))
        for f in FORCES
    ]
    width = len(columns)
    block = pd.DataFrame(
        {
            "step": np.repeat(np.arange(1, count + 1), width),
            "date": np.repeat(np.array(labels, dtype=object), width),
            "variable": np.tile(np.array([c[0] for c in columns], dtype=object), count),
            "subject": np.tile(np.array([c[1] for c in columns], dtype=object), count),
            "value": np.stack([c[2] for c in columns], axis=1).ravel(),
        }
    )
    return block, _events(rng_events, labels, fall)


def _events(rng: np.random.Generator, labels: list[str], fall: str | None) -> list[tuple]:
    """(step, date, actor, event, target, detail) rows in the order they happen."""
    first, last = labels[0], labels[-1]
    rows: list[tuple[str, str, str, str, str]] = []

    def shift(month: str, sd: float) -> str:
        return month_label(month_index(month) + int(np.clip(np.round(rng.normal(0, sd)), -3, 3)))

    for name, month in SHOCKS.items():
        rows.append((month, "world", "shock", "", name))
    entered = {}
    for state, month in INTERVENTIONS.items():
        entered[state] = shift(month, 1.2)
        rows.append((entered[state], state, "military_intervention", "syria", "air_campaign"))
    for state in ("us", "russia"):
        for m in months(entered[state], last):
            rows.append((m, state, "airstrike", "isis", "strikes on isis"))
    for m in months(shift("2013-01", 1.0), last):
        if rng.random() < 0.6:
            rows.append((m, "israel", "airstrike", "iran", "strikes on militias"))
    for month in VETO_DATES:
        if rng.random() < 0.95:
            rows.append((month, "russia", "veto", "us", "draft"))
    rows.append((entered["russia"], "israel", "deconfliction", "russia", ""))
    rows.append(("2012-06", "russia", "negotiation", "us", "geneva"))
    rows.append((shift("2017-01", 0.8), "russia", "negotiation", "iran+turkey", "astana"))
    rows.append(("2020-03", "russia", "ceasefire", "opposition", "astana"))
    if fall is not None:
        rows.append((fall, "syria", "regime_collapse", "", "key governorates 0.20, morale 0.10"))
        rows.append((fall, "iran", "withdrawal", "syria", "combat forces leave"))
    rows = sorted((r for r in rows if first <= r[0] <= last), key=lambda r: r[0])
    start = month_index(first)
    return [(month_index(r[0]) - start + 1, *r) for r in rows]


def write_outputs(ensemble: SyntheticEnsemble, out_dir: Path, scenario: str = "synthetic") -> Path:
    """Write the ensemble as a results folder in the contract's format."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in ("timeseries", "events", "summary"):
        getattr(ensemble, name).to_csv(
            out_dir / f"{name}.csv", index=False, float_format="%.6g", lineterminator="\n"
        )
    manifest = {
        "scenario": scenario,
        "resolved": {"name": scenario, "parameters": {"russia": {"resolve": 0.8}}},
        "seeds": [int(s) for s in ensemble.summary["seed"]],
        "version": "0.1.0",
        "git": {"commit": "0" * 40, "dirty": False},
    }
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return out_dir


def tables(
    series: Sequence[tuple[int, str, str, str, float]] = (),
    events: Sequence[tuple[int, str, str, str, str, str]] = (),
    runs: int | None = None,
) -> SyntheticEnsemble:
    """A hand-made ensemble: `series` rows are (run, date, variable, subject, value), `events`
    rows (run, date, actor, event, target, detail); seeds are 100 + run."""
    count = runs if runs is not None else 1 + max([r[0] for r in (*series, *events)], default=-1)
    timeseries = pd.DataFrame(list(series), columns=["run", "date", "variable", "subject", "value"])
    timeseries.insert(1, "seed", timeseries["run"] + 100)
    timeseries.insert(2, "step", 1)
    table = pd.DataFrame(
        list(events), columns=["run", "date", "actor", "event", "target", "detail"]
    )
    table.insert(1, "seed", table["run"] + 100)
    table.insert(2, "step", 1)
    for frame, text in ((timeseries, ("date", "variable", "subject")),
                        (table, ("date", "actor", "event", "target", "detail"))):  # fmt: skip
        for column in text:
            frame[column] = frame[column].astype(str)
        for column in ("run", "seed", "step"):
            frame[column] = frame[column].astype(np.int64)
    summary = pd.DataFrame({"run": range(count), "seed": [100 + r for r in range(count)]})
    summary["regime_fell"] = 0
    summary["regime_fall_date"] = ""
    return SyntheticEnsemble(timeseries=timeseries, events=table, summary=summary)
