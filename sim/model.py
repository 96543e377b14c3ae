"""The Syrian war as a Mesa model: six states, five armed forces, fourteen governorates.

Each month, in this order: outside shocks land; every state weighs its options on what the
others did last month and chooses; the forces fight and recruit; the regime's economy and
morale move; diplomacy happens (UN drafts and vetoes, talks, ceasefires, deconfliction); the
regime falls if its hold on the key governorates and its morale have both given way; relations
follow from behaviour. Nothing is scripted: a scenario only adds shocks and forbids actions.
"""

from __future__ import annotations

import numpy as np
from mesa import DataCollector, Model

from sim import decisions, payoffs, shocks, theatre
from sim.agents import TERMS, ArmedForce, StateActor
from sim.scenario import Scenario, load_scenario
from sim.vocabulary import (
    ACTIONS,
    COMBAT_ACTIONS,
    FACTIONS,
    FORCES,
    PAIR_NAMES,
    PAIRS,
    STATES,
    A,
    S,
    month_label,
)
from sim.world import AIR, MILITARY, ActionEffects, Month, World, ceasefire_level

N, NA, NF, NFO = len(STATES), len(ACTIONS), len(FACTIONS), len(FORCES)
R, O, SDF, ISIS, SUCC = range(NF)
FORCE_FACTION = {"regime": "regime", "opposition": "opposition", "sdf": "sdf", "isis": "isis",
                 "militias": "regime"}
OWNED = {"syria": ("regime",), "iran": ("militias",)}
# whose assets a strike on a force hits, for events and relations
FORCE_PATRON = {"militias": "iran", "regime": "syria", "opposition": "turkey", "sdf": "us",
                "isis": "isis"}


