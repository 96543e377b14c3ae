"""Ensembles and their outputs: the contract's tables, reproducibility, atomic writing."""

from __future__ import annotations

import pickle
import re

import numpy as np
import pandas as pd
import pytest

import sim.output
from sim.ensemble import (
    EVENT_COLUMNS,
    SUMMARY_COLUMNS,
    SUMMARY_DATE_COLUMNS,
    TIMESERIES_COLUMNS,
    VARIABLES,
    Ensemble,
    frames,
    run_ensemble,
    run_one,
    seeds_for,
)
from sim.output import read_outputs, write_outputs
from sim.scenario import ScenarioSpec, load_scenario
from sim.vocabulary import FACTIONS, FORCES, FOREIGN_STATES, PAIR_NAMES, STATES, month_label

CSVS = ("timeseries.csv", "events.csv", "summary.csv")
SEEDS = [0, 1]


@pytest.fixture(scope="module")
def scenario() -> ScenarioSpec:
    """The calibration scenario cut to its first ten months."""
    return load_scenario("cooperation_2011_2017", sets=["end=2011-12"])


@pytest.fixture(scope="module")
def ensemble(scenario: ScenarioSpec) -> Ensemble:
    return run_ensemble(scenario, SEEDS, progress=False)


def test_seeds_are_consecutive_from_the_base_seed():
    assert seeds_for(7, 3) == [7, 8, 9]
    assert seeds_for(0, 0) == []


def test_same_scenario_and_seed_give_byte_identical_csvs(scenario, ensemble, tmp_path):
    again = run_ensemble(scenario, SEEDS, progress=False)
    first = write_outputs(ensemble, tmp_path / "a", scenario, SEEDS, ["test"])
    second = write_outputs(again, tmp_path / "b", scenario, SEEDS, ["test"])
    for name in CSVS:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    assert (first / "manifest.json").is_file()


def test_different_seeds_give_different_runs(scenario):
    one, other = run_one(scenario, 0), run_one(scenario, 1)
    assert not np.array_equal(one.wide(), other.wide())


