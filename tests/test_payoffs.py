"""The payoff terms (sim/payoffs.py), one test class per term, Axelrod-style: each class pins
what its term does on small hand-built situations (K rows compared side by side).

Parameters are written out here rather than read from params/, so the tests pin the shape of
each term, not today's tuned numbers (one class checks the shipped parameters stay in range).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim import params, payoffs
from sim.vocabulary import FACTIONS, FO, FORCES, STATES

R, OPP, SDF, ISIS, SUCC = range(len(FACTIONS))
N, NF, NFO = len(STATES), len(FACTIONS), len(FORCES)
MIL = FORCES.index("militias")
IRAN, ISRAEL, RUSSIA, SYRIA, TURKEY, US = range(N)

# A five-governorate toy Syria: 0 capital, 1 heartland, 2 north-west, 3 north-east, 4 coast.
CAPITAL, HEARTLAND, NORTH_WEST, NORTH_EAST, COAST = range(5)
G = 5
GEO = payoffs.Geo(
    area_share=np.array([0.05, 0.25, 0.2, 0.4, 0.1]),
    key=np.array([0.6, 0.4, 0.0, 0.0, 0.0]),
    corridor=np.array([0.5, 0.0, 0.0, 0.5, 0.0]),
    bases=np.array([0.0, 0.0, 0.0, 0.0, 1.0]),
    turkish_border=np.array([0.0, 0.0, 0.5, 0.5, 0.0]),
    golan_front=np.array([1.0, 0.0, 0.0, 0.0, 0.0]),
    north_west=np.array([0.0, 0.0, 1.0, 0.0, 0.0]),
)

COLLAPSE = {"collapse_key": 0.6, "collapse_morale": 0.35, "collapse_steepness": 9.0,
            "collapse_morale_weight": 0.5, "alarm": 0.0}
PARAMS = {
    "iran": {**COLLAPSE, "threat": {"regime": 0.5, "corridor": 0.3, "jihadists": 0.2},
             "threat_after_fall": 0.8},
    "russia": {**COLLAPSE, "threat": {"jihadists": 0.4, "bases": 0.3, "regime": 0.3},
               "hts_share": 0.3, "threat_after_fall": 0.5},
    "israel": {"threat": {"entrenchment": 0.9, "golan": 0.6}, "entrenchment_reference": 46.15,
               "entrenchment_cap": 1.5, "entrenchment_base": 0.5, "entrenchment_corridor": 0.5},
    "turkey": {"threat": {"kurds": 0.6, "isis": 0.2, "refugees": 0.2}},
    "us": {"threat": {"isis": 0.7, "allies": 0.3}, "isis_scale": 1.0,
           "entrenchment_reference": 46.15, "isis_share_weight": 0.5, "isis_area_weight": 0.5,
           "allies_cap": 1.0},
    "syria": {**COLLAPSE, "successor_isis": 0.5},
}


def held(*owners: int) -> np.ndarray:
    """(G, F) control where governorate g is held wholly by owners[g]."""
    control = np.zeros((len(owners), NF))
    control[np.arange(len(owners)), owners] = 1.0
    return control


ALL_REGIME = held(R, R, R, R, R)


def situation(control, power=None, force_power=None, contribution=None, morale=0.5,
              government=R, relations=None, intensity=0.5) -> payoffs.Situation:
    control = np.asarray(control, dtype=float)
    if control.ndim == 2:
        control = control[None]
    k = control.shape[0]
    if power is None:
        power = np.tile([10.0, 5.0, 0.0, 0.0, 0.0], (k, 1))
    power = np.asarray(power, dtype=float).reshape(k, NF)
    if force_power is None:
        force_power = np.zeros((k, NFO))
    force_power = np.asarray(force_power, dtype=float).reshape(k, NFO)
    if contribution is None:
        contribution = np.zeros((k, N, NF))
    return payoffs.Situation(
        control=control, power=power, force_power=force_power,
        contribution=np.asarray(contribution, dtype=float).reshape(k, N, NF),
        spend=np.zeros((k, N)), exposure=np.zeros((k, N)), clash_risk=np.zeros((k, N)),
        morale=np.broadcast_to(np.asarray(morale, dtype=float), (k,)).copy(),
        government=government,
        relations=np.eye(N) if relations is None else relations, intensity=intensity)


def threat(state: str, sit: payoffs.Situation, p: dict | None = None) -> np.ndarray:
    return payoffs.THREATS[state](sit, GEO, p or PARAMS[state])


def relations_with(*pairs: tuple[int, int, float]) -> np.ndarray:
    rel = np.eye(N)
    for i, j, value in pairs:
        rel[i, j] = rel[j, i] = value
    return rel


# --- survival -------------------------------------------------------------------------------


class TestCollapseRisk:
    """Logistic in the key governorates and morale, 0.5 at both thresholds."""

    @given(st.floats(0.0, 1.0), st.floats(0.0, 1.0), st.floats(0.5, 20.0))
    def test_one_half_at_the_thresholds(self, key, morale, steepness):
        assert payoffs.collapse_risk(key, morale, key, morale, steepness) == pytest.approx(0.5)

    @given(st.floats(0.0, 1.0), st.floats(0.0, 1.0), st.floats(0.0, 1.0), st.floats(0.0, 1.0),
           st.floats(0.5, 20.0))
    def test_strictly_between_zero_and_one(self, key, morale, tk, tm, steepness):
        risk = payoffs.collapse_risk(key, morale, tk, tm, steepness)
        assert 0.0 < risk < 1.0

    def test_decreasing_in_key_share(self):
        key = np.linspace(0.0, 1.0, 11)
        risk = payoffs.collapse_risk(key, 0.4, 0.6, 0.35, 9.0)
        assert np.all(np.diff(risk) < 0)

    def test_decreasing_in_morale(self):
        morale = np.linspace(0.0, 1.0, 11)
        risk = payoffs.collapse_risk(0.5, morale, 0.6, 0.35, 9.0)
        assert np.all(np.diff(risk) < 0)

    def test_above_one_half_below_both_thresholds(self):
        assert payoffs.collapse_risk(0.3, 0.1, 0.6, 0.35, 9.0) > 0.5
        assert payoffs.collapse_risk(0.9, 0.8, 0.6, 0.35, 9.0) < 0.5

    def test_steeper_is_more_decided(self):
        gentle = payoffs.collapse_risk(0.3, 0.2, 0.6, 0.35, 3.0)
        steep = payoffs.collapse_risk(0.3, 0.2, 0.6, 0.35, 15.0)
        assert steep > gentle > 0.5


def random_situation(seed: int, government: int) -> payoffs.Situation:
    rng = np.random.default_rng(seed)
    k = 3
    control = rng.random((k, G, NF)) * (rng.random((k, G, NF)) < 0.7) + 1e-6
    control /= control.sum(axis=-1, keepdims=True)
    if government == SUCC:
        control[..., R] = 0.0
        control /= control.sum(axis=-1, keepdims=True)
    relations = rng.uniform(-1, 1, (N, N))
    relations = (relations + relations.T) / 2
    np.fill_diagonal(relations, 1.0)
    return situation(control, power=rng.random((k, NF)) * 200,
                     force_power=rng.random((k, NFO)) * 300,
                     contribution=rng.random((k, N, NF)) * 20, morale=rng.random(k),
                     government=government, relations=relations)


@pytest.fixture(scope="module")
def shipped() -> dict[str, dict]:
    """Each state's threat parameters as the model assembles them from params/."""
    tree = params.validate(params.load_defaults(), "params/")
    collapse = {k: tree["syria"][k]
                for k in ("collapse_key", "collapse_morale", "collapse_steepness")}
    return {s: {**tree[s], **collapse} for s in STATES}


