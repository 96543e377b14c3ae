"""The Syrian theatre: 14 governorates as a Mesa network space, and how ground changes hands.

Fighting in each governorate is resolved from local force ratios with a contest success
function of the ratio form (Tullock 1980; Hirshleifer 1989, "Conflict and rent-seeking success
functions", Public Choice 63; Garfinkel & Skaperdas 2007, "Economics of Conflict: An Overview",
Handbook of Defense Economics 2). Control shares per governorate roll up to Syria by area.

All functions here are pure and vectorised over any leading batch axes, so a state can weigh
many candidate portfolios in one call and the model's own month uses the very same code.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import networkx as nx
import numpy as np
from mesa.discrete_space import FixedAgent, Network

from sim.vocabulary import FACTIONS

PARAMS_DIR = Path(__file__).resolve().parent.parent / "params"
EPS = 1e-9


@dataclass(frozen=True)
class Geography:
    """Static facts about the governorates, as arrays in a fixed order."""

    names: tuple[str, ...]
    area: np.ndarray  # km2
    population: np.ndarray  # thousands, 2011
    key: np.ndarray  # weight in the regime's hold on the state (sums to 1)
    corridor: np.ndarray  # weight on Iran's land bridge (sums to 1)
    adjacency: np.ndarray  # (G, G) 0/1
    borders: dict[str, np.ndarray]  # foreign state -> 0/1 mask of governorates on its border

    @property
    def area_share(self) -> np.ndarray:
        return self.area / self.area.sum()

    def index(self, name: str) -> int:
        return self.names.index(name)

    def mask(self, names: list[str] | tuple[str, ...]) -> np.ndarray:
        out = np.zeros(len(self.names))
        for name in names:
            out[self.index(name)] = 1.0
        return out

    def graph(self) -> nx.Graph:
        g = nx.Graph()
        g.add_nodes_from(self.names)
        for i, j in zip(*np.nonzero(np.triu(self.adjacency)), strict=True):
            g.add_edge(self.names[i], self.names[j])
        return g


@cache
def load_geography(path: Path = PARAMS_DIR / "governorates.toml") -> Geography:
    """Read the governorate table (areas, population, borders; sources in the file)."""
    with open(path, "rb") as fh:
        table = tomllib.load(fh)
    names = tuple(table)
    n = len(names)
    adjacency = np.zeros((n, n))
    for i, name in enumerate(names):
        for other in table[name]["borders"]:
            adjacency[i, names.index(other)] = adjacency[names.index(other), i] = 1.0
    corridor = np.array([1.0 if table[g]["corridor"] else 0.0 for g in names])
    foreign = sorted({b for g in names for b in table[g]["foreign_border"]})
    borders = {
        state: np.array([1.0 if state in table[g]["foreign_border"] else 0.0 for g in names])
        for state in foreign
    }
    return Geography(
        names=names,
        area=np.array([table[g]["area_km2"] for g in names], dtype=float),
        population=np.array([table[g]["population_k"] for g in names], dtype=float),
        key=np.array([table[g]["key"] for g in names], dtype=float),
        corridor=corridor / corridor.sum(),
        adjacency=adjacency,
        borders=borders,
    )


class Governorate(FixedAgent):
    """One governorate, fixed on its cell of the network space.

    Its control shares are a view into the model's control matrix, so the dashboard and the
    network space read the same numbers the fighting writes.
    """

    def __init__(self, model, cell, name: str, row: int, area_km2: float) -> None:
        super().__init__(model)
        self.cell = cell
        self.name = name
        self.row = row
        self.area_km2 = area_km2

    @property
    def control(self) -> dict[str, float]:
        shares = self.model.control[self.row]
        return {faction: float(shares[i]) for i, faction in enumerate(FACTIONS)}


def build_space(model, geography: Geography) -> Network:
    """The theatre as a Mesa network space, one cell and one Governorate agent per node."""
    space = Network(geography.graph(), random=model.random, layout=None)
    for row, name in enumerate(geography.names):
        Governorate(model, space[name], name, row, float(geography.area[row]))
    return space


def row_normalised(adjacency: np.ndarray) -> np.ndarray:
    return adjacency / adjacency.sum(axis=1, keepdims=True)


def reach(control: np.ndarray, neighbour_mean: np.ndarray, spill: float) -> np.ndarray:
    """Where each faction can fight: what it holds, plus a share of what it holds next door.

    control: (..., G, F); neighbour_mean: (G, G) row-normalised adjacency.
    """
    return control + spill * (neighbour_mean @ control)


def deployment(control: np.ndarray, neighbour_mean: np.ndarray, value: np.ndarray,
               hostility: np.ndarray, spill: float) -> np.ndarray:
    """Each faction's forces spread over governorates, weights summing to 1 per faction.

    A faction puts its forces where it can reach, in proportion to what the ground is worth to it
    and to how much enemy presence it faces there (front lines draw troops).
    value: (G, F) worth of each governorate to each faction; hostility: (F, F).
    """
    present = reach(control, neighbour_mean, spill)
    threat = present @ hostility.T  # (..., G, F): enemy presence each faction faces
    weight = present * value * (0.25 + threat)
    total = weight.sum(axis=-2, keepdims=True)
    return np.where(total > EPS, weight / np.maximum(total, EPS), 0.0)


def pair_index(hostility: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The hostile pairs (i < j) of factions and the incidence matrix that books transfers."""
    i, j = np.nonzero(np.triu(hostility, 1) > 0)
    incidence = np.zeros((len(i), hostility.shape[0]))
    incidence[np.arange(len(i)), i] = 1.0
    incidence[np.arange(len(i)), j] = -1.0
    return i, j, incidence


