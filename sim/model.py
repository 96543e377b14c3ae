"""The Syrian war as a Mesa model: six states, five armed forces, fourteen governorates.

Each month, in this order: outside shocks land; every state weighs its options on what the
others did last month and chooses; the forces fight and recruit; the regime's economy and
morale move; diplomacy happens (UN drafts and vetoes, talks, ceasefires, deconfliction); the
regime falls if its hold on the key governorates and its morale have both given way; relations
follow from behaviour. Nothing is scripted: a scenario only adds shocks and forbids actions.

The numerical work of a month is done by compiled kernels (numba): weighing every alternative
(`world._situation`, then `_weigh_terms`), the month's fighting (`_fight`) and the move of
relations (`_relations`). Events, diplomacy and all random draws stay in Python, drawn from
`self.rng` in the same order as ever, so a seed gives the same run.
"""

from __future__ import annotations

import math

import numpy as np
from mesa import DataCollector, Model
from numba import njit

from sim import decisions, payoffs, shocks, theatre
from sim.agents import ArmedForce, StateActor, _after_losses, _recruited
from sim.numeric import pairwise_sum
from sim.scenario import Scenario, load_scenario
from sim.vocabulary import (
    ACTIONS,
    AIR,
    COMBAT,
    COMBAT_ACTIONS,
    COMBAT_INDEX,
    DECONFLICTION,
    FACTIONS,
    FINANCIAL_AID,
    FORCES,
    GROUND,
    IRAN,
    ISRAEL,
    MILITARY,
    NEGOTIATION,
    PAIR_NAMES,
    PAIRS,
    REGIME_FORCE,
    REPORTER_NAMES,
    SANCTIONS,
    STATES,
    STRIKE,
    SUCC,
    SYRIA,
    TERMS,
    A,
    O,
    R,
    S,
    month_label,
)
from sim.world import (
    ActionEffects,
    World,
    _ceasefire_level,
    _evaluate,
    _intensity,
    _situation,
)

N, NA, NF, NFO = len(STATES), len(ACTIONS), len(FACTIONS), len(FORCES)
FORCE_FACTION = {"regime": "regime", "opposition": "opposition", "sdf": "sdf", "isis": "isis",
                 "militias": "regime"}
OWNED = {"syria": ("regime",), "iran": ("militias",)}
# whose assets a strike on a force hits, for events and relations
FORCE_PATRON = {"militias": "iran", "regime": "syria", "opposition": "turkey", "sdf": "us",
                "isis": "isis"}
PAIR_I, PAIR_J = (np.array(side) for side in zip(*PAIRS, strict=True))


