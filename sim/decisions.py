"""How states choose: the alternatives they weigh each month and the logit choice among them.

Each month a state may keep its portfolio or change one action on its menu: add it, drop it,
or withdraw all combat forces at once. All states' alternatives are weighed together as one
batch of joint portfolios (each alternative changes one state's row, others as last month),
and each state picks among its own by a logit on utility (bounded rationality: McFadden 1974;
logit-response dynamics, Blume 1993). Changing one action a month gives policy inertia.

Both steps are compiled kernels (`_alternatives`, `_choose`), called by the model's decision
kernel (`_decide`).
"""

from __future__ import annotations

import operator
from typing import NamedTuple

import numpy as np
from numba import njit

from sim.numeric import boundary, pairwise_sum
from sim.payoffs import _as_paid, _utility, _weigh_terms
from sim.theatre import _situation
from sim.vocabulary import (
    ACTIONS,
    AIR,
    COMBAT,
    COMBAT_INDEX,
    DECONFLICTION,
    STATES,
    WITHDRAWAL,
    A,
    S,
)


class Menus(NamedTuple):
    """Every (state, action) a state could change this month, fixed for a run."""

    state: np.ndarray  # (T,) which state a change belongs to
    action: np.ndarray  # (T,) which action it changes
    deconfliction: np.ndarray  # (N,) whether each state has deconfliction on its menu

    @classmethod
    def from_mask(cls, menu: np.ndarray) -> Menus:
        state, action = np.nonzero(menu)
        has = np.zeros(menu.shape[0], dtype=bool)
        has[state[action == DECONFLICTION]] = True
        return cls(state=state, action=action, deconfliction=has)


class ChoiceParams(NamedTuple):
    """How states choose (`from_params`): the logit's temperature, the costs of changing
    course and of entering the war, and the horizon states project over (months, and the
    contest's mobility over that many months)."""

    temperature: float
    switching_cost: float
    entry_cost: np.ndarray  # (N,)
    months: float
    mobility: float

    @classmethod
    def from_params(cls, params: dict) -> ChoiceParams:
        c = params["choice"]
        horizon = c["horizon"]
        return cls(temperature=float(c["temperature"]),
                   switching_cost=float(c["switching_cost"]),
                   entry_cost=np.array([params[s]["entry_cost"] for s in STATES], dtype=float),
                   months=float(horizon),
                   mobility=1.0 - (1.0 - params["theatre"]["mobility"]) ** horizon)


class Alternatives(NamedTuple):
    """The batch of joint portfolios weighed this month: row 0 is everyone keeping theirs."""

    portfolios: np.ndarray  # (K, N, A)
    owner: np.ndarray  # (K,) the state whose alternative the row is; -1 for row 0
    action: np.ndarray  # (K,) the action changed; -1 for row 0
    entering: np.ndarray  # (K,) the row takes a state from no combat into combat


