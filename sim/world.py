"""What a joint portfolio of the six states does to the war: one function for the month itself
and for the projections states make when they weigh their options.

A joint portfolio is an array (K, N, A): K alternatives, N states, A actions (0/1). Effects of
actions are tensors built once from the actor parameters (`ActionEffects`), so that weighing
every option of every state is a handful of array operations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim import payoffs, theatre
from sim.vocabulary import ACTIONS, FACTIONS, FORCES, MILITARY_ACTIONS, STATES

N, A, F, FO = len(STATES), len(ACTIONS), len(FACTIONS), len(FORCES)
MILITARY = np.array([a in MILITARY_ACTIONS for a in ACTIONS])
AIR = np.array([a in ("air_campaign", "strike_rival") for a in ACTIONS])
R, O = FACTIONS.index("regime"), FACTIONS.index("opposition")


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


@dataclass
class Month:
    """The state of the war that the effects act on (updated by the model each month)."""

    control: np.ndarray  # (G, F)
    manpower: np.ndarray  # (FO,) thousands
    quality: np.ndarray  # (FO,)
    morale: np.ndarray  # (FO,) only the regime's moves; others stay at 1
    force_faction: np.ndarray  # (FO, F) which faction each force fights for
    owner: np.ndarray  # (N, FO) forces a state owns (Syria its army, Iran its militias)
    availability: np.ndarray  # (N,) share of a state's military assets not drawn elsewhere
    ceasefire: float  # 0-1, strength of a regime-opposition ceasefire in force
    opposition_offensive: float  # 0/1: the opposition has gone on the offensive
    relations: np.ndarray  # (N, N)
    government: int


class World:
    """Turns joint portfolios into combat power, fighting and the situation states weigh."""

    def __init__(self, geography: theatre.Geography, effects: ActionEffects, params: dict) -> None:
        self.geo = geography
        t = params["theatre"]
        self.decisiveness = t["decisiveness"]
        self.mobility = t["mobility"]
        self.spill = t["spill"]
        self.offensive_boost = t["offensive_boost"]
        self.ceasefire_strength = t["ceasefire_strength"]
        self.hostility = hostility_matrix(t["hostility"])
        self.pairs = theatre.pair_index(self.hostility)
        i, j, _ = self.pairs
        self.pair_hostility = self.hostility[i, j]
        self.regime_opposition = ((i == R) & (j == O)) | ((i == O) & (j == R))
        self.neighbour_mean = theatre.row_normalised(geography.adjacency)
        self.value = faction_value(geography, t)
        self.state_hostility_floor = params["relations"]["clash_threshold"]
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

    # --- power ------------------------------------------------------------------------------

    def set_effects(self, effects: ActionEffects) -> None:
        """Install effect tensors (again after a change of government: new clients)."""
        self.fx = fx = effects
        troops = fx.troops[:, :, None, :] * fx.focus[:, None, :, None]  # (N, A, G, F)
        self._troops_flat = troops.reshape(N, A, -1)
        self._offensive_flat = fx.offensive.reshape(N * A, F)
        self._morale_lift = (fx.legitimacy + self.economy_weight
                             * (fx.economy - fx.pressure)).reshape(-1)
        self._deploy_for = None

    def evaluate(self, portfolios: np.ndarray, month: Month, months: float) -> Evaluation:
        """Everything the joint portfolios do to the forces, in one pass, (K, ...) arrays.

        Each state's part of every channel (quality, strikes, air, own troops, recruits) adds
        up across states, so the war without one state is the total minus that state's part:
        each state's contribution to each faction costs no recomputation.
        """
        fx = self.fx
        k = portfolios.shape[0]
        by_state = portfolios.transpose(1, 0, 2)  # (N, K, A)
        available = by_state * month.availability[:, None, None]
        quality = np.matmul(by_state, fx.quality)  # (N, K, FO)
        recruits = np.matmul(by_state, fx.recruits)  # (N, K, FO)
        strikes = np.matmul(available, fx.attrition)  # (N, K, FO)
        air = np.matmul(available, fx.air)  # (N, K, F)
        troops = np.matmul(available, self._troops_flat).reshape(N, k, -1, F)  # (N, K, G, F)
        troops_total = troops.sum(axis=2)  # (N, K, F)

        morale = self.morale_vector(portfolios, month, months)  # (K, FO)
        per_fighter = month.quality * morale
        arriving = self.projected_recruits(months)
        base = (month.manpower + arriving * recruits.sum(axis=0)) * per_fighter  # (K, FO)
        q, st, ai, tr = quality.sum(axis=0), strikes.sum(axis=0), air.sum(axis=0), \
            troops_total.sum(axis=0)
        wear = max(months, 1.0)
        force_power = base * (1.0 + q) * np.clip(1.0 - wear * st, 0.2, 1.0)
        ground = force_power @ month.force_faction  # (K, F)
        power = (ground + tr) * (1.0 + ai)

        # the same war without each state: its actions and the forces it owns taken out
        base_without = (base[None] - arriving * recruits * per_fighter[None]) * (
            1.0 - month.owner[:, None, :])
        force_without = base_without * (1.0 + q[None] - quality) * np.clip(
            1.0 - wear * (st[None] - strikes), 0.2, 1.0)
        without = (force_without @ month.force_faction + tr[None] - troops_total) * (
            1.0 + ai[None] - air)
        contribution = np.maximum(power[None] - without, 0.0).transpose(1, 0, 2)  # (K, N, F)

        deploy = self.deployment(month)
        local = (ground[:, None, :] * deploy[None] + troops.sum(axis=0)) * (1.0 + ai[:, None, :])
        return Evaluation(force_power=force_power, ground=ground, air=ai, power=power,
                          contribution=contribution, local=local, morale=morale,
                          strikes=st, recruits=recruits.sum(axis=0))

    def deployment(self, month: Month) -> np.ndarray:
        """Where each faction's forces stand this month (cached: it depends on control only)."""
        if self._deploy_for is not month.control:
            self._deploy = theatre.deployment(month.control, self.neighbour_mean, self.value,
                                              self.hostility, self.spill)
            self._deploy_for = month.control
        return self._deploy

    @staticmethod
    def projected_recruits(months: float) -> float:
        """Fighters patrons raise arrive over the horizon: count half of them (none this month)."""
        return 0.5 * months if months > 1.0 else 0.0

    def morale_vector(self, portfolios: np.ndarray, month: Month, months: float) -> np.ndarray:
        """Morale of each force (K, FO); the regime's projected under aid, cover and sanctions."""
        morale = np.repeat(month.morale[None, :], len(portfolios), axis=0)
        if months > 1.0 and month.government == R:
            flat = portfolios.reshape(len(portfolios), -1)
            lift = flat @ self._morale_lift
            regime = FORCES.index("regime")
            morale[:, regime] = np.clip(
                morale[:, regime] + min(months * self.morale_recovery, 1.0) * lift, 0.02, 1.0)
        return morale

    # --- fighting ---------------------------------------------------------------------------

    def intensity(self, portfolios: np.ndarray, month: Month) -> np.ndarray:
        """Fighting intensity of each hostile pair, (K, P): base hostility, dampened by a
        ceasefire, raised by the offensives states back."""
        i, j, _ = self.pairs
        push = (portfolios * month.availability[None, :, None]).reshape(
            len(portfolios), -1) @ self._offensive_flat
        boost = 1.0 + self.offensive_boost * (push[:, i] + push[:, j])
        ceasefire = ceasefire_level(portfolios, month.government)[:, None]
        damp = 1.0 - self.ceasefire_strength * ceasefire * (1.0 - month.opposition_offensive)
        calm = np.where(self.regime_opposition[None, :], damp, 1.0)
        opp_push = 1.0 + self.offensive_boost * month.opposition_offensive
        if month.opposition_offensive and month.morale[FORCES.index("regime")] < self.rout_morale:
            opp_push *= self.rout_intensity  # a routed army: the front gives way in weeks
        opp_push = np.where(self.regime_opposition, opp_push, 1.0)
        return self.pair_hostility * calm * boost * opp_push

    def fight(self, month: Month, local: np.ndarray, intensity: np.ndarray,
              months: float) -> np.ndarray:
        mobility = 1.0 - (1.0 - self.mobility) ** months
        return theatre.contest(month.control[None], local, intensity[:, None, :], self.pairs,
                               self.decisiveness, mobility)

    # --- the situation a state weighs -------------------------------------------------------

    def situation(self, portfolios: np.ndarray, month: Month, months: float) -> tuple[
            payoffs.Situation, Evaluation]:
        """Project `months` ahead under each joint portfolio."""
        ev = self.evaluate(portfolios, month, months)
        intensity = self.intensity(portfolios, month)
        control = self.fight(month, ev.local, intensity, months)
        scale = np.where(MILITARY[None, :], month.availability[:, None], 1.0)
        flat = portfolios.reshape(len(portfolios), N, A)
        sit = payoffs.Situation(
            control=control,
            power=ev.power,
            force_power=ev.force_power,
            contribution=ev.contribution,
            spend=(flat * (self.fx.cost * scale)[None]).sum(axis=-1),
            exposure=(flat * (self.fx.exposure * scale)[None]).sum(axis=-1),
            clash_risk=self.clash_risk(portfolios, month),
            morale=ev.morale[:, FORCES.index("regime")],
            government=month.government,
            relations=month.relations,
            intensity=float(min(intensity[0].mean(), 1.0)),
        )
        return sit, ev

    def clash_risk(self, portfolios: np.ndarray, month: Month) -> np.ndarray:
        """Risk of a clash between two states' aircraft in Syria's sky without a deconfliction
        agreement, weighted by how unfriendly they are, (K, N). Deconfliction was about the
        air: record row 15 (Israel-Russia), the US-Russia memorandum of Oct 2015."""
        active = portfolios[:, :, AIR].max(axis=-1)
        deconflict = portfolios[:, :, ACTIONS.index("deconfliction")]
        exposed = active[:, :, None] * active[:, None, :] * (
            1.0 - deconflict[:, :, None] * deconflict[:, None, :])
        unfriendly = np.clip(self.state_hostility_floor - month.relations, 0.0, 1.0)
        np.fill_diagonal(unfriendly, 0.0)
        return (exposed * unfriendly[None]).sum(axis=-1)


