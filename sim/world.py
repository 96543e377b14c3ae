"""What a joint portfolio of the six states does to the war: one function for the month itself
and for the projections states make when they weigh their options.

A joint portfolio is an array (K, N, A): K alternatives, N states, A actions (0/1). Effects of
actions are tensors built once from the actor parameters (`ActionEffects`). Each mechanism is a
compiled kernel on plain arrays (`_evaluate`, `_intensity`, `_ceasefire_level`, `_clash_risk`,
and `_situation`, which projects a whole batch of portfolios in one call); `World` holds the
arguments they take that are fixed for a run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from sim import payoffs, theatre
from sim.numeric import pairwise_sum
from sim.vocabulary import (
    ACTIONS,
    AIR_CAMPAIGN,
    DECONFLICTION,
    FACTIONS,
    FORCES,
    IRAN,
    NEGOTIATION,
    REGIME_FORCE,
    RUSSIA,
    STATES,
    STRIKE,
    SYRIA,
    TURKEY,
    US,
    O,
    R,
)

N, A, F, FO = len(STATES), len(ACTIONS), len(FACTIONS), len(FORCES)


@dataclass
class ActionEffects:
    """Per state and action: what it costs and what it does (zeros where it does nothing)."""

    cost: np.ndarray  # (N, A) USD bn/yr
    exposure: np.ndarray  # (N, A) casualty exposure
    quality: np.ndarray  # (N, A, FO) added to a force's quality multiplier
    recruits: np.ndarray  # (N, A, FO) thousands of fighters a month
    air: np.ndarray  # (N, A, F) added to a faction's air multiplier
    troops: np.ndarray  # (N, A, F) combat power of own troops, spread over `focus`
    focus: np.ndarray  # (N, G) where each state's own troops fight (sums to 1)
    offensive: np.ndarray  # (N, A, F) added to the fighting intensity of a faction's fronts
    attrition: np.ndarray  # (N, A, FO) monthly share of a force destroyed by strikes
    economy: np.ndarray  # (N, A) relief to the government's economy (aid)
    pressure: np.ndarray  # (N, A) pressure on the government's economy (sanctions)
    legitimacy: np.ndarray  # (N, A) diplomatic cover: morale and protection at the UN


class World:
    """The fixed arguments of the theatre's kernels: effect tensors and the theatre parameters."""

    def __init__(self, geography: theatre.Geography, effects: ActionEffects, params: dict,
                 never: frozenset[tuple[str, str]] = frozenset()) -> None:
        """`never`: (state, action) pairs a scenario forbids for the whole run."""
        self.geo = geography
        t = params["theatre"]
        self.decisiveness = t["decisiveness"]
        self.mobility = t["mobility"]
        self.spill = t["spill"]
        self.offensive_boost = t["offensive_boost"]
        self.ceasefire_strength = t["ceasefire_strength"]
        self.hostility = hostility_matrix(t["hostility"])
        i, j, _ = theatre.pair_index(self.hostility)
        self.pair_hostility = self.hostility[i, j]
        self.regime_opposition = ((i == R) & (j == O)) | ((i == O) & (j == R))
        self.neighbour_mean = theatre.row_normalised(geography.adjacency)
        self.value = faction_value(geography, t)
        self.state_hostility_floor = params["relations"]["clash_threshold"]
        # how surely each state would answer a deconfliction request (0 if it cannot)
        self.willing = np.array([
            params["relations"]["reciprocity"] if "deconfliction" in params[s]["menu"]
            and (s, "deconfliction") not in never else 0.0 for s in STATES])
        self.morale_recovery = params["regime"]["morale_recovery"]
        self.rout_morale = params["regime"]["rout_morale"]
        self.rout_intensity = t["rout_intensity"]
        self.economy_weight = params["regime"]["economy_weight"]
        self.set_effects(effects)
        names = geography.names
        self.payoff_geo = payoffs.Geo(
            area_share=geography.area_share,
            key=geography.key,
            corridor=geography.corridor,
            bases=_norm(geography.mask(["latakia", "tartus"])),
            turkish_border=_norm(geography.borders["turkey"] * geography.area),
            golan_front=_norm(geography.mask(["quneitra", "daraa", "rif_dimashq", "damascus"])),
            north_west=_norm(geography.mask(["idlib", "aleppo"])),
        )
        assert len(names) == self.value.shape[0]
        # the fixed arguments of the kernels, in their order
        self.theatre_args = (
            np.ascontiguousarray(self.neighbour_mean), np.ascontiguousarray(self.value),
            np.ascontiguousarray(self.hostility), float(self.spill),
            np.ascontiguousarray(i, dtype=np.int64), np.ascontiguousarray(j, dtype=np.int64),
            np.ascontiguousarray(self.pair_hostility, dtype=float),
            np.ascontiguousarray(self.regime_opposition), float(self.decisiveness),
            float(self.offensive_boost), float(self.ceasefire_strength), float(self.rout_morale),
            float(self.rout_intensity), float(self.morale_recovery),
            float(self.state_hostility_floor), np.ascontiguousarray(self.willing))

    # --- power ------------------------------------------------------------------------------

    def set_effects(self, effects: ActionEffects) -> None:
        """Install effect tensors (again after a change of government: new clients)."""
        self.fx = fx = effects
        troops = fx.troops[:, :, None, :] * fx.focus[:, None, :, None]  # (N, A, G, F)
        self._troops_flat = troops.reshape(N, A, -1)
        self._offensive_flat = fx.offensive.reshape(N * A, F)
        self._morale_lift = (fx.legitimacy + self.economy_weight
                             * (fx.economy - fx.pressure)).reshape(-1)
        arrays = [np.ascontiguousarray(a, dtype=float) for a in (
            fx.cost, fx.exposure, fx.quality, fx.recruits, fx.attrition, fx.air,
            self._troops_flat, self._offensive_flat, self._morale_lift)]
        troop_actions = np.ascontiguousarray((self._troops_flat != 0.0).any(axis=-1))
        self.effect_args = (*arrays[:7], troop_actions, *arrays[7:])

