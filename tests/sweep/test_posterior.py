"""`run.py sweep SPEC --posterior FILE --sets K`: every point of the design runs under each of K
parameter sets drawn from a posterior, on the spec's seeds, common across sets; the store
records the sets and the posterior's identity; resume refuses another posterior; the analysis
splits each point's spread into the sets' and the seeds'."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from analysis.posterior import draw_sets, file_digest, split_variance, write_posterior
from analysis.sweep.analyze import load_record, noise_share, posterior_split, report
from analysis.sweep.cli import main
from analysis.sweep.runner import run_sweep
from analysis.sweep.sampling import run_seed
from analysis.sweep.spec import load_spec
from analysis.sweep.store import SweepStore, run_columns

from .helpers import spec_text

ECHO = "tests.sweep.toy:run_outcomes_echo"
OUTCOMES = ('["control_regime_2017_12", "regime_fall_month", "echo_russia_resolve", '
            '"echo_iran_resolve", "echo_us_resolve", "echo_seed"]')
PARAMETERS = """"russia.resolve" = { low = 0.3, high = 1.0 }
"choice.temperature" = { low = 0.05, high = 0.5 }"""
LHS = "method = 'lhs'\nn = 4"
# three parameter sets of the toy's parameters; russia.resolve is also swept (the sweep wins)
POSTERIOR = pd.DataFrame({
    "russia.resolve": [0.11, 0.12, 0.13],
    "iran.resolve": [0.35, 0.65, 0.95],
    "us.resolve": [0.9, 0.5, 0.4],
    "weight": [1.0, 1.0, 1.0],  # three sets drawn: each once
    "distance": [0.1, 0.2, 0.3],
})
PRIORS = {"russia.resolve": [0.0, 1.0], "iran.resolve": [0.3, 1.0], "us.resolve": [0.3, 1.0]}


def write(folder, table: pd.DataFrame = POSTERIOR, priors=PRIORS, name: str = "p.parquet"):
    return write_posterior(table, {"priors": priors}, folder / name)


def counted() -> list:
    import importlib

    return importlib.import_module("tests.sweep.toy").CALLS


def rows(db) -> pd.DataFrame:
    with SweepStore.open(db, read_only=True) as store:
        return store.runs()


@pytest.fixture
def swept(write_spec, tmp_path):
    """A 4-point LHS x 3 posterior sets x 2 replicates sweep of the echoing toy."""
    spec = load_spec(write_spec(spec_text(LHS, PARAMETERS, run_fn=ECHO, outcomes=OUTCOMES)))
    posterior = write(tmp_path)
    db = tmp_path / "s.duckdb"
    done = run_sweep(spec, db, workers=1, progress=False, posterior=posterior, sets=3)
    assert done.complete and done.planned == 24
    return spec, posterior, db


def test_every_point_runs_under_each_set_on_the_same_seeds(swept):
    spec, posterior, db = swept
    table = rows(db)
    assert list(table.columns) == run_columns(spec, posterior=True)
    assert len(table) == 24
    assert not table.duplicated(["point_id", "posterior_set", "replicate"]).any()
    assert table.groupby("point_id")["posterior_set"].nunique().eq(3).all()
    drawn = draw_sets(POSTERIOR, 3, seed=spec.seed)  # drawn with the spec's seed by default
    with SweepStore.open(db, read_only=True) as store:
        sets = store.posterior_sets().set_index("posterior_set")
        info = store.posterior()
    assert np.array_equal(sets.to_numpy(), drawn[sets.columns].to_numpy())
    assert info["sha256"] == file_digest(posterior) and info["file"] == str(posterior)
    assert (info["sets"], info["draw_seed"]) == (3, spec.seed)
    assert info["overridden"] == ["russia.resolve"]
    for row in table.to_dict("records"):
        chosen = sets.loc[row["posterior_set"]]
        # the set's values reach the run; where the sweep sets a path too, its value wins
        assert row["echo_iran_resolve"] == chosen["iran.resolve"]
        assert row["echo_us_resolve"] == chosen["us.resolve"]
        assert row["echo_russia_resolve"] == row["russia.resolve"] != chosen["russia.resolve"]
        # the seeds are the sweep's, the same under every set
        seed = run_seed(spec.seed, row["point_id"], row["replicate"])
        assert row["seed"] == row["echo_seed"] == seed
    assert sets["iran.resolve"].nunique() == 3  # the sets differ: the test tells them apart


def test_resume_runs_only_the_missing_runs(swept):
    spec, posterior, db = swept
    complete = rows(db)
    lost = [(0, 0, 1), (2, 2, 0), (3, 1, 1)]
    con = duckdb.connect(str(db))
    for point_id, k, replicate in lost:
        con.execute("DELETE FROM runs WHERE point_id = ? AND posterior_set = ? AND replicate = ?",
                    [point_id, k, replicate])
    con.close()
    calls = len(counted())
    again = run_sweep(spec, db, workers=1, progress=False, posterior=posterior, sets=3,
                      resume=True)
    assert (again.finished_before, again.finished_now) == (21, 3)
    assert len(counted()) - calls == 3
    pd.testing.assert_frame_equal(rows(db), complete)


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ("content", "sha256"),
        ("sets", "--sets 3"),
        ("draw-seed", "--draw-seed"),
        ("none", "without --posterior"),
    ],
)
def test_resume_refuses_another_posterior_or_other_settings(swept, tmp_path, capsys, change,
                                                            says):
    spec, posterior, db = swept
    argv = ["sweep", spec.path, "--db", str(db), "--workers", "1", "--quiet", "--resume"]
    extra = ["--posterior", str(posterior), "--sets", "3"]
    if change == "content":
        other = POSTERIOR.assign(**{"us.resolve": [0.91, 0.5, 0.4]})
        write(tmp_path, other, name="p.parquet")  # the same path, another posterior
    elif change == "sets":
        extra[-1] = "2"
    elif change == "draw-seed":
        extra += ["--draw-seed", "99"]
    else:
        extra = []
    before = rows(db)
    assert main([*argv, *extra]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --posterior:") and says in err and "--db" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    pd.testing.assert_frame_equal(rows(db), before)  # nothing deleted or added
    assert posterior.exists()


def test_a_posterior_may_move_without_blocking_resume(swept, tmp_path, capsys):
    spec, posterior, db = swept
    moved = tmp_path / "moved.parquet"
    moved.write_bytes(posterior.read_bytes())
    assert main(["sweep", spec.path, "--db", str(db), "--workers", "1", "--quiet", "--resume",
                 "--posterior", str(moved), "--sets", "3"]) == 0
    assert "24 of 24 runs stored (0 new" in capsys.readouterr().out


def test_a_resume_of_a_plain_sweep_refuses_a_posterior(write_spec, tmp_path, capsys):
    path = write_spec(spec_text(LHS, PARAMETERS, run_fn=ECHO,
                                outcomes='["control_regime_2017_12", "echo_seed"]'))
    db = tmp_path / "plain.duckdb"
    run_sweep(path, db, workers=1, progress=False)
    assert main(["sweep", str(path), "--db", str(db), "--resume", "--posterior",
                 str(write(tmp_path)), "--sets", "3"]) == 2
    assert "was run without --posterior" in capsys.readouterr().err
    assert len(rows(db)) == 8


def test_the_variance_is_split_into_the_sets_and_the_seeds(swept, tmp_path, capsys):
    _, _, db = swept
    record = load_record(db)
    split = posterior_split(record, "control_regime_2017_12").set_index("point_id")
    assert list(split.index) == [0, 1, 2, 3] and (split["sets"] == 3).all()
    runs = record.runs[record.runs["point_id"] == 2].sort_values(["posterior_set", "replicate"])
    by_hand = split_variance(runs["control_regime_2017_12"].to_numpy().reshape(3, 2))
    assert split.loc[2, "var_parameters"] == pytest.approx(by_hand["var_parameters"])
    assert split.loc[2, "var_seeds"] == pytest.approx(by_hand["var_seeds"])
    # iran's resolve moves the toy's control by 0.2 x its scaled value (0.07 to 0.93 here):
    # the sets' spread dwarfs the seeds' (noise sd 0.01)
    assert (split["share_parameters"] > 0.9).all()
    # the runs' own noise is measured within a point and a set: the seeds' alone
    assert noise_share(record, "control_regime_2017_12") < 0.1
    written = report(db, outcome="control_regime_2017_12", out=tmp_path / "a")
    out = capsys.readouterr().out
    assert "across 3 posterior sets" in out and "from the posterior's parameter sets" in out
    table = pd.read_csv(tmp_path / "a" / "posterior_split_control_regime_2017_12.csv")
    assert tmp_path / "a" / "posterior_split_control_regime_2017_12.csv" in written
    assert table["var_parameters"].to_numpy() == pytest.approx(split["var_parameters"])


def test_the_sweep_prints_the_split_of_every_outcome(write_spec, tmp_path, capsys):
    path = write_spec(spec_text(LHS, PARAMETERS, run_fn=ECHO, outcomes=OUTCOMES))
    db = tmp_path / "s.duckdb"
    assert main(["sweep", str(path), "--db", str(db), "--workers", "1", "--quiet",
                 "--posterior", str(write(tmp_path)), "--sets", "3"]) == 0
    out = capsys.readouterr().out
    assert "24 of 24 runs stored" in out
    line = next(x for x in out.splitlines() if x.strip().startswith("echo_us_resolve:"))
    assert "(100%)" in line and "from the seeds 0" in line  # it varies with the set alone
    seeds_only = next(x for x in out.splitlines() if x.strip().startswith("echo_seed:"))
    assert "sets 0 (0%)" in seeds_only
    # the toy's fall month is missing in the runs that did not fall: such points are left out
    assert "regime_fall_month:" in out


def test_dry_run_counts_the_sets_and_names_the_swept_paths(write_spec, tmp_path, capsys):
    path = write_spec(spec_text(LHS, PARAMETERS, run_fn=ECHO, outcomes=OUTCOMES))
    db = tmp_path / "never.duckdb"
    assert main(["sweep", str(path), "--dry-run", "--db", str(db), "--posterior",
                 str(write(tmp_path)), "--sets", "5"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-1] == "4 points x 5 posterior sets x 2 replicates = 40 runs"
    assert any("the sweep's value wins: russia.resolve" in x for x in lines)
    assert not db.exists()


def _garbage(folder):
    path = folder / "garbage.parquet"
    path.write_text("not parquet at all", encoding="utf-8")
    return path


def _no_metadata(folder):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = folder / "bare.parquet"
    pq.write_table(pa.Table.from_pandas(POSTERIOR, preserve_index=False), path)
    return path


BAD = {
    "a missing file": (lambda f: f / "none.parquet", [], "none.parquet: no posterior there"),
    "not Parquet": (_garbage, [], "garbage.parquet: cannot read it as Parquet"),
    "no metadata": (_no_metadata, [], "bare.parquet: no posterior metadata"),
    "no weights": (lambda f: write(f, POSTERIOR.drop(columns="weight")), [],
                   "p.parquet: weight: no such column"),
    "zero weights": (lambda f: write(f, POSTERIOR.assign(weight=0.0)), [],
                     "p.parquet: weight: expected weights >= 0"),
    "a prior without its column": (lambda f: write(f, priors={**PRIORS, "turkey.resolve": [0, 1]}),
                                   [], "p.parquet: turkey.resolve: no such column"),
    "not a model path": (lambda f: write(f, POSTERIOR.assign(bad=1.0),
                                         {**PRIORS, "bad": [0, 2]}), [],
                         "p.parquet: bad: not a dotted model parameter path"),
    "no sets": (write, ["--sets", "0"], "--sets: expected a number >= 1, got 0"),
    "every parameter swept": (
        lambda f: write(f, POSTERIOR[["russia.resolve", "weight"]],
                        {"russia.resolve": [0, 1]}), [],
        "the sweep varies every parameter of this posterior"),
    "a draw seed without a posterior": (None, ["--draw-seed", "3"],
                                        "--draw-seed: only with --posterior"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_posterior_input_is_one_line_exit_2_and_nothing_written(case, write_spec, tmp_path,
                                                                    capsys):
    make, extra, says = BAD[case]
    path = write_spec(spec_text(LHS, PARAMETERS, run_fn=ECHO, outcomes=OUTCOMES))
    db = tmp_path / "never.duckdb"
    given = [] if make is None else ["--posterior", str(make(tmp_path))]
    assert main(["sweep", str(path), "--db", str(db), "--workers", "1", "--quiet", *given,
                 *extra]) == 2
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not db.exists()


def test_the_model_checks_every_posterior_set_before_a_run(write_spec, tmp_path, capsys):
    """With the model's run function, a posterior path the model does not know is refused
    before the store is made; so is a spec that keeps monthly series."""
    parameters = '"russia.resolve" = { low = 0.3, high = 1.0 }'
    path = write_spec(spec_text(LHS, parameters, run_fn="sim.batch:run_outcomes",
                                outcomes='["regime_fell"]'))
    unknown = write(tmp_path, POSTERIOR.assign(**{"nato.resolve": 0.5}),
                    {**PRIORS, "nato.resolve": [0, 1]})
    db = tmp_path / "never.duckdb"
    assert main(["sweep", str(path), "--db", str(db), "--posterior", str(unknown)]) == 2
    err = capsys.readouterr().err
    assert "p.parquet" in err and "nato" in err and "Traceback" not in err
    series = write_spec('timeseries = ["control"]\n' + spec_text(
        LHS, parameters, run_fn="sim.batch:run_outcomes", outcomes='["regime_fell"]'), "series")
    assert main(["sweep", str(series), "--db", str(db), "--posterior", str(write(tmp_path))]) == 2
    assert "timeseries" in capsys.readouterr().err
    assert not db.exists()


@pytest.mark.slow
def test_dask_and_the_pool_store_the_same_rows_as_inline(write_spec, tmp_path):
    path = write_spec(spec_text(LHS, PARAMETERS, run_fn=ECHO, outcomes=OUTCOMES))
    posterior = write(tmp_path)
    stored = {}
    for name, options in {"inline": {"workers": 1}, "pool": {"workers": 2, "batch_size": 5},
                          "dask": {"workers": 2, "local_cluster": True, "batch_size": 5}}.items():
        db = tmp_path / f"{name}.duckdb"
        done = run_sweep(path, db, progress=False, posterior=posterior, sets=3, **options)
        assert done.complete and done.executor == name
        stored[name] = rows(db)
    assert len(stored["inline"]) == 24
    pd.testing.assert_frame_equal(stored["pool"], stored["inline"])
    pd.testing.assert_frame_equal(stored["dask"], stored["inline"])
