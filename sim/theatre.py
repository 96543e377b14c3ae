"""The Syrian theatre: 14 governorates as a Mesa network space, and how ground changes hands.

Fighting in each governorate is resolved from local force ratios with a contest success
function of the ratio form (Tullock 1980; Hirshleifer 1989, "Conflict and rent-seeking success
functions", Public Choice 63; Garfinkel & Skaperdas 2007, "Economics of Conflict: An Overview",
Handbook of Defense Economics 2). Control shares per governorate roll up to Syria by area.

All functions here are pure and take any leading batch axes, so a state can weigh many
candidate portfolios in one call and the model's own month uses the very same code. Each
mechanism is written once, as a compiled kernel on one instance (`_reach`, `_deployment`,
`_contest`, `_losing_pressure`, `contest_share`): the month's kernels in sim/world.py and
sim/model.py call these directly, and the public functions below loop them over batch axes.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import networkx as nx
import numpy as np
from mesa.discrete_space import FixedAgent, Network
from numba import njit, vectorize

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


def _batch(array: np.ndarray, core: int) -> np.ndarray:
    """`array` as a C-contiguous float array (B, *its last `core` dims)."""
    array = np.asarray(array, dtype=float)
    return np.ascontiguousarray(array).reshape((-1, *array.shape[array.ndim - core:]))


@njit(cache=True, error_model="numpy")
def _reach(control, neighbour_mean, spill, out):
    """`reach` for one (G, F) control matrix, written into `out`."""
    g_count, f_count = control.shape
    for g in range(g_count):
        for f in range(f_count):
            near = 0.0
            for h in range(g_count):
                near += neighbour_mean[g, h] * control[h, f]
            out[g, f] = control[g, f] + spill * near


def reach(control: np.ndarray, neighbour_mean: np.ndarray, spill: float) -> np.ndarray:
    """Where each faction can fight: what it holds, plus a share of what it holds next door.

    control: (..., G, F); neighbour_mean: (G, G) row-normalised adjacency.
    """
    flat = _batch(control, 2)
    out = np.empty_like(flat)
    nm = np.ascontiguousarray(neighbour_mean, dtype=float)
    for b in range(len(flat)):
        _reach(flat[b], nm, float(spill), out[b])
    return out.reshape(np.shape(control))


@njit(cache=True, error_model="numpy")
def _deployment(control, neighbour_mean, value, hostility, spill, out):
    """`deployment` for one (G, F) control matrix, written into `out`."""
    g_count, f_count = control.shape
    present = np.empty((g_count, f_count))
    _reach(control, neighbour_mean, spill, present)
    for f in range(f_count):
        total = 0.0
        for g in range(g_count):
            threat = 0.0  # enemy presence faction f faces in g
            for e in range(f_count):
                threat += present[g, e] * hostility[f, e]
            out[g, f] = present[g, f] * value[g, f] * (0.25 + threat)
            total += out[g, f]
        for g in range(g_count):
            out[g, f] = out[g, f] / max(total, EPS) if total > EPS else 0.0


def deployment(control: np.ndarray, neighbour_mean: np.ndarray, value: np.ndarray,
               hostility: np.ndarray, spill: float) -> np.ndarray:
    """Each faction's forces spread over governorates, weights summing to 1 per faction.

    A faction puts its forces where it can reach, in proportion to what the ground is worth to it
    and to how much enemy presence it faces there (front lines draw troops).
    value: (G, F) worth of each governorate to each faction; hostility: (F, F).
    """
    flat = _batch(control, 2)
    out = np.empty_like(flat)
    args = [np.ascontiguousarray(a, dtype=float) for a in (neighbour_mean, value, hostility)]
    for b in range(len(flat)):
        _deployment(flat[b], *args, float(spill), out[b])
    return out.reshape(np.shape(control))


def pair_index(hostility: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The hostile pairs (i < j) of factions and the incidence matrix that books transfers."""
    i, j = np.nonzero(np.triu(hostility, 1) > 0)
    incidence = np.zeros((len(i), hostility.shape[0]))
    incidence[np.arange(len(i)), i] = 1.0
    incidence[np.arange(len(i)), j] = -1.0
    return i, j, incidence


@njit(cache=True, error_model="numpy")
def _share(a, d):
    """`contest_share` from the two sides' forces already raised to the power m."""
    total = a + d
    return a / total if total > 0.0 else 0.5


@vectorize(["float64(float64, float64, float64)"], cache=True)
def contest_share(attacker, defender, decisiveness):
    """Ratio-form contest success function: attacker^m / (attacker^m + defender^m).

    Equal forces split the ground evenly; m > 1 makes the stronger side win more than its
    share of the forces (Hirshleifer 1989). With no forces on either side, nobody gains.
    (A compiled ufunc: it broadcasts over arrays, and kernels call it on scalars.)
    """
    return _share(max(attacker, 0.0) ** decisiveness, max(defender, 0.0) ** decisiveness)


@njit(cache=True, error_model="numpy")
def _contest(control, local_power, intensity, first, second, decisiveness, mobility, out):
    """`contest` for one (G, F) control matrix, written into `out`; intensity is (G, P), or
    (1, P) for the same intensity everywhere; the pairs are (first[p], second[p])."""
    powered = np.empty(local_power.shape)
    _powered(local_power, decisiveness, powered)
    _contest_powered(control, local_power, powered, intensity, first, second, mobility, out)


@njit(cache=True, error_model="numpy")
def _powered(local_power, decisiveness, out):
    """Each side's force raised to the power m of the contest function (m > 0)."""
    g_count, f_count = local_power.shape
    for g in range(g_count):
        for f in range(f_count):
            x = local_power[g, f]
            out[g, f] = x ** decisiveness if x > 0.0 else 0.0


