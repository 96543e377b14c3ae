"""The cooperation index: patrons of a government that was in danger keep cooperating while the
danger they lived through fades (`relations.danger_memory`), and compete for it once it has."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.model import SyriaModel
from sim.scenario import load_scenario
from sim.vocabulary import FACTIONS, A, S

IRAN, RUSSIA = S["iran"], S["russia"]
REGIME = FACTIONS.index("regime")


def after_a_month(danger: float, sets=()) -> tuple[float, float, SyriaModel]:
    """Iran-Russia cooperation and the patrons' danger after one month's update, from the same
    state of a run in which both back a safe regime (2017), with `danger` lived through."""
    model = SyriaModel(load_scenario("competition_2017_2024", list(sets)), rng=0)
    model.step()
    model.contribution[RUSSIA, REGIME] = model.contribution[IRAN, REGIME]  # both back Assad
    assert model.contribution[IRAN, REGIME] > 0
    model._danger = danger
    model.update_relations()
    return float(model.relations[IRAN, RUSSIA]), float(model._danger), model


def test_a_danger_lived_through_holds_the_patrons_together():
    calm, _, _ = after_a_month(0.0)
    shaken, _, _ = after_a_month(0.9)
    assert shaken > calm


def test_the_danger_fades_at_the_memory_s_pace_unless_the_present_one_is_larger():
    _, now, model = after_a_month(0.0)
    memory = model.params["relations"]["danger_memory"]
    assert memory > 0
    _, held, _ = after_a_month(0.9)
    assert held == pytest.approx(max(now, 0.9 * math.exp(-1.0 / memory)))
    assert now < 0.9 * math.exp(-1.0 / memory)  # the regime is safe in 2017: memory decides


def test_without_memory_only_the_present_danger_counts():
    calm, now, _ = after_a_month(0.0, ["relations.danger_memory=0"])
    shaken, held, _ = after_a_month(0.9, ["relations.danger_memory=0"])
    assert held == now and shaken == calm


def test_the_index_stays_in_bounds_and_symmetric_in_what_it_reads():
    _, _, model = after_a_month(0.9)
    assert np.all(np.abs(model.relations) <= 1.0)
    assert np.allclose(np.diag(model.relations), 1.0)


def talks_effect(fallen: bool) -> float:
    """How far Iran and Russia both being in talks moves their cooperation in one month, with
    the regime standing or fallen (all else the same)."""
    moved = []
    for talking in (0.0, 1.0):
        model = SyriaModel(load_scenario("competition_2017_2024"), rng=0)
        model.step()
        if fallen:
            model.government = FACTIONS.index("successor")
        model._joint = model._joint.copy()
        model._joint[[IRAN, RUSSIA], A["negotiation"]] = talking
        model.update_relations()
        moved.append(float(model.relations[IRAN, RUSSIA]))
    return moved[1] - moved[0]


def test_talks_on_the_war_bind_the_patrons_only_while_the_regime_stands():
    assert talks_effect(fallen=False) > 0.0
    assert talks_effect(fallen=True) == 0.0  # each deals with the successor on its own account
