"""The results store: one row per run, committed as it arrives; resume runs exactly what is
missing; a store is never mixed with another sweep's runs."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from analysis.sweep.cli import main
from analysis.sweep.runner import run_sweep
from analysis.sweep.sampling import make_plan, run_seed
from analysis.sweep.spec import load_spec
from analysis.sweep.store import SweepStore, run_columns
from sim.errors import UserInputError

from . import toy
from .helpers import LHS_PARAMETERS, spec_text

LHS = "method = 'lhs'\nn = 12"
COUNTED = "tests.sweep.toy:run_outcomes_counted"


def rows(db) -> pd.DataFrame:
    with SweepStore.open(db, read_only=True) as store:
        return store.runs()


def counted_calls() -> list[tuple[float, ...]]:
    # the runner imports the toy by its import path; this test module may know it by another
    import importlib

    return importlib.import_module("tests.sweep.toy").CALLS


def test_a_sweep_stores_one_row_per_run_with_its_seed_parameters_and_outcomes(write_spec, tmp_path):
    spec = load_spec(write_spec(spec_text(LHS, LHS_PARAMETERS, replicates=3)))
    db = tmp_path / "s.duckdb"
    done = run_sweep(spec, db, workers=1, progress=False)
    assert done.complete and done.finished_now == 36 and done.executor == "inline"
    table = rows(db)
    assert list(table.columns) == run_columns(spec)
    assert len(table) == 36 and not table.duplicated(["point_id", "replicate"]).any()
    plan = make_plan(spec)
    for row in table.sample(5, random_state=1).itertuples(index=False):
        point_id, replicate, seed = row[:3]
        assert seed == run_seed(spec.seed, point_id, replicate)
        assert np.array_equal(np.array(row[3:6]), plan.points[point_id])
        expected = toy.run_outcomes_fast("full_2011_2025", plan.overrides(point_id), seed)
        assert row[6] == expected["regime_fell"]
        assert row[8] == pytest.approx(expected["control_regime_2017_12"])
    with SweepStore.open(db, read_only=True) as store:
        info = store.info()
        assert info["spec_hash"] == spec.digest() and info["spec_text"] == spec.text
        assert info["scenario"] == "full_2011_2025" and info["planned_runs"] == 36
        assert np.array_equal(store.points(), plan.points)
        assert store.spec() == spec


def test_missing_outcomes_are_null_not_nan(write_spec, tmp_path):
    spec = load_spec(write_spec(spec_text(LHS, LHS_PARAMETERS, replicates=3)))
    run_sweep(spec, tmp_path / "s.duckdb", workers=1, progress=False)
    con = duckdb.connect(str(tmp_path / "s.duckdb"), read_only=True)
    nulls, nans, fell = con.execute(
        "SELECT count(*) FILTER (regime_fall_month IS NULL), "
        "count(*) FILTER (isnan(regime_fall_month)), sum(1 - regime_fell) FROM runs"
    ).fetchone()
    con.close()
    assert nulls == fell > 0 and nans == 0


def test_resume_runs_exactly_the_missing_runs(write_spec, tmp_path):
    spec = load_spec(write_spec(spec_text(LHS, LHS_PARAMETERS, replicates=3, run_fn=COUNTED)))
    db = tmp_path / "s.duckdb"
    run_sweep(spec, db, workers=1, progress=False)
    complete = rows(db)
    lost = [(0, 0), (3, 2), (3, 1), (11, 2)]
    con = duckdb.connect(str(db))
    for point_id, replicate in lost:
        con.execute("DELETE FROM runs WHERE point_id = ? AND replicate = ?", [point_id, replicate])
    con.close()
    calls = counted_calls()
    calls.clear()
    done = run_sweep(spec, db, workers=1, resume=True, progress=False)
    assert (done.finished_before, done.finished_now) == (32, 4)
    assert sorted(calls) == sorted((run_seed(spec.seed, p, r),) for p, r in lost)
    pd.testing.assert_frame_equal(rows(db), complete)
    calls.clear()
    again = run_sweep(spec, db, workers=1, resume=True, progress=False)
    assert again.finished_now == 0 and calls == []


def test_without_resume_a_store_with_runs_is_refused(write_spec, tmp_path, capsys):
    path = write_spec(spec_text(LHS, LHS_PARAMETERS))
    db = tmp_path / "s.duckdb"
    run_sweep(path, db, workers=1, progress=False)
    with pytest.raises(UserInputError, match="add --resume to finish it, or pick a new --db"):
        run_sweep(path, db, workers=1, progress=False)
    assert main(["sweep", str(path), "--db", str(db), "--workers", "1"]) == 2
    assert "--resume" in capsys.readouterr().err
    assert main(["sweep", str(path), "--db", str(db), "--workers", "1", "--resume"]) == 0
    assert "24 of 24 runs stored (0 new" in capsys.readouterr().out


def test_resuming_with_a_changed_spec_is_refused(write_spec, tmp_path):
    db = tmp_path / "s.duckdb"
    run_sweep(write_spec(spec_text(LHS, LHS_PARAMETERS), "old"), db, workers=1, progress=False)
    changed = write_spec(spec_text(LHS, LHS_PARAMETERS, replicates=3), "new")
    with pytest.raises(UserInputError, match="a changed spec cannot be resumed") as err:
        run_sweep(changed, db, workers=1, resume=True, progress=False)
    assert err.value.source == str(changed)
    assert len(rows(db)) == 24  # untouched


def test_resuming_with_another_run_function_is_refused(write_spec, tmp_path):
    path = write_spec(spec_text(LHS, LHS_PARAMETERS))
    db = tmp_path / "s.duckdb"
    run_sweep(path, db, workers=1, progress=False)
    with pytest.raises(UserInputError, match="resume it with the same one"):
        run_sweep(
            path, db, workers=1, resume=True, run_fn="tests.sweep.toy:run_outcomes", progress=False
        )


def test_the_primary_key_forbids_a_second_row_for_a_run(write_spec, tmp_path):
    spec = load_spec(write_spec(spec_text(LHS, LHS_PARAMETERS)))
    db = tmp_path / "s.duckdb"
    run_sweep(spec, db, workers=1, progress=False)
    first = tuple(rows(db).iloc[0])
    with SweepStore.open(db) as store, pytest.raises(duckdb.ConstraintException):
        store.add_runs(spec, [first])


def test_a_database_of_another_kind_is_refused(write_spec, tmp_path):
    db = tmp_path / "other.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE t (x INTEGER)")
    con.close()
    with pytest.raises(UserInputError, match="not a sweep results store"):
        run_sweep(write_spec(spec_text(LHS, LHS_PARAMETERS)), db, workers=1, progress=False)


def test_an_outcome_the_model_does_not_return_names_the_spec(write_spec, tmp_path):
    path = write_spec(spec_text(LHS, LHS_PARAMETERS, outcomes='["regime_fell", "vetoes"]'))
    with pytest.raises(UserInputError) as err:
        run_sweep(path, tmp_path / "s.duckdb", workers=1, progress=False)
    assert (err.value.source, err.value.key) == (str(path), "outcomes.vetoes")
    assert "returns no such outcome" in str(err.value)


def test_a_parameter_the_model_does_not_know_names_the_spec(write_spec, tmp_path):
    parameters = LHS_PARAMETERS + '\n"nato.resolve" = { low = 0.1, high = 0.2 }'
    path = write_spec(spec_text(LHS, parameters))
    with pytest.raises(UserInputError) as err:
        run_sweep(path, tmp_path / "s.duckdb", workers=1, progress=False)
    assert (err.value.source, err.value.key) == (str(path), "parameters.nato.resolve")


def test_an_unimportable_run_function_is_a_user_error(write_spec, tmp_path):
    path = write_spec(spec_text(LHS, LHS_PARAMETERS, run_fn="no_such_module:run"))
    with pytest.raises(UserInputError, match="no module 'no_such_module'"):
        run_sweep(path, tmp_path / "s.duckdb", workers=1, progress=False)
    assert not (tmp_path / "s.duckdb").exists()