class SyriaModel(Model):
    """The war in Syria from a scenario's start month to its end month, one step a month."""

    def __init__(self, scenario: Scenario | str = "full_2011_2025", rng=None) -> None:
        super().__init__(rng=rng)
        # not `self.scenario`: Mesa's Model owns that name (and ties its object to the model)
        self.spec = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
        sc = self.spec
        self.params = sc.params
        self.geo = theatre.load_geography()
        self.space = theatre.build_space(self, self.geo)
        init = sc.initial
        self.month = sc.start - 1  # the first step is the start month
        self.end = sc.end
        self.control = np.array([[init["control"][g].get(f, 0.0) for f in FACTIONS]
                                 for g in self.geo.names])
        self.government = F_GOV[init["government"]]
        self.economy = init["economy"]
        self.ceasefire = init["ceasefire"]
        self.vetoes = init["vetoes"]
        self.un_pressure = 0.0
        self.relations = np.eye(N)
        for name, (i, j) in zip(PAIR_NAMES, PAIRS, strict=True):
            self.relations[i, j] = self.relations[j, i] = init["relations"][name]
        self.anchor = self.relations.copy()  # standing alignments the index returns to

        self.forces = {
            name: ArmedForce(self, name, self.params[name], init["manpower"][name],
                             FORCE_FACTION[name])
            for name in FORCES
        }
        self.forces["regime"].morale = init["morale"]
        if self.government == SUCC:
            self.forces["opposition"].faction = "successor"
        self.states = {
            name: StateActor(self, name, S[name], self.params[name],
                             init["portfolios"].get(name, []))
            for name in STATES
        }
        for actor in self.states.values():
            if actor.in_combat and actor.name != "syria":
                actor.intervened = sc.start - 1  # already in before the window
        self.fallen_at: int | None = None if self.government == R else sc.start - 1
        self.menus = decisions.Menus.from_mask(
            np.stack([self.states[s].menu for s in STATES]))
        self.vectors = {key: np.array([self.params[s][key] for s in STATES], dtype=float)
                        for key in ("budget", "resolve", "casualty_aversion", "clash_aversion",
                                    "entry_cost")}
        self.base_weights = np.array([[self.params[s]["weights"][t] for t in TERMS[:3]]
                                      for s in STATES])
        self.shocks = shocks.Calendar(sc.shocks)
        self.forbid = sc.forbid
        self.world = World(self.geo, self._effects(), self.params)
        self.collapse = {k: self.params["syria"][k]
                         for k in ("collapse_key", "collapse_morale", "collapse_steepness")}
        self.threat_params = {s: {**self.params[s], **self.collapse,
                                  "alarm": self.params[s]["alarm"]} for s in STATES}
        self.events: list[tuple[int, str, str, str, str]] = []
        self.local_power = np.zeros_like(self.control)
        self.key_share = self._key_share()
        self.agreements = np.zeros((N, N))
        self.negotiating = np.zeros(N)
        self.datacollector = DataCollector(
            model_reporters={
                "control": national_control,
                "influence": influence,
                "cooperation": cooperation,
                "commitment": commitment,
                "terms": payoff_terms,
                "morale": regime_morale,
            }
        )
        self._influence = np.zeros(N)

    # --- building blocks --------------------------------------------------------------------

    def _clients(self, actor: dict) -> list[str]:
        return actor["clients"] if self.government == R else actor["clients_after_fall"]

    def _effects(self) -> ActionEffects:
        """Effect tensors from the actor parameters, for the current government's clients."""
        fx = ActionEffects(
            cost=np.zeros((N, NA)), exposure=np.zeros((N, NA)),
            quality=np.zeros((N, NA, NFO)), recruits=np.zeros((N, NA, NFO)),
            air=np.zeros((N, NA, NF)), troops=np.zeros((N, NA, NF)),
            focus=np.zeros((N, len(self.geo.names))), offensive=np.zeros((N, NA, NF)),
            attrition=np.zeros((N, NA, NFO)), economy=np.zeros((N, NA)),
            pressure=np.zeros((N, NA)), legitimacy=np.zeros((N, NA)),
        )
        for n, state in enumerate(STATES):
            actor = self.params[state]
            clients = set(self._clients(actor))
            client_factions = {self._faction_of(c) for c in clients}
            focus = np.array([actor["focus"].get(g, 0.0) for g in self.geo.names])
            fx.focus[n] = focus / focus.sum() if focus.sum() else self.geo.area_share
            for action, effect in actor["actions"].items():
                a = A[action]
                fx.cost[n, a] = effect["cost"]
                fx.exposure[n, a] = effect["exposure"]
                fx.economy[n, a] = effect["economy"] if clients else 0.0
                fx.pressure[n, a] = effect["pressure"]
                fx.legitimacy[n, a] = effect["legitimacy"] if clients else 0.0
                for force, value in effect["quality"].items():
                    if force in clients:
                        fx.quality[n, a, FORCES.index(force)] = value
                for force, value in effect["recruits"].items():
                    if force in clients:
                        fx.recruits[n, a, FORCES.index(force)] = value
                for force, value in effect["attrition"].items():
                    fx.attrition[n, a, FORCES.index(force)] = value
                for table, tensor in (("air", fx.air), ("troops", fx.troops),
                                      ("offensive", fx.offensive)):
                    for faction, value in effect[table].items():
                        target = self._successor_of(faction)
                        if target in client_factions:
                            tensor[n, a, FACTIONS.index(target)] = value
        return fx

    def _faction_of(self, force: str) -> str:
        faction = FORCE_FACTION[force]
        return self._successor_of(faction)

    def _successor_of(self, faction: str) -> str:
        if self.government == SUCC and faction == "opposition":
            return "successor"
        return faction

    def _month_state(self) -> Month:
        force_faction = np.zeros((NFO, NF))
        owner = np.zeros((N, NFO))
        for force in self.forces.values():
            force_faction[force.index, FACTIONS.index(force.faction)] = 1.0
        for state, owned in OWNED.items():
            for force in owned:
                owner[S[state], FORCES.index(force)] = 1.0
        if self.government == SUCC:
            owner[S["syria"]] = 0.0
            owner[S["iran"]] = 0.0
            owner[S["syria"], FORCES.index("opposition")] = 1.0
        return Month(
            control=self.control,
            manpower=np.array([self.forces[f].manpower for f in FORCES]),
            quality=np.array([self.forces[f].quality for f in FORCES]),
            morale=np.array([self.forces[f].morale for f in FORCES]),
            force_faction=force_faction,
            owner=owner,
            availability=self.shocks.availability(self.month),
            ceasefire=self.ceasefire,
            opposition_offensive=float(self.forces["opposition"].offensive),
            relations=self.relations,
            government=self.government,
        )

    def _key_share(self) -> float:
        return float(self.geo.key @ self.control[:, self.government])

    def joint_portfolio(self) -> np.ndarray:
        return np.stack([self.states[s].portfolio for s in STATES])

    def _forbidden(self) -> np.ndarray:
        """(N, A): 1 where the scenario takes an action off a state's menu this month."""
        mask = np.zeros((N, NA))
        for rule in self.forbid:
            after = rule["start_index"] is None or self.month >= rule["start_index"]
            before = rule["end_index"] is None or self.month <= rule["end_index"]
            if after and before:
                mask[S[rule["actor"]], A[rule["action"]]] = 1.0
        return mask

    def event(self, actor: str, event: str, target: str = "", detail: str = "") -> None:
        self.events.append((self.steps, actor, event, target, detail))

    # --- the month --------------------------------------------------------------------------

    def step(self) -> None:
        self.month += 1
        for name, shock in self.shocks.landing(self.month):
            shocks.apply(self, name, shock)
        self.decide()
        month = self._month_state()
        evaluation = self.world.evaluate(self.joint_portfolio()[None], month, 1.0)
        self.contribution, self.power = evaluation.contribution[0], evaluation.power[0]
        self.fight(month, evaluation)
        self.update_regime()
        self.diplomacy()
        if self.government == R:
            self.check_collapse()
        self.update_relations()
        self.datacollector.collect(self)
        if self.month >= self.end:
            self.running = False

    def decide(self) -> None:
        """Every state weighs its alternatives at once, on what the others did last month."""
        choice = self.params["choice"]
        month = self._month_state()
        demand = self.shocks.demand(self.month)
        cost = self.world.fx.cost * np.where(MILITARY[None, :], month.availability[:, None], 1.0)
        joint, alts = decisions.alternatives(self.joint_portfolio(), self.menus,
                                             self._forbidden(), cost,
                                             self.vectors["budget"] - demand)
        terms = self.weigh(alts.portfolios, month, demand, choice["horizon"])  # (K, N, 5)
        rows = np.nonzero(alts.entering)[0]
        entry = self.vectors["entry_cost"][alts.owner[rows]]
        terms[rows, alts.owner[rows], 3] += entry
        terms[rows, alts.owner[rows], 4] -= entry
        utility = terms[..., 4] - choice["switching_cost"] * (alts.owner >= 0)[:, None]
        chosen, weighed, probability = decisions.choose(utility, alts.owner, N,
                                                        choice["temperature"], self.rng)
        for n, state in enumerate(STATES):
            actor = self.states[state]
            actor.remember(alts, weighed[n], terms[weighed[n], n], probability[n],
                           int(np.searchsorted(weighed[n], chosen[n])), joint[n])
            self._enact(actor, alts.portfolios[chosen[n], n], alts.action[chosen[n]])

    def weigh(self, portfolios: np.ndarray, month: Month, demand: np.ndarray,
              horizon: int) -> np.ndarray:
        """Payoff terms (K, N, 5) of every state under each joint portfolio, `horizon` months on."""
        sit, _ = self.world.situation(portfolios, month, horizon)
        geo = self.world.payoff_geo
        v = self.vectors
        threat = np.stack([payoffs.THREATS[s](sit, geo, self.threat_params[s]) for s in STATES],
                          axis=1)  # (K, N)
        if self.government == SUCC:  # Israel's buffer zone on the Golan after the fall
            buffer = portfolios[:, S["israel"], A["ground_deployment"]]
            threat[:, S["israel"]] *= 1.0 - 0.5 * buffer
        t = self.params["theatre"]
        need = payoffs.dependence(threat[:, S["syria"]], t["dependence_floor"])
        influence = payoffs.influence(sit, geo, t["capital_weight"], need)
        balancing = payoffs.balancing_all(sit)
        cost = payoffs.cost(sit.spend, v["budget"], v["resolve"], demand / v["budget"],
                            sit.exposure, v["casualty_aversion"], sit.intensity, sit.clash_risk,
                            v["clash_aversion"], self.params["choice"]["money_scale"],
                            self.params["choice"]["casualty_scale"])
        w = self.shocks.weight_matrix(self.month, self.base_weights)  # (N, 3)
        terms = np.empty((len(portfolios), N, len(TERMS)))
        terms[..., 0] = -threat
        terms[..., 1] = balancing
        terms[..., 2] = influence
        terms[..., 3] = cost
        terms[..., 4] = (terms[..., :3] * w[None]).sum(axis=-1) - cost
        return terms

    def _enact(self, actor: StateActor, portfolio: np.ndarray, changed: int) -> None:
        if changed >= 0:
            name = ACTIONS[changed]
            if name == "withdrawal":
                self.event(actor.name, "withdrawal", "syria", "combat forces leave")
            elif portfolio[changed]:
                self.event(actor.name, "action_start", "", name)
                if name == "sanctions":
                    self.event(actor.name, "sanctions", "syria", "")
            else:
                self.event(actor.name, "action_stop", "", name)
        actor.portfolio = portfolio
        if actor.in_combat and actor.intervened is None and actor.name != "syria":
            actor.intervened = self.month
            entered = [a for a in COMBAT_ACTIONS if portfolio[A[a]]]
            self.event(actor.name, "military_intervention", "syria", "+".join(entered))

    def fight(self, month: Month, ev) -> None:
        """The month's fighting: local power with the fog of war, the contest, losses, recruits."""
        t = self.params["theatre"]
        world = self.world
        joint = self.joint_portfolio()[None]
        fog = np.exp(t["noise"] * self.rng.standard_normal(ev.local.shape[1:]))
        local = ev.local * fog
        intensity = world.intensity(joint, month)
        self.control = world.fight(month, local, intensity, 1.0)[0]
        self.local_power = local[0]

        # losses where each force is outgunned, plus strikes on it; then recruits
        pressure = theatre.losing_pressure(local[0], world.hostility, world.decisiveness)
        exposure = (world.deployment(month) * pressure).sum(axis=0)  # (F,)
        fighting = float(intensity.mean())
        reach = theatre.reach(self.control, world.neighbour_mean, world.spill)
        population = self.geo.population
        for force in self.forces.values():
            faction = FACTIONS.index(force.faction)
            losses = t["attrition"] * force.manpower * exposure[faction] * (0.5 + fighting)
            force.suffer(losses + ev.strikes[0, force.index] * force.manpower)
            # a movement recruits where it can reach people, not only where it rules
            held = np.clip(self.control[:, faction]
                           + force.params["mobilisation"] * reach[:, faction], 0.0, 1.0)
            pool = force.params["pool_rate"] * float(population @ held)
            force.recruit(pool, float(ev.recruits[0, force.index]),
                          self.control[:, faction].sum() > 0.01)
        self.fighting = fighting

    def update_regime(self) -> None:
        """The government's treasury and its army's morale (the cascade that ends regimes)."""
        if self.government != R:
            self.key_share = self._key_share()
            return
        t, rp = self.params["theatre"], self.params["regime"]
        joint = self.joint_portfolio()
        fx = self.world.fx
        oil = self.geo.mask(["deir_ez_zor", "al_hasakah", "raqqa"]) * self.geo.area
        oil_hold = float(oil @ self.control[:, R] / oil.sum())
        cover = float((joint * fx.legitimacy).sum())
        # unilateral sanctions bite whatever happens at the UN; a veto only blocks UN measures
        pressure = float((joint * fx.pressure).sum()) + self.shocks.pressure(self.month)
        pressure += self.un_pressure
        relief = float((joint * fx.economy).sum())
        target = ((1.0 - t["oil_weight"] * (1.0 - oil_hold)) * (1.0 - t["war_damage"] * self.fighting)
                  - pressure + relief)
        self.economy += t["economy_recovery"] * (float(np.clip(target, 0.0, 1.0)) - self.economy)

        key = self._key_share()
        change = key - self.key_share
        self.key_share = key
        contribution = self.contribution[:, R]
        foreign = contribution.sum() - contribution[S["syria"]]
        total = max(contribution.sum(), 1e-9)
        regime = self.forces["regime"]
        target_morale = (rp["morale_base"] * (0.4 + 0.6 * key)
                         * (1.0 - rp["economy_weight"] * (1.0 - self.economy))
                         + rp["patron_morale"] * foreign / total + cover)
        regime.morale += rp["morale_recovery"] * (target_morale - regime.morale)
        regime.morale += rp["morale_sensitivity"] * min(change, 0.0)
        regime.morale = float(np.clip(regime.morale, 0.02, 1.0))

    def diplomacy(self) -> None:
        """UN drafts and vetoes, talks and ceasefires, deconfliction agreements, strikes."""
        joint = self.joint_portfolio()
        negotiating = joint[:, A["negotiation"]]
        un = self.params["un"]

        # talks: a state joining talks names its partners and the format
        for n in np.nonzero(negotiating * (1.0 - self.negotiating))[0]:
            partners = [STATES[m] for m in np.nonzero(negotiating)[0] if m != n]
            self.event(STATES[n], "negotiation", "+".join(partners), talks_format(negotiating))
        self.negotiating = negotiating

        # a regime-opposition ceasefire needs someone to speak for each side
        level = float(ceasefire_level(joint[None], self.government)[0])
        if level >= 0.5 > self.ceasefire:
            self.event("russia" if negotiating[S["russia"]] else "syria", "ceasefire",
                       "opposition", talks_format(negotiating))
        self.ceasefire = level

        # deconfliction agreements between militaries in the same sky
        active = joint[:, AIR].max(axis=1)
        willing = joint[:, A["deconfliction"]] * active
        agreements = np.outer(willing, willing)
        np.fill_diagonal(agreements, 0.0)
        for i, j in PAIRS:
            if agreements[i, j] and not self.agreements[i, j]:
                self.event(STATES[i], "deconfliction", STATES[j], "")
        self.agreements = agreements

        # strikes on a rival's assets
        for n in np.nonzero(joint[:, A["strike_rival"]])[0]:
            targets = self.params[STATES[n]]["strike_targets"]
            if targets:
                main = max(targets, key=targets.get)
                self.event(STATES[n], "airstrike", FORCE_PATRON[main], f"strikes on {main}")

        # a Western draft at the Security Council: vetoed if Russia gives cover
        self.un_pressure *= 0.92
        if self.government == R:
            us = joint[S["us"]]
            pressure = max(us[A["diplomatic_cover"]], 0.5 * us[A["sanctions"]])
            atrocity = min(1.0, joint[S["syria"], A["ground_deployment"]]
                           + 0.5 * joint[S["syria"], A["air_campaign"]]
                           + 0.5 * joint[S["russia"], A["air_campaign"]]
                           + self.shocks.atrocity(self.month))
            chance = un["draft_rate"] * pressure * atrocity * un["atrocity_weight"]
            if self.rng.random() < min(chance, 1.0):
                if joint[S["russia"], A["diplomatic_cover"]]:
                    self.vetoes += 1
                    self.event("russia", "veto", "us", f"draft {self.vetoes}")
                else:
                    self.event("us", "resolution", "syria", "adopted without a veto")
                    self.un_pressure += 0.1

        # the opposition goes on the offensive when it outguns the regime on its fronts
        if self.government == R:
            opposition = self.forces["opposition"]
            front = (self.control[:, O] > 0.02) | (
                (self.world.neighbour_mean @ self.control[:, O]) > 0.02)
            ratio = (self.local_power[front, O].sum()
                     / max(self.local_power[front, R].sum(), 1e-9))
            was = opposition.offensive
            opposition.offensive = bool(ratio > opposition.params["offensive_ratio"])
            if opposition.offensive and not was:
                self.event("opposition", "offensive", "regime", f"force ratio {ratio:.2f}")

    def check_collapse(self) -> None:
        """The regime falls when it has lost enough of the key governorates and its army's
        morale has given way; a successor government takes over and the run goes on."""
        rp = self.params["regime"]
        regime = self.forces["regime"]
        if self.key_share >= rp["fall_key"] or regime.morale >= rp["fall_morale"]:
            return
        self.fallen_at = self.month
        self.event("syria", "regime_collapse", "",
                   f"key governorates {self.key_share:.2f}, morale {regime.morale:.2f}")
        self.control[:, SUCC] += self.control[:, R] + self.control[:, O]
        self.control[:, R] = 0.0
        self.control[:, O] = 0.0
        self.government = SUCC
        regime.manpower = 0.0
        self.forces["militias"].manpower = 0.0
        opposition = self.forces["opposition"]
        opposition.faction = "successor"
        opposition.offensive = False
        opposition.morale = 1.0
        self.ceasefire = 0.0
        syria = self.states["syria"]
        syria.portfolio = np.zeros(NA)
        for other, value in self.params["syria"]["successor_relations"].items():
            i, j = S["syria"], S[other]
            self.relations[i, j] = self.relations[j, i] = value
            self.anchor[i, j] = self.anchor[j, i] = value
        self.world.set_effects(self._effects())
        self.key_share = self._key_share()
        self.event("syria", "succession", "", "successor government takes over")

    def update_relations(self) -> None:
        """The cooperation index moves towards what the month's behaviour signals."""
        rel = self.params["relations"]
        joint = self.joint_portfolio()
        contribution = self.contribution
        total = contribution.sum(axis=0, keepdims=True)
        share = np.where(total > 1e-9, contribution / np.maximum(total, 1e-9), 0.0)  # (N, F)
        risk = float(payoffs.collapse_risk(self.key_share, self.forces["regime"].morale,
                                           **_risk_args(self.collapse))) if self.government == R else 0.0
        gov = self.government
        weight = np.ones(NF)
        weight[gov] = 0.3 + risk
        both = np.sqrt(share[:, None, :] * share[None, :, :])  # (N, N, F)
        joint_support = rel["joint_support"] * (both * weight).sum(axis=-1)
        competition = rel["competition"] * both[:, :, gov] * (1.0 - risk)
        opposing = rel["opposing_support"] * np.einsum("if,fg,jg->ij", share,
                                                       self.world.hostility, share)
        opposing = opposing + opposing.T
        talks = rel["joint_talks"] * np.outer(joint[:, A["negotiation"]], joint[:, A["negotiation"]])
        deconflict = rel["deconfliction"] * self.agreements

        # strikes on what another state owns or backs; tolerating strikes on a partner
        hits = np.zeros((N, N))
        striking = joint[:, A["strike_rival"]]
        for n in np.nonzero(striking)[0]:
            for force, weight_f in self.params[STATES[n]]["strike_targets"].items():
                f = FACTIONS.index(self._faction_of(force))
                hits[n] += weight_f * share[:, f]
                if force in OWNED.get("iran", ()) and self.government == R:
                    hits[n, S["iran"]] += weight_f
        hits = np.minimum(hits, 1.0)
        strikes = rel["strikes"] * (hits + hits.T)
        partners = np.clip(self.relations, 0.0, 1.0)
        tolerated = np.einsum("ik,kj->ij", self.agreements, hits) * partners
        tolerance = rel["tolerance"] * (tolerated + tolerated.T)

        # sanctions on the government another state backs
        sanctioning = joint[:, A["sanctions"]]
        sanctions = rel["sanctions"] * np.outer(sanctioning, share[:, gov] > 0.02)
        sanctions = sanctions + sanctions.T

        # both in Syria against the same great-power rival
        active = (joint[:, MILITARY].max(axis=1) + joint[:, A["financial_aid"]]).clip(0, 1)
        hostile = np.clip(-self.relations, 0.0, 1.0)
        shared_rival = np.einsum("ir,jr->ij", hostile, hostile) / N
        common = rel["common_rival"] * shared_rival * np.outer(active, active)

        signal = (joint_support - competition - opposing + talks + deconflict - strikes
                  - tolerance - sanctions + common + rel["memory"] * self.anchor)
        target = np.tanh(signal)
        self.relations += rel["rate"] * (target - self.relations)
        np.fill_diagonal(self.relations, 1.0)
        self.relations = np.clip(self.relations, -1.0, 1.0)
        situation = self._current_situation(contribution)
        need = payoffs.dependence(
            payoffs.threat_syria(situation, self.world.payoff_geo,
                                 {**self.params["syria"], **self.collapse, "alarm": 0.0}),
            self.params["theatre"]["dependence_floor"])
        self._influence = payoffs.influence(situation, self.world.payoff_geo,
                                            self.params["theatre"]["capital_weight"], need)[0]

    def _current_situation(self, contribution: np.ndarray) -> payoffs.Situation:
        return payoffs.Situation(
            control=self.control[None], power=self.power[None], force_power=np.zeros((1, NFO)),
            contribution=contribution[None], spend=np.zeros((1, N)), exposure=np.zeros((1, N)),
            clash_risk=np.zeros((1, N)), morale=np.array([self.forces["regime"].morale]),
            government=self.government, relations=self.relations, intensity=0.0)

    # --- reading the model ------------------------------------------------------------------

    @property
    def date(self) -> str:
        return month_label(self.month)

    def spend(self) -> np.ndarray:
        joint = self.joint_portfolio()
        availability = self.shocks.availability(self.month)
        scale = np.where(MILITARY[None, :], availability[:, None], 1.0)
        return (joint * self.world.fx.cost * scale).sum(axis=1)


