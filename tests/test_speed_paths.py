"""The shortcuts a full run takes for speed (docs/performance.md) give what the long way
gives: the collector that keeps the reporters' values without copying them, and the step
that moves the month's event on in place while nothing else is scheduled (against Mesa's
own); the decision kernel's reuse of row 0 and its weighing of each state on its own rows
only (against the rows weighed alone, and every state weighed on every row)."""

from __future__ import annotations

import mesa
import numpy as np
import pytest

from sim import decisions, payoffs, theatre
from sim.model import SyriaModel
from sim.reporters import REPORTERS

SCENARIO = {"scenario": "full_2011_2025", "end": "2016-12"}  # through Russia's entry


def test_the_collector_keeps_what_mesas_deep_copying_collector_keeps():
    """No reporter returns an array the model changes later: kept as they are, the values of
    every month are those Mesa's DataCollector would have copied."""
    ours, mesas = SyriaModel(**SCENARIO, rng=5), SyriaModel(**SCENARIO, rng=5)
    mesas.datacollector = mesa.DataCollector(model_reporters=REPORTERS)
    while ours.running:
        ours.step()
        mesas.step()
    assert ours.datacollector._collection_steps == mesas.datacollector._collection_steps
    for name in REPORTERS:
        kept = ours.datacollector.model_vars[name]
        assert len(kept) == ours.steps
        np.testing.assert_array_equal(np.array(kept),
                                      np.array(mesas.datacollector.model_vars[name]))
    assert ours.datacollector.get_model_vars_dataframe().shape == (ours.steps, len(REPORTERS))


def _twins(**kwargs):
    """Two models of one seed: one stepped as a user steps it, one by Mesa's own step."""
    ours, mesas = SyriaModel(**kwargs, rng=7), SyriaModel(**kwargs, rng=7)
    return ours, mesas, lambda: mesa.Model._wrapped_step(mesas)


def test_a_step_is_mesas_step_while_nothing_else_is_scheduled():
    ours, mesas, mesa_step = _twins(**SCENARIO)
    while ours.running:
        ours.step()
        mesa_step()
        assert (ours.time, ours.steps) == (mesas.time, mesas.steps)
    schedule, theirs = ours._default_schedule, mesas._default_schedule
    assert schedule.execution_count == ours.steps == theirs.execution_count
    assert schedule.next_scheduled_time == ours.time + 1 == theirs.next_scheduled_time
    assert ours.events == mesas.events
    np.testing.assert_array_equal(ours.control, mesas.control)


def test_what_else_is_scheduled_runs_when_mesa_would_run_it():
    """Events scheduled between steps, and during one for its own time, run in Mesa's order."""
    ours, mesas, mesa_step = _twins(scenario="cooperation_2011_2017", end="2011-12")
    seen = {id(ours): [], id(mesas): []}
    for model in (ours, mesas):
        def note(model=model):
            seen[id(model)].append((model.time, model.steps))

        model.note = note  # Mesa keeps a weak reference to the callback
        model.schedule_event(note, at=2.5)
        model.schedule_event(note, at=4.0)
        step = model._user_step

        def step_and_note(model=model, step=step):
            step()
            if model.steps == 5:
                model.schedule_event(model.note, at=model.time)

        model._user_step = step_and_note
    for _ in range(8):
        ours.step()
        mesa_step()
        assert (ours.time, ours.steps) == (mesas.time, mesas.steps)
        assert seen[id(ours)] == seen[id(mesas)]
    assert seen[id(ours)] == [(2.5, 2), (4.0, 4), (5.0, 5)]


def _alternatives_in(month: str):
    """A model stepped to `month` and the month's batch of joint portfolios, as it weighs it."""
    model = SyriaModel(scenario="full_2011_2025", end=month, rng=11)
    while model.running:
        model.step()
    war, fx = theatre.war_now(model), model.fx
    cost = payoffs._as_paid(fx.cost, war.availability)
    _, portfolios, owner, _, _ = decisions._alternatives(
        decisions.held(model), model._forbidden(), cost,
        model.payoff_params.budget - model.shocks.demand(model.month), model.menus.state,
        model.menus.action, model.menus.deconfliction)
    return model, war, fx, portfolios, owner


@pytest.mark.parametrize("month", ["2013-06", "2016-03"])
def test_a_batch_row_is_the_row_weighed_alone(month):
    """`theatre._evaluate` reads a state's part of a row from row 0 when it is the same, and
    copies row 0 when every part and the morale are: every number of every row is the one the
    row gives alone, bit for bit."""
    model, war, fx, portfolios, _ = _alternatives_in(month)
    tp, months = model.theatre, model.choice.months
    deploy = theatre.deployment(war.control, tp.neighbour_mean, tp.value, tp.hostility,
                                tp.spill, tp.front_base)
    batch = theatre._evaluate(portfolios, war, fx, months, tp, deploy)
    assert len(portfolios) > 20
    for k in range(len(portfolios)):
        alone = theatre._evaluate(np.ascontiguousarray(portfolios[k:k + 1]), war, fx, months,
                                  tp, deploy)
        for together, by_itself in zip(batch, alone, strict=True):
            np.testing.assert_array_equal(together[k], by_itself[0])


@pytest.mark.parametrize("month", ["2013-06", "2016-03"])
def test_each_state_is_weighed_on_its_own_rows_as_on_all(month):
    """`payoffs._weigh_terms` works out a state's terms only on row 0 and its own rows (the
    rows `decisions._choose` reads): they are the terms weighing every row gives; the rest are
    zero."""
    model, war, fx, portfolios, owner = _alternatives_in(month)
    pp, choice = model.payoff_params, model.choice
    projection = theatre._situation(portfolios, choice.months, choice.mobility, war, fx,
                                    model.theatre)
    opportunity = model.shocks.demand(model.month) / pp.budget
    weights = model.shocks.weights(model.month)
    args = (portfolios, projection, war.government, war.relations, pp, opportunity, weights)
    own = payoffs._weigh_terms(*args, owner)
    every = payoffs._weigh_terms(*args, np.full(len(owner), -1))
    weighed = (owner[:, None] < 0) | (owner[:, None] == np.arange(portfolios.shape[1]))
    assert weighed.sum() < weighed.size / 2
    np.testing.assert_array_equal(own[weighed], every[weighed])
    assert not own[~weighed].any()