class SyriaModel(Model):
    """The war in Syria from a scenario's start month to its end month, one step a month.

    `record` names the series the DataCollector keeps each month (`REPORTERS`; all of them
    unless told): a sweep that reads three of them need not copy six.
    """

    def __init__(self, scenario: Scenario | str = "full_2011_2025", rng=None,
                 record: tuple[str, ...] | None = None) -> None:
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
        self._views: list[np.ndarray] | None = None
        self._chosen_terms: np.ndarray | None = None
        self._area_share = self.geo.area_share
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
        # combat forces a state has ordered in arrive `deployment_lag` months later; the month
        # each combat action was switched on (forces held at the start arrived long ago)
        self._lag = np.array([self.params[s]["deployment_lag"] for s in STATES])
        self._ordered = np.full((N, NA), sc.start - 1 - 12, dtype=np.int64)
        self.menus = decisions.Menus.from_mask(
            np.stack([self.states[s].menu for s in STATES]))
        self.vectors = {key: np.array([self.params[s][key] for s in STATES], dtype=float)
                        for key in ("budget", "resolve", "casualty_aversion", "clash_aversion",
                                    "entry_cost")}
        self.base_weights = np.array([[self.params[s]["weights"][t] for t in TERMS[:3]]
                                      for s in STATES])
        # what the shocks put in force, from the month before the first step to the last
        self.shocks = shocks.Calendar(sc.shocks).in_force(sc.start - 1, sc.end,
                                                          self.base_weights)
        self.forbid = sc.forbid
        self.world = World(self.geo, self._effects(), self.params, frozenset(
            (rule["actor"], rule["action"]) for rule in self.forbid
            if rule["start_index"] is None and rule["end_index"] is None))
        self.collapse = {k: self.params["syria"][k]
                         for k in ("collapse_key", "collapse_morale", "collapse_steepness")}
        convexity = float(self.params["choice"]["threat_convexity"])
        self.threat_params = {s: {**self.params[s], **self.collapse,
                                  "alarm": self.params[s]["alarm"],
                                  "threat_convexity": convexity} for s in STATES}
        self.events: list[tuple[int, str, str, str, str]] = []
        self.local_power = np.zeros_like(self.control)
        self.contribution = np.zeros((N, NF))  # each state's part of each faction's power
        self.power = np.zeros(NF)  # each faction's power (both set by each month's fight)
        self.key_share = self._key_share()
        self.agreements = np.zeros((N, N))
        self.negotiating = np.zeros(N)
        unknown = sorted(set(record or ()) - set(REPORTERS))
        if unknown:
            raise ValueError(f"record: unknown series {unknown}; known: {list(REPORTERS)}")
        self.datacollector = DataCollector(model_reporters={
            name: reporter for name, reporter in REPORTERS.items()
            if record is None or name in record})
        self._influence = np.zeros(N)
        self._pack()

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

    def _pack(self) -> None:
        """Parameters as the kernels take them: arrays in the order of STATES and FORCES."""
        p = self.params
        self.threat_matrix = np.stack([payoffs.threat_vector(self.threat_params[s])
                                       for s in STATES])
        self.threat_now = payoffs.threat_vector({**p["syria"], **self.collapse, "alarm": 0.0})
        v, t, c = self.vectors, p["theatre"], p["choice"]
        geo = self.world.payoff_geo
        self._floor = float(t["dependence_floor"])
        self._payoff_args = (
            geo.weights, np.ascontiguousarray(geo.area_share, dtype=float), self.threat_matrix,
            self._floor, float(t["capital_weight"]), v["budget"], v["resolve"],
            v["casualty_aversion"], v["clash_aversion"], float(c["money_scale"]),
            float(c["casualty_scale"]))
        self.force_vectors = tuple(
            np.array([float(p[f][key]) for f in FORCES])
            for key in ("mobilisation", "pool_rate", "pool_base", "manpower_cap", "recruitment",
                        "decay"))
        oil = self.geo.mask(["deir_ez_zor", "al_hasakah", "raqqa"]) * self.geo.area
        self._oil, self._oil_total = oil, float(oil.sum())
        rel = p["relations"]
        self._danger = 0.0  # the patrons' shared sense of the danger to the regime
        memory = float(rel["danger_memory"])
        self._danger_fade = math.exp(-1.0 / memory) if memory > 0 else 0.0
        self._relations_args = (
            *(float(rel[k]) for k in RELATION_WEIGHTS), *(float(self.collapse[k]) for k in (
                "collapse_key", "collapse_morale", "collapse_steepness")),
            self.world.payoff_geo.weights,
            np.ascontiguousarray(self.world.payoff_geo.area_share, dtype=float), self.threat_now,
            self._floor, float(t["capital_weight"]))
        self._floor_at = (3, len(self._relations_args) - 2)  # its place in the two tuples
        self._forbidden_in: dict[int, np.ndarray] = {}
        self._pack_government()
        self._consolidate()

    def _consolidate(self) -> None:
        """How far the government heeds its patrons however safe it is: `dependence_floor`;
        and a new government more, from all the way at its first month down to the floor
        after `theatre.consolidation_months` (it has an army without heavy weapons, minorities
        resisting its authority and sanctions still on: record section 3, seed 004). States
        weigh the shadow of the fall with a successor that needs its patrons fully
        (`_weigh_terms`); this is that successor's need as it comes true."""
        floor = float(self.params["theatre"]["dependence_floor"])
        span = float(self.params["theatre"]["consolidation_months"])
        if self.fallen_at is not None and span > 0:
            floor = max(floor, 1.0 - (self.month - self.fallen_at) / span)
        if floor != self._floor:
            self._floor = floor
            p, r = self._floor_at
            self._payoff_args = (*self._payoff_args[:p], floor, *self._payoff_args[p + 1:])
            self._relations_args = (*self._relations_args[:r], floor,
                                    *self._relations_args[r + 1:])

    def _pack_government(self) -> None:
        """What changes only when the government does: which faction each force fights for,
        which forces a state owns, and which factions its strikes hit."""
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
        self._force_faction, self._owner = force_faction, owner
        self._faction_of_force = np.array([FACTIONS.index(self.forces[f].faction)
                                           for f in FORCES])
        # strikes on what another state owns or backs, target by target as in the parameters
        targets = [(n, FACTIONS.index(self._faction_of(force)), weight,
                    force in OWNED.get("iran", ()))
                   for n, state in enumerate(STATES)
                   for force, weight in self.params[state]["strike_targets"].items()]
        self._strike_targets = (np.array([t[0] for t in targets], dtype=np.int64),
                                np.array([t[1] for t in targets], dtype=np.int64),
                                np.array([t[2] for t in targets], dtype=float),
                                np.array([t[3] for t in targets], dtype=np.bool_))

    def _key_share(self) -> float:
        return _holding(self.geo.key, self.control, self.government)

    def joint_portfolio(self) -> np.ndarray:
        return np.stack([self.states[s].portfolio for s in STATES])

    def _forbidden(self) -> np.ndarray:
        """(N, A): 1 where the scenario takes an action off a state's menu this month."""
        if self.month not in self._forbidden_in:
            mask = np.zeros((N, NA))
            for rule in self.forbid:
                after = rule["start_index"] is None or self.month >= rule["start_index"]
                before = rule["end_index"] is None or self.month <= rule["end_index"]
                if after and before:
                    mask[S[rule["actor"]], A[rule["action"]]] = 1.0
            self._forbidden_in[self.month] = mask
        return self._forbidden_in[self.month]

    def event(self, actor: str, event: str, target: str = "", detail: str = "") -> None:
        self.events.append((self.steps, actor, event, target, detail))

    # --- the month --------------------------------------------------------------------------

    def step(self) -> None:
        self.month += 1
        for landing in self.shocks.landing(self.month):
            self._land(landing)
        if self.fallen_at is not None:
            self._consolidate()
        self.decide()
        self.fight()
        self.update_regime()
        self.diplomacy()
        if self.government == R:
            self.check_collapse()
        self.update_relations()
        self.datacollector.collect(self)
        if self.month >= self.end:
            self.running = False

    def _land(self, landing: shocks.Landing) -> None:
        """A shock lands: record it, and apply its one-off effect on a force if it has one."""
        self.event("world", "shock", landing.target, landing.name)
        if landing.kind == "force_surge":
            force = self.forces[landing.force]
            force.manpower += landing.manpower
            faction = FACTIONS.index(force.faction)
            for governorate, taken in landing.taken:
                g = self.geo.index(governorate)
                self.control[g] *= 1.0 - taken
                self.control[g, faction] += taken
        elif landing.kind == "force_blow":
            force = self.forces[landing.force]
            force.manpower *= 1.0 - landing.loss
            force.quality *= 1.0 - landing.quality_loss

    def decide(self) -> None:
        """Every state weighs its alternatives at once, on what the others did last month
        (the mechanism: `_decide`; the logit choice's draws come from `self.rng`)."""
        choice = self.params["choice"]
        self._month_args = month = self._kernel_month()
        draws = self.rng.random(N)
        (joint, portfolios, owner, action, entering, _, chosen, positions, rows, starts,
         probability, weighed_terms) = _decide(
            self._current_joint(), self._forbidden(), draws, self.menus.state,
            self.menus.action, self.menus.deconfliction, float(choice["temperature"]),
            float(choice["switching_cost"]), self.vectors["entry_cost"],
            *self._weigh_args(month, choice["horizon"]))
        alts = decisions.Alternatives(portfolios=portfolios, owner=owner, action=action,
                                      entering=entering)
        self._joint = portfolios[chosen, np.arange(N)]
        self._views = list(self._joint)
        self._chosen_terms = weighed_terms[starts[:-1] + positions]
        positions, actions, bounds = positions.tolist(), action[chosen].tolist(), starts.tolist()
        for n, state in enumerate(STATES):
            actor = self.states[state]
            first, last = bounds[n], bounds[n + 1]
            actor.remember(alts, rows[first:last], weighed_terms[first:last],
                           probability[first:last], positions[n], joint[n])
            self._enact(actor, self._views[n], actions[n])
        self._in_theatre = self._arrived(self._joint)

    def _arrived(self, joint: np.ndarray) -> np.ndarray:
        """The joint portfolio as it fights this month: combat forces ordered in less than
        the state's `deployment_lag` months ago are still on their way (their cost is paid,
        and diplomacy knows of them: record rows 22, 15, 16). A state's first combat forces
        to arrive are its military intervention."""
        waiting = (self.month - self._ordered < self._lag[:, None]) & COMBAT
        fighting = joint if not waiting.any() else np.where(waiting, 0.0, joint)
        for n, state in enumerate(STATES):
            actor = self.states[state]
            if (actor.intervened is None and state != "syria"
                    and fighting[n, list(COMBAT_INDEX)].any()):
                actor.intervened = self.month
                entered = [ACTIONS[a] for a in COMBAT_INDEX if fighting[n, a]]
                self.event(state, "military_intervention", "syria", "+".join(entered))
        return fighting

    def _current_joint(self) -> np.ndarray:
        """The joint portfolio (N, A) the states hold: the one chosen last month, unless a
        state's portfolio has been replaced since."""
        views = self._views
        if views is not None and all(self.states[s].portfolio is views[n]
                                     for n, s in enumerate(STATES)):
            return self._joint
        return self.joint_portfolio()

    def _kernel_month(self) -> tuple:
        """The state of the war the kernels read this month (the fields of `Month`, in the
        order of `World.month_args`)."""
        forces = self.forces.values()
        return (self.control, self.shocks.availability(self.month),
                np.array([float(f.manpower) for f in forces]),
                np.array([float(f.quality) for f in forces]),
                np.array([float(f.morale) for f in forces]), self._force_faction, self._owner,
                int(self.government), float(self.forces["opposition"].offensive),
                self.relations)

    def _weigh_args(self, month: tuple, horizon: int) -> tuple:
        """The arguments of `_weigh` after the portfolios."""
        world = self.world
        return (float(horizon), 1.0 - (1.0 - world.mobility) ** horizon, *month,
                *world.effect_args, *world.theatre_args, *self._payoff_args,
                self.shocks.demand(self.month),
                self.shocks.weights(self.month))

    def _enact(self, actor: StateActor, portfolio: np.ndarray, changed: int) -> None:
        if changed >= 0:
            name = ACTIONS[changed]
            if name == "withdrawal":
                self.event(actor.name, "withdrawal", "syria", "combat forces leave")
            elif portfolio[changed]:
                self.event(actor.name, "action_start", "", name)
                self._ordered[actor.index, changed] = self.month
                lag = int(self._lag[actor.index])
                if name in COMBAT_ACTIONS and lag:
                    self.event(actor.name, "deployment", "syria",
                               f"{name}: forces arrive in {lag} month{'s' if lag > 1 else ''}")
                if name == "sanctions":
                    self.event(actor.name, "sanctions", "syria", "")
            else:
                self.event(actor.name, "action_stop", "", name)
        actor.portfolio = portfolio

    def fight(self) -> None:
        """The month's fighting: local power with the fog of war, the contest, losses, recruits
        (the mechanism: `_fight`; the fog is drawn here, from `self.rng`)."""
        t = self.params["theatre"]
        world = self.world
        fog = self.rng.standard_normal((len(self.geo.names), NF))
        (self.control, self.local_power, self.contribution, self.power, manpower,
         self.fighting) = _fight(
            self._in_theatre, fog, float(t["noise"]), float(t["attrition"]),
            1.0 - (1.0 - world.mobility) ** 1.0, *self._month_args, *world.effect_args,
            *world.theatre_args, self.geo.population, self._faction_of_force,
            *self.force_vectors)
        for force, strength in zip(self.forces.values(), manpower.tolist(), strict=True):
            force.manpower = strength

    def update_regime(self) -> None:
        """The government's treasury and its army's morale (the cascade that ends regimes)."""
        if self.government != R:
            self.key_share = self._key_share()
            return
        t, rp = self.params["theatre"], self.params["regime"]
        fx = self.world.fx
        cover, pressure, relief, oil_hold, key = _regime_inputs(
            self._joint, fx.legitimacy, fx.pressure, fx.economy, self.control, self._oil,
            self._oil_total, self.geo.key, R)
        pressure += self.shocks.pressure(self.month)
        pressure += self.un_pressure
        target = ((1.0 - t["oil_weight"] * (1.0 - oil_hold))
                  * (1.0 - t["war_damage"] * self.fighting)
                  - pressure + relief)  # unilateral sanctions bite whatever happens at the UN
        self.economy += t["economy_recovery"] * (min(max(target, 0.0), 1.0) - self.economy)

        change = key - self.key_share
        self.key_share = key
        contribution = self.contribution[:, R].tolist()
        supplied = 0.0
        for value in contribution:  # in order, as numpy sums a few values
            supplied += value
        foreign = supplied - contribution[S["syria"]]
        total = max(supplied, 1e-9)
        regime = self.forces["regime"]
        target_morale = (rp["morale_base"] * (0.4 + 0.6 * key)
                         * (1.0 - rp["economy_weight"] * (1.0 - self.economy))
                         + rp["patron_morale"] * foreign / total + cover)
        regime.morale += rp["morale_recovery"] * (target_morale - regime.morale)
        regime.morale += rp["morale_sensitivity"] * min(change, 0.0)
        regime.morale = min(max(regime.morale, 0.02), 1.0)

    def diplomacy(self) -> None:
        """UN drafts and vetoes, talks and ceasefires, deconfliction agreements, strikes."""
        joint = self._joint
        rows = joint.tolist()
        negotiating = joint[:, NEGOTIATION]
        talking = negotiating.tolist()
        before = self.negotiating.tolist()
        un = self.params["un"]

        # talks: a state joining talks names its partners and the format
        for n in range(N):
            if talking[n] * (1.0 - before[n]):
                partners = [STATES[m] for m in range(N) if talking[m] and m != n]
                self.event(STATES[n], "negotiation", "+".join(partners), talks_format(talking))
        self.negotiating = negotiating

        level, agreements, ratio = _diplomacy_state(joint, self.government, self.control,
                                                    self.local_power, self.world.neighbour_mean)

        # a regime-opposition ceasefire needs someone to speak for each side
        if level >= 0.5 > self.ceasefire:
            self.event("russia" if talking[S["russia"]] else "syria", "ceasefire",
                       "opposition", talks_format(talking))
        self.ceasefire = level

        # deconfliction agreements between militaries in the same sky
        had, now = self.agreements.tolist(), agreements.tolist()
        for i, j in PAIRS:
            if now[i][j] and not had[i][j]:
                self.event(STATES[i], "deconfliction", STATES[j], "")
        self.agreements = agreements

        # strikes on a rival's assets
        for n in range(N):
            if rows[n][STRIKE]:
                targets = self.params[STATES[n]]["strike_targets"]
                if targets:
                    main = max(targets, key=targets.get)
                    self.event(STATES[n], "airstrike", FORCE_PATRON[main], f"strikes on {main}")

        # a Western draft at the Security Council: vetoed if Russia gives cover
        self.un_pressure *= 0.92
        if self.government == R:
            us, syria, russia = rows[S["us"]], rows[S["syria"]], rows[S["russia"]]
            pressure = max(us[A["diplomatic_cover"]], 0.5 * us[A["sanctions"]])
            atrocity = min(1.0, syria[A["ground_deployment"]] + 0.5 * syria[A["air_campaign"]]
                           + 0.5 * russia[A["air_campaign"]] + self.shocks.atrocity(self.month))
            chance = un["draft_rate"] * pressure * atrocity * un["atrocity_weight"]
            if self.rng.random() < min(chance, 1.0):
                if russia[A["diplomatic_cover"]]:
                    self.vetoes += 1
                    self.event("russia", "veto", "us", f"draft {self.vetoes}")
                else:
                    self.event("us", "resolution", "syria", "adopted without a veto")
                    self.un_pressure += 0.1

        # the opposition goes on the offensive when it outguns the regime on its fronts
        if self.government == R:
            opposition = self.forces["opposition"]
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
        # the ground, the month's forces and patrons as the successor's: the same transfer
        # the states weigh in the shadow of the fall (`payoffs._after_the_fall`)
        control, contribution, power = payoffs._after_the_fall(
            self.control[None], self.contribution[None], self.power[None])
        self.control, self.contribution, self.power = control[0], contribution[0], power[0]
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
        self._views = None
        for other, value in self.params["syria"]["successor_relations"].items():
            i, j = S["syria"], S[other]
            self.relations[i, j] = self.relations[j, i] = value
            self.anchor[i, j] = self.anchor[j, i] = value
        self.world.set_effects(self._effects())
        self._pack_government()
        self._joint = self.joint_portfolio()
        self.key_share = self._key_share()
        self._consolidate()
        self.event("syria", "succession", "", "successor government takes over")

    def update_relations(self) -> None:
        """The cooperation index moves towards what the month's behaviour signals (the
        mechanism: `_relations`); and each state's influence now, for the record."""
        self.relations, self._influence, self._danger = _month_end(
            self.contribution, self._joint, self.relations, self.anchor, self.agreements,
            self.world.hostility, float(self.key_share), float(self.forces["regime"].morale),
            self.government, self._danger, self._danger_fade, *self._relations_args,
            self.control, self.power, *self._strike_targets)

    # --- reading the model ------------------------------------------------------------------

    @property
    def date(self) -> str:
        return month_label(self.month)

    def spend(self, joint: np.ndarray | None = None) -> np.ndarray:
        """What each state's portfolio costs it, USD bn/yr (of `joint`, by default the
        portfolios the states hold now); military assets drawn to other wars cost nothing."""
        joint = self.joint_portfolio() if joint is None else joint
        return _spend(np.ascontiguousarray(joint, dtype=float), self.world.effect_args[0],
                      self.shocks.availability(self.month))