F_GOV = {"regime": R, "successor": SUCC}


def talks_format(negotiating: np.ndarray) -> str:
    parties = {STATES[n] for n in np.nonzero(negotiating)[0]}
    if {"russia", "iran", "turkey"} <= parties:
        return "astana"
    if {"russia", "us"} <= parties:
        return "geneva"
    return "talks"


def _risk_args(collapse: dict) -> dict:
    return {"threshold_key": collapse["collapse_key"],
            "threshold_morale": collapse["collapse_morale"],
            "steepness": collapse["collapse_steepness"]}


# --- reporters (what the DataCollector records each month) ------------------------------------


def national_control(model: SyriaModel) -> np.ndarray:
    return theatre.national_shares(model.control, model.geo.area_share)


def influence(model: SyriaModel) -> np.ndarray:
    return model._influence.copy()


def cooperation(model: SyriaModel) -> np.ndarray:
    return np.array([model.relations[i, j] for i, j in PAIRS])


def commitment(model: SyriaModel) -> np.ndarray:
    return model.spend()


def regime_morale(model: SyriaModel) -> float:
    return model.forces["regime"].morale


def payoff_terms(model: SyriaModel) -> np.ndarray:
    return np.array([[model.states[s].terms[t] for t in TERMS] for s in STATES])
