"""Israel's strikes in Syria as a rate: how many strikes a month.

The decision kernel chooses whether Israel holds its strike action (`strike_rival`,
sim/decisions.py), weighing it at the strikes it would fly now (`foreseen`); this module
chooses how many strikes it flies in a month it holds it. Israel weighs the threat its strikes
remove (`threat`: Iranian entrenchment and arms to Hezbollah through Syria, weighed more
during a multi-front war) against a cost that rises with the number of strikes, steeper where
Russia's air force is in Syria without a deconfliction agreement with Israel
(`air_defence_risk`); the best number has a closed form (`rate`). The count is drawn
around it (Poisson), goes into the month's `airstrike` event ("12 strikes on militias") and
scales the action's attrition in the fight (`intensity`).

Record 2f: "nearly 100 strikes" 2012 - Aug 2017 (IAF chief) [B]; 24 reported in 2017 to 3 Nov
[C]; 202 strikes Jan 2017 - Sep 2018 (IDF) [B]. Record section 3: after October 2023 "Israeli
strikes in Syria intensify". See docs/sources/israeli_strikes.md.
"""

from __future__ import annotations

import re

import numpy as np

from sim.theatre import Effects
from sim.vocabulary import AIR_CAMPAIGN, HEZBOLLAH, IRAN, ISRAEL, MILITIAS, RUSSIA, STRIKE, R

# Strikes a month at which Israel's strike action does what params/actors.toml
# [israel.actions.strike_rival] says. Its attrition was hand-set on the train targets when the
# action was one strike event a month it was held, so the effect it carries is that of the
# train window's tempo: "nearly 100 strikes" 2012 - Aug 2017 (record 2f [B]), 100 in 68 months.
REFERENCE_RATE = 100.0 / 68.0

_COUNT = re.compile(r"^(\d+) strikes? on ")


def axis_strength(manpower: np.ndarray, morale: np.ndarray, owner: np.ndarray,
                  availability: np.ndarray) -> float:
    """The forces Iran fields in Syria now (its militias and Hezbollah), in ready fighters
    (thousands, times morale), as far as they are in Syria (another war draws them as it draws
    Iran's assets): the entrenchment Israel fears, its presence and not its fighters' quality
    (as `payoffs._axis_strength` reads it off a projection; docs/decisions.md D23)."""
    strength = 0.0
    for force in (MILITIAS, HEZBOLLAH):
        present = max(1.0 - owner[IRAN, force] * (1.0 - availability[IRAN]), 0.0)
        strength += manpower[force] * morale[force] * present
    return strength


def threat(axis: float, corridor_hold: float, israel: dict, sp: dict) -> float:
    """What Israel's strikes act on: Iranian entrenchment, the axis's strength over
    `entrenchment_reference` and capped as in Israel's survival term
    (`payoffs._threat_israel`; seed 003: "an existential threat"), and arms to Hezbollah
    through Syria, the share of the land corridor to Lebanon the Assad government holds,
    weighted `arms` (record row 8: the first strike was on a convoy of Iranian arms to
    Hezbollah)."""
    entrenchment = min(max(axis / israel["entrenchment_reference"], 0.0),
                       israel["entrenchment_cap"])
    return entrenchment + sp["arms"] * corridor_hold


def air_defence_risk(russian_air: float, agreement: float) -> float:
    """How exposed Israel's aircraft are to Russian air defence: Russia's air force in Syria
    (its air campaign, as far as its assets are there) without a deconfliction agreement with
    Israel (record row 15: the Netanyahu-Putin mechanism of 21 Sep 2015; record section 3:
    "Russia coordinates with Israel")."""
    return min(max(russian_air, 0.0), 1.0) * (1.0 - min(max(agreement, 0.0), 1.0))


