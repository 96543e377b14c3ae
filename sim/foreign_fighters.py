"""Foreign fighters: the volunteers who crossed into Syria to join a force, as a flow that
follows the force's fortunes.

At its height about 2,000 foreign recruits a month crossed into Iraq and Syria, most of them
over the Turkish border to join ISIS; the flow fell to about 200 a month by April 2016 and to
about 50 by September 2016 (docs/sources/isis.md). Those who study it put the fall down to the
group's losses: its "appeal rested on its strength and its winning. Now that it's losing, it's
no longer attractive" (Neumann, ICSR, September 2016). So the flow here is not dated: a force
draws `foreign_flow` thousand fighters a month while it holds as much of Syria as it ever has,
and less in proportion as it holds less than at its height (`appeal`).
"""

from __future__ import annotations

import numpy as np


def appeal(extent, peak):
    """How strongly a force draws volunteers from abroad, 0-1: the ground it holds now (its
    share of Syria's area) against the most it has held; nothing before it holds any. Over
    floats or arrays alike."""
    extent, peak = np.asarray(extent, dtype=float), np.asarray(peak, dtype=float)
    return np.divide(extent, peak, out=np.zeros_like(extent), where=peak > 0.0)


def arrivals(flow: np.ndarray, extent: np.ndarray, peak: np.ndarray) -> np.ndarray:
    """Fighters (thousands) who reach each force from abroad this month, (FO,): its
    `foreign_flow` (FO,) times its `appeal`, on each force's faction's share of Syria
    (`extent`, (FO,)) and the largest it has had (`peak`, (FO,), this month's included)."""
    return flow * appeal(extent, peak)
