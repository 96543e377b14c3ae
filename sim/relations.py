"""Relations between the states: the cooperation index, and the danger the patrons remember.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit

from sim import payoffs
from sim.numeric import boundary
from sim.vocabulary import (
    FINANCIAL_AID,
    FORCES,
    IRAN,
    MILITARY,
    NEGOTIATION,
    SANCTIONS,
    STRIKE,
    R,
)

RELATION_WEIGHTS = ("rate", "joint_support", "opposing_support", "joint_talks", "deconfliction",
                    "strikes", "tolerance", "competition", "common_rival", "sanctions", "memory")


class RelationParams(NamedTuple):
    """The relations' parameters as the kernels read them (`from_params`): the signals'
    weights (`relations.*` in params/model.toml), Syria's collapse thresholds, what influence
    reads (the dependence floor changes after the fall: `_replace`), the factions' hostility
    and how fast a lived danger fades (`relations.danger_memory`)."""

    rate: float
    joint_support: float
    opposing_support: float
    joint_talks: float
    deconfliction: float
    strikes: float
    tolerance: float
    competition: float
    common_rival: float
    sanctions: float
    memory: float
    collapse_key: float
    collapse_morale: float
    collapse_steepness: float
    geo_weights: np.ndarray
    area_share: np.ndarray
    threat_params: np.ndarray  # Syria's `payoffs.threat_vector`, at no alarm
    dependence_floor: float
    capital_weight: float
    capital_holds: float
    hostility: np.ndarray  # (F, F)
    danger_fade: float
    safe_patron_weight: float  # joint support of the government counts this plus its risk
    backer_share: float  # share of the government's power that makes a state its backer
    collapse_morale_weight: float  # morale's weight in the collapse risk (`payoffs._collapse_risk`)

    @classmethod
    def from_params(cls, params: dict, geo: payoffs.Geo, hostility: np.ndarray
                    ) -> RelationParams:
        rel, collapse = params["relations"], payoffs.collapse_params(params)
        memory = float(rel["danger_memory"])
        return cls(
            *(float(rel[k]) for k in RELATION_WEIGHTS),
            *(float(collapse[k]) for k in ("collapse_key", "collapse_morale",
                                           "collapse_steepness")),
            geo_weights=geo.weights,
            area_share=np.ascontiguousarray(geo.area_share, dtype=float),
            threat_params=payoffs.threat_vector({**params["syria"], **collapse, "alarm": 0.0}),
            dependence_floor=float(params["theatre"]["dependence_floor"]),
            capital_weight=float(params["theatre"]["capital_weight"]),
            capital_holds=float(params["theatre"]["capital_holds"]), hostility=hostility,
            danger_fade=math.exp(-1.0 / memory) if memory > 0 else 0.0,
            safe_patron_weight=float(params["signals"]["safe_patron_weight"]),
            backer_share=float(params["signals"]["backer_share"]),
            collapse_morale_weight=float(collapse["collapse_morale_weight"]))


@njit(cache=True, error_model="numpy")
def _relations(rp, contribution, joint, relations, anchor, agreements, risk, government, targets):
    """The cooperation index (N, N) after a month: it moves at `rate` towards the tanh of what
    the month's behaviour signals, and returns to standing alignments (`anchor`, `memory`).

    Signals: backing the same side (weighed less on the government's side the safer it is:
    patrons of a safe government compete, seed 003 "competition over reconstruction"),
    backing factions at war with each other, the same talks on the war (while the regime
    stands), deconfliction agreements,
    strikes on what the other owns or backs (the strike targets, in order), deconflicting
    with a state that strikes a partner's assets (seed 001: "Russia's lack of a clear and
    serious reaction to Israel's attacks"), sanctions on the government the other backs, and
    being active in Syria against the same great-power rival.
    """
    hostility, rate, joint_support = rp.hostility, rp.rate, rp.joint_support
    opposing_support, joint_talks = rp.opposing_support, rp.joint_talks
    deconfliction, strikes, tolerance = rp.deconfliction, rp.strikes, rp.tolerance
    competition, common_rival = rp.competition, rp.common_rival
    sanctions, memory = rp.sanctions, rp.memory
    target_state, target_faction = targets.state, targets.faction
    target_weight, target_owned_by_iran = targets.weight, targets.owned_by_iran
    n_count, f_count = contribution.shape
    share = np.empty((n_count, f_count))
    for f in range(f_count):
        total = 0.0
        for n in range(n_count):
            total += contribution[n, f]
        for n in range(n_count):
            share[n, f] = contribution[n, f] / max(total, 1e-9) if total > 1e-9 else 0.0
    weight = np.ones(f_count)
    weight[government] = rp.safe_patron_weight + risk
    # talks bind the states in them while they are talks on the war, Astana-type, between the
    # regime and its armed opponents; a successor government each state deals with on its own
    # account (record section 3: "Russia deals with the new government on its own account")
    talks = joint_talks if government == R else 0.0

    # strikes on what another state owns or backs
    hits = np.zeros((n_count, n_count))
    for t in range(len(target_state)):
        n = target_state[t]
        if joint[n, STRIKE] == 0.0:
            continue
        for m in range(n_count):
            hits[n, m] += target_weight[t] * share[m, target_faction[t]]
        if target_owned_by_iran[t] and government == R:
            hits[n, IRAN] += target_weight[t]
    for n in range(n_count):
        for m in range(n_count):
            hits[n, m] = min(hits[n, m], 1.0)

    active = np.empty(n_count)
    for n in range(n_count):
        military = 0.0
        for a in range(joint.shape[1]):
            if MILITARY[a]:
                military = max(military, joint[n, a])
        active[n] = min(max(military + joint[n, FINANCIAL_AID], 0.0), 1.0)

    signal = np.empty((n_count, n_count))
    for i in range(n_count):
        for j in range(n_count):
            both = 0.0
            for f in range(f_count):
                both += np.sqrt(share[i, f] * share[j, f]) * weight[f]
            rivalry = np.sqrt(share[i, government] * share[j, government])
            opposing_ij = 0.0
            opposing_ji = 0.0
            for f in range(f_count):
                for g in range(f_count):
                    opposing_ij += share[i, f] * hostility[f, g] * share[j, g]
                    opposing_ji += share[j, f] * hostility[f, g] * share[i, g]
            tolerated_ij = 0.0
            tolerated_ji = 0.0
            for k in range(n_count):
                tolerated_ij += agreements[i, k] * hits[k, j]
                tolerated_ji += agreements[j, k] * hits[k, i]
            tolerated_ij *= min(max(relations[i, j], 0.0), 1.0)
            tolerated_ji *= min(max(relations[j, i], 0.0), 1.0)
            sanctions_ij = sanctions * (joint[i, SANCTIONS] * (
                1.0 if share[j, government] > rp.backer_share else 0.0))
            sanctions_ji = sanctions * (joint[j, SANCTIONS] * (
                1.0 if share[i, government] > rp.backer_share else 0.0))
            shared_rival = 0.0
            for r in range(n_count):
                shared_rival += (min(max(-relations[i, r], 0.0), 1.0)
                                 * min(max(-relations[j, r], 0.0), 1.0))
            signal[i, j] = (
                joint_support * both
                - competition * rivalry * (1.0 - risk)
                - (opposing_support * opposing_ij + opposing_support * opposing_ji)
                + talks * (joint[i, NEGOTIATION] * joint[j, NEGOTIATION])
                + deconfliction * agreements[i, j]
                - strikes * (hits[i, j] + hits[j, i])
                - tolerance * (tolerated_ij + tolerated_ji)
                - (sanctions_ij + sanctions_ji)
                + common_rival * (shared_rival / n_count) * (active[i] * active[j])
                + memory * anchor[i, j])
    out = np.empty((n_count, n_count))
    for i in range(n_count):
        for j in range(n_count):
            if i == j:
                out[i, j] = 1.0
            else:
                moved = relations[i, j] + rate * (np.tanh(signal[i, j]) - relations[i, j])
                out[i, j] = min(max(moved, -1.0), 1.0)
    return out


@njit(cache=True, error_model="numpy")
def _influence_now(rp, control, power, contribution, morale, government, relations):
    """Each state's influence (N,) in the war as it stands: `payoffs._influence` with the
    government's need of its patrons from its threat now (at no alarm)."""
    geo_weights, area_share, threat_params = rp.geo_weights, rp.area_share, rp.threat_params
    dependence_floor, capital_weight = rp.dependence_floor, rp.capital_weight
    g_count, f_count = control.shape
    n_count = contribution.shape[0]
    control_now = control.copy().reshape((1, g_count, f_count))
    power_now = power.copy().reshape((1, f_count))
    rolled, share = payoffs._indicators(control_now, power_now, geo_weights,
                                        payoffs.THREAT_READS)
    threat = payoffs._threat_syria(rolled, share, np.full(1, morale),
                                   np.zeros((1, len(FORCES))), government, relations,
                                   threat_params)
    need = payoffs._dependence(threat, dependence_floor)
    return payoffs._influence(control_now, area_share,
                              contribution.copy().reshape((1, n_count, f_count)), power_now,
                              government, capital_weight, need, rp.capital_holds,
                              np.ones((1, n_count), dtype=np.bool_))[0]


@njit(cache=True, error_model="numpy")
def _month_end(rp, contribution, joint, relations, anchor, agreements, key_share, regime_morale,
               government, danger, control, power, targets):
    """The month's end: relations move (`_relations`, patrons of a government at risk of
    collapse competing less: `payoffs._collapse_risk`), and each state's influence now
    (`_influence_now`). Returns the relations, the influence and the danger the patrons
    remember."""
    risk = 0.0
    if government == R:
        risk = payoffs._collapse_risk(key_share, regime_morale, rp.collapse_key,
                                      rp.collapse_morale, rp.collapse_steepness,
                                      rp.collapse_morale_weight)
    risk = max(risk, danger * rp.danger_fade)  # a danger the patrons lived through fades slowly
    moved = _relations(rp, contribution, joint, relations, anchor, agreements, risk, government,
                       targets)
    return moved, _influence_now(rp, control, power, contribution, regime_morale, government,
                                 moved), risk


month_end = boundary(_month_end)  # the month's end as Python calls it (`numeric.boundary`)
