"""Parameter validation (sim/params.py): defaults validate; bad values are user errors that
name the key and say what was expected."""

from __future__ import annotations

import pytest

from sim import params
from sim.errors import UserInputError
from sim.vocabulary import FORCES, STATES


def rejected(tree: dict) -> UserInputError:
    with pytest.raises(UserInputError) as info:
        params.validate(tree, "params/")
    return info.value


class TestDefaults:
    def test_defaults_validate(self, defaults):
        resolved = params.validate(defaults, "params/")
        assert set(STATES) | set(FORCES) <= set(resolved)
        assert {"choice", "theatre", "relations", "un"} <= set(resolved)

    def test_validation_fills_in_defaults(self, defaults):
        resolved = params.validate(defaults, "params/")
        for state in STATES:
            assert {"alarm", "hts_share", "threat_after_fall"} <= set(resolved[state])

    def test_each_state_weights_sum_to_one(self, defaults):
        for state in STATES:
            assert sum(defaults[state]["weights"].values()) == pytest.approx(1.0, abs=1e-3)

    def test_every_menu_action_has_an_effect_table(self, defaults):
        for state in STATES:
            assert set(defaults[state]["menu"]) <= set(defaults[state]["actions"])

    def test_load_defaults_gives_a_fresh_copy(self):
        first = params.load_defaults()
        first["iran"]["resolve"] = -99.0
        assert params.load_defaults()["iran"]["resolve"] != -99.0


class TestWeights:
    def test_weights_must_sum_to_one(self, defaults):
        defaults["iran"]["weights"]["survival"] += 0.3
        error = rejected(defaults)
        assert error.key == "iran.weights"
        assert "iran.weights" in str(error) and "sum to 1" in str(error)

    def test_a_rounding_slack_is_allowed(self, defaults):
        weights = defaults["russia"]["weights"]
        weights["survival"] += 0.0005
        params.validate(defaults, "params/")


class TestUnknownKeys:
    @pytest.mark.parametrize(("path", "typo", "right"), [
        ((), "theatr", "theatre"),
        (("iran",), "resolv", "resolve"),
        (("theatre",), "mobilty", "mobility"),
        (("regime",), "morale_bse", "morale_base"),
        (("iran", "weights"), "survivl", "survival"),
        (("choice",), "temprature", "temperature"),
        (("iran", "actions", "financial_aid"), "cots", "cost"),
    ])
    def test_near_miss_names_the_key_and_suggests_the_right_one(self, defaults, path, typo,
                                                                right):
        node = defaults
        for part in path:
            node = node[part]
        node[typo] = 1.0
        error = rejected(defaults)
        dotted = ".".join([*path, typo])
        assert error.key == dotted
        assert dotted in str(error) and "unknown key" in str(error)
        assert f"did you mean {right!r}" in str(error)

    def test_a_far_miss_has_no_hint(self, defaults):
        defaults["iran"]["zzzqqq"] = 1.0
        error = rejected(defaults)
        assert "iran.zzzqqq" in str(error) and "unknown key" in str(error)
        assert "did you mean" not in str(error)

    def test_unknown_faction_in_an_effect(self, defaults):
        defaults["iran"]["actions"]["financial_aid"]["recruits"]["hamas"] = 1.0
        assert "iran.actions.financial_aid.recruits" in str(rejected(defaults))

    def test_unknown_action_on_a_menu(self, defaults):
        defaults["us"]["menu"].append("nuke")
        assert "us.menu" in str(rejected(defaults))

    def test_menu_action_without_an_effect_table(self, defaults):
        defaults["israel"]["menu"].append("financial_aid")
        error = rejected(defaults)
        assert "israel" in str(error) and "financial_aid" in str(error)

    def test_missing_required_key(self, defaults):
        del defaults["turkey"]["budget"]
        error = rejected(defaults)
        assert error.key == "turkey.budget" and "missing" in str(error)

    def test_threat_keys_must_match_the_state(self, defaults):
        defaults["us"]["threat"]["kurds"] = 0.5
        error = rejected(defaults)
        assert "us.threat" in str(error)

    def test_hostility_names_two_factions(self, defaults):
        defaults["theatre"]["hostility"]["regime-hamas"] = 0.5
        assert "regime-hamas" in str(rejected(defaults))


class TestRanges:
    @pytest.mark.parametrize(("path", "value"), [
        ("iran.resolve", 1.5),
        ("iran.resolve", 0.0),
        ("russia.budget", 0.0),
        ("us.casualty_aversion", -0.1),
        ("turkey.alarm", 2.0),
        ("theatre.decisiveness", 50.0),
        ("theatre.mobility", 0.0),
        ("choice.horizon", 0),
        ("regime.recruitment", 1.2),
        ("relations.clash_threshold", -2.0),
        ("theatre.hostility.regime-opposition", 1.5),
        ("iran.actions.advisers_militias.exposure", -1.0),
        ("syria.collapse_key", 1.5),
    ])
    def test_out_of_range_names_the_key(self, defaults, path, value):
        params.set_path(defaults, path, value)
        error = rejected(defaults)
        assert error.key == path
        assert path in str(error)
        assert str(value) in str(error)

    def test_wrong_type_names_the_key(self, defaults):
        defaults["iran"]["budget"] = "lots"
        error = rejected(defaults)
        assert error.key == "iran.budget"

    def test_prefix_and_source_appear_in_the_message(self, defaults):
        defaults["iran"]["resolve"] = 3.0
        with pytest.raises(UserInputError) as info:
            params.validate(defaults, "scenarios/x.toml", "parameters")
        assert info.value.key == "parameters.iran.resolve"
        assert str(info.value).startswith("scenarios/x.toml: parameters.iran.resolve")


class TestPaths:
    def test_get_set_has(self, defaults):
        params.set_path(defaults, "theatre.mobility", 0.2)
        assert params.get_path(defaults, "theatre.mobility") == 0.2
        assert params.has_path(defaults, "theatre.mobility")
        assert not params.has_path(defaults, "theatre.mobilty")
        assert not params.has_path(defaults, "theatre.mobility.deeper")

    def test_leaf_paths_reach_every_scalar(self, defaults):
        leaves = params.leaf_paths(defaults)
        assert "iran.weights.survival" in leaves and "theatre.hostility.sdf-isis" in leaves
        assert "iran.strike_targets" in leaves  # an empty table is a leaf
        values = [params.get_path(defaults, p) for p in leaves]
        assert all(not isinstance(v, dict) or not v for v in values)
