"""Clash risk between two air forces in Syria's sky, and what deconfliction does to it."""

from __future__ import annotations

import numpy as np
import pytest

from sim.theatre import _clash_risk
from sim.vocabulary import ACTIONS, STATES

N, NA = len(STATES), len(ACTIONS)
RUSSIA, US, ISRAEL = STATES.index("russia"), STATES.index("us"), STATES.index("israel")
AIR, DECONFLICTION = ACTIONS.index("air_campaign"), ACTIONS.index("deconfliction")


def risk(russia_deconflicts: bool, us_deconflicts: bool, willing_us: float,
         relation: float = -0.5) -> float:
    portfolios = np.zeros((1, N, NA))
    portfolios[0, [RUSSIA, US], AIR] = 1.0
    portfolios[0, RUSSIA, DECONFLICTION] = float(russia_deconflicts)
    portfolios[0, US, DECONFLICTION] = float(us_deconflicts)
    relations = np.eye(N)
    relations[RUSSIA, US] = relations[US, RUSSIA] = relation
    willing = np.zeros(N)
    willing[US] = willing_us
    return float(_clash_risk(portfolios, relations, 0.4, willing)[0, RUSSIA])


def test_two_hostile_air_forces_without_an_agreement_risk_a_clash():
    assert risk(False, False, 0.0) == pytest.approx(0.9)  # 0.4 - (-0.5)


def test_an_agreement_on_both_sides_removes_it():
    assert risk(True, True, 0.0) == 0.0


def test_seeking_deconfliction_counts_on_a_willing_power_to_answer():
    """Record row 15 and the Oct 2015 memorandum: both came within weeks of Russia's entry."""
    assert risk(True, False, 0.9) == pytest.approx(0.9 * 0.1)
    assert risk(True, False, 0.0) == pytest.approx(0.9)  # it cannot answer: no help
    assert risk(False, False, 0.9) == pytest.approx(0.9)  # nobody asked


def test_friends_do_not_risk_a_clash():
    assert risk(False, False, 0.0, relation=0.6) == 0.0
