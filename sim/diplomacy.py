"""Diplomacy: talks and ceasefires, deconfliction agreements, UN drafts and vetoes.

`Diplomacy` carries what diplomacy remembers from month to month and plays the month's
diplomacy (`Diplomacy.month`); what it reads off the war is a compiled kernel
(`_diplomacy_state`: the ceasefire level, `theatre._ceasefire_level`; the agreements; the
opposition's force ratio on its fronts, `_front_ratio`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numba import njit

from sim import strikes
from sim.numeric import boundary, pairwise_sum
from sim.theatre import FORCE_PATRON, TheatreParams, _ceasefire_level
from sim.vocabulary import (
    AIR,
    AIR_CAMPAIGN,
    COMBAT_INDEX,
    DECONFLICTION,
    DIPLOMATIC_COVER,
    GROUND,
    NEGOTIATION,
    PAIRS,
    RUSSIA,
    SANCTIONS,
    STATES,
    STRIKE,
    SYRIA,
    US,
    O,
    R,
)


def talks_format(negotiating: np.ndarray | list[float]) -> str:
    parties = {STATES[n] for n in range(len(negotiating)) if negotiating[n]}
    if {"russia", "iran", "turkey"} <= parties:
        return "astana"
    if {"russia", "us"} <= parties:
        return "geneva"
    return "talks"


# The Western drafts on Syria the Security Council voted on, by what they asked of it. The
# eleven Russian vetoes of 2011-2017 (analysis/data/unsc_vetoes_syria_2011_2017.csv [A]; each
# draft's type from its text, docs/sources/unsc_drafts.md): condemnations of the crackdown
# (S/2011/612, S/2012/77), sanctions (S/2012/538, S/2017/172), an ICC referral (S/2014/348),
# a ceasefire in Aleppo (S/2016/846, S/2016/1026), chemical-weapons investigations
# (S/2017/315, 884, 962, 970). Seed 001: the vetoes oppose "the legitimization of any
# intervention in the internal affairs of states" (Haass 2012), after Resolution 1973 on
# Libya; "Moscow's steadfastness in the Security Council has demonstrated that the U.S.
# cannot act in the same way as it did in Libya".
DRAFT_TYPES = ("condemnation", "sanctions", "accountability", "chemical", "humanitarian")


def crackdown(control: np.ndarray, population: np.ndarray, scale: float) -> float:
    """The regime's war on the uprising where people live: the population share of the
    governorates the regime and the opposition both hold (the lesser of the two shares),
    full at `scale`. Nothing before the uprising (record row 1) gives the opposition
    ground."""
    contested = np.minimum(control[:, R], control[:, O])
    return min(float(population @ contested) / float(population.sum()) / scale, 1.0)


def draft_salience(uprising: float, offensive: float, chemical: float, sanctions: float,
                   toll: float, un: dict) -> list[float]:
    """How strong the case for each type of draft is this month, 0-1, in `DRAFT_TYPES`
    order: a condemnation of the crackdown (`uprising`, from `crackdown`); sanctions once the
    US's own are in force (record row 2); an ICC referral as the war's toll mounts (`toll`,
    months at full violence, over `accountability_toll`); a chemical-weapons draft after a
    chemical attack (the atrocity shocks, record rows 11 and 24); a ceasefire and access when
    the regime and its patrons bomb and besiege (`offensive`: ground offensives and air
    raids)."""
    violence = max(uprising, offensive)
    return [uprising, violence * sanctions,
            violence * min(toll / un["accountability_toll"], 1.0),
            min(chemical, 1.0), offensive]


def veto_standing(kind: int, salience: float, vetoes: int, cover: float, un: dict) -> float:
    """What a veto of this draft costs Russia's standing: more the stronger the draft's case
    (the atrocity it answers) and the more often Russia has vetoed before; less when China
    vetoes beside it (`china`: the share of the dataset's drafts of this type China co-vetoed)
    and when Russia is already giving the regime diplomatic cover (it has made its case)."""
    return (un["veto_standing"] * salience * (1.0 + un["veto_repeat"] * vetoes)
            * (1.0 - un["china_relief"] * un["china"][DRAFT_TYPES[kind]])
            * (1.0 - un["cover_relief"] * cover))


def russia_stake(relations: float, combat: float, un: dict) -> float:
    """Russia's stake in what the Council does to Damascus: its relations with the regime
    (0-1), and more, by `own_forces`, while its own combat forces fight beside the regime
    (`combat`, 0-1: they are ordered in): a draft that halts the offensives it flies or
    attributes chemical attacks to the army it fights beside harms Russia's own campaign and
    the 2013 chemical-weapons deal it guaranteed, not only its client. Seven of the eleven
    vetoes of 2011-2017 came after Russia's entry (30 Sep 2015), on the Aleppo ceasefire and
    on chemical investigations (analysis/data/unsc_vetoes_syria_2011_2017.csv;
    docs/sources/unsc_drafts.md)."""
    return max(relations, 0.0) + un["own_forces"] * combat


def russia_vetoes(kind: int, salience: float, stake: float, vetoes: int, cover: float,
                  un: dict) -> bool:
    """Russia vetoes a draft when the harm it would do to its client, `harm` of its type
    times Russia's stake in the regime (its relations with Damascus, 0-1), outweighs the cost
    to its standing (`veto_standing`)."""
    harm = un["harm"][DRAFT_TYPES[kind]] * stake
    return salience > 0.0 and harm > veto_standing(kind, salience, vetoes, cover, un)


def western_gain(kind: int, salience: float, vetoed: bool, repeats: int, hostility: float,
                 vetoes: int, cover: float, un: dict) -> float:
    """What tabling this draft is worth to the West (the US for the sponsors): adopted, its
    pressure on the regime (`harm` times the case); vetoed, the shaming of Russia (the
    standing the veto costs it, weighted `shame`; the record: drafts were tabled that were
    sure to be vetoed); either worth a share `novelty` of the last for each draft of this type
    tabled before (`repeats`: old news; the record's drafts moved from type to type,
    `DRAFT_TYPES`); scaled by how far the US's hostility to the regime has grown past its
    pre-war enmity (`hostility_floor`: the Council saw no Syria draft before the uprising);
    less a small cost of tabling."""
    if vetoed:
        value = un["shame"] * veto_standing(kind, salience, vetoes, cover, un)
    else:
        value = un["harm"][DRAFT_TYPES[kind]] * salience
    drive = max(hostility - un["hostility_floor"], 0.0)
    return un["draft_gain"] * drive * value * un["novelty"] ** repeats - un["draft_cost"]


def tabled(gains: list[float], draw: float, rate: float) -> int | None:
    """The draft type the West tables this month, or None: a vote comes with chance `rate`
    times the summed gains (at most 1), and the uniform `draw` falls on a type in proportion
    to its gain, so one draw decides both."""
    threshold = draw / rate
    for kind, gain in enumerate(gains):
        threshold -= gain
        if threshold < 0.0:
            return kind
    return None


@njit(cache=True, error_model="numpy")
def _front_ratio(control, local_power, neighbour_mean, presence):
    """The opposition's local power over the regime's on the opposition's fronts: the
    governorates where it holds ground or borders ground it holds (above `presence`)."""
    g_count = control.shape[0]
    opposition = np.empty(g_count)
    regime = np.empty(g_count)
    count = 0
    for g in range(g_count):
        near = 0.0
        for h in range(g_count):
            near += neighbour_mean[g, h] * control[h, O]
        if control[g, O] > presence or near > presence:
            opposition[count] = local_power[g, O]
            regime[count] = local_power[g, R]
            count += 1
    return pairwise_sum(opposition[:count]) / max(pairwise_sum(regime[:count]), 1e-9)


@njit(cache=True, error_model="numpy")
def _diplomacy_state(joint, government, control, local_power, neighbour_mean, ceasefire,
                     front_presence):
    """What diplomacy reads off the month: how far a ceasefire holds (`_ceasefire_level`),
    the deconfliction agreements (N, N) between states in the same sky that are willing to
    deconflict, and the opposition's force ratio on its fronts (`_front_ratio`)."""
    n_count, a_count = joint.shape
    level = _ceasefire_level(joint.copy().reshape((1, n_count, a_count)), government,
                             ceasefire)[0]
    willing = np.empty(n_count)
    for n in range(n_count):
        active = 0.0
        for a in range(a_count):
            if AIR[a]:
                active = max(active, joint[n, a])
        willing[n] = joint[n, DECONFLICTION] * active
    agreements = np.empty((n_count, n_count))
    for i in range(n_count):
        for j in range(n_count):
            agreements[i, j] = 0.0 if i == j else willing[i] * willing[j]
    return level, agreements, _front_ratio(control, local_power, neighbour_mean, front_presence)


diplomacy_state = boundary(_diplomacy_state)  # as Python calls it (`numeric.boundary`)


@dataclass
class Diplomacy:
    """What diplomacy carries from month to month: who is in talks, how far a ceasefire holds,
    the deconfliction agreements (N, N), the pressure of resolutions adopted at the UN, the
    vetoes cast so far, the drafts of each type (`DRAFT_TYPES`) tabled in the run, and the
    war's toll (months at full violence) that makes the case for an ICC referral."""

    negotiating: np.ndarray
    ceasefire: float
    agreements: np.ndarray
    un_pressure: float
    vetoes: int
    drafts: list[int] = field(default_factory=lambda: [0] * len(DRAFT_TYPES))
    toll: float = 0.0

    def month(self, joint: np.ndarray, government: int, control: np.ndarray,
              local_power: np.ndarray, tp: TheatreParams, atrocity: float,
              relations: np.ndarray, params: dict, rng: np.random.Generator,
              event: Callable[..., None], counted: dict[int, int] | None = None) -> float:
        """The month's diplomacy under the joint portfolio (N, A): talks, a ceasefire,
        deconfliction agreements, strikes announced (with their count for a state in
        `counted`: Israel's, `strikes.month`; none when it is 0), the Security Council
        (`security_council`: one draw from `rng` while the regime stands). Events
        go to `event(actor, event, target, detail)`. Returns the opposition's force ratio on
        its fronts (`_front_ratio`)."""
        rows = joint.tolist()
        negotiating = joint[:, NEGOTIATION]
        talking = negotiating.tolist()
        before = self.negotiating.tolist()
        un = params["un"]
        n_count = len(STATES)

        # talks: a state joining talks names its partners and the format
        for n in range(n_count):
            if talking[n] * (1.0 - before[n]):
                partners = [STATES[m] for m in range(n_count) if talking[m] and m != n]
                event(STATES[n], "negotiation", "+".join(partners), talks_format(talking))
        self.negotiating = negotiating

        level, agreements, ratio = diplomacy_state(joint, government, control, local_power,
                                                    tp.neighbour_mean, tp.ceasefire,
                                                    tp.front_presence)

        # a regime-opposition ceasefire needs someone to speak for each side
        if level >= params["ceasefire"]["holds"] > self.ceasefire:
            event("russia" if talking[RUSSIA] else "syria", "ceasefire", "opposition",
                  talks_format(talking))
        self.ceasefire = level

        # deconfliction agreements between militaries in the same sky
        had, now = self.agreements.tolist(), agreements.tolist()
        for i, j in PAIRS:
            if now[i][j] and not had[i][j]:
                event(STATES[i], "deconfliction", STATES[j], "")
        self.agreements = agreements

        # strikes on a rival's assets
        counted = counted or {}
        for n in range(n_count):
            if rows[n][STRIKE]:
                targets = params[STATES[n]]["strike_targets"]
                if targets:
                    main = max(targets, key=targets.get)
                    said = strikes.detail(counted.get(n), main)
                    if said is not None:
                        event(STATES[n], "airstrike", FORCE_PATRON[main], said)

        # a Western draft at the Security Council, of the type the West chooses, and Russia's
        # weighed veto (`security_council`); one draw from `rng` while the regime stands
        self.un_pressure *= un["pressure_fade"]
        if government == R:
            self.security_council(rows, control, tp.population, atrocity,
                                  relations, un, rng.random(), event)
        return ratio

    def security_council(self, rows: list[list[float]], control: np.ndarray,
                         population: np.ndarray, chemical: float, relations: np.ndarray,
                         un: dict, draw: float, event: Callable[..., None]) -> None:
        """The month at the Security Council (sources: `DRAFT_TYPES`). The West (the US for
        the sponsors) weighs a draft of each type (`western_gain`), knowing what Russia will
        do with it (`russia_vetoes`); a vote comes with chance `draft_rate` times the sum of
        the positive gains, and `draw` (uniform) picks both whether and which type, in
        proportion to its gain. Russia vetoes or lets it pass; an adopted sanctions draft adds
        economic pressure on the regime (the others' harm is political)."""
        us, syria, russia = rows[US], rows[SYRIA], rows[RUSSIA]
        air = syria[AIR_CAMPAIGN] + russia[AIR_CAMPAIGN]
        offensive = min(syria[GROUND] + un["air_atrocity"] * air, 1.0)
        uprising = crackdown(control, population, un["crackdown_scale"])
        self.toll += min(max(uprising, offensive) + chemical, 1.0)
        salience = draft_salience(uprising, offensive, chemical, us[SANCTIONS], self.toll, un)
        stake = russia_stake(float(relations[RUSSIA, SYRIA]),
                             max(russia[a] for a in COMBAT_INDEX), un)
        hostility = max(-float(relations[US, SYRIA]), 0.0)
        cover = russia[DIPLOMATIC_COVER]
        kinds = range(len(DRAFT_TYPES))
        vetoed = [russia_vetoes(k, salience[k], stake, self.vetoes, cover, un) for k in kinds]
        gains = [max(western_gain(k, salience[k], vetoed[k], self.drafts[k], hostility,
                                  self.vetoes, cover, un), 0.0) for k in kinds]
        k = tabled(gains, draw, un["draft_rate"])
        if k is None:
            return
        kind = DRAFT_TYPES[k]
        self.drafts[k] += 1
        if vetoed[k]:
            self.vetoes += 1
            event("russia", "veto", "us", f"draft {self.vetoes}: {kind}")
        else:
            event("us", "resolution", "syria", f"adopted without a veto: {kind}")
            if kind == "sanctions":  # the one type whose harm is to the economy
                self.un_pressure += un["resolution_pressure"]
