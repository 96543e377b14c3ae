"""The theatre (sim/theatre.py): the contest success function, deployment, one round of
fighting, the national roll-up, the governorate table and the Mesa network space.

Behaviour and properties only: nothing here depends on tuned parameter values.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim import params, theatre
from sim.vocabulary import FACTIONS, R

FRONT_BASE = params.load_defaults()["losses"]["front_base"]  # the shipped value

NF = len(FACTIONS)
# Magnitudes of ordinary combat power (thousands of soldier-equivalents); tiny forces are a
# known bug pinned separately below (TestContestShare.test_scale_free_for_tiny_forces).
positive = st.floats(0.1, 1e4, allow_nan=False)
forces = st.one_of(st.just(0.0), positive)
decisiveness = st.floats(0.2, 5.0)


def pairs_for(hostility: np.ndarray):
    return theatre.pair_index(hostility)


def all_hostile(n: int = NF) -> np.ndarray:
    return np.ones((n, n)) - np.eye(n)


def one_pair(n: int, i: int, j: int) -> np.ndarray:
    h = np.zeros((n, n))
    h[i, j] = h[j, i] = 1.0
    return h


class TestContestShare:
    """Ratio-form contest success function (Tullock 1980; Hirshleifer 1989)."""

    @given(positive, decisiveness)
    def test_equal_forces_split_evenly(self, x, m):
        assert theatre.contest_share(np.array(x), np.array(x), m) == pytest.approx(0.5)

    @given(forces, forces, forces, decisiveness)
    def test_monotone_in_attacker_force(self, a1, a2, d, m):
        low, high = sorted((a1, a2))
        s_low = theatre.contest_share(np.array(low), np.array(d), m)
        s_high = theatre.contest_share(np.array(high), np.array(d), m)
        assert s_low <= s_high + 1e-12

    @given(positive, positive, decisiveness)
    def test_strictly_more_force_wins_more(self, d, extra, m):
        base = theatre.contest_share(np.array(d), np.array(d), m)
        more = theatre.contest_share(np.array(d + extra * d), np.array(d), m)
        assert more > base

    @given(positive, positive, decisiveness)
    def test_shares_of_both_sides_sum_to_one(self, a, d, m):
        total = (theatre.contest_share(np.array(a), np.array(d), m)
                 + theatre.contest_share(np.array(d), np.array(a), m))
        assert total == pytest.approx(1.0)

    @given(positive, st.floats(1.05, 100.0), st.floats(1.05, 5.0))
    def test_decisiveness_above_one_favours_the_stronger(self, d, ratio, m):
        a = d * ratio
        force_share = a / (a + d)
        assert theatre.contest_share(np.array(a), np.array(d), m) > force_share

    @given(positive, st.floats(1.05, 100.0), st.floats(0.2, 0.95))
    def test_decisiveness_below_one_favours_the_weaker(self, d, ratio, m):
        a = d * ratio
        assert theatre.contest_share(np.array(a), np.array(d), m) < a / (a + d)

    @given(positive, positive)
    def test_decisiveness_one_gives_the_force_share(self, a, d):
        assert theatre.contest_share(np.array(a), np.array(d), 1.0) == pytest.approx(a / (a + d))

    @given(positive, decisiveness)
    def test_no_defenders_means_the_attacker_takes_all(self, a, m):
        assert theatre.contest_share(np.array(a), np.array(0.0), m) == pytest.approx(1.0)

    def test_zero_against_zero_is_even(self):
        assert theatre.contest_share(np.array(0.0), np.array(0.0), 1.6) == 0.5

    def test_vectorised_over_batch_axes(self):
        a = np.array([[1.0, 2.0], [3.0, 0.0]])
        d = np.array([[1.0, 1.0], [1.0, 0.0]])
        out = theatre.contest_share(a, d, 1.5)
        assert out.shape == (2, 2)
        assert out[0, 0] == pytest.approx(0.5) and out[1, 1] == 0.5

    @given(st.floats(0.1, 1e3), st.floats(0.1, 1e3), decisiveness,
           st.sampled_from([0.1, 1.0, 1e3]))
    def test_scale_free_for_ordinary_magnitudes(self, a, d, m, scale):
        base = theatre.contest_share(np.array(a), np.array(d), m)
        scaled = theatre.contest_share(np.array(a * scale), np.array(d * scale), m)
        assert scaled == pytest.approx(base, abs=1e-9)

    def test_scale_free_for_tiny_forces(self):
        share = theatre.contest_share
        assert share(np.array(1e-6), np.array(0.0), 1.6) == pytest.approx(1.0)
        assert share(np.array(1e-5), np.array(1e-6), 2.0) == pytest.approx(
            share(np.array(10.0), np.array(1.0), 2.0))
        # more attacking force must never mean less ground
        assert share(np.array(0.0), np.array(3.1e-5), 2.0) <= share(
            np.array(1e-5), np.array(3.1e-5), 2.0)


def random_control(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    raw = rng.random(shape) * (rng.random(shape) < 0.7)
    raw[..., 0] += 1e-3  # every row holds something
    return raw / raw.sum(axis=-1, keepdims=True)


class TestContest:
    """One round of fighting in every governorate: pairwise transfers towards the contest split."""

    @given(st.integers(0, 2**32 - 1), st.integers(1, 3), st.integers(1, 5),
           st.floats(0.0, 0.5), decisiveness, st.floats(0.0, 10.0))
    def test_shares_stay_a_distribution(self, seed, batch, governorates, mobility, m, fury):
        rng = np.random.default_rng(seed)
        hostility = (rng.random((NF, NF)) < 0.6).astype(float)
        hostility = np.triu(hostility, 1) + np.triu(hostility, 1).T
        pairs = theatre.pair_index(hostility)
        shape = (batch, governorates, NF)
        control = random_control(rng, shape)
        local = rng.random(shape) * 100.0 * (rng.random(shape) < 0.8)
        intensity = rng.random((batch, governorates, len(pairs[0]))) * fury
        new = theatre.contest(control, local, intensity, pairs, m, mobility)
        assert new.shape == shape
        assert np.all(new >= 0.0)
        np.testing.assert_allclose(new.sum(axis=-1), 1.0, atol=1e-9)

    def test_a_much_stronger_attacker_gains_ground(self):
        control = np.array([[0.5, 0.5, 0.0, 0.0, 0.0]])
        local = np.array([[1.0, 20.0, 0.0, 0.0, 0.0]])
        pairs = pairs_for(one_pair(NF, 0, 1))
        new = theatre.contest(control, local, np.ones((1, 1)), pairs, 1.5, 0.1)
        assert new[0, 1] > 0.5 > new[0, 0]
        assert new[0, 2:].sum() == 0.0

    def test_the_defender_does_not_gain_from_being_outgunned(self):
        control = np.array([[0.9, 0.1, 0.0, 0.0, 0.0]])
        local = np.array([[0.0, 5.0, 0.0, 0.0, 0.0]])
        pairs = pairs_for(one_pair(NF, 0, 1))
        new = theatre.contest(control, local, np.ones((1, 1)), pairs, 1.6, 0.3)
        assert new[0, 0] < 0.9 and new[0, 1] > 0.1

    def test_full_rate_reaches_the_contest_split(self):
        control = np.array([[0.3, 0.5, 0.2, 0.0, 0.0]])
        local = np.array([[3.0, 1.0, 0.0, 0.0, 0.0]])
        pairs = pairs_for(one_pair(NF, 0, 1))
        new = theatre.contest(control, local, np.ones((1, 1)), pairs, 1.6, 1.0)
        split = theatre.contest_share(np.array(3.0), np.array(1.0), 1.6)
        assert new[0, 0] == pytest.approx(split * 0.8)
        assert new[0, 1] == pytest.approx((1 - split) * 0.8)
        assert new[0, 2] == pytest.approx(0.2)  # not in the fight

    def test_equal_forces_move_towards_an_even_split(self):
        control = np.array([[0.8, 0.2, 0.0, 0.0, 0.0]])
        local = np.array([[4.0, 4.0, 0.0, 0.0, 0.0]])
        pairs = pairs_for(one_pair(NF, 0, 1))
        new = theatre.contest(control, local, np.ones((1, 1)), pairs, 1.6, 0.2)
        assert 0.5 < new[0, 0] < 0.8

    def test_zero_against_zero_changes_nothing(self):
        control = np.array([[0.6, 0.4, 0.0, 0.0, 0.0], [0.1, 0.2, 0.3, 0.4, 0.0]])
        local = np.zeros_like(control)
        pairs = pairs_for(all_hostile())
        intensity = np.ones((2, len(pairs[0])))
        new = theatre.contest(control, local, intensity, pairs, 1.6, 0.5)
        np.testing.assert_allclose(new, control)

    @given(st.integers(0, 2**32 - 1), decisiveness)
    def test_mobility_zero_changes_nothing(self, seed, m):
        rng = np.random.default_rng(seed)
        control = random_control(rng, (2, 4, NF))
        local = rng.random((2, 4, NF)) * 10
        pairs = pairs_for(all_hostile())
        intensity = rng.random((2, 4, len(pairs[0])))
        new = theatre.contest(control, local, intensity, pairs, m, 0.0)
        np.testing.assert_allclose(new, control, atol=1e-12)

    @given(st.integers(0, 2**32 - 1), st.integers(0, NF - 1))
    def test_no_transfers_where_a_faction_is_not_fighting(self, seed, quiet):
        """Zero intensity on every pair involving one faction leaves its share untouched."""
        rng = np.random.default_rng(seed)
        control = random_control(rng, (3, NF))
        local = rng.random((3, NF)) * 10
        pairs = pairs_for(all_hostile())
        i, j, _ = pairs
        intensity = rng.random((3, len(i)))
        intensity[:, (i == quiet) | (j == quiet)] = 0.0
        new = theatre.contest(control, local, intensity, pairs, 1.6, 0.3)
        np.testing.assert_allclose(new[:, quiet], control[:, quiet], atol=1e-12)

    def test_zero_intensity_everywhere_changes_nothing(self):
        rng = np.random.default_rng(1)
        control = random_control(rng, (4, NF))
        local = rng.random((4, NF)) * 10
        pairs = pairs_for(all_hostile())
        new = theatre.contest(control, local, np.zeros((4, len(pairs[0]))), pairs, 1.6, 0.5)
        np.testing.assert_allclose(new, control, atol=1e-12)

    @given(st.integers(0, 2**32 - 1), st.booleans(), decisiveness, st.sampled_from([0.0, 0.4]),
           st.sampled_from([0.0, 0.2]))
    def test_a_batch_gives_each_set_its_own_outcome(self, seed, per_governorate, m, defence,
                                                    cede):
        """The batch copies set 0's outcome where a set's forces and intensity are set 0's:
        every set still gets exactly what it would alone, whether it shares set 0's
        governorates, its intensity, both or neither."""
        rng = np.random.default_rng(seed)
        g_count, pairs = 5, pairs_for(all_hostile())
        control = random_control(rng, (g_count, NF))
        local = np.repeat(rng.random((1, g_count, NF)) * 10, 4, axis=0)
        local[1, rng.random(g_count) < 0.5] *= 2.0  # set 1 differs in some governorates
        local[3] *= 1.5  # set 3 everywhere
        rows = g_count if per_governorate else 1
        intensity = np.repeat(rng.random((1, rows, len(pairs[0]))), 4, axis=0)
        intensity[2] *= 0.5  # set 2: set 0's forces, another intensity
        powered = np.where(local > 0, local ** m, 0.0)
        out = np.empty_like(local)
        deals = np.ones((4, NF, NF))
        deals[1, 1] = 0.0  # set 1: no deal ends a pocket held against the opposition
        theatre._contest_batch(control, local, powered, intensity, pairs[0], pairs[1], 0.3,
                               defence, cede, deals, out)
        for k in range(4):
            alone = np.empty((1, g_count, NF))
            theatre._contest_batch(control, local[k:k + 1], powered[k:k + 1],
                                   intensity[k:k + 1], pairs[0], pairs[1], 0.3, defence, cede,
                                   deals[k:k + 1], alone)
            np.testing.assert_array_equal(out[k], alone[0])

    def test_a_faction_at_peace_with_everyone_keeps_its_ground(self):
        hostility = one_pair(NF, 0, 1)
        control = np.array([[0.3, 0.3, 0.4, 0.0, 0.0]])
        local = np.array([[1.0, 9.0, 50.0, 0.0, 0.0]])
        new = theatre.contest(control, local, np.ones((1, 1)), pairs_for(hostility), 1.6, 0.5)
        assert new[0, 2] == pytest.approx(0.4)


class TestDefendersEdge:
    """The defender's edge (`theatre._headway`): an attacker takes its enemy's ground only as
    far as its contest share passes `defence`; at 0 the contest is the ratio form."""

    def test_headway_is_nothing_up_to_the_edge_and_all_when_unopposed(self):
        assert theatre._headway(0.5, 0.6) == 0.0
        assert theatre._headway(0.6, 0.6) == 0.0
        assert theatre._headway(1.0, 0.6) == pytest.approx(1.0)
        assert theatre._headway(0.8, 0.6) == pytest.approx(0.5)
        assert theatre._headway(0.3, 0.0) == pytest.approx(0.3)

    @given(st.integers(0, 2**32 - 1), st.floats(0.0, 0.5), decisiveness)
    def test_no_edge_is_the_ratio_form(self, seed, mobility, m):
        """At `defence` 0 each side takes the other's ground at its share: the same as moving
        the pair's ground towards the contest's split (the old form), to rounding."""
        rng = np.random.default_rng(seed)
        control = random_control(rng, (4, NF))
        local = rng.random((4, NF)) * 10
        pairs = pairs_for(all_hostile())
        intensity = rng.random((4, len(pairs[0])))
        ratio_form = theatre.contest(control, local, intensity, pairs, m, mobility)
        powered = np.where(local > 0, local ** m, 0.0)
        tiny = np.empty_like(control)
        theatre._contest_powered(control, local, powered, intensity, pairs[0], pairs[1],
                                 mobility, 1e-300, 0.0, np.ones((NF, NF)), tiny)  # edge ~0
        np.testing.assert_allclose(tiny, ratio_form, atol=1e-12)

    def test_lines_hold_near_parity_above_one_half(self):
        control = np.array([[0.8, 0.2, 0.0, 0.0, 0.0]])
        local = np.array([[4.0, 5.0, 0.0, 0.0, 0.0]])  # the weaker side holds most
        pairs = pairs_for(one_pair(NF, 0, 1))
        share = float(theatre.contest_share(np.array(5.0), np.array(4.0), 1.6))
        held = theatre.contest(control, local, np.ones((1, 1)), pairs, 1.6, 0.3,
                               defence=share + 0.01)
        np.testing.assert_allclose(held, control)
        moved = theatre.contest(control, local, np.ones((1, 1)), pairs, 1.6, 0.3)
        assert moved[0, 1] > 0.2  # without the edge the stronger side gains

    def test_an_attacker_past_the_edge_takes_ground_and_keeps_its_own(self):
        control = np.array([[0.5, 0.5, 0.0, 0.0, 0.0]])
        local = np.array([[1.0, 4.0, 0.0, 0.0, 0.0]])
        pairs = pairs_for(one_pair(NF, 0, 1))
        share = float(theatre.contest_share(np.array(4.0), np.array(1.0), 1.6))
        new = theatre.contest(control, local, np.ones((1, 1)), pairs, 1.6, 0.2, defence=0.6)
        gained = 0.2 * (share - 0.6) / 0.4 * 0.5  # headway on the defender's half, no loss
        assert new[0, 1] == pytest.approx(0.5 + gained)

    @given(st.integers(0, 2**32 - 1), st.floats(0.5, 0.95))
    def test_from_one_half_the_weaker_side_never_gains(self, seed, defence):
        """From an edge of one half the weaker side of a pair makes no headway at all: it can
        hold its ground, never take the stronger side's."""
        rng = np.random.default_rng(seed)
        control = random_control(rng, (3, NF))
        local = rng.random((3, NF)) * 10 + 0.1
        pairs = pairs_for(one_pair(NF, 0, 1))
        new = theatre.contest(control, local, np.ones((3, 1)), pairs, 1.6, 0.3,
                              defence=defence)
        weaker = np.where(local[:, 0] < local[:, 1], 0, 1)
        rows = np.arange(3)
        assert np.all(new[rows, weaker] <= control[rows, weaker] + 1e-12)


