"""The model as the dashboard drives it: every widget is a keyword argument with a default, and
every value goes through the one scenario loader (`sim.scenario.load_scenario`), so a value from
a widget is validated exactly like a value in a scenario file.

Scenarios come only from the project's `scenarios/` folder (`list_scenarios()`); the picker
never takes a path.

This module is the dashboard's one meeting point with sim/: every other dashboard module reads
the model through the functions here (or through the model's public state these pass on).
"""

from __future__ import annotations

import csv
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np

from dashboard.names import FACTION_NAMES, option_text, state_name
from sim import ensemble
from sim import params as P
from sim.errors import UserInputError
from sim.model import SyriaModel
from sim.scenario import Scenario, list_scenarios, load_scenario
from sim.vocabulary import FACTIONS, FOREIGN_STATES, STATES, month_index, month_label

DEFAULT_SCENARIO = "full_2011_2025"
# the outside wars a user can switch off (each must be a shock of the scenario to apply)
SHOCK_SWITCHES = ("ukraine_war", "gaza_war", "hezbollah_blows", "lebanon_war")


def defaults() -> dict:
    return P.load_defaults()


def default_values() -> dict[str, float]:
    """The sliders' starting values: the shipped parameters."""
    tree = defaults()
    out = {"temperature": float(tree["choice"]["temperature"])}
    for state in FOREIGN_STATES:
        out[f"{state}_survival"] = float(tree[state]["weights"]["survival"])
        out[f"{state}_resolve"] = float(tree[state]["resolve"])
    return out


def overrides(values: dict[str, float], shocks_on: dict[str, bool],
              scenario_shocks: set[str]) -> list[str]:
    """`--set` items for the values that differ from the shipped parameters. A state's
    survival weight takes its share from balancing and influence in their shipped ratio, so
    the three still sum to 1."""
    tree, start = defaults(), default_values()
    sets = []
    if values["temperature"] != start["temperature"]:
        sets.append(f"choice.temperature={values['temperature']!r}")
    for state in FOREIGN_STATES:
        resolve = values[f"{state}_resolve"]
        if resolve != start[f"{state}_resolve"]:
            sets.append(f"{state}.resolve={resolve!r}")
        survival = values[f"{state}_survival"]
        if survival != start[f"{state}_survival"]:
            w = tree[state]["weights"]
            rest = w["balancing"] + w["influence"]
            balancing = (1.0 - survival) * (w["balancing"] / rest if rest else 0.5)
            sets += [f"{state}.weights.survival={survival!r}",
                     f"{state}.weights.balancing={balancing!r}",
                     f"{state}.weights.influence={1.0 - survival - balancing!r}"]
    for name, on in shocks_on.items():
        if not on and name in scenario_shocks:
            sets.append(f"shocks.{name}.enabled=false")
    return sets


@lru_cache(maxsize=32)  # Reset with the same settings rebuilds nothing it can reuse
def scenario_for(name: str, sets: tuple[str, ...]) -> Scenario:
    if name not in list_scenarios():
        raise UserInputError("scenario picker", "scenario",
                             f"one of the scenarios in scenarios/ ({', '.join(list_scenarios())})")
    return load_scenario(name, list(sets))


def parse_seed(text: str | int | None) -> int:
    try:
        seed = int(str(text).strip())
    except ValueError:
        raise UserInputError("seed box", "seed", f"a whole number >= 0, got {text!r}") from None
    if seed < 0:
        raise UserInputError("seed box", "seed", f"a whole number >= 0, got {seed}")
    return seed


_START = default_values()
RECORD = Path(__file__).resolve().parents[1] / "analysis" / "data" / "control_record_2011_2017.csv"


class DashboardModel(SyriaModel):
    """`SyriaModel` with the dashboard's widgets as keyword arguments.

    A bad value does not stop the page: the model falls back to the shipped scenario and seed 0
    and keeps the message in `input_error`, which the page shows.
    """

    def __init__(self, scenario_name: str = DEFAULT_SCENARIO, seed: str = "1",
                 temperature: float = _START["temperature"],
                 iran_survival: float = _START["iran_survival"],
                 iran_resolve: float = _START["iran_resolve"],
                 israel_survival: float = _START["israel_survival"],
                 israel_resolve: float = _START["israel_resolve"],
                 russia_survival: float = _START["russia_survival"],
                 russia_resolve: float = _START["russia_resolve"],
                 turkey_survival: float = _START["turkey_survival"],
                 turkey_resolve: float = _START["turkey_resolve"],
                 us_survival: float = _START["us_survival"],
                 us_resolve: float = _START["us_resolve"],
                 ukraine_war: bool = True, gaza_war: bool = True, hezbollah_blows: bool = True,
                 lebanon_war: bool = True, rng=None) -> None:
        values = {k: v for k, v in locals().items() if k.endswith(("_survival", "_resolve"))}
        values["temperature"] = temperature
        switches = {"ukraine_war": ukraine_war, "gaza_war": gaza_war,
                    "hezbollah_blows": hezbollah_blows, "lebanon_war": lebanon_war}
        self.input_error: str | None = None
        try:
            base = scenario_for(scenario_name, ())
            sets = overrides(values, switches, set(base.shocks))
            spec = scenario_for(scenario_name, tuple(sets))
            seed_value = parse_seed(seed) if rng is None else int(rng)
        except UserInputError as exc:
            self.input_error = str(exc)
            spec, seed_value = scenario_for(DEFAULT_SCENARIO, ()), 0
        self.scenario_name = spec.name
        self.seed_value = seed_value
        super().__init__(spec, rng=seed_value)


