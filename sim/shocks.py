"""Dated outside shocks: what lands on the war from outside, never what a state decides.

Kinds: `force_surge` (an uprising, ISIS arriving from Iraq, Kurdish self-rule: fighters and
footholds appear), `force_blow` (a force is hit from outside Syria: the 2024 blows to
Hezbollah), `theatre_demand` (another war draws a state's money and assets: Ukraine, Gaza,
Lebanon, sanctions on Iran), `economic_pressure` (sanctions, a neighbour's banking collapse),
`atrocity` (a chemical attack raising pressure at the UN), `salience` (a war at home changes
what a state weighs most). Every shock in a scenario names its source.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.vocabulary import FACTIONS, STATES

if TYPE_CHECKING:
    from sim.model import SyriaModel

ONE_OFF = ("force_surge", "force_blow")


class Calendar:
    """The enabled shocks of a scenario and what is in force in a given month."""

    def __init__(self, shocks: dict[str, dict[str, Any]]) -> None:
        self.shocks = {name: s for name, s in shocks.items() if s["enabled"]}
        self._cache: dict[tuple[str, int], Any] = {}
        self._first, self._last = 0, -1  # the months `tabulate` has tables for

    def tabulate(self, first: int, last: int, base_weights: np.ndarray) -> None:
        """Work out what is in force in every month from `first` to `last` at once (a run asks
        every month; the tables hold the same numbers the month-by-month sums give, added up
        in the same order)."""
        months = np.arange(first, last + 1)
        count = len(months)
        demand, draw = np.zeros((count, len(STATES))), np.zeros((count, len(STATES)))
        pressure, atrocity = np.zeros(count), np.zeros(count)
        weights = np.repeat(np.asarray(base_weights, dtype=float)[None], count, axis=0)
        terms = ("survival", "balancing", "influence")
        landing: dict[int, list[tuple[str, dict[str, Any]]]] = {}
        for name, s in self.shocks.items():
            landing.setdefault(s["start_index"], []).append((name, s))
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
                n, t = STATES.index(s["actor"]), terms.index(s["term"])
                weights[on, n, t] *= salience_multiplier(s)
        self._tables = {
            "demand": demand, "availability": np.clip(1.0 - draw, 0.1, 1.0),
            "pressure": pressure.tolist(), "atrocity": atrocity.tolist(),
            "weights": weights / weights.sum(axis=2, keepdims=True),
        }
        self._landing, self._base_weights = landing, base_weights
        self._first, self._last = first, last

    def _tabulated(self, month: int) -> bool:
        return self._first <= month <= self._last

    def active(self, month: int) -> Iterator[tuple[str, dict[str, Any]]]:
        for name, s in self.shocks.items():
            if s["start_index"] <= month and (s["end_index"] is None or month <= s["end_index"]):
                yield name, s

    def landing(self, month: int) -> list[tuple[str, dict[str, Any]]]:
        if self._tabulated(month):
            return self._landing.get(month, [])
        return [(n, s) for n, s in self.shocks.items() if s["start_index"] == month]

    def _sum(self, kind: str, field: str, month: int) -> np.ndarray:
        out = np.zeros(len(STATES))
        for _, s in self.active(month):
            if s["kind"] == kind:
                out[STATES.index(s["actor"])] += s[field] * s["magnitude"]
        return out

    def demand(self, month: int) -> np.ndarray:
        """USD bn/yr each state's other theatres take from its Syria budget (cached: treat the
        result as read-only)."""
        if self._tabulated(month):
            return self._tables["demand"][month - self._first]
        key = ("demand", month)
        if key not in self._cache:
            self._cache[key] = self._sum("theatre_demand", "demand", month)
        return self._cache[key]

    def availability(self, month: int) -> np.ndarray:
        """Share of each state's military assets in Syria not drawn to other wars."""
        if self._tabulated(month):
            return self._tables["availability"][month - self._first]
        key = ("availability", month)
        if key not in self._cache:
            self._cache[key] = np.clip(1.0 - self._sum("theatre_demand", "asset_draw", month),
                                       0.1, 1.0)
        return self._cache[key]

    def pressure(self, month: int) -> float:
        if self._tabulated(month):
            return self._tables["pressure"][month - self._first]
        key = ("pressure", month)
        if key not in self._cache:
            self._cache[key] = sum(s["severity"] * s["magnitude"] for _, s in self.active(month)
                                   if s["kind"] == "economic_pressure")
        return self._cache[key]

    def atrocity(self, month: int) -> float:
        if self._tabulated(month):
            return self._tables["atrocity"][month - self._first]
        key = ("atrocity", month)
        if key not in self._cache:
            self._cache[key] = sum(s["severity"] * s["magnitude"] for _, s in self.active(month)
                                   if s["kind"] == "atrocity")
        return self._cache[key]

    def weight_matrix(self, month: int, base: np.ndarray) -> np.ndarray:
        """(N, 3) payoff weights of all states this month (salience shocks renormalised)."""
        if self._tabulated(month) and base is self._base_weights:
            return self._tables["weights"][month - self._first]
        key = ("weights", month)
        if key not in self._cache:
            out = base.copy()
            terms = ("survival", "balancing", "influence")
            for _, s in self.active(month):
                if s["kind"] == "salience":
                    n, t = STATES.index(s["actor"]), terms.index(s["term"])
                    out[n, t] *= salience_multiplier(s)
            total = out.sum(axis=1, keepdims=True)
            self._cache[key] = np.where(total > 0, out / np.maximum(total, 1e-12), base)
        return self._cache[key]

    def weights(self, month: int, state: str, weights: dict[str, float]) -> dict[str, float]:
        """A state's payoff weights, with salience shocks in force (renormalised to 1)."""
        out = dict(weights)
        changed = False
        for _, s in self.active(month):
            if s["kind"] == "salience" and s["actor"] == state:
                out[s["term"]] *= salience_multiplier(s)
                changed = True
        total = sum(out.values())
        if changed and total > 0:
            out = {k: v / total for k, v in out.items()}
        return out if total > 0 else dict(weights)


def salience_multiplier(shock: dict[str, Any]) -> float:
    """How a salience shock scales a payoff weight; a damping shock never goes below zero."""
    return max(0.0, 1.0 + (shock["factor"] - 1.0) * shock["magnitude"])


def apply(model: SyriaModel, name: str, shock: dict[str, Any]) -> None:
    """A shock lands: record it, and apply its one-off effect if it has one."""
    model.event("world", "shock", shock.get("actor") or shock.get("force") or "", name)
    m = shock["magnitude"]
    if shock["kind"] == "force_surge":
        force = model.forces[shock["force"]]
        force.manpower += shock["manpower"] * m
        faction = FACTIONS.index(force.faction)
        for gov, share in shock["governorates"].items():
            g = model.geo.index(gov)
            taken = min(share * m, 1.0)
            model.control[g] *= 1.0 - taken
            model.control[g, faction] += taken
    elif shock["kind"] == "force_blow":
        force = model.forces[shock["force"]]
        force.manpower *= 1.0 - min(shock["loss"] * m, 1.0)
        force.quality *= 1.0 - min(shock["quality_loss"] * m, 0.95)