class TestThreatRange:
    """Survival is minus a threat in [0, 1] (module convention)."""

    @pytest.mark.parametrize("state", STATES)
    @given(seed=st.integers(0, 2**32 - 1), government=st.sampled_from([R, SUCC]))
    def test_in_unit_interval(self, state, seed, government):
        out = threat(state, random_situation(seed, government))
        assert out.shape == (3,)
        assert np.all((out >= 0.0) & (out <= 1.0))

    @pytest.mark.parametrize("state", STATES)
    @given(seed=st.integers(0, 2**32 - 1), government=st.sampled_from([R, SUCC]))
    def test_in_unit_interval_with_shipped_parameters(self, shipped, state, seed, government):
        out = threat(state, random_situation(seed, government), shipped[state])
        assert np.all((out >= 0.0) & (out <= 1.0))

    @pytest.mark.parametrize("state", STATES)
    def test_in_unit_interval_for_any_weights_validation_accepts(self, defaults, state):
        """Threat weights need only be non-negative, so the terms must clip themselves."""
        defaults[state]["threat"] = dict.fromkeys(params.THREAT_KEYS[state], 1.0)
        tree = params.validate(defaults, "params/")  # accepted: weights are only non-negative
        p = {**tree[state], **COLLAPSE}
        dire = situation(held(OPP, OPP, ISIS, ISIS, OPP), power=[1.0, 5.0, 0.0, 50.0, 0.0],
                         force_power=[0, 0, 0, 0, 500.0, 500.0], morale=0.0)
        assert np.all(threat(state, dire, p) <= 1.0)


