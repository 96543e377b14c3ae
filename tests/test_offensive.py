"""The opposition's offensive as a decision (`ArmedForce.weigh_offensive`): its commanders
weigh their force ratio on the fronts against the response the regime's patrons could still
send (`regime.patrons_reserve`: what each has shown it can add, as far as other wars leave it).
"""

from __future__ import annotations

import numpy as np
import pytest

from sim import regime
from sim.model import SyriaModel
from sim.scenario import load_scenario
from sim.vocabulary import FACTIONS, S

R = FACTIONS.index("regime")


def test_the_reserve_is_shown_capacity_left_free_by_other_wars_less_what_is_sent():
    capacity, contribution, availability = np.zeros(6), np.zeros(6), np.ones(6)
    capacity[[S["iran"], S["russia"], S["syria"]]] = 100.0, 80.0, 500.0
    contribution[[S["iran"], S["russia"], S["syria"]]] = 60.0, 20.0, 10.0
    availability[S["russia"]] = 0.4  # Ukraine
    # Iran could add 40, Russia 0.4 * 80 - 20 = 12; the regime's own army is no patron
    assert regime.patrons_reserve(capacity, contribution, availability) == pytest.approx(52.0)
    availability[S["russia"]] = 0.2  # it sends more than other wars leave it: nothing to add
    assert regime.patrons_reserve(capacity, contribution, availability) == pytest.approx(40.0)


@pytest.fixture
def opposition(short_scenario):
    return SyriaModel(short_scenario, rng=0).forces["opposition"]


def test_an_offensive_waits_for_the_patrons_to_be_tied_down(opposition):
    ratio = 1.5 * opposition.params["offensive_ratio"]
    opposition.weigh_offensive(ratio, response=1.0)  # the patrons could double the regime
    assert not opposition.offensive
    opposition.weigh_offensive(ratio, response=0.2)
    assert opposition.offensive
    started = [e for e in opposition.model.events if e[2] == "offensive"]
    assert len(started) == 1 and "against the patrons' response" in started[0][4]
    opposition.weigh_offensive(ratio, response=0.2)  # going on: no second start
    assert len([e for e in opposition.model.events if e[2] == "offensive"]) == 1


def test_capacity_is_the_most_each_state_has_added_at_full_availability():
    model = SyriaModel(load_scenario("full_2011_2025", ["end=2016-06"]), rng=3)
    before = model.capacity.copy()
    while model.running:
        model.step()
        available = model.shocks.availability(model.month)
        assert np.all(model.capacity >= before)
        assert np.all(model.capacity >= model.contribution[:, R] / available - 1e-9)
        before = model.capacity.copy()
    assert model.capacity[S["iran"]] > 0.0 and model.capacity[S["israel"]] == 0.0