class TestCeding:
    """A side whose contest share against an enemy it fights is below `cede` gives up its
    ground there within the month (`theatre._contest_batch`); at 0 nobody cedes."""

    def test_a_hopeless_side_gives_up_all_its_ground_at_once(self):
        control = np.array([[0.7, 0.3, 0.0, 0.0, 0.0]])
        local = np.array([[10.0, 2.0, 0.0, 0.0, 0.0]])  # share (2/10)^1.6 against: ~0.07
        pairs = pairs_for(one_pair(NF, 0, 1))
        ground_down = theatre.contest(control, local, np.ones((1, 1)), pairs, 1.6, 0.1)
        assert 0.0 < ground_down[0, 1] < 0.3  # slowly, at the contest's rate
        ceded = theatre.contest(control, local, np.ones((1, 1)), pairs, 1.6, 0.1, cede=0.2)
        np.testing.assert_allclose(ceded[0], [1.0, 0.0, 0.0, 0.0, 0.0])

    def test_it_is_the_weaker_side_that_cedes_whoever_holds_more(self):
        control = np.array([[0.2, 0.8, 0.0, 0.0, 0.0]])  # the stronger side holds less
        local = np.array([[10.0, 2.0, 0.0, 0.0, 0.0]])
        pairs = pairs_for(one_pair(NF, 0, 1))
        ceded = theatre.contest(control, local, np.ones((1, 1)), pairs, 1.6, 0.1, cede=0.2)
        np.testing.assert_allclose(ceded[0], [1.0, 0.0, 0.0, 0.0, 0.0])

    def test_above_the_threshold_the_ground_moves_as_before(self):
        control = np.array([[0.5, 0.5, 0.0, 0.0, 0.0]])
        local = np.array([[6.0, 4.0, 0.0, 0.0, 0.0]])  # share of the weaker ~0.34
        pairs = pairs_for(one_pair(NF, 0, 1))
        before = theatre.contest(control, local, np.ones((1, 1)), pairs, 1.6, 0.1)
        with_ceding = theatre.contest(control, local, np.ones((1, 1)), pairs, 1.6, 0.1,
                                      cede=0.2)
        np.testing.assert_array_equal(with_ceding, before)

    def test_nobody_cedes_where_no_deal_can_end_the_pocket(self):
        control = np.array([[0.7, 0.3, 0.0, 0.0, 0.0]])
        local = np.array([[10.0, 2.0, 0.0, 0.0, 0.0]])
        pairs = pairs_for(one_pair(NF, 0, 1))
        ground_down = theatre.contest(control, local, np.ones((1, 1)), pairs, 1.6, 0.1)
        no_deal = np.ones((NF, NF))
        no_deal[0, 1] = 0.0  # nothing ends the opposition's pocket held against the regime
        unbrokered = theatre.contest(control, local, np.ones((1, 1)), pairs, 1.6, 0.1,
                                     cede=0.2, deals=no_deal)
        np.testing.assert_array_equal(unbrokered, ground_down)

    def test_a_deal_needs_a_patron_in_the_fight_and_a_voice_for_each_side(self):
        """`_deals`: a pocket of faction i held against faction j can be ended where a foreign
        state's combat forces back j and someone negotiates for each side (a patron, or the
        government for its own army)."""
        from sim.model import SyriaModel
        from sim.vocabulary import ACTIONS, STATES

        fx = SyriaModel("full_2011_2025", rng=0).fx
        regime, opposition = FACTIONS.index("regime"), FACTIONS.index("opposition")
        russia, turkey, syria = (STATES.index(s) for s in ("russia", "turkey", "syria"))
        air, talks = ACTIONS.index("air_campaign"), ACTIONS.index("negotiation")
        joint = np.zeros((4, len(STATES), len(ACTIONS)))
        joint[:, russia, air] = 1.0  # Russia's aircraft over Syria in every row
        joint[1, russia, talks] = joint[1, turkey, talks] = 1.0  # Aleppo's two brokers
        joint[2, syria, talks] = joint[2, turkey, talks] = 1.0  # Damascus speaks for its army
        joint[3, russia, talks] = 1.0  # nobody speaks for the opposition
        deals = theatre._deals(joint, np.ascontiguousarray(fx.patron), R)
        assert deals[0, regime, opposition] == 0.0  # forces, but no talks
        assert deals[1, regime, opposition] == 1.0
        assert deals[2, regime, opposition] == 1.0
        assert deals[3, regime, opposition] == 0.0
        # the opposition has no patron's forces in the fight: no deal ends the regime's pockets
        assert not deals[:, opposition, regime].any()

    def test_nobody_cedes_where_a_ceasefire_stops_the_fighting(self):
        control = np.array([[0.7, 0.3, 0.0, 0.0, 0.0]])
        local = np.array([[10.0, 2.0, 0.0, 0.0, 0.0]])
        pairs = pairs_for(one_pair(NF, 0, 1))
        quiet = theatre.contest(control, local, np.zeros((1, 1)), pairs, 1.6, 0.1, cede=0.2)
        np.testing.assert_allclose(quiet, control)

    def test_the_months_fight_ends_the_pockets_a_deal_can_end(self):
        """The month's fight (`theatre.fight`) on a model's own state, with Russia's aircraft
        in and the talks speaking for both sides: fought with deals, the pockets that a deal
        can end and whose holder is hopeless there hold less ground than fought without."""
        from sim.model import SyriaModel
        from sim.vocabulary import ACTIONS, STATES, month_index

        model = SyriaModel("cooperation_2011_2017", rng=3)
        while model.month < month_index("2016-06"):
            model.step()
        joint = model._in_theatre.copy()
        for state in ("russia", "syria", "turkey"):
            joint[STATES.index(state), ACTIONS.index("negotiation")] = 1.0
        joint[STATES.index("russia"), ACTIONS.index("air_campaign")] = 1.0
        fog = np.zeros_like(model.control)
        war = theatre.war_now(model)
        fought = {cede: theatre.fight(joint, fog, 0.1, war, model.fx,
                                      model.theatre._replace(cede=cede), model.force_params)
                  for cede in (0.0, 0.25)}
        local = fought[0.0][1]  # the same local power either way (no fog)
        np.testing.assert_array_equal(local, fought[0.25][1])
        deals = theatre._deals(joint[None], model.fx.patron, R)[0]
        m = model.theatre.decisiveness
        pockets = np.zeros_like(model.control, dtype=bool)
        for i, j in zip(model.theatre.first, model.theatre.second, strict=True):
            for loser, winner in ((i, j), (j, i)):
                weak, strong = local[:, loser] ** m, local[:, winner] ** m
                share = np.divide(weak, weak + strong, out=np.full(len(weak), 0.5),
                                  where=weak + strong > 0)
                pockets[:, loser] |= ((share < 0.25) & (deals[winner, loser] > 0)
                                      & (model.control[:, loser] > 0))
        assert pockets.any()
        assert fought[0.25][0][pockets].sum() < fought[0.0][0][pockets].sum()


