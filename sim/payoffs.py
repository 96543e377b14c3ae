"""Realist payoffs: survival, balancing, influence, minus costs.

Each term is a pure function of a `Situation` (arrays with a leading batch axis K, one row per
portfolio being weighed) and the actor's parameters. The source of each term sits beside it.
Conventions: survival is minus a threat in [0, 1]; balancing is in [-1, 1]; influence is in
[0, 1]; cost is >= 0. Utility = w_s * survival + w_b * balancing + w_i * influence - cost.

Each term is written once, as a compiled kernel on plain arrays (`_threat_iran`, `_alignment`,
`_influence`, ...): the weighing kernel (`_weigh_terms`, below) calls these directly, and the
public functions here (`threat_iran(sit, geo, p)`, `balancing_all(sit)`, `influence(...)`, ...)
unpack a `Situation` and call the same kernels.

Theory: seed `001_a0c6956d99d71d69.txt` (Mosaddegh et al. 2022): "All trends in realism emphasize
survival as the superior goal of actors"; states "form alliances to balance and overcome
adversaries"; offensive realists maximise power and influence (Mearsheimer).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

import numpy as np
from numba import njit

from sim.vocabulary import (
    FACTIONS,
    GROUND,
    HEZBOLLAH,
    IRAN,
    ISIS,
    ISRAEL,
    MILITARY,
    MILITIAS,
    RUSSIA,
    SDF,
    STATES,
    SUCC,
    SYRIA,
    TERMS,
    TURKEY,
    US,
    O,
    R,
)


@dataclass(frozen=True)
class Situation:
    """What a state looks at when it weighs a portfolio; arrays carry a leading axis K."""

    control: np.ndarray  # (K, G, F) projected control shares
    power: np.ndarray  # (K, F) combat power of each faction
    force_power: np.ndarray  # (K, FORCES) combat power of each armed force
    contribution: np.ndarray  # (K, N, F) power each state adds to each faction
    spend: np.ndarray  # (K, N) USD bn/yr the portfolio costs each state
    exposure: np.ndarray  # (K, N) casualty exposure of each state's forces (0-1 scale)
    clash_risk: np.ndarray  # (K, N) risk of clashing with another state's forces
    morale: np.ndarray  # (K,) the regime's morale, projected
    government: int  # faction index of the government in Damascus (regime or successor)
    relations: np.ndarray  # (N, N) cooperation index now
    intensity: float  # how hard the war is being fought now, 0-1
    cache: dict = field(default_factory=dict, compare=False, repr=False)


# the governorate weights the indicators roll control up by, in the order of `Geo.weights`
INDICATORS = ("key", "corridor", "bases", "turkish_border", "golan", "north_west", "area")
KEY, CORRIDOR, BASES, TURKISH_BORDER, GOLAN, NORTH_WEST, AREA = range(len(INDICATORS))


@dataclass(frozen=True)
class Geo:
    """Governorate weights the payoff terms use, each summing to 1 (built once per model)."""

    area_share: np.ndarray
    key: np.ndarray
    corridor: np.ndarray
    bases: np.ndarray  # Latakia and Tartus: Hmeimim and Tartus
    turkish_border: np.ndarray
    golan_front: np.ndarray  # Quneitra, Daraa, Rif Dimashq, Damascus
    north_west: np.ndarray  # Idlib and Aleppo: where refugees flee towards Turkey

    @cached_property
    def weights(self) -> np.ndarray:
        """(G, 7): the weights in the order of `INDICATORS`."""
        return np.ascontiguousarray(np.stack(
            [self.key, self.corridor, self.bases, self.turkish_border, self.golan_front,
             self.north_west, self.area_share], axis=1), dtype=float)


def _everyone(contribution: np.ndarray) -> np.ndarray:
    """(K, N) all True: every state's term under every row (the kernels' `weighs`)."""
    return np.ones(contribution.shape[:2], dtype=np.bool_)


def _weighted(control: np.ndarray, weights: np.ndarray, faction: int) -> np.ndarray:
    return control[..., faction] @ weights


@njit(cache=True, error_model="numpy")
def _indicators(control, power, weights, needed):
    """Control rolled up by each indicator's weights, (K, 7, F), where `needed` (7, F) asks
    for it (zero elsewhere), and each faction's share of all combat power, (K, F)."""
    k_count, g_count, f_count = control.shape
    rolled = np.zeros((k_count, weights.shape[1], f_count))
    share = np.empty((k_count, f_count))
    for k in range(k_count):
        for w in range(weights.shape[1]):
            for f in range(f_count):
                if not needed[w, f]:
                    continue
                total = 0.0
                for g in range(g_count):
                    total += control[k, g, f] * weights[g, w]
                rolled[k, w, f] = total
        total = 0.0
        for f in range(f_count):
            total += power[k, f]
        total = max(total, 1e-9)
        for f in range(f_count):
            share[k, f] = power[k, f] / total
    return rolled, share