F_GOV = {"regime": R, "successor": SUCC}


def talks_format(negotiating: np.ndarray | list[float]) -> str:
    parties = {STATES[n] for n in range(len(negotiating)) if negotiating[n]}
    if {"russia", "iran", "turkey"} <= parties:
        return "astana"
    if {"russia", "us"} <= parties:
        return "geneva"
    return "talks"


# --- reporters (what the DataCollector records each month) ------------------------------------


def national_control(model: SyriaModel) -> np.ndarray:
    return theatre._national_shares(model.control[None], model._area_share)[0]


def influence(model: SyriaModel) -> np.ndarray:
    return model._influence.copy()


def cooperation(model: SyriaModel) -> np.ndarray:
    return model.relations[PAIR_I, PAIR_J]


def commitment(model: SyriaModel) -> np.ndarray:
    return model.spend(model._joint)


def regime_morale(model: SyriaModel) -> float:
    return model.forces["regime"].morale


def payoff_terms(model: SyriaModel) -> np.ndarray:
    if model._chosen_terms is not None:  # the states' terms, as chosen this month
        return model._chosen_terms
    return np.array([[model.states[s].terms[t] for t in TERMS] for s in STATES])


# the series the DataCollector can keep each month, by name (`SyriaModel(record=...)`)
REPORTERS = dict(zip(REPORTER_NAMES, (national_control, influence, cooperation, commitment,
                                       payoff_terms, regime_morale), strict=True))


