"""The model as Mesa means it to be driven: keyword parameters, so `mesa.batch_run` (and
SolaraViz) call `SyriaModel` directly, with no adapter."""

from __future__ import annotations

import multiprocessing

import mesa
import numpy as np
import pytest

from sim.errors import UserInputError
from sim.model import SyriaModel
from sim.scenario import load_scenario

SHORT = {"scenario": "cooperation_2011_2017", "end": "2011-09"}


def series(model: SyriaModel, name: str = "control") -> np.ndarray:
    while model.running:
        model.step()
    return np.array(model.datacollector.model_vars[name])


@pytest.fixture
def restore_start_method():
    """`mesa.batch_run` sets the process-wide start method to spawn; put it back."""
    method = multiprocessing.get_start_method(allow_none=True)
    yield
    multiprocessing.set_start_method(method, force=True)


def test_batch_run_sweeps_a_parameter_directly(restore_start_method):
    rows = mesa.batch_run(SyriaModel, parameters={**SHORT, "choice__temperature": [0.05, 0.2]},
                          rng=[3], max_steps=100, number_processes=1, display_progress=False)
    assert [row["choice__temperature"] for row in rows] == [0.05, 0.2]
    assert all(row["Step"] == 7 for row in rows)  # March to September 2011
    for row in rows:
        alone = SyriaModel(**SHORT, choice__temperature=row["choice__temperature"], rng=3)
        np.testing.assert_array_equal(series(alone)[-1], row["control"])


def test_keywords_overrides_and_the_loader_give_the_same_run():
    by_keyword = SyriaModel(**SHORT, russia__resolve=0.4, rng=5)
    by_overrides = SyriaModel(SHORT["scenario"], overrides={"end": "2011-09",
                                                            "russia.resolve": 0.4}, rng=5)
    loaded = SyriaModel(load_scenario(SHORT["scenario"], ["end=2011-09", "russia.resolve=0.4"]),
                        rng=5)
    assert by_keyword.params["russia"]["resolve"] == 0.4
    np.testing.assert_array_equal(series(by_keyword), series(by_overrides))
    np.testing.assert_array_equal(series(by_keyword), series(loaded))


def test_overrides_apply_on_top_of_a_loaded_scenario():
    base = load_scenario(SHORT["scenario"], ["end=2011-09"])
    model = SyriaModel(base, overrides={"shocks.uprising.enabled": False}, rng=1)
    assert model.spec.end == base.end
    assert "uprising" in base.shocks and not model.spec.shocks["uprising"]["enabled"]


def test_a_bad_keyword_is_a_user_error():
    with pytest.raises(UserInputError):
        SyriaModel(**SHORT, russia__no_such_key=1.0)