class TestPairIndex:
    def test_books_each_hostile_pair_once_with_opposite_signs(self):
        hostility = np.zeros((NF, NF))
        hostility[0, 1] = hostility[1, 0] = 1.0
        hostility[2, 3] = hostility[3, 2] = 0.3
        i, j, incidence = theatre.pair_index(hostility)
        assert sorted(zip(i.tolist(), j.tolist(), strict=True)) == [(0, 1), (2, 3)]
        np.testing.assert_allclose(incidence.sum(axis=1), 0.0)


class TestDeployment:
    """Forces go where a faction can reach, where the ground is worth more, and to the fronts."""

    @staticmethod
    def line(n: int) -> np.ndarray:
        adj = np.zeros((n, n))
        for g in range(n - 1):
            adj[g, g + 1] = adj[g + 1, g] = 1.0
        return theatre.row_normalised(adj)

    @given(st.integers(0, 2**32 - 1), st.floats(0.0, 1.0))
    def test_each_present_faction_deploys_all_its_forces(self, seed, spill):
        rng = np.random.default_rng(seed)
        g = 5
        control = random_control(rng, (2, g, NF))
        control[..., 3] = 0.0  # one faction holds nothing anywhere
        control /= control.sum(axis=-1, keepdims=True)
        value = rng.random((g, NF)) + 0.1
        hostility = all_hostile()
        deploy = theatre.deployment(control, self.line(g), value, hostility, spill, FRONT_BASE)
        assert deploy.shape == control.shape
        assert np.all(deploy >= 0.0)
        totals = deploy.sum(axis=-2)
        present = control.sum(axis=-2) > 0
        np.testing.assert_allclose(totals[present], 1.0)
        np.testing.assert_allclose(deploy[..., 3], 0.0)

    def test_no_forces_where_a_faction_cannot_reach(self):
        control = np.array([[1.0, 0, 0, 0, 0], [0, 1.0, 0, 0, 0], [0, 1.0, 0, 0, 0]])
        deploy = theatre.deployment(control, self.line(3), np.ones((3, NF)), all_hostile(), 0.5,
                                    FRONT_BASE)
        assert deploy[2, 0] == 0.0  # two governorates away from the regime's ground
        assert deploy[1, 0] > 0.0  # next door: reachable through spill

    def test_more_valuable_ground_draws_more_forces(self):
        control = np.tile([1.0, 0, 0, 0, 0], (3, 1))
        value = np.ones((3, NF))
        value[1, 0] = 3.0
        deploy = theatre.deployment(control, self.line(3), value, np.zeros((NF, NF)), 0.0,
                                    FRONT_BASE)
        assert deploy[1, 0] > deploy[0, 0]
        assert deploy[0, 0] == pytest.approx(deploy[2, 0])

    def test_enemy_presence_draws_forces_to_the_front(self):
        control = np.array([[1.0, 0, 0, 0, 0], [0.5, 0.5, 0, 0, 0], [1.0, 0, 0, 0, 0]])
        value = np.ones((3, NF))
        calm = theatre.deployment(control, self.line(3), value, np.zeros((NF, NF)), 0.0, FRONT_BASE)
        war = theatre.deployment(control, self.line(3), value, one_pair(NF, 0, 1), 0.0, FRONT_BASE)
        assert war[1, 0] > calm[1, 0]