# --- the month's kernels ----------------------------------------------------------------------

RELATION_WEIGHTS = ("rate", "joint_support", "opposing_support", "joint_talks", "deconfliction",
                    "strikes", "tolerance", "competition", "common_rival", "sanctions", "memory")


@njit(cache=True, error_model="numpy")
def _utility(terms, owner, entering, entry_cost, switching_cost):
    """Utility (K, N) of each row to each state: entering the war with own combat forces costs
    the entering state `entry_cost` once (booked into its cost term, in place), and any change
    of course costs `switching_cost` (policy inertia)."""
    k_count, n_count, _ = terms.shape
    utility = np.empty((k_count, n_count))
    for k in range(k_count):
        if entering[k]:
            n = owner[k]
            terms[k, n, 3] += entry_cost[n]
            terms[k, n, 4] -= entry_cost[n]
        inertia = switching_cost * (1.0 if owner[k] >= 0 else 0.0)
        for n in range(n_count):
            utility[k, n] = terms[k, n, 4] - inertia
    return utility


@njit(cache=True, error_model="numpy")
def _weigh(portfolios, months, mobility, control, availability, manpower, quality, morale,
           force_faction, owner, government, opposition_offensive, relations, fx_cost,
           fx_exposure, fx_quality, fx_recruits, fx_attrition, fx_air, troops_flat,
           troop_actions, offensive_flat, morale_lift, neighbour_mean, value, hostility, spill,
           first, second, pair_hostility, regime_opposition, decisiveness, offensive_boost,
           ceasefire_strength, rout_morale, rout_intensity, morale_recovery, hostility_floor,
           willing, geo_weights, area_share, threat_params, dependence_floor, capital_weight,
           budget, resolve, casualty_aversion, clash_aversion, money_scale, casualty_scale, demand,
           weights):
    """Payoff terms (K, N, 5) of every state under each joint portfolio (K, N, A), `months`
    ahead: the situation each portfolio leads to (`world._situation`), weighed by
    `_weigh_terms`. Money other theatres take (`demand`) makes spending in Syria dearer."""
    (projected, power, force_power, contribution, spend, exposure, clash_risk, regime_morale,
     intensity) = _situation(
        portfolios, months, mobility, control, availability, manpower, quality, morale,
        force_faction, owner, government, opposition_offensive, relations, fx_cost, fx_exposure,
        fx_quality, fx_recruits, fx_attrition, fx_air, troops_flat, troop_actions,
        offensive_flat, morale_lift, neighbour_mean, value, hostility, spill, first, second,
        pair_hostility, regime_opposition, decisiveness, offensive_boost, ceasefire_strength,
        rout_morale, rout_intensity, morale_recovery, hostility_floor, willing)
    return _weigh_terms(portfolios, projected, power, force_power, contribution, spend, exposure,
                        clash_risk, regime_morale, intensity, government, relations, geo_weights,
                        area_share, threat_params, dependence_floor, capital_weight, budget,
                        resolve, demand / budget, casualty_aversion, clash_aversion,
                        money_scale, casualty_scale, weights)


