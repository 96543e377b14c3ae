"""Figures are written as real, non-trivial PNG and SVG files, and show what they claim to."""

from __future__ import annotations

from pathlib import Path

import pytest
from synthetic import synthetic_ensemble

from analysis.figures import (
    bands,
    key_event_dates,
    load_control_record,
    plot_comparison,
    year_of,
)

PNG = b"\x89PNG\r\n\x1a\n"
EXPECTED = {"control_fan", "influence_fan", "cooperation_heatmap", "utility_terms", "vetoes"}


def check_written(paths: list[Path], names: set[str]) -> None:
    assert {p.stem for p in paths} == names
    for path in paths:
        assert path.is_file(), path
        if path.suffix == ".png":
            assert path.read_bytes()[:8] == PNG
            assert path.stat().st_size > 20_000, path  # a drawn chart, not an empty canvas
        else:
            assert path.suffix == ".svg"
            text = path.read_text(encoding="utf-8")
            assert "<svg" in text and text.count("<path") > 20, path


def test_plot_all_writes_every_figure_as_png_and_svg(figure_paths):
    assert len(figure_paths) == 2 * len(EXPECTED)
    check_written(figure_paths, EXPECTED)


def test_control_fan_shows_the_record_and_the_key_events(figure_paths):
    svg = next(p for p in figure_paths if p.name == "control_fan.svg").read_text(encoding="utf-8")
    for label in ("russia enters", "iran enters", "regime falls", "record", "control: regime"):
        assert label in svg, label


def test_comparison_figures(ensemble, tmp_path):
    counterfactual = synthetic_ensemble(runs=16, base_seed=0, fall_share=0.2)
    paths = plot_comparison(ensemble, counterfactual, tmp_path, labels=("history", "no fall"))
    check_written(paths, {"compare_fall_dates", "compare_control", "compare_influence"})
    svg = (tmp_path / "compare_fall_dates.svg").read_text(encoding="utf-8")
    share = ensemble.summary["regime_fell"].mean()
    assert f"history: fell in {share:.0%} of runs" in svg


def test_bands_are_ordered_quantiles_over_runs(ensemble):
    table = bands(ensemble.timeseries, "control")
    assert set(table.index.get_level_values("subject")) == {
        "regime",
        "opposition",
        "sdf",
        "isis",
        "successor",
    }
    values = table.to_numpy()
    assert (values[:, :-1] <= values[:, 1:] + 1e-12).all()
    dec_2017 = table.loc[("regime", "2017-12"), 0.5]
    runs = ensemble.timeseries.query(
        "variable == 'control' and subject == 'regime' and date == '2017-12'"
    )["value"]
    assert dec_2017 == pytest.approx(runs.median())


def test_key_events_are_median_months(ensemble):
    marks = {label: (year, share) for label, year, share in key_event_dates(ensemble)}
    first = ensemble.summary["intervention_date_russia"]
    median = sorted(year_of(first))[len(first) // 2 - 1 : len(first) // 2 + 1]
    assert marks["russia enters"][1] == 1.0
    assert min(median) <= marks["russia enters"][0] <= max(median)
    assert marks["regime falls"][1] == pytest.approx(ensemble.summary["regime_fell"].mean())
    assert "syria enters" not in marks


def test_year_of():
    assert list(year_of(["2015-01", "2015-07"])) == pytest.approx([2015.0, 2015.5])


def test_control_record_overlay_data_is_in_range():
    record = load_control_record()
    assert set(record["subject"]) <= {"regime", "opposition", "sdf", "isis"}
    assert set(record["bound"]) <= {"", "upper", "lower"}
    assert record["date"].min() >= "2011-03" and record["date"].max() <= "2017-12"
