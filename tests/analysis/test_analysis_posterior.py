"""The posterior calibration on a small synthetic model whose true parameters are known."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd
import pytest

from analysis.calibrate import FreeParameter
from analysis.posterior import Settings, infer, read_posterior, summary, write_posterior

TRUTH = {"toy.a": 0.3, "toy.b": 0.7}
FREE = [FreeParameter(path="toy.a", low=0.0, high=1.0, why="a known value to recover"),
        FreeParameter(path="toy.b", low=0.0, high=1.0, why="a known value to recover"),
        FreeParameter(path="toy.c", low=0.0, high=1.0, why="a value the data do not see")]
SETTINGS = Settings(scenario="toy", runs=1, seed=5, population=60, generations=4)


def toy_distance(values: dict[str, float]) -> float:
    """A noisy distance to the truth (noise from numpy's global RNG, as a model's would be);
    `toy.c` does not enter it, so the data cannot identify it."""
    miss = abs(values["toy.a"] - TRUTH["toy.a"]) + abs(values["toy.b"] - TRUTH["toy.b"])
    return miss + abs(np.random.normal(0.0, 0.02))


@pytest.fixture(scope="module")
def posterior(tmp_path_factory) -> pd.DataFrame:
    db = tmp_path_factory.mktemp("abc") / "toy.db"
    return infer(FREE, toy_distance, SETTINGS, db)


def test_the_posterior_covers_the_true_values_and_leaves_the_blind_one_open(posterior):
    assert len(posterior) == SETTINGS.population
    assert posterior["weight"].gt(0).all() and posterior["distance"].ge(0).all()
    table = summary(posterior, FREE).set_index("parameter")
    for path, true in TRUTH.items():
        assert table.loc[path, "q05"] <= true <= table.loc[path, "q95"], table.loc[path]
        assert table.loc[path, "identified"]
    assert not table.loc["toy.c", "identified"]  # its spread stays near the prior's


def test_the_same_settings_give_the_same_posterior(posterior, tmp_path):
    again = infer(FREE, toy_distance, SETTINGS, tmp_path / "again.db")
    pd.testing.assert_frame_equal(again, posterior)
    other = infer(FREE, toy_distance, Settings(**{**SETTINGS.__dict__, "seed": 6}),
                  tmp_path / "other.db")
    assert not other.equals(posterior)
    # another seed's posterior means lie within the first's spread
    first, second = summary(posterior, FREE), summary(other, FREE)
    assert (abs(first["mean"] - second["mean"]) <= 2 * first["sd"]).all()


def test_an_interrupted_inference_resumes_to_the_same_posterior(posterior, tmp_path):
    db = tmp_path / "broken.db"
    infer(FREE, toy_distance, Settings(**{**SETTINGS.__dict__, "generations": 2}), db)
    seen = []
    resumed = infer(FREE, toy_distance, SETTINGS, db, on_generation=lambda t, *_: seen.append(t))
    assert seen == [2, 3]  # only the missing generations ran
    pd.testing.assert_frame_equal(resumed, posterior)


def test_workers_do_not_change_the_posterior(posterior, tmp_path):
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("forkserver")) as pool:
        parallel = infer(FREE, toy_distance, SETTINGS, tmp_path / "pool.db", map_=pool.map)
    pd.testing.assert_frame_equal(parallel, posterior)


def test_the_file_keeps_its_settings(posterior, tmp_path):
    path = write_posterior(posterior, {"settings": SETTINGS.__dict__}, tmp_path / "p.parquet")
    table, metadata = read_posterior(path)
    pd.testing.assert_frame_equal(table, posterior)
    assert metadata["settings"]["seed"] == 5 and not list(tmp_path.glob("*.tmp"))


def test_calibrate_posterior_end_to_end_on_the_real_model(tmp_path):
    """A tiny inference through the command line: the file, its metadata, the refusal to
    overwrite a stored inference, and --resume going on from the last generation."""
    import subprocess
    import sys
    from pathlib import Path

    from analysis.calibrate import load_free

    run_py = Path(__file__).resolve().parents[2] / "run.py"

    def calibrate(*extra: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, str(run_py), "calibrate", "--posterior",
                               "--population", "4", "--runs", "1", *extra], cwd=tmp_path,
                              capture_output=True, text=True, timeout=600)

    done = calibrate("--generations", "1")
    assert done.returncode == 0, done.stderr
    table, metadata = read_posterior(tmp_path / "results" / "posterior" / "posterior.parquet")
    assert len(table) == 4
    assert set(table.columns) == {f.path for f in load_free()} | {"weight", "distance"}
    assert metadata["search_seeds"] == [0] and metadata["fresh_seeds"] == [100000]
    assert metadata["targets_used"] and "train score" in done.stdout
    refused = calibrate("--generations", "1")
    assert refused.returncode == 2 and "--resume" in refused.stderr
    resumed = calibrate("--generations", "2", "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert "generation 1:" in resumed.stdout and "generation 0:" not in resumed.stdout
