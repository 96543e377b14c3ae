"""Combat forces a state orders in arrive `deployment_lag` months later (params/actors.toml):
the decision emerges as before, the forces fight only once they are there, and the state's
military intervention is the month they arrive."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model import SyriaModel
from sim.scenario import load_scenario
from sim.vocabulary import COMBAT_ACTIONS, A, S

RUSSIA = S["russia"]
SEEDS = range(6)
CUT = "end=2016-06"  # Russia orders its forces in during 2014-2015 in most runs


def first(events, state, event, detail=None):
    for step, actor, name, _, text in events:
        if actor == state and name == event and (detail is None or detail in text):
            return step
    return None


def run(sets=(), seed=0, scenario="cooperation_2011_2017"):
    model = SyriaModel(load_scenario(scenario, [CUT, *sets]), rng=seed)
    on_the_way = []
    while model.running:
        model.step()
        held, fighting = model._joint[RUSSIA], model._in_theatre[RUSSIA]
        if any(held[A[a]] and not fighting[A[a]] for a in COMBAT_ACTIONS):
            on_the_way.append(model.steps)
    return model, on_the_way


@pytest.fixture(scope="module")
def lagged():
    """Runs in which Russia orders combat forces in, with its lag set to three months."""
    out = []
    for seed in SEEDS:
        model, on_the_way = run(["russia.deployment_lag=3"], seed)
        model._seed = seed
        if first(model.events, "russia", "deployment") is not None:
            out.append((model, on_the_way))
    assert out, "no run in which Russia orders forces in: the test has nothing to check"
    return out


def test_forces_arrive_lag_months_after_the_order(lagged):
    for model, _ in lagged:
        ordered = first(model.events, "russia", "deployment")
        arrived = first(model.events, "russia", "military_intervention")
        if arrived is not None:  # it may cancel the order before they arrive
            assert arrived - ordered >= 3
        stops = [e[0] for e in model.events if e[1] == "russia" and e[2] == "action_stop"]
        if arrived is not None and not any(ordered < s < arrived for s in stops):
            assert arrived - ordered == 3


def test_forces_on_their_way_do_not_fight(lagged):
    for model, on_the_way in lagged:
        ordered = first(model.events, "russia", "deployment")
        assert on_the_way and on_the_way[0] == ordered
        assert len(on_the_way) >= 3 or first(model.events, "russia", "action_stop") is not None


@pytest.fixture(scope="module")
def unlagged():
    return {seed: run(["russia.deployment_lag=0"], seed) for seed in SEEDS}


def test_without_a_lag_the_order_is_the_intervention(unlagged):
    checked = 0
    for model, on_the_way in unlagged.values():
        assert on_the_way == []
        assert first(model.events, "russia", "deployment") is None
        arrived = first(model.events, "russia", "military_intervention")
        if arrived is not None:
            starts = [e[0] for e in model.events if e[1] == "russia" and e[2] == "action_start"
                      and e[4] in COMBAT_ACTIONS]
            assert arrived == min(starts)
            checked += 1
    assert checked, "no run in which Russia enters: the test has nothing to check"


def test_the_lag_changes_nothing_before_the_first_order(lagged, unlagged):
    """Same seed, lag 3 or 0: the runs agree month for month until the month Russia first
    orders combat forces in (the lag changes only what they do once ordered)."""
    for with_lag, _ in lagged:
        ordered = first(with_lag.events, "russia", "deployment")
        without, _ = unlagged[with_lag._seed]
        a = np.array(with_lag.datacollector.model_vars["control"])
        b = np.array(without.datacollector.model_vars["control"])
        np.testing.assert_array_equal(a[:ordered - 1], b[:ordered - 1])  # rows are steps 1..
        assert not np.array_equal(a[ordered - 1:ordered + 2], b[ordered - 1:ordered + 2])


def test_forces_held_at_the_start_are_already_there():
    model = SyriaModel(load_scenario("competition_2017_2024"), rng=0)
    assert model.states["russia"].in_combat  # in since 2015
    model.step()
    held = model._joint[RUSSIA]
    assert all(model._in_theatre[RUSSIA, A[a]] == held[A[a]] for a in COMBAT_ACTIONS)
    assert first(model.events, "russia", "military_intervention") is None
