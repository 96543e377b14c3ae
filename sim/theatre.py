"""The Syrian theatre: 14 governorates, the forces on them, and how ground changes hands.

Fighting in each governorate is resolved from local force ratios with a contest success
function of the ratio form (Tullock 1980; Hirshleifer 1989, "Conflict and rent-seeking success
functions", Public Choice 63; Garfinkel & Skaperdas 2007, "Economics of Conflict: An Overview",
Handbook of Defense Economics 2). Control shares per governorate roll up to Syria by area.

All functions here are pure and take any leading batch axes, so a state can weigh many
candidate portfolios in one call and the model's own month uses the very same code. Each
mechanism is written once, as a compiled kernel on one instance (`_reach`, `_deployment`,
`_contest`, `_losing_pressure`, `contest_share`); the public functions loop them over batch
axes.

What the states' portfolios do to the war is here too, one function for the month itself and
for the projections states weigh their options on: the forces a joint portfolio (K, N, A)
builds (`_evaluate`), the fighting intensity (`_intensity`, `_ceasefire_level`), the risk of
clashes in the air (`_clash_risk`), the projection (`_situation`) and the month's fight
(`_fight`, with the forces' losses and recruits: `_after_losses`, `_recruited`). They take
named packs built once: the parameters (`TheatreParams`, `ForceParams`), the effects of
actions (`Effects`, from `action_effects`) and the state of the war (`War`); `Allegiances` is
what changes only with the government.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import NamedTuple

import networkx as nx
import numpy as np
from numba import njit

from sim import payoffs
from sim.numeric import boundary, pairwise_sum, same_as_first
from sim.regime import (
    RegimeParams,
    _capacity_after,
    _projected_morale,
    _regime_after,
    outside_pressure,
    patrons_reserve,
)
from sim.vocabulary import (
    ACTIONS,
    AIR_CAMPAIGN,
    COMBAT,
    DECONFLICTION,
    DISBANDED,
    FACTIONS,
    FORCES,
    IRAN,
    NEGOTIATION,
    REGIME_FORCE,
    RUSSIA,
    STATES,
    STRIKE,
    SUCC,
    SYRIA,
    TURKEY,
    US,
    O,
    R,
)

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
def _deployment(control, neighbour_mean, value, hostility, spill, front_base, out):
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
            out[g, f] = present[g, f] * value[g, f] * (front_base + threat)
            total += out[g, f]
        for g in range(g_count):
            out[g, f] = out[g, f] / max(total, EPS) if total > EPS else 0.0


def deployment(control: np.ndarray, neighbour_mean: np.ndarray, value: np.ndarray,
               hostility: np.ndarray, spill: float, front_base: float) -> np.ndarray:
    """Each faction's forces spread over governorates, weights summing to 1 per faction.

    A faction puts its forces where it can reach, in proportion to what the ground is worth to it
    and to how much enemy presence it faces there (front lines draw troops).
    value: (G, F) worth of each governorate to each faction; hostility: (F, F).
    """
    flat = _batch(control, 2)
    out = np.empty_like(flat)
    args = [np.ascontiguousarray(a, dtype=float) for a in (neighbour_mean, value, hostility)]
    for b in range(len(flat)):
        _deployment(flat[b], *args, float(spill), float(front_base), out[b])
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


@njit(cache=True, error_model="numpy")
def _contest_share(attacker, defender, decisiveness):
    """Ratio-form contest success function: attacker^m / (attacker^m + defender^m).

    Equal forces split the ground evenly; m > 1 makes the stronger side win more than its
    share of the forces (Hirshleifer 1989). With no forces on either side, nobody gains.
    (Kernels call it on scalars; `contest_share` broadcasts it over arrays.)
    """
    return _share(max(attacker, 0.0) ** decisiveness, max(defender, 0.0) ** decisiveness)


@njit(cache=True, error_model="numpy")
def backing_odds(power, reserve, hostility, decisiveness):
    """The odds the regime's army sees in its war, 0-1: the contest share (`_contest_share`,
    as the ground moves) of its side's power and what its patrons could still add
    (`reserve`: `regime.patrons_reserve`) against its enemies' power, each weighed by how hard
    it fights the regime (`hostility`, (F, F)). An army holds while help it can count on keeps
    the odds even or better, and sinks when it cannot (issue 14: morale as credible backing;
    record section 3: in 2024 no rescue "on the 2015 scale" came, and the army gave way)."""
    weighed = np.empty(power.shape[0])  # summed as numpy sums `hostility[R] * power`
    for f in range(power.shape[0]):
        weighed[f] = hostility[R, f] * power[f]
    return _contest_share(power[R] + reserve, pairwise_sum(weighed), decisiveness)


def contest_share(attacker, defender, decisiveness):
    """The contest function over arrays (broadcast like a ufunc): `_contest_share`."""
    return payoffs.elementwise(_contest_share, attacker, defender, decisiveness)


@njit(cache=True, error_model="numpy")
def _contest(control, local_power, intensity, first, second, decisiveness, mobility, defence,
             cede, deals, out):
    """`contest` for one (G, F) control matrix, written into `out`; intensity is (G, P), or
    (1, P) for the same intensity everywhere; the pairs are (first[p], second[p])."""
    powered = np.empty(local_power.shape)
    _powered(local_power, decisiveness, powered)
    _contest_powered(control, local_power, powered, intensity, first, second, mobility, defence,
                     cede, deals, out)


@njit(cache=True, error_model="numpy")
def _powered(local_power, decisiveness, out):
    """Each side's force raised to the power m of the contest function (m > 0)."""
    g_count, f_count = local_power.shape
    for g in range(g_count):
        for f in range(f_count):
            x = local_power[g, f]
            out[g, f] = x ** decisiveness if x > 0.0 else 0.0


@njit(cache=True, error_model="numpy")
def _contest_powered(control, local_power, powered, intensity, first, second, mobility,
                     defence, cede, deals, out):
    """`_contest` with the forces already raised to the power m (`_powered`): for each
    hostile pair, the ground each holds is taken by the other as far as `_headway` says."""
    g_count, f_count = control.shape
    _contest_batch(control, local_power.reshape((1, g_count, f_count)),
                   powered.reshape((1, g_count, f_count)),
                   intensity.reshape((1, intensity.shape[0], intensity.shape[1])), first, second,
                   mobility, defence, cede, deals.reshape((1, f_count, f_count)),
                   out.reshape((1, g_count, f_count)))


@njit(cache=True, error_model="numpy")
def _headway(share, defence):
    """How fast an attacker with `share` of the contest (`_share`) takes the ground its enemy
    holds, as a share of the rate an unopposed attacker takes it at: nothing until its share
    passes the defender's edge `defence`, then rising to all of it (`(share - defence) / (1 -
    defence)`). The defence is the stronger form of war (Clausewitz, On War, book 6); the "3:1
    rule" asks an attacker for three times the defender's force where it attacks (Mearsheimer
    1989, "Assessing the Conventional Balance"), a contest share of 0.85 at m = 1.6. At
    `defence` 0 each side takes the other's ground at its share, so the pair's ground moves
    towards the contest's split (the ratio form, Hirshleifer 1989); above 0.5 neither side
    makes headway near parity, and front lines hold until one side's share passes it."""
    return max(share - defence, 0.0) / (1.0 - defence)