def rate(threat_now: float, salience: float, risk: float, sp: dict) -> float:
    """The strikes a month that maximise the threat removed less the strikes' cost. Each
    strike removes threat worth `salience` times the threat (the survival term's weight this
    month over its usual weight: the `gaza_war` shock, a multi-front war) and costs
    `threshold` of it (the aircraft, the munitions, the risk of escalation); the cost also
    rises with the number, by 1/`gain` a strike, steeper by `air_defence` times the risk from
    Russian air defence. The best number of

        (salience * threat - threshold) * r - r^2 (1 + air_defence * risk) / (2 gain)

    is `gain * max(salience * threat - threshold, 0) / (1 + air_defence * risk)`."""
    margin = max(salience * threat_now - sp["threshold"], 0.0)
    return sp["gain"] * margin / (1.0 + sp["air_defence"] * risk)


def intensity(count: int) -> float:
    """How hard the month's strikes hit, as the share of the strike action's effect at
    `REFERENCE_RATE` (the portfolio entry the fight scales the action's attrition by)."""
    return count / REFERENCE_RATE


def detail(count: int | None, target: str) -> str | None:
    """The `airstrike` event's detail: "12 strikes on militias" for a counted state (none
    when its count is 0: no event), "strikes on militias" for a state whose strikes are not
    counted (`count` None)."""
    if count is None:
        return f"strikes on {target}"
    if count <= 0:
        return None
    return f"{count} strike{'s' if count != 1 else ''} on {target}"


def count_of(event_detail: str) -> int:
    """How many strikes an `airstrike` event's detail reports: its leading count, or one
    for an event without a count (a state whose strikes are not counted)."""
    found = _COUNT.match(event_detail or "")
    return int(found.group(1)) if found else 1


def rate_now(joint: np.ndarray, manpower: np.ndarray, morale: np.ndarray,
             owner: np.ndarray, availability: np.ndarray,
             control: np.ndarray, corridor: np.ndarray, agreements: np.ndarray,
             salience: float, government: int, params: dict) -> float:
    """The strikes a month Israel would fly in this war (`rate`), under the joint portfolio
    (N, A) that says where Russia's aircraft are."""
    sp = params["strikes"]
    corridor_hold = float(corridor @ control[:, R]) if government == R else 0.0
    threat_now = threat(axis_strength(manpower, morale, owner, availability),
                        corridor_hold, params["israel"], sp)
    russian_air = float(joint[RUSSIA, AIR_CAMPAIGN] * availability[RUSSIA])
    risk = air_defence_risk(russian_air, float(agreements[ISRAEL, RUSSIA]))
    return rate(threat_now, salience, risk, sp)


def foreseen(fx: Effects, expected: float, into: Effects | None = None) -> Effects:
    """The action effects as Israel weighs holding its strike action: at the strikes a month
    it would fly now (`rate_now`), not at `REFERENCE_RATE`, so that what it expects of the
    action is what the month gives (the projection runs the month's kernels). `fx` is never
    changed. `into`, a pack this function returned for the same `fx`, is rewritten in place
    and returned (the model keeps one a government, so that the decision kernel is not handed
    a new pack to fingerprint every month); a new pack otherwise."""
    if into is None:
        into = fx._replace(attrition=fx.attrition.copy())
    into.attrition[ISRAEL, STRIKE] = fx.attrition[ISRAEL, STRIKE] * (expected / REFERENCE_RATE)
    return into


def month(joint: np.ndarray, manpower: np.ndarray, morale: np.ndarray,
          owner: np.ndarray, availability: np.ndarray, control: np.ndarray,
          corridor: np.ndarray, agreements: np.ndarray, salience: float, government: int,
          params: dict, rng: np.random.Generator) -> tuple[int, float, np.ndarray]:
    """Israel's strikes this month under the joint portfolio as it fights (N, A): the count
    (0 where Israel does not hold its strike action; a Poisson draw from `rng` around `rate`
    where it does), the rate, and the joint portfolio with Israel's strike entry at the
    count's `intensity` (the same array when nothing changes)."""
    if not joint[ISRAEL, STRIKE]:
        return 0, 0.0, joint
    expected = rate_now(joint, manpower, morale, owner, availability, control,
                        corridor, agreements, salience, government, params)
    count = int(rng.poisson(expected)) if expected > 0.0 else 0
    fighting = joint.copy()
    fighting[ISRAEL, STRIKE] *= intensity(count)
    return count, expected, fighting