@njit(cache=True, error_model="numpy")
def _alternatives(joint, forbidden, cost, cap, menu_state, menu_action, deconfliction):
    """Keep, or change one action: the joint portfolio with forbidden actions dropped, and the
    alternatives as (portfolios (K, N, A), owner, action, entering) with row 0 keeping all.

    An alternative that spends more than a state's budget left after other theatres is out
    unless it spends less than now; a forbidden action is never added; withdrawal is offered
    only to a state with combat forces in Syria, and takes them all out.
    """
    n_count, a_count = joint.shape
    joint = joint * (1.0 - forbidden)
    in_combat = np.zeros(n_count, dtype=np.bool_)
    spend_now = np.empty(n_count)
    paid = np.empty(a_count)  # one state's spending by action, summed as numpy sums
    for n in range(n_count):
        for a in range(a_count):
            if COMBAT[a] and joint[n, a] > 0:
                in_combat[n] = True
            paid[a] = joint[n, a] * cost[n, a]
        spend_now[n] = pairwise_sum(paid)
    count = len(menu_state)
    portfolios = np.empty((count + 1, n_count, a_count))
    owner = np.full(count + 1, -1, dtype=np.int64)
    action = np.full(count + 1, -1, dtype=np.int64)
    entering = np.zeros(count + 1, dtype=np.bool_)
    portfolios[0] = joint
    k = 1
    for t in range(count):
        n, a = menu_state[t], menu_action[t]
        on = joint[n, a] > 0
        is_withdrawal = a == WITHDRAWAL
        if not (in_combat[n] if is_withdrawal else (on or forbidden[n, a] == 0)):
            continue
        row = portfolios[k]
        row[:] = joint
        row[n, a] = 0.0 if on or is_withdrawal else 1.0
        if is_withdrawal:
            for b in range(a_count):
                if COMBAT[b]:
                    row[n, b] = 0.0
        # a state taking to Syria's sky seeks deconfliction with it (record row 15: the
        # Israel-Russia mechanism was agreed on 21 Sep 2015, nine days before the first
        # Russian strikes)
        if not on and AIR[a] and deconfliction[n] and forbidden[n, DECONFLICTION] == 0:
            row[n, DECONFLICTION] = 1.0
        for b in range(a_count):
            paid[b] = row[n, b] * cost[n, b]
        spend = pairwise_sum(paid)
        if not (spend <= cap[n] or spend <= spend_now[n]):
            continue  # unaffordable: the row is overwritten by the next one
        owner[k], action[k] = n, a
        if not in_combat[n]:
            for b in range(a_count):
                if COMBAT[b] and row[n, b] > 0:
                    entering[k] = True
        k += 1
    return joint, portfolios[:k], owner[:k], action[:k], entering[:k]




@njit(cache=True, error_model="numpy")
def _choose(utility, owner, n_states, temperature, draws):
    """Each state's logit choice among keeping (row 0) and its own alternatives, given one
    uniform draw per state. Returns the chosen row per state, where it stands among the rows
    the state weighed, those rows (flat, state s at starts[s]:starts[s + 1]) and their
    probabilities (flat likewise)."""
    k_count = len(owner)
    starts = np.zeros(n_states + 1, dtype=np.int64)
    for s in range(n_states):
        size = 1
        for k in range(k_count):
            if owner[k] == s:
                size += 1
        starts[s + 1] = starts[s] + size
    flat_rows = np.zeros(starts[n_states], dtype=np.int64)
    u = np.empty(starts[n_states])
    for s in range(n_states):
        i = starts[s] + 1
        for k in range(k_count):
            if owner[k] == s:
                flat_rows[i] = k
                i += 1
        for i in range(starts[s], starts[s + 1]):
            u[i] = utility[flat_rows[i], s]
    probability = np.empty(len(u))
    cumulative = np.empty(len(u))
    running = 0.0
    for s in range(n_states):
        best = u[starts[s]]
        for i in range(starts[s], starts[s + 1]):
            best = max(best, u[i])
        for i in range(starts[s], starts[s + 1]):
            probability[i] = np.exp((u[i] - best) / temperature)
        # summed as numpy's add.reduceat does: the first, plus the rest pairwise
        total = probability[starts[s]] + pairwise_sum(probability[starts[s] + 1:starts[s + 1]])
        for i in range(starts[s], starts[s + 1]):
            probability[i] = probability[i] / total
            running += probability[i]
            cumulative[i] = running  # one running sum over all states' rows, as drawn on
    chosen = np.empty(n_states, dtype=np.int64)
    picked = np.empty(n_states, dtype=np.int64)
    for s in range(n_states):
        first, last = starts[s], starts[s + 1] - 1
        before = cumulative[first - 1] if first > 0 else 0.0
        draw = before + draws[s] * (cumulative[last] - before)
        position = np.searchsorted(cumulative, draw, side="right")
        chosen[s] = flat_rows[min(position, last)]
        picked[s] = min(position, last) - first
    return chosen, picked, flat_rows, starts, probability


