"""Foreign fighters: the volunteers who crossed into Syria to join a force, as a flow that
follows the force's fortunes.

At its height about 2,000 foreign recruits a month crossed into Iraq and Syria, most of them
over the Turkish border to join ISIS; the flow fell to about 200 a month by April 2016 and to
about 50 by September 2016 (docs/sources/isis.md). Those who study it put the fall down to the
group's losses: its "appeal rested on its strength and its winning. Now that it's losing, it's
no longer attractive" (Neumann, ICSR, September 2016). So the flow here is not dated: a force
draws `foreign_flow` thousand fighters a month while it holds as much of Syria as it ever has,
and less in proportion as it holds less than at its height (`_appeal`).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.numeric import boundary
from sim.theatre import _national_shares


@njit(cache=True, error_model="numpy")
def _appeal(extent, peak):
    """How strongly a force draws volunteers from abroad, 0-1: the ground it holds now (its
    share of Syria's area) against the most it has held; nothing before it holds any."""
    return extent / peak if peak > 0.0 else 0.0


@njit(cache=True, error_model="numpy")
def _after_the_month(manpower, flow, control, area_share, faction_of_force, peak):
    """Each force's manpower (FO,) with the month's arrivals from abroad added (thousands: its
    `foreign_flow` (FO,) times its `_appeal`, on its faction's share of Syria by area under
    this month's `control` (G, F) and the largest share it has had, this month's included),
    and those largest shares (FO,). One compiled call a month: in numpy it cost 10 us."""
    g_count, f_count = control.shape
    shares = _national_shares(control.reshape((1, g_count, f_count)), area_share)[0]
    after = np.empty(manpower.shape[0])
    highest = np.empty(manpower.shape[0])
    for fo in range(manpower.shape[0]):
        extent = shares[faction_of_force[fo]]
        highest[fo] = max(peak[fo], extent)
        after[fo] = manpower[fo] + flow[fo] * _appeal(extent, highest[fo])
    return after, highest


after_the_month = boundary(_after_the_month)  # as the model calls it (`numeric.boundary`)