def indicators(sit: Situation, geo: Geo) -> dict[str, np.ndarray]:
    """The few summaries of a situation that the threat terms read, computed once per
    situation (every state's threat reads the same numbers)."""
    if "indicators" not in sit.cache:
        rolled, share = _indicators(*_floats(sit.control, sit.power), geo.weights,
                                    np.ones((len(INDICATORS), sit.control.shape[-1]), np.bool_))
        sit.cache["rolled"] = rolled
        sit.cache["indicators"] = {
            **{name: rolled[:, w] for w, name in enumerate(INDICATORS)}, "power_share": share,
        }
    return sit.cache["indicators"]


def elementwise(kernel, *args):
    """A scalar kernel over arrays that broadcast like a ufunc's (a scalar for scalars). The
    kernels are plain compiled functions, compiled on their first call (not at import) and
    cached on disk; the model's kernels call them on scalars."""
    return np.vectorize(kernel, otypes=[float])(*args)[()]


def _floats(*arrays: np.ndarray) -> list[np.ndarray]:
    return [np.ascontiguousarray(a, dtype=float) for a in arrays]


# --- survival -------------------------------------------------------------------------------


@njit(cache=True, error_model="numpy")
def _collapse_risk(key_share, morale, threshold_key, threshold_morale, steepness, morale_weight):
    """Risk that the government in Damascus falls, from its hold on the key governorates and
    its forces' morale, weighed `morale_weight` to the key governorates' 1 (a logistic in both;
    0.5 at the thresholds).

    Source: issue design ("the regime falls ... when its forces lose enough of the key
    governorates and morale cascades"); seed 002 ("collapse of government forces in Daraa").
    """
    z = steepness * ((threshold_key - key_share) + morale_weight * (threshold_morale - morale))
    return 1.0 / (1.0 + math.exp(-z))


def collapse_risk(key_share: np.ndarray, morale: np.ndarray | float, threshold_key: float,
                  threshold_morale: float, steepness: float,
                  morale_weight: float = 0.5) -> np.ndarray:
    """Risk that the government in Damascus falls (the mechanism and its sources:
    `_collapse_risk`, which kernels call directly), over arrays; `morale_weight` as shipped in
    `syria.collapse_morale_weight`."""
    return elementwise(_collapse_risk, key_share, morale, threshold_key, threshold_morale,
                       steepness, morale_weight)


# A state's threat parameters packed into one vector for the kernels (`threat_vector`): the
# collapse thresholds (the model passes Syria's to every state, with the state's own alarm), the
# state's scalars, and its threat weights `threat.<name>` (NaN where a state has none).
THREAT_PARAMS = ("collapse_key", "alarm", "collapse_morale", "collapse_steepness",
                 "threat_after_fall", "hts_share", "isis_scale", "entrenchment_reference",
                 "threat.regime", "threat.corridor", "threat.jihadists", "threat.bases",
                 "threat.entrenchment", "threat.golan", "threat.kurds", "threat.isis",
                 "threat.refugees", "threat.allies", "threat_convexity", "entrenchment_cap",
                 "entrenchment_base", "entrenchment_corridor", "isis_share_weight",
                 "isis_area_weight", "allies_cap", "successor_isis", "collapse_morale_weight",
                 "militias_quality", "hezbollah_quality")
(P_COLLAPSE_KEY, P_ALARM, P_COLLAPSE_MORALE, P_STEEPNESS, P_AFTER_FALL, P_HTS, P_ISIS_SCALE,
 P_AXIS_REF, W_REGIME, W_CORRIDOR, W_JIHADISTS, W_BASES, W_ENTRENCHMENT, W_GOLAN, W_KURDS,
 W_ISIS, W_REFUGEES, W_ALLIES, P_CONVEXITY, P_ENTRENCHMENT_CAP, P_ENTRENCHMENT_BASE,
 P_ENTRENCHMENT_CORRIDOR, P_ISIS_SHARE, P_ISIS_AREA, P_ALLIES_CAP,
 P_SUCCESSOR_ISIS, P_COLLAPSE_WEIGHT, P_MILITIAS_QUALITY,
 P_HEZBOLLAH_QUALITY) = range(len(THREAT_PARAMS))
# the forces' quality a threat vector carries when the state's dict names none: fighters are
# then counted at their combat power (the model fills both from params/forces.toml)
_UNIT_DEFAULTS = ("militias_quality", "hezbollah_quality")


def threat_vector(p: dict) -> np.ndarray:
    """A state's threat parameters (a dict as in params/actors.toml) as the kernels' vector."""
    out = np.full(len(THREAT_PARAMS), np.nan)
    for slot, name in enumerate(THREAT_PARAMS):
        if name.startswith("threat."):
            out[slot] = p.get("threat", {}).get(name[len("threat."):], np.nan)
        else:
            default = (0.0 if name in ("alarm", "threat_convexity")
                       else 1.0 if name in _UNIT_DEFAULTS else np.nan)
            out[slot] = p.get(name, default)
    return out


@njit(cache=True, error_model="numpy")
def _survival(threat, convexity):
    """The survival term of a state facing `threat` in [0, 1]: `-(threat + convexity *
    threat**2)`. With `convexity` 0 (the default, `choice.threat_convexity`) every unit of threat
    weighs the same; above 0 a threat near the existential weighs more than in proportion
    (seed 001 after Waltz: survival is the state's first goal, the others presuppose it)."""
    return -(threat + convexity * threat * threat)


