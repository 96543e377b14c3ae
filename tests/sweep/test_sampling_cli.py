"""Plans and the command line: how many runs each sampler makes, how runs are seeded, and
what a user sees for a dry run or a bad spec."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from analysis.sweep.cli import main
from analysis.sweep.sampling import batches, make_plan, point_count, run_seed, tasks
from analysis.sweep.spec import load_spec

from .conftest import ROOT
from .helpers import LHS_PARAMETERS, spec_text

FOUR = LHS_PARAMETERS + '\n"us.resolve" = { low = 0.3, high = 1.0 }'
GRID = (
    '"russia.resolve" = { levels = [0.3, 0.5, 0.7, 0.9, 1.0] }\n'
    '"iran.resolve" = { levels = [0.4, 0.8, 1.0] }'
)

# sampler table, parameters, replicates → runs
PLANS = {
    "grid": ("method = 'grid'", GRID, 3, 5 * 3 * 3),
    "lhs": ("method = 'lhs'\nn = 10", LHS_PARAMETERS, 4, 10 * 4),
    "sobol": ("method = 'sobol'\nn = 16", FOUR, 2, 16 * (4 + 2) * 2),
    "sobol, second order": (
        "method = 'sobol'\nn = 8\nsecond_order = true",
        FOUR,
        1,
        8 * (2 * 4 + 2),
    ),
    "morris": ("method = 'morris'\nn = 5\nnum_levels = 6", LHS_PARAMETERS, 2, 5 * (3 + 1) * 2),
}


@pytest.mark.parametrize("case", list(PLANS))
def test_dry_run_prints_the_number_of_runs(case, write_spec, capsys, tmp_path):
    sampler, parameters, replicates, runs = PLANS[case]
    path = write_spec(spec_text(sampler, parameters, replicates=replicates))
    db = tmp_path / "never.duckdb"
    assert main(["sweep", str(path), "--dry-run", "--db", str(db)]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.endswith(f"= {runs} runs")
    assert not db.exists()  # a dry run writes nothing
    plan = make_plan(load_spec(path))
    assert plan.n_runs == runs
    assert point_count(plan.spec) == plan.n_points


@pytest.mark.parametrize(
    ("name", "runs"), [("smoke", 64), ("russia_resolve_vs_ukraine", 360), ("sobol_core", 10240)]
)
def test_dry_run_of_the_shipped_specs(name, runs, capsys):
    assert main(["sweep", name, "--dry-run"]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1].endswith(f"= {runs} runs")


def test_dry_run_shows_the_scenarios_own_values_and_flags_a_range_that_misses_one(
        write_spec, capsys):
    from sim.scenario import load_scenario

    resolve = load_scenario("full_2011_2025").params["russia"]["resolve"]
    parameters = (f'"russia.resolve" = {{ low = {resolve / 2}, high = {resolve * 0.9} }}\n'
                  '"iran.resolve" = { low = 0.3, high = 1.0 }')
    path = write_spec(spec_text("method = 'lhs'\nn = 4", parameters,
                                run_fn="sim.batch:run_outcomes"))
    assert main(["sweep", str(path), "--dry-run"]) == 0
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()
             if line.startswith("    ")}
    flagged = f"scenario's value {resolve:g}  (outside the swept range)"
    assert lines["russia.resolve"].endswith(flagged)
    assert "scenario's value" in lines["iran.resolve"] and "outside" not in lines["iran.resolve"]


def test_samples_stay_in_bounds_and_repeat_with_the_seed(write_spec):
    spec = load_spec(write_spec(spec_text("method = 'sobol'\nn = 32", FOUR)))
    first, again = make_plan(spec).points, make_plan(spec).points
    assert np.array_equal(first, again)
    for column, parameter in zip(first.T, spec.parameters.values(), strict=True):
        assert parameter.low <= column.min() and column.max() <= parameter.high


def test_grid_points_are_the_product_of_the_levels(write_spec):
    plan = make_plan(load_spec(write_spec(spec_text("method = 'grid'", GRID))))
    assert plan.points.shape == (15, 2)
    assert {tuple(p) for p in plan.points} == {
        (r, i) for r in (0.3, 0.5, 0.7, 0.9, 1.0) for i in (0.4, 0.8, 1.0)
    }


def test_a_runs_seed_depends_on_the_sweep_seed_point_and_replicate_only(write_spec):
    plan = make_plan(load_spec(write_spec(spec_text("method = 'lhs'\nn = 6", LHS_PARAMETERS))))
    whole = list(tasks(plan))
    by_batches = [t for b in batches(tasks(plan), 4) for t in b]
    assert whole == by_batches
    seeds = [seed for _, _, seed, _ in whole]
    assert len(set(seeds)) == len(seeds) == 12
    assert whole[5][2] == run_seed(5, whole[5][0], whole[5][1])
    assert run_seed(5, 1, 0) != run_seed(5, 0, 1) != run_seed(6, 0, 1)
    missing = np.zeros((6, 2), dtype=bool)
    missing[3, 1] = True
    assert list(tasks(plan, missing)) == [t for t in whole if t[:2] == (3, 1)]


def test_a_bad_spec_exits_2_with_one_line_and_no_traceback(write_spec, capsys):
    path = write_spec(spec_text("method = 'sobol'\nn = 100", FOUR))
    assert main(["sweep", str(path), "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}: sampler.n: ") and "power of 2" in err
    assert "Traceback" not in err


def test_a_bad_spec_through_python_dash_m(write_spec):
    path = write_spec(
        spec_text("method = 'lhs'\nn = 4", LHS_PARAMETERS.replace("low = 0.3", "low = 'low'", 1))
    )
    done = subprocess.run(
        [sys.executable, "-m", "analysis.sweep", "sweep", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert f"{path}: parameters.russia.resolve.low" in done.stderr
    assert "Traceback" not in done.stderr


def test_bad_flags_are_user_errors(write_spec, capsys):
    path = write_spec(spec_text("method = 'lhs'\nn = 4", LHS_PARAMETERS))
    assert main(["sweep", str(path), "--scheduler", "tcp://x:1", "--local-cluster"]) == 2
    assert "not both" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["sweep", str(path), "--workers", "0"])
    assert exit_.value.code == 2
