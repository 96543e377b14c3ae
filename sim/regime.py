"""The government in Damascus: its economy, its army's morale, its collapse and succession.

What the month's portfolios do for the government (`_regime_inputs`), how its treasury
(`_economy_after`) and its army's morale (`_morale_after`) move on them (`_regime_after`, which
the month runs: `update`), the morale states project when they weigh their options
(`_projected_morale`), when the regime falls (`has_fallen`) and how far a government heeds its
patrons however safe (`dependence_floor`). The model (sim/model.py) calls these in the month's
order and applies the succession.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from sim import payoffs
from sim.numeric import boundary, pairwise_sum
from sim.vocabulary import ACTIONS, DISBANDED, STATES, SUCC, SYRIA, O, R


@njit(cache=True, error_model="numpy")
def _levers(joint, legitimacy, pressure, economy):
    """What the states' portfolios (N, A) do for the government in Damascus: diplomatic cover,
    economic pressure (sanctions) and relief (aid), each summed over all states and actions."""
    return (pairwise_sum((joint * legitimacy).ravel()), pairwise_sum((joint * pressure).ravel()),
            pairwise_sum((joint * economy).ravel()))


@njit(cache=True, error_model="numpy")
def _holding(weights, control, faction):
    """A faction's hold on some governorates: its control shares weighted by `weights`."""
    total = 0.0
    for g in range(control.shape[0]):
        total += weights[g] * control[g, faction]
    return total


@njit(cache=True, error_model="numpy")
def _regime_inputs(joint, legitimacy, pressure, economy, control, oil, oil_total, key, regime):
    """What the government's economy and its army's morale move on this month: the `_levers`
    of the states' portfolios, its hold on the oil governorates and on the key ones."""
    cover, squeeze, relief = _levers(joint, legitimacy, pressure, economy)
    return (cover, squeeze, relief, _holding(oil, control, regime) / oil_total,
            _holding(key, control, regime))


def oil_weights(geo) -> tuple[np.ndarray, float]:
    """The oil governorates by area (Deir ez-Zor, al-Hasakah, Raqqa) and their total: the
    government's hold on them is its oil revenue (`theatre.oil_weight`)."""
    oil = geo.mask(["deir_ez_zor", "al_hasakah", "raqqa"]) * geo.area
    return oil, float(oil.sum())


# --- the regime's economy and its army's morale ------------------------------------------------
#
# The month's model of the treasury and of morale (`_regime_after`) runs over any number of
# months, but the projection states weigh their options with still uses its own, simpler
# morale (`_projected_morale`: moved only by cover, aid and sanctions, not by the cascade of
# lost key ground nor by the odds the army sees), so no state foresees the cascade that ends
# the regime. Running the month's model in the projection instead was built and measured
# (docs/validation.md, "What still fails"; docs/decisions.md D10) and not kept: patrons that
# foresee the cascade prevent most falls, the 2024 one included.


class RegimeParams(NamedTuple):
    """The government's economy and its army's morale as the kernels read them, fixed for a run
    (`from_params`: the regime force's parameters, params/model.toml [morale] and [theatre])."""

    morale_base: float  # morale with everything held
    key_base: float  # the morale target's share that does not depend on the key governorates
    key_slope: float  # ... and the share that rises with the hold on them
    economy_weight: float  # how much an empty treasury saps the army
    backing_morale: float  # how far the odds the army sees move its morale's target
    morale_recovery: float  # monthly pull of morale towards its target
    morale_sensitivity: float  # how sharply key ground lost breaks morale (the cascade)
    floor: float  # morale never reaches zero
    economy_recovery: float  # monthly pull of the treasury towards its target
    war_damage: float
    oil_weight: float
    key: np.ndarray  # (G,) each governorate's weight in the hold on the state
    oil: np.ndarray  # (G,) the oil governorates by area (`oil_weights`)
    oil_total: float

    @classmethod
    def from_params(cls, params: dict, geo) -> RegimeParams:
        rp, m, t = params["regime"], params["morale"], params["theatre"]
        oil, oil_total = oil_weights(geo)
        return cls(*(float(v) for v in (
            rp["morale_base"], m["key_base"], m["key_slope"], rp["economy_weight"],
            rp["backing_morale"], rp["morale_recovery"], rp["morale_sensitivity"], m["floor"],
            t["economy_recovery"], t["war_damage"], t["oil_weight"])),
            np.ascontiguousarray(geo.key, dtype=float), np.ascontiguousarray(oil), oil_total)