def survival(threat: float | np.ndarray, convexity: float = 0.0) -> float | np.ndarray:
    """The survival term (the mechanism and its source: `_survival`), over arrays."""
    return elementwise(_survival, threat, convexity)


@njit(cache=True, error_model="numpy")
def _regime_risk(rolled, morale, p):
    """Collapse risk of the regime under each situation, at the state's alarm, (K,)."""
    out = np.empty(rolled.shape[0])
    for k in range(rolled.shape[0]):
        out[k] = _collapse_risk(rolled[k, KEY, R], morale[k], p[P_COLLAPSE_KEY] + p[P_ALARM],
                                p[P_COLLAPSE_MORALE], p[P_STEEPNESS], p[P_COLLAPSE_WEIGHT])
    return out


# Each threat kernel: (rolled (K, 7, F), power share (K, F), regime morale (K,), force power
# (K, FORCES), government, relations (N, N), threat vector) -> (K,) threat in [0, 1].
# THREAT_READS: the rolled-up indicators (indicator, faction) the threat kernels read.
THREAT_READS = np.zeros((len(INDICATORS), len(FACTIONS)), dtype=np.bool_)
for _w, _f in ((KEY, R), (KEY, SUCC), (CORRIDOR, R), (BASES, R), (BASES, SUCC),
               (TURKISH_BORDER, SDF), (TURKISH_BORDER, ISIS), (GOLAN, SUCC), (NORTH_WEST, R),
               (AREA, ISIS)):
    THREAT_READS[_w, _f] = True


@njit(cache=True, error_model="numpy")
def _threat_syria(rolled, share, morale, force_power, government, relations, p):
    """Regime survival: the risk of collapse (seed 001: Assad's government defended by its
    patrons "at the request of the legitimate Syrian government"). After the fall, the
    successor's own hold on the key governorates and the ISIS threat."""
    if government == R:
        return _regime_risk(rolled, morale, p)
    out = np.empty(rolled.shape[0])
    for k in range(rolled.shape[0]):
        out[k] = min(max(1.0 - rolled[k, KEY, SUCC] + p[P_SUCCESSOR_ISIS] * share[k, ISIS], 0.0),
                     1.0)
    return out


@njit(cache=True, error_model="numpy")
def _threat_iran(rolled, share, morale, force_power, government, relations, p):
    """The axis and the land bridge to Hezbollah.

    Seed 001: "From Iran's perspective, regime change in Syria is a prelude to regime change in
    Tehran"; Syria is "an important bridge between Iran and Hezbollah". Seed 002: "a critical
    land bridge to Lebanon". After the fall the loss is sunk: seed 000 (Iran "unlikely ever to
    win back its influence in Syria if the regime falls").
    """
    if government != R:
        return np.full(rolled.shape[0], p[P_AFTER_FALL])
    risk = _regime_risk(rolled, morale, p)
    out = np.empty(rolled.shape[0])
    for k in range(rolled.shape[0]):
        threat = (p[W_REGIME] * risk[k] + p[W_CORRIDOR] * (1.0 - rolled[k, CORRIDOR, R])
                  + p[W_JIHADISTS] * share[k, ISIS])
        out[k] = min(max(threat, 0.0), 1.0)
    return out


@njit(cache=True, error_model="numpy")
def _threat_russia(rolled, share, morale, force_power, government, relations, p):
    """Terrorism reaching the Caucasus, the bases, and the last Middle Eastern ally.

    Seed 001: "the 600-mile distance between Mosul and Grozny"; fear of "an extremist Islamic
    state in Syria" for "Chechnya and Dagestan"; the fall of the regime "would mean losing the
    last stronghold among its key allies in the Middle East". Seed 002/003: Tartus, "its only
    naval facility in the Mediterranean". HTS counts partly as jihadist (seed 001 names
    "Tahrir al-Sham" among "multinational terrorists ... from Central Asia and the Caucasus").
    """
    k_count = rolled.shape[0]
    out = np.empty(k_count)
    regime = _regime_risk(rolled, morale, p) if government == R else np.full(
        k_count, p[P_AFTER_FALL])
    # a successor that will not deal with Russia leaves the bases insecure whatever it holds
    hostile = -min(relations[RUSSIA, SYRIA], 0.0)
    for k in range(k_count):
        jihadists = share[k, ISIS] + p[P_HTS] * share[k, O]
        if government == R:
            bases_lost = 1.0 - rolled[k, BASES, R]
        else:
            bases_lost = max(1.0 - rolled[k, BASES, SUCC], hostile)
        threat = p[W_JIHADISTS] * jihadists + p[W_BASES] * bases_lost + p[W_REGIME] * regime[k]
        out[k] = min(max(threat, 0.0), 1.0)
    return out


@njit(cache=True, error_model="numpy")
def _axis_strength(force_power, k, p):
    """The forces Iran fields in Syria (its militias and Hezbollah), in fighters as far as they
    are there, ready and unbroken by strikes: their combat power over each force's quality.
    The entrenchment Israel and the US's allies fear is Iran's presence (seed 003: "the
    expansion of pro-Iranian forces and the establishment of Iranian military infrastructure"),
    not how well each fighter fights, so a force's quality moves the battle and not the threat
    (docs/decisions.md D23)."""
    return (force_power[k, MILITIAS] / p[P_MILITIAS_QUALITY]
            + force_power[k, HEZBOLLAH] / p[P_HEZBOLLAH_QUALITY])


