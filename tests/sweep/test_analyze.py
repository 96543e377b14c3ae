"""Analysis of a stored sweep, on the toy model whose sensitivities are known: its
`control_regime_2017_12` is linear in the scaled parameters with weights russia 4, iran 2,
temperature -1, turkey -0.5, israel 0."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.sweep.analyze import (
    condition_mask,
    describe_boxes,
    describe_noise,
    grid_means,
    grid_table,
    load_record,
    morris_table,
    noise_share,
    point_means,
    prim_boxes,
    sobol_table,
)
from analysis.sweep.cli import main
from analysis.sweep.runner import run_sweep
from sim.errors import UserInputError

from .helpers import spec_text

FIVE = "\n".join(
    f'"{name}" = {{ low = {lo}, high = {hi} }}'
    for name, lo, hi in [
        ("russia.resolve", 0.3, 1.0),
        ("iran.resolve", 0.3, 1.0),
        ("choice.temperature", 0.05, 0.5),
        ("turkey.resolve", 0.3, 1.0),
        ("israel.resolve", 0.3, 1.0),
    ]
)
OUTCOME = "control_regime_2017_12"


@pytest.fixture
def stored(write_spec, tmp_path):
    """Run a spec through the inline executor and return the sweep as stored."""

    made = []

    def make(sampler: str, parameters: str = FIVE, replicates: int = 1):
        made.append(sampler)
        name = f"s{len(made)}"
        path = write_spec(spec_text(sampler, parameters, replicates=replicates), name)
        db = tmp_path / f"{name}.duckdb"
        assert run_sweep(path, db, workers=1, progress=False).complete
        return load_record(db)

    return make


def test_sobol_first_order_indices_rank_the_parameters_by_their_weight(stored):
    table = sobol_table(stored("method = 'sobol'\nn = 256", replicates=2), OUTCOME)
    s1 = table["S1"]
    assert s1["russia.resolve"] > s1["iran.resolve"] > s1["choice.temperature"]
    assert s1["choice.temperature"] > max(s1["turkey.resolve"], s1["israel.resolve"])
    # a linear model: S1 = w_i^2 / sum w^2 (16, 4, 1, 0.25, 0 over 21.25), and ST = S1
    expected = np.array([16, 4, 1, 0.25, 0]) / 21.25
    names = [
        "russia.resolve",
        "iran.resolve",
        "choice.temperature",
        "turkey.resolve",
        "israel.resolve",
    ]
    assert np.allclose(table.loc[names, "ST"], expected, atol=0.06)
    assert (table["S1_conf"] > 0).all() and (table["ST_conf"] > 0).all()


def test_morris_mu_star_ranks_the_parameters_by_their_weight(stored):
    table = morris_table(stored("method = 'morris'\nn = 20"), OUTCOME)
    mu = table["mu_star"]
    assert (
        mu["russia.resolve"]
        > mu["iran.resolve"]
        > mu["choice.temperature"]
        > mu["turkey.resolve"]
        > mu["israel.resolve"]
    )
    assert mu["russia.resolve"] / mu["iran.resolve"] == pytest.approx(2.0, rel=0.1)


def test_indices_need_the_whole_sample(stored):
    record = stored("method = 'sobol'\nn = 16")
    partial = record.runs[record.runs["point_id"] != 5]
    with pytest.raises(UserInputError, match="--resume"):
        point_means(
            type(record)(record.db, record.spec, record.info, record.points, partial), OUTCOME
        )
    with pytest.raises(UserInputError, match="pick an outcome defined in every run"):
        point_means(record, "regime_fall_month")


def test_grid_means_average_the_replicates_of_each_cell(stored):
    grid_parameters = (
        '"russia.resolve" = { levels = [0.3, 0.65, 1.0] }\n'
        '"shocks.ukraine_war.magnitude" = { levels = [0.0, 1.0] }'
    )
    record = stored("method = 'grid'", grid_parameters, replicates=5)
    grid = grid_means(record, OUTCOME)
    assert grid.shape == (3, 2)
    cell = record.runs[
        (record.runs["russia.resolve"] == 0.65)
        & (record.runs["shocks.ukraine_war.magnitude"] == 1.0)
    ]
    assert len(cell) == 5 and grid.loc[0.65, 1.0] == pytest.approx(cell[OUTCOME].mean())
    assert (np.diff(grid.to_numpy(), axis=0) > 0).all()  # more resolve, more control
    assert (np.diff(grid.to_numpy(), axis=1) < 0).all()  # a bigger war, less


def test_the_grid_table_gives_each_cells_spread_and_count(stored, capsys, tmp_path):
    grid_parameters = (
        '"russia.resolve" = { levels = [0.3, 1.0] }\n'
        '"shocks.ukraine_war.magnitude" = { levels = [0.0, 1.0] }'
    )
    record = stored("method = 'grid'", grid_parameters, replicates=6)
    table = grid_table(record, OUTCOME)
    assert len(table) == 4 and (table["n"] == 6).all()
    row = table[(table["russia.resolve"] == 1.0) & (table["shocks.ukraine_war.magnitude"] == 0.0)]
    cell = record.runs[(record.runs["russia.resolve"] == 1.0)
                       & (record.runs["shocks.ukraine_war.magnitude"] == 0.0)][OUTCOME]
    assert row["sd"].item() == pytest.approx(cell.std()) and row["sd"].item() > 0
    half = 1.96 * cell.std() / np.sqrt(6)
    assert row["ci_low"].item() == pytest.approx(cell.mean() - half)
    assert row["ci_high"].item() == pytest.approx(cell.mean() + half)
    assert main(["analyze", str(record.db), "--outcome", OUTCOME, "--out", str(tmp_path)]) == 0
    assert "sd of the runs in each cell (6 runs a cell)" in capsys.readouterr().out
    assert list(pd.read_csv(tmp_path / f"grid_{OUTCOME}.csv").columns) == [
        "russia.resolve", "shocks.ukraine_war.magnitude", "mean", "sd", "n", "ci_low", "ci_high"]


def test_the_noise_share_is_the_pooled_spread_between_replicates(stored):
    record = stored("method = 'lhs'\nn = 40", replicates=3)
    runs = record.runs
    within = runs.groupby("point_id")[OUTCOME].var(ddof=1).mean()
    share = noise_share(record, OUTCOME)
    assert share == pytest.approx(within / runs[OUTCOME].var(ddof=1))
    assert 0 < share < 0.5  # the toy's noise is small next to its parameters' effects
    assert f"{share:.0%} of the variance" in describe_noise(record, OUTCOME)
    single = stored("method = 'lhs'\nn = 10", replicates=1)
    assert noise_share(single, OUTCOME) is None
    assert "not measured" in describe_noise(single, OUTCOME)


def test_prim_finds_the_high_resolve_box_where_the_regime_survives(stored):
    record = stored("method = 'lhs'\nn = 300", replicates=2)
    survives = condition_mask(record.runs, "regime_fell == 0", record.spec.names)
    boxes = prim_boxes(record, "regime_fell == 0", threshold=0.7)
    assert boxes, "no box found"
    first = boxes[0]
    assert first.density > survives.mean() and first.density >= 0.7
    assert 0 < first.coverage <= 1 and 0 < first.mass < 1
    assert first.limits.loc["russia.resolve", "low"] > 0.5  # survival needs Russia's resolve
    assert first.significant.loc["russia.resolve", "qp"] < 1e-6
    # Israel's resolve does nothing in the toy: a peel that trims it is not significant
    assert "israel.resolve" not in first.significant.index
    assert first.limits["qp"].between(0, 1).all()
    assert all(box.density >= 0.7 for box in boxes[1:])  # later boxes only if dense enough
    text = describe_boxes(boxes, "regime_fell == 0", int(survives.sum()), len(survives), 0.7)
    first_lines = text.split("  box 2")[0].splitlines()
    assert any(line.split()[0] == "russia.resolve" and "(qp " in line for line in first_lines)
    printed = [float(line.rsplit("(qp ", 1)[1].rstrip(")")) for line in first_lines
               if "(qp " in line and not line.strip().startswith("also")]
    assert len(printed) == len(first.significant) and max(printed) <= 0.05
    weak = first.limits.index.difference(first.significant.index)
    assert weak.empty or any(line.strip().startswith("also trimmed, not significant")
                             and all(n in line for n in weak) for line in first_lines)


def test_conditions_may_name_dotted_parameters_bare(stored):
    record = stored("method = 'lhs'\nn = 20")
    mask = condition_mask(
        record.runs, "russia.resolve > 0.6 and regime_fell == 0", record.spec.names
    )
    expected = (record.runs["russia.resolve"] > 0.6) & (record.runs["regime_fell"] == 0)
    assert (mask == expected.to_numpy()).all()
    with pytest.raises(UserInputError, match="cannot evaluate"):
        condition_mask(record.runs, "regime_rose == 1", record.spec.names)
    with pytest.raises(UserInputError, match="true/false"):
        condition_mask(record.runs, "regime_fell + 1", record.spec.names)


def test_analyze_writes_the_table_the_figure_and_the_boxes(stored, tmp_path, capsys):
    record = stored("method = 'sobol'\nn = 64")
    out = tmp_path / "report"
    assert (
        main(
            [
                "analyze",
                str(record.db),
                "--outcome",
                OUTCOME,
                "--condition",
                "regime_fell == 0",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "Sobol indices for control_regime_2017_12" in printed and "PRIM:" in printed
    for name in (f"sobol_{OUTCOME}.csv", f"sobol_{OUTCOME}.png", "prim_boxes.csv"):
        assert (out / name).stat().st_size > 0
    assert (out / f"sobol_{OUTCOME}.png").read_bytes()[:4] == b"\x89PNG"
    assert main(["analyze", str(tmp_path / "s.duckdb"), "--outcome", "nothing"]) == 2


def test_fill_counts_runs_without_the_outcome_as_a_value(stored, capsys, tmp_path):
    record = stored("method = 'sobol'\nn = 32", replicates=2)
    missing = int(record.runs["regime_fall_month"].isna().sum())
    assert 0 < missing < len(record.runs)  # the toy's regime survives in some runs
    args = ["analyze", str(record.db), "--outcome", "regime_fall_month", "--out", str(tmp_path)]
    assert main(args) == 2
    assert "--fill VALUE" in capsys.readouterr().err
    assert main([*args, "--fill", "180"]) == 0
    out = capsys.readouterr().out
    assert f"regime_fall_month: {missing} runs without a value count as 180 (--fill)" in out
    table = pd.read_csv(tmp_path / "sobol_regime_fall_month.csv", index_col=0)
    assert table.loc["russia.resolve", "ST"] > table.loc["israel.resolve", "ST"]