class TestThreatIran:
    """The axis and the land bridge to Hezbollah (seeds 001, 002); sunk after the fall."""

    def test_losing_the_corridor_raises_the_threat(self):
        sit = situation(np.stack([ALL_REGIME, held(R, R, R, OPP, R)]))
        out = threat("iran", sit)
        assert out[1] > out[0]

    def test_losing_the_key_governorates_raises_the_threat(self):
        sit = situation(np.stack([ALL_REGIME, held(R, OPP, R, R, R)]))
        out = threat("iran", sit)
        assert out[1] > out[0]

    def test_jihadist_power_raises_the_threat(self):
        sit = situation(np.stack([ALL_REGIME, ALL_REGIME]),
                        power=[[10, 5, 0, 0, 0], [10, 5, 0, 10, 0]])
        out = threat("iran", sit)
        assert out[1] > out[0]

    def test_after_the_fall_the_loss_is_sunk(self):
        control = np.stack([held(SUCC, SUCC, SUCC, SUCC, SUCC), held(OPP, OPP, OPP, ISIS, ISIS)])
        sit = situation(control, government=SUCC)
        np.testing.assert_allclose(threat("iran", sit), PARAMS["iran"]["threat_after_fall"])


class TestThreatRussia:
    """Terrorism towards the Caucasus, the bases, the last ally (seeds 001-003)."""

    def test_isis_power_raises_the_threat(self):
        sit = situation(np.stack([ALL_REGIME, ALL_REGIME]),
                        power=[[10, 5, 0, 1, 0], [10, 5, 0, 20, 0]])
        out = threat("russia", sit)
        assert out[1] > out[0]

    def test_losing_latakia_and_tartus_raises_the_threat(self):
        sit = situation(np.stack([ALL_REGIME, held(R, R, R, R, OPP)]))
        out = threat("russia", sit)
        assert out[1] > out[0]

    def test_part_of_the_opposition_counts_as_jihadist(self):
        sit = situation(np.stack([ALL_REGIME, ALL_REGIME]),
                        power=[[10, 1, 0, 0, 0], [10, 20, 0, 0, 0]])
        with_hts = threat("russia", sit)
        without = threat("russia", sit, {**PARAMS["russia"], "hts_share": 0.0})
        assert with_hts[1] > with_hts[0]
        assert without[1] < with_hts[1]

    def test_a_hostile_successor_leaves_the_bases_insecure(self):
        control = np.stack([held(SUCC, SUCC, SUCC, SUCC, SUCC)])
        friendly = situation(control, government=SUCC,
                             relations=relations_with((RUSSIA, SYRIA, 0.5)))
        hostile = situation(control, government=SUCC,
                            relations=relations_with((RUSSIA, SYRIA, -0.9)))
        assert threat("russia", hostile)[0] > threat("russia", friendly)[0]