@njit(cache=True, error_model="numpy")
def _threat_israel(rolled, share, morale, force_power, government, relations, p):
    """Iranian entrenchment near the border, and after the fall armed jihadists on the Golan.

    Seed 003: "The expansion of pro-Iranian forces and the establishment of Iranian military
    infrastructure in Syria are perceived by Israel as an existential threat". Seed 002: Israel
    "is also wary over jihadi fighters among the insurgents who toppled Assad".
    """
    hostile = -min(relations[ISRAEL, SYRIA], 0.0)
    out = np.empty(rolled.shape[0])
    for k in range(rolled.shape[0]):
        militia = min(max(_axis_strength(force_power, k, p) / p[P_AXIS_REF], 0.0),
                      p[P_ENTRENCHMENT_CAP])
        entrenchment = militia * (p[P_ENTRENCHMENT_BASE]
                                  + p[P_ENTRENCHMENT_CORRIDOR] * rolled[k, CORRIDOR, R])
        golan = rolled[k, GOLAN, SUCC] * hostile if government == SUCC else 0.0
        out[k] = min(max(p[W_ENTRENCHMENT] * entrenchment + p[W_GOLAN] * golan, 0.0), 1.0)
    return out


@njit(cache=True, error_model="numpy")
def _threat_turkey(rolled, share, morale, force_power, government, relations, p):
    """Kurdish forces on the border, ISIS on the border, and refugees from the north-west.

    Seed 002: Turkey "has its own security concerns, particularly regarding Kurdish groups and
    the flow of refugees". Record row 19 (Euphrates Shield against ISIS and the SDF).
    """
    out = np.empty(rolled.shape[0])
    for k in range(rolled.shape[0]):
        # the regime retaking Idlib and Aleppo pushes millions towards the Turkish border
        refugees = rolled[k, NORTH_WEST, R] if government == R else 0.0
        out[k] = min(max(p[W_KURDS] * rolled[k, TURKISH_BORDER, SDF]
                         + p[W_ISIS] * rolled[k, TURKISH_BORDER, ISIS]
                         + p[W_REFUGEES] * refugees, 0.0), 1.0)
    return out


@njit(cache=True, error_model="numpy")
def _threat_us(rolled, share, morale, force_power, government, relations, p):
    """ISIS, and the security of allies (Israel's threat from Iranian entrenchment).

    Record rows 12-13 (caliphate, US air war from Sep 2014); seed 003 (the US "would accept
    Assad if he distanced himself from Iran"); record section 3 (post-2024: US and new Syrian
    forces against ISIS).
    """
    out = np.empty(rolled.shape[0])
    for k in range(rolled.shape[0]):
        isis = p[P_ISIS_SHARE] * share[k, ISIS] + p[P_ISIS_AREA] * rolled[k, AREA, ISIS]
        militia = min(max(_axis_strength(force_power, k, p) / p[P_AXIS_REF], 0.0),
                      p[P_ALLIES_CAP])
        out[k] = min(max(p[W_ISIS] * isis * p[P_ISIS_SCALE] + p[W_ALLIES] * militia, 0.0), 1.0)
    return out


@njit(cache=True, error_model="numpy")
def _threats(rolled, share, morale, force_power, government, relations, params):
    """Every state's threat, (K, N), with `params` (N, len(THREAT_PARAMS)) in STATES order."""
    out = np.empty((rolled.shape[0], params.shape[0]))
    args = (rolled, share, morale, force_power, government, relations)
    out[:, IRAN] = _threat_iran(*args, params[IRAN])
    out[:, ISRAEL] = _threat_israel(*args, params[ISRAEL])
    out[:, RUSSIA] = _threat_russia(*args, params[RUSSIA])
    out[:, SYRIA] = _threat_syria(*args, params[SYRIA])
    out[:, TURKEY] = _threat_turkey(*args, params[TURKEY])
    out[:, US] = _threat_us(*args, params[US])
    return out


def _threat(kernel, sit: Situation, geo: Geo, p: dict) -> np.ndarray:
    indicators(sit, geo)
    share = sit.cache["indicators"]["power_share"]
    morale = np.broadcast_to(np.asarray(sit.morale, dtype=float), (len(share),))
    return kernel(sit.cache["rolled"], share, np.ascontiguousarray(morale),
                  *_floats(sit.force_power), int(sit.government),
                  *_floats(sit.relations), threat_vector(p))


def threat_syria(sit: Situation, geo: Geo, p: dict) -> np.ndarray:
    """Syria's threat under each situation, (K,); the mechanism and sources: `_threat_syria`."""
    return _threat(_threat_syria, sit, geo, p)


def threat_iran(sit: Situation, geo: Geo, p: dict) -> np.ndarray:
    """Iran's threat under each situation, (K,); the mechanism and sources: `_threat_iran`."""
    return _threat(_threat_iran, sit, geo, p)


def threat_russia(sit: Situation, geo: Geo, p: dict) -> np.ndarray:
    """Russia's threat under each situation, (K,); mechanism and sources: `_threat_russia`."""
    return _threat(_threat_russia, sit, geo, p)


