"""The government's treasury and its army's morale as the month moves them
(`sim.regime._regime_after`, which `regime.update` runs over one month)."""

import numpy as np
import pytest

from sim import regime
from sim.model import SyriaModel
from sim.vocabulary import R, month_index


@pytest.fixture(scope="module")
def model() -> SyriaModel:
    model = SyriaModel(scenario="full_2011_2025", rng=0)
    while model.month < month_index("2015-06"):
        model.step()
    assert model.government == R, "these tests need the regime standing"
    return model


def _after(model: SyriaModel, months: float = 1.0, control: np.ndarray | None = None,
           contribution: np.ndarray | None = None) -> tuple[float, float, float]:
    """(treasury, morale, key share) after `months` from `model`'s state."""
    fx, army = model.effects, model.forces["regime"]
    return regime._regime_after(
        model._joint, model.control if control is None else control,
        model.contribution[:, R] if contribution is None else contribution,
        model.fighting, months,
        (model.economy, army.morale, model.key_share, regime.outside_pressure(model)),
        (fx.legitimacy, fx.pressure, fx.economy), model.theatre.regime)


def test_the_month_runs_the_model_over_one_month(model):
    economy, morale, key = _after(model)
    regime.update(model)
    assert (model.economy, model.forces["regime"].morale, model.key_share) == (
        economy, morale, key)


def test_key_ground_lost_breaks_morale_at_once(model):
    """The cascade: the same month with the regime's hold on the key governorates cut by a
    tenth leaves the army's morale lower by more than the pull towards a lower target."""
    lost = model.control.copy()
    key = model.theatre.regime.key > 0
    lost[key, R] *= 0.9
    lost[key] /= lost[key].sum(axis=1, keepdims=True)
    _, held, _ = _after(model)
    _, broken, _ = _after(model, control=lost)
    sensitivity = model.theatre.regime.morale_sensitivity
    key_lost = model.key_share - regime._holding(model.theatre.regime.key, lost, R)
    assert key_lost > 0
    assert held - broken >= sensitivity * key_lost - 1e-12


def test_patrons_fighting_beside_the_army_hold_its_morale_up(model):
    supplied = model.contribution[:, R].copy()
    alone = np.zeros_like(supplied)
    alone[regime.SYRIA] = supplied.sum()  # the same power, all the army's own
    _, backed, _ = _after(model, contribution=supplied)
    _, unbacked, _ = _after(model, contribution=alone)
    assert supplied.sum() > supplied[regime.SYRIA], "patrons fight beside the army in 2015"
    assert backed > unbacked


@pytest.mark.parametrize("months", [2.0, 6.0])
def test_longer_horizons_move_morale_further_towards_its_target(model, months):
    _, one, _ = _after(model)
    _, more, _ = _after(model, months=months)
    now = model.forces["regime"].morale
    assert abs(more - now) > abs(one - now)
    assert 0.0 < more <= 1.0