@njit(cache=True, error_model="numpy")
def _economy_after(economy, oil_hold, fighting, pressure, relief, months, rp):
    """The government's treasury after `months`: it moves at `economy_recovery` a month (at
    most all the way) towards what its oil, the war's damage, sanctions (unilateral ones bite
    whatever happens at the UN) and its patrons' aid allow."""
    target = ((1.0 - rp.oil_weight * (1.0 - oil_hold))
              * (1.0 - rp.war_damage * fighting)
              - pressure + relief)
    rate = min(months * rp.economy_recovery, 1.0)
    return economy + rate * (min(max(target, 0.0), 1.0) - economy)


@njit(cache=True, error_model="numpy")
def _morale_after(morale, key, change, economy, odds, cover, months, rp):
    """The army's morale after `months`: towards a target set by its hold on the key
    governorates, the economy, the odds it sees in its war with what its patrons could still
    add (`odds`, 0-1: `theatre.backing_odds`; above even odds it holds, below them it
    sinks, by `backing_morale`) and diplomatic cover, at `morale_recovery` a month (at most
    all the way); and down at once with key ground lost (`change` < 0), the cascade that
    ends regimes."""
    target = (rp.morale_base * (rp.key_base + rp.key_slope * key)
              * (1.0 - rp.economy_weight * (1.0 - economy))
              + rp.backing_morale * (odds - 0.5) + cover)
    morale += min(months * rp.morale_recovery, 1.0) * (target - morale)
    morale += rp.morale_sensitivity * min(change, 0.0)
    return min(max(morale, rp.floor), 1.0)


@njit(cache=True, error_model="numpy")
def _regime_after(portfolio, control, odds, fighting, months, regime, effects, rp):
    """The treasury and the army's morale after `months` under one joint portfolio (N, A), on
    the ground it leads to (`control`), the odds the army sees (`odds`:
    `theatre.backing_odds`) and how hard the war is fought (`fighting`): `_economy_after`, then
    `_morale_after` on the new treasury. `regime`: its (economy, morale, key share, outside
    pressure: sanctions the calendar and the UN add) now; `effects`: what each action does for
    it (legitimacy, pressure, relief; (N, A) each). Returns the treasury, the morale and the
    key share after."""
    economy, morale, key_share, outside_pressure = regime
    legitimacy, pressure, relief = effects
    cover, squeeze, aid, oil_hold, key = _regime_inputs(
        portfolio, legitimacy, pressure, relief, control, rp.oil, rp.oil_total, rp.key, R)
    squeeze += outside_pressure
    economy = _economy_after(economy, oil_hold, fighting, squeeze, aid, months, rp)
    return economy, _morale_after(morale, key, key - key_share, economy, odds, cover, months,
                                  rp), key


regime_after = boundary(_regime_after)  # as Python calls it (`numeric.boundary`)


@njit(cache=True, error_model="numpy")
def _projected_morale(portfolio, morale, morale_lift, lift_rate, floor):
    """The army's morale as a state projects it under a joint portfolio (N, A): moved by what
    the portfolio does for the regime (`morale_lift` (N*A,): cover, aid, sanctions) at
    `lift_rate` (the horizon times `morale_recovery`, at most 1)."""
    n_count, a_count = portfolio.shape
    lift = 0.0
    for n in range(n_count):
        for a in range(a_count):
            if portfolio[n, a] != 0.0:
                lift += portfolio[n, a] * morale_lift[n * a_count + a]
    return min(max(morale + lift_rate * lift, floor), 1.0)