class TestNationalShares:
    def test_a_governorate_held_by_one_faction_adds_exactly_its_area_share(self, geography):
        g = geography.index("deir_ez_zor")
        control = np.zeros((len(geography.names), NF))
        control[:, 0] = 1.0
        control[g] = [0.0, 0.0, 0.0, 1.0, 0.0]
        shares = theatre.national_shares(control, geography.area_share)
        assert shares[3] == pytest.approx(geography.area_share[g])
        assert shares[0] == pytest.approx(1.0 - geography.area_share[g])
        assert shares.sum() == pytest.approx(1.0)

    def test_rolls_up_by_area_not_by_count(self, geography):
        control = np.zeros((len(geography.names), NF))
        control[:, 0] = 1.0
        big, small = geography.index("homs"), geography.index("damascus")
        control[big] = control[small] = [0.0, 1.0, 0.0, 0.0, 0.0]
        shares = theatre.national_shares(control, geography.area_share)
        assert shares[1] == pytest.approx(geography.area_share[[big, small]].sum())

    @given(st.integers(0, 2**32 - 1))
    def test_batch_axes_and_total(self, seed):
        rng = np.random.default_rng(seed)
        control = random_control(rng, (3, 2, 14, NF))
        area = rng.random(14) + 0.01
        shares = theatre.national_shares(control, area / area.sum())
        assert shares.shape == (3, 2, NF)
        np.testing.assert_allclose(shares.sum(axis=-1), 1.0)


