"""The Security Council (`sim/diplomacy.py`, `Diplomacy.security_council`): the West chooses a
draft and its type, Russia weighs each veto. The terms are checked one by one on hand-made
states; a few short runs check what they do in the model (the types in the events, one run per
seed)."""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest

from sim.diplomacy import (
    DRAFT_TYPES,
    Diplomacy,
    draft_salience,
    russia_stake,
    russia_vetoes,
    tabled,
    veto_standing,
    western_gain,
)
from sim.model import SyriaModel
from sim.params import DraftType, load_defaults
from sim.scenario import load_scenario
from sim.vocabulary import (
    ACTIONS,
    AIR_CAMPAIGN,
    DIPLOMATIC_COVER,
    FACTIONS,
    GROUND,
    RUSSIA,
    SANCTIONS,
    STATES,
    SYRIA,
    US,
    O,
    R,
)

KIND = {name: k for k, name in enumerate(DRAFT_TYPES)}


@pytest.fixture
def un() -> dict:
    return load_defaults()["un"]


def test_the_types_are_the_parameters_types(un):
    assert set(DRAFT_TYPES) == set(DraftType.__args__) == set(un["harm"]) == set(un["china"])


def test_russia_vetoes_sanctions_but_lets_a_condemnation_pass_when_its_stake_is_small(un):
    small, large = 0.4, 1.0
    assert russia_vetoes(KIND["sanctions"], 1.0, small, 0, 0.0, un)
    assert not russia_vetoes(KIND["condemnation"], 1.0, small, 0, 0.0, un)
    # with its full stake in the regime Russia blocks even a condemnation
    assert russia_vetoes(KIND["condemnation"], 1.0, large, 0, 0.0, un)
    # and with none at stake it blocks nothing
    assert not any(russia_vetoes(k, 1.0, 0.0, 0, 1.0, un) for k in range(len(DRAFT_TYPES)))


def test_a_higher_standing_cost_lowers_the_veto_rate(un):
    grid = [(k, s, st) for k in range(len(DRAFT_TYPES)) for s in np.linspace(0.1, 1.0, 10)
            for st in np.linspace(0.05, 1.0, 20)]

    def rate(standing: float) -> float:
        p = {**un, "veto_standing": standing}
        return np.mean([russia_vetoes(k, s, st, 2, 0.0, p) for k, s, st in grid])

    rates = [rate(x) for x in (0.2, 0.5, 1.0, 2.0)]
    assert all(a > b for a, b in itertools.pairwise(rates)), rates


def test_the_standing_cost_rises_with_the_atrocity_and_the_vetoes_and_falls_with_china(un):
    k = KIND["humanitarian"]
    assert veto_standing(k, 1.0, 0, 0.0, un) > veto_standing(k, 0.5, 0, 0.0, un)
    assert veto_standing(k, 1.0, 5, 0.0, un) > veto_standing(k, 1.0, 0, 0.0, un)
    assert veto_standing(k, 1.0, 0, 1.0, un) < veto_standing(k, 1.0, 0, 0.0, un)
    # China co-vetoed every sanctions draft and no chemical one: a sanctions veto costs less
    assert (veto_standing(KIND["sanctions"], 1.0, 0, 0.0, un)
            < veto_standing(KIND["chemical"], 1.0, 0, 0.0, un))


def test_the_wests_gain_grows_with_hostility_and_fades_with_repeats(un):
    k = KIND["sanctions"]
    floor = un["hostility_floor"]
    assert western_gain(k, 1.0, True, 0, floor, 0, 1.0, un) < 0.0  # no hostility past the floor
    gains = [western_gain(k, 1.0, True, 0, h, 0, 1.0, un) for h in (0.4, 0.6, 0.8)]
    assert gains[0] < gains[1] < gains[2]
    assert western_gain(k, 1.0, True, 1, 0.8, 0, 1.0, un) < gains[2]
    # a vetoed draft is still worth tabling: the shaming of Russia
    assert gains[2] > 0.0


def test_salience_needs_the_atrocity_of_its_type(un):
    quiet = draft_salience(0.0, 0.0, 0.0, 1.0, 100.0, un)
    assert quiet == [0.0] * len(DRAFT_TYPES)
    crackdown = draft_salience(1.0, 0.0, 0.0, 0.0, 0.0, un)
    assert crackdown[KIND["condemnation"]] == 1.0 and crackdown[KIND["chemical"]] == 0.0
    assert crackdown[KIND["sanctions"]] == 0.0  # no US sanctions in force
    assert crackdown[KIND["accountability"]] == 0.0  # no toll yet
    assert draft_salience(0.0, 0.0, 1.0, 0.0, 0.0, un)[KIND["chemical"]] == 1.0


def test_one_draw_picks_whether_and_which_type():
    gains = [0.0, 1.0, 0.0, 1.0, 0.0]
    assert tabled(gains, 0.1, 0.5) == 1
    assert tabled(gains, 0.6, 0.5) == 3
    assert tabled([0.1] * 5, 0.9, 0.5) is None  # 0.5 x 0.5 summed gain: no draft this month
    assert tabled([0.0] * 5, 0.0, 0.5) is None


