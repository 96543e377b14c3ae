"""The agents: six states that choose action portfolios, and the armed forces on the ground.

Each agent is the home of its state and of its own behaviour. A state holds its portfolio,
enacts the change it chose (`StateActor.enact`: the events, the orders of combat forces on
their way) and remembers the options it weighed (sim/decisions.py), so that "why did Russia
intervene?" can be read off the agent. A force holds its manpower, quality, morale and the
faction it fights for; the opposition decides its offensive itself (`weigh_offensive`). The
joint arithmetic of all of them each month is done by the compiled kernels of their
mechanisms (sim/theatre.py, sim/regime.py), which read the agents' numbers as arrays.
"""

from __future__ import annotations

import numpy as np
from mesa import Agent

from sim.vocabulary import ACTIONS, COMBAT_ACTIONS, COMBAT_INDEX, FORCES, TERMS, A


class StateActor(Agent):
    """A state (Iran, Israel, Russia, Syria, Turkey, the US) acting on realist payoffs."""

    def __init__(self, model, name: str, index: int, params: dict, portfolio: list[str]) -> None:
        super().__init__(model)
        self.name = name
        self.index = index
        self.params = params
        self.menu = np.array([a in params["menu"] for a in ACTIONS], dtype=float)
        self.portfolio = np.zeros(len(ACTIONS))
        for action in portfolio:
            self.portfolio[A[action]] = 1.0
        self.intervened: int | None = None  # month of first entry with own combat forces
        # the month each action was last switched on (forces held at the start arrived long ago)
        self.ordered = np.full(len(ACTIONS), model.month - 12, dtype=np.int64)
        self._terms = dict.fromkeys(TERMS, 0.0)  # before any choice
        self._weighed = None  # what was weighed this month (`decisions.Weighed`)
        self.chosen = 0

    def enact(self, portfolio: np.ndarray, changed: int) -> None:
        """Take up the portfolio chosen this month (`changed`: the action it changes, -1 for
        none) and say what changed; combat forces ordered in are on their way
        (`deployment_lag`)."""
        if changed >= 0:
            name, event = ACTIONS[changed], self.model.event
            if name == "withdrawal":
                event(self.name, "withdrawal", "syria", "combat forces leave")
            elif portfolio[changed]:
                event(self.name, "action_start", "", name)
                self.ordered[changed] = self.model.month
                lag = int(self.params["deployment_lag"])
                if name in COMBAT_ACTIONS and lag:
                    event(self.name, "deployment", "syria",
                          f"{name}: forces arrive in {lag} month{'s' if lag > 1 else ''}")
                if name == "sanctions":
                    event(self.name, "sanctions", "syria", "")
            else:
                event(self.name, "action_stop", "", name)
        self.portfolio = portfolio

    def remember(self, weighed, chosen: int) -> None:
        """Keep what was weighed this month, for the "why" panel and the payoff record:
        `weighed` (`decisions.Weighed`) is all states' record, this state's part read off it
        when asked (slicing it for every state every month cost more than the asking)."""
        self._weighed = weighed
        self.chosen = chosen
        self._terms = None  # read off option_terms when asked for

    def _own(self, values: np.ndarray) -> np.ndarray:
        starts = self._weighed.starts
        return values[starts[self.index]:starts[self.index + 1]]

    @property
    def option_terms(self) -> np.ndarray:
        """The payoff terms (rows, 5) of each option weighed this month."""
        if self._weighed is None:
            return np.zeros((0, len(TERMS)))
        return self._own(self._weighed.terms)

    @property
    def option_probability(self) -> np.ndarray:
        """The probability of each option weighed this month."""
        return np.zeros(0) if self._weighed is None else self._own(self._weighed.probability)

    @property
    def terms(self) -> dict[str, float]:
        """Payoff terms of the option chosen this month."""
        if self._terms is None:
            self._terms = dict(zip(TERMS, self.option_terms[self.chosen].tolist(), strict=True))
        return self._terms

    @terms.setter
    def terms(self, value: dict[str, float]) -> None:
        self._terms = value

    def option_label(self, row: int) -> str:
        action = self._weighed.alternatives.action[row]
        if action < 0:
            return "keep"
        name = ACTIONS[action]
        before = self._weighed.held[self.index]
        return f"-{name}" if before[action] and name != "withdrawal" else f"+{name}"

    @property
    def in_combat(self) -> bool:
        portfolio = self.portfolio
        for a in COMBAT_INDEX:  # noqa: SIM110 (a plain loop: this is asked every month)
            if portfolio[a]:
                return True
        return False

    def why(self) -> list[dict]:
        """The options weighed this month, their payoff split, their probability, and whether
        the option takes this state into the war (its entry cost is then in `cost`)."""
        if self._weighed is None:
            return []
        alternatives = self._weighed.alternatives
        return [
            {"label": self.option_label(row),
             **dict(zip(TERMS, self.option_terms[i].tolist(), strict=True)),
             "probability": float(self.option_probability[i]), "chosen": i == self.chosen,
             "entering": bool(alternatives.entering[row])
             and int(alternatives.owner[row]) == self.index}
            for i, row in enumerate(self._own(self._weighed.rows))
        ]


class ArmedForce(Agent):
    """An armed force on the ground: its manpower, quality and (for the regime) morale.

    Its strength depends on its patrons' support (quality, recruits, air power) and on its own
    losses; where it fights follows from what it holds and the front lines (sim/theatre.py).
    """

    def __init__(self, model, name: str, params: dict, manpower: float, faction: str) -> None:
        super().__init__(model)
        self.name = name
        self.index = FORCES.index(name)
        self.params = params
        self.manpower = manpower
        self.quality = params["quality"]
        self.morale = 1.0
        self.faction = faction
        self.offensive = False  # only the opposition decides this itself



    def weigh_offensive(self, front_ratio: float, response: float) -> None:
        """The opposition goes on the offensive when it would outgun the regime on its fronts
        even once the regime's patrons have sent what they can (`front_ratio` over
        1 + `response`, the patrons' reserve as a share of the regime's power:
        `regime.patrons_reserve`) by more than its `offensive_ratio`; and says so when it
        starts. Its commanders and backers weigh the gain against the response it would
        draw, so an offensive waits for the patrons to be tied down elsewhere."""
        was = self.offensive
        expected = front_ratio / (1.0 + response)
        self.offensive = bool(expected > self.params["offensive_ratio"])
        if self.offensive and not was:
            self.model.event(self.name, "offensive", "regime",
                             f"force ratio {front_ratio:.2f}, {expected:.2f} against the "
                             "patrons' response")