@njit(cache=True, error_model="numpy")
def _deals(portfolios, patron, government):
    """(K, F, F): 1 at [k, j, i] where, under joint portfolio k (K, N, A), a pocket faction i
    holds against faction j can be ended by a deal (`_contest_batch`): a foreign state's combat
    forces in Syria back j (`patron` (N, F)), and someone speaks for each side at talks (holds
    `negotiation`): a foreign state that backs the faction, or the government for its own
    army. Aleppo's evacuation was brokered by Russia and Turkey, the patrons of the two sides
    (record row 20); Astana's ceasefire monitoring by Russia, Iran and Turkey (row 23)."""
    k_count, n_count, a_count = portfolios.shape
    f_count = patron.shape[1]
    out = np.zeros((k_count, f_count, f_count))
    forces = np.zeros(f_count)
    talks = np.zeros(f_count)
    for k in range(k_count):
        for f in range(f_count):
            forces[f] = 0.0
            talks[f] = 0.0
        if portfolios[k, SYRIA, NEGOTIATION] > 0.0:
            talks[government] = 1.0
        for n in range(n_count):
            speaks = portfolios[k, n, NEGOTIATION] > 0.0
            fights = False
            for a in range(a_count):
                if COMBAT[a] and portfolios[k, n, a] > 0.0:
                    fights = True
                    break
            for f in range(f_count):
                if patron[n, f] > 0.0:
                    if fights:
                        forces[f] = 1.0
                    if speaks:
                        talks[f] = 1.0
        for j in range(f_count):
            if forces[j] > 0.0 and talks[j] > 0.0:
                for i in range(f_count):
                    if i != j and talks[i] > 0.0:
                        out[k, j, i] = 1.0
    return out


@njit(cache=True, error_model="numpy")
def _deals_if(portfolios, patron, government, cede):
    """`_deals` where anyone may cede (`cede` > 0); none otherwise (the contest does not read
    them then)."""
    if cede > 0.0:
        return _deals(portfolios, patron, government)
    return np.zeros((portfolios.shape[0], patron.shape[1], patron.shape[1]))


@njit(cache=True, error_model="numpy")
def _contest_batch(control, local_power, powered, intensity, first, second, mobility, defence,
                   cede, deals, out):
    """The contest from one control matrix (G, F) under K sets of local forces (K, G, F)
    (`powered`: raised to the power m), into `out` (K, G, F). Intensity is (K, G, P), or
    (K, 1, P) for the same intensity everywhere; the pairs are (first[p], second[p]). In each
    governorate transfers are booked pairwise, then shares are clipped at 0 and renormalised.
    Where a side's contest share against an enemy it fights is below `cede` and a deal can end
    its pocket (`deals` (K, F, F): `_deals`), it gives up the ground it holds there within the
    month instead of being ground down: besieged fighters bused out under a deal the patrons
    broker (Aleppo, December 2016: record row 20; Moscow's reconciliation efforts: seed 002),
    as armies give up untenable ground to hold the rest (Assad, 26 July 2015); the sources in
    docs/sources/deals.md. At 0 nobody cedes and the contest is as before, bit for bit.
    A governorate whose forces and intensity are those of set 0 has set 0's outcome, copied
    (most of a month's alternatives change a few factions' forces in a few governorates).
    (Plain loops over scalars: no array views inside, which numba would reference-count.)"""
    k_count, g_count, f_count = local_power.shape
    p_count = first.shape[0]
    per_governorate = intensity.shape[1] > 1
    booked = np.empty(f_count)
    same_intensity = np.zeros(intensity.shape[1], dtype=np.bool_)
    for k in range(k_count):
        same_deals = k > 0  # the deals change nothing where nobody cedes
        if cede > 0.0:
            for f in range(f_count):
                for h in range(f_count):
                    if deals[k, f, h] != deals[0, f, h]:
                        same_deals = False
        for r in range(intensity.shape[1]):
            same_intensity[r] = same_deals and same_as_first(intensity, k, r)
        for g in range(g_count):
            row = g if per_governorate else 0
            if same_intensity[row] and same_as_first(local_power, k, g):
                for f in range(f_count):
                    out[k, g, f] = out[0, g, f]
                continue
            for f in range(f_count):
                booked[f] = 0.0
            for p in range(p_count):
                i, j = first[p], second[p]
                ci, cj = control[g, i], control[g, j]
                if ci + cj == 0.0:
                    continue  # neither holds ground here: nothing changes hands
                if local_power[k, g, i] + local_power[k, g, j] > 0.0:  # engaged
                    share_i = _share(powered[k, g, i], powered[k, g, j])
                    if cede > 0.0 and intensity[k, row, p] > 0.0 and (
                            (share_i < cede and deals[k, j, i] > 0.0)
                            or (share_i > 1.0 - cede and deals[k, i, j] > 0.0)):
                        # the hopeless side takes the deal and gives up its ground here
                        transfer = cj if share_i > 0.5 else -ci
                        booked[i] += transfer
                        booked[j] -= transfer
                        continue
                    if defence == 0.0:  # the ratio form, kept as written: at the shipped edge
                        # of 0 the outputs are those measured before the edge, bit for bit
                        gained = share_i * (ci + cj) - ci
                    else:  # each side takes the other's ground as far as it makes headway
                        gained = (_headway(share_i, defence) * cj
                                  - _headway(1.0 - share_i, defence) * ci)
                    transfer = mobility * intensity[k, row, p] * gained
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
            mobility: float, defence: float = 0.0, cede: float = 0.0,
            deals: np.ndarray | None = None) -> np.ndarray:
    """One round of fighting in every governorate at once; returns the new control shares.

    For each hostile pair (i, j) each side takes the ground the other holds in a governorate as
    far as its share of the contest passes the defender's edge (`_headway`; at `defence` 0 the
    pair's ground moves towards the split the contest function gives), at a rate `mobility`
    times the pair's fighting intensity. Transfers are booked pairwise, so shares keep summing
    to one. A side whose share is below `cede` gives up its ground where `deals` (F, F, as
    `_deals` gives one row of them) say a deal can end its pocket: anywhere when not given.
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
    pockets = (np.ones((f_count, f_count)) if deals is None
               else np.ascontiguousarray(deals, dtype=float))
    for b in range(len(c)):
        _contest(np.ascontiguousarray(c[b]), np.ascontiguousarray(x[b]),
                 np.ascontiguousarray(t[b]), first, second, float(decisiveness),
                 float(mobility), float(defence), float(cede), pockets, out[b])
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
            out[g, f] = _contest_share(enemy, local_power[g, f], decisiveness)


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


# --- what the states' portfolios do to the war --------------------------------------------

N, A, F, FO = len(STATES), len(ACTIONS), len(FACTIONS), len(FORCES)


@dataclass
class ActionEffects:
    """Per state and action: what it costs and what it does (zeros where it does nothing)."""

    cost: np.ndarray  # (N, A) USD bn/yr
    exposure: np.ndarray  # (N, A) casualty exposure
    quality: np.ndarray  # (N, A, FO) added to a force's quality multiplier
    recruits: np.ndarray  # (N, A, FO) thousands of fighters a month
    air: np.ndarray  # (N, A, F) added to a faction's air multiplier
    troops: np.ndarray  # (N, A, F) combat power of own troops, spread over `focus`
    focus: np.ndarray  # (N, G) where each state's own troops fight (sums to 1)
    offensive: np.ndarray  # (N, A, F) added to the fighting intensity of a faction's fronts
    attrition: np.ndarray  # (N, A, FO) monthly share of a force destroyed by strikes
    economy: np.ndarray  # (N, A) relief to the government's economy (aid)
    pressure: np.ndarray  # (N, A) pressure on the government's economy (sanctions)
    legitimacy: np.ndarray  # (N, A) diplomatic cover: morale and protection at the UN
    patron: np.ndarray  # (N, F) 1 where a foreign state backs a faction (its clients')


CEASEFIRE_SIDES = ("russia", "iran", "syria", "turkey", "us")  # the order of `_ceasefire_level`


class TheatreParams(NamedTuple):
    """The theatre's parameters as the kernels read them, fixed for a run (`from_params`)."""

    neighbour_mean: np.ndarray  # (G, G) row-normalised adjacency
    value: np.ndarray  # (G, F) what each governorate is worth to each faction
    hostility: np.ndarray  # (F, F) how hard two factions fight
    spill: float  # share of next door's ground a faction can fight on
    first: np.ndarray  # (P,) the hostile pairs of factions (first[p], second[p])
    second: np.ndarray
    pair_hostility: np.ndarray  # (P,)
    regime_opposition: np.ndarray  # (P,) bool: the regime-opposition pair
    decisiveness: float  # the contest function's exponent m
    offensive_boost: float
    ceasefire_strength: float
    rout_morale: float
    rout_intensity: float
    hostility_floor: float  # cooperation index below which two air forces may clash
    willing: np.ndarray  # (N,) how surely each state would answer a deconfliction request
    mobility: float  # how fast ground changes hands in a month
    defence: float  # the defender's edge in the contest (`_headway`)
    cede: float  # the contest share below which a side gives up its ground (`_contest_batch`)
    morale_foresight: float  # how far a projection foresees the month's morale (`_foreseen`)
    noise: float  # the fog of war on local power
    attrition: float
    population: np.ndarray  # (G,)
    ceasefire: np.ndarray  # (5,) who speaks for each side (`_ceasefire_level`)
    loss_base: float  # an outgunned force's losses in a quiet month (`_fight`)
    strike_floor: float  # the least of its power strikes leave a force (`_evaluate`)
    holds_ground: float  # the least control that counts as holding ground
    front_base: float  # deployment where a faction faces no enemy (`_deployment`)
    foreseen_recruits: float  # the share of patrons' recruits a projection counts
    front_presence: float  # ground a faction must hold in or next to a governorate to front it
    regime: RegimeParams  # the government's economy and its army's morale (`sim.regime`)

    @classmethod
    def from_params(cls, params: dict, geography: Geography,
                    never: frozenset[tuple[str, str]] = frozenset()) -> TheatreParams:
        """`never`: (state, action) pairs a scenario forbids for the whole run."""
        t = params["theatre"]
        hostility = hostility_matrix(t["hostility"])
        i, j, _ = pair_index(hostility)
        return cls(
            neighbour_mean=np.ascontiguousarray(row_normalised(geography.adjacency)),
            value=np.ascontiguousarray(faction_value(geography, t)),
            hostility=np.ascontiguousarray(hostility), spill=float(t["spill"]),
            first=np.ascontiguousarray(i, dtype=np.int64),
            second=np.ascontiguousarray(j, dtype=np.int64),
            pair_hostility=np.ascontiguousarray(hostility[i, j], dtype=float),
            regime_opposition=np.ascontiguousarray(((i == R) & (j == O)) | ((i == O) & (j == R))),
            decisiveness=float(t["decisiveness"]), offensive_boost=float(t["offensive_boost"]),
            ceasefire_strength=float(t["ceasefire_strength"]),
            rout_morale=float(params["regime"]["rout_morale"]),
            rout_intensity=float(t["rout_intensity"]),
            hostility_floor=float(params["relations"]["clash_threshold"]),
            willing=np.array([
                params["relations"]["reciprocity"] if "deconfliction" in params[s]["menu"]
                and (s, "deconfliction") not in never else 0.0 for s in STATES]),
            mobility=float(t["mobility"]), defence=float(t["defence"]),
            cede=float(t["cede"]), noise=float(t["noise"]),
            morale_foresight=float(params["choice"]["morale_foresight"]),
            attrition=float(t["attrition"]), population=geography.population,
            ceasefire=np.array([float(params["ceasefire"][s]) for s in CEASEFIRE_SIDES]),
            loss_base=float(params["losses"]["base"]),
            strike_floor=float(params["losses"]["strike_floor"]),
            holds_ground=float(params["losses"]["holds_ground"]),
            front_base=float(params["losses"]["front_base"]),
            foreseen_recruits=float(params["losses"]["foreseen_recruits"]),
            front_presence=float(params["losses"]["front_presence"]),
            regime=RegimeParams.from_params(params, geography))