def backing_after(backed: np.ndarray, capacity: np.ndarray, contribution: np.ndarray,
                  availability: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The war's record of the patrons after a month of the regime standing: who backed whom
    (`backed`, each state's `contribution` (N, F) summed, for `successor_alignment`) and the
    most each state has added to the regime's power in a month at full `availability`
    (`capacity`, for `patrons_reserve`: `_capacity_after`)."""
    after = np.empty_like(capacity)
    _capacity_after(capacity, np.ascontiguousarray(contribution[:, R]), availability, after)
    return backed + contribution, after


@njit(cache=True, error_model="numpy")
def _capacity_after(capacity, contribution, availability, out):
    """The most each state has added to the regime's power in a month at full availability,
    once it adds `contribution` (N,) at `availability` (N,), into `out` (N,)."""
    for n in range(capacity.shape[0]):
        out[n] = max(capacity[n], contribution[n] / max(availability[n], 1e-9))


@njit(cache=True, error_model="numpy")
def patrons_reserve(capacity, contribution, availability):
    """What the regime's foreign patrons could still add to its power: each state's
    `capacity` (the most it has added in a month, at full availability) as far as other wars
    leave it (`availability`), less what it adds now (`contribution`), summed over the states
    other than Syria. This is the response the opposition's commanders weigh before an
    offensive (`ArmedForce.weigh_offensive`) and what the regime's army counts on beside its
    side's power (`theatre.backing_odds`): help a patron has shown it can send, and that no
    other war ties down (record section 3: in 2024 "Russia and Iran send no rescue on the 2015
    scale")."""
    reserve = 0.0
    for n in range(capacity.shape[0]):
        if n != SYRIA:
            reserve += max(capacity[n] * availability[n] - contribution[n], 0.0)
    return reserve


def update(model, odds: float) -> None:
    """The month's change of the government's treasury and its army's morale, in `model`
    (`_regime_after` over one month, on the `odds` its army sees: `theatre.backing_odds`):
    the key governorates it holds (only these while another government rules)."""
    if model.government != R:
        model.key_share = _holding(model.geo.key, model.control, model.government)
        return
    fx, army = model.effects, model.forces["regime"]
    model.economy, army.morale, model.key_share = regime_after(
        model._joint, model.control, odds, model.fighting, 1.0,
        (model.economy, army.morale, model.key_share, outside_pressure(model)),
        (fx.legitimacy, fx.pressure, fx.economy), model.theatre.regime)


def outside_pressure(model) -> float:
    """Sanctions on the government from outside the states' portfolios this month: the
    calendar's and the UN's."""
    return model.shocks.pressure(model.month) + model.talks.un_pressure


# --- collapse and succession ---------------------------------------------------------------


def has_fallen(key_share: float, morale: float, rp: dict) -> bool:
    """The regime falls when it has lost enough of the key governorates (`fall_key`) and its
    army's morale has given way (`fall_morale`)."""
    return not (key_share >= rp["fall_key"] or morale >= rp["fall_morale"])


def dependence_floor(t: dict, fallen_at: int | None, month: int) -> float:
    """How far the government heeds its patrons however safe it is: `dependence_floor`; and a
    new government more, from all the way at its first month down to the floor after
    `theatre.consolidation_months` (it has an army without heavy weapons, minorities resisting
    its authority and sanctions still on: record section 3, seed 004). States weigh the shadow
    of the fall with a successor that needs its patrons fully (`payoffs._weigh_terms`); this
    is that successor's need as it comes true."""
    floor = float(t["dependence_floor"])
    span = float(t["consolidation_months"])
    if fallen_at is not None and span > 0:
        floor = max(floor, 1.0 - (month - fallen_at) / span)
    return floor


def successor_alignment(backed: np.ndarray) -> np.ndarray:
    """The new government's alignment with each state (N,), in [-1, 1], from who backed whom
    in the war: the state's share of all the foreign backing the faction that took Damascus
    (the opposition) received, less its share of the foreign backing the fallen regime
    received. `backed` (N, F): each state's part of each faction's power (`contribution`),
    summed over the months of the war. A structural rule (hand-set (train)): a government
    formed by a faction leans to the states that armed it and away from those that armed its
    enemy, in proportion to how much each did; it replaces a table read from the post-fall
    record (docs/decisions.md D1)."""
    foreign = np.ones(backed.shape[0], dtype=bool)
    foreign[SYRIA] = False
    alignment = np.zeros(backed.shape[0])
    for faction, sign in ((O, 1.0), (R, -1.0)):
        total = backed[foreign, faction].sum()
        if total > 0.0:
            alignment[foreign] += sign * backed[foreign, faction] / total
    return np.clip(alignment, -1.0, 1.0)


def succession(model) -> None:
    """The regime has fallen (`has_fallen`): a successor government takes over `model` and the
    run goes on. The ground, the month's forces and patrons pass to the successor: the same
    transfer the states weigh in the shadow of the fall (`payoffs._after_the_fall`); the new
    government's alignments follow from who backed whom (`successor_alignment`)."""
    army = model.forces["regime"]
    model.fallen_at = model.month
    model.event("syria", "regime_collapse", "",
                f"key governorates {model.key_share:.2f}, morale {army.morale:.2f}")
    control, contribution, power = payoffs._after_the_fall(
        model.control[None], model.contribution[None], model.power[None])
    model.control, model.contribution, model.power = control[0], contribution[0], power[0]
    model.government = SUCC
    for force in DISBANDED:
        model.forces[force].manpower = 0.0
    opposition = model.forces["opposition"]
    opposition.faction = "successor"
    opposition.offensive = False
    opposition.morale = 1.0
    model.talks.ceasefire = 0.0
    syria = model.states["syria"]
    syria.portfolio = np.zeros(len(ACTIONS))
    model._views = None
    # its alignments follow from who backed whom (`successor_alignment`)
    alignment = successor_alignment(model.backed)
    for j, value in enumerate(alignment.tolist()):
        if j != SYRIA:
            model.relations[SYRIA, j] = model.relations[j, SYRIA] = value
            model.anchor[SYRIA, j] = model.anchor[j, SYRIA] = value
    model.event("syria", "succession", "", "successor government takes over; aligned " + ", ".join(
        f"{state} {alignment[n]:+.2f}" for n, state in enumerate(STATES) if n != SYRIA))