class TestGeography:
    def test_fourteen_governorates(self, geography):
        assert len(geography.names) == 14
        assert len(set(geography.names)) == 14

    def test_area_matches_the_official_total(self, geography):
        assert geography.area.sum() == pytest.approx(183_879, abs=1.0)
        assert geography.area_share.sum() == pytest.approx(1.0)

    def test_adjacency_is_symmetric_with_no_self_loops(self, geography):
        adj = geography.adjacency
        np.testing.assert_array_equal(adj, adj.T)
        assert np.all(np.diag(adj) == 0)
        assert set(np.unique(adj)) <= {0.0, 1.0}

    def test_damascus_only_borders_rif_dimashq(self, geography):
        row = geography.adjacency[geography.index("damascus")]
        assert [geography.names[g] for g in np.nonzero(row)[0]] == ["rif_dimashq"]

    def test_the_theatre_is_one_connected_network(self, geography):
        import networkx as nx

        assert nx.is_connected(geography.graph())

    def test_weights_sum_to_one(self, geography):
        assert geography.key.sum() == pytest.approx(1.0)
        assert geography.corridor.sum() == pytest.approx(1.0)
        assert np.all(geography.key >= 0) and np.all(geography.corridor >= 0)

    def test_positive_areas_and_populations(self, geography):
        assert np.all(geography.area > 0) and np.all(geography.population > 0)

    def test_border_masks_are_zero_one_over_governorates(self, geography):
        assert "turkey" in geography.borders and "israel" in geography.borders
        for mask in geography.borders.values():
            assert mask.shape == (14,) and set(np.unique(mask)) <= {0.0, 1.0}
        assert geography.borders["turkey"][geography.index("damascus")] == 0.0

    def test_mask_marks_the_named_governorates(self, geography):
        mask = geography.mask(["latakia", "tartus"])
        assert mask.sum() == 2
        assert mask[geography.index("latakia")] == mask[geography.index("tartus")] == 1.0