class Effects(NamedTuple):
    """The action effects as the kernels read them (`of`: again after a change of government,
    which brings new clients)."""

    cost: np.ndarray  # (N, A)
    exposure: np.ndarray  # (N, A)
    quality: np.ndarray  # (N, A, FO)
    recruits: np.ndarray  # (N, A, FO)
    attrition: np.ndarray  # (N, A, FO)
    air: np.ndarray  # (N, A, F)
    troops_flat: np.ndarray  # (N, A, G*F) own troops where the state focuses them
    troop_actions: np.ndarray  # (N, A) bool: the actions that send own troops
    offensive_flat: np.ndarray  # (N*A, F)
    morale_lift: np.ndarray  # (N*A,) what each action does for the regime's morale
    patron: np.ndarray  # (N, F) 1 where a foreign state backs a faction
    legitimacy: np.ndarray  # (N, A) what the month's morale model reads (`regime._levers`)
    pressure: np.ndarray  # (N, A)
    relief: np.ndarray  # (N, A)

    @classmethod
    def of(cls, fx: ActionEffects, economy_weight: float) -> Effects:
        troops = fx.troops[:, :, None, :] * fx.focus[:, None, :, None]  # (N, A, G, F)
        troops_flat = troops.reshape(N, A, -1)
        lift = (fx.legitimacy + economy_weight * (fx.economy - fx.pressure)).reshape(-1)
        return cls(*(np.ascontiguousarray(a, dtype=float) for a in (
            fx.cost, fx.exposure, fx.quality, fx.recruits, fx.attrition, fx.air, troops_flat)),
            np.ascontiguousarray((troops_flat != 0.0).any(axis=-1)),
            *(np.ascontiguousarray(a, dtype=float) for a in (
                fx.offensive.reshape(N * A, F), lift, fx.patron, fx.legitimacy, fx.pressure,
                fx.economy)))


class ForceParams(NamedTuple):
    """Each armed force's recruitment parameters, (FO,) in the order of FORCES."""

    mobilisation: np.ndarray
    pool_rate: np.ndarray
    pool_base: np.ndarray
    manpower_cap: np.ndarray
    recruitment: np.ndarray
    decay: np.ndarray

    @classmethod
    def from_params(cls, params: dict) -> ForceParams:
        return cls(*(np.array([float(params[f][key]) for f in FORCES]) for key in cls._fields))


class War(NamedTuple):
    """The state of the war the kernels read in a month."""

    control: np.ndarray  # (G, F)
    availability: np.ndarray  # (N,) share of each state's military assets not drawn elsewhere
    manpower: np.ndarray  # (FO,)
    quality: np.ndarray  # (FO,)
    morale: np.ndarray  # (FO,)
    force_faction: np.ndarray  # (FO, F) which faction each force fights for
    owner: np.ndarray  # (N, FO) the forces a state owns
    faction_of_force: np.ndarray  # (FO,)
    government: int
    opposition_offensive: float  # 0/1
    relations: np.ndarray  # (N, N)
    # the government's treasury, its key-governorate hold, the sanctions from outside the
    # portfolios (`regime.outside_pressure`) and the most each state has added to its power
    # (`regime.backing_after`), as last month left them: what the month's morale model reads
    economy: float
    key_share: float
    outside_pressure: float
    capacity: np.ndarray  # (N,)


