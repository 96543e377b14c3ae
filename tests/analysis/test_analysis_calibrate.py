"""Calibration: the declared free parameters, a reproducible search on the train targets only,
and fitted values written back beside their sources."""

from __future__ import annotations

import json
import shutil
import tomllib

import pytest

from analysis import calibrate as C
from sim import params as P
from sim.errors import UserInputError

# a small search: two parameters that move the 2011-2017 story, two seeds, two generations
SMALL = [
    C.FreeParameter(path="russia.entry_cost", low=0.0, high=0.25, why="test: Russia's threshold"),
    C.FreeParameter(path="opposition.pool_rate", low=0.008, high=0.04, why="test: the uprising"),
]


def small_fit(seed: int) -> C.Fit:
    return C.calibrate(runs=2, seed=seed, maxiter=1, popsize=2, free=SMALL)


class TestFreeParameters:
    def test_the_shipped_file_names_real_parameters_within_bounds(self):
        free = C.load_free()
        defaults = P.load_defaults()
        assert len(free) >= 8
        for item in free:
            assert item.low <= P.get_path(defaults, item.path) <= item.high, item.path
            assert C.param_line(item.path) is not None

    def test_bounds_the_wrong_way_round_are_refused(self, tmp_path):
        bad = tmp_path / "free.toml"
        bad.write_text('[[parameter]]\npath = "russia.resolve"\nlow = 0.9\nhigh = 0.4\n'
                       'why = "a reason long enough"\n')
        with pytest.raises(UserInputError, match=r"parameter\[0\]\.low"):
            C.load_free(bad)

    def test_an_unknown_parameter_is_refused(self, tmp_path):
        bad = tmp_path / "free.toml"
        bad.write_text('[[parameter]]\npath = "russia.courage"\nlow = 0.1\nhigh = 0.4\n'
                       'why = "a reason long enough"\n')
        with pytest.raises(UserInputError, match=r"russia\.courage"):
            C.load_free(bad)


@pytest.fixture(scope="module")
def fits() -> tuple[C.Fit, C.Fit, C.Fit]:
    return small_fit(3), small_fit(3), small_fit(4)


class TestSearch:
    def test_the_same_seed_gives_the_same_fitted_values(self, fits):
        first, again, _ = fits
        assert first.values == again.values
        assert first.loss == again.loss

    def test_another_seed_searches_elsewhere(self, fits):
        first, _, other = fits
        assert first.values != other.values

    def test_values_stay_within_bounds(self, fits):
        for fit in fits:
            for item in SMALL:
                assert item.low <= fit.values[item.path] <= item.high

    def test_only_train_targets_enter_the_fit(self, fits):
        record = C.fit_record(fits[0], SMALL)
        assert record["target_sets_used"] == ["train"]
        test_ids = {t.id for t in C.load_targets() if t.set == "test"}
        assert test_ids and not test_ids & set(record["targets_used"])
        assert record["seeds"] == [3, 4]
        assert record["train_score"] == pytest.approx(1.0 - fits[0].loss, abs=1e-6)  # 6 places


class TestWriteBack:
    def test_values_land_on_their_lines_with_the_source_kept(self, tmp_path, monkeypatch):
        params_copy = tmp_path / "params"
        shutil.copytree(P.PARAMS_DIR, params_copy)
        monkeypatch.setattr(P, "PARAMS_DIR", params_copy)
        monkeypatch.setattr(C, "RECORD", params_copy / "calibration.json")
        record = {"date": "2030-01-01", "values": {"russia.entry_cost": 0.0777}}
        try:
            written = C.write_values({"russia.entry_cost": 0.0777,
                                      "theatre.decisiveness": 1.55}, record)
        finally:
            P._defaults_frozen.cache_clear()
            P.parameter_sources.cache_clear()
        assert params_copy / "actors.toml" in written
        text = (params_copy / "actors.toml").read_text()
        line = next(x for x in text.splitlines() if x.startswith("entry_cost = 0.0777"))
        assert "seed 001" in line  # the source stays beside the value
        assert "# calibrated (2030-01-01, params/calibration.json): seed 001" in line
        assert line.count("calibrated") == 1  # the previous fit's mark is replaced, not added
        model = (params_copy / "model.toml").read_text()
        hand_set = next(x for x in model.splitlines() if x.startswith("decisiveness = 1.55"))
        assert "# calibrated (2030-01-01, params/calibration.json): contest success" in hand_set
        assert "hand-set" not in hand_set  # a fitted value is no longer hand-set
        with open(params_copy / "actors.toml", "rb") as fh:
            assert tomllib.load(fh)["russia"]["entry_cost"] == pytest.approx(0.0777)
        assert json.loads((params_copy / "calibration.json").read_text()) == record
        # the shipped file is untouched
        assert "entry_cost = 0.0777" not in (C.ROOT / "params" / "actors.toml").read_text()