@njit(cache=True, error_model="numpy")
def _projected_recruits(months):
    """Fighters patrons raise arrive over the horizon: count half of them (none this month)."""
    return 0.5 * months if months > 1.0 else 0.0


@njit(cache=True, error_model="numpy")
def _evaluate(portfolios, availability, fx_quality, fx_recruits, fx_attrition, fx_air,
              troops_flat, troop_actions, morale_lift, manpower, quality, morale, force_faction,
              owner, government, months, morale_recovery, deploy):
    """Everything the joint portfolios (K, N, A) do to the forces, in one pass.

    Each state's part of every channel (quality, strikes, air, own troops, recruits) adds
    up across states, so the war without one state is the total minus that state's part:
    each state's contribution to each faction costs no recomputation. Own troops fight where
    the state focuses them (`troops_flat`: (N, A, G*F), nonzero for `troop_actions`
    (N, A)); fighters patrons raise count half
    over a horizon (`_projected_recruits`); the regime's morale is projected under aid, cover
    and sanctions (`morale_lift`, (N*A,)). Returns (K, ...) arrays: force power (FO), ground, air
    and total power (F), contribution (N, F), local power (G, F), morale (FO), the monthly
    share destroyed by strikes (FO) and the fighters patrons raise each month (FO).
    """
    k_count, n_count, a_count = portfolios.shape
    fo_count, f_count = force_faction.shape
    g_count = deploy.shape[0]
    gf_count = g_count * f_count
    force_power = np.empty((k_count, fo_count))
    ground = np.zeros((k_count, f_count))
    air = np.zeros((k_count, f_count))
    power = np.empty((k_count, f_count))
    contribution = np.empty((k_count, n_count, f_count))
    local = np.empty((k_count, g_count, f_count))
    morale_out = np.empty((k_count, fo_count))
    strikes = np.zeros((k_count, fo_count))
    recruits = np.zeros((k_count, fo_count))

    # Each state's part of each channel under each portfolio. A state whose row is the same as
    # in portfolio 0 has the same part: it is computed once and read from row 0 (`source`).
    quality_n = np.zeros((k_count, n_count, fo_count))
    recruits_n = np.zeros((k_count, n_count, fo_count))
    strikes_n = np.zeros((k_count, n_count, fo_count))
    air_n = np.zeros((k_count, n_count, f_count))
    troops_total_n = np.zeros((k_count, n_count, f_count))
    source = np.zeros((k_count, n_count), dtype=np.int64)
    # own troops where they fight, (G*F,) for each part with troops in: row slot[k, n]
    slot = np.full((k_count, n_count), -1, dtype=np.int64)
    slots = 0
    for k in range(k_count):
        for n in range(n_count):
            if k > 0:
                same = True
                for a in range(a_count):
                    if portfolios[k, n, a] != portfolios[0, n, a]:
                        same = False
                        break
                if same:
                    continue  # source 0
            source[k, n] = k
            for a in range(a_count):
                if troop_actions[n, a] and portfolios[k, n, a] != 0.0:
                    slot[k, n] = slots
                    slots += 1
                    break
    troops_n = np.zeros((slots, gf_count))
    for k in range(k_count):
        for n in range(n_count):
            if source[k, n] != k:
                continue
            for a in range(a_count):
                p = portfolios[k, n, a]
                if p == 0.0:
                    continue
                available = p * availability[n]
                for fo in range(fo_count):
                    quality_n[k, n, fo] += p * fx_quality[n, a, fo]
                    recruits_n[k, n, fo] += p * fx_recruits[n, a, fo]
                    strikes_n[k, n, fo] += available * fx_attrition[n, a, fo]
                for f in range(f_count):
                    air_n[k, n, f] += available * fx_air[n, a, f]
                if troop_actions[n, a]:
                    row = slot[k, n]
                    for gf in range(gf_count):
                        troops_n[row, gf] += available * troops_flat[n, a, gf]
            if slot[k, n] >= 0:
                row = slot[k, n]
                for g in range(g_count):
                    for f in range(f_count):
                        troops_total_n[k, n, f] += troops_n[row, g * f_count + f]

    # a force a state owns is in Syria as far as the state's assets are: another war that
    # draws Iran's assets draws its militias too (the `lebanon_war` shock in
    # scenarios/_history.toml; record section 3: no rescue "on the 2015 scale" in Nov 2024)
    present = np.ones(fo_count)
    for fo in range(fo_count):
        for n in range(n_count):
            if owner[n, fo] != 0.0:
                present[fo] -= owner[n, fo] * (1.0 - availability[n])
        present[fo] = max(present[fo], 0.0)
    arriving = _projected_recruits(months)
    wear = max(months, 1.0)
    projected = months > 1.0 and government == R  # the regime's morale moves over the horizon
    lift_rate = min(months * morale_recovery, 1.0)
    q = np.empty(fo_count)
    tr = np.empty(f_count)
    base = np.empty(fo_count)
    per_fighter = np.empty(fo_count)
    without = np.empty(fo_count)
    touched = np.empty(f_count, dtype=np.bool_)
    own = np.empty(gf_count)
    for k in range(k_count):
        for fo in range(fo_count):
            morale_out[k, fo] = morale[fo]
        if projected:
            lift = 0.0
            for n in range(n_count):
                for a in range(a_count):
                    if portfolios[k, n, a] != 0.0:
                        lift += portfolios[k, n, a] * morale_lift[n * a_count + a]
            morale_out[k, REGIME_FORCE] = min(max(morale[REGIME_FORCE] + lift_rate * lift,
                                                  0.02), 1.0)
        q[:] = 0.0
        tr[:] = 0.0
        for n in range(n_count):
            s = source[k, n]
            for fo in range(fo_count):
                recruits[k, fo] += recruits_n[s, n, fo]
                q[fo] += quality_n[s, n, fo]
                strikes[k, fo] += strikes_n[s, n, fo]
            for f in range(f_count):
                air[k, f] += air_n[s, n, f]
                tr[f] += troops_total_n[s, n, f]
        for fo in range(fo_count):
            per_fighter[fo] = quality[fo] * morale_out[k, fo] * present[fo]
            base[fo] = (manpower[fo] + arriving * recruits[k, fo]) * per_fighter[fo]
            force_power[k, fo] = base[fo] * (1.0 + q[fo]) * min(max(
                1.0 - wear * strikes[k, fo], 0.2), 1.0)
            for f in range(f_count):
                ground[k, f] += force_power[k, fo] * force_faction[fo, f]
        for f in range(f_count):
            power[k, f] = (ground[k, f] + tr[f]) * (1.0 + air[k, f])

        # the same war without each state: its actions and the forces it owns taken out. A
        # force the state neither owns nor acts on is as strong without it, and where the
        # state touches none of a faction's forces, troops or air, the faction is too (the
        # very same numbers): the state's contribution to it is nil.
        for n in range(n_count):
            s = source[k, n]
            touched[:] = False
            for fo in range(fo_count):
                if (owner[n, fo] == 0.0 and quality_n[s, n, fo] == 0.0
                        and recruits_n[s, n, fo] == 0.0 and strikes_n[s, n, fo] == 0.0):
                    without[fo] = force_power[k, fo]
                    continue
                without[fo] = ((base[fo] - arriving * recruits_n[s, n, fo] * per_fighter[fo])
                               * (1.0 - owner[n, fo])) * (1.0 + q[fo] - quality_n[s, n, fo]) * min(
                    max(1.0 - wear * (strikes[k, fo] - strikes_n[s, n, fo]), 0.2), 1.0)
                for f in range(f_count):
                    if force_faction[fo, f] != 0.0:
                        touched[f] = True
            for f in range(f_count):
                if not touched[f] and troops_total_n[s, n, f] == 0.0 and air_n[s, n, f] == 0.0:
                    contribution[k, n, f] = 0.0
                    continue
                ground_without = 0.0
                for fo in range(fo_count):
                    ground_without += without[fo] * force_faction[fo, f]
                power_without = (ground_without + tr[f] - troops_total_n[s, n, f]) * (
                    1.0 + air[k, f] - air_n[s, n, f])
                contribution[k, n, f] = max(power[k, f] - power_without, 0.0)

        own[:] = 0.0
        for n in range(n_count):
            row = slot[source[k, n], n]
            if row >= 0:
                for gf in range(gf_count):
                    own[gf] += troops_n[row, gf]
        for g in range(g_count):
            for f in range(f_count):
                local[k, g, f] = (ground[k, f] * deploy[g, f] + own[g * f_count + f]) * (
                    1.0 + air[k, f])
    return (force_power, ground, air, power, contribution, local, morale_out, strikes,
            recruits)