class Projection(NamedTuple):
    """The situation each joint portfolio leads to (K leading), as `_situation` projects it."""

    control: np.ndarray  # (K, G, F)
    power: np.ndarray  # (K, F)
    force_power: np.ndarray  # (K, FO)
    contribution: np.ndarray  # (K, N, F)
    spend: np.ndarray  # (K, N)
    exposure: np.ndarray  # (K, N)
    clash_risk: np.ndarray  # (K, N)
    morale: np.ndarray  # (K,) the regime's
    intensity: float  # how hard the war is fought now


class StrikeTargets(NamedTuple):
    """Strikes on what another state owns or backs, target by target as in the parameters."""

    state: np.ndarray  # (T,) the striking state
    faction: np.ndarray  # (T,) the faction hit
    weight: np.ndarray  # (T,)
    owned_by_iran: np.ndarray  # (T,) bool


def payoff_geo(geography: Geography) -> payoffs.Geo:
    """The governorate weights the payoff terms read (each summing to 1)."""
    return payoffs.Geo(
        area_share=geography.area_share,
        key=geography.key,
        corridor=geography.corridor,
        bases=_norm(geography.mask(["latakia", "tartus"])),
        turkish_border=_norm(geography.borders["turkey"] * geography.area),
        golan_front=_norm(geography.mask(["quneitra", "daraa", "rif_dimashq", "damascus"])),
        north_west=_norm(geography.mask(["idlib", "aleppo"])),
    )


@njit(cache=True, error_model="numpy")
def _projected_recruits(months, foreseen):
    """Fighters patrons raise arrive over the horizon: count the share `foreseen` of them (none
    this month)."""
    return foreseen * months if months > 1.0 else 0.0


@njit(cache=True, error_model="numpy")
def _same_part(k, n, quality_n, recruits_n, strikes_n, air_n, troops_total_n, troops_n, slot):
    """Whether state n's part of every channel under portfolio k is its part under portfolio 0
    (`_evaluate`): a change of a diplomatic action leaves the war as it was."""
    for fo in range(quality_n.shape[2]):
        if (quality_n[k, n, fo] != quality_n[0, n, fo]
                or recruits_n[k, n, fo] != recruits_n[0, n, fo]
                or strikes_n[k, n, fo] != strikes_n[0, n, fo]):
            return False
    for f in range(air_n.shape[2]):
        if air_n[k, n, f] != air_n[0, n, f] or troops_total_n[k, n, f] != troops_total_n[0, n, f]:
            return False
    if (slot[k, n] < 0) != (slot[0, n] < 0):
        return False
    if slot[k, n] >= 0:
        for gf in range(troops_n.shape[1]):
            if troops_n[slot[k, n], gf] != troops_n[slot[0, n], gf]:
                return False
    return True


@njit(cache=True, error_model="numpy")
def _as_first(k, source, morale):
    """Whether row k of `_evaluate` reads every state's part from row 0 and has row 0's
    morale: then every number of the row is row 0's."""
    for n in range(source.shape[1]):
        if source[k, n] != 0:
            return False
    for fo in range(morale.shape[1]):  # noqa: SIM110 (a loop numba compiles)
        if morale[k, fo] != morale[0, fo]:
            return False
    return True