@njit(cache=True, error_model="numpy")
def _decide(joint, forbidden, draws, menu_state, menu_action, menu_deconfliction, temperature,
            switching_cost, entry_cost, months, mobility, control, availability, manpower,
            quality, morale, force_faction, owner, government, opposition_offensive, relations,
            fx_cost, fx_exposure, fx_quality, fx_recruits, fx_attrition, fx_air, troops_flat,
            troop_actions, offensive_flat, morale_lift, neighbour_mean, value, hostility, spill,
            first, second, pair_hostility, regime_opposition, decisiveness, offensive_boost,
            ceasefire_strength, rout_morale, rout_intensity, morale_recovery, hostility_floor,
           willing, geo_weights, area_share, threat_params, dependence_floor, capital_weight,
            budget, resolve, casualty_aversion, clash_aversion, money_scale, casualty_scale, demand,
            weights):
    """The month's choice: every state's alternatives (`decisions._alternatives`: keep, or
    change one action it can afford), weighed together (`_weigh`), made utilities
    (`_utility`) and chosen among by the logit (`decisions._choose`, on `draws`). Military
    assets drawn to other wars cost nothing here; other theatres' `demand` leaves less of the
    budget. Returns the joint portfolio with forbidden actions dropped, the alternatives
    (portfolios, owner, action, entering), their terms (K, N, 5), the chosen rows and their
    positions among each state's, the rows each state weighed (flat, from `starts`), their
    probabilities and their terms (flat)."""
    n_count = joint.shape[0]
    cost = payoffs._as_paid(fx_cost, availability)
    held, portfolios, changer, changed, entering = decisions._alternatives(
        joint, forbidden, cost, budget - demand, menu_state, menu_action, menu_deconfliction)
    terms = _weigh(portfolios, months, mobility, control, availability, manpower, quality,
                   morale, force_faction, owner, government, opposition_offensive, relations,
                   fx_cost, fx_exposure, fx_quality, fx_recruits, fx_attrition, fx_air,
                   troops_flat, troop_actions, offensive_flat, morale_lift, neighbour_mean,
                   value, hostility, spill, first, second, pair_hostility, regime_opposition,
                   decisiveness, offensive_boost, ceasefire_strength, rout_morale,
                   rout_intensity, morale_recovery, hostility_floor, willing, geo_weights,
                   area_share, threat_params, dependence_floor, capital_weight, budget, resolve,
                   casualty_aversion, clash_aversion, money_scale, casualty_scale, demand,
                   weights)
    utility = _utility(terms, changer, entering, entry_cost, switching_cost)
    chosen, positions, rows, starts, probability = decisions._choose(
        utility, changer, n_count, temperature, draws)
    weighed_terms = np.empty((len(rows), terms.shape[2]))
    for s in range(n_count):
        for i in range(starts[s], starts[s + 1]):
            weighed_terms[i] = terms[rows[i], s]
    return (held, portfolios, changer, changed, entering, terms, chosen, positions, rows,
            starts, probability, weighed_terms)


