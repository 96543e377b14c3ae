"""A sweep too large for the machine is refused before the sampler allocates it."""

from __future__ import annotations

from analysis.sweep.cli import main

from .helpers import spec_text

HUGE_GRID = "\n".join(  # 100 levels of 8 parameters: 10^16 points
    f'"{name}" = {{ levels = [{", ".join(str(0.3 + k * 0.007) for k in range(100))}] }}'
    for name in ("russia.resolve", "iran.resolve", "turkey.resolve", "israel.resolve",
                 "us.resolve", "choice.temperature", "theatre.decisiveness",
                 "regime.morale_sensitivity")
)


def test_a_grid_beyond_the_memory_is_refused_before_sampling(write_spec, capsys):
    path = write_spec(spec_text('method = "grid"', HUGE_GRID), "huge")
    code = main(["sweep", str(path), "--dry-run"])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and "10000000000000000 points" in lines[0]
    assert "GB of memory" in lines[0] and str(path) in lines[0]


def test_a_sobol_sample_beyond_the_memory_is_refused(write_spec, capsys, monkeypatch):
    monkeypatch.setattr("sim.limits.available_memory", lambda: 2 * 10**9)  # a 2 GB machine
    parameters = ('"russia.resolve" = { low = 0.3, high = 1.0 }\n'
                  '"iran.resolve" = { low = 0.3, high = 1.0 }')
    path = write_spec(spec_text('method = "sobol"\nn = 8388608\nsecond_order = false',
                                parameters), "big")
    assert main(["sweep", str(path), "--dry-run"]) == 2
    assert "33554432 points" in capsys.readouterr().err


def test_a_sweep_that_fits_is_planned(write_spec, capsys):
    parameters = '"russia.resolve" = { low = 0.3, high = 1.0 }'
    path = write_spec(spec_text('method = "lhs"\nn = 8', parameters), "small")
    assert main(["sweep", str(path), "--dry-run"]) == 0
    assert capsys.readouterr().out.strip().endswith("= 16 runs")