@njit(cache=True, error_model="numpy")
def _evaluate(portfolios, war, fx, months, tp, deploy):
    """Everything the joint portfolios (K, N, A) do to the forces, in one pass.

    Each state's part of every channel (quality, strikes, air, own troops, recruits) adds
    up across states, so the war without one state is the total minus that state's part:
    each state's contribution to each faction costs no recomputation. Own troops fight where
    the state focuses them (`troops_flat`: (N, A, G*F), nonzero for `troop_actions`
    (N, A)); fighters patrons raise count in part
    over a horizon (`_projected_recruits`); the regime's morale is projected under aid, cover
    and sanctions (`morale_lift`, (N*A,)). Returns (K, ...) arrays: force power (FO), ground, air
    and total power (F), contribution (N, F), local power (G, F), morale (FO), the monthly
    share destroyed by strikes (FO) and the fighters patrons raise each month (FO).
    """
    availability = war.availability
    manpower = war.manpower
    quality = war.quality
    morale = war.morale
    force_faction = war.force_faction
    owner = war.owner
    government = war.government
    fx_quality, fx_recruits, fx_attrition, fx_air = fx.quality, fx.recruits, fx.attrition, fx.air
    troops_flat, troop_actions, morale_lift = fx.troops_flat, fx.troop_actions, fx.morale_lift
    morale_recovery, strike_floor = tp.regime.morale_recovery, tp.strike_floor
    k_count, n_count, a_count = portfolios.shape
    fo_count, f_count = force_faction.shape
    g_count = deploy.shape[0]
    gf_count = g_count * f_count
    force_power = np.empty((k_count, fo_count))
    ground = np.zeros((k_count, f_count))
    air = np.zeros((k_count, f_count))
    power = np.empty((k_count, f_count))
    contribution = np.empty((k_count, n_count, f_count))
    local = np.empty((k_count, g_count, f_count))
    morale_out = np.empty((k_count, fo_count))
    strikes = np.zeros((k_count, fo_count))
    recruits = np.zeros((k_count, fo_count))

    # Each state's part of each channel under each portfolio. A state whose row is the same as
    # in portfolio 0 has the same part: it is computed once and read from row 0 (`source`).
    quality_n = np.zeros((k_count, n_count, fo_count))
    recruits_n = np.zeros((k_count, n_count, fo_count))
    strikes_n = np.zeros((k_count, n_count, fo_count))
    air_n = np.zeros((k_count, n_count, f_count))
    troops_total_n = np.zeros((k_count, n_count, f_count))
    source = np.zeros((k_count, n_count), dtype=np.int64)
    # own troops where they fight, (G*F,) for each part with troops in: row slot[k, n]
    slot = np.full((k_count, n_count), -1, dtype=np.int64)
    slots = 0
    for k in range(k_count):
        for n in range(n_count):
            if k > 0 and same_as_first(portfolios, k, n):
                continue  # source 0
            source[k, n] = k
            for a in range(a_count):
                if troop_actions[n, a] and portfolios[k, n, a] != 0.0:
                    slot[k, n] = slots
                    slots += 1
                    break
    troops_n = np.zeros((slots, gf_count))
    for k in range(k_count):
        for n in range(n_count):
            if source[k, n] != k:
                continue
            for a in range(a_count):
                p = portfolios[k, n, a]
                if p == 0.0:
                    continue
                available = p * availability[n]
                for fo in range(fo_count):
                    quality_n[k, n, fo] += p * fx_quality[n, a, fo]
                    recruits_n[k, n, fo] += p * fx_recruits[n, a, fo]
                    strikes_n[k, n, fo] += available * fx_attrition[n, a, fo]
                for f in range(f_count):
                    air_n[k, n, f] += available * fx_air[n, a, f]
                if troop_actions[n, a]:
                    row = slot[k, n]
                    for gf in range(gf_count):
                        troops_n[row, gf] += available * troops_flat[n, a, gf]
            if slot[k, n] >= 0:
                row = slot[k, n]
                for g in range(g_count):
                    for f in range(f_count):
                        troops_total_n[k, n, f] += troops_n[row, g * f_count + f]
            if k > 0 and _same_part(k, n, quality_n, recruits_n, strikes_n, air_n,
                                    troops_total_n, troops_n, slot):
                source[k, n] = 0  # another row, the same part (a change the war does not see)

    # a force a state owns is in Syria as far as the state's assets are: another war that
    # draws Iran's assets draws its militias too (the `lebanon_war` shock in
    # scenarios/_history.toml; record section 3: no rescue "on the 2015 scale" in Nov 2024)
    present = np.ones(fo_count)
    for fo in range(fo_count):
        for n in range(n_count):
            if owner[n, fo] != 0.0:
                present[fo] -= owner[n, fo] * (1.0 - availability[n])
        present[fo] = max(present[fo], 0.0)
    arriving = _projected_recruits(months, tp.foreseen_recruits)
    wear = max(months, 1.0)
    projected = months > 1.0 and government == R  # the regime's morale moves over the horizon
    lift_rate = min(months * morale_recovery, 1.0)  # `regime._projected_morale`
    q = np.empty(fo_count)
    tr = np.empty(f_count)
    base = np.empty(fo_count)
    per_fighter = np.empty(fo_count)
    without = np.empty(fo_count)
    touched = np.empty(f_count, dtype=np.bool_)
    own = np.empty(gf_count)
    # the forces that fight for each faction, in order (`force_faction` is one-hot in
    # practice; the products with its zeros add nothing, so they are skipped)
    fighting_for = np.empty((f_count, fo_count), dtype=np.int64)
    fighters = np.zeros(f_count, dtype=np.int64)
    for f in range(f_count):
        for fo in range(fo_count):
            if force_faction[fo, f] != 0.0:
                fighting_for[f, fighters[f]] = fo
                fighters[f] += 1
    for k in range(k_count):
        for fo in range(fo_count):
            morale_out[k, fo] = morale[fo]
        if projected:
            morale_out[k, REGIME_FORCE] = _projected_morale(portfolios[k], morale[REGIME_FORCE],
                                                            morale_lift, lift_rate,
                                                            tp.regime.floor)
        if k > 0 and _as_first(k, source, morale_out):
            # every state's part as in row 0 and the same morale: row 0's numbers, copied
            for fo in range(fo_count):
                force_power[k, fo] = force_power[0, fo]
                strikes[k, fo] = strikes[0, fo]
                recruits[k, fo] = recruits[0, fo]
            for f in range(f_count):
                ground[k, f], air[k, f], power[k, f] = ground[0, f], air[0, f], power[0, f]
                for n in range(n_count):
                    contribution[k, n, f] = contribution[0, n, f]
                for g in range(g_count):
                    local[k, g, f] = local[0, g, f]
            continue
        q[:] = 0.0
        tr[:] = 0.0
        for n in range(n_count):
            s = source[k, n]
            for fo in range(fo_count):
                recruits[k, fo] += recruits_n[s, n, fo]
                q[fo] += quality_n[s, n, fo]
                strikes[k, fo] += strikes_n[s, n, fo]
            for f in range(f_count):
                air[k, f] += air_n[s, n, f]
                tr[f] += troops_total_n[s, n, f]
        for fo in range(fo_count):
            per_fighter[fo] = quality[fo] * morale_out[k, fo] * present[fo]
            base[fo] = (manpower[fo] + arriving * recruits[k, fo]) * per_fighter[fo]
            force_power[k, fo] = base[fo] * (1.0 + q[fo]) * min(max(
                1.0 - wear * strikes[k, fo], strike_floor), 1.0)
        for f in range(f_count):
            for j in range(fighters[f]):
                fo = fighting_for[f, j]
                ground[k, f] += force_power[k, fo] * force_faction[fo, f]
            power[k, f] = (ground[k, f] + tr[f]) * (1.0 + air[k, f])

        # the same war without each state: its actions and the forces it owns taken out. A
        # force the state neither owns nor acts on is as strong without it, and where the
        # state touches none of a faction's forces, troops or air, the faction is too (the
        # very same numbers): the state's contribution to it is nil.
        for n in range(n_count):
            s = source[k, n]
            touched[:] = False
            for fo in range(fo_count):
                if (owner[n, fo] == 0.0 and quality_n[s, n, fo] == 0.0
                        and recruits_n[s, n, fo] == 0.0 and strikes_n[s, n, fo] == 0.0):
                    without[fo] = force_power[k, fo]
                    continue
                without[fo] = ((base[fo] - arriving * recruits_n[s, n, fo] * per_fighter[fo])
                               * (1.0 - owner[n, fo])) * (1.0 + q[fo] - quality_n[s, n, fo]) * min(
                    max(1.0 - wear * (strikes[k, fo] - strikes_n[s, n, fo]), strike_floor), 1.0)
                for f in range(f_count):
                    if force_faction[fo, f] != 0.0:
                        touched[f] = True
            for f in range(f_count):
                if not touched[f] and troops_total_n[s, n, f] == 0.0 and air_n[s, n, f] == 0.0:
                    contribution[k, n, f] = 0.0
                    continue
                ground_without = 0.0
                for j in range(fighters[f]):
                    fo = fighting_for[f, j]
                    ground_without += without[fo] * force_faction[fo, f]
                power_without = (ground_without + tr[f] - troops_total_n[s, n, f]) * (
                    1.0 + air[k, f] - air_n[s, n, f])
                contribution[k, n, f] = max(power[k, f] - power_without, 0.0)

        own[:] = 0.0
        for n in range(n_count):
            row = slot[source[k, n], n]
            if row >= 0:
                for gf in range(gf_count):
                    own[gf] += troops_n[row, gf]
        for g in range(g_count):
            for f in range(f_count):
                local[k, g, f] = (ground[k, f] * deploy[g, f] + own[g * f_count + f]) * (
                    1.0 + air[k, f])
    return (force_power, ground, air, power, contribution, local, morale_out, strikes,
            recruits)


@njit(cache=True, error_model="numpy")
def _intensity(portfolios, war, fx, tp, ceasefire):
    """Fighting intensity of each hostile pair, (K, P): base hostility, dampened by a
    ceasefire, raised by the offensives states back."""
    availability, offensive_flat = war.availability, fx.offensive_flat
    first, second, pair_hostility = tp.first, tp.second, tp.pair_hostility
    regime_opposition, ceasefire_strength = tp.regime_opposition, tp.ceasefire_strength
    offensive_boost, opposition_offensive = tp.offensive_boost, war.opposition_offensive
    regime_morale = war.morale[REGIME_FORCE]
    rout_morale, rout_intensity = tp.rout_morale, tp.rout_intensity
    k_count, n_count, a_count = portfolios.shape
    f_count = offensive_flat.shape[1]
    out = np.empty((k_count, len(first)))
    push = np.empty(f_count)
    opp_push = 1.0 + offensive_boost * opposition_offensive
    if opposition_offensive != 0.0 and regime_morale < rout_morale:
        opp_push *= rout_intensity  # a routed army: the front gives way in weeks
    # the few (state, action) entries that push an offensive at all, in order (the products of
    # the others are zeros, which add nothing)
    pushing = np.empty(n_count * a_count, dtype=np.int64)
    pushers = 0
    for na in range(n_count * a_count):
        for f in range(f_count):
            if offensive_flat[na, f] != 0.0:
                pushing[pushers] = na
                pushers += 1
                break
    for k in range(k_count):
        push[:] = 0.0
        for i in range(pushers):
            na = pushing[i]
            n, a = na // a_count, na % a_count
            available = portfolios[k, n, a] * availability[n]
            if available != 0.0:
                for f in range(f_count):
                    push[f] += available * offensive_flat[na, f]
        damp = 1.0 - ceasefire_strength * ceasefire[k] * (1.0 - opposition_offensive)
        for p in range(len(first)):
            boost = 1.0 + offensive_boost * (push[first[p]] + push[second[p]])
            calm = damp if regime_opposition[p] else 1.0
            front = opp_push if regime_opposition[p] else 1.0
            out[k, p] = pair_hostility[p] * calm * boost * front
    return out