def threat_israel(sit: Situation, geo: Geo, p: dict) -> np.ndarray:
    """Israel's threat under each situation, (K,); mechanism and sources: `_threat_israel`."""
    return _threat(_threat_israel, sit, geo, p)


def threat_turkey(sit: Situation, geo: Geo, p: dict) -> np.ndarray:
    """Turkey's threat under each situation, (K,); mechanism and sources: `_threat_turkey`."""
    return _threat(_threat_turkey, sit, geo, p)


def threat_us(sit: Situation, geo: Geo, p: dict) -> np.ndarray:
    """The US threat under each situation, (K,); the mechanism and sources: `_threat_us`."""
    return _threat(_threat_us, sit, geo, p)


THREATS = {
    "iran": threat_iran,
    "israel": threat_israel,
    "russia": threat_russia,
    "syria": threat_syria,
    "turkey": threat_turkey,
    "us": threat_us,
}


# --- balancing ------------------------------------------------------------------------------


@njit(cache=True, error_model="numpy")
def _alignment(contribution, relations, weighs):
    """How far each faction is on each state's side, (K, N, F) in [-1, 1]: its patrons'
    cooperation index with the state, weighted by what each patron contributes. A faction
    nobody backs is neutral, except ISIS, at war with every state (record rows 12-14). Only
    for the (row, state) pairs `weighs` (K, N) asks for (zero elsewhere)."""
    k_count, n_count, f_count = contribution.shape
    out = np.zeros((k_count, n_count, f_count))
    share = np.empty(n_count)
    for k in range(k_count):
        for f in range(f_count):
            total = 0.0
            for m in range(n_count):
                total += contribution[k, m, f]
            for m in range(n_count):
                share[m] = contribution[k, m, f] / max(total, 1e-9) if total > 1e-9 else 0.0
            for m in range(n_count):
                if share[m] == 0.0:
                    continue  # adds nothing
                for n in range(n_count):
                    if weighs[k, n]:
                        stance = 1.0 if m == n else relations[n, m]
                        out[k, n, f] += share[m] * stance
        for n in range(n_count):
            if weighs[k, n]:
                out[k, n, ISIS] = -1.0
    return out


@njit(cache=True, error_model="numpy")
def _balancing(alignment, power, weighs):
    """The balance of power in the theatre as each state sees it, (K, N) in [-1, 1]: the share
    of all combat power in Syria held by factions on its side minus the share held against it.

    Seed 001: "Russia is seeking a balance of power and strategic equilibrium with the U.S. in
    West Asia"; Iran intervened "to prevent the balance of power from shifting in favor of its
    regional rivals"; states "form alliances to balance and overcome adversaries".
    Only for the (row, state) pairs `weighs` (K, N) asks for (zero elsewhere).
    """
    k_count, n_count, f_count = alignment.shape
    out = np.zeros((k_count, n_count))
    for k in range(k_count):
        total = 0.0
        for f in range(f_count):
            total += power[k, f]
        total = max(total, 1e-9)
        for n in range(n_count):
            if not weighs[k, n]:
                continue
            for f in range(f_count):
                out[k, n] += alignment[k, n, f] * (power[k, f] / total)
    return out


def alignment(sit: Situation) -> np.ndarray:
    """How far each faction is on each state's side, (K, N, F); see `_alignment`."""
    if "alignment" not in sit.cache:
        sit.cache["alignment"] = _alignment(*_floats(sit.contribution, sit.relations),
                                            _everyone(sit.contribution))
    return sit.cache["alignment"]


def balancing_all(sit: Situation) -> np.ndarray:
    """`balancing` for every state at once, (K, N); the mechanism and sources: `_balancing`."""
    return _balancing(alignment(sit), *_floats(sit.power), _everyone(sit.contribution))


def balancing(sit: Situation, actor: int) -> np.ndarray:
    """The balance of power in the theatre as the actor sees it, in [-1, 1] (see `_balancing`)."""
    return balancing_all(sit)[:, actor]


# --- influence ------------------------------------------------------------------------------


@njit(cache=True, error_model="numpy")
def _influence(control, area_share, contribution, power, government, capital_weight, need,
               capital_holds, weighs):
    """Each state's sway over Syria, (K, N) in [0, 1].

    Sway over a faction is the share of its strength that a state supplies (Assad's "room for
    maneuver is severely limited. His regime is profoundly dependent on both Iranian financial
    and military support, as well as Russian diplomatic and military protection", seed 003).
    Factions weigh by the ground they hold; the government in Damascus weighs `capital_weight`
    more (the capital, contracts, reconstruction: seed 003 "competition over reconstruction"),
    if it holds more than `capital_holds` of the country.
    A state's sway over its own forces counts too, so Syria's is its independence. A government
    heeds its patrons as far as it needs them: `need` (K,), rising with the threat to it,
    scales foreign sway over the government (Assad's "room for maneuver is severely limited"
    by dependence, seed 003; his "stubborn resistance" once safe, seed 002).
    Only for the (row, state) pairs `weighs` (K, N) asks for (zero elsewhere).
    """
    k_count, g_count, f_count = control.shape
    n_count = contribution.shape[1]
    out = np.zeros((k_count, n_count))
    weight = np.empty(f_count)
    for k in range(k_count):
        for f in range(f_count):
            area = 0.0
            for g in range(g_count):
                area += control[k, g, f] * area_share[g]
            weight[f] = (1.0 - capital_weight) * area
            if f == government:
                weight[f] += capital_weight * (1.0 if area > capital_holds else 0.0)
        for n in range(n_count):
            if not weighs[k, n]:
                continue
            total = 0.0
            for f in range(f_count):
                heed = need[k] if f == government and n != SYRIA else 1.0
                total += contribution[k, n, f] / max(power[k, f], 1e-9) * heed * weight[f]
            out[k, n] = min(max(total, 0.0), 1.0)
    return out


