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
        self.set_effects(effects)
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
        self.economy_weight = params["regime"]["economy_weight"]
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
        self._troops = fx.troops[:, :, None, :] * fx.focus[:, None, :, None]  # (N, A, G, F)

    def partials(self, portfolios: np.ndarray, month: Month) -> dict[str, np.ndarray]:
        """Each state's own contribution to every channel of power, (K, N, ...).

        The channels add up across states, so the world without one state is the total minus
        that state's part: what `contributions` needs, without recomputing anything.
        """
        fx = self.fx
        by_state = portfolios.transpose(1, 0, 2)  # (N, K, A)
        available = by_state * month.availability[:, None, None]
        k = portfolios.shape[0]
        g = self._troops.shape[2]
        troops = np.matmul(available, self._troops.reshape(N, A, -1)).reshape(N, k, g, F)
        return {
            "recruits": np.matmul(by_state, fx.recruits).transpose(1, 0, 2),  # (K, N, FO)
            "quality": np.matmul(by_state, fx.quality).transpose(1, 0, 2),  # (K, N, FO)
            "strikes": np.matmul(available, fx.attrition).transpose(1, 0, 2),  # (K, N, FO)
            "air": np.matmul(available, fx.air).transpose(1, 0, 2),  # (K, N, F)
            "troops": troops.transpose(1, 0, 2, 3),  # (K, N, G, F)
        }

    def _power(self, base: np.ndarray, quality: np.ndarray, strikes: np.ndarray,
               air: np.ndarray, troops: np.ndarray, force_faction: np.ndarray, months: float
               ) -> tuple[np.ndarray, np.ndarray]:
        """Force power and faction power from the channel totals (any leading axes)."""
        worn = np.clip(1.0 - max(months, 1.0) * strikes, 0.2, 1.0)
        force_power = base * (1.0 + quality) * worn
        ground = force_power @ force_faction
        return force_power, (ground + troops) * (1.0 + air)

    @staticmethod
    def projected_recruits(months: float) -> float:
        """Fighters patrons raise arrive over the horizon: count half of them (none this month)."""
        return 0.5 * months if months > 1.0 else 0.0

    def morale_vector(self, portfolios: np.ndarray, month: Month, months: float) -> np.ndarray:
        """Morale of each force (K, FO); the regime's projected under aid, cover and sanctions."""
        morale = np.repeat(month.morale[None, :], len(portfolios), axis=0)
        if months > 1.0 and month.government == R:
            fx = self.fx
            flat = portfolios.reshape(len(portfolios), -1)
            lift = (flat @ fx.legitimacy.reshape(-1)
                    + self.economy_weight * (flat @ fx.economy.reshape(-1)
                                             - flat @ fx.pressure.reshape(-1)))
            regime = FORCES.index("regime")
            morale[:, regime] = np.clip(
                morale[:, regime] + min(months * self.morale_recovery, 1.0) * lift, 0.02, 1.0)
        return morale

    def base_power(self, portfolios: np.ndarray, month: Month, months: float,
                   totals: dict[str, np.ndarray]) -> np.ndarray:
        manpower = month.manpower + self.projected_recruits(months) * totals["recruits"]
        return manpower * month.quality * self.morale_vector(portfolios, month, months)

    def force_power(self, portfolios: np.ndarray, month: Month, months: float) -> np.ndarray:
        """Combat power of each armed force, (K, FO): manpower x quality x morale, raised by
        advisers and arms, worn down over `months` by strikes."""
        parts = self.partials(portfolios, month)
        totals = {name: part.sum(axis=1) for name, part in parts.items()}
        base = self.base_power(portfolios, month, months, totals)
        worn = np.clip(1.0 - max(months, 1.0) * totals["strikes"], 0.2, 1.0)
        return base * (1.0 + totals["quality"]) * worn

    def faction_power(self, portfolios: np.ndarray, month: Month, force_power: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Ground power (K, F), air multiplier (K, F) and own troops by governorate (K, G, F)."""
        parts = self.partials(portfolios, month)
        return force_power @ month.force_faction, parts["air"].sum(axis=1), \
            parts["troops"].sum(axis=1)

    def total_power(self, portfolios: np.ndarray, month: Month, months: float) -> np.ndarray:
        return self.contributions(portfolios, month, months, with_total=True)[1]

    def contributions(self, portfolios: np.ndarray, month: Month, months: float,
                      with_total: bool = False):
        """Power each state adds to each faction, (K, N, F): the faction's strength with the
        state's actions and own forces, minus its strength without them."""
        parts = self.partials(portfolios, month)
        totals = {name: part.sum(axis=1) for name, part in parts.items()}
        base = self.base_power(portfolios, month, months, totals)  # (K, FO)
        _, power = self._power(base, totals["quality"], totals["strikes"], totals["air"],
                               totals["troops"].sum(axis=1), month.force_faction, months)
        lost_recruits = self.projected_recruits(months) * parts["recruits"]  # (K, N, FO)
        per_fighter = month.quality * self.morale_vector(portfolios, month, months)[:, None, :]
        base_without = (base[:, None, :] - lost_recruits * per_fighter) * (1.0 - month.owner)
        _, without = self._power(
            base_without, totals["quality"][:, None] - parts["quality"],
            totals["strikes"][:, None] - parts["strikes"], totals["air"][:, None] - parts["air"],
            (totals["troops"][:, None] - parts["troops"]).sum(axis=2), month.force_faction,
            months)
        contribution = np.maximum(power[:, None, :] - without, 0.0)
        return (contribution, power) if with_total else contribution

    # --- fighting ---------------------------------------------------------------------------

    def intensity(self, portfolios: np.ndarray, month: Month) -> np.ndarray:
        """Fighting intensity of each hostile pair, (K, P): base hostility, dampened by a
        ceasefire, raised by the offensives states back."""
        i, j, _ = self.pairs
        push = np.matmul((portfolios * month.availability[None, :, None]).reshape(
            len(portfolios), -1), self.fx.offensive.reshape(N * A, F))
        boost = 1.0 + self.offensive_boost * (push[:, i] + push[:, j])
        ceasefire = ceasefire_level(portfolios, month.government)[:, None]
        calm = np.where(self.regime_opposition[None, :],
                        1.0 - self.ceasefire_strength * ceasefire
                        * (1.0 - month.opposition_offensive), 1.0)
        opp_push = np.where(self.regime_opposition,
                            1.0 + self.offensive_boost * month.opposition_offensive, 1.0)
        return self.pair_hostility * calm * boost * opp_push

    def local_power(self, month: Month, ground: np.ndarray, air: np.ndarray,
                    troops: np.ndarray) -> np.ndarray:
        deploy = theatre.deployment(month.control, self.neighbour_mean, self.value,
                                    self.hostility, self.spill)
        return (ground[:, None, :] * deploy[None] + troops) * (1.0 + air[:, None, :])

    def fight(self, month: Month, local: np.ndarray, intensity: np.ndarray,
              months: float) -> np.ndarray:
        mobility = 1.0 - (1.0 - self.mobility) ** months
        return theatre.contest(month.control[None], local, intensity[:, None, :], self.pairs,
                               self.decisiveness, mobility)

    # --- the situation a state weighs -------------------------------------------------------

    def situation(self, portfolios: np.ndarray, month: Month, months: float) -> tuple[
            payoffs.Situation, np.ndarray]:
        """Project `months` ahead under each joint portfolio; also return local power."""
        fx = self.fx
        parts = self.partials(portfolios, month)
        totals = {name: part.sum(axis=1) for name, part in parts.items()}
        base = self.base_power(portfolios, month, months, totals)
        force_power = base * (1.0 + totals["quality"]) * np.clip(
            1.0 - max(months, 1.0) * totals["strikes"], 0.2, 1.0)
        ground = force_power @ month.force_faction
        local = self.local_power(month, ground, totals["air"], totals["troops"])
        intensity = self.intensity(portfolios, month)
        control = self.fight(month, local, intensity, months)
        contribution, power = self.contributions(portfolios, month, months, with_total=True)
        scale = np.where(MILITARY[None, :], month.availability[:, None], 1.0)
        spend = np.einsum("kna,na->kn", portfolios, fx.cost * scale)
        exposure = np.einsum("kna,na->kn", portfolios, fx.exposure * scale)
        sit = payoffs.Situation(
            control=control,
            power=power,
            force_power=force_power,
            contribution=contribution,
            spend=spend,
            exposure=exposure,
            clash_risk=self.clash_risk(portfolios, month),
            morale=self.morale_vector(portfolios, month, months)[:, FORCES.index("regime")],
            government=month.government,
            relations=month.relations,
            intensity=float(np.clip(intensity[0].mean(), 0.0, 1.0)),
        )
        return sit, local

    def clash_risk(self, portfolios: np.ndarray, month: Month) -> np.ndarray:
        """Risk of a clash between two states' forces operating in Syria without a
        deconfliction agreement, weighted by how unfriendly they are. (K, N)."""
        active = portfolios[:, :, MILITARY].max(axis=-1)
        deconflict = portfolios[:, :, ACTIONS.index("deconfliction")]
        agreed = deconflict[:, :, None] * deconflict[:, None, :]
        unfriendly = np.clip(self.state_hostility_floor - month.relations, 0.0, 1.0)
        np.fill_diagonal(unfriendly, 0.0)
        return np.einsum("kn,km,knm,nm->kn", active, active, 1.0 - agreed, unfriendly)


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
    government = 1.0 + t["value_key"] * geo.key / geo.key.max()
    value[:, R] *= government
    value[:, FACTIONS.index("successor")] *= government
    return value


def _norm(weights: np.ndarray) -> np.ndarray:
    return weights / weights.sum()
