"""Shared synthetic ensembles and figures for the analysis tests (built once per session)."""

from __future__ import annotations

from pathlib import Path

import pytest
from synthetic import SyntheticEnsemble, synthetic_ensemble

from analysis.figures import plot_all


@pytest.fixture(scope="session")
def ensemble() -> SyntheticEnsemble:
    """The whole war, 2011-03 to 2025-12, 16 runs with the historical course."""
    return synthetic_ensemble(runs=16, base_seed=0)


@pytest.fixture(scope="session")
def figure_paths(
    ensemble: SyntheticEnsemble, tmp_path_factory: pytest.TempPathFactory
) -> list[Path]:
    return plot_all(ensemble, tmp_path_factory.mktemp("figures"))