# --- everything else the dashboard reads off the model (the one place it touches sim/) ------


def build(settings: dict) -> DashboardModel:
    """A model from the page's settings (the keyword arguments of `DashboardModel`)."""
    return DashboardModel(**settings)


def replay_to(model: DashboardModel, settings: dict, month: int) -> DashboardModel:
    """The run at `month` (a month index): runs on are deterministic for a seed, so a month
    already passed is replayed from the start, a later one stepped to."""
    if month < model.month:
        model = build(settings)
    while model.running and model.month < month:
        model.step()
    return model


def why_rows(model: DashboardModel, state: str) -> tuple[list[dict], dict[str, float]]:
    """The options `state` weighed this month with every term of the utility the logit chose
    on, as contributions that add up to it: weight x survival, balancing and influence, minus
    the cost, the entry cost (booked into the model's cost term when an option takes the
    state into the war) and the switching cost (any change of course); and the weights."""
    actor = model.states[state]
    rows = actor.why()
    if not rows:
        return [], {}
    n = STATES.index(state)
    # the weights and costs `SyriaModel.decide` hands the choice this month
    weights = model.shocks.weight_matrix(model.month, model.base_weights)[n]
    switching = float(model.params["choice"]["switching_cost"])
    entry = float(model.vectors["entry_cost"][n])
    # private: StateActor has no public accessor for them yet (docs/dashboard.md)
    alternatives = actor._alternatives
    out = []
    for i, (row, k) in enumerate(zip(rows, actor._rows, strict=True)):
        entering = bool(alternatives.entering[k]) and int(alternatives.owner[k]) == n
        contributions = {
            "survival": weights[0] * row["survival"], "balancing": weights[1] * row["balancing"],
            "influence": weights[2] * row["influence"],
            "cost": -(row["cost"] - (entry if entering else 0.0)),
            "entry": -entry if entering else 0.0,
            "switching": -switching if i > 0 else 0.0}
        out.append({**contributions, "label": row["label"], "text": option_text(row["label"]),
                    "utility": row["utility"] + contributions["switching"],
                    "probability": row["probability"], "chosen": row["chosen"]})
    return out, dict(zip(("survival", "balancing", "influence"), weights.tolist(), strict=True))


def reading(state: str, rows: list[dict]) -> str:
    """One line on the choice: what was picked and, against the best other option, the terms
    that made the difference ("Russia kept its portfolio: adding ground troops would raise
    balancing by +0.040 but cost -0.120")."""
    if not rows:
        return ""
    chosen = next(r for r in rows if r["chosen"])
    others = sorted((r for r in rows if not r["chosen"]), key=lambda r: -r["utility"])
    who = state_name(state, start=True)
    did = ("kept its portfolio" if chosen["label"] == "keep"
           else f"chose to {chosen['text']}")
    best = max(rows, key=lambda r: r["utility"])
    chance = f" (a chance pick, p = {chosen['probability']:.2f})" if best is not chosen else ""
    if not others:
        return f"{who} {did}{chance}: it had no other option."
    other = others[0]
    diffs = sorted(((k, other[k] - chosen[k]) for k in
                    ("survival", "balancing", "influence", "cost", "entry", "switching")),
                   key=lambda kv: -abs(kv[1]))[:2]
    said = " and ".join(f"{k} by {d:+.3f}" for k, d in diffs if abs(d) >= 0.0005)
    total = other["utility"] - chosen["utility"]
    return (f"{who} {did}{chance}: to {other['text']} instead would change "
            f"{said or 'nothing visible'}, {total:+.3f} in utility in all.")