@njit(cache=True, error_model="numpy")
def _intensity(portfolios, availability, offensive_flat, first, second, pair_hostility,
               regime_opposition, ceasefire, ceasefire_strength, offensive_boost,
               opposition_offensive, regime_morale, rout_morale, rout_intensity):
    """Fighting intensity of each hostile pair, (K, P): base hostility, dampened by a
    ceasefire, raised by the offensives states back."""
    k_count, n_count, a_count = portfolios.shape
    f_count = offensive_flat.shape[1]
    out = np.empty((k_count, len(first)))
    push = np.empty(f_count)
    opp_push = 1.0 + offensive_boost * opposition_offensive
    if opposition_offensive != 0.0 and regime_morale < rout_morale:
        opp_push *= rout_intensity  # a routed army: the front gives way in weeks
    for k in range(k_count):
        push[:] = 0.0
        for n in range(n_count):
            for a in range(a_count):
                available = portfolios[k, n, a] * availability[n]
                if available != 0.0:
                    for f in range(f_count):
                        push[f] += available * offensive_flat[n * a_count + a, f]
        damp = 1.0 - ceasefire_strength * ceasefire[k] * (1.0 - opposition_offensive)
        for p in range(len(first)):
            boost = 1.0 + offensive_boost * (push[first[p]] + push[second[p]])
            calm = damp if regime_opposition[p] else 1.0
            front = opp_push if regime_opposition[p] else 1.0
            out[k, p] = pair_hostility[p] * calm * boost * front
    return out


