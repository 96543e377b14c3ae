"""Structural targets: causal facts as paired comparisons of a variant against the baseline."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from synthetic import synthetic_ensemble

from analysis.structural import (
    COLUMNS,
    DEFAULT_STRUCTURAL,
    evaluate,
    load_structural,
    variant_path,
)
from analysis.targets import load_targets
from sim.errors import UserInputError
from sim.scenario import load_scenario

RUNS = 40
ROOT = Path(__file__).resolve().parents[2]


def test_the_shipped_targets_load_and_every_variant_is_a_scenario():
    spec = load_structural()
    assert spec.baseline == "full_2011_2025" and len(spec.target) >= 8
    for target in spec.target:
        scenario = load_scenario(variant_path(target.variant))
        assert scenario.start <= load_scenario(spec.baseline).end
    # the placebo moves the shock it names by three years, and nothing else
    placebo = load_scenario(variant_path("structural/hezbollah_blows_in_2021.toml"))
    base = load_scenario(spec.baseline)
    moved, original = placebo.shocks["hezbollah_blows"], base.shocks["hezbollah_blows"]
    assert (original["start"], moved["start"]) == ("2024-09", "2021-09")
    assert {k: v for k, v in moved.items() if k not in ("start", "start_index")} == {
        k: v for k, v in original.items() if k not in ("start", "start_index")}
    assert {k: v for k, v in placebo.shocks.items() if k != "hezbollah_blows"} == {
        k: v for k, v in base.shocks.items() if k != "hezbollah_blows"}


def test_structural_targets_never_enter_the_fit():
    # the fit reads analysis/targets.toml's train set; no structural id is among them
    fitted = {t.id for t in load_targets() if t.set == "train"}
    assert not fitted & {t.id for t in load_structural().target}


def write(tmp_path, body: str):
    path = tmp_path / "structural.toml"
    path.write_text('baseline = "full_2011_2025"\n' + body, encoding="utf-8")
    return path


def test_a_target_without_a_requirement_is_refused(tmp_path):
    path = write(tmp_path, '[[target]]\nid = "x"\ndescription = "d"\nvariant = "cf_no_ukraine_war"'
                           '\nfallen_by = "2025-12"\nevidence = "record row 16"\n')
    with pytest.raises(UserInputError, match="at least one requirement"):
        load_structural(path)


def test_repeated_ids_and_bad_months_are_refused(tmp_path):
    one = ('[[target]]\nid = "x"\ndescription = "d"\nvariant = "cf_no_ukraine_war"\n'
           'fallen_by = "{month}"\nevidence = "record row 16"\ndifference_at_most = -0.3\n')
    with pytest.raises(UserInputError, match="unique ids"):
        load_structural(write(tmp_path, one.format(month="2025-12") * 2))
    with pytest.raises(UserInputError, match="fallen_by"):
        load_structural(write(tmp_path, one.format(month="2025-13")))


class FakeRuns:
    """Synthetic ensembles on common seeds by scenario name; counts how often each ran."""

    def __init__(self, falls: dict[str, list[str | None]]):
        self.falls, self.calls = falls, []

    def __call__(self, scenario):
        self.calls.append(scenario.name)
        return synthetic_ensemble(runs=RUNS, fall_dates=self.falls[scenario.name])


def test_evaluate_measures_falls_by_the_month_and_applies_each_bound(tmp_path):
    late, early = "2024-12", "2016-03"
    runs = FakeRuns({
        "full_2011_2025": [late] * RUNS,  # the baseline always falls, late
        "cf_no_russian_intervention": [early] * 30 + [late] * 10,  # 75% fall by 2017
        "cf_no_ukraine_war": [late] * 36 + [None] * 4,  # 10 points fewer falls by 2025
    })
    path = write(tmp_path, """
[[target]]
id = "no_russia"
description = "falls by 2017 in most runs"
variant = "cf_no_russian_intervention"
fallen_by = "2017-12"
variant_at_least = 0.5
difference_at_least = 0.3
evidence = "record row 16"

[[target]]
id = "ukraine"
description = "markedly fewer falls"
variant = "cf_no_ukraine_war"
fallen_by = "2025-12"
difference_at_most = -0.3
evidence = "record section 3"

[[target]]
id = "ukraine_placebo_bound"
description = "at most 20 points either way"
variant = "cf_no_ukraine_war"
fallen_by = "2025-12"
difference_at_most = 0.2
evidence = "record section 3"
""")
    table = evaluate(load_structural(path), runs, n_boot=300).set_index("id")
    assert list(table.reset_index().columns) == list(COLUMNS)
    assert runs.calls == ["full_2011_2025", "cf_no_russian_intervention", "cf_no_ukraine_war"]
    russia = table.loc["no_russia"]
    assert russia.baseline_share == 0.0 and russia.variant_share == pytest.approx(0.75)
    assert russia.passes and russia.interval_passes and russia.n_pairs == RUNS
    ukraine = table.loc["ukraine"]
    assert ukraine.difference == pytest.approx(-0.1) and not ukraine.passes
    assert ukraine.requirement == "difference at most -0.30"
    assert table.loc["ukraine_placebo_bound"].passes
    assert DEFAULT_STRUCTURAL.exists()


def run_py(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "run.py"), *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def test_validate_reports_the_structural_targets_apart(tmp_path):
    spec = tmp_path / "structural.toml"
    spec.write_text(
        'baseline = "cooperation_2011_2017"\n[[target]]\nid = "iran_holds_it_up"\n'
        'description = "d"\nvariant = "structural/no_iranian_forces.toml"\n'
        'fallen_by = "2015-09"\ndifference_at_least = 0.3\nevidence = "record row 9"\n',
        encoding="utf-8")
    done = run_py("validate", "cooperation_2011_2017", "--runs", "3", "--structural", str(spec),
                  "--out", str(tmp_path / "v.csv"), cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert "structural (1 targets" in done.stdout and "iran_holds_it_up" in done.stdout
    table = pd.read_csv(tmp_path / "structural_cooperation_2011_2017.csv")
    assert table["n_pairs"].tolist() == [3] and table["fallen_by"].tolist() == ["2015-09"]
    assert "train score" in done.stdout  # the scores are printed as before, apart


def test_a_bad_structural_file_is_refused_before_any_run(tmp_path):
    spec = tmp_path / "structural.toml"
    spec.write_text('baseline = "full_2011_2025"\n[[target]]\nid = "x"\n', encoding="utf-8")
    done = run_py("validate", "--runs", "2", "--structural", str(spec),
                  "--out", str(tmp_path / "v.csv"), cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "structural.toml" in done.stderr and "missing" in done.stderr
    assert not (tmp_path / "v.csv").exists()  # refused before the work
