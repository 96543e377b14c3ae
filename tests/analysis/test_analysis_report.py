"""The HTML report is one self-contained file with the figures, validation table, outcomes and
the parameters with their sources."""

from __future__ import annotations

import re

from synthetic import write_outputs

from analysis.report import parameter_rows, report_from_folder, write_report
from analysis.targets import load_targets

PARAMETERS = {
    "russia": {"resolve": 0.8, "weights": {"survival": 0.5, "influence": 0.3}},
    "theatre": {"noise": 0.1},
    "un": {"draft_rate": 0.2},
}
SOURCES = {
    "russia.resolve": "seed 002; hand-set (train)",
    "russia.weights": "seed 001: balance of power <with the US>",
    "theatre.noise": "Tullock 1980",
}


def test_parameter_rows_keep_sourced_tables_whole():
    rows = parameter_rows(PARAMETERS, SOURCES).set_index("key")
    assert list(rows.index) == [
        "russia.resolve",
        "russia.weights",
        "theatre.noise",
        "un.draft_rate",
    ]
    assert rows.loc["russia.weights", "value"] == '{"survival": 0.5, "influence": 0.3}'
    assert rows.loc["theatre.noise", "source"] == "Tullock 1980"
    assert rows.loc["un.draft_rate", "source"] == ""


def test_report_is_self_contained_and_complete(ensemble, figure_paths, tmp_path):
    path = write_report(
        ensemble,
        tmp_path / "out" / "report.html",
        scenario="full_2011_2025",
        parameters=PARAMETERS,
        sources=SOURCES,
        figures=figure_paths,
        manifest={"version": "0.1.0", "git": {"commit": "abc123", "dirty": True}},
    )
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")
    assert text.count('<img alt="') == 5
    assert text.count("data:image/png;base64,") == 5
    assert not re.search(r'(src|href)="(https?:|/|file:)', text)  # nothing outside the file
    assert path.stat().st_size > 100_000
    # the validation table: every target, its share and its source
    table = text[text.index('<div id="validation">') :]
    for target in load_targets():
        assert f"<td>{target.id}</td>" in table
    assert "train</b> score:" in text and "test</b> score:" in text
    # parameters and their sources, escaped
    assert "seed 001: balance of power &lt;with the US&gt;" in text
    assert "<td>russia.resolve</td><td>0.8</td>" in text
    # scenario facts and key outcomes
    assert "full_2011_2025" in text and "abc123 (modified)" in text
    fell = ensemble.summary["regime_fell"].mean()
    assert f'<tr><td>regime_fall</td><td class="num">{fell:.0%}</td>' in text


def test_report_from_a_results_folder(ensemble, figure_paths, tmp_path):
    """A folder in the contract's format, read back with the model's own reader."""
    folder = write_outputs(ensemble, tmp_path / "results", scenario="collapse_2024")
    path = report_from_folder(folder, sources=SOURCES, figures=figure_paths)
    assert path == folder / "report.html"
    text = path.read_text(encoding="utf-8")
    assert "Scenario collapse_2024" in text
    assert "<td>russia.resolve</td><td>0.8</td><td>seed 002; hand-set (train)</td>" in text
    assert text.count("<img") == 5