@njit(cache=True, error_model="numpy")
def _clash_risk(portfolios, relations, hostility_floor, willing):
    """Risk of a clash between two states' aircraft in Syria's sky without a deconfliction
    agreement, weighted by how unfriendly they are, (K, N). Deconfliction was about the
    air: record row 15 (Israel-Russia), the US-Russia memorandum of Oct 2015. A state that
    seeks deconfliction expects a power already there to agree as surely as it is `willing`
    (N,) (both agreements came within weeks of Russia's entry), not only if it holds it now."""
    k_count, n_count, _ = portfolios.shape
    unfriendly = np.empty((n_count, n_count))
    for n in range(n_count):
        for m in range(n_count):
            unfriendly[n, m] = 0.0 if n == m else min(max(hostility_floor - relations[n, m],
                                                          0.0), 1.0)
    out = np.empty((k_count, n_count))
    for k in range(k_count):
        for n in range(n_count):
            active_n = max(portfolios[k, n, AIR_CAMPAIGN], portfolios[k, n, STRIKE])
            risk = 0.0
            for m in range(n_count):
                active_m = max(portfolios[k, m, AIR_CAMPAIGN], portfolios[k, m, STRIKE])
                answered = max(portfolios[k, m, DECONFLICTION], willing[m])
                exposed = active_n * active_m * (1.0 - portfolios[k, n, DECONFLICTION]
                                                 * answered)
                risk += exposed * unfriendly[n, m]
            out[k, n] = risk
    return out