def _council(un: dict, opposition: float, draw: float = 0.0, cover: float = 1.0,
             russia_syria: float = 0.5, offensive: float = 0.0, sanctions: float = 0.0,
             russian_air: float = 0.0):
    """One month at the Council on a hand-made state: the opposition holds `opposition` of
    every governorate, the regime's ground offensive and the US's sanctions as given, the US
    hostile, Russia giving cover; returns the Diplomacy and the events."""
    rows = np.zeros((len(STATES), len(ACTIONS)))
    rows[RUSSIA, DIPLOMATIC_COVER] = cover
    rows[SYRIA, GROUND] = offensive
    rows[US, SANCTIONS] = sanctions
    rows[RUSSIA, AIR_CAMPAIGN] = russian_air
    control = np.zeros((3, len(FACTIONS)))
    control[:, R], control[:, O] = 1.0 - opposition, opposition
    relations = np.eye(len(STATES))
    relations[US, SYRIA] = relations[SYRIA, US] = -0.8
    relations[RUSSIA, SYRIA] = relations[SYRIA, RUSSIA] = russia_syria
    talks = Diplomacy(negotiating=np.zeros(len(STATES)), ceasefire=0.0,
                      agreements=np.zeros((len(STATES),) * 2), un_pressure=0.0, vetoes=0)
    events = []
    talks.security_council(rows.tolist(), control, np.ones(3), 0.0, relations, un, draw,
                           lambda *e: events.append(e))
    return talks, events


def test_no_draft_while_there_is_no_atrocity(un):
    _, events = _council(un, opposition=0.0)
    assert events == []
    talks, events = _council(un, opposition=0.3)  # the uprising holds ground: a crackdown
    assert events == [("russia", "veto", "us", "draft 1: condemnation")]
    assert talks.vetoes == 1 and talks.drafts[KIND["condemnation"]] == 1


def test_an_adopted_sanctions_draft_adds_economic_pressure_a_condemnation_none(un):
    talks, events = _council(un, opposition=0.3, russia_syria=0.0)  # Russia has no stake
    assert events == [("us", "resolution", "syria", "adopted without a veto: condemnation")]
    assert talks.vetoes == 0 and talks.un_pressure == 0.0
    # a regime offensive with US sanctions in force and no uprising holding ground
    talks, events = _council(un, opposition=0.0, russia_syria=0.0, offensive=1.0, sanctions=1.0)
    assert events == [("us", "resolution", "syria", "adopted without a veto: sanctions")]
    assert talks.un_pressure == pytest.approx(un["resolution_pressure"])
    # the same draft with Russia's stake in the regime at its pre-war level: vetoed
    talks, events = _council(un, opposition=0.0, offensive=1.0, sanctions=1.0)
    assert events == [("russia", "veto", "us", "draft 1: sanctions")]
    assert talks.un_pressure == 0.0


def test_russias_own_forces_raise_its_stake(un):
    assert russia_stake(0.4, 0.0, un) == 0.4
    assert russia_stake(0.4, 1.0, un) == pytest.approx(0.4 + un["own_forces"])
    assert russia_stake(-0.3, 0.0, un) == 0.0  # a hostile Damascus is no stake
    assert un["own_forces"] > 0.0  # as shipped


def test_a_draft_on_an_offensive_russia_flies_in_is_vetoed_one_on_its_client_alone_passes(un):
    """A humanitarian draft (a ceasefire that halts the offensives) at full salience, Russia's
    relations with the regime weak: let pass while Russia's forces stay home, vetoed once they
    fight beside the regime (record: S/2016/846 and S/2016/1026 on Aleppo)."""
    kind = KIND["humanitarian"]
    assert not russia_vetoes(kind, 1.0, russia_stake(0.1, 0.0, un), 0, 0.0, un)
    assert russia_vetoes(kind, 1.0, russia_stake(0.1, 1.0, un), 0, 0.0, un)


def test_in_the_council_russias_air_campaign_turns_a_pass_into_a_veto(un):
    """The same month at the Council, Russia's relations with Damascus at nothing: the draft
    the West tables passes; with Russia's air campaign ordered in, it is vetoed."""
    _, events = _council(un, opposition=0.3, russia_syria=0.0)
    assert events == [("us", "resolution", "syria", "adopted without a veto: condemnation")]
    _, events = _council(un, opposition=0.3, russia_syria=0.0, russian_air=1.0)
    assert events == [("russia", "veto", "us", "draft 1: condemnation")]


def test_offensives_and_air_raids_bring_humanitarian_drafts(un):
    salience = draft_salience(0.0, 1.0, 0.0, 0.0, 0.0, un)
    assert salience[KIND["humanitarian"]] == 1.0 and salience[KIND["condemnation"]] == 0.0


def _events(seed: int) -> list[tuple]:
    model = SyriaModel(load_scenario("cooperation_2011_2017", ["end=2014-12"]), rng=seed)
    while model.running:
        model.step()
    return [e for e in model.events if e[2] in ("veto", "resolution")]


def test_same_seed_same_drafts_and_the_types_are_in_the_events():
    first = _events(1)
    assert first == _events(1)
    assert first, "no draft at all in 2011-2014"
    pattern = re.compile(r"draft (\d+): (" + "|".join(DRAFT_TYPES) + ")$")
    vetoes = [e for e in first if e[2] == "veto"]
    assert [int(pattern.match(e[4]).group(1)) for e in vetoes] == list(range(1, len(vetoes) + 1))
    adopted = [e for e in first if e[2] == "resolution"]
    assert all(e[4].split(": ")[1] in DRAFT_TYPES for e in adopted)



def test_in_the_model_a_higher_standing_cost_means_fewer_vetoes_and_more_adopted():
    def counts(standing: float) -> tuple[int, int]:
        vetoes = adopted = 0
        for seed in range(8):
            model = SyriaModel(load_scenario("cooperation_2011_2017", [
                "end=2014-12", f"un.veto_standing={standing}"]), rng=seed)
            while model.running:
                model.step()
            vetoes += model.talks.vetoes
            adopted += sum(e[2] == "resolution" for e in model.events)
        return vetoes, adopted

    (cheap_vetoes, cheap_adopted), (dear_vetoes, dear_adopted) = counts(0.5), counts(3.0)
    assert dear_vetoes < cheap_vetoes and dear_adopted > cheap_adopted
