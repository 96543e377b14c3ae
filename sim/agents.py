"""The agents: six states that choose action portfolios, and the armed forces on the ground.

A state weighs, each month, keeping its portfolio or changing one action of it (adding or
dropping), projects the war a few months ahead under each alternative, and picks by a logit on
the realist utility (bounded rationality: McFadden 1974; logit-response dynamics, Blume 1993).
Changing one action a month gives policy the inertia real governments show.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from mesa import Agent

from sim.vocabulary import A, ACTIONS, COMBAT_ACTIONS, FORCES

TERMS = ("survival", "balancing", "influence", "cost", "utility")


@dataclass(frozen=True)
class Option:
    label: str  # "keep", "+air_campaign", "-withdrawal"
    portfolio: np.ndarray  # (A,) 0/1


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
        self.terms = dict.fromkeys(TERMS, 0.0)  # payoff terms of the option chosen this month
        self.options: list[Option] = []
        self.option_terms = np.zeros((0, len(TERMS)))
        self.option_probability = np.zeros(0)
        self.chosen = 0

    def alternatives(self, forbidden: np.ndarray, spend_cap: float, cost: np.ndarray
                     ) -> list[Option]:
        """Keep the portfolio, or change one action on the menu (never a forbidden one on).

        An option that spends more than the budget left after other theatres is out, unless
        it spends less than now. Withdrawal takes all combat forces out in one move.
        """
        current = self.portfolio * (1.0 - forbidden)
        options = [Option("keep", current)]
        now = float(current @ cost)
        in_combat = any(current[A[a]] for a in COMBAT_ACTIONS)
        for action in np.nonzero(self.menu)[0]:
            name = ACTIONS[action]
            new = current.copy()
            if name == "withdrawal":
                # a withdrawal is a move, not a standing posture: all combat forces leave
                if in_combat and not forbidden[action]:
                    for combat in COMBAT_ACTIONS:
                        new[A[combat]] = 0.0
                    options.append(Option("+withdrawal", new))
                continue
            if current[action]:
                new[action] = 0.0
                label = f"-{name}"
            else:
                if forbidden[action]:
                    continue
                new[action] = 1.0
                label = f"+{name}"
            spend = float(new @ cost)
            if spend > spend_cap and spend > now:
                continue
            options.append(Option(label, new))
        return options

    def choose(self, utility: np.ndarray, terms: np.ndarray, temperature: float) -> Option:
        """Pick among this state's options by a logit on utility; remember why."""
        z = (utility - utility.max()) / temperature
        probability = np.exp(z)
        probability /= probability.sum()
        self.chosen = int(self.model.rng.choice(len(probability), p=probability))
        self.option_terms = terms
        self.option_probability = probability
        option = self.options[self.chosen]
        self.terms = dict(zip(TERMS, terms[self.chosen].tolist(), strict=True))
        return option

    @property
    def in_combat(self) -> bool:
        return any(self.portfolio[A[a]] for a in COMBAT_ACTIONS)

    def why(self) -> list[dict]:
        """The options weighed this month, their payoff split, and their probability."""
        return [
            {"label": opt.label, **dict(zip(TERMS, self.option_terms[i].tolist(), strict=True)),
             "probability": float(self.option_probability[i]), "chosen": i == self.chosen}
            for i, opt in enumerate(self.options)
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

    def recruit(self, pool: float, patron_recruits: float, holds_ground: bool) -> None:
        """Close part of the gap to the recruitment pool; add fighters patrons raise and pay."""
        p = self.params
        pool = pool + (p["pool_base"] if holds_ground else 0.0)
        if pool > self.manpower:
            self.manpower += p["recruitment"] * (pool - self.manpower)
        self.manpower += patron_recruits
        if p["decay"] and patron_recruits == 0.0:
            self.manpower *= 1.0 - p["decay"]

    def suffer(self, losses: float) -> None:
        self.manpower = max(self.manpower - losses, 0.0)