@dataclass
class Evaluation:
    """What a batch of joint portfolios does to the forces (K leading)."""

    force_power: np.ndarray  # (K, FO)
    ground: np.ndarray  # (K, F)
    air: np.ndarray  # (K, F)
    power: np.ndarray  # (K, F)
    contribution: np.ndarray  # (K, N, F)
    local: np.ndarray  # (K, G, F)
    morale: np.ndarray  # (K, FO)
    strikes: np.ndarray  # (K, FO) monthly share destroyed by strikes
    recruits: np.ndarray  # (K, FO) fighters patrons raise each month


def ceasefire_level(portfolios: np.ndarray, government: int) -> np.ndarray:
    """How far a regime-opposition ceasefire holds under each joint portfolio, (K,): someone
    must speak for each side (Russia, Iran or Damascus; Turkey or the US), as at Astana."""
    if government != R:
        return np.zeros(len(portfolios))
    talks = portfolios[:, :, ACTIONS.index("negotiation")]
    s = {name: talks[:, i] for i, name in enumerate(STATES)}
    regime_side = np.minimum(1.0, 0.6 * s["russia"] + 0.2 * s["iran"] + 0.4 * s["syria"])
    opposition_side = np.minimum(1.0, 0.8 * s["turkey"] + 0.4 * s["us"])
    return regime_side * opposition_side


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