def run_summary(model: DashboardModel) -> dict:
    """The run so far: fall date, who intervened when, and who gained the most."""
    influence = model.datacollector.model_vars.get("influence") or []
    control = model.datacollector.model_vars.get("control") or []
    last_influence = np.asarray(influence[-1]) if influence else np.zeros(len(STATES))
    last_control = np.asarray(control[-1]) if control else np.zeros(len(FACTIONS))
    ranked = sorted(FOREIGN_STATES, key=lambda s: -last_influence[STATES.index(s)])
    return {
        "finished": not model.running,
        "fall": None if model.fallen_at is None else month_label(model.fallen_at),
        "interventions": {state_name(s, True): month_label(a.intervened)
                          for s, a in model.states.items() if a.intervened is not None},
        "winners": [(state_name(s, True), float(last_influence[STATES.index(s)]))
                    for s in ranked[:2]],
        "holders": sorted(((FACTION_NAMES[f], float(last_control[i]))
                           for i, f in enumerate(FACTIONS) if last_control[i] > 0.005),
                          key=lambda kv: -kv[1]),
    }


def _as_run(model: DashboardModel) -> ensemble.RunResult:
    series = {name: np.stack([np.asarray(v, dtype=float) for v in values])
              for name, values in model.datacollector.model_vars.items() if values}
    return ensemble.RunResult(seed=model.seed_value, start=model.spec.start, series=series,
                              events=list(model.events))


def series_csv(model: DashboardModel) -> str:
    """The run so far as the output contract's `timeseries.csv` (sim/ensemble.py)."""
    if not model.steps:
        return ",".join(ensemble.TIMESERIES_COLUMNS) + "\n"
    return ensemble.timeseries_frame([_as_run(model)]).to_csv(index=False)


def events_csv(model: DashboardModel) -> str:
    """The run's events as the output contract's `events.csv`."""
    return ensemble.events_frame([_as_run(model)]).to_csv(index=False)


# --- ensembles --------------------------------------------------------------------------------


def spec_of(settings: dict, scenario_name: str | None = None) -> Scenario:
    """The scenario the settings make, or another scenario (a counterfactual) with the same
    settings applied."""
    model_settings = {**settings}
    if scenario_name is not None:
        model_settings["scenario_name"] = scenario_name
    return DashboardModel(**model_settings).spec


def run_seeds(spec: Scenario, seeds: list[int], progress=None,
              cancelled=lambda: False) -> list[ensemble.RunResult]:
    """`sim.ensemble.run_results`, a seed at a time so the page can show progress."""
    results = []
    for seed in seeds:
        if cancelled():
            break
        results += ensemble.run_results(spec, [seed], workers=1, progress=False)
        if progress is not None:
            progress(len(results))
    return results


def fan(results: list[ensemble.RunResult], reporter: str, column: int,
        quantiles=(0.1, 0.5, 0.9)) -> np.ndarray:
    """(3, T) quantiles over runs of one column of a reporter, month by month."""
    stack = np.stack([r.series[reporter][:, column] for r in results])
    return np.quantile(stack, quantiles, axis=0)


def fallen_by(results: list[ensemble.RunResult]) -> np.ndarray:
    """(T,) the share of runs in which the regime has fallen by each month."""
    steps = results[0].steps
    fallen = np.zeros((len(results), steps))
    for i, run in enumerate(results):
        date = run.summary["regime_fall_date"]
        if date:
            fallen[i, max(month_index(date) - run.start, 0):] = 1.0
    return fallen.mean(axis=0)


def paired_difference(base: list[ensemble.RunResult], other: list[ensemble.RunResult],
                      reporter: str, column: int) -> np.ndarray:
    """(3, T) quantiles of other - base, run by run on the same seeds."""
    diff = np.stack([o.series[reporter][:, column] - b.series[reporter][:, column]
                     for b, o in zip(base, other, strict=True)])
    return np.quantile(diff, (0.1, 0.5, 0.9), axis=0)


@lru_cache(maxsize=1)
def record_points() -> tuple[tuple[int, str, float, str, str], ...]:
    """The record's estimates of control (analysis/data/control_record_2011_2017.csv):
    (month, faction, share, bound, source)."""
    with RECORD.open(encoding="utf-8") as handle:
        return tuple((month_index(r["date"]), r["subject"], float(r["share"]), r["bound"],
                      r["source"]) for r in csv.DictReader(handle))


# --- the kernels ----------------------------------------------------------------------------

KERNELS_READY = threading.Event()
_warming = threading.Lock()


def warm_kernels() -> None:
    """Compile the model's numba kernels once per server (they are cached on disk after the
    first time): a model built and stepped in a background thread."""
    if KERNELS_READY.is_set() or not _warming.acquire(blocking=False):
        return

    def work() -> None:
        try:
            model = DashboardModel()
            model.step()
        finally:
            KERNELS_READY.set()

    threading.Thread(target=work, name="numba-warm-up", daemon=True).start()