class TestThreatIsrael:
    """Iranian entrenchment (seed 003) and jihadists on the Golan after the fall (seed 002)."""

    @pytest.mark.parametrize("force", ["militias", "hezbollah"])
    def test_militia_power_raises_the_threat(self, force):
        low, high = np.zeros(NFO), np.zeros(NFO)
        low[FO[force]], high[FO[force]] = 5.0, 40.0
        sit = situation(np.stack([ALL_REGIME, ALL_REGIME]), force_power=[low, high])
        out = threat("israel", sit)
        assert out[1] > out[0]

    def test_the_threat_counts_fighters_not_their_quality(self):
        """The same 20 thousand militiamen at a quality of 0.8 or 1.3 (combat power 16 or 26)
        are the same entrenchment; 30 thousand at 0.8 are more (D23)."""
        power = np.zeros((3, NFO))
        power[:, FO["militias"]] = [20.0 * 0.8, 20.0 * 1.3, 30.0 * 0.8]
        sit = situation(np.stack([ALL_REGIME] * 3), force_power=power)
        poor = threat("israel", sit, {**PARAMS["israel"], "militias_quality": 0.8})
        elite = threat("israel", sit, {**PARAMS["israel"], "militias_quality": 1.3})
        assert poor[0] == pytest.approx(elite[1])
        assert poor[2] > poor[0] > 0.0

    def test_the_model_gives_the_threat_the_forces_quality(self, short_scenario):
        """The model's payoff parameters carry the forces' quality, as a scenario sets it."""
        from sim.model import SyriaModel
        from sim.scenario import with_overrides

        model = SyriaModel(with_overrides(short_scenario, {"militias.quality": 0.9}), rng=0)
        row = model.payoff_params.threat_params[STATES.index("israel")]
        names = payoffs.THREAT_PARAMS
        assert row[names.index("militias_quality")] == 0.9
        assert row[names.index("hezbollah_quality")] == model.params["hezbollah"]["quality"]

    def test_no_militias_before_the_fall_means_no_threat(self):
        assert threat("israel", situation(ALL_REGIME))[0] == pytest.approx(0.0)

    def test_a_hostile_successor_on_the_golan_is_a_threat(self):
        control = np.stack([held(SUCC, SUCC, SUCC, SUCC, SUCC)])
        hostile = situation(control, government=SUCC,
                            relations=relations_with((ISRAEL, SYRIA, -0.8)))
        friendly = situation(control, government=SUCC,
                             relations=relations_with((ISRAEL, SYRIA, 0.3)))
        assert threat("israel", hostile)[0] > threat("israel", friendly)[0] == 0.0


class TestThreatTurkey:
    """Kurdish forces and ISIS on the border, refugees from the north-west (seed 002)."""

    def test_sdf_on_the_turkish_border_raises_the_threat(self):
        sit = situation(np.stack([ALL_REGIME, held(R, R, R, SDF, R)]))
        out = threat("turkey", sit)
        assert out[1] > out[0]

    def test_isis_on_the_turkish_border_raises_the_threat(self):
        sit = situation(np.stack([ALL_REGIME, held(R, R, R, ISIS, R)]))
        out = threat("turkey", sit)
        assert out[1] > out[0]

    def test_the_regime_retaking_the_north_west_raises_the_threat(self):
        sit = situation(np.stack([held(R, R, OPP, R, R), ALL_REGIME]))
        out = threat("turkey", sit)
        assert out[1] > out[0]

    def test_sdf_away_from_the_border_is_no_threat(self):
        sit = situation(np.stack([ALL_REGIME, held(R, SDF, R, R, R)]))
        out = threat("turkey", sit)
        assert out[1] == pytest.approx(out[0])