# --- the month's choice ----------------------------------------------------------------------


@njit(cache=True, error_model="numpy")
def _weigh(portfolios, owner, months, mobility, war, fx, tp, pp, demand, weights):
    """Payoff terms (K, N, 5) of every state under each joint portfolio (K, N, A), `months`
    ahead: the situation each portfolio leads to (`theatre._situation`), weighed by
    `payoffs._weigh_terms`, each state's only on row 0 and its own rows (`owner`). Money other
    theatres take (`demand`) makes spending in Syria dearer."""
    projection = _situation(portfolios, months, mobility, war, fx, tp)
    return _weigh_terms(portfolios, projection, war.government, war.relations, pp,
                        demand / pp.budget, weights, owner)


@njit(cache=True, error_model="numpy")
def _decide(joint, forbidden, draws, menus, choice, war, fx, tp, pp, demand, weights):
    """The month's choice: every state's alternatives (`_alternatives`: keep, or
    change one action it can afford), weighed together (`_weigh`), made utilities
    (`payoffs._utility`) and chosen among by the logit (`_choose`, on `draws`). Military
    assets drawn to other wars cost nothing here; other theatres' `demand` leaves less of the
    budget. Returns the joint portfolio with forbidden actions dropped, the alternatives
    (portfolios, owner, action, entering), the chosen rows' positions among each state's, the
    rows each state weighed (flat, from `starts`), their probabilities and their terms (flat);
    and what each state chose: its portfolio (the chosen joint portfolio, (N, A)), the action
    it changes (-1 for none) and its terms (N, 5), picked here rather than by numpy's fancy
    indexing in Python."""
    n_count = joint.shape[0]
    cost = _as_paid(fx.cost, war.availability)
    held, portfolios, changer, changed, entering = _alternatives(
        joint, forbidden, cost, pp.budget - demand, menus.state, menus.action,
        menus.deconfliction)
    terms = _weigh(portfolios, changer, choice.months, choice.mobility, war, fx, tp, pp, demand,
                   weights)
    utility = _utility(terms, changer, entering, choice.entry_cost, choice.switching_cost)
    chosen, positions, rows, starts, probability = _choose(
        utility, changer, n_count, choice.temperature, draws)
    weighed_terms = np.empty((len(rows), terms.shape[2]))
    for s in range(n_count):
        for i in range(starts[s], starts[s + 1]):
            weighed_terms[i] = terms[rows[i], s]
    joint_chosen = np.empty_like(joint)
    action_chosen = np.empty(n_count, dtype=np.int64)
    terms_chosen = np.empty((n_count, terms.shape[2]))
    for s in range(n_count):
        joint_chosen[s] = portfolios[chosen[s], s]
        action_chosen[s] = changed[chosen[s]]
        terms_chosen[s] = weighed_terms[starts[s] + positions[s]]
    return (held, portfolios, changer, changed, entering, positions, rows, starts, probability,
            weighed_terms, joint_chosen, action_chosen, terms_chosen)


_decide_entry = boundary(_decide)  # the kernel as Python calls it (`numeric.boundary`)


class Weighed(NamedTuple):
    """What the states weighed in a month, one record for all of them: each `StateActor`
    reads its own part (`starts[n]:starts[n + 1]` of the flat arrays) only when asked."""

    held: np.ndarray  # (N, A) the joint portfolio held, forbidden actions dropped
    alternatives: Alternatives
    rows: np.ndarray  # the rows of `alternatives` each state weighed, flat
    starts: list[int]  # (N + 1,) where each state's rows start
    probability: np.ndarray  # each weighed row's probability, flat
    terms: np.ndarray  # each weighed row's payoff terms for its state, flat (rows, 5)