@njit(cache=True, error_model="numpy")
def _weigh_terms(portfolios, control, power, force_power, contribution, spend, exposure,
                 clash_risk, morale, intensity, government, relations, geo_weights, area_share,
                 threat_params, dependence_floor, capital_weight, budget, resolve, opportunity,
                 casualty_aversion, clash_aversion, money_scale, casualty_scale, weights):
    """Payoff terms (K, N, 5) of every state under each projected situation: survival (minus
    the threat), balancing, influence, cost, and the utility `weights` (N, 3) make of them.

    Survival: `payoffs._survival` of each state's threat (`payoffs._threats`; linear unless
    `choice.threat_convexity` says otherwise); after the fall Israel's buffer zone on the Golan
    halves its threat. Influence: the government heeds its patrons as far as the
    threat to it makes it need them (`payoffs._dependence`, `payoffs._influence`). Balancing:
    `payoffs._balancing`. While the regime stands, both are weighed by each state's reading of
    the risk that it falls (`payoffs._in_the_shadow_of_the_fall`, `payoffs._after_the_fall`).
    Cost: `payoffs._cost`, at the war's intensity now.
    """
    k_count, n_count, _ = portfolios.shape
    rolled, share = payoffs._indicators(control, power, geo_weights, payoffs.THREAT_READS)
    threat = payoffs._threats(rolled, share, morale, force_power, government, relations,
                              threat_params)
    if government == SUCC:  # Israel's buffer zone on the Golan after the fall
        for k in range(k_count):
            threat[k, ISRAEL] *= 1.0 - 0.5 * portfolios[k, ISRAEL, GROUND]
    need = payoffs._dependence(threat[:, SYRIA], dependence_floor)
    influence = payoffs._influence(control, area_share, contribution, power, government,
                                   capital_weight, need)
    alignment = payoffs._alignment(contribution, relations)
    balancing = payoffs._balancing(alignment, power)
    if government == R:  # sway and balance in the shadow of the regime's fall
        risk = np.empty((k_count, n_count))
        for k in range(k_count):
            for n in range(n_count):
                p = threat_params[n]
                risk[k, n] = payoffs._collapse_risk(
                    rolled[k, payoffs.KEY, R], morale[k],
                    p[payoffs.P_COLLAPSE_KEY] + p[payoffs.P_ALARM], p[payoffs.P_COLLAPSE_MORALE],
                    p[payoffs.P_STEEPNESS])
        fallen_control, fallen_contribution, fallen_power = payoffs._after_the_fall(
            control, contribution, power)
        fallen_influence = payoffs._influence(fallen_control, area_share, fallen_contribution,
                                              fallen_power, SUCC, capital_weight,
                                              np.ones(k_count))
        fallen_balancing = payoffs._balancing(
            payoffs._alignment(fallen_contribution, relations), fallen_power)
        influence = payoffs._in_the_shadow_of_the_fall(influence, fallen_influence, risk)
        balancing = payoffs._in_the_shadow_of_the_fall(balancing, fallen_balancing, risk)
    terms = np.empty((k_count, n_count, len(TERMS)))
    for k in range(k_count):
        for n in range(n_count):
            cost = payoffs._cost(spend[k, n], budget[n], resolve[n], opportunity[n],
                                 exposure[k, n], casualty_aversion[n], intensity,
                                 clash_risk[k, n], clash_aversion[n], money_scale,
                                 casualty_scale)
            terms[k, n, 0] = payoffs._survival(threat[k, n], threat_params[n, payoffs.P_CONVEXITY])
            terms[k, n, 1] = balancing[k, n]
            terms[k, n, 2] = influence[k, n]
            terms[k, n, 3] = cost
            terms[k, n, 4] = (terms[k, n, 0] * weights[n, 0] + terms[k, n, 1] * weights[n, 1]
                              + terms[k, n, 2] * weights[n, 2]) - cost
    return terms


