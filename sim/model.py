"""The Syrian war as a Mesa model: six states, five armed forces, fourteen governorates.

Each month, in this order: outside shocks land; every state weighs its options on what the
others did last month and chooses; the forces fight and recruit; the regime's economy and
morale move; diplomacy happens (UN drafts and vetoes, talks, ceasefires, deconfliction); the
regime falls if its hold on the key governorates and its morale have both given way; relations
follow from behaviour. Nothing is scripted: a scenario only adds shocks and forbids actions.

Each mechanism lives in its module with its compiled kernels (numba): the shock calendar
(sim/shocks.py), the choice (sim/decisions.py, on the terms of sim/payoffs.py), the fight and
the projection (sim/theatre.py), the regime (sim/regime.py), diplomacy (sim/diplomacy.py) and
relations (sim/relations.py). This module only calls them in the month's order. Events and all
random draws stay in Python, drawn from `self.rng` in the same order as ever, so a seed gives
the same run.
"""

from __future__ import annotations

import heapq
from typing import Any

import numpy as np
from mesa import Model
from mesa.time import Event

from sim import (
    decisions,
    diplomacy,
    foreign_fighters,
    payoffs,
    regime,
    relations,
    shocks,
    strikes,
    theatre,
)
from sim.agents import ArmedForce, StateActor
from sim.reporters import Collector
from sim.scenario import ScenarioSpec, with_overrides
from sim.vocabulary import (
    ACTIONS,
    FACTIONS,
    FORCES,
    ISRAEL,
    PAIR_NAMES,
    PAIRS,
    STATES,
    SUCC,
    TERMS,
    A,
    R,
    S,
    month_label,
)

N, NA, NF, NFO = len(STATES), len(ACTIONS), len(FACTIONS), len(FORCES)