def influence(sit: Situation, geo: Geo, capital_weight: float,
              need: np.ndarray | float = 1.0, capital_holds: float = 0.01) -> np.ndarray:
    """Each state's sway over Syria, (K, N) in [0, 1]; the mechanism and its sources:
    `_influence`. `need` is a scalar or (K,); `capital_holds` as shipped in
    `theatre.capital_holds`."""
    control, contribution, power = _floats(sit.control, sit.contribution, sit.power)
    need = np.ascontiguousarray(np.broadcast_to(np.asarray(need, dtype=float).reshape(-1),
                                                (len(control),)))
    return _influence(control, *_floats(geo.area_share), contribution, power,
                      int(sit.government), float(capital_weight), need, float(capital_holds),
                      _everyone(contribution))


@njit(cache=True, error_model="numpy")
def _dependence(threat_to_government, floor):
    """How much the government needs its patrons, (K,) from the threat to it (K,): `floor`
    when safe, 1 when about to fall. The one place the model reads the need: the month's
    influence (`relations._influence_now`) and the states' projections (`_weigh_terms`)."""
    out = np.empty(threat_to_government.shape[0])
    for k in range(threat_to_government.shape[0]):
        out[k] = floor + (1.0 - floor) * min(max(threat_to_government[k], 0.0), 1.0)
    return out


def dependence(threat_to_government: np.ndarray, floor: float) -> np.ndarray:
    """How much the government needs its patrons (the mechanism: `_dependence`)."""
    return _dependence(*_floats(np.atleast_1d(threat_to_government)), float(floor))


# --- the shadow of the fall -------------------------------------------------------------------


@njit(cache=True, error_model="numpy")
def _after_the_fall(control, contribution, power):
    """The situation if the regime fell now: the opposition takes Damascus as the successor
    with all the ground the two held, the regime's army and militias dissolve, and the
    opposition's patrons become the successor's (record section 3: the HTS-led forces took
    Aleppo, Hama, Homs and Damascus within twelve days; Turkey "close partner of the new
    government"). Returns control, contribution and power, shaped like the inputs."""
    after_control = control.copy()
    after_contribution = contribution.copy()
    after_power = power.copy()
    k_count, g_count, _ = control.shape
    n_count = contribution.shape[1]
    for k in range(k_count):
        for g in range(g_count):
            after_control[k, g, SUCC] += control[k, g, R] + control[k, g, O]
            after_control[k, g, R] = 0.0
            after_control[k, g, O] = 0.0
        for n in range(n_count):
            after_contribution[k, n, SUCC] += contribution[k, n, O]
            after_contribution[k, n, R] = 0.0
            after_contribution[k, n, O] = 0.0
        after_power[k, SUCC] += power[k, O]
        after_power[k, R] = 0.0
        after_power[k, O] = 0.0
    return after_control, after_contribution, after_power


@njit(cache=True, error_model="numpy")
def _in_the_shadow_of_the_fall(surviving, fallen, risk):
    """A term's value (K, N) weighed by the chance that the government in Damascus falls:
    `(1 - risk) * surviving + risk * fallen`, with `risk` (K, N) each state's own reading.

    A patron's sway and its camp's balance are worth what the client's survival makes them
    worth: seed 000 (Iran "unlikely ever to win back its influence in Syria if the regime
    falls"); seed 001 (the fall "would mean losing the last stronghold among its key allies in
    the Middle East" for Russia). So the same gain weighs more when the regime is near its end,
    which is what made intervention worth its price in 2015 (record row 16) and not in 2012.
    """
    return (1.0 - risk) * surviving + risk * fallen


def after_the_fall(sit: Situation) -> Situation:
    """The situation if the regime fell now (the mechanism and its sources: `_after_the_fall`);
    relations, spending and exposure are those of the situation given."""
    control, contribution, power = _after_the_fall(*_floats(sit.control, sit.contribution,
                                                            sit.power))
    return Situation(control=control, power=power, force_power=sit.force_power,
                     contribution=contribution, spend=sit.spend, exposure=sit.exposure,
                     clash_risk=sit.clash_risk, morale=sit.morale, government=SUCC,
                     relations=sit.relations, intensity=sit.intensity)


def in_the_shadow_of_the_fall(surviving: np.ndarray, fallen: np.ndarray,
                              risk: np.ndarray) -> np.ndarray:
    """A term weighed by the chance of the fall (the mechanism and sources:
    `_in_the_shadow_of_the_fall`)."""
    return _in_the_shadow_of_the_fall(*_floats(surviving, fallen, risk))


