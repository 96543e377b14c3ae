"""Comparing two ensembles run on the same seeds, on cases whose answer is known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from synthetic import SyntheticEnsemble, synthetic_ensemble

from analysis.stats import (
    COMPARISON_COLUMNS,
    Window,
    bootstrap_indices,
    compare,
    default_windows,
    fall_date_difference,
    fall_probability_difference,
    mean_differences,
    month_number,
    month_text,
    outcome_summary,
    paired_runs,
)
from sim.errors import UserInputError

RUNS = 120


@pytest.fixture(scope="module")
def known_pair() -> tuple[SyntheticEnsemble, SyntheticEnsemble]:
    """A: the regime falls in 60% of runs (2024-12); B, on the same seeds, in exactly 30%
    (2025-03), each of B's falls in a run where A's regime fell too."""
    falls_a = ["2024-12" if r % 10 < 6 else None for r in range(RUNS)]
    falls_b = ["2025-03" if r % 10 < 3 else None for r in range(RUNS)]
    short = {"runs": RUNS, "start": "2024-01", "end": "2025-12"}
    return (
        synthetic_ensemble(fall_dates=falls_a, **short),
        synthetic_ensemble(fall_dates=falls_b, **short),
    )


def test_fall_probability_difference_known_case(known_pair):
    a, b = known_pair
    row = fall_probability_difference(a, b, n_boot=2000, seed=1)
    assert row["a"] == pytest.approx(0.6) and row["b"] == pytest.approx(0.3)
    assert row["difference"] == pytest.approx(-0.3)
    assert row["ci_low"] < -0.3 < row["ci_high"]
    assert row["ci_high"] < 0 and row["ci_excludes_zero"]
    assert row["n_pairs"] == RUNS
    # the paired interval is about as wide as the binomial one for 30% of pairs changing
    half_width = (row["ci_high"] - row["ci_low"]) / 2
    assert half_width == pytest.approx(1.96 * np.sqrt(0.3 * 0.7 / RUNS), rel=0.2)


def test_falls_counted_by_a_month(known_pair):
    # A's falls come in 2024-12 and B's in 2025-03: by January 2025 only A's count
    a, b = known_pair
    row = fall_probability_difference(a, b, n_boot=500, seed=1, by="2025-01")
    assert row["quantity"] == "fallen_by_2025-01"
    assert row["a"] == pytest.approx(0.6) and row["b"] == 0.0
    assert row["difference"] == pytest.approx(-0.6)
    by_end = fall_probability_difference(a, b, n_boot=500, seed=1, by="2025-12")
    assert by_end["b"] == pytest.approx(0.3)
    assert fall_probability_difference(a, b, n_boot=500, seed=1, by="2024-11")["a"] == 0.0


def test_the_bootstrap_is_seeded(known_pair):
    a, b = known_pair
    first = fall_probability_difference(a, b, n_boot=500, seed=7)
    again = fall_probability_difference(a, b, n_boot=500, seed=7)
    assert first == again
    assert (bootstrap_indices(RUNS, 50, 7) == bootstrap_indices(RUNS, 50, 7)).all()
    assert (bootstrap_indices(RUNS, 50, 7) != bootstrap_indices(RUNS, 50, 8)).any()


def test_median_fall_date_difference_known_case(known_pair):
    a, b = known_pair
    row = fall_date_difference(a, b, n_boot=500)
    assert row["difference"] == pytest.approx(3.0)  # 2024-12 → 2025-03
    assert (row["ci_low"], row["ci_high"]) == (3.0, 3.0)
    assert row["a"] == pytest.approx(2024 + 11 / 12)


def test_a_small_sample_does_not_exclude_zero():
    falls_a = ["2024-12" if r % 2 else None for r in range(10)]
    falls_b = ["2024-12" if r in (1, 3, 4, 6) else None for r in range(10)]
    short = {"runs": 10, "start": "2024-06", "end": "2025-06"}
    a = synthetic_ensemble(fall_dates=falls_a, **short)
    b = synthetic_ensemble(fall_dates=falls_b, **short)
    row = fall_probability_difference(a, b, n_boot=2000)
    assert row["difference"] == pytest.approx(-0.1)
    assert row["ci_low"] < 0 < row["ci_high"] and not row["ci_excludes_zero"]


def test_mean_difference_of_a_known_shift(known_pair):
    a, _ = known_pair
    shifted = a.timeseries.copy()
    regime = (shifted["variable"] == "control") & (shifted["subject"] == "regime")
    in_window = shifted["date"].between("2024-01", "2024-06")
    shifted.loc[regime & in_window, "value"] += 0.1
    b = SyntheticEnsemble(timeseries=shifted, events=a.events, summary=a.summary)
    windows = [
        Window("control", "regime", "2024-01", "2024-06"),
        Window("control", "sdf", "2024-01", "2024-06"),
    ]
    rows = mean_differences(a, b, windows, n_boot=300)
    assert rows[0]["difference"] == pytest.approx(0.1)
    assert rows[0]["ci_low"] == pytest.approx(0.1) and rows[0]["ci_high"] == pytest.approx(0.1)
    assert rows[1]["difference"] == 0.0 and not rows[1]["ci_excludes_zero"]


def test_pairs_follow_seeds_not_run_numbers(known_pair):
    a, b = known_pair
    # B's runs listed in another order: the pairing must still match seed to seed
    order = np.random.default_rng(0).permutation(RUNS)
    renumber = dict(zip(range(RUNS), order, strict=True))
    b2 = SyntheticEnsemble(
        timeseries=b.timeseries.assign(run=b.timeseries["run"].map(renumber)),
        events=b.events.assign(run=b.events["run"].map(renumber)),
        summary=b.summary.assign(run=b.summary["run"].map(renumber)),
    )
    pairs = paired_runs(a, b2)
    assert (pairs["run_b"].to_numpy() == order[pairs["run_a"].to_numpy()]).all()
    assert fall_probability_difference(a, b2, n_boot=200) == fall_probability_difference(
        a, b, n_boot=200
    )


def test_ensembles_without_common_seeds_are_a_user_error():
    a = synthetic_ensemble(runs=3, start="2024-01", end="2024-03", base_seed=0)
    b = synthetic_ensemble(runs=3, start="2024-01", end="2024-03", base_seed=50)
    with pytest.raises(UserInputError, match="same seeds"):
        compare(a, b)


def test_compare_is_tidy_and_zero_for_an_ensemble_against_itself(ensemble):
    table = compare(ensemble, ensemble, n_boot=200)
    assert tuple(table.columns) == COMPARISON_COLUMNS
    assert list(table["quantity"][:2]) == ["fall_probability", "median_fall_date"]
    assert (table["difference"].fillna(0) == 0).all()
    assert not table["ci_excludes_zero"].any()
    means = table[table["quantity"] == "mean"]
    assert len(means) == 3 * 11  # three periods × (5 factions, 5 states, iran-russia)
    assert set(means["start"]) == {"2011-03", "2018-01", "2024-11"}


def test_compare_finds_the_counterfactuals_effect(ensemble):
    """B: the same seeds, but the regime never falls: it keeps more ground after 2024."""
    b = synthetic_ensemble(runs=16, base_seed=0, fall_dates=[None] * 16)
    table = compare(ensemble, b, n_boot=500)
    fall = table.iloc[0]
    assert fall["difference"] == pytest.approx(-ensemble.summary["regime_fell"].mean())
    assert fall["ci_excludes_zero"]
    rows = table.set_index(["quantity", "variable", "subject", "start"])
    after = rows.loc[("mean", "control", "regime", "2024-11")]
    assert after["difference"] > 0.2 and after["ci_excludes_zero"]
    before = rows.loc[("mean", "control", "regime", "2011-03")]
    assert before["difference"] == 0.0  # common random numbers: identical before the fall


def test_default_windows_clip_to_the_common_months():
    a = synthetic_ensemble(runs=2, start="2017-12", end="2024-10")
    b = synthetic_ensemble(runs=2, start="2011-03", end="2025-12")
    windows = default_windows(a, b)
    assert {(w.start, w.end) for w in windows} == {("2017-12", "2017-12"), ("2018-01", "2024-10")}


def test_outcome_summary_gives_shares_and_quantiles_of_months():
    falls = ["2024-11", "2024-12", "2025-01", None]
    e = synthetic_ensemble(runs=4, start="2011-03", end="2025-12", fall_dates=falls)
    table = outcome_summary(e).set_index("outcome")
    assert table.loc["regime_fall", "share"] == pytest.approx(0.75)
    assert table.loc["regime_fall", "q50"] == "2024-12"
    assert table.loc["regime_fall", "q10"] == "2024-11"
    assert table.loc["intervention_russia", "share"] == 1.0
    assert "intervention_syria" not in table.index
    assert table.loc["intervention_israel", "q50"] == ""


def test_month_numbers_round_trip():
    dates = pd.Series(["2011-03", "2024-12", "", None, "bad"])
    numbers = month_number(dates)
    assert numbers[0] == 2011 * 12 + 2 and numbers[1:].notna().tolist() == [
        True,
        False,
        False,
        False,
    ]
    assert month_text(numbers[1]) == "2024-12" and month_text(float("nan")) == ""
