"""`analyze` checks its arguments before it prints or creates anything, and warns when the
sample is too small for the method (on the toy model, tests/sweep/toy.py)."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.sweep.analyze import load_record, sample_warnings
from analysis.sweep.cli import main
from analysis.sweep.runner import run_sweep

from .helpers import LHS_PARAMETERS, spec_text


@pytest.fixture
def sobol_db(write_spec, tmp_path):
    path = write_spec(spec_text("method = \"sobol\"\nn = 8\nsecond_order = false",
                                LHS_PARAMETERS, replicates=1), "tiny_sobol")
    db = tmp_path / "tiny_sobol.duckdb"
    assert run_sweep(path, db, workers=1, progress=False).complete
    return db


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--condition", "no_such_outcome == 1"], "--condition"),
        (["--condition", "regime_fell + 1"], "true/false"),
        (["--outcome", "nope"], "--outcome"),
        (["--threshold", "1.5"], "--threshold"),
        (["--fill", "nan"], "--fill"),
    ],
)
def test_a_bad_argument_is_the_only_output_and_no_folder_is_made(sobol_db, argv, says, capsys):
    out = sobol_db.with_name("analysis_out")
    code = main(["analyze", str(sobol_db), "--out", str(out), *argv])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""  # nothing printed before the error
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and says in lines[0]
    assert not out.exists()


def test_an_out_under_a_file_is_refused_before_printing(sobol_db, capsys):
    blocker = sobol_db.with_name("a_file")
    blocker.write_text("user data")
    code = main(["analyze", str(sobol_db), "--out", str(blocker / "sub")])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == "" and "a_file" in captured.err
    assert blocker.read_text() == "user data"


def test_a_tiny_sobol_sample_is_warned_about(sobol_db, capsys):
    code = main(["analyze", str(sobol_db), "--outcome", "control_regime_2017_12",
                 "--out", str(sobol_db.with_name("ok"))])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "Sobol indices" in captured.out
    assert "warning: 8 base samples N is too few for sobol indices" in captured.err


def test_a_condition_held_by_a_handful_of_runs_is_warned_about(sobol_db):
    record = load_record(sobol_db)
    few = np.zeros(len(record.runs), dtype=bool)
    few[:3] = True
    assert any("a PRIM box on fewer than 10 runs" in n for n in sample_warnings(record, few))
    half = np.arange(len(record.runs)) % 2 == 0
    assert not any("PRIM" in n for n in sample_warnings(record, half))
