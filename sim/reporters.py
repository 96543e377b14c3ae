"""What the model's DataCollector records each month: small functions of the model, by name
(`REPORTERS`; `SyriaModel(record=...)` keeps some of them)."""

from __future__ import annotations

from typing import Any

import numpy as np

from sim import theatre
from sim.vocabulary import PAIRS, REPORTER_NAMES, STATES, TERMS

PAIR_I, PAIR_J = (np.array(side) for side in zip(*PAIRS, strict=True))


def national_control(model: Any) -> np.ndarray:
    return theatre._national_shares(model.control[None], model._area_share)[0]


def influence(model: Any) -> np.ndarray:
    return model._influence.copy()


def cooperation(model: Any) -> np.ndarray:
    return model.relations[PAIR_I, PAIR_J]


def commitment(model: Any) -> np.ndarray:
    return model.spend(model._joint)


def regime_morale(model: Any) -> float:
    return model.forces["regime"].morale


def payoff_terms(model: Any) -> np.ndarray:
    if model._chosen_terms is not None:  # the states' terms, as chosen this month
        return model._chosen_terms
    return np.array([[model.states[s].terms[t] for t in TERMS] for s in STATES])


# the series the DataCollector can keep each month, by name (`SyriaModel(record=...)`)
REPORTERS = dict(zip(REPORTER_NAMES, (national_control, influence, cooperation, commitment,
                                       payoff_terms, regime_morale), strict=True))