def contest_share(attacker: np.ndarray, defender: np.ndarray, decisiveness: float) -> np.ndarray:
    """Ratio-form contest success function: attacker^m / (attacker^m + defender^m).

    Equal forces split the ground evenly; m > 1 makes the stronger side win more than its
    share of the forces (Hirshleifer 1989). With no forces on either side, nobody gains.
    """
    a = np.power(np.maximum(attacker, 0.0), decisiveness)
    d = np.power(np.maximum(defender, 0.0), decisiveness)
    total = a + d
    return np.where(total > EPS, a / np.maximum(total, EPS), 0.5)


def contest(control: np.ndarray, local_power: np.ndarray, intensity: np.ndarray,
            pairs: tuple[np.ndarray, np.ndarray, np.ndarray], decisiveness: float,
            mobility: float) -> np.ndarray:
    """One round of fighting in every governorate at once; returns the new control shares.

    For each hostile pair (i, j) the ground they hold together in a governorate moves towards
    the split the contest function gives, at a rate `mobility` times the pair's fighting
    intensity. Transfers are booked pairwise, so shares keep summing to one.
    control, local_power: (..., G, F); intensity: (..., G, P) for the P hostile pairs.
    """
    i, j, incidence = pairs
    ci, cj = control[..., i], control[..., j]
    xi, xj = local_power[..., i], local_power[..., j]
    engaged = (xi + xj) > EPS
    share_i = contest_share(xi, xj, decisiveness)
    transfer = mobility * intensity * (share_i * (ci + cj) - ci)
    transfer = np.where(engaged, transfer, 0.0)
    new = control + transfer @ incidence
    new = np.clip(new, 0.0, None)
    return new / new.sum(axis=-1, keepdims=True)


def losing_pressure(local_power: np.ndarray, hostility: np.ndarray,
                    decisiveness: float) -> np.ndarray:
    """How outgunned each faction is where it stands: the enemy's contest share, (..., G, F)."""
    enemy = local_power @ hostility.T
    return contest_share(enemy, local_power, decisiveness)


def national_shares(control: np.ndarray, area_share: np.ndarray) -> np.ndarray:
    """Roll governorate shares up to Syria by area: (..., G, F) -> (..., F)."""
    return np.einsum("...gf,g->...f", control, area_share)


def faction_names() -> tuple[str, ...]:
    return FACTIONS