@njit(cache=True, error_model="numpy")
def _contest_powered(control, local_power, powered, intensity, first, second, mobility, out):
    """`_contest` with the forces already raised to the power m (`_powered`): for each
    hostile pair, the ground the two hold moves towards the `_share` of the contest."""
    g_count, f_count = control.shape
    _contest_batch(control, local_power.reshape((1, g_count, f_count)),
                   powered.reshape((1, g_count, f_count)),
                   intensity.reshape((1, intensity.shape[0], intensity.shape[1])), first, second,
                   mobility, out.reshape((1, g_count, f_count)))


@njit(cache=True, error_model="numpy")
def _contest_batch(control, local_power, powered, intensity, first, second, mobility, out):
    """The contest from one control matrix (G, F) under K sets of local forces (K, G, F)
    (`powered`: raised to the power m), into `out` (K, G, F). Intensity is (K, G, P), or
    (K, 1, P) for the same intensity everywhere; the pairs are (first[p], second[p]). In each
    governorate transfers are booked pairwise, then shares are clipped at 0 and renormalised.
    (Plain loops over scalars: no array views inside, which numba would reference-count.)"""
    k_count, g_count, f_count = local_power.shape
    p_count = first.shape[0]
    per_governorate = intensity.shape[1] > 1
    booked = np.empty(f_count)
    for k in range(k_count):
        for g in range(g_count):
            row = g if per_governorate else 0
            for f in range(f_count):
                booked[f] = 0.0
            for p in range(p_count):
                i, j = first[p], second[p]
                ci, cj = control[g, i], control[g, j]
                if ci + cj == 0.0:
                    continue  # neither holds ground here: nothing changes hands
                if local_power[k, g, i] + local_power[k, g, j] > 0.0:  # engaged
                    share_i = _share(powered[k, g, i], powered[k, g, j])
                    transfer = mobility * intensity[k, row, p] * (share_i * (ci + cj) - ci)
                    booked[i] += transfer
                    booked[j] -= transfer
            total = 0.0
            for f in range(f_count):
                held = max(control[g, f] + booked[f], 0.0)
                out[k, g, f] = held
                total += held
            for f in range(f_count):
                out[k, g, f] /= total


def contest(control: np.ndarray, local_power: np.ndarray, intensity: np.ndarray,
            pairs: tuple[np.ndarray, np.ndarray, np.ndarray], decisiveness: float,
            mobility: float) -> np.ndarray:
    """One round of fighting in every governorate at once; returns the new control shares.

    For each hostile pair (i, j) the ground they hold together in a governorate moves towards
    the split the contest function gives, at a rate `mobility` times the pair's fighting
    intensity. Transfers are booked pairwise, so shares keep summing to one.
    control, local_power: (..., G, F); intensity: (..., G, P) for the P hostile pairs.
    """
    i, j, _ = pairs
    control, local_power, intensity = (np.asarray(a, dtype=float)
                                       for a in (control, local_power, intensity))
    lead = np.broadcast_shapes(control.shape[:-2], local_power.shape[:-2], intensity.shape[:-2])
    g_count, f_count = np.broadcast_shapes(control.shape[-2:], local_power.shape[-2:])
    rows = intensity.shape[-2]
    c = np.broadcast_to(control, (*lead, g_count, f_count)).reshape(-1, g_count, f_count)
    x = np.broadcast_to(local_power, (*lead, g_count, f_count)).reshape(-1, g_count, f_count)
    t = np.broadcast_to(intensity, (*lead, rows, len(i))).reshape(-1, rows, len(i))
    out = np.empty((len(c), g_count, f_count))
    first, second = np.asarray(i, dtype=np.int64), np.asarray(j, dtype=np.int64)
    for b in range(len(c)):
        _contest(np.ascontiguousarray(c[b]), np.ascontiguousarray(x[b]),
                 np.ascontiguousarray(t[b]), first, second, float(decisiveness),
                 float(mobility), out[b])
    return out.reshape(*lead, g_count, f_count)


@njit(cache=True, error_model="numpy")
def _losing_pressure(local_power, hostility, decisiveness, out):
    """`losing_pressure` for one (G, F) matrix of local power, written into `out`."""
    g_count, f_count = local_power.shape
    for g in range(g_count):
        for f in range(f_count):
            enemy = 0.0
            for e in range(f_count):
                enemy += local_power[g, e] * hostility[f, e]
            out[g, f] = contest_share(enemy, local_power[g, f], decisiveness)


def losing_pressure(local_power: np.ndarray, hostility: np.ndarray,
                    decisiveness: float) -> np.ndarray:
    """How outgunned each faction is where it stands: the enemy's contest share, (..., G, F)."""
    flat = _batch(local_power, 2)
    out = np.empty_like(flat)
    h = np.ascontiguousarray(hostility, dtype=float)
    for b in range(len(flat)):
        _losing_pressure(flat[b], h, float(decisiveness), out[b])
    return out.reshape(np.shape(local_power))


def national_shares(control: np.ndarray, area_share: np.ndarray) -> np.ndarray:
    """Roll governorate shares up to Syria by area: (..., G, F) -> (..., F)."""
    flat = _batch(control, 2)
    out = _national_shares(flat, np.ascontiguousarray(area_share, dtype=float))
    return out.reshape(np.shape(control)[:-2] + out.shape[-1:])


@njit(cache=True, error_model="numpy")
def _national_shares(control, area_share):
    """`national_shares` for a batch (B, G, F) of control matrices."""
    b_count, g_count, f_count = control.shape
    out = np.zeros((b_count, f_count))
    for b in range(b_count):
        for g in range(g_count):
            for f in range(f_count):
                out[b, f] += control[b, g, f] * area_share[g]
    return out