@njit(cache=True, error_model="numpy")
def _clash_risk(portfolios, relations, hostility_floor, willing):
    """Risk of a clash between two states' aircraft in Syria's sky without a deconfliction
    agreement, weighted by how unfriendly they are, (K, N). Deconfliction was about the
    air: record row 15 (Israel-Russia), the US-Russia memorandum of Oct 2015. A state that
    seeks deconfliction expects a power already there to agree as surely as it is `willing`
    (N,) (both agreements came within weeks of Russia's entry), not only if it holds it now."""
    k_count, n_count, _ = portfolios.shape
    unfriendly = np.empty((n_count, n_count))
    for n in range(n_count):
        for m in range(n_count):
            unfriendly[n, m] = 0.0 if n == m else min(max(hostility_floor - relations[n, m],
                                                          0.0), 1.0)
    out = np.empty((k_count, n_count))
    for k in range(k_count):
        for n in range(n_count):
            active_n = max(portfolios[k, n, AIR_CAMPAIGN], portfolios[k, n, STRIKE])
            risk = 0.0
            for m in range(n_count):
                active_m = max(portfolios[k, m, AIR_CAMPAIGN], portfolios[k, m, STRIKE])
                answered = max(portfolios[k, m, DECONFLICTION], willing[m])
                exposed = active_n * active_m * (1.0 - portfolios[k, n, DECONFLICTION]
                                                 * answered)
                risk += exposed * unfriendly[n, m]
            out[k, n] = risk
    return out


@njit(cache=True, error_model="numpy")
def _situation(portfolios, months, mobility, war, fx, tp):
    """Project `months` ahead under each joint portfolio (K, N, A): the forces it builds
    (`_evaluate`), a round of fighting at the projected intensity (`_contest` at the
    mobility of `months` months), and what it costs each state (a `Projection`)."""
    control, availability, government = war.control, war.availability, war.government
    neighbour_mean, value, hostility, spill = tp.neighbour_mean, tp.value, tp.hostility, tp.spill
    first, second, decisiveness = tp.first, tp.second, tp.decisiveness
    k_count, n_count, a_count = portfolios.shape
    g_count, f_count = control.shape
    deploy = np.empty((g_count, f_count))
    _deployment(control, neighbour_mean, value, hostility, spill, tp.front_base, deploy)
    (force_power, _, _, power, contribution, local, morale_all, _, _) = _evaluate(
        portfolios, war, fx, months, tp, deploy)
    intensity = _intensity(portfolios, war, fx, tp, _ceasefire_level(portfolios, government,
                                                                 tp.ceasefire))
    # the contest's powers of local forces: a faction whose local forces are as under
    # portfolio 0 has the same powers (most alternatives change a few factions' forces)
    powered = np.empty((k_count, g_count, f_count))
    _powered(local[0], decisiveness, powered[0])
    for k in range(1, k_count):
        for f in range(f_count):
            same = True
            for g in range(g_count):
                if local[k, g, f] != local[0, g, f]:
                    same = False
                    break
            for g in range(g_count):
                x = local[k, g, f]
                if same:
                    powered[k, g, f] = powered[0, g, f]
                else:
                    powered[k, g, f] = x ** decisiveness if x > 0.0 else 0.0
    projected = np.empty((k_count, g_count, f_count))
    _contest_batch(control, local, powered,
                   intensity.reshape((k_count, 1, intensity.shape[1])), first, second,
                   mobility, tp.defence, tp.cede,
                   _deals_if(portfolios, fx.patron, government, tp.cede),
                   projected)

    # money and casualty exposure; military assets drawn to other wars cost nothing here
    cost = payoffs._as_paid(fx.cost, availability)
    exposure_rate = payoffs._as_paid(fx.exposure, availability)
    spend = np.empty((k_count, n_count))
    exposure = np.empty((k_count, n_count))
    row = np.empty(a_count)
    for k in range(k_count):
        for n in range(n_count):
            for a in range(a_count):
                row[a] = portfolios[k, n, a] * cost[n, a]
            spend[k, n] = pairwise_sum(row)
            for a in range(a_count):
                row[a] = portfolios[k, n, a] * exposure_rate[n, a]
            exposure[k, n] = pairwise_sum(row)
    clash_risk = _clash_risk(portfolios, war.relations, tp.hostility_floor, tp.willing)
    now = min(pairwise_sum(intensity[0]) / intensity.shape[1], 1.0)
    morale = morale_all[:, REGIME_FORCE].copy()
    if tp.morale_foresight > 0.0 and government == R:  # no army to foresee after the fall
        _foreseen(portfolios, projected, power, contribution, intensity, months, war, fx, tp,
                  morale)
    return Projection(projected, power, force_power, contribution, spend, exposure, clash_risk,
                      morale, now)


@njit(cache=True, error_model="numpy")
def _foreseen(portfolios, projected, power, contribution, intensity, months, war, fx, tp,
              morale):
    """The regime's morale at the horizon as the month's own model would move it, weighed
    `tp.morale_foresight` against the projection's own (`morale` (K,), in place): the
    treasury and morale (`regime._regime_after`) on the ground each joint portfolio leads to
    (`projected` (K, G, F)), the fighting it brings and the odds the army would see with what
    its patrons could still add (`backing_odds`, `regime.patrons_reserve`). So a patron that
    weighs an air campaign foresees the morale it buys and the cascade of key ground lost
    (issue 14: "the projection a state weighs uses the same morale model as the month"); at
    0 the projection's morale is moved by cover, aid and sanctions only (decisions.md D10)."""
    k_count, p_count = intensity.shape
    n_count = portfolios.shape[1]
    regime_now = (war.economy, war.morale[REGIME_FORCE], war.key_share, war.outside_pressure)
    effects = (fx.legitimacy, fx.pressure, fx.relief)
    capacity = np.empty(n_count)
    share = np.empty(n_count)
    foresight = tp.morale_foresight
    for k in range(k_count):
        for n in range(n_count):
            share[n] = contribution[k, n, R]
        _capacity_after(war.capacity, share, war.availability, capacity)
        reserve = patrons_reserve(capacity, share, war.availability)
        odds = backing_odds(power[k], reserve, tp.hostility, tp.decisiveness)
        fighting = pairwise_sum(intensity[k]) / p_count  # as the month's fight reckons it
        month = _regime_after(portfolios[k], projected[k], odds, fighting, months, regime_now,
                              effects, tp.regime)[1]
        morale[k] = (1.0 - foresight) * morale[k] + foresight * month


