"""Each counterfactual changes what it should and nothing it should not.

Runs share seeds with the baseline (common random numbers), so a counterfactual's run is the
baseline's run month for month until the first month the difference can act.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.ensemble import run_one
from sim.model import SyriaModel
from sim.scenario import load_scenario
from sim.vocabulary import month_index

SEEDS = (0, 1, 2)


def trajectory(name: str, seed: int, end: str) -> tuple[np.ndarray, list]:
    model = SyriaModel(load_scenario(name, [f"end={end}"]), rng=seed)
    rows = []
    while model.running:
        model.step()
        rows.append(np.concatenate([model.control.ravel(), model.relations.ravel()]))
    return np.array(rows), model.events


@pytest.mark.parametrize("seed", SEEDS)
def test_no_russian_intervention_never_has_russian_combat_forces(seed):
    result = run_one(load_scenario("cf_no_russian_intervention"), seed)
    entries = [e for e in result.events if e[1] == "russia" and e[2] == "military_intervention"]
    assert entries == []
    combat = [e for e in result.events if e[1] == "russia" and e[2] == "action_start"
              and e[4] in ("air_campaign", "ground_deployment", "advisers_militias")]
    assert combat == []


@pytest.mark.parametrize("seed", SEEDS)
def test_no_ukraine_war_removes_the_shocks_and_nothing_before_them(seed):
    base, base_events = trajectory("full_2011_2025", seed, "2022-06")
    cf, cf_events = trajectory("cf_no_ukraine_war", seed, "2022-06")
    assert not [e for e in cf_events if e[2] == "shock" and "ukraine" in e[4]]
    assert [e for e in base_events if e[2] == "shock" and e[4] == "ukraine_war"]
    before = month_index("2022-02") - month_index("2011-03")  # months before the invasion
    np.testing.assert_array_equal(cf[:before], base[:before])


@pytest.fixture(scope="module")
def standing_in_august_2024() -> list[int]:
    """The first three seeds whose Assad government still stands in August 2024 (in some runs
    it falls earlier, and then there are no militias for the blows to hit)."""
    found = []
    for seed in range(20):
        model = SyriaModel(load_scenario("full_2011_2025", ["end=2024-08"]), rng=seed)
        while model.running:
            model.step()
        if model.fallen_at is None:
            found.append(seed)
        if len(found) == 3:
            return found
    pytest.fail("fewer than three of 20 runs keep the regime to August 2024")


@pytest.mark.parametrize("nth", range(3))
def test_the_blows_of_september_2024_hit_hezbollah_and_not_the_other_militias(
        nth, standing_in_august_2024):
    seed = standing_in_august_2024[nth]
    for name, blown in (("full_2011_2025", True), ("cf_hezbollah_intact", False)):
        model = SyriaModel(load_scenario(name, ["end=2024-09"]), rng=seed)
        while model.month < month_index("2024-08"):
            model.step()
        before = {f: model.forces[f].manpower for f in ("hezbollah", "militias")}
        model.step()
        ratio = {f: model.forces[f].manpower / max(before[f], 1e-9) for f in before}
        assert min(before.values()) > 1.0, "Iran's forces should still be in Syria in August 2024"
        assert (ratio["hezbollah"] < 0.7) if blown else (ratio["hezbollah"] > 0.7)
        assert ratio["militias"] > 0.7  # the blows to Hezbollah leave the others whole


@pytest.mark.parametrize("seed", SEEDS)
def test_red_line_counterfactual_only_forbids_us_talks_in_its_window(seed):
    base, _ = trajectory("full_2011_2025", seed, "2013-08")
    cf, _ = trajectory("cf_us_enforces_red_line_2013", seed, "2013-08")
    before = month_index("2013-08") - month_index("2011-03")
    np.testing.assert_array_equal(cf[:before], base[:before])
    result = run_one(load_scenario("cf_us_enforces_red_line_2013", ["end=2014-12"]), seed)
    start, end = month_index("2013-08"), month_index("2014-12")
    talks = [e for e in result.events if e[1] == "us" and e[2] == "action_start"
             and e[4] == "negotiation" and start <= month_index("2011-03") + e[0] - 1 <= end]
    assert talks == []


@pytest.mark.parametrize("seed", SEEDS)
def test_russia_shields_iran_never_deconflicts(seed):
    result = run_one(load_scenario("cf_russia_shields_iran"), seed)
    assert not [e for e in result.events if e[2] == "deconfliction"
                and "russia" in (e[1], e[3])]
