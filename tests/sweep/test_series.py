"""Per-run monthly series of a sweep, in Parquet beside the store: every committed run once,
the model's own values, nothing of runs a killed sweep never committed."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from analysis.sweep.runner import run_sweep
from analysis.sweep.sampling import make_plan
from analysis.sweep.spec import load_spec, parse_spec
from analysis.sweep.store import SweepStore
from sim.batch import run_outcomes
from sim.errors import UserInputError
from sim.vocabulary import FACTIONS, PAIR_NAMES

SPEC = """
scenario = "collapse_2024"
run_fn = "sim.batch:run_outcomes"
seed = 3
replicates = 2
outcomes = ["regime_fell"]
timeseries = ["control", "cooperation"]
[sampler]
method = "lhs"
n = 3
[parameters]
"russia.resolve" = { low = 0.4, high = 1.0 }
"""
RUNS, MONTHS = 6, 24  # collapse_2024: 2024-01 to 2025-12
SUBJECTS = len(FACTIONS) + len(PAIR_NAMES)


@pytest.fixture
def swept(write_spec, tmp_path):
    spec = load_spec(write_spec(SPEC))
    db = tmp_path / "s.duckdb"
    assert run_sweep(spec, db, workers=1, progress=False).complete
    return spec, db


def series(db, where=""):
    with SweepStore.open(db, read_only=True) as store:
        return store.series(where)


def test_every_run_keeps_its_series_and_they_are_the_models(swept):
    spec, db = swept
    table = series(db)
    assert len(table) == RUNS * MONTHS * SUBJECTS
    assert set(table["variable"]) == {"control", "cooperation"}
    assert not table.duplicated(["point_id", "replicate", "step", "variable", "subject"]).any()
    plan = make_plan(spec)
    run = table[(table.point_id == 1) & (table.replicate == 1)]
    seed = int(run["seed"].iloc[0])
    direct = run_outcomes("collapse_2024", plan.overrides(1), seed, series=("control",))
    regime = run[(run.variable == "control") & (run.subject == "regime")]
    expected = direct["series"]["value"][
        (direct["series"]["variable"] == "control") & (direct["series"]["subject"] == "regime")]
    np.testing.assert_array_equal(regime["value"].to_numpy(), expected)
    assert list(regime["date"].iloc[[0, -1]]) == ["2024-01", "2025-12"]
    control = table[table.variable == "control"].groupby(["point_id", "replicate", "step"])
    np.testing.assert_allclose(control["value"].sum(), 1.0)  # shares of Syria sum to 1


def test_a_condition_selects_rows(swept):
    _, db = swept
    regime = series(db, "variable = 'control' AND subject = 'regime'")
    assert len(regime) == RUNS * MONTHS and set(regime["subject"]) == {"regime"}


def test_series_of_uncommitted_runs_are_ignored_and_rewritten_ones_read_once(swept):
    """What a sweep killed between writing a batch's series and committing its runs leaves
    behind, and what --resume then writes again."""
    spec, db = swept
    files = sorted((db.with_suffix(".series")).glob("*.parquet"))
    assert files
    with SweepStore.open(db) as store:  # the kill: this run's row was never committed
        store.con.execute("DELETE FROM runs WHERE point_id = 0 AND replicate = 0")
    left = series(db)
    assert len(left) == (RUNS - 1) * MONTHS * SUBJECTS
    assert not ((left.point_id == 0) & (left.replicate == 0)).any()
    shutil.copy(files[0], files[0].with_name("s9-copy.parquet"))  # a batch written twice
    done = run_sweep(spec, db, workers=1, resume=True, progress=False)
    assert done.finished_now == 1 and done.complete
    again = series(db)
    assert len(again) == RUNS * MONTHS * SUBJECTS
    assert not again.duplicated(["point_id", "replicate", "step", "variable", "subject"]).any()


def test_no_partial_files_are_left(swept):
    _, db = swept
    assert not list(db.with_suffix(".series").glob(".*partial"))


def test_a_spec_without_series_writes_none(write_spec, tmp_path):
    spec = load_spec(write_spec(SPEC.replace('timeseries = ["control", "cooperation"]\n', "")))
    db = tmp_path / "s.duckdb"
    run_sweep(spec, db, workers=1, progress=False)
    assert not db.with_suffix(".series").exists()
    assert series(db).empty


def test_asking_for_series_changes_the_spec_hash():
    with_series = parse_spec(SPEC, "a.toml")
    without = parse_spec(SPEC.replace('timeseries = ["control", "cooperation"]\n', ""), "a.toml")
    assert with_series.digest() != without.digest()


def test_an_unknown_series_names_the_key(write_spec):
    with pytest.raises(UserInputError) as info:
        load_spec(write_spec(SPEC.replace('"cooperation"]', '"cooperaton"]')))
    assert info.value.key.startswith("timeseries")


def test_series_need_the_models_run_function(write_spec, tmp_path):
    spec = load_spec(write_spec(SPEC.replace("sim.batch:run_outcomes",
                                             "tests.sweep.toy:run_outcomes_fast")))
    with pytest.raises(UserInputError) as info:
        run_sweep(spec, tmp_path / "s.duckdb", workers=1, progress=False)
    assert info.value.key == "timeseries"


def test_the_dry_run_says_where_the_series_go(write_spec, tmp_path, capsys):
    from analysis.sweep.cli import main

    db = tmp_path / "out.duckdb"
    assert main(["sweep", str(write_spec(SPEC)), "--db", str(db), "--dry-run"]) == 0
    printed = capsys.readouterr().out
    assert f"control, cooperation (Parquet, {tmp_path / 'out.series'}/)" in printed
    assert not db.exists()