@njit(cache=True, error_model="numpy")
def _ceasefire_level(portfolios, government, weights):
    """How far a regime-opposition ceasefire holds under each joint portfolio, (K,): someone
    must speak for each side (Russia, Iran or Damascus; Turkey or the US), as at Astana, as
    far as its `weights` (5,) in that order say (params/model.toml [ceasefire])."""
    out = np.zeros(portfolios.shape[0])
    if government != R:
        return out
    for k in range(portfolios.shape[0]):
        talks = portfolios[k, :, NEGOTIATION]
        regime_side = min(1.0, weights[0] * talks[RUSSIA] + weights[1] * talks[IRAN]
                          + weights[2] * talks[SYRIA])
        opposition_side = min(1.0, weights[3] * talks[TURKEY] + weights[4] * talks[US])
        out[k] = regime_side * opposition_side
    return out


def hostility_matrix(table: dict[str, float]) -> np.ndarray:
    """Symmetric (F, F) matrix of how hard two factions fight, from `a-b = value` entries."""
    h = np.zeros((F, F))
    for pair, value in table.items():
        a, b = pair.split("-")
        h[FACTIONS.index(a), FACTIONS.index(b)] = h[FACTIONS.index(b), FACTIONS.index(a)] = value
    return h


def faction_value(geo: Geography, t: dict) -> np.ndarray:
    """What each governorate is worth to each faction, (G, F): population everywhere, the key
    governorates more to whoever governs, the border to the SDF and ISIS's own heartland."""
    population = geo.population / geo.population.mean()
    area = geo.area / geo.area.mean()
    base = t["value_population"] * population + t["value_area"] * area
    value = np.repeat(base[:, None], F, axis=1)
    value[:, FACTIONS.index("isis")] += t["value_area_isis"] * area
    # the SDF fought for the north-east and the ground it took from ISIS, not for the west
    home = np.array([t["sdf_home"].get(g, 0.0) for g in geo.names])
    value[:, FACTIONS.index("sdf")] *= home
    government = 1.0 + t["value_key"] * geo.key / geo.key.max()
    value[:, R] *= government
    value[:, FACTIONS.index("successor")] *= government
    return value


def _norm(weights: np.ndarray) -> np.ndarray:
    return weights / weights.sum()


# --- the month's fight ---------------------------------------------------------------------


FORCE_FACTION = {"regime": "regime", "opposition": "opposition", "sdf": "sdf", "isis": "isis",
                 "militias": "regime", "hezbollah": "regime"}


OWNED = {"syria": ("regime",), "iran": ("militias", "hezbollah")}


FORCE_PATRON = {"militias": "iran", "hezbollah": "iran", "regime": "syria",
                "opposition": "turkey", "sdf": "us", "isis": "isis"}


@njit(cache=True, error_model="numpy")
def _fight(joint, fog_draws, mobility, war, fx, tp, forces):
    """The month's fighting under the joint portfolio (N, A): the forces it builds
    (`_evaluate`, one month), local power under the fog of war (log-normal, s.d.
    `noise`, from the standard normal `fog_draws`), one round of the contest
    (`_contest`); then each force's losses where it is outgunned
    (`_losing_pressure`, dearer the harder the war is fought) and to strikes, and its
    recruits (`_recruited`): a movement recruits where it can reach people, not only
    where it rules (`_reach`, `mobilisation`).

    Returns the new control (G, F), local power (G, F), each state's contribution (N, F), each
    faction's power (F,), each force's manpower (FO,) and how hard the war was fought (the
    mean intensity over the hostile pairs).
    """
    control, manpower, faction_of_force = war.control, war.manpower, war.faction_of_force
    neighbour_mean, value, hostility, spill = tp.neighbour_mean, tp.value, tp.hostility, tp.spill
    first, second, decisiveness = tp.first, tp.second, tp.decisiveness
    noise, attrition, population = tp.noise, tp.attrition, tp.population
    mobilisation, pool_rate, pool_base = forces.mobilisation, forces.pool_rate, forces.pool_base
    manpower_cap, recruitment, decay = forces.manpower_cap, forces.recruitment, forces.decay
    government = war.government
    n_count, a_count = joint.shape
    g_count, f_count = control.shape
    portfolio = joint.copy().reshape((1, n_count, a_count))
    deploy = np.empty((g_count, f_count))
    _deployment(control, neighbour_mean, value, hostility, spill, tp.front_base, deploy)
    (_, _, _, power, contribution, local, _, strikes, recruits) = _evaluate(
        portfolio, war, fx, 1.0, tp, deploy)
    local_power = local[0] * np.exp(noise * fog_draws)
    intensity = _intensity(portfolio, war, fx, tp, _ceasefire_level(portfolio, government,
                                                                tp.ceasefire))
    new_control = np.empty((g_count, f_count))
    _contest(control, local_power, intensity, first, second, decisiveness, mobility,
             tp.defence, tp.cede, _deals_if(portfolio, fx.patron, government, tp.cede)[0],
             new_control)

    # losses where each force is outgunned, plus strikes on it; then recruits
    pressure = np.empty((g_count, f_count))
    _losing_pressure(local_power, hostility, decisiveness, pressure)
    exposure = np.zeros(f_count)
    for g in range(g_count):
        for f in range(f_count):
            exposure[f] += deploy[g, f] * pressure[g, f]
    fighting = pairwise_sum(intensity[0]) / intensity.shape[1]
    reach = np.empty((g_count, f_count))
    _reach(new_control, neighbour_mean, spill, reach)
    after = np.empty(len(manpower))
    for fo in range(len(manpower)):
        faction = faction_of_force[fo]
        losses = attrition * manpower[fo] * exposure[faction] * (tp.loss_base + fighting)
        strength = _after_losses(manpower[fo], losses + strikes[0, fo] * manpower[fo])
        pool = 0.0
        for g in range(g_count):
            held = min(max(new_control[g, faction] + mobilisation[fo] * reach[g, faction], 0.0),
                       1.0)
            pool += population[g] * held
        holds_ground = pairwise_sum(new_control[:, faction]) > tp.holds_ground
        after[fo] = _recruited(strength, pool_rate[fo] * pool, recruits[0, fo], holds_ground,
                               pool_base[fo], manpower_cap[fo], recruitment[fo], decay[fo])
    return new_control, local_power, contribution[0], power[0], after, fighting


fight = boundary(_fight)  # the month's fight as Python calls it (`numeric.boundary`)


@njit(cache=True, error_model="numpy")
def _spend(joint, cost, availability):
    """What each state's portfolio (N, A) costs it, (N,): military assets drawn to other wars
    cost nothing."""
    paid = payoffs._as_paid(cost, availability)
    out = np.empty(joint.shape[0])
    for n in range(joint.shape[0]):
        out[n] = pairwise_sum(joint[n] * paid[n])
    return out


@njit(cache=True, error_model="numpy")
def _recruited(manpower, pool, patron_recruits, holds_ground, pool_base, manpower_cap,
               recruitment, decay):
    """A force's manpower after a month's recruitment: it closes part (`recruitment`) of the gap
    to its recruitment pool, which saturates at `manpower_cap` and has a floor `pool_base`
    while the force holds ground; fighters its patrons raise and pay are added; a force that
    lives on patrons alone (`decay`) wastes away in a month they send none. Patrons' fighters
    come from a pool too (Hezbollah's men it can spare, the Shia volunteers Iran can raise:
    record 2c), so they fill the force up to `manpower_cap` and no further."""
    pool = pool + (pool_base if holds_ground else 0.0)
    pool = manpower_cap * (1.0 - math.exp(-pool / manpower_cap))  # saturating
    if pool > manpower:
        manpower += recruitment * (pool - manpower)
    if patron_recruits > 0.0 and manpower < manpower_cap:
        manpower = min(manpower + patron_recruits, manpower_cap)
    if decay != 0.0 and patron_recruits == 0.0:
        manpower *= 1.0 - decay
    return manpower


