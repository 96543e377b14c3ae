"""Foreign fighters (sim/foreign_fighters.py): the flow follows the force's fortunes, and the
model adds it to ISIS's manpower after the month's fight."""

from __future__ import annotations

import numpy as np
import pytest

from sim import foreign_fighters, theatre
from sim.model import SyriaModel
from sim.vocabulary import FORCES

ISIS = FORCES.index("isis")


def test_appeal_is_the_ground_held_against_the_most_ever_held():
    assert foreign_fighters._appeal(0.3, 0.3) == 1.0
    assert foreign_fighters._appeal(0.15, 0.3) == pytest.approx(0.5)
    assert foreign_fighters._appeal(0.0, 0.0) == 0.0  # nothing before it holds any ground


def _month(flow: np.ndarray, held: float, peak: float) -> tuple[np.ndarray, np.ndarray]:
    """A month's arrivals to forces with no fighters yet, every faction holding `held` of every
    governorate, after a largest share of `peak`."""
    model = SyriaModel("full_2011_2025", rng=0)
    control = np.full_like(model.control, held)
    return foreign_fighters.after_the_month(np.zeros(len(FORCES)), flow, control,
                                            model._area_share, model._sides.faction_of_force,
                                            np.full(len(FORCES), peak))


def test_only_a_force_with_a_flow_draws_volunteers_and_less_as_it_loses():
    flow = np.zeros(len(FORCES))
    flow[ISIS] = 0.5
    winning, _ = _month(flow, held=0.2, peak=0.2)
    losing, peak = _month(flow, held=0.2, peak=0.4)
    assert winning[ISIS] == pytest.approx(0.5) and losing[ISIS] == pytest.approx(0.25)
    assert not np.delete(winning, ISIS).any() and not np.delete(losing, ISIS).any()
    assert peak == pytest.approx(0.4)  # the largest share is kept
    _, rising = _month(flow, held=0.3, peak=0.2)
    assert rising == pytest.approx(0.3)  # and a new height becomes it


def _to(month: str, flow: float, seed: int = 3) -> tuple[SyriaModel, list[float]]:
    model = SyriaModel("full_2011_2025", rng=seed, isis__foreign_flow=flow)
    history = []
    while model.date < month:
        model.step()
        history.append(model.forces["isis"].manpower)
    return model, history


def test_the_model_adds_the_flow_once_isis_holds_ground():
    """Until ISIS holds ground in Syria (April 2013) the flow adds nobody and the run is the
    run without it; in its first month it is at its height, so the whole flow arrives."""
    _, with_history = _to("2013-04", 0.5)
    _, without_history = _to("2013-04", 0.0)
    assert with_history[:-1] == without_history[:-1]
    assert with_history[-1] - without_history[-1] == pytest.approx(0.5)


def test_the_flow_falls_once_isis_is_past_its_height():
    """By 2017 ISIS holds less than at its height (the coalition's air war, the SDF): the
    model's record of its peak is above its ground now, and a month's arrivals are below
    the flow."""
    model, _ = _to("2017-12", 0.5)
    extent = float(theatre.national_shares(model.control, model._area_share)[
        model._sides.faction_of_force[ISIS]])
    assert model._peak[ISIS] > extent
    assert 0.0 < foreign_fighters._appeal(extent, model._peak[ISIS]) < 1.0