class TestThreatUs:
    """ISIS (record rows 12-13) and the allies' security (militias)."""

    def test_isis_power_and_ground_raise_the_threat(self):
        sit = situation(np.stack([ALL_REGIME, held(R, R, R, ISIS, R)]),
                        power=[[10, 5, 0, 1, 0], [10, 5, 0, 20, 0]])
        out = threat("us", sit)
        assert out[1] > out[0]

    def test_militias_raise_the_threat(self):
        sit = situation(np.stack([ALL_REGIME, ALL_REGIME]),
                        force_power=[[0, 0, 0, 0, 0.0, 0.0], [0, 0, 0, 0, 20.0, 10.0]])
        out = threat("us", sit)
        assert out[1] > out[0]


class TestThreatSyria:
    """The regime's survival (risk of collapse); after the fall, the successor's hold."""

    def test_losing_key_governorates_raises_the_threat(self):
        sit = situation(np.stack([ALL_REGIME, held(OPP, R, R, R, R), held(OPP, OPP, R, R, R)]))
        out = threat("syria", sit)
        assert out[0] < out[1] < out[2]

    def test_falling_morale_raises_the_threat(self):
        sit = situation(np.stack([ALL_REGIME, ALL_REGIME]), morale=[0.8, 0.2])
        out = threat("syria", sit)
        assert out[1] > out[0]

    def test_ground_off_the_key_governorates_does_not_matter(self):
        sit = situation(np.stack([ALL_REGIME, held(R, R, OPP, OPP, OPP)]))
        out = threat("syria", sit)
        assert out[1] == pytest.approx(out[0])

    def test_alarm_raises_the_perceived_threat(self):
        sit = situation(ALL_REGIME)
        calm = threat("syria", sit)
        alarmed = threat("syria", sit, {**PARAMS["syria"], "alarm": 0.2})
        assert alarmed[0] > calm[0]

    def test_after_the_fall_the_successor_losing_key_ground_raises_the_threat(self):
        sit = situation(np.stack([held(SUCC, SUCC, SUCC, SUCC, SUCC),
                                  held(OPP, SUCC, SUCC, SUCC, SUCC)]), government=SUCC)
        out = threat("syria", sit)
        assert out[1] > out[0]

    def test_after_the_fall_isis_raises_the_threat(self):
        control = held(ISIS, SUCC, SUCC, SUCC, SUCC)
        sit = situation(np.stack([control, control]), government=SUCC,
                        power=[[0, 0, 0, 1, 10], [0, 0, 0, 10, 10]])
        out = threat("syria", sit)
        assert out[1] > out[0]


class TestDependence:
    def test_floor_when_safe_one_when_falling(self):
        out = payoffs.dependence(np.array([0.0, 1.0, 2.0, -1.0]), 0.25)
        np.testing.assert_allclose(out, [0.25, 1.0, 1.0, 0.25])

    def test_rises_with_the_threat(self):
        assert np.all(np.diff(payoffs.dependence(np.linspace(0, 1, 6), 0.2)) > 0)


# --- balancing ------------------------------------------------------------------------------


def backing(k: int, patrons: dict[int, int], power: np.ndarray) -> np.ndarray:
    """(K, N, F) contributions: each faction's whole power supplied by its one patron."""
    contribution = np.zeros((k, N, NF))
    for faction, state in patrons.items():
        contribution[:, state, faction] = power[:, faction]
    return contribution


