"""Realist payoffs: survival, balancing, influence, minus costs.

Each term is a pure function of a `Situation` (arrays with a leading batch axis K, one row per
portfolio being weighed) and the actor's parameters. The source of each term sits beside it.
Conventions: survival is minus a threat in [0, 1]; balancing is in [-1, 1]; influence is in
[0, 1]; cost is >= 0. Utility = w_s * survival + w_b * balancing + w_i * influence - cost.

Theory: seed `001_a0c6956d99d71d69.txt` (Mosaddegh et al. 2022): "All trends in realism emphasize
survival as the superior goal of actors"; states "form alliances to balance and overcome
adversaries"; offensive realists maximise power and influence (Mearsheimer).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.vocabulary import FACTIONS, FORCES, STATES

R, O, SDF, ISIS, SUCC = (FACTIONS.index(f) for f in FACTIONS)
MILITIAS = FORCES.index("militias")


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


def _weighted(control: np.ndarray, weights: np.ndarray, faction: int) -> np.ndarray:
    return control[..., faction] @ weights


def indicators(sit: Situation, geo: Geo) -> dict[str, np.ndarray]:
    """The few summaries of a situation that the threat terms read, computed once per
    situation (every state's threat reads the same numbers)."""
    if "indicators" not in sit.cache:
        weights = np.stack([geo.key, geo.corridor, geo.bases, geo.turkish_border,
                            geo.golan_front, geo.north_west, geo.area_share], axis=1)
        rolled = np.einsum("kgf,gw->kwf", sit.control, weights)  # (K, 7, F)
        total = np.maximum(sit.power.sum(axis=-1), 1e-9)
        sit.cache["indicators"] = {
            "key": rolled[:, 0], "corridor": rolled[:, 1], "bases": rolled[:, 2],
            "turkish_border": rolled[:, 3], "golan": rolled[:, 4], "north_west": rolled[:, 5],
            "area": rolled[:, 6], "power_share": sit.power / total[:, None],
        }
    return sit.cache["indicators"]


# --- survival -------------------------------------------------------------------------------


def collapse_risk(key_share: np.ndarray, morale: np.ndarray | float, threshold_key: float,
                  threshold_morale: float, steepness: float) -> np.ndarray:
    """Risk that the government in Damascus falls, from its hold on the key governorates and
    its forces' morale (a logistic in both; 0.5 at the thresholds).

    Source: issue design ("the regime falls ... when its forces lose enough of the key
    governorates and morale cascades"); seed 002 ("collapse of government forces in Daraa").
    """
    z = steepness * ((threshold_key - key_share) + 0.5 * (threshold_morale - morale))
    return 1.0 / (1.0 + np.exp(-z))


def power_share(power: np.ndarray, factions: list[int] | tuple[int, ...],
                weights: tuple[float, ...] | None = None) -> np.ndarray:
    """Share of all combat power in Syria held by some factions (optionally weighted)."""
    w = np.ones(len(factions)) if weights is None else np.asarray(weights)
    return (power[..., list(factions)] * w).sum(axis=-1) / np.maximum(power.sum(axis=-1), 1e-9)


def _regime_risk(sit: Situation, ind: dict, p: dict) -> np.ndarray:
    return collapse_risk(ind["key"][:, R], sit.morale, p["collapse_key"] + p.get("alarm", 0.0),
                         p["collapse_morale"], p["collapse_steepness"])


def threat_syria(sit: Situation, geo: Geo, p: dict) -> np.ndarray:
    """Regime survival: the risk of collapse (seed 001: Assad's government defended by its
    patrons "at the request of the legitimate Syrian government"). After the fall, the
    successor's own hold on the key governorates and the ISIS threat."""
    ind = indicators(sit, geo)
    if sit.government == R:
        return _regime_risk(sit, ind, p)
    return np.clip(1.0 - ind["key"][:, SUCC] + 0.5 * ind["power_share"][:, ISIS], 0.0, 1.0)


def threat_iran(sit: Situation, geo: Geo, p: dict) -> np.ndarray:
    """The axis and the land bridge to Hezbollah.

    Seed 001: "From Iran's perspective, regime change in Syria is a prelude to regime change in
    Tehran"; Syria is "an important bridge between Iran and Hezbollah". Seed 002: "a critical
    land bridge to Lebanon". After the fall the loss is sunk: seed 000 (Iran "unlikely ever to
    win back its influence in Syria if the regime falls").
    """
    if sit.government != R:
        return np.full(sit.control.shape[0], p["threat_after_fall"])
    ind = indicators(sit, geo)
    w = p["threat"]
    threat = (w["regime"] * _regime_risk(sit, ind, p) + w["corridor"] * (1.0 - ind["corridor"][:, R])
              + w["jihadists"] * ind["power_share"][:, ISIS])
    return np.clip(threat, 0.0, 1.0)


def threat_russia(sit: Situation, geo: Geo, p: dict) -> np.ndarray:
    """Terrorism reaching the Caucasus, the bases, and the last Middle Eastern ally.

    Seed 001: "the 600-mile distance between Mosul and Grozny"; fear of "an extremist Islamic
    state in Syria" for "Chechnya and Dagestan"; the fall of the regime "would mean losing the
    last stronghold among its key allies in the Middle East". Seed 002/003: Tartus, "its only
    naval facility in the Mediterranean". HTS counts partly as jihadist (seed 001 names
    "Tahrir al-Sham" among "multinational terrorists ... from Central Asia and the Caucasus").
    """
    ind = indicators(sit, geo)
    w = p["threat"]
    share = ind["power_share"]
    jihadists = share[:, ISIS] + p["hts_share"] * share[:, O]
    if sit.government == R:
        bases_lost = 1.0 - ind["bases"][:, R]
        regime = _regime_risk(sit, ind, p)
    else:
        # a successor that will not deal with Russia leaves the bases insecure whatever it holds
        hostile = -min(sit.relations[STATES.index("russia"), STATES.index("syria")], 0.0)
        bases_lost = np.maximum(1.0 - ind["bases"][:, SUCC], hostile)
        regime = np.full(sit.control.shape[0], p["threat_after_fall"])
    return np.clip(w["jihadists"] * jihadists + w["bases"] * bases_lost + w["regime"] * regime,
                   0.0, 1.0)


def threat_israel(sit: Situation, geo: Geo, p: dict) -> np.ndarray:
    """Iranian entrenchment near the border, and after the fall armed jihadists on the Golan.

    Seed 003: "The expansion of pro-Iranian forces and the establishment of Iranian military
    infrastructure in Syria are perceived by Israel as an existential threat". Seed 002: Israel
    "is also wary over jihadi fighters among the insurgents who toppled Assad".
    """
    ind = indicators(sit, geo)
    militia = np.clip(sit.force_power[..., MILITIAS] / p["militia_reference_power"], 0.0, 1.5)
    entrenchment = militia * (0.5 + 0.5 * ind["corridor"][:, R])
    golan = 0.0
    if sit.government == SUCC:
        hostile = -min(sit.relations[STATES.index("israel"), STATES.index("syria")], 0.0)
        golan = ind["golan"][:, SUCC] * hostile
    w = p["threat"]
    return np.clip(w["entrenchment"] * entrenchment + w["golan"] * golan, 0.0, 1.0)


def threat_turkey(sit: Situation, geo: Geo, p: dict) -> np.ndarray:
    """Kurdish forces on the border, ISIS on the border, and refugees from the north-west.

    Seed 002: Turkey "has its own security concerns, particularly regarding Kurdish groups and
    the flow of refugees". Record row 19 (Euphrates Shield against ISIS and the SDF).
    """
    ind = indicators(sit, geo)
    w = p["threat"]
    # the regime retaking Idlib and Aleppo pushes millions towards the Turkish border
    refugees = ind["north_west"][:, R] if sit.government == R else 0.0
    return np.clip(w["kurds"] * ind["turkish_border"][:, SDF]
                   + w["isis"] * ind["turkish_border"][:, ISIS] + w["refugees"] * refugees,
                   0.0, 1.0)


def threat_us(sit: Situation, geo: Geo, p: dict) -> np.ndarray:
    """ISIS, and the security of allies (Israel's threat from Iranian entrenchment).

    Record rows 12-13 (caliphate, US air war from Sep 2014); seed 003 (the US "would accept
    Assad if he distanced himself from Iran"); record section 3 (post-2024: US and new Syrian
    forces against ISIS).
    """
    ind = indicators(sit, geo)
    w = p["threat"]
    isis = 0.5 * ind["power_share"][:, ISIS] + 0.5 * ind["area"][:, ISIS]
    militia = np.clip(sit.force_power[..., MILITIAS] / p["militia_reference_power"], 0.0, 1.0)
    return np.clip(w["isis"] * isis * p["isis_scale"] + w["allies"] * militia, 0.0, 1.0)


THREATS = {
    "iran": threat_iran,
    "israel": threat_israel,
    "russia": threat_russia,
    "syria": threat_syria,
    "turkey": threat_turkey,
    "us": threat_us,
}


# --- balancing ------------------------------------------------------------------------------


def alignment(sit: Situation) -> np.ndarray:
    """How far each faction is on each state's side, (K, N, F) in [-1, 1]: its patrons'
    cooperation index with the state, weighted by what each patron contributes. A faction
    nobody backs is neutral, except ISIS, at war with every state (record rows 12-14)."""
    if "alignment" not in sit.cache:
        total = sit.contribution.sum(axis=1, keepdims=True)  # (K, 1, F)
        share = np.where(total > 1e-9, sit.contribution / np.maximum(total, 1e-9), 0.0)
        stance = sit.relations.copy()
        np.fill_diagonal(stance, 1.0)
        out = np.einsum("kmf,nm->knf", share, stance)
        out[..., ISIS] = -1.0
        sit.cache["alignment"] = out
    return sit.cache["alignment"]


def balancing_all(sit: Situation) -> np.ndarray:
    """`balancing` for every state at once, (K, N)."""
    power = sit.power / np.maximum(sit.power.sum(axis=-1, keepdims=True), 1e-9)
    return np.einsum("knf,kf->kn", alignment(sit), power)


def balancing(sit: Situation, actor: int) -> np.ndarray:
    """The balance of power in the theatre as the actor sees it, in [-1, 1]: the share of all
    combat power in Syria held by factions on its side minus the share held against it.

    Seed 001: "Russia is seeking a balance of power and strategic equilibrium with the U.S. in
    West Asia"; Iran intervened "to prevent the balance of power from shifting in favor of its
    regional rivals"; states "form alliances to balance and overcome adversaries".
    """
    return balancing_all(sit)[:, actor]


# --- influence ------------------------------------------------------------------------------


def influence(sit: Situation, geo: Geo, capital_weight: float,
              need: np.ndarray | float = 1.0) -> np.ndarray:
    """Each state's sway over Syria, (K, N) in [0, 1].

    Sway over a faction is the share of its strength that a state supplies (Assad's "room for
    maneuver is severely limited. His regime is profoundly dependent on both Iranian financial
    and military support, as well as Russian diplomatic and military protection", seed 003).
    Factions weigh by the ground they hold; the government in Damascus weighs `capital_weight`
    more (the capital, contracts, reconstruction: seed 003 "competition over reconstruction").
    A state's sway over its own forces counts too, so Syria's is its independence. A government
    heeds its patrons as far as it needs them: `need` (K,), rising with the threat to it,
    scales foreign sway over the government (Assad's "room for maneuver is severely limited"
    by dependence, seed 003; his "stubborn resistance" once safe, seed 002).
    """
    area = np.einsum("kgf,g->kf", sit.control, geo.area_share)  # (K, F)
    weight = (1.0 - capital_weight) * area
    weight[..., sit.government] += capital_weight * (area[..., sit.government] > 0.01)
    share = sit.contribution / np.maximum(sit.power[:, None, :], 1e-9)
    heed = np.ones_like(share)
    heed[:, :, sit.government] = np.asarray(need).reshape(-1, 1) if np.ndim(need) else need
    heed[:, STATES.index("syria"), sit.government] = 1.0
    return np.clip(np.einsum("knf,kf->kn", share * heed, weight), 0.0, 1.0)


def dependence(threat_to_government: np.ndarray, floor: float) -> np.ndarray:
    """How much the government needs its patrons: `floor` when safe, 1 when about to fall."""
    return floor + (1.0 - floor) * np.clip(threat_to_government, 0.0, 1.0)


# --- costs ----------------------------------------------------------------------------------


def cost(spend: np.ndarray, budget: float, resolve: float, opportunity: float,
         exposure: np.ndarray, casualty_aversion: float, intensity: float,
         clash_risk: np.ndarray, clash_aversion: float, money_scale: float = 1.0,
         casualty_scale: float = 1.0) -> np.ndarray:
    """What a portfolio costs, in utility: money against the budget (dearer when other theatres
    compete for it), casualties weighted by casualty aversion, and the risk of a clash with
    another power's forces. `resolve` in (0, 1] divides the money term.

    Seed 004: Iranian spending of "at least USD 6 billion a year"; "The IRGC's high casualty
    rate in Syria partly explains this shift to indirect support". Seed 001: "Moscow's expenses
    in Syria significantly increased when Russia began its military presence in September 2015".
    """
    money = money_scale * (spend / budget) * (1.0 + opportunity) / np.maximum(resolve, 1e-3)
    casualties = casualty_scale * casualty_aversion * exposure * (0.3 + intensity)
    return money + casualties + clash_aversion * clash_risk