# --- costs ----------------------------------------------------------------------------------


@njit(cache=True, error_model="numpy")
def _as_paid(rates, availability):
    """Per-action rates (N, A) (money, casualty exposure) as a state pays them this month:
    military assets drawn to other wars (`availability` (N,), the theatre-demand shocks) cost
    nothing in Syria. The one place the scaling is written: the month's spending, the
    affordability of alternatives and the projected costs all read it."""
    n_count, a_count = rates.shape
    out = np.empty((n_count, a_count))
    for n in range(n_count):
        for a in range(a_count):
            out[n, a] = rates[n, a] * (availability[n] if MILITARY[a] else 1.0)
    return out


@njit(cache=True, error_model="numpy")
def _cost(spend, budget, resolve, opportunity, exposure, casualty_aversion, intensity,
          clash_risk, clash_aversion, money_scale, casualty_scale, casualty_base):
    """What a portfolio costs, in utility: money against the budget (dearer when other theatres
    compete for it), casualties weighted by casualty aversion, and the risk of a clash with
    another power's forces. `resolve` in (0, 1] divides the money term.

    Seed 004: Iranian spending of "at least USD 6 billion a year"; "The IRGC's high casualty
    rate in Syria partly explains this shift to indirect support". Seed 001: "Moscow's expenses
    in Syria significantly increased when Russia began its military presence in September 2015".
    """
    money = money_scale * (spend / budget) * (1.0 + opportunity) / max(resolve, 1e-3)
    casualties = casualty_scale * casualty_aversion * exposure * (casualty_base + intensity)
    return money + casualties + clash_aversion * clash_risk


def cost(spend: np.ndarray, budget: float, resolve: float, opportunity: float,
         exposure: np.ndarray, casualty_aversion: float, intensity: float,
         clash_risk: np.ndarray, clash_aversion: float, money_scale: float = 1.0,
         casualty_scale: float = 1.0, casualty_base: float = 0.3) -> np.ndarray:
    """What a portfolio costs, in utility (the mechanism and its sources: `_cost`), broadcast
    over the arrays it is given."""
    return elementwise(_cost, spend, budget, resolve, opportunity, exposure, casualty_aversion,
                       intensity,
                 clash_risk, clash_aversion, money_scale, casualty_scale, casualty_base)


# --- the terms composed into utility ------------------------------------------------------


class PayoffParams(NamedTuple):
    """The states' payoff parameters as the kernels read them (`from_params`); the dependence
    floor changes after the fall (`_replace`, `regime.dependence_floor`)."""

    geo_weights: np.ndarray  # (G, 7) the indicators' governorate weights (`Geo.weights`)
    area_share: np.ndarray  # (G,)
    threat_params: np.ndarray  # (N, len(THREAT_PARAMS)) each state's `threat_vector`
    dependence_floor: float
    capital_weight: float
    capital_holds: float  # the government's capital counts if it holds more of the country
    budget: np.ndarray  # (N,) USD bn/yr
    resolve: np.ndarray  # (N,)
    casualty_aversion: np.ndarray  # (N,)
    clash_aversion: np.ndarray  # (N,)
    money_scale: float
    casualty_scale: float
    casualty_base: float  # the casualties' weight in a quiet month, before the intensity
    golan_buffer: float  # after the fall, Israel's ground deployment cuts its threat by this

    @classmethod
    def from_params(cls, params: dict, geo: Geo) -> PayoffParams:
        """Every state's threat reads Syria's collapse thresholds, with its own alarm."""
        collapse = collapse_params(params)
        convexity = float(params["choice"]["threat_convexity"])
        axis = {f"{force}_quality": float(params[force]["quality"])
                for force in ("militias", "hezbollah")}
        threat = np.stack([threat_vector({**params[s], **collapse, "alarm": params[s]["alarm"],
                                          "threat_convexity": convexity, **axis})
                           for s in STATES])
        vector = {key: np.array([params[s][key] for s in STATES], dtype=float)
                  for key in ("budget", "resolve", "casualty_aversion", "clash_aversion")}
        t, c = params["theatre"], params["choice"]
        return cls(geo_weights=geo.weights,
                   area_share=np.ascontiguousarray(geo.area_share, dtype=float),
                   threat_params=threat, dependence_floor=float(t["dependence_floor"]),
                   capital_weight=float(t["capital_weight"]),
                   capital_holds=float(t["capital_holds"]), **vector,
                   money_scale=float(c["money_scale"]), casualty_scale=float(c["casualty_scale"]),
                   casualty_base=float(c["casualty_base"]),
                   golan_buffer=float(params["signals"]["golan_buffer"]))


def collapse_params(params: dict) -> dict[str, float]:
    """Syria's collapse thresholds (the logistic of `_collapse_risk`)."""
    return {k: params["syria"][k] for k in ("collapse_key", "collapse_morale",
                                            "collapse_steepness", "collapse_morale_weight")}