class TestBalancing:
    """Share of power on the actor's side minus the share against it (seed 001)."""

    def test_plus_one_when_the_actor_holds_all_power(self):
        power = np.array([[10.0, 0, 0, 0, 0]])
        sit = situation(ALL_REGIME, power=power, contribution=backing(1, {R: RUSSIA}, power))
        assert payoffs.balancing(sit, RUSSIA)[0] == pytest.approx(1.0)

    def test_plus_one_when_a_full_ally_holds_all_power(self):
        power = np.array([[10.0, 0, 0, 0, 0]])
        sit = situation(ALL_REGIME, power=power, contribution=backing(1, {R: IRAN}, power),
                        relations=relations_with((IRAN, RUSSIA, 1.0)))
        assert payoffs.balancing(sit, RUSSIA)[0] == pytest.approx(1.0)

    def test_lower_when_a_rival_gains(self):
        power = np.array([[10.0, 0, 2.0, 0, 0], [10.0, 0, 8.0, 0, 0]])
        sit = situation(np.stack([ALL_REGIME, ALL_REGIME]), power=power,
                        contribution=backing(2, {R: RUSSIA, SDF: US}, power),
                        relations=relations_with((RUSSIA, US, -0.8)))
        out = payoffs.balancing(sit, RUSSIA)
        assert out[1] < out[0]

    def test_isis_counts_against_everyone(self):
        power = np.array([[10.0, 0, 0, 0, 0], [10.0, 0, 0, 10.0, 0]])
        sit = situation(np.stack([ALL_REGIME, ALL_REGIME]), power=power,
                        contribution=backing(2, {R: SYRIA}, power))
        out = payoffs.balancing_all(sit)
        assert np.all(out[1] < out[0])
        assert out[1, US] < 0.0  # US is neutral to the regime here, so ISIS makes it negative

    def test_an_unbacked_faction_is_neutral(self):
        power = np.array([[0, 10.0, 0, 0, 0]])
        sit = situation(ALL_REGIME, power=power)
        np.testing.assert_allclose(payoffs.balancing_all(sit), 0.0)

    @given(st.integers(0, 2**32 - 1), st.sampled_from([R, SUCC]))
    def test_in_range_and_one_actor_matches_all(self, seed, government):
        sit = random_situation(seed, government)
        out = payoffs.balancing_all(sit)
        assert out.shape == (3, N)
        assert np.all((out >= -1.0 - 1e-9) & (out <= 1.0 + 1e-9))
        np.testing.assert_allclose(payoffs.balancing(sit, TURKEY), out[:, TURKEY])


# --- influence ------------------------------------------------------------------------------


class TestInfluence:
    """Sway over Syria: the share of each faction's strength a state supplies, weighted by
    ground, the government in Damascus weighing extra (seed 003)."""

    def test_zero_for_a_state_that_contributes_nothing(self):
        power = np.array([[10.0, 5.0, 0, 0, 0]])
        sit = situation(held(R, R, OPP, OPP, R), power=power,
                        contribution=backing(1, {R: IRAN, OPP: TURKEY}, power))
        out = payoffs.influence(sit, GEO, 0.4)
        assert out[0, US] == 0.0 and out[0, ISRAEL] == 0.0

    def test_larger_for_a_bigger_contributor(self):
        power = np.array([[10.0, 0, 0, 0, 0]])
        contribution = np.zeros((1, N, NF))
        contribution[0, IRAN, R] = 6.0
        contribution[0, RUSSIA, R] = 2.0
        sit = situation(ALL_REGIME, power=power, contribution=contribution)
        out = payoffs.influence(sit, GEO, 0.4)
        assert out[0, IRAN] > out[0, RUSSIA] > 0.0

    def test_the_government_weighs_more_than_its_area(self):
        control = held(R, OPP, OPP, OPP, R)  # the regime holds 15% of the ground, with the capital
        power = np.array([[10.0, 10.0, 0, 0, 0]])
        sit = situation(control, power=power,
                        contribution=backing(1, {R: IRAN, OPP: TURKEY}, power))
        area_regime = GEO.area_share @ control[:, R]
        out = payoffs.influence(sit, GEO, 0.4)
        assert out[0, IRAN] > area_regime
        # sway per unit of ground held: the government's patron gets more than the rebels'
        assert out[0, IRAN] / area_regime > out[0, TURKEY] / (1 - area_regime)
        flat = payoffs.influence(sit, GEO, 0.0)
        assert flat[0, IRAN] == pytest.approx(area_regime)
        assert out[0, IRAN] > flat[0, IRAN]

    def test_need_scales_foreign_sway_over_the_government_only(self):
        power = np.array([[10.0, 10.0, 0, 0, 0]])
        contribution = np.zeros((1, N, NF))
        contribution[0, IRAN, R] = 4.0
        contribution[0, SYRIA, R] = 6.0
        contribution[0, TURKEY, OPP] = 10.0
        sit = situation(held(R, R, OPP, OPP, R), power=power, contribution=contribution)
        needy = payoffs.influence(sit, GEO, 0.4, np.array([1.0]))
        safe = payoffs.influence(sit, GEO, 0.4, np.array([0.25]))
        assert safe[0, IRAN] < needy[0, IRAN]
        assert safe[0, SYRIA] == pytest.approx(needy[0, SYRIA])
        assert safe[0, TURKEY] == pytest.approx(needy[0, TURKEY])

    @given(st.integers(0, 2**32 - 1), st.sampled_from([R, SUCC]), st.floats(0.0, 1.0),
           st.floats(0.0, 1.0))
    def test_in_unit_interval(self, seed, government, capital_weight, need):
        out = payoffs.influence(random_situation(seed, government), GEO, capital_weight,
                                np.full(3, need))
        assert out.shape == (3, N)
        assert np.all((out >= 0.0) & (out <= 1.0))


