"""The first run says when it must compile the model's kernels, and only then."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import sim.ensemble
from sim.ensemble import kernels_to_compile, run_one, run_results
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
COUNT = "import sim.model; from sim.ensemble import kernels_to_compile as k; print(k())"


@pytest.fixture(scope="module")
def scenario():
    return load_scenario("collapse_2024", ["end=2024-02"])


def cold_count(cache: Path | None) -> int:
    env = {**os.environ, **({"NUMBA_CACHE_DIR": str(cache)} if cache else {})}
    done = subprocess.run([sys.executable, "-c", COUNT], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=True, timeout=120)
    return int(done.stdout.strip())


def test_an_empty_numba_cache_means_compiling(tmp_path):
    assert cold_count(tmp_path) > 10  # every kernel of the model


def test_a_warm_cache_and_compiled_kernels_mean_no_compiling(scenario):
    run_one(scenario, 0)  # compiles (or loads) every kernel a run uses, into the cache
    assert kernels_to_compile() == 0  # in this process
    assert cold_count(None) == 0  # and in a new one, from numba's cache on disk


@pytest.mark.parametrize("cold", [0, 7])
def test_the_line_is_printed_only_when_compiling(scenario, cold, capsys, monkeypatch):
    monkeypatch.setattr(sim.ensemble, "kernels_to_compile", lambda: cold)
    results = run_results(scenario, [0, 1], progress=True)
    assert [r.seed for r in results] == [0, 1]
    said = "compiling the model once, about" in capsys.readouterr().err
    assert said == bool(cold)
