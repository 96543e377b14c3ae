"""The shock calendar (sim/shocks.Calendar): what is in force in a given month, as the model
reads it (`Calendar(shocks).in_force(first, last, base_weights)`)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim import params
from sim.scenario import Shock
from sim.shocks import Calendar, InForce
from sim.vocabulary import STATES, month_index

S = {name: i for i, name in enumerate(STATES)}
BASE = np.array([[0.5, 0.3, 0.2]] * len(STATES))
TERMS = ("survival", "balancing", "influence")
FLOOR = params.load_defaults()["other_wars"]["availability_floor"]  # the shipped value, 0.1
QUALITY_CAP = params.load_defaults()["losses"]["blow_quality_cap"]  # the shipped value, 0.95
RETURN = params.load_defaults()["other_wars"]["return_rate"]  # the shipped value, 0.15


def shock(**fields) -> dict:
    """A shock as the loader resolves it (validated by the real schema, dates indexed)."""
    out = Shock.model_validate({"source": "test", **fields}).model_dump()
    out["start_index"] = month_index(out["start"])
    out["end_index"] = month_index(out["end"]) if out["end"] else None
    return out


def m(label: str) -> int:
    return month_index(label)


def in_force(shocks: dict, base: np.ndarray = BASE, return_rate: float = RETURN) -> InForce:
    """What the shocks put in force from 2010 to 2030 (the window of these tests)."""
    return Calendar(shocks).in_force(m("2010-01"), m("2030-12"), base, FLOOR, QUALITY_CAP,
                                     return_rate)


WAR = shock(kind="theatre_demand", actor="russia", start="2022-02", end="2022-12", demand=2.5,
            asset_draw=0.6)
SANCTIONS = shock(kind="economic_pressure", start="2020-06", severity=0.12)
SARIN = shock(kind="atrocity", start="2013-08", end="2013-09", severity=1.0)
RIVALRY = shock(kind="salience", actor="russia", term="balancing", factor=1.5, start="2022-02")


class TestDemand:
    def test_in_force_inside_the_window_only(self):
        calendar = in_force({"war": WAR})
        assert calendar.demand(m("2022-01"))[S["russia"]] == 0.0
        assert calendar.demand(m("2022-02"))[S["russia"]] == pytest.approx(2.5)
        assert calendar.demand(m("2022-12"))[S["russia"]] == pytest.approx(2.5)  # end inclusive
        assert calendar.demand(m("2023-01"))[S["russia"]] == 0.0

    def test_only_the_named_state_pays(self):
        out = in_force({"war": WAR}).demand(m("2022-06"))
        assert out.shape == (len(STATES),)
        assert out.sum() == pytest.approx(out[S["russia"]])

    def test_scaled_by_magnitude_and_summed(self):
        half = {**WAR, "magnitude": 0.5}
        other = shock(kind="theatre_demand", actor="russia", start="2022-01", demand=1.0)
        out = in_force({"war": half, "other": other}).demand(m("2022-06"))
        assert out[S["russia"]] == pytest.approx(0.5 * 2.5 + 1.0)

    def test_open_ended_shock_stays_in_force(self):
        lasting = shock(kind="theatre_demand", actor="iran", start="2018-05", demand=3.0)
        assert in_force({"max": lasting}).demand(m("2030-01"))[S["iran"]] == pytest.approx(3.0)

    def test_other_kinds_draw_no_money(self):
        calendar = in_force({"s": SANCTIONS, "a": SARIN, "r": RIVALRY})
        assert not calendar.demand(m("2022-06")).any()


class TestAvailability:
    def test_assets_drawn_away_at_once_when_the_war_starts(self):
        calendar = in_force({"war": WAR})
        assert calendar.availability(m("2022-01"))[S["russia"]] == 1.0
        assert calendar.availability(m("2022-02"))[S["russia"]] == pytest.approx(0.4)
        assert calendar.availability(m("2022-12"))[S["russia"]] == pytest.approx(0.4)

    def test_assets_come_back_at_the_return_rate_after_the_war(self):
        """Each month after the war closes `return_rate` of the gap to what is free: 0.4 in
        the war's last month, then 1 - 0.6 * (1 - rate)^k after k months."""
        for rate in (RETURN, 0.5):
            series = [in_force({"war": WAR}, return_rate=rate).availability(m(month))[S["russia"]]
                      for month in ("2023-01", "2023-02", "2023-06", "2024-12")]
            expected = [1.0 - 0.6 * (1.0 - rate) ** k for k in (1, 2, 6, 24)]
            assert series == pytest.approx(expected)
        assert 0.4 < in_force({"war": WAR}).availability(m("2023-06"))[S["russia"]] < 1.0

    def test_a_return_rate_of_one_brings_them_back_at_once(self):
        calendar = in_force({"war": WAR}, return_rate=1.0)
        assert calendar.availability(m("2023-01"))[S["russia"]] == 1.0

    def test_a_second_war_draws_at_once_what_has_come_back(self):
        """A war that leaves less free than has come back takes it at once; one that leaves
        more lets the return go on towards what it leaves."""
        for draw, month in ((0.9, "2023-03"), (0.1, "2023-03")):
            again = shock(kind="theatre_demand", actor="russia", start=month, end="2023-04",
                          demand=1.0, asset_draw=draw)
            calendar = in_force({"war": WAR, "again": again})
            back = calendar.availability(m("2023-02"))[S["russia"]]
            assert back == pytest.approx(1.0 - 0.6 * (1.0 - RETURN) ** 2)
            free = 1.0 - draw
            expected = free if free < back else back + RETURN * (free - back)
            assert calendar.availability(m("2023-03"))[S["russia"]] == pytest.approx(expected)

    def test_other_states_keep_everything(self):
        out = in_force({"war": WAR}).availability(m("2022-06"))
        assert np.all(np.delete(out, S["russia"]) == 1.0)

    def test_never_below_a_tenth(self):
        heavy = {**WAR, "asset_draw": 1.0, "magnitude": 3.0}
        assert in_force({"war": heavy}).availability(m("2022-06"))[S["russia"]] == \
            pytest.approx(0.1)