# --- the shadow of the fall ------------------------------------------------------------------


class TestShadowOfTheFall:
    """Sway and balance weighed by the chance that the regime falls (seeds 000, 001)."""

    def fallen(self):
        power = np.array([[10.0, 6.0, 2.0, 1.0, 0.0]])
        sit = situation(held(R, R, OPP, OPP, R), power=power,
                        contribution=backing(1, {R: IRAN, OPP: TURKEY}, power))
        return sit, payoffs.after_the_fall(sit)

    def test_the_opposition_takes_over_with_the_ground_of_both(self):
        sit, after = self.fallen()
        assert after.government == SUCC
        assert np.allclose(after.control[..., SUCC], sit.control[..., R] + sit.control[..., OPP])
        assert np.all(after.control[..., R] == 0) and np.all(after.control[..., OPP] == 0)
        assert np.allclose(after.control.sum(axis=-1), 1.0)
        assert after.power[0, SUCC] == sit.power[0, OPP] and after.power[0, R] == 0.0

    def test_the_regimes_patron_loses_its_sway_and_the_rebels_patron_gains(self):
        sit, after = self.fallen()
        before = payoffs.influence(sit, GEO, 0.4)
        then = payoffs.influence(after, GEO, 0.4)
        assert then[0, IRAN] == 0.0 < before[0, IRAN]
        assert then[0, TURKEY] > before[0, TURKEY]

    @given(st.floats(0.0, 1.0), st.floats(-1.0, 1.0), st.floats(-1.0, 1.0))
    def test_a_mixture_of_the_two_worlds(self, risk, surviving, fallen):
        out = payoffs.in_the_shadow_of_the_fall(np.array([[surviving]]), np.array([[fallen]]),
                                                np.array([[risk]]))[0, 0]
        assert min(surviving, fallen) - 1e-12 <= out <= max(surviving, fallen) + 1e-12
        if risk == 0.0:
            assert out == pytest.approx(surviving)

    def test_propping_up_the_regime_is_worth_more_near_its_end(self):
        """The same gain in sway weighs more when the fall is likely: what made Russia's entry
        worth its price in 2015 and not in 2012 (record row 16)."""
        sway_without, sway_with, gone = 0.2, 0.3, 0.0

        def gain(risk_without, risk_with):
            return (payoffs.in_the_shadow_of_the_fall(np.array([sway_with]), np.array([gone]),
                                                      np.array([risk_with]))
                    - payoffs.in_the_shadow_of_the_fall(np.array([sway_without]),
                                                        np.array([gone]),
                                                        np.array([risk_without])))[0]

        calm, crisis = gain(0.02, 0.01), gain(0.5, 0.2)
        assert crisis > calm > 0.0


# --- costs ----------------------------------------------------------------------------------


BASE_COST = dict(spend=np.array([2.0]), budget=4.0, resolve=0.8, opportunity=0.2,
                 exposure=np.array([0.3]), casualty_aversion=0.5, intensity=0.5,
                 clash_risk=np.array([0.1]), clash_aversion=0.4)


def cost_with(**changes) -> float:
    return float(payoffs.cost(**{**BASE_COST, **changes})[0])


