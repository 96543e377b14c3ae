"""What the model's DataCollector records each month: small functions of the model, by name
(`REPORTERS`; `SyriaModel(record=...)` keeps some of them), and the collector that keeps them
(`Collector`). Each reporter returns a value of its own (a new array or a float) that no later
month changes, so the collector keeps it as it is."""

from __future__ import annotations

from typing import Any

import numpy as np
from mesa import DataCollector

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


def manpower(model: Any) -> np.ndarray:
    return np.array([force.manpower for force in model.forces.values()])  # in FORCES' order


def payoff_terms(model: Any) -> np.ndarray:
    if model._chosen_terms is not None:  # the states' terms, as chosen this month
        return model._chosen_terms
    return np.array([[model.states[s].terms[t] for t in TERMS] for s in STATES])


# the series the DataCollector can keep each month, by name (`SyriaModel(record=...)`)
REPORTERS = dict(zip(REPORTER_NAMES, (national_control, influence, cooperation, commitment,
                                       payoff_terms, regime_morale, manpower), strict=True))


class Collector(DataCollector):
    """Mesa's DataCollector for model reporters alone, without its deep copy of every value
    every month (8 us a month, 1.5 ms a run) nor its first month's extra call of each
    reporter to validate it: the reporters here return values of their own (see above).
    `model_vars` and `get_model_vars_dataframe` are Mesa's, as before."""

    def __init__(self, record: tuple[str, ...] | None = None) -> None:
        """The series named in `record` (all of `REPORTERS` unless told)."""
        unknown = sorted(set(record or ()) - set(REPORTERS))
        if unknown:
            raise ValueError(f"record: unknown series {unknown}; known: {list(REPORTERS)}")
        super().__init__(model_reporters={name: reporter for name, reporter in REPORTERS.items()
                                          if record is None or name in record})

    def collect(self, model: Any) -> None:
        self._collection_steps.append(model.time)
        for name, reporter in self.model_reporters.items():
            self.model_vars[name].append(reporter(model))