class TestPressureAndAtrocity:
    def test_pressure_in_and_out_of_the_window(self):
        calendar = in_force({"caesar": SANCTIONS})
        assert calendar.pressure(m("2020-05")) == 0.0
        assert calendar.pressure(m("2020-06")) == pytest.approx(0.12)
        assert calendar.pressure(m("2025-01")) == pytest.approx(0.12)

    def test_pressures_add_up(self):
        more = shock(kind="economic_pressure", start="2019-10", severity=0.08, magnitude=2.0)
        calendar = in_force({"caesar": SANCTIONS, "banks": more})
        assert calendar.pressure(m("2021-01")) == pytest.approx(0.12 + 0.16)

    def test_atrocity_in_and_out_of_the_window(self):
        calendar = in_force({"sarin": SARIN})
        assert calendar.atrocity(m("2013-07")) == 0.0
        assert calendar.atrocity(m("2013-08")) == pytest.approx(1.0)
        assert calendar.atrocity(m("2013-09")) == pytest.approx(1.0)
        assert calendar.atrocity(m("2013-10")) == 0.0

    def test_kinds_do_not_leak_into_each_other(self):
        calendar = in_force({"caesar": SANCTIONS, "sarin": SARIN})
        assert calendar.atrocity(m("2021-01")) == 0.0
        assert calendar.pressure(m("2013-08")) == 0.0


