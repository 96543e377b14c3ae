"""A posterior conditioned on causal facts: structural targets as one more piece of evidence.

The ABC posterior (analysis/posterior.py) holds the parameter sets the 2011-2017 record allows.
The structural targets (analysis/structural.toml) are what students of the war agree the causes
were, e.g. that without Russia's combat forces the regime would have fallen by 2017. They never
enter the fit, and the record does not decide them: measured on 3 December 2026, the sets of the
shipped posterior that reproduce Russia's rescue fit the train window as well as those that do
not. Issue 14 asks for the counterfactual answers "with and without any structural constraint
you choose to fit". This module is the "with".

Conditioning is one more rejection step of approximate Bayesian computation (Pritchard et al.
1999; the posterior's own method, one summary more): p(theta | train, E) is proportional to
p(theta | train) P(E | theta), where E is the event that a set's ensemble meets every chosen
target on the conditioning seeds. A set that meets them keeps its weight, one that does not is
dropped, and the weights are renormalised. Every set runs on the same seeds (common random
numbers), which are neither the fit's nor the report's. Only targets judged by the end of 2017
may be conditioned on, and their runs stop there, so the conditioning stays in the train
window.

What a conditioned posterior's answers mean: the facts conditioned on hold in it by
construction and are no evidence for themselves; its other answers (the Ukraine war, Hezbollah,
the placebos, the train and test scores) are what the model says *if* those facts are granted.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.structural import StructuralFile, StructuralTarget, evaluate, load_structural
from sim.errors import UserInputError

TRAIN_END = "2017-12"  # the last month of the train window (analysis/targets.toml)
STORE_COLUMNS = ("set", "target", "baseline_share", "variant_share", "difference", "passes")


@dataclass(frozen=True)
class Conditions:
    """What a posterior is conditioned on: structural targets of one file, judged on `seeds`."""

    spec: StructuralFile  # the targets conditioned on (and their baseline)
    seeds: tuple[int, ...]

    @property
    def ids(self) -> list[str]:
        return [t.id for t in self.spec.target]

    @property
    def end(self) -> str:
        """The month the runs stop: the last the targets read."""
        return max(t.fallen_by for t in self.spec.target)

    def key(self, parent_sha256: str) -> str:
        """A short name for these conditions on that posterior (the resumable store's)."""
        text = json.dumps([parent_sha256, self.spec.model_dump(), list(self.seeds)])
        return hashlib.sha256(text.encode()).hexdigest()[:12]


def choose(ids: Sequence[str], seeds: Sequence[int], path: str | Path | None = None) -> Conditions:
    """The structural targets named `ids` of the file at `path` (analysis/structural.toml by
    default). An unknown id, one named twice, or a target judged after the train window is
    refused, naming the file and the target."""
    spec = load_structural(path) if path is not None else load_structural()
    where = path or "analysis/structural.toml"
    known = {t.id: t for t in spec.target}
    chosen: list[StructuralTarget] = []
    for target_id in ids:
        if target_id not in known:
            raise UserInputError(where, f"target.id = {target_id!r}",
                                 f"one of the file's targets: {', '.join(known)}")
        if known[target_id] in chosen:
            raise UserInputError(where, f"target.id = {target_id!r}", "each target once")
        target = known[target_id]
        if target.fallen_by > TRAIN_END:
            raise UserInputError(
                where, f"target.id = {target_id!r}",
                f"a target judged by {TRAIN_END} at the latest (the train window; this one is "
                f"judged by {target.fallen_by}, so conditioning on it would fit the test window)")
        chosen.append(target)
    if not chosen:
        raise UserInputError("TARGET", None, "expected at least one structural target's id")
    return Conditions(spec=spec.model_copy(update={"target": chosen}), seeds=tuple(seeds))


def measure(values: dict[str, float], conditions: Conditions) -> list[dict]:
    """One parameter set's structural targets on the conditioning seeds: each target's
    baseline and variant shares, their difference and whether the target is met. The runs stop
    at `conditions.end` (every scenario alike, so the pairs stay paired)."""
    from sim.ensemble import run_ensemble

    def run(scenario):
        return run_ensemble(scenario, list(conditions.seeds), workers=1, progress=False)

    sets = (*(f"{path}={value!r}" for path, value in values.items()), f"end={conditions.end}")
    table = evaluate(conditions.spec, run, n_boot=1, sets=sets)
    return [{"target": row.id, "baseline_share": float(row.baseline_share),
             "variant_share": float(row.variant_share), "difference": float(row.difference),
             "passes": bool(row.passes)} for row in table.itertuples()]


class Store:
    """The finished sets' measurements, a CSV row a target, appended as each set finishes, so
    an interrupted conditioning goes on where it stopped (`done`)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def done(self) -> dict[int, list[dict]]:
        """The sets measured so far, each target's last row (a line cut short, e.g. by a kill,
        is skipped: `measure_all` runs a set whose targets are not all here again)."""
        if not self.path.is_file():
            return {}
        measured: dict[int, dict[str, dict]] = {}
        with open(self.path, newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                try:
                    index = int(row["set"])
                    entry = {"target": row["target"], "passes": row["passes"] == "True",
                             **{k: float(row[k]) for k in STORE_COLUMNS[2:5]}}
                except (KeyError, TypeError, ValueError):
                    continue
                measured.setdefault(index, {})[entry["target"]] = entry
        return {index: list(by_target.values()) for index, by_target in measured.items()}

    def add(self, index: int, rows: list[dict]) -> None:
        new = not self.path.is_file()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        cut = False
        if not new and self.path.stat().st_size:
            with open(self.path, "rb") as handle:
                handle.seek(-1, 2)
                cut = handle.read(1) != b"\n"
        with open(self.path, "a", newline="", encoding="utf-8") as handle:
            if cut:  # the last line was cut short: the new rows start on a line of their own
                handle.write("\r\n")
            writer = csv.DictWriter(handle, fieldnames=STORE_COLUMNS)
            if new:
                writer.writeheader()
            for row in rows:
                writer.writerow({"set": index, **row})


def measure_all(table: pd.DataFrame, paths: Sequence[str], conditions: Conditions, store: Store,
                map_: Callable = map, on_sets: Callable[[int], object] = lambda count: None
                ) -> dict[int, list[dict]]:
    """Every set of the posterior `table` measured (`measure`), those in `store` read back and
    the others run through `map_` and stored as each finishes; `on_sets(count)` hears of the
    sets done (those read back at once, then one at a time)."""
    measured = store.done()
    todo = [i for i in range(len(table)) if len(measured.get(i, ())) != len(conditions.ids)]
    on_sets(len(table) - len(todo))
    rows = [{p: float(table[p].iloc[i]) for p in paths} for i in todo]
    for index, result in zip(todo, map_(functools.partial(measure, conditions=conditions), rows),
                             strict=True):
        store.add(index, result)
        measured[index] = result
        on_sets(1)
    return measured


def conditioned(table: pd.DataFrame, measured: dict[int, list[dict]],
                ids: Iterable[str]) -> tuple[pd.DataFrame, pd.DataFrame, float]:
    """The sets of `table` that meet every target, their weights renormalised; every set's
    measurements (one row a set and target); and the parent's weight of the sets kept (P(E |
    train) as the sample estimates it). Refused when no set meets them: the targets and
    the train window then contradict each other in this posterior, which is worth knowing and
    not a posterior."""
    ids = list(ids)
    long = pd.DataFrame([{"set": i, **row} for i, rows in sorted(measured.items())
                         for row in rows], columns=list(STORE_COLUMNS))
    passes = long.pivot(index="set", columns="target", values="passes").reindex(
        index=range(len(table)), columns=ids)
    kept = passes.fillna(False).astype(bool).all(axis=1).to_numpy()
    if not kept.any():
        raise UserInputError("TARGET", ", ".join(ids),
                             f"no set of the posterior meets them on these seeds (of "
                             f"{len(table)}); nothing to condition on")
    shares = long.pivot(index="set", columns="target", values="variant_share")
    out = table.loc[kept].copy()
    for target_id in ids:  # what each kept set showed, for the record
        out[f"given:{target_id}"] = shares[target_id].reindex(range(len(table))).to_numpy()[kept]
    weights = out["weight"].to_numpy(dtype=float)
    out["weight"] = weights / weights.sum()
    parent = table["weight"].to_numpy(dtype=float)
    return out.reset_index(drop=True), long, float(parent[kept].sum() / parent.sum())
