"""How states choose: the alternatives they weigh each month and the logit choice among them.

Each month a state may keep its portfolio or change one action on its menu: add it, drop it,
or withdraw all combat forces at once. All states' alternatives are weighed together as one
batch of joint portfolios (each alternative changes one state's row, others as last month),
and each state picks among its own by a logit on utility (bounded rationality: McFadden 1974;
logit-response dynamics, Blume 1993). Changing one action a month gives policy inertia.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.vocabulary import ACTIONS, COMBAT_ACTIONS

WITHDRAWAL = ACTIONS.index("withdrawal")
DECONFLICTION = ACTIONS.index("deconfliction")
INTO_THE_AIR = np.array([a in ("air_campaign", "strike_rival") for a in ACTIONS])
COMBAT = np.array([a in COMBAT_ACTIONS for a in ACTIONS])


@dataclass(frozen=True)
class Menus:
    """Every (state, action) a state could change this month, fixed for a run."""

    state: np.ndarray  # (T,) which state a change belongs to
    action: np.ndarray  # (T,) which action it changes

    @classmethod
    def from_mask(cls, menu: np.ndarray) -> Menus:
        state, action = np.nonzero(menu)
        return cls(state=state, action=action)


@dataclass(frozen=True)
class Alternatives:
    """The batch of joint portfolios weighed this month: row 0 is everyone keeping theirs."""

    portfolios: np.ndarray  # (K, N, A)
    owner: np.ndarray  # (K,) the state whose alternative the row is; -1 for row 0
    action: np.ndarray  # (K,) the action changed; -1 for row 0
    entering: np.ndarray  # (K,) the row takes a state from no combat into combat


def alternatives(joint: np.ndarray, menus: Menus, forbidden: np.ndarray, cost: np.ndarray,
                 cap: np.ndarray) -> tuple[np.ndarray, Alternatives]:
    """Keep, or change one action. Returns the joint portfolio with forbidden actions dropped,
    and the alternatives.

    An alternative that spends more than a state's budget left after other theatres is out
    unless it spends less than now; a forbidden action is never added; withdrawal is offered
    only to a state with combat forces in Syria, and takes them all out.
    """
    joint = joint * (1.0 - forbidden)
    in_combat = (joint[:, COMBAT] > 0).any(axis=1)
    n, a = menus.state, menus.action
    on = joint[n, a] > 0
    is_withdrawal = a == WITHDRAWAL
    valid = np.where(is_withdrawal, in_combat[n], on | (forbidden[n, a] == 0))
    n, a, on, is_withdrawal = n[valid], a[valid], on[valid], is_withdrawal[valid]
    rows = np.repeat(joint[None], len(n), axis=0)
    index = np.arange(len(n))
    rows[index, n, a] = np.where(on | is_withdrawal, 0.0, 1.0)
    rows[index[is_withdrawal], n[is_withdrawal]] *= ~COMBAT
    # a state taking to Syria's sky seeks deconfliction with it (record row 15: the Israel-Russia
    # mechanism was agreed on 21 Sep 2015, nine days before the first Russian strikes)
    airborne = (~on & INTO_THE_AIR[a] & menus_has(menus, n, DECONFLICTION)
                & (forbidden[n, DECONFLICTION] == 0))
    rows[index[airborne], n[airborne], DECONFLICTION] = 1.0
    spend_now = (joint * cost).sum(axis=1)
    spend = (rows[index, n] * cost[n]).sum(axis=1)
    affordable = (spend <= cap[n]) | (spend <= spend_now[n])
    rows, n, a = rows[affordable], n[affordable], a[affordable]
    entering = ~in_combat[n] & (rows[np.arange(len(n)), n][:, COMBAT] > 0).any(axis=1)
    return joint, Alternatives(
        portfolios=np.concatenate([joint[None], rows]),
        owner=np.concatenate([[-1], n]),
        action=np.concatenate([[-1], a]),
        entering=np.concatenate([[False], entering]),
    )


def menus_has(menus: Menus, states: np.ndarray, action: int) -> np.ndarray:
    """Whether each given state has `action` on its menu."""
    has = np.zeros(int(menus.state.max()) + 1, dtype=bool)
    has[menus.state[menus.action == action]] = True
    return has[states]


def choose(utility: np.ndarray, owner: np.ndarray, n_states: int, temperature: float,
           rng: np.random.Generator) -> tuple[np.ndarray, list[np.ndarray], list[np.ndarray]]:
    """Each state's logit choice among keeping (row 0) and its own alternatives.

    utility: (K, N), each state's utility under each row. Returns the chosen row per state,
    and per state the rows it weighed and their probabilities (for the "why" panel).
    """
    rows = [np.concatenate([[0], np.nonzero(owner == s)[0]]) for s in range(n_states)]
    group = np.concatenate([np.full(len(r), s) for s, r in enumerate(rows)])
    flat_rows = np.concatenate(rows)
    u = utility[flat_rows, group]
    starts = np.cumsum([0] + [len(r) for r in rows[:-1]])
    best = np.maximum.reduceat(u, starts)
    weight = np.exp((u - best[group]) / temperature)
    total = np.add.reduceat(weight, starts)
    probability = weight / total[group]
    cumulative = np.cumsum(probability)
    before = np.concatenate([[0.0], cumulative])[starts]
    draws = before + rng.random(n_states) * (cumulative[starts + [len(r) - 1 for r in rows]]
                                             - before)
    position = np.searchsorted(cumulative, draws, side="right")
    position = np.minimum(position, starts + np.array([len(r) - 1 for r in rows]))
    chosen = flat_rows[position]
    split = np.split(probability, starts[1:])
    return chosen, rows, split