def test_boundary_calls_the_overload_for_the_arguments_types():
    """`numeric.boundary` gives what the dispatcher gives, for each type it is called with."""
    from typing import NamedTuple

    from sim.numeric import boundary, pairwise_sum

    class Pack(NamedTuple):
        values: np.ndarray

    call = boundary(pairwise_sum)
    floats, ints = np.arange(10.0), np.arange(10)
    for _ in range(2):
        assert call(floats) == pairwise_sum(floats)
        assert call(ints) == pairwise_sum(ints)
        assert call(Pack(floats).values) == pairwise_sum(floats)


class TestRecruited:
    """`theatre._recruited`: a month's recruitment of one force."""

    def patrons_only(self, manpower, patron_recruits, cap=10.0, decay=0.02):
        # a force with no pool of its own (Hezbollah, the militias): only its patrons raise it
        return theatre._recruited(manpower, 0.0, patron_recruits, True, 0.0, cap, 0.0, decay)

    def test_patrons_fighters_are_added_below_the_cap(self):
        assert self.patrons_only(4.0, 1.5) == pytest.approx(5.5)

    def test_patrons_fill_the_force_up_to_its_cap_and_no_further(self):
        assert self.patrons_only(9.5, 1.5) == pytest.approx(10.0)
        assert self.patrons_only(10.0, 1.5) == pytest.approx(10.0)

    def test_a_force_above_its_cap_is_not_cut_by_recruitment(self):
        # a scenario may start a force above its cap; recruitment adds nothing, takes nothing
        assert self.patrons_only(12.0, 1.5) == pytest.approx(12.0)

    def test_without_patrons_a_patron_force_wastes_away(self):
        assert self.patrons_only(10.0, 0.0) == pytest.approx(9.8)

    def test_a_force_with_a_pool_closes_part_of_the_gap_and_adds_patrons_fighters(self):
        # pool 50 of a cap 300 saturates to 300(1 - e^(-1/6)); it closes 10% of the gap to it
        pool = 300.0 * (1.0 - np.exp(-50.0 / 300.0))
        after = theatre._recruited(20.0, 50.0, 2.0, True, 0.0, 300.0, 0.1, 0.0)
        assert after == pytest.approx(20.0 + 0.1 * (pool - 20.0) + 2.0)


def test_hezbollah_in_the_model_never_exceeds_its_cap():
    # the fighters Iran's advisers bring in (iran.actions.advisers_militias.recruits) stop at
    # the record's 7,000-10,000 (params/forces.toml hezbollah.manpower_cap), month after month
    from sim.ensemble import run_one
    from sim.scenario import load_scenario
    from sim.vocabulary import FORCES

    scenario = load_scenario("cooperation_2011_2017")
    cap = scenario.params["hezbollah"]["manpower_cap"]
    series = run_one(scenario, 7).series["manpower"][:, FORCES.index("hezbollah")]
    assert series.max() <= cap + 1e-9
    assert series.max() >= 0.9 * cap  # it is raised to near its cap, not held far below it