@njit(cache=True, error_model="numpy")
def _situation(portfolios, months, mobility, control, availability, manpower, quality, morale,
               force_faction, owner, government, opposition_offensive, relations, fx_cost,
               fx_exposure, fx_quality, fx_recruits, fx_attrition, fx_air, troops_flat,
               troop_actions, offensive_flat, morale_lift, neighbour_mean, value, hostility,
               spill, first, second, pair_hostility, regime_opposition, decisiveness,
               offensive_boost, ceasefire_strength, rout_morale, rout_intensity, morale_recovery,
               hostility_floor, willing):
    """Project `months` ahead under each joint portfolio (K, N, A): the forces it builds
    (`_evaluate`), a round of fighting at the projected intensity (`theatre._contest` at the
    mobility of `months` months), and what it costs each state. Returns the fields of a
    `payoffs.Situation` (control, power, force_power, contribution, spend, exposure,
    clash_risk, regime morale, intensity now)."""
    k_count, n_count, a_count = portfolios.shape
    g_count, f_count = control.shape
    deploy = np.empty((g_count, f_count))
    theatre._deployment(control, neighbour_mean, value, hostility, spill, deploy)
    (force_power, _, _, power, contribution, local, morale_all, _, _) = _evaluate(
        portfolios, availability, fx_quality, fx_recruits, fx_attrition, fx_air, troops_flat,
        troop_actions, morale_lift, manpower, quality, morale, force_faction, owner, government,
        months, morale_recovery, deploy)
    intensity = _intensity(portfolios, availability, offensive_flat, first, second,
                           pair_hostility, regime_opposition,
                           _ceasefire_level(portfolios, government), ceasefire_strength,
                           offensive_boost, opposition_offensive, morale[REGIME_FORCE],
                           rout_morale, rout_intensity)
    # the contest's powers of local forces: a faction whose local forces are as under
    # portfolio 0 has the same powers (most alternatives change a few factions' forces)
    powered = np.empty((k_count, g_count, f_count))
    theatre._powered(local[0], decisiveness, powered[0])
    for k in range(1, k_count):
        for f in range(f_count):
            same = True
            for g in range(g_count):
                if local[k, g, f] != local[0, g, f]:
                    same = False
                    break
            for g in range(g_count):
                x = local[k, g, f]
                if same:
                    powered[k, g, f] = powered[0, g, f]
                else:
                    powered[k, g, f] = x ** decisiveness if x > 0.0 else 0.0
    projected = np.empty((k_count, g_count, f_count))
    theatre._contest_batch(control, local, powered,
                           intensity.reshape((k_count, 1, intensity.shape[1])), first, second,
                           mobility, projected)

    # money and casualty exposure; military assets drawn to other wars cost nothing here
    cost = payoffs._as_paid(fx_cost, availability)
    exposure_rate = payoffs._as_paid(fx_exposure, availability)
    spend = np.empty((k_count, n_count))
    exposure = np.empty((k_count, n_count))
    row = np.empty(a_count)
    for k in range(k_count):
        for n in range(n_count):
            for a in range(a_count):
                row[a] = portfolios[k, n, a] * cost[n, a]
            spend[k, n] = pairwise_sum(row)
            for a in range(a_count):
                row[a] = portfolios[k, n, a] * exposure_rate[n, a]
            exposure[k, n] = pairwise_sum(row)
    clash_risk = _clash_risk(portfolios, relations, hostility_floor, willing)
    now = min(pairwise_sum(intensity[0]) / intensity.shape[1], 1.0)
    return (projected, power, force_power, contribution, spend, exposure, clash_risk,
            morale_all[:, REGIME_FORCE].copy(), now)


