"""Dated outside shocks: what lands on the war from outside, never what a state decides.

Kinds: `force_surge` (an uprising, ISIS arriving from Iraq, Kurdish self-rule: fighters and
footholds appear), `force_blow` (a force is hit from outside Syria: the 2024 blows to
Hezbollah), `theatre_demand` (another war draws a state's money and assets: Ukraine, Gaza,
Lebanon, sanctions on Iran), `economic_pressure` (sanctions, a neighbour's banking collapse),
`atrocity` (a chemical attack raising pressure at the UN), `salience` (a war at home changes
what a state weighs most). Every shock in a scenario names its source.

A pure calendar: `Calendar(shocks).in_force(first, last, base_weights)` works out once what is
in force in every month of a run (`InForce`) and the one-off effects that land in each month,
as records (`Landing`). The model applies them; nothing here touches the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.vocabulary import STATES, TERMS

ONE_OFF = ("force_surge", "force_blow")
WEIGHED = TERMS[:3]  # the terms a salience shock can scale


@dataclass(frozen=True)
class Landing:
    """A shock landing in its start month: the event to record and its one-off effect on a
    force (magnitudes applied): fighters added, ground taken per governorate, the share of
    its manpower and of its quality lost."""

    name: str
    kind: str
    target: str  # the actor or force the event names ("" for neither)
    force: str | None = None
    manpower: float = 0.0
    taken: tuple[tuple[str, float], ...] = ()  # (governorate, share of it the force takes)
    loss: float = 0.0
    quality_loss: float = 0.0


def salience_multiplier(shock: dict[str, Any]) -> float:
    """How a salience shock scales a payoff weight; a damping shock never goes below zero."""
    return max(0.0, 1.0 + (shock["factor"] - 1.0) * shock["magnitude"])


def landing(name: str, shock: dict[str, Any], quality_cap: float) -> Landing:
    """The record of a shock landing (its one-off effect, if its kind has one); a blow takes
    at most `quality_cap` of a force's quality (`losses.blow_quality_cap`)."""
    m = shock["magnitude"]
    target = shock.get("actor") or shock.get("force") or ""
    if shock["kind"] == "force_surge":
        return Landing(name, shock["kind"], target, force=shock["force"],
                       manpower=shock["manpower"] * m,
                       taken=tuple((g, min(share * m, 1.0))
                                   for g, share in shock["governorates"].items()))
    if shock["kind"] == "force_blow":
        return Landing(name, shock["kind"], target, force=shock["force"],
                       loss=min(shock["loss"] * m, 1.0),
                       quality_loss=min(shock["quality_loss"] * m, quality_cap))
    return Landing(name, shock["kind"], target)


@dataclass(frozen=True)
class InForce:
    """What the shocks put in force in each month from `first` to `last` (month indices)."""

    first: int
    last: int
    demand_table: np.ndarray  # (T, N) USD bn/yr other theatres take from each state's budget
    availability_table: np.ndarray  # (T, N) share of military assets not drawn elsewhere
    pressure_table: list[float]  # (T,) economic pressure on the government
    atrocity_table: list[float]  # (T,) atrocities raising pressure at the UN
    weights_table: np.ndarray  # (T, N, 3) payoff weights, salience shocks renormalised
    landings: dict[int, list[Landing]]

    def _row(self, month: int) -> int:
        if not self.first <= month <= self.last:
            raise IndexError(f"month {month} is outside the calendar's {self.first}-{self.last}")
        return month - self.first

    def demand(self, month: int) -> np.ndarray:
        """USD bn/yr each state's other theatres take from its Syria budget (read-only)."""
        return self.demand_table[self._row(month)]

    def availability(self, month: int) -> np.ndarray:
        """Share of each state's military assets in Syria not drawn to other wars (read-only)."""
        return self.availability_table[self._row(month)]

    def pressure(self, month: int) -> float:
        return self.pressure_table[self._row(month)]

    def atrocity(self, month: int) -> float:
        return self.atrocity_table[self._row(month)]

    def weights(self, month: int) -> np.ndarray:
        """(N, 3) payoff weights of all states this month (read-only)."""
        return self.weights_table[self._row(month)]

    def landing(self, month: int) -> list[Landing]:
        """The shocks that land this month, in the scenario's order."""
        return self.landings.get(month, [])