@njit(cache=True, error_model="numpy")
def _utility(terms, owner, entering, entry_cost, switching_cost):
    """Utility (K, N) of each row to each state: entering the war with own combat forces costs
    the entering state `entry_cost` once (booked into its cost term, in place), and any change
    of course costs `switching_cost` (policy inertia)."""
    k_count, n_count, _ = terms.shape
    utility = np.empty((k_count, n_count))
    for k in range(k_count):
        if entering[k]:
            n = owner[k]
            terms[k, n, 3] += entry_cost[n]
            terms[k, n, 4] -= entry_cost[n]
        inertia = switching_cost * (1.0 if owner[k] >= 0 else 0.0)
        for n in range(n_count):
            utility[k, n] = terms[k, n, 4] - inertia
    return utility


@njit(cache=True, error_model="numpy")
def _weigh_terms(portfolios, projection, government, relations, pp, opportunity, weights,
                 owner):
    """Payoff terms (K, N, 5) of every state under each projected situation (a
    `theatre.Projection`): survival (minus the threat), balancing, influence, cost, and the
    utility `weights` (N, 3) make of them; `opportunity` (N,) is the share of each budget
    other theatres take.

    Survival: `_survival` of each state's threat (`_threats`; linear unless
    `choice.threat_convexity` says otherwise); after the fall Israel's buffer zone on the Golan
    halves its threat. Influence: the government heeds its patrons as far as the
    threat to it makes it need them (`_dependence`, `_influence`). Balancing:
    `_balancing`. While the regime stands, both are weighed by each state's reading of
    the risk that it falls (`_in_the_shadow_of_the_fall`, `_after_the_fall`).
    Cost: `_cost`, at the war's intensity now.
    Each state weighs only row 0 and its own alternatives (`owner` (K,), -1 for row 0:
    `decisions._choose`), so its terms of the other states' rows are left at zero.
    """
    (control, power, force_power, contribution, spend, exposure, clash_risk, morale,
     intensity) = projection
    geo_weights, area_share, threat_params = pp.geo_weights, pp.area_share, pp.threat_params
    dependence_floor, capital_weight = pp.dependence_floor, pp.capital_weight
    budget, resolve, casualty_aversion = pp.budget, pp.resolve, pp.casualty_aversion
    clash_aversion, money_scale, casualty_scale = (pp.clash_aversion, pp.money_scale,
                                                   pp.casualty_scale)
    k_count, n_count, _ = portfolios.shape
    weighs = np.zeros((k_count, n_count), dtype=np.bool_)
    for k in range(k_count):
        for n in range(n_count):
            weighs[k, n] = owner[k] < 0 or owner[k] == n
    rolled, share = _indicators(control, power, geo_weights, THREAT_READS)
    threat = _threats(rolled, share, morale, force_power, government, relations,
                              threat_params)
    if government == SUCC:  # Israel's buffer zone on the Golan after the fall
        for k in range(k_count):
            threat[k, ISRAEL] *= 1.0 - pp.golan_buffer * portfolios[k, ISRAEL, GROUND]
    need = _dependence(threat[:, SYRIA], dependence_floor)
    influence = _influence(control, area_share, contribution, power, government,
                           capital_weight, need, pp.capital_holds, weighs)
    alignment = _alignment(contribution, relations, weighs)
    balancing = _balancing(alignment, power, weighs)
    if government == R:  # sway and balance in the shadow of the regime's fall
        risk = np.zeros((k_count, n_count))
        for k in range(k_count):
            for n in range(n_count):
                if not weighs[k, n]:
                    continue
                p = threat_params[n]
                risk[k, n] = _collapse_risk(
                    rolled[k, KEY, R], morale[k],
                    p[P_COLLAPSE_KEY] + p[P_ALARM], p[P_COLLAPSE_MORALE],
                    p[P_STEEPNESS], p[P_COLLAPSE_WEIGHT])
        fallen_control, fallen_contribution, fallen_power = _after_the_fall(
            control, contribution, power)
        fallen_influence = _influence(fallen_control, area_share, fallen_contribution,
                                  fallen_power, SUCC, capital_weight, np.ones(k_count),
                                  pp.capital_holds, weighs)
        fallen_balancing = _balancing(
            _alignment(fallen_contribution, relations, weighs), fallen_power, weighs)
        influence = _in_the_shadow_of_the_fall(influence, fallen_influence, risk)
        balancing = _in_the_shadow_of_the_fall(balancing, fallen_balancing, risk)
    terms = np.zeros((k_count, n_count, len(TERMS)))
    for k in range(k_count):
        for n in range(n_count):
            if not weighs[k, n]:
                continue
            cost = _cost(spend[k, n], budget[n], resolve[n], opportunity[n],
                                 exposure[k, n], casualty_aversion[n], intensity,
                                 clash_risk[k, n], clash_aversion[n], money_scale,
                                 casualty_scale, pp.casualty_base)
            terms[k, n, 0] = _survival(threat[k, n], threat_params[n, P_CONVEXITY])
            terms[k, n, 1] = balancing[k, n]
            terms[k, n, 2] = influence[k, n]
            terms[k, n, 3] = cost
            terms[k, n, 4] = (terms[k, n, 0] * weights[n, 0] + terms[k, n, 1] * weights[n, 1]
                              + terms[k, n, 2] * weights[n, 2]) - cost
    return terms