class TestWeights:
    def test_salience_raises_the_term_and_renormalises(self):
        after = in_force({"rivalry": RIVALRY}).weights(m("2022-06"))[S["russia"]]
        before = BASE[S["russia"]]
        assert after.sum() == pytest.approx(1.0)
        assert after[1] > before[1]
        assert after[0] < before[0]
        assert after[0] / after[2] == pytest.approx(0.5 / 0.2)

    def test_no_change_outside_the_window_or_for_other_states(self):
        calendar = in_force({"rivalry": RIVALRY})
        np.testing.assert_array_equal(calendar.weights(m("2021-06")), BASE)
        np.testing.assert_array_equal(np.delete(calendar.weights(m("2022-06")), S["russia"], 0),
                                      np.delete(BASE, S["russia"], 0))

    @given(st.floats(0.0, 5.0), st.floats(0.0, 5.0), st.sampled_from(TERMS),
           st.sampled_from(STATES))
    def test_weight_rows_sum_to_one(self, factor, magnitude, term, state):
        salience = shock(kind="salience", actor=state, term=term, factor=factor,
                         magnitude=magnitude, start="2020-01")
        matrix = in_force({"s": salience}).weights(m("2020-01"))
        np.testing.assert_allclose(matrix.sum(axis=1), 1.0)
        assert np.all(matrix >= 0.0)

    def test_a_scaled_up_damping_shock_never_makes_a_weight_negative(self):
        """A damping shock (factor < 1) scaled past magnitude 1 floors the term at zero."""
        damp = shock(kind="salience", actor="israel", term="survival", factor=0.5,
                     magnitude=3.0, start="2020-01")
        matrix = in_force({"d": damp}).weights(m("2020-01"))
        assert np.all(matrix >= 0.0) and np.all(np.isfinite(matrix))
        assert matrix[S["israel"], 0] == 0.0
        assert matrix[S["israel"]].sum() == pytest.approx(1.0)

    def test_a_zero_factor_on_a_state_s_only_term_keeps_its_weights_not_nan(self):
        """A state that weighs one term only, and a shock that zeroes that term: its weights
        stay as they were (before the fix, 0/0 gave NaN weights on the model's path)."""
        base = BASE.copy()
        base[S["israel"]] = (1.0, 0.0, 0.0)
        zero = shock(kind="salience", actor="israel", term="survival", factor=0.0,
                     start="2020-01")
        matrix = in_force({"z": zero}, base).weights(m("2020-06"))
        assert np.all(np.isfinite(matrix))
        np.testing.assert_array_equal(matrix, base)

    def test_without_shocks_the_base_is_renormalised(self):
        np.testing.assert_allclose(in_force({}, BASE * 2.0).weights(m("2020-01")), BASE)


class TestEnabled:
    def test_disabled_shocks_are_ignored(self):
        off = {name: {**s, "enabled": False} for name, s in
               {"war": WAR, "caesar": SANCTIONS, "sarin": SARIN, "rivalry": RIVALRY}.items()}
        assert Calendar(off).shocks == {}
        calendar = in_force(off)
        assert not calendar.demand(m("2022-06")).any()
        assert np.all(calendar.availability(m("2022-06")) == 1.0)
        assert calendar.pressure(m("2022-06")) == 0.0
        assert calendar.atrocity(m("2013-08")) == 0.0
        np.testing.assert_allclose(calendar.weights(m("2022-06")), BASE)
        assert calendar.landing(m("2022-02")) == []

    def test_disabling_one_keeps_the_others(self):
        calendar = Calendar({"war": {**WAR, "enabled": False}, "caesar": SANCTIONS})
        assert set(calendar.shocks) == {"caesar"}

    def test_a_month_outside_the_window_is_an_error(self):
        with pytest.raises(IndexError):
            in_force({"war": WAR}).demand(m("2031-01"))


class TestLanding:
    def test_lands_in_its_start_month_only(self):
        surge = shock(kind="force_surge", force="isis", start="2014-06", manpower=22.0)
        calendar = in_force({"caliphate": surge, "war": WAR})
        assert [landing.name for landing in calendar.landing(m("2014-06"))] == ["caliphate"]
        assert calendar.landing(m("2014-07")) == []
        assert [landing.name for landing in calendar.landing(m("2022-02"))] == ["war"]

    def test_a_surge_is_a_record_with_its_magnitude_applied(self):
        surge = shock(kind="force_surge", force="isis", start="2014-06", manpower=22.0,
                      governorates={"raqqa": 0.6, "deir_ez_zor": 0.3}, magnitude=2.0)
        (landed,) = in_force({"caliphate": surge}).landing(m("2014-06"))
        assert (landed.kind, landed.target, landed.force) == ("force_surge", "isis", "isis")
        assert landed.manpower == pytest.approx(44.0)
        assert dict(landed.taken) == pytest.approx({"raqqa": 1.0, "deir_ez_zor": 0.6})

    def test_a_blow_never_takes_more_than_all_fighters_or_95_percent_of_quality(self):
        blow = shock(kind="force_blow", force="militias", start="2024-09", loss=0.5,
                     quality_loss=0.4, magnitude=3.0)
        (landed,) = in_force({"blow": blow}).landing(m("2024-09"))
        assert (landed.loss, landed.quality_loss) == (1.0, 0.95)

    def test_one_off_shocks_do_not_move_recurring_channels(self):
        surge = shock(kind="force_surge", force="isis", start="2014-06", manpower=22.0)
        blow = shock(kind="force_blow", force="militias", start="2024-09", loss=0.5)
        calendar = in_force({"surge": surge, "blow": blow})
        for month in (m("2014-06"), m("2024-09")):
            assert not calendar.demand(month).any()
            assert calendar.pressure(month) == calendar.atrocity(month) == 0.0