def returned(free: np.ndarray, rate: float) -> np.ndarray:
    """Each state's military assets in Syria month by month (T, N), from the share other wars
    leave free (`free`, (T, N)): another war draws them at once, and they come back only at
    `rate` a month of the gap (`other_wars.return_rate`; 1: at once), since forces a war has
    spent must be rebuilt and brought back before they fight again (record section 3:
    Hezbollah, drawn to the Lebanon war until the 27 Nov 2024 ceasefire, sent no rescue before
    Damascus fell on 8 Dec)."""
    out = free.copy()
    # month by month over plain floats, and only for the states some war touches (numpy's
    # per-row calls cost 1.9 ms a run over every state; this, about 0.07 ms)
    for n in np.flatnonzero((free != free[:1]).any(axis=0)):
        column = out[:, n].tolist()
        for t in range(1, len(column)):
            if column[t] > column[t - 1]:
                column[t] = column[t - 1] + rate * (column[t] - column[t - 1])
        out[:, n] = column
    return out


class Calendar:
    """The enabled shocks of a scenario."""

    def __init__(self, shocks: dict[str, dict[str, Any]]) -> None:
        self.shocks = {name: s for name, s in shocks.items() if s["enabled"]}

    def in_force(self, first: int, last: int, base_weights: np.ndarray,
                 availability_floor: float, quality_cap: float, return_rate: float) -> InForce:
        """What is in force in every month from `first` to `last`, with the states' payoff
        weights `base_weights` (N, 3) before salience shocks; another war leaves a state at
        least `availability_floor` of its military assets (`other_wars.availability_floor`),
        and they come back from it at `return_rate` a month (`returned`). A state whose
        weights a salience shock zeroes altogether keeps its base weights (no 0/0)."""
        months = np.arange(first, last + 1)
        count = len(months)
        demand, draw = np.zeros((count, len(STATES))), np.zeros((count, len(STATES)))
        pressure, atrocity = np.zeros(count), np.zeros(count)
        base = np.asarray(base_weights, dtype=float)
        weights = np.repeat(base[None], count, axis=0)
        landings: dict[int, list[Landing]] = {}
        for name, s in self.shocks.items():
            landings.setdefault(s["start_index"], []).append(landing(name, s, quality_cap))
            end = last if s["end_index"] is None else s["end_index"]
            on = (months >= s["start_index"]) & (months <= end)
            if s["kind"] == "theatre_demand":
                n = STATES.index(s["actor"])
                demand[on, n] += s["demand"] * s["magnitude"]
                draw[on, n] += s["asset_draw"] * s["magnitude"]
            elif s["kind"] == "economic_pressure":
                pressure[on] += s["severity"] * s["magnitude"]
            elif s["kind"] == "atrocity":
                atrocity[on] += s["severity"] * s["magnitude"]
            elif s["kind"] == "salience":
                n, t = STATES.index(s["actor"]), WEIGHED.index(s["term"])
                weights[on, n, t] *= salience_multiplier(s)
        total = weights.sum(axis=2, keepdims=True)
        renormalised = weights / np.where(total > 0, total, 1.0)
        return InForce(
            first=first, last=last, demand_table=demand,
            availability_table=returned(np.clip(1.0 - draw, availability_floor, 1.0),
                                        return_rate),
            pressure_table=pressure.tolist(), atrocity_table=atrocity.tolist(),
            weights_table=np.where(total > 0, renormalised, base[None]), landings=landings,
        )
