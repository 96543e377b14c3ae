"""The fixed names of the model: states, armed forces, territorial factions, actions, months.

Everything indexed by position in these tuples; the tuples are the only place the order lives.
"""

from __future__ import annotations

import re
from itertools import combinations

import numpy as np

from sim.errors import UserInputError

# The six states, in lowercase alphabetical order (the order of the cooperation pairs).
STATES: tuple[str, ...] = ("iran", "israel", "russia", "syria", "turkey", "us")
FOREIGN_STATES: tuple[str, ...] = tuple(s for s in STATES if s != "syria")

# Pairs of states as the output contract names them: "iran-russia", ...
PAIRS: tuple[tuple[int, int], ...] = tuple(combinations(range(len(STATES)), 2))
PAIR_NAMES: tuple[str, ...] = tuple(f"{STATES[i]}-{STATES[j]}" for i, j in PAIRS)

# Who holds ground. `successor` is the government that replaces the Assad regime if it falls.
FACTIONS: tuple[str, ...] = ("regime", "opposition", "sdf", "isis", "successor")

# Armed forces on the ground (Mesa agents). The militias (Iraqi, Afghan and Pakistani, and the
# local forces Iran runs) and Hezbollah fight for the regime's side and hold no ground of their
# own; they are two forces because other wars draw and strike them apart (Lebanon, 2024).
FORCES: tuple[str, ...] = ("regime", "opposition", "sdf", "isis", "militias", "hezbollah")
# The forces that dissolve with the regime: its army and the militias and Hezbollah units
# Iran brought in for it.
DISBANDED: tuple[str, ...] = ("regime", "militias", "hezbollah")

# The action menu every state chooses its portfolio from (a state's own menu is a subset).
ACTIONS: tuple[str, ...] = (
    "diplomatic_cover",  # diplomatic cover, including UN Security Council vetoes
    "financial_aid",  # credit lines, cash, oil
    "advisers_militias",  # advisers and the militias they raise and lead
    "air_campaign",
    "ground_deployment",
    "strike_rival",  # strikes on a rival's assets
    "arm_faction",
    "negotiation",  # talks and ceasefire formats (Astana, Geneva, Sochi)
    "deconfliction",  # deconfliction agreements with other militaries
    "sanctions",
    "withdrawal",
)
COMBAT_ACTIONS: tuple[str, ...] = ("advisers_militias", "air_campaign", "ground_deployment")
MILITARY_ACTIONS: tuple[str, ...] = (*COMBAT_ACTIONS, "strike_rival")
# the model's monthly series (its DataCollector's reporters, `sim.model.REPORTERS`)
REPORTER_NAMES: tuple[str, ...] = ("control", "influence", "cooperation", "commitment", "terms",
                                   "morale", "manpower")

AIR_ACTIONS: tuple[str, ...] = ("air_campaign", "strike_rival")  # what puts a state in the sky
# the payoff terms, in the order of the `terms` reporter
TERMS: tuple[str, ...] = ("survival", "balancing", "influence", "cost", "utility")
# the payoff terms as the output names them, in the column order of the `terms` reporter
TERM_VARIABLES: tuple[str, ...] = tuple(f"payoff_{t}" if t != "utility" else t for t in TERMS)
# What each timeseries variable of the output contract is indexed by, in the output's order
# (sim/ensemble.py writes them, analysis/targets.py checks targets against them).
VARIABLE_SUBJECTS: dict[str, tuple[str, ...]] = {
    "control": FACTIONS,
    "influence": FOREIGN_STATES,
    "cooperation": PAIR_NAMES,
    "commitment": STATES,
    **dict.fromkeys(TERM_VARIABLES, STATES),
    "morale": ("regime",),
    "manpower": FORCES,
}

S = {name: i for i, name in enumerate(STATES)}
F = {name: i for i, name in enumerate(FACTIONS)}
FO = {name: i for i, name in enumerate(FORCES)}
A = {name: i for i, name in enumerate(ACTIONS)}

# The positions the compiled kernels read (numba compiles these globals in as constants).
IRAN, ISRAEL, RUSSIA, SYRIA, TURKEY, US = (S[s] for s in ("iran", "israel", "russia", "syria",
                                                           "turkey", "us"))
R, O, SDF, ISIS, SUCC = (F[f] for f in ("regime", "opposition", "sdf", "isis",  # noqa: E741
                                         "successor"))
REGIME_FORCE, MILITIAS, HEZBOLLAH = FO["regime"], FO["militias"], FO["hezbollah"]
(DIPLOMATIC_COVER, FINANCIAL_AID, AIR_CAMPAIGN, GROUND, STRIKE, NEGOTIATION, DECONFLICTION,
 SANCTIONS, WITHDRAWAL) = (A[a] for a in (
    "diplomatic_cover", "financial_aid", "air_campaign", "ground_deployment", "strike_rival",
    "negotiation", "deconfliction", "sanctions", "withdrawal"))
COMBAT_INDEX: tuple[int, ...] = tuple(A[a] for a in COMBAT_ACTIONS)
# (A,) masks of the action menu
MILITARY = np.array([a in MILITARY_ACTIONS for a in ACTIONS])
COMBAT = np.array([a in COMBAT_ACTIONS for a in ACTIONS])
AIR = np.array([a in AIR_ACTIONS for a in ACTIONS])

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def month_index(text: str, source: str = "date", key: str | None = None) -> int:
    """Months since year 0 for a `YYYY-MM` string; bad dates are user errors."""
    match = _MONTH.match(text) if isinstance(text, str) else None
    if not match or not 1 <= int(match.group(2)) <= 12 or not 1900 < int(match.group(1)) < 2200:
        raise UserInputError(source, key, f"expected a month as YYYY-MM, got {text!r}")
    return int(match.group(1)) * 12 + int(match.group(2)) - 1


def month_label(index: int) -> str:
    """`YYYY-MM` for a month index."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"