def test_timeseries_follows_the_contract(scenario, ensemble):
    ts = ensemble.timeseries
    assert tuple(ts.columns) == TIMESERIES_COLUMNS
    assert set(ts["variable"]) == set(VARIABLES)
    assert list(ts["run"].unique()) == [0, 1]
    assert list(ts["seed"].unique()) == SEEDS
    assert ts["date"].map(lambda d: bool(re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", d))).all()
    # step k is month start + k - 1
    assert (ts["date"] == ts["step"].map(lambda k: month_label(scenario.start + k - 1))).all()
    # one row per run, month, variable and subject
    assert not ts.duplicated(["run", "step", "variable", "subject"]).any()
    per_month = ts.groupby(["run", "step"]).size()
    assert len(per_month) == len(SEEDS) * scenario.months
    assert per_month.nunique() == 1

    def subjects(variable: str) -> set[str]:
        return set(ts.loc[ts["variable"] == variable, "subject"])

    assert subjects("control") == set(FACTIONS)
    assert subjects("influence") == set(FOREIGN_STATES)
    assert subjects("cooperation") == set(PAIR_NAMES) and len(PAIR_NAMES) == 15
    for variable in ("commitment", "payoff_survival", "payoff_cost", "utility"):
        assert subjects(variable) == set(STATES)
    assert subjects("morale") == {"regime"}
    assert subjects("manpower") == set(FORCES)

    control = ts[ts["variable"] == "control"].groupby(["run", "step"])["value"].sum()
    np.testing.assert_allclose(control.to_numpy(), 1.0, atol=1e-6)
    cooperation = ts[ts["variable"] == "cooperation"]
    assert (cooperation.groupby(["run", "step"]).size() == 15).all()
    assert cooperation["value"].between(-1.0, 1.0).all()


def test_timeseries_values_are_the_model_reporters(scenario):
    result = run_one(scenario, 3)
    ts = frames([result]).timeseries
    last = ts[ts["step"] == result.steps].set_index(["variable", "subject"])["value"]
    np.testing.assert_allclose(
        [last[("control", f)] for f in FACTIONS], result.series["control"][-1]
    )
    np.testing.assert_allclose(
        [last[("influence", s)] for s in FOREIGN_STATES],
        result.series["influence"][-1][[STATES.index(s) for s in FOREIGN_STATES]],
    )
    np.testing.assert_allclose(
        [last[("utility", s)] for s in STATES], result.series["terms"][-1][:, 4]
    )
    assert last[("morale", "regime")] == pytest.approx(result.series["morale"][-1])
    np.testing.assert_allclose(
        [last[("manpower", f)] for f in FORCES], result.series["manpower"][-1]
    )


def test_events_and_summary_follow_the_contract(scenario, ensemble):
    events, summary = ensemble.events, ensemble.summary
    assert tuple(events.columns) == EVENT_COLUMNS
    assert len(events) > 0
    assert (
        events["date"] == events["step"].map(lambda k: month_label(scenario.start + k - 1))
    ).all()
    assert tuple(summary.columns) == SUMMARY_COLUMNS
    assert list(summary["run"]) == [0, 1] and list(summary["seed"]) == SEEDS
    assert set(summary["regime_fell"]) <= {0, 1}
    for column in ("regime_fall_date", *(f"intervention_date_{s}" for s in STATES)):
        assert summary[column].map(lambda d: d == "" or bool(re.fullmatch(r"\d{4}-\d{2}", d))).all()
    vetoes = events[events["event"] == "veto"].groupby("run").size()
    assert list(summary["vetoes"]) == [int(vetoes.get(r, 0)) for r in (0, 1)]
    cooperation = ensemble.timeseries.query(
        "variable == 'cooperation' and subject == 'iran-russia'"
    )
    peaks = cooperation.groupby("run")["value"].max()
    np.testing.assert_allclose(summary["peak_cooperation_iran_russia"], peaks)
    np.testing.assert_allclose(
        summary[[f"final_control_{f}" for f in FACTIONS]].sum(axis=1), 1.0, atol=1e-6
    )


def test_read_outputs_gives_back_the_tables(scenario, ensemble, tmp_path):
    out = write_outputs(ensemble, tmp_path / "out", scenario, SEEDS, ["test"])
    back = read_outputs(out)
    pd.testing.assert_frame_equal(back.events, ensemble.events)
    pd.testing.assert_frame_equal(back.summary, ensemble.summary, rtol=1e-5)
    pd.testing.assert_frame_equal(back.timeseries, ensemble.timeseries, rtol=1e-5, atol=1e-6)
    # a month that did not happen reads back as "", not NaN
    dates = back.summary[list(SUMMARY_DATE_COLUMNS)]
    assert dates.notna().all().all() and dates.map(type).eq(str).all().all()
    assert back.timeseries["date"].map(type).eq(str).all()


def test_a_run_leaves_the_scenario_picklable(scenario):
    # Mesa's Model.scenario setter hangs the model on the scenario; run_one must not let it
    run_one(scenario, 0)
    assert not hasattr(scenario, "model")
    assert pickle.loads(pickle.dumps(scenario)).name == scenario.name


@pytest.mark.slow
def test_workers_give_the_same_tables_as_one_process(scenario, ensemble):
    parallel = run_ensemble(scenario, SEEDS, workers=2, progress=False)
    pd.testing.assert_frame_equal(parallel.timeseries, ensemble.timeseries)
    pd.testing.assert_frame_equal(parallel.events, ensemble.events)
    pd.testing.assert_frame_equal(parallel.summary, ensemble.summary)


def _leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_a_failed_write_leaves_no_folder_behind(scenario, ensemble, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(sim.output, "build_manifest", broken)  # after the CSVs are written
    with pytest.raises(RuntimeError, match="disk full"):
        write_outputs(ensemble, tmp_path / "out", scenario, SEEDS, ["test"])
    assert not (tmp_path / "out").exists()
    assert _leftovers(tmp_path) == []


def test_a_failed_write_keeps_the_previous_results(scenario, ensemble, tmp_path, monkeypatch):
    out = write_outputs(ensemble, tmp_path / "out", scenario, SEEDS, ["test"])
    before = (out / "summary.csv").read_bytes()
    monkeypatch.setattr(sim.output, "_write_csv", lambda *a: (_ for _ in ()).throw(OSError()))
    with pytest.raises(OSError):
        write_outputs(ensemble, out, scenario, SEEDS, ["test"])
    assert (out / "summary.csv").read_bytes() == before
    assert _leftovers(tmp_path) == []


def test_a_new_write_replaces_the_previous_results(scenario, ensemble, tmp_path):
    out = write_outputs(ensemble, tmp_path / "out", scenario, SEEDS[:1], ["test"])
    (out / "figures").mkdir()  # drawn by `run --plot` for those results: the tool's own too
    write_outputs(ensemble, out, scenario, SEEDS, ["test"])
    assert sorted(p.name for p in out.iterdir()) == sorted([*CSVS, "manifest.json"])
    assert _leftovers(tmp_path) == []


def test_a_run_keeps_only_the_series_it_is_told_to_and_they_match_a_full_run(scenario):
    full = run_one(scenario, 5)
    lean = run_one(scenario, 5, record=("control", "influence", "cooperation"))
    assert set(lean.series) == {"control", "influence", "cooperation"}
    assert set(full.series) > set(lean.series)
    for name in lean.series:  # the same run: recording less changes nothing
        np.testing.assert_array_equal(lean.series[name], full.series[name])
    assert lean.summary == full.summary and lean.events == full.events


def test_an_unknown_series_to_record_is_refused(scenario):
    from sim.model import SyriaModel

    with pytest.raises(ValueError, match="contol"):
        SyriaModel(scenario, rng=0, record=("contol",))