class TestCost:
    """Money against the budget, casualties, and the risk of a clash (seeds 001, 004)."""

    def test_nothing_done_costs_nothing(self):
        assert cost_with(spend=np.array([0.0]), exposure=np.array([0.0]),
                         clash_risk=np.array([0.0])) == 0.0

    @pytest.mark.parametrize(("name", "low", "high"), [
        ("spend", np.array([1.0]), np.array([3.0])),
        ("opportunity", 0.0, 1.0),
        ("casualty_aversion", 0.1, 1.0),
        ("exposure", np.array([0.1]), np.array([0.6])),
        ("intensity", 0.0, 1.0),
        ("clash_risk", np.array([0.0]), np.array([0.5])),
        ("clash_aversion", 0.0, 1.0),
    ])
    def test_grows_with(self, name, low, high):
        assert cost_with(**{name: high}) > cost_with(**{name: low})

    @pytest.mark.parametrize(("name", "low", "high"), [
        ("resolve", 0.3, 1.0),
        ("budget", 2.0, 8.0),
    ])
    def test_falls_with(self, name, low, high):
        assert cost_with(**{name: high}) < cost_with(**{name: low})

    def test_casualty_aversion_only_matters_with_exposure(self):
        none = np.array([0.0])
        assert cost_with(exposure=none, casualty_aversion=0.1) == pytest.approx(
            cost_with(exposure=none, casualty_aversion=2.0))

    @given(st.floats(0, 20), st.floats(0.1, 20), st.floats(0.01, 1.0), st.floats(0, 3),
           st.floats(0, 1), st.floats(0, 3), st.floats(0, 1), st.floats(0, 2), st.floats(0, 3))
    def test_never_negative(self, spend, budget, resolve, opportunity, exposure, aversion,
                            intensity, clash, clash_aversion):
        out = payoffs.cost(np.array([spend]), budget, resolve, opportunity,
                           np.array([exposure]), aversion, intensity, np.array([clash]),
                           clash_aversion)
        assert out[0] >= 0.0

    def test_vectorised_over_portfolios_and_states(self):
        out = payoffs.cost(np.ones((4, N)), np.full(N, 4.0), np.full(N, 0.8), np.zeros(N),
                           np.zeros((4, N)), np.ones(N), 0.5, np.zeros((4, N)), np.ones(N))
        assert out.shape == (4, N)


class TestSurvivalConvexity:
    """`choice.threat_convexity`: how much more than in proportion a near-existential threat
    weighs (0, the default, is linear)."""

    def test_linear_by_default(self):
        threats = np.linspace(0.0, 1.0, 11)
        np.testing.assert_array_equal(payoffs.survival(threats), -threats)

    def test_convexity_makes_the_last_units_of_threat_dearer(self):
        low = payoffs.survival(0.2, 1.5) - payoffs.survival(0.1, 1.5)
        high = payoffs.survival(0.9, 1.5) - payoffs.survival(0.8, 1.5)
        assert high < low < 0  # the same 0.1 more threat costs more near the top
        assert payoffs.survival(0.5, 1.5) < payoffs.survival(0.5)

    def test_the_kernel_and_the_function_agree(self):
        for threat in (0.0, 0.3, 1.0):
            assert payoffs._survival(threat, 0.7) == pytest.approx(payoffs.survival(threat, 0.7))

    def test_it_reaches_the_states_choices(self):
        from sim.model import SyriaModel
        from sim.scenario import load_scenario

        def run(sets):
            model = SyriaModel(load_scenario("cooperation_2011_2017", ["end=2013-12", *sets]),
                               rng=2)
            while model.running:
                model.step()
            return np.array(model.datacollector.model_vars["terms"])

        # both set: the shipped value is a calibrated one (params/calibration.json)
        linear, convex = run(["choice.threat_convexity=0"]), run(["choice.threat_convexity=1.5"])
        survival = (0, slice(None), 0)  # the first month, every state, the survival term
        assert np.all(convex[survival] <= linear[survival])
        assert not np.array_equal(linear, convex)