@njit(cache=True, error_model="numpy")
def _fight(joint, fog_draws, noise, attrition, mobility, control, availability, manpower,
           quality, morale, force_faction, owner, government, opposition_offensive, relations,
           fx_cost, fx_exposure, fx_quality, fx_recruits, fx_attrition, fx_air, troops_flat,
           troop_actions, offensive_flat, morale_lift, neighbour_mean, value, hostility, spill,
           first, second, pair_hostility, regime_opposition, decisiveness, offensive_boost,
           ceasefire_strength, rout_morale, rout_intensity, morale_recovery, hostility_floor,
           willing,            population,
           faction_of_force, mobilisation, pool_rate, pool_base, manpower_cap, recruitment,
           decay):
    """The month's fighting under the joint portfolio (N, A): the forces it builds
    (`world._evaluate`, one month), local power under the fog of war (log-normal, s.d.
    `noise`, from the standard normal `fog_draws`), one round of the contest
    (`theatre._contest`); then each force's losses where it is outgunned
    (`theatre._losing_pressure`, dearer the harder the war is fought) and to strikes, and its
    recruits (`agents._recruited`): a movement recruits where it can reach people, not only
    where it rules (`theatre._reach`, `mobilisation`).

    Returns the new control (G, F), local power (G, F), each state's contribution (N, F), each
    faction's power (F,), each force's manpower (FO,) and how hard the war was fought (the
    mean intensity over the hostile pairs).
    """
    n_count, a_count = joint.shape
    g_count, f_count = control.shape
    portfolio = joint.copy().reshape((1, n_count, a_count))
    deploy = np.empty((g_count, f_count))
    theatre._deployment(control, neighbour_mean, value, hostility, spill, deploy)
    (_, _, _, power, contribution, local, _, strikes, recruits) = _evaluate(
        portfolio, availability, fx_quality, fx_recruits, fx_attrition, fx_air, troops_flat,
        troop_actions, morale_lift, manpower, quality, morale, force_faction, owner, government,
        1.0, morale_recovery, deploy)
    local_power = local[0] * np.exp(noise * fog_draws)
    intensity = _intensity(portfolio, availability, offensive_flat, first, second,
                           pair_hostility, regime_opposition,
                           _ceasefire_level(portfolio, government), ceasefire_strength,
                           offensive_boost, opposition_offensive, morale[REGIME_FORCE],
                           rout_morale, rout_intensity)
    new_control = np.empty((g_count, f_count))
    theatre._contest(control, local_power, intensity, first, second, decisiveness, mobility,
                     new_control)

    # losses where each force is outgunned, plus strikes on it; then recruits
    pressure = np.empty((g_count, f_count))
    theatre._losing_pressure(local_power, hostility, decisiveness, pressure)
    exposure = np.zeros(f_count)
    for g in range(g_count):
        for f in range(f_count):
            exposure[f] += deploy[g, f] * pressure[g, f]
    fighting = pairwise_sum(intensity[0]) / intensity.shape[1]
    reach = np.empty((g_count, f_count))
    theatre._reach(new_control, neighbour_mean, spill, reach)
    after = np.empty(len(manpower))
    for fo in range(len(manpower)):
        faction = faction_of_force[fo]
        losses = attrition * manpower[fo] * exposure[faction] * (0.5 + fighting)
        strength = _after_losses(manpower[fo], losses + strikes[0, fo] * manpower[fo])
        pool = 0.0
        for g in range(g_count):
            held = min(max(new_control[g, faction] + mobilisation[fo] * reach[g, faction], 0.0),
                       1.0)
            pool += population[g] * held
        holds_ground = pairwise_sum(new_control[:, faction]) > 0.01
        after[fo] = _recruited(strength, pool_rate[fo] * pool, recruits[0, fo], holds_ground,
                               pool_base[fo], manpower_cap[fo], recruitment[fo], decay[fo])
    return new_control, local_power, contribution[0], power[0], after, fighting


