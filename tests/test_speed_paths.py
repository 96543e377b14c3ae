"""The shortcuts a full run takes for speed (docs/performance.md) give what Mesa's own way
gives: the collector that keeps the reporters' values without copying them."""

from __future__ import annotations

import mesa
import numpy as np

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