def decide(*args) -> tuple[Weighed, np.ndarray, np.ndarray, list[int], list[int]]:
    """The month's choice (`_decide`'s arguments): what was weighed, the chosen joint
    portfolio (N, A), each state's terms as chosen (N, 5), and each state's position among
    the rows it weighed and the action it changes (-1 for none), as lists."""
    (held, portfolios, owner, action, entering, positions, rows, starts, probability,
     terms, joint, changed, chosen_terms) = _decide_entry(*args)
    weighed = Weighed(held, Alternatives(portfolios, owner, action, entering), rows,
                      starts.tolist(), probability, terms)
    return weighed, joint, chosen_terms, positions.tolist(), changed.tolist()


def held(model) -> np.ndarray:
    """The joint portfolio (N, A) the states hold: the one chosen last month, unless a
    state's portfolio has been replaced since (`take_up` keeps the rows it gave them)."""
    views = model._views
    if views is not None and all(map(operator.is_, (actor.portfolio for actor in
                                                    model.states.values()), views)):
        return model._joint
    return model.joint_portfolio()


def take_up(model, weighed: Weighed, positions: list[int], actions: list[int]) -> None:
    """Each state remembers what it weighed (`StateActor.remember`) and takes up its row of
    the month's chosen joint portfolio, `model._joint` (`StateActor.enact`)."""
    model._views = views = list(model._joint)
    for actor, view, position, action in zip(model.states.values(), views, positions, actions,
                                             strict=True):
        actor.remember(weighed, position)
        actor.enact(view, action)


class Orders(NamedTuple):
    """When each state last ordered each action in (`ordered`, (N, A) months) and how many
    months its combat forces take to arrive (`lag`, (N,)). The rows of `ordered` are the
    states' own `StateActor.ordered` (views), so `arrived` reads them without stacking them
    every month."""

    ordered: np.ndarray
    lag: np.ndarray

    @classmethod
    def of(cls, states: dict, params: dict) -> Orders:
        ordered = np.stack([states[s].ordered for s in STATES])
        for n, state in enumerate(STATES):
            states[state].ordered = ordered[n]  # `enact` writes into the row
        return cls(ordered, np.array([params[s]["deployment_lag"] for s in STATES]))


def forbidden(rules: list[dict], month: int) -> np.ndarray:
    """(N, A): 1 where a scenario's `forbid` rules take an action off a state's menu in
    `month`."""
    mask = np.zeros((len(STATES), len(ACTIONS)))
    for rule in rules:
        after = rule["start_index"] is None or month >= rule["start_index"]
        before = rule["end_index"] is None or month <= rule["end_index"]
        if after and before:
            mask[S[rule["actor"]], A[rule["action"]]] = 1.0
    return mask


@njit(cache=True, error_model="numpy")
def _on_their_way(ordered, lag, month):
    """Whether any combat force ordered in (`Orders`) is still on its way in `month` (asked
    of a compiled loop: numpy's arithmetic on the small (N, A) arrays cost 3-5 us a month,
    and the answer is nearly always no)."""
    for n in range(ordered.shape[0]):
        for a in COMBAT_INDEX:
            if month - ordered[n, a] < lag[n]:
                return True
    return False


def arrived(model, joint: np.ndarray) -> np.ndarray:
    """The joint portfolio as it fights this month: combat forces ordered in less than
    the state's `deployment_lag` months ago are still on their way (their cost is paid,
    and diplomacy knows of them: record rows 22, 15, 16). A state's first combat forces
    to arrive are its military intervention."""
    orders, month = model._orders, model.month
    fighting = joint
    if _on_their_way(orders.ordered, orders.lag, month):
        fighting = np.where((month - orders.ordered < orders.lag[:, None]) & COMBAT, 0.0, joint)
    for n, actor in enumerate(model.states.values()):
        if actor.intervened is None and actor.name != "syria":
            row = fighting[n]  # read item by item: cheaper than numpy's fancy indexing
            entered = [ACTIONS[a] for a in COMBAT_INDEX if row[a]]
            if entered:
                actor.intervened = month
                model.event(actor.name, "military_intervention", "syria", "+".join(entered))
    return fighting