@njit(cache=True, error_model="numpy")
def _ceasefire_level(portfolios, government):
    """How far a regime-opposition ceasefire holds under each joint portfolio, (K,): someone
    must speak for each side (Russia, Iran or Damascus; Turkey or the US), as at Astana."""
    out = np.zeros(portfolios.shape[0])
    if government != R:
        return out
    for k in range(portfolios.shape[0]):
        talks = portfolios[k, :, NEGOTIATION]
        regime_side = min(1.0, 0.6 * talks[RUSSIA] + 0.2 * talks[IRAN] + 0.4 * talks[SYRIA])
        opposition_side = min(1.0, 0.8 * talks[TURKEY] + 0.4 * talks[US])
        out[k] = regime_side * opposition_side
    return out


def hostility_matrix(table: dict[str, float]) -> np.ndarray:
    """Symmetric (F, F) matrix of how hard two factions fight, from `a-b = value` entries."""
    h = np.zeros((F, F))
    for pair, value in table.items():
        a, b = pair.split("-")
        h[FACTIONS.index(a), FACTIONS.index(b)] = h[FACTIONS.index(b), FACTIONS.index(a)] = value
    return h


def faction_value(geo: theatre.Geography, t: dict) -> np.ndarray:
    """What each governorate is worth to each faction, (G, F): population everywhere, the key
    governorates more to whoever governs, the border to the SDF and ISIS's own heartland."""
    population = geo.population / geo.population.mean()
    area = geo.area / geo.area.mean()
    base = t["value_population"] * population + t["value_area"] * area
    value = np.repeat(base[:, None], F, axis=1)
    value[:, FACTIONS.index("isis")] += t["value_area_isis"] * area
    # the SDF fought for the north-east and the ground it took from ISIS, not for the west
    home = np.array([t["sdf_home"].get(g, 0.0) for g in geo.names])
    value[:, FACTIONS.index("sdf")] *= home
    government = 1.0 + t["value_key"] * geo.key / geo.key.max()
    value[:, R] *= government
    value[:, FACTIONS.index("successor")] *= government
    return value


def _norm(weights: np.ndarray) -> np.ndarray:
    return weights / weights.sum()