@njit(cache=True, error_model="numpy")
def _relations(contribution, joint, relations, anchor, agreements, hostility, risk, government,
               rate, joint_support, opposing_support, joint_talks, deconfliction, strikes,
               tolerance, competition, common_rival, sanctions, memory, target_state,
               target_faction, target_weight, target_owned_by_iran):
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
    n_count, f_count = contribution.shape
    share = np.empty((n_count, f_count))
    for f in range(f_count):
        total = 0.0
        for n in range(n_count):
            total += contribution[n, f]
        for n in range(n_count):
            share[n, f] = contribution[n, f] / max(total, 1e-9) if total > 1e-9 else 0.0
    weight = np.ones(f_count)
    weight[government] = 0.3 + risk
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
                1.0 if share[j, government] > 0.02 else 0.0))
            sanctions_ji = sanctions * (joint[j, SANCTIONS] * (
                1.0 if share[i, government] > 0.02 else 0.0))
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
def _influence_now(control, power, contribution, morale, government, relations, geo_weights,
                   area_share, threat_params, dependence_floor, capital_weight):
    """Each state's influence (N,) in the war as it stands: `payoffs._influence` with the
    government's need of its patrons from its threat now (at no alarm)."""
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
                              government, capital_weight, need)[0]


@njit(cache=True, error_model="numpy")
def _levers(joint, legitimacy, pressure, economy):
    """What the states' portfolios (N, A) do for the government in Damascus: diplomatic cover,
    economic pressure (sanctions) and relief (aid), each summed over all states and actions."""
    return (pairwise_sum((joint * legitimacy).ravel()), pairwise_sum((joint * pressure).ravel()),
            pairwise_sum((joint * economy).ravel()))


@njit(cache=True, error_model="numpy")
def _front_ratio(control, local_power, neighbour_mean):
    """The opposition's local power over the regime's on the opposition's fronts: the
    governorates where it holds ground or borders ground it holds."""
    g_count = control.shape[0]
    opposition = np.empty(g_count)
    regime = np.empty(g_count)
    count = 0
    for g in range(g_count):
        near = 0.0
        for h in range(g_count):
            near += neighbour_mean[g, h] * control[h, O]
        if control[g, O] > 0.02 or near > 0.02:
            opposition[count] = local_power[g, O]
            regime[count] = local_power[g, R]
            count += 1
    return pairwise_sum(opposition[:count]) / max(pairwise_sum(regime[:count]), 1e-9)


@njit(cache=True, error_model="numpy")
def _holding(weights, control, faction):
    """A faction's hold on some governorates: its control shares weighted by `weights`."""
    total = 0.0
    for g in range(control.shape[0]):
        total += weights[g] * control[g, faction]
    return total


@njit(cache=True, error_model="numpy")
def _regime_inputs(joint, legitimacy, pressure, economy, control, oil, oil_total, key, regime):
    """What the government's economy and its army's morale move on this month: the `_levers`
    of the states' portfolios, its hold on the oil governorates and on the key ones."""
    cover, squeeze, relief = _levers(joint, legitimacy, pressure, economy)
    return (cover, squeeze, relief, _holding(oil, control, regime) / oil_total,
            _holding(key, control, regime))


@njit(cache=True, error_model="numpy")
def _diplomacy_state(joint, government, control, local_power, neighbour_mean):
    """What diplomacy reads off the month: how far a ceasefire holds (`_ceasefire_level`),
    the deconfliction agreements (N, N) between states in the same sky that are willing to
    deconflict, and the opposition's force ratio on its fronts (`_front_ratio`)."""
    n_count, a_count = joint.shape
    level = _ceasefire_level(joint.copy().reshape((1, n_count, a_count)), government)[0]
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
    return level, agreements, _front_ratio(control, local_power, neighbour_mean)


@njit(cache=True, error_model="numpy")
def _month_end(contribution, joint, relations, anchor, agreements, hostility, key_share,
               regime_morale, government, danger, danger_fade, rate, joint_support,
               opposing_support, joint_talks, deconfliction, strikes, tolerance, competition,
               common_rival, sanctions, memory,
               collapse_key, collapse_morale, collapse_steepness, geo_weights, area_share,
               threat_params, dependence_floor, capital_weight, control, power, target_state,
               target_faction, target_weight, target_owned_by_iran):
    """The month's end: relations move (`_relations`, patrons of a government at risk of
    collapse competing less: `payoffs._collapse_risk`), and each state's influence now
    (`_influence_now`)."""
    risk = 0.0
    if government == R:
        risk = payoffs._collapse_risk(key_share, regime_morale, collapse_key, collapse_morale,
                                      collapse_steepness)
    risk = max(risk, danger * danger_fade)  # a danger the patrons lived through fades slowly
    moved = _relations(contribution, joint, relations, anchor, agreements, hostility, risk,
                       government, rate, joint_support, opposing_support, joint_talks,
                       deconfliction, strikes, tolerance, competition, common_rival, sanctions,
                       memory, target_state, target_faction, target_weight,
                       target_owned_by_iran)
    return moved, _influence_now(control, power, contribution, regime_morale, government,
                                 moved, geo_weights, area_share, threat_params,
                                 dependence_floor, capital_weight), risk


@njit(cache=True, error_model="numpy")
def _spend(joint, cost, availability):
    """What each state's portfolio (N, A) costs it, (N,): military assets drawn to other wars
    cost nothing."""
    paid = payoffs._as_paid(cost, availability)
    out = np.empty(joint.shape[0])
    for n in range(joint.shape[0]):
        out[n] = pairwise_sum(joint[n] * paid[n])
    return out