class SyriaModel(Model):
    """The war in Syria from a scenario's start month to its end month, one step a month.

    `scenario`: a scenario's name (a file in scenarios/, or a path) or a loaded one.
    `overrides`: parameter or shock paths and their values, as `run.py --set` takes them
    (`{"choice.temperature": 0.1, "shocks.ukraine_war.enabled": False}`); keyword
    `parameters` are the same with `__` for the dots (`choice__temperature=0.1`), so that
    `mesa.batch_run(SyriaModel, parameters={...})` sweeps them. Every value goes through the
    one scenario loader and its validation. `record` names the series the DataCollector keeps
    each month (`REPORTERS`; all of them unless told).
    """

    def __init__(self, scenario: ScenarioSpec | str = "full_2011_2025",
                 overrides: dict[str, Any] | None = None, rng=None,
                 record: tuple[str, ...] | None = None, **parameters: Any) -> None:
        super().__init__(rng=rng)
        # not `self.scenario`: Mesa's Model owns that name (and ties its object to the model)
        self.spec = sc = with_overrides(scenario, {
            **(overrides or {}), **{k.replace("__", "."): v for k, v in parameters.items()}})
        self.params = sc.params
        self.geo = theatre.load_geography()
        init = sc.initial
        self.month = sc.start - 1  # the first step is the start month
        self.end = sc.end
        self.control = np.array([[init["control"][g].get(f, 0.0) for f in FACTIONS]
                                 for g in self.geo.names])
        self.government = F_GOV[init["government"]]
        self.economy = init["economy"]
        self.talks = diplomacy.Diplomacy(negotiating=np.zeros(N), ceasefire=init["ceasefire"],
                                         agreements=np.zeros((N, N)), un_pressure=0.0,
                                         vetoes=init["vetoes"])
        self.relations = np.eye(N)
        for name, (i, j) in zip(PAIR_NAMES, PAIRS, strict=True):
            self.relations[i, j] = self.relations[j, i] = init["relations"][name]
        self.anchor = self.relations.copy()  # standing alignments the index returns to

        self.forces = {
            name: ArmedForce(self, name, self.params[name], init["manpower"][name],
                             theatre.FORCE_FACTION[name])
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
        # combat forces a state has ordered in arrive `deployment_lag` months later
        self._orders = decisions.Orders.of(self.states, self.params)
        self.menus = decisions.Menus.from_mask(
            np.stack([self.states[s].menu for s in STATES]))
        self.base_weights = np.array([[self.params[s]["weights"][t] for t in TERMS[:3]]
                                      for s in STATES])
        # what the shocks put in force, from the month before the first step to the last
        self.shocks = shocks.Calendar(sc.shocks).in_force(
            sc.start - 1, sc.end, self.base_weights,
            self.params["other_wars"]["availability_floor"],
            self.params["losses"]["blow_quality_cap"],
            self.params["other_wars"]["return_rate"])
        self.forbid = sc.forbid
        never = frozenset((rule["actor"], rule["action"]) for rule in self.forbid
                          if rule["start_index"] is None and rule["end_index"] is None)
        # the kernels' parameters, named and fixed for the run (the dependence floor and the
        # effects of actions change with the government)
        self.theatre = theatre.TheatreParams.from_params(self.params, self.geo, never)
        self.effects = theatre.action_effects(self.params, self.geo, self.government)
        self.fx = theatre.Effects.of(self.effects, self.params["regime"]["economy_weight"])
        self.force_params = theatre.ForceParams.from_params(self.params)
        self.choice = decisions.ChoiceParams.from_params(self.params)
        payoff_geo = theatre.payoff_geo(self.geo)
        self.payoff_params = payoffs.PayoffParams.from_params(self.params, payoff_geo)
        self.relation_params = relations.RelationParams.from_params(
            self.params, payoff_geo, self.theatre.hostility)
        self._floor = self.payoff_params.dependence_floor
        self._danger = 0.0  # the patrons' shared sense of the danger to the regime
        self._forbidden_in: dict[int, np.ndarray] = {}
        self.events: list[tuple[int, str, str, str, str]] = []
        self.local_power = np.zeros_like(self.control)
        self.contribution = np.zeros((N, NF))  # each state's part of each faction's power
        self.power = np.zeros(NF)  # each faction's power (both set by each month's fight)
        self.backed = np.zeros((N, NF))  # `contribution` summed over the war (the succession)
        # the most each state has added to the regime's power in a month, at full availability
        self.capacity = np.zeros(N)
        self._reserve = 0.0  # what the patrons could still add this month (`update_regime`)
        # volunteers from abroad (`foreign_fighters`): each force's flow at its height, and the
        # largest share of Syria its faction has held so far
        self._flow = np.array([float(self.params[f]["foreign_flow"]) for f in FORCES])
        self._peak = np.zeros(len(FORCES))
        self.key_share = self._key_share()
        self.datacollector = Collector(record)
        self._influence = np.zeros(N)
        self.strike_count = 0  # Israel's strikes this month (`strike`)
        self._in_theatre: np.ndarray | None = None  # the joint portfolio as it last fought
        self._foreseen: tuple | None = None  # (fx, the pack Israel weighs: `_weighed_fx`)
        self._pack_government()
        self._consolidate()
        if init.get("shown") and self.government == R:
            # the help the patrons showed before the run began (params/initial, `shown`)
            shown = np.zeros((N, NA))
            for state, actions in init["shown"].items():
                shown[S[state], [A[a] for a in actions]] = 1.0
            # a state that sent nothing has shown nothing, whatever its forces add
            self.capacity = np.where(shown.any(axis=1), theatre.shown_capacity(
                shown, theatre.war_now(self), self.fx, self.theatre), 0.0)

    # --- building blocks --------------------------------------------------------------------

    def _consolidate(self) -> None:
        """The government's need of its patrons however safe it is, this month
        (`regime.dependence_floor`), into the kernels' arguments."""
        floor = regime.dependence_floor(self.params["theatre"], self.fallen_at, self.month)
        if floor != self._floor:
            self._floor = floor
            self.payoff_params = self.payoff_params._replace(dependence_floor=floor)
            self.relation_params = self.relation_params._replace(dependence_floor=floor)

    def _pack_government(self) -> None:
        """What changes only when the government does (`theatre.Allegiances`)."""
        sides = theatre.Allegiances.of({f: self.forces[f].faction for f in FORCES},
                                       self.government, self.params)
        self._sides = sides

    def _key_share(self) -> float:
        return regime._holding(self.geo.key, self.control, self.government)

    def joint_portfolio(self) -> np.ndarray:
        return np.stack([self.states[s].portfolio for s in STATES])

    def _forbidden(self) -> np.ndarray:
        """(N, A): 1 where the scenario takes an action off a state's menu this month."""
        if self.month not in self._forbidden_in:
            self._forbidden_in[self.month] = decisions.forbidden(self.forbid, self.month)
        return self._forbidden_in[self.month]

    def event(self, actor: str, event: str, target: str = "", detail: str = "") -> None:
        self.events.append((self.steps, actor, event, target, detail))

    # --- the month --------------------------------------------------------------------------

    def _wrapped_step(self) -> None:
        """Mesa's step, while the months are all that is scheduled (always, here): the month's
        event moves on in place, with the id Mesa's next would take, instead of being popped,
        made anew (an Event, a weak reference) and pushed, 5 us a month."""
        schedule, queue = self._default_schedule, self._event_list._events
        event = schedule._current_event
        if not (len(queue) == 1 and queue[0] is event and event.time == self.time + 1
                and schedule._active and not schedule._paused):
            return super()._wrapped_step()
        self.time, self.steps = event.time, self.steps + 1
        self._user_step()
        schedule._execution_count += 1
        event.time, event.unique_id = self.time + 1, next(Event._ids)
        if len(queue) > 1:  # the month scheduled something: what is due now runs, as in Mesa
            heapq.heapify(queue)
            while queue[0].time <= self.time:
                heapq.heappop(queue).execute()

    def step(self) -> None:
        self.month += 1
        for landing in self.shocks.landing(self.month):
            self.event("world", "shock", landing.target, landing.name)
            theatre.land(self, landing)
        if self.fallen_at is not None:
            self._consolidate()
        self.decide()
        self.strike()
        self.fight()
        self.update_regime()
        self.diplomacy()
        if self.government == R:
            self.check_collapse()
        self.update_relations()
        self.datacollector.collect(self)
        if self.month >= self.end:
            self.running = False

    def decide(self) -> None:
        """Every state weighs its alternatives at once, on what the others did last month
        (the mechanism: `decisions._decide`; the logit choice's draws come from `self.rng`)."""
        self._war = war = theatre.war_now(self)
        draws = self.rng.random(N)
        # Israel weighs its strike action at the strikes it would fly now (`strikes.foreseen`)
        sky = self.joint_portfolio() if self._in_theatre is None else self._in_theatre
        expected = strikes.rate_now(
            sky, war.manpower,
            war.morale, war.owner, war.availability, self.control, self.geo.corridor,
            self.talks.agreements, self._salience(ISRAEL), self.government, self.params)
        weighed, self._joint, self._chosen_terms, positions, actions = decisions.decide(
            decisions.held(self), self._forbidden(), draws, self.menus, self.choice, war,
            self._weighed_fx(expected), self.theatre, self.payoff_params,
            self.shocks.demand(self.month), self.shocks.weights(self.month))
        decisions.take_up(self, weighed, positions, actions)
        self._in_theatre = decisions.arrived(self, self._joint)

    def _weighed_fx(self, expected: float) -> theatre.Effects:
        """The action effects Israel weighs this month (`strikes.foreseen`), in the one pack
        kept for the government's `fx` (made again when `fx` is)."""
        if self._foreseen is None or self._foreseen[0] is not self.fx:
            self._foreseen = (self.fx, strikes.foreseen(self.fx, expected))
            return self._foreseen[1]
        return strikes.foreseen(self.fx, expected, into=self._foreseen[1])

    def strike(self) -> None:
        """How many strikes Israel flies this month where it holds its strike action (the
        mechanism: `strikes.month`; the count is drawn from `self.rng`); their effect on the
        fight scales with the count."""
        war = self._war
        self.strike_count, _, self._in_theatre = strikes.month(
            self._in_theatre, war.manpower, war.morale, war.owner,
            war.availability, self.control, self.geo.corridor, self.talks.agreements,
            self._salience(ISRAEL), self.government, self.params, self.rng)

    def _salience(self, n: int) -> float:
        """How much more state `n` weighs its survival term this month than usual, against
        its other terms (a salience shock's factor, whatever the weights' renormalisation:
        the `gaza_war` shock on Israel)."""
        now, usual = self.shocks.weights(self.month)[n], self.base_weights[n]
        return float((now[0] / (now[1] + now[2])) / (usual[0] / (usual[1] + usual[2])))

    def fight(self) -> None:
        """The month's fighting: local power with the fog of war, the contest, losses, recruits
        (the mechanism: `theatre._fight`; the fog is drawn here, from `self.rng`)."""
        fog = self.rng.standard_normal((len(self.geo.names), NF))
        mobility = 1.0 - (1.0 - self.theatre.mobility) ** 1.0  # as over a horizon of one month
        (self.control, self.local_power, self.contribution, self.power, manpower,
         self.fighting) = theatre.fight(self._in_theatre, fog, mobility, self._war, self.fx,
                                        self.theatre, self.force_params)
        if self._flow.any():  # fighters from abroad, as the month's ground leaves the flow
            manpower, self._peak = foreign_fighters.after_the_month(
                manpower, self._flow, self.control, self._area_share,
                self._sides.faction_of_force, self._peak)
        for force, strength in zip(self.forces.values(), manpower.tolist(), strict=True):
            force.manpower = strength
        if self.government == R:
            self.backed, self.capacity = regime.backing_after(
                self.backed, self.capacity, self.contribution, self.shocks.availability(self.month))

    def update_regime(self) -> None:
        """The government's treasury and its army's morale (`regime.update`), on the odds its
        army sees with what its patrons could still add (`theatre.backing_odds`,
        `regime.patrons_reserve`; the opposition weighs the same reserve, `diplomacy`)."""
        odds = 0.5
        if self.government == R:
            self._reserve = regime.patrons_reserve(self.capacity, self.contribution[:, R],
                                                   self.shocks.availability(self.month))
            odds = theatre.backing_odds(self.power, self._reserve, self.theatre.hostility,
                                        self.theatre.decisiveness)
        regime.update(self, odds)

    def diplomacy(self) -> None:
        """Talks and ceasefires, deconfliction, strikes, UN drafts (`diplomacy.Diplomacy`);
        and the opposition's choice of the offensive: its force ratio against the response
        the regime's patrons could still send (`regime.patrons_reserve`)."""
        ratio = self.talks.month(self._joint, self.government, self.control, self.local_power,
                                 self.theatre, self.shocks.atrocity(self.month),
                                 self.relations, self.params, self.rng, self.event,
                                 counted={ISRAEL: self.strike_count})
        if self.government == R:  # the patrons' reserve of this month (`update_regime`)
            self.forces["opposition"].weigh_offensive(ratio,
                                                      self._reserve / max(self.power[R], 1e-9))

    def check_collapse(self) -> None:
        """The regime falls when it has lost enough of the key governorates and its army's
        morale has given way; a successor government takes over and the run goes on."""
        army = self.forces["regime"]
        if not regime.has_fallen(self.key_share, army.morale, self.params["regime"]):
            return
        regime.succession(self)
        self.effects = theatre.action_effects(self.params, self.geo, self.government)
        self.fx = theatre.Effects.of(self.effects, self.params["regime"]["economy_weight"])
        self._pack_government()
        self._joint = self.joint_portfolio()
        self.key_share = self._key_share()
        self._consolidate()

    def update_relations(self) -> None:
        """The cooperation index moves towards what the month's behaviour signals (the
        mechanism: `_relations`); and each state's influence now, for the record."""
        self.relations, self._influence, self._danger = relations.month_end(
            self.relation_params, self.contribution, self._joint, self.relations, self.anchor,
            self.talks.agreements, float(self.key_share), float(self.forces["regime"].morale),
            self.government, self._danger, self.control, self.power,
            self._sides.strike_targets)

    # --- reading the model ------------------------------------------------------------------

    @property
    def date(self) -> str:
        return month_label(self.month)

    def spend(self, joint: np.ndarray | None = None) -> np.ndarray:
        """What each state's portfolio costs it, USD bn/yr (of `joint`, by default the
        portfolios the states hold now); military assets drawn to other wars cost nothing."""
        joint = self.joint_portfolio() if joint is None else joint
        return theatre._spend(np.ascontiguousarray(joint, dtype=float), self.fx.cost,
                              self.shocks.availability(self.month))


F_GOV = {"regime": R, "successor": SUCC}