@njit(cache=True, error_model="numpy")
def _after_losses(manpower, losses):
    """A force's manpower after losses (never below zero)."""
    return max(manpower - losses, 0.0)


# --- who fights for whom ----------------------------------------------------------------------


def successor_of(faction: str, government: int) -> str:
    """The faction as it stands under the government: after the fall the opposition is the
    successor government."""
    return "successor" if government == SUCC and faction == "opposition" else faction


def faction_of(force: str, government: int) -> str:
    """The faction a force fights for under the government."""
    return successor_of(FORCE_FACTION[force], government)


def clients_after_fall(state: str, clients: list[str]) -> list[str]:
    """Whom a state backs once the regime has fallen: the clients it had that outlive the
    regime (not the army and militias that dissolve with it); and Syria's own army is the
    force that took Damascus (the opposition, as the successor). No state picks new clients at
    the fall: the new government's patrons are those who backed the factions that formed it."""
    kept = [c for c in clients if c not in DISBANDED]
    return ["opposition", *kept] if state == "syria" else kept


def action_effects(params: dict, geo: Geography, government: int) -> ActionEffects:
    """Effect tensors from the actor parameters, for the government's clients (a state's
    `clients`, or `clients_after_fall` once the regime has fallen)."""
    n_count, a_count, f_count, fo_count = len(STATES), len(ACTIONS), len(FACTIONS), len(FORCES)
    fx = ActionEffects(
        cost=np.zeros((n_count, a_count)), exposure=np.zeros((n_count, a_count)),
        quality=np.zeros((n_count, a_count, fo_count)),
        recruits=np.zeros((n_count, a_count, fo_count)),
        air=np.zeros((n_count, a_count, f_count)), troops=np.zeros((n_count, a_count, f_count)),
        focus=np.zeros((n_count, len(geo.names))),
        offensive=np.zeros((n_count, a_count, f_count)),
        attrition=np.zeros((n_count, a_count, fo_count)), economy=np.zeros((n_count, a_count)),
        pressure=np.zeros((n_count, a_count)), legitimacy=np.zeros((n_count, a_count)),
        patron=np.zeros((n_count, f_count)),
    )
    for n, state in enumerate(STATES):
        actor = params[state]
        clients = set(actor["clients"] if government == R
                      else clients_after_fall(state, actor["clients"]))
        client_factions = {faction_of(c, government) for c in clients}
        if state != "syria":  # the government is no patron of its own army
            for faction in client_factions:
                fx.patron[n, FACTIONS.index(faction)] = 1.0
        focus = np.array([actor["focus"].get(g, 0.0) for g in geo.names])
        fx.focus[n] = focus / focus.sum() if focus.sum() else geo.area_share
        for action, effect in actor["actions"].items():
            a = ACTIONS.index(action)
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
                    target = successor_of(faction, government)
                    if target in client_factions:
                        tensor[n, a, FACTIONS.index(target)] = value
    return fx


@dataclass(frozen=True)
class Allegiances:
    """What changes only when the government does: which faction each force fights for, which
    forces a state owns, and which factions its strikes hit (target by target as in the
    parameters: state, faction, weight, and whether the target is a force Iran owns)."""

    force_faction: np.ndarray  # (FO, F) 0/1
    owner: np.ndarray  # (N, FO) 0/1
    faction_of_force: np.ndarray  # (FO,) faction index
    strike_targets: StrikeTargets

    @classmethod
    def of(cls, factions: dict[str, str], government: int, params: dict) -> Allegiances:
        """From the faction each force fights for (`factions`, force -> faction)."""
        force_faction = np.zeros((len(FORCES), len(FACTIONS)))
        owner = np.zeros((len(STATES), len(FORCES)))
        for fo, force in enumerate(FORCES):
            force_faction[fo, FACTIONS.index(factions[force])] = 1.0
        for state, owned in OWNED.items():
            for force in owned:
                # the forces that dissolve with the regime are no one's after it
                if government != SUCC or force not in DISBANDED:
                    owner[STATES.index(state), FORCES.index(force)] = 1.0
        if government == SUCC:  # the state's army is the force that took Damascus
            owner[SYRIA, FORCES.index("opposition")] = 1.0
        targets = [(n, FACTIONS.index(faction_of(force, government)), weight,
                    force in OWNED.get("iran", ()))
                   for n, state in enumerate(STATES)
                   for force, weight in params[state]["strike_targets"].items()]
        return cls(
            force_faction=force_faction, owner=owner,
            faction_of_force=np.array([FACTIONS.index(factions[f]) for f in FORCES]),
            strike_targets=StrikeTargets(np.array([t[0] for t in targets], dtype=np.int64),
                            np.array([t[1] for t in targets], dtype=np.int64),
                            np.array([t[2] for t in targets], dtype=float),
                            np.array([t[3] for t in targets], dtype=np.bool_)))


def war_now(model) -> War:
    """The state of the war the kernels read this month."""
    forces = model.forces.values()
    sides = model._sides
    return War(
        control=model.control, availability=model.shocks.availability(model.month),
        manpower=np.array([float(f.manpower) for f in forces]),
        quality=np.array([float(f.quality) for f in forces]),
        morale=np.array([float(f.morale) for f in forces]),
        force_faction=sides.force_faction, owner=sides.owner,
        faction_of_force=sides.faction_of_force, government=int(model.government),
        opposition_offensive=float(model.forces["opposition"].offensive),
        relations=model.relations, economy=float(model.economy),
        key_share=float(model.key_share), outside_pressure=float(outside_pressure(model)),
        capacity=model.capacity)


def shown_capacity(shown: np.ndarray, war: War, fx: Effects, tp: TheatreParams) -> np.ndarray:
    """What each state adds to the regime's power under the joint portfolio `shown` (N, A), at
    full availability, in this war: the `capacity` (`regime.backing_after`: the most a state
    has added in a month) of a run that starts after its patrons have shown what they can
    send. A run from 2011 learns it from its own months; one that starts in 2017 or 2024 would
    otherwise start with none, and its army would count on no help at all (docs/decisions.md
    D24)."""
    full = war._replace(availability=np.ones_like(war.availability))
    deploy = deployment(war.control, tp.neighbour_mean, tp.value, tp.hostility, tp.spill,
                        tp.front_base)
    joint = np.ascontiguousarray(shown, dtype=float).reshape((1, *shown.shape))
    contribution = _evaluate(joint, full, fx, 1.0, tp, deploy)[4]
    return contribution[0, :, R].copy()


def land(model, landing) -> None:
    """A shock lands on the theatre (`shocks.Landing`): its one-off effect on a force, if it
    has one (a surge that takes ground, a blow to manpower and quality)."""
    if landing.kind == "force_surge":
        force = model.forces[landing.force]
        force.manpower += landing.manpower
        faction = FACTIONS.index(force.faction)
        for governorate, taken in landing.taken:
            g = model.geo.index(governorate)
            model.control[g] *= 1.0 - taken
            model.control[g, faction] += taken
    elif landing.kind == "force_blow":
        force = model.forces[landing.force]
        force.manpower *= 1.0 - landing.loss
        force.quality *= 1.0 - landing.quality_loss
