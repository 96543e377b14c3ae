"""Diplomacy: talks and ceasefires, deconfliction agreements, UN drafts and vetoes.

`Diplomacy` carries what diplomacy remembers from month to month and plays the month's
diplomacy (`Diplomacy.month`); what it reads off the war is a compiled kernel
(`_diplomacy_state`: the ceasefire level, `theatre._ceasefire_level`; the agreements; the
opposition's force ratio on its fronts, `_front_ratio`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numba import njit

from sim.numeric import pairwise_sum
from sim.theatre import FORCE_PATRON, TheatreParams, _ceasefire_level
from sim.vocabulary import (
    AIR,
    AIR_CAMPAIGN,
    DECONFLICTION,
    DIPLOMATIC_COVER,
    GROUND,
    NEGOTIATION,
    PAIRS,
    RUSSIA,
    SANCTIONS,
    STATES,
    STRIKE,
    SYRIA,
    US,
    O,
    R,
)


def talks_format(negotiating: np.ndarray | list[float]) -> str:
    parties = {STATES[n] for n in range(len(negotiating)) if negotiating[n]}
    if {"russia", "iran", "turkey"} <= parties:
        return "astana"
    if {"russia", "us"} <= parties:
        return "geneva"
    return "talks"


@njit(cache=True, error_model="numpy")
def _front_ratio(control, local_power, neighbour_mean, presence):
    """The opposition's local power over the regime's on the opposition's fronts: the
    governorates where it holds ground or borders ground it holds (above `presence`)."""
    g_count = control.shape[0]
    opposition = np.empty(g_count)
    regime = np.empty(g_count)
    count = 0
    for g in range(g_count):
        near = 0.0
        for h in range(g_count):
            near += neighbour_mean[g, h] * control[h, O]
        if control[g, O] > presence or near > presence:
            opposition[count] = local_power[g, O]
            regime[count] = local_power[g, R]
            count += 1
    return pairwise_sum(opposition[:count]) / max(pairwise_sum(regime[:count]), 1e-9)


@njit(cache=True, error_model="numpy")
def _diplomacy_state(joint, government, control, local_power, neighbour_mean, ceasefire,
                     front_presence):
    """What diplomacy reads off the month: how far a ceasefire holds (`_ceasefire_level`),
    the deconfliction agreements (N, N) between states in the same sky that are willing to
    deconflict, and the opposition's force ratio on its fronts (`_front_ratio`)."""
    n_count, a_count = joint.shape
    level = _ceasefire_level(joint.copy().reshape((1, n_count, a_count)), government,
                             ceasefire)[0]
    willing = np.empty(n_count)
    for n in range(n_count):
        active = 0.0
        for a in range(a_count):
            if AIR[a]:
                active = max(active, joint[n, a])
        willing[n] = joint[n, DECONFLICTION] * active
    agreements = np.empty((n_count, n_count))
    for i in range(n_count):
        for j in range(n_count):
            agreements[i, j] = 0.0 if i == j else willing[i] * willing[j]
    return level, agreements, _front_ratio(control, local_power, neighbour_mean, front_presence)


@dataclass
class Diplomacy:
    """What diplomacy carries from month to month: who is in talks, how far a ceasefire holds,
    the deconfliction agreements (N, N), the pressure of resolutions adopted at the UN, and the
    vetoes cast so far."""

    negotiating: np.ndarray
    ceasefire: float
    agreements: np.ndarray
    un_pressure: float
    vetoes: int

    def month(self, joint: np.ndarray, government: int, control: np.ndarray,
              local_power: np.ndarray, tp: TheatreParams, atrocity: float,
              params: dict, rng: np.random.Generator, event: Callable[..., None]) -> float:
        """The month's diplomacy under the joint portfolio (N, A): talks, a ceasefire,
        deconfliction agreements, strikes announced, a Western draft at the Security Council
        (vetoed if Russia gives cover; one draw from `rng` while the regime stands). Events
        go to `event(actor, event, target, detail)`. Returns the opposition's force ratio on
        its fronts (`_front_ratio`)."""
        rows = joint.tolist()
        negotiating = joint[:, NEGOTIATION]
        talking = negotiating.tolist()
        before = self.negotiating.tolist()
        un = params["un"]
        n_count = len(STATES)

        # talks: a state joining talks names its partners and the format
        for n in range(n_count):
            if talking[n] * (1.0 - before[n]):
                partners = [STATES[m] for m in range(n_count) if talking[m] and m != n]
                event(STATES[n], "negotiation", "+".join(partners), talks_format(talking))
        self.negotiating = negotiating

        level, agreements, ratio = _diplomacy_state(joint, government, control, local_power,
                                                    tp.neighbour_mean, tp.ceasefire,
                                                    tp.front_presence)

        # a regime-opposition ceasefire needs someone to speak for each side
        if level >= params["ceasefire"]["holds"] > self.ceasefire:
            event("russia" if talking[RUSSIA] else "syria", "ceasefire", "opposition",
                  talks_format(talking))
        self.ceasefire = level

        # deconfliction agreements between militaries in the same sky
        had, now = self.agreements.tolist(), agreements.tolist()
        for i, j in PAIRS:
            if now[i][j] and not had[i][j]:
                event(STATES[i], "deconfliction", STATES[j], "")
        self.agreements = agreements

        # strikes on a rival's assets
        for n in range(n_count):
            if rows[n][STRIKE]:
                targets = params[STATES[n]]["strike_targets"]
                if targets:
                    main = max(targets, key=targets.get)
                    event(STATES[n], "airstrike", FORCE_PATRON[main], f"strikes on {main}")

        # a Western draft at the Security Council: vetoed if Russia gives cover
        self.un_pressure *= un["pressure_fade"]
        if government == R:
            us, syria, russia = rows[US], rows[SYRIA], rows[RUSSIA]
            pressure = max(us[DIPLOMATIC_COVER], un["sanctions_pressure"] * us[SANCTIONS])
            atrocity = min(1.0, syria[GROUND] + un["air_atrocity"] * syria[AIR_CAMPAIGN]
                           + un["air_atrocity"] * russia[AIR_CAMPAIGN] + atrocity)
            chance = un["draft_rate"] * pressure * atrocity * un["atrocity_weight"]
            if rng.random() < min(chance, 1.0):
                if russia[DIPLOMATIC_COVER]:
                    self.vetoes += 1
                    event("russia", "veto", "us", f"draft {self.vetoes}")
                else:
                    event("us", "resolution", "syria", "adopted without a veto")
                    self.un_pressure += un["resolution_pressure"]
        return ratio
