"""The fall of the regime (SyriaModel.check_collapse): when the key governorates and the army's
morale have both given way, a successor government takes over and the war goes on.

The scenario starts from March 2011 (all regime); each test puts the model straight into the
state it needs. Thresholds are read from the parameters, never restated here.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.model import SyriaModel
from sim.scenario import load_scenario
from sim.vocabulary import FACTIONS, S

R, OPP, SDF, ISIS, SUCC = (FACTIONS.index(f) for f in FACTIONS)


@pytest.fixture
def model(short_scenario) -> SyriaModel:
    return SyriaModel(short_scenario, rng=0)


def put_regime_at(model: SyriaModel, key_share: float, morale: float) -> np.ndarray:
    """Regime holds `key_share` of every governorate, the opposition most of the rest, the SDF
    and ISIS a little, each with fighters; returns the control matrix before any collapse."""
    rest = 1.0 - key_share
    model.control[:] = 0.0
    model.control[:, R] = key_share
    model.control[:, OPP] = 0.8 * rest
    model.control[:, SDF] = 0.1 * rest
    model.control[:, ISIS] = 0.1 * rest
    model.forces["regime"].morale = morale
    for force, manpower in (("opposition", 60.0), ("sdf", 30.0), ("isis", 10.0)):
        model.forces[force].manpower = manpower  # so the months after are fought, not idle
    model.key_share = model._key_share()
    assert model.key_share == pytest.approx(key_share)
    return model.control.copy()


def fall(model: SyriaModel) -> np.ndarray:
    """Put the regime below both thresholds and let it fall; returns the control matrix from
    before the fall."""
    rp = model.params["regime"]
    before = put_regime_at(model, 0.5 * rp["fall_key"], 0.5 * rp["fall_morale"])
    model.check_collapse()
    assert model.government == SUCC
    return before


def events(model: SyriaModel, kind: str) -> list[tuple]:
    return [e for e in model.events if e[2] == kind]


class TestTheRegimeFalls:
    @pytest.fixture
    def fallen(self, model):
        return model, fall(model)

    def test_a_collapse_event_is_recorded(self, fallen):
        model, _ = fallen
        assert len(events(model, "regime_collapse")) == 1
        assert len(events(model, "succession")) == 1
        kinds = [e[2] for e in model.events]
        assert kinds.index("regime_collapse") < kinds.index("succession")
        assert model.fallen_at == model.month

    def test_the_successor_governs(self, fallen):
        model, _ = fallen
        assert model.government == SUCC == FACTIONS.index("successor")
        assert model.forces["opposition"].faction == "successor"

    def test_the_successor_holds_what_regime_and_opposition_held(self, fallen):
        model, before = fallen
        np.testing.assert_allclose(model.control[:, R], 0.0)
        np.testing.assert_allclose(model.control[:, OPP], 0.0)
        np.testing.assert_allclose(model.control[:, SUCC], before[:, R] + before[:, OPP])
        np.testing.assert_allclose(model.control[:, [SDF, ISIS]], before[:, [SDF, ISIS]])
        np.testing.assert_allclose(model.control.sum(axis=1), 1.0)

    def test_the_old_army_and_its_militias_are_gone(self, fallen):
        model, _ = fallen
        assert model.forces["regime"].manpower == 0.0
        assert model.forces["militias"].manpower == 0.0

    def test_the_new_government_holds_the_key_governorates(self, fallen):
        model, _ = fallen
        assert model.key_share == pytest.approx(float(model.geo.key @ model.control[:, SUCC]))

    def test_the_war_goes_on_after_the_fall(self, fallen):
        model, _ = fallen
        steps = 0
        while model.running and steps < 6:
            model.step()
            steps += 1
            assert np.all(model.control >= 0.0)
            np.testing.assert_allclose(model.control.sum(axis=1), 1.0, atol=1e-9)
            assert model.government == SUCC
            np.testing.assert_allclose(model.control[:, R], 0.0)  # the regime does not return
        assert steps == 3  # the scenario's three months
        assert len(events(model, "regime_collapse")) == 1  # it falls once


class TestTheRegimeHolds:
    def test_high_morale_holds_without_the_key_governorates(self, model):
        rp = model.params["regime"]
        before = put_regime_at(model, 0.5 * rp["fall_key"], (1.0 + rp["fall_morale"]) / 2)
        model.check_collapse()
        assert model.government == R and not events(model, "regime_collapse")
        np.testing.assert_array_equal(model.control, before)
        assert model.fallen_at is None

    def test_a_firm_hold_on_the_key_governorates_survives_broken_morale(self, model):
        rp = model.params["regime"]
        put_regime_at(model, 0.5 * rp["fall_key"], 0.5 * rp["fall_morale"])
        for g in np.nonzero(model.geo.key)[0]:  # all of the key governorates back
            model.control[g] = [1.0, 0.0, 0.0, 0.0, 0.0]
        model.key_share = model._key_share()
        model.check_collapse()
        assert model.government == R and not events(model, "regime_collapse")

    def test_the_march_2011_regime_stands(self, model):
        model.check_collapse()
        assert model.government == R and model.fallen_at is None




class TestTheNewGovernment:
    """The successor inherits the opposition's patrons, and needs them most at its start
    (`SyriaModel._consolidate`, `theatre.consolidation_months`)."""

    def test_the_oppositions_patrons_are_the_successors_in_the_month_it_falls(self, model):
        turkey, us = S["turkey"], S["us"]
        model.contribution[:] = 0.0
        model.contribution[turkey, OPP] = 12.0
        model.contribution[us, SDF] = 5.0
        model.power[:] = [20.0, 80.0, 40.0, 10.0, 0.0]
        fall(model)
        assert model.contribution[turkey, SUCC] == 12.0
        assert model.contribution[us, SDF] == 5.0
        np.testing.assert_array_equal(model.contribution[:, [R, OPP]], 0.0)
        np.testing.assert_array_equal(model.power, [0.0, 0.0, 40.0, 10.0, 80.0])
        model.update_relations()  # the month's influence is read off the successor
        assert model._influence[turkey] > 0.0

    def test_its_alignments_follow_from_who_backed_whom_in_the_war(self, model):
        """Turkey armed the opposition alone, the US a quarter as much; Iran gave the regime
        three times what Russia gave; Israel backed no one (`regime.successor_alignment`)."""
        iran, russia, turkey, us, israel = (S[s] for s in ("iran", "russia", "turkey", "us",
                                                           "israel"))
        model.backed[:] = 0.0
        model.backed[turkey, OPP], model.backed[us, OPP] = 300.0, 100.0
        model.backed[iran, R], model.backed[russia, R] = 900.0, 300.0
        model.backed[S["syria"], R] = 5000.0  # its own army is not foreign backing
        fall(model)
        syria = model.relations[S["syria"]]
        np.testing.assert_allclose(syria[[turkey, us, iran, russia, israel]],
                                   [0.75, 0.25, -0.75, -0.25, 0.0])
        np.testing.assert_array_equal(model.relations[:, S["syria"]], syria)
        assert "turkey +0.75" in events(model, "succession")[0][4]

    def test_the_backing_of_the_war_is_summed_while_the_regime_stands(self, model):
        model.step()
        first = model.backed.copy()
        np.testing.assert_allclose(first, model.contribution)
        model.step()
        np.testing.assert_allclose(model.backed, first + model.contribution)
        fall(model)
        kept = model.backed.copy()
        model.step()  # after the fall nothing is added
        assert model.contribution.any()
        np.testing.assert_array_equal(model.backed, kept)

    @pytest.mark.parametrize("span", [4, 8])
    def test_its_need_of_patrons_falls_from_all_to_the_floor(self, span):
        model = SyriaModel(load_scenario("full_2011_2025", sets=[
            "start=2024-01", "end=2024-12", f"theatre.consolidation_months={span}"]), rng=0)
        base = model.params["theatre"]["dependence_floor"]
        assert model._floor == base  # the regime's need has its floor
        fall(model)
        floors = [model._floor]
        while model.running:
            model.step()
            floors.append(model._floor)
        expected = [max(base, 1.0 - m / span) for m in range(len(floors))]
        np.testing.assert_allclose(floors, expected)
        assert floors[0] == 1.0 and floors[-1] == base

    def test_patrons_have_more_sway_over_a_new_government(self):
        sway = {}
        for span in (0, 24):
            model = SyriaModel(load_scenario("full_2011_2025", sets=[
                "start=2024-01", "end=2024-03", f"theatre.consolidation_months={span}"]), rng=0)
            fall(model)
            model.contribution[:] = 0.0
            model.contribution[S["turkey"], SUCC] = 10.0
            model.power[SUCC] = 80.0
            model.update_relations()
            sway[span] = model._influence[S["turkey"]]
        assert sway[24] > sway[0] > 0.0


def test_after_the_fall_states_back_only_the_clients_that_outlive_the_regime(model):
    """Iran's and Russia's clients dissolve with the regime, so their actions do nothing for
    anyone; Turkey's and the US's rebels are the new army, which is Syria's own."""
    from sim import theatre
    from sim.vocabulary import FORCES, A

    fx = theatre.action_effects(model.params, model.geo, SUCC)
    for state in ("iran", "russia"):
        n = S[state]
        assert not fx.quality[n].any() and not fx.recruits[n].any()
        assert not fx.air[n].any() and not fx.troops[n].any()
    opposition = FORCES.index("opposition")
    assert fx.quality[S["turkey"], A["arm_faction"], opposition] > 0.0
    assert fx.air[S["us"], A["air_campaign"], SUCC] > 0.0
    assert theatre.clients_after_fall("syria", model.params["syria"]["clients"]) == [
        "opposition"]
