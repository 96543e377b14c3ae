"""Shared fixtures: the real geography, the default parameters, a short real scenario."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings

from sim import params
from sim.scenario import ScenarioSpec, load_scenario
from sim.theatre import Geography, load_geography

# Property tests must stay quick on two shared cores; the first example may pay for imports.
settings.register_profile(
    "project", max_examples=40, deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
settings.load_profile("project")


@pytest.fixture(scope="session")
def geography() -> Geography:
    return load_geography()


@pytest.fixture
def defaults() -> dict:
    """A fresh copy of the default parameter tree (tests may change it)."""
    return params.load_defaults()


@pytest.fixture(scope="session")
def short_scenario() -> ScenarioSpec:
    """The whole-war scenario cut to three months of 2024 (its initial state is March 2011)."""
    return load_scenario("full_2011_2025", sets=["start=2024-01", "end=2024-03"])
