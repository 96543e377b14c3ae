"""Output a researcher reads right: what each summary row counts, how many runs a fall-date
statistic is over, tables that keep the month of a fall date, figures that show the survivors."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from rich.console import Console

import analysis.figures as figures
from analysis.stats import decimal_year, month_number
from cli.core import summary_table
from cli.main import main
from sim.ensemble import SUMMARY_COLUMNS, run_ensemble, seeds_for
from sim.scenario import load_scenario
from sim.strikes import count_of

# `collapse_2024` cut at September 2024: at the shipped point the regime falls in nearly every
# run by the end of 2024, most of them in October (docs/decisions.md D26), so a block of seeds
# with survivors beside falls needs the window to close before most falls
CUT = "end=2024-09"


@pytest.fixture(scope="module")
def collapse():
    """Four consecutive seeds of `collapse_2024` to `CUT` on which the regime falls in some
    runs and survives in others (the first such block from seed 0; which block it is depends on
    the calibrated point, so the fixture looks for it instead of naming it): the scenario, the
    ensemble and its first seed."""
    scenario = load_scenario("collapse_2024", [CUT])
    for first in range(0, 80, 4):
        ensemble = run_ensemble(scenario, seeds_for(first, 4), progress=False)
        if 0 < ensemble.summary["regime_fell"].sum() < 4:
            return scenario, ensemble, first
    pytest.fail(f"collapse_2024 ({CUT}) falls in some and not all of 4 runs on no block of "
                "seeds 0-79")


def test_the_summary_counts_airstrikes_beside_the_arrival_of_combat_forces(collapse):
    scenario, ensemble, _ = collapse
    for state in ("israel", "us"):
        assert f"airstrikes_{state}" in SUMMARY_COLUMNS
    events = ensemble.events
    for run in range(4):
        strikes = events[(events["run"] == run) & (events["event"] == "airstrike")]
        row = ensemble.summary.iloc[run]
        for state in ("israel", "us", "turkey"):
            details = strikes.loc[strikes["actor"] == state, "detail"]
            # the strikes the events report: Israel's counts, one an event for the others
            assert row[f"airstrikes_{state}"] == sum(count_of(d) for d in details)
    # Israel strikes in this window without its combat forces ever arriving
    assert ensemble.summary["airstrikes_israel"].min() > 0
    assert (ensemble.summary["intervention_date_israel"] == "").all()

    text = io.StringIO()
    Console(file=text, width=200).print(summary_table(ensemble.summary, scenario))
    shown = text.getvalue()
    assert "intervenes" not in shown
    israel = next(line for line in shown.splitlines() if "israel: own combat forces arrive" in line)
    assert "0% (0/4)" in israel and "airstrikes" in israel
    assert "dates of" in next(line for line in shown.splitlines() if "regime fell" in line)


def test_compare_says_how_many_runs_fell_and_keeps_the_month(collapse, tmp_path, capsys):
    _, ensemble, first = collapse  # the same seeds as the compare below
    out = tmp_path / "cmp"
    code = main(["compare", "collapse_2024", "collapse_2024", "--runs", "4", "--boot", "20",
                 "--seed", str(first), "--set", CUT, "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 0
    fell = int(ensemble.summary["regime_fell"].sum())
    assert fell > 0  # the fixture's runs: some fall, so there is a month to keep
    table = pd.read_csv(out / "comparison.csv", keep_default_na=False)
    row = table[table["quantity"] == "median_fall_date"].iloc[0]
    assert row["fell_a"] == row["fell_b"] == f"{fell}/4"
    assert "median fall date" in printed
    assert printed.count(f"({fell}/4 fell)") == 2
    months = month_number(ensemble.summary.loc[ensemble.summary["regime_fell"] == 1,
                                               "regime_fall_date"])
    expected = decimal_year(float(np.median(months)))
    # to the day (the table keeps four decimals of a year, about an hour), never to a year
    assert abs(float(row["a"]) - expected) < 0.5 / 365.25
    assert sorted(p.name for p in out.iterdir()) == ["comparison.csv", "figures",
                                                     "manifest.json"]


def test_the_fall_date_histogram_shows_the_runs_that_survived(collapse, tmp_path, monkeypatch):
    _, ensemble, _ = collapse
    survived = int((ensemble.summary["regime_fell"] == 0).sum())
    shown = {}

    def keep(figure, out_dir, name):
        shown["axes"] = figure.axes[0]
        return []

    monkeypatch.setattr(figures, "_save", keep)
    cut = load_scenario("collapse_2024", ["end=2024-03"])  # too short for any fall
    short = run_ensemble(cut, [0, 1, 2], progress=False)
    figures.fall_date_chart(ensemble, short, Path(tmp_path), labels=("full", "short"))
    ax = shown["axes"]
    bars = [p.get_height() for p in ax.patches if getattr(p, "get_hatch", lambda: None)()]
    assert bars == [survived, 3]  # the survivors of each ensemble, in a bar of their own
    assert any(t.get_text() == "did not fall" for t in ax.texts)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    fell = 4 - survived
    assert labels == [f"full: fell in {fell / 4:.0%} of runs ({fell} of 4)",
                      "short: fell in 0% of runs (0 of 3)"]
