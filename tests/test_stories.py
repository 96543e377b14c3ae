"""Each required scenario, run end to end as a 20-seed ensemble, tells its part of the story
(calibration record section 3; the targets in `analysis/targets.toml`).

A story is judged on the share of runs that pass each dated target, as `run.py validate` does.
Each floor sits below the share measured when it was written (in the comment beside it), so a
change to the model that breaks a part of the story fails here; parts the model does not yet
tell are listed in each test's docstring, with their share, and are not asserted.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.checks import evaluate
from analysis.targets import load_targets
from sim.ensemble import Ensemble, run_ensemble
from sim.scenario import load_scenario
from sim.vocabulary import month_index, month_label

SEEDS = list(range(20))
_ENSEMBLES: dict[str, Ensemble] = {}


def ensemble(name: str) -> Ensemble:
    if name not in _ENSEMBLES:
        _ENSEMBLES[name] = run_ensemble(load_scenario(name), SEEDS, progress=False)
    return _ENSEMBLES[name]


def shares(name: str) -> pd.Series:
    """Share of the ensemble's runs passing each target that applies to it."""
    table = evaluate(load_targets(), ensemble(name)).set_index("id")["share_pass"]
    return table.dropna()


def assert_story(name: str, floors: dict[str, float]) -> None:
    passed = shares(name)
    missing = sorted(set(floors) - set(passed.index))
    assert not missing, f"{name}: targets that do not apply: {missing}"
    short = {t: (float(passed[t]), floor) for t, floor in floors.items() if passed[t] < floor}
    assert not short, f"{name}: (share, floor) below the floor: {short}"


def influence_after_the_fall(name: str, months: int = 12) -> pd.DataFrame:
    """Each fallen run's mean influence (columns: states) over the `months` after its fall."""
    ens = ensemble(name)
    table = ens.timeseries[ens.timeseries["variable"] == "influence"].pivot_table(
        index=["run", "date"], columns="subject", values="value"
    )
    rows = {}
    for run, date in ens.summary.set_index("run")["regime_fall_date"].items():
        if isinstance(date, str) and date:
            fall = month_index(date)
            window = table.loc[run]
            window = window[(window.index > date) & (window.index <= month_label(fall + months))]
            if len(window):
                rows[run] = window.mean()
    return pd.DataFrame(rows).T


POINT = ("Shares on seeds 0-19 at the point summarising the posterior (params/calibration.json, "
         "3 December 2026: the posterior remade after the SDF's recruitment was set by the train "
         "window, its point confirmed on 64 seeds it was not chosen on; docs/decisions.md D13, "
         "D22-D26)")


def test_cooperation_2011_2017_iran_first_russia_at_the_low_point_and_recovery():
    """Iran enters before Russia, in 2012, and spends billions a year without free-riding on
    Russia's entry; Israel's strikes begin in 2012-13 and number about a hundred to 2017;
    Russia enters in 2015 when the regime is at its lowest, holding 14-35% of Syria, and the
    regime recovers to about half of Syria by the end of 2017; Russia and Israel agree
    deconfliction; Russia vetoes Western drafts; the regime stands; ISIS is beaten back by the
    end of 2017; Iran-Russia cooperation rises; the regime's army, Iran's militias and
    Hezbollah have the record's manpower of 2016-2017; the US's air war comes in its 2014
    window; the opposition's and the SDF's shares of 2016-2017 are the record's in about half
    the runs. Told less well: the regime's share of December 2017 (50%), the vetoes by mid-2017
    (45%). Not yet told: ISIS's mid-2015 extent (0%: a stronger SDF leaves it less of the
    east), Turkey's 2016 entry (15%), the Astana format (0%), the first veto in its window
    (25%), no veto in 2013 (40%), the veto count by the end of 2017 (0%). See `POINT`."""
    assert_story(
        "cooperation_2011_2017",
        {
            "iran_intervenes_before_russia": 0.9,  # 1.00
            "iran_intervention_2012": 0.7,  # 0.80
            "iran_spends_2013_2017": 0.9,  # 1.00
            "iran_stays_in_after_russia": 0.9,  # 1.00
            "israel_first_strike_2013": 0.9,  # 1.00
            "israel_strikes_2012_2017": 0.9,  # 1.00
            "israel_strikes_2017": 0.9,  # 1.00
            "us_intervention_2014": 0.9,  # 1.00
            "russia_intervention_2015": 0.75,  # 0.85
            "russia_israel_deconfliction_2015": 0.65,  # 0.75
            "regime_control_2015_low": 0.8,  # 0.90
            "regime_control_low_point_2015": 0.75,  # 0.85
            "russia_rescues_regime_at_its_low": 0.9,  # 1.00
            "vetoes_by_end_2012": 0.75,  # 0.85
            "vetoes_by_end_2014": 0.7,  # 0.80
            "vetoes_by_end_2016": 0.6,  # 0.70
            "vetoes_by_mid_2017": 0.35,  # 0.45
            "regime_survives_2017": 0.9,  # 1.00
            "regime_control_aug_2017": 0.85,  # 0.95
            "regime_control_dec_2017": 0.4,  # 0.50
            "isis_control_dec_2017": 0.9,  # 1.00
            "sdf_control_dec_2017": 0.35,  # 0.45
            "opposition_control_2016": 0.35,  # 0.45
            "opposition_control_dec_2017": 0.45,  # 0.55
            "iran_russia_cooperation_rises": 0.85,  # 0.95
            "hezbollah_in_syria_2017": 0.9,  # 1.00
            "iran_militias_2016": 0.9,  # 1.00
            "regime_army_2016": 0.9,  # 1.00
        },
    )


def test_competition_2017_2024_the_regime_survives_and_the_partners_cool():
    """The regime survives to 2024, the SDF keeps the north-east, and Iran and Russia go on
    cooperating (competitors, not rivals), cooling from the Astana-era high in about a third
    of the runs. Told less well from 2017: the opposition keeping Idlib (35%). Not yet told at
    this point: Russia's drawdown after the Ukraine war (0%: from 2017 it holds no more in 2021
    than after; from 2011 it passes in 80%), the frozen front lines (0%) and ISIS's last ground
    lost (0%; from 2011 100%). See `POINT`."""
    assert_story(
        "competition_2017_2024",
        {
            "regime_survives_to_2024": 0.9,  # 1.00
            "opposition_holds_idlib": 0.25,  # 0.35
            "sdf_holds_northeast": 0.9,  # 1.00
            "iran_russia_still_cooperate": 0.9,  # 1.00
        },
    )
    relations = ensemble("competition_2017_2024").timeseries
    pair = relations[
        (relations["variable"] == "cooperation") & (relations["subject"] == "iran-russia")
    ]
    start = pair[pair["date"] == "2017-12"].set_index("run")["value"]
    later = pair[pair["date"].between("2019-01", "2023-12")].groupby("run")["value"].mean()
    assert (later < start).mean() >= 0.25  # 0.35: cooling from the Astana-era high


def test_collapse_2024_the_regime_falls_late_in_2024_and_its_patrons_lose_syria():
    """From the record's state of 2024 the regime falls in most runs, in the autumn of 2024,
    when its patrons are drawn elsewhere; Iran withdraws; after it Iran's influence is gone and
    Russia's is below Turkey's, with Turkey the largest influence. See `POINT`."""
    summary = ensemble("collapse_2024").summary
    assert summary["regime_fell"].mean() >= 0.9  # 1.00
    assert_story(
        "collapse_2024",
        {
            "regime_collapse_2024": 0.75,  # 0.85
            "iran_withdraws_2024": 0.65,  # 0.75
            "iran_influence_gone_2025": 0.9,  # 1.00
            "turkey_main_winner_2025": 0.9,  # 1.00
        },
    )
    after = influence_after_the_fall("collapse_2024")
    assert len(after) == summary["regime_fell"].sum()  # 20
    assert (after["turkey"] > after["russia"]).all()
    assert (after["iran"] < 0.05).all()


def test_full_2011_2025_cooperation_competition_and_the_fall():
    """The whole story: Iran first, Russia at the regime's low point, cooperation rising to 2017,
    then cooling but not hostile, Russia drained after February 2022, ISIS's territory gone
    from 2019 and the SDF holding the north-east, the regime standing to August 2024; no rescue
    on the 2015 scale in 2024 and the fall in its window (95%), with Iran withdrawing and its
    influence gone, Turkey's up, and Iran-Russia cooperation ending. Told less well from 2011:
    the opposition keeping Idlib (50%), Russia's influence down after the fall (55%), Turkey
    the largest (60%), the US's up (60%). Not yet told from 2011: Israel striking every year
    from 2018 (20%) and more after October 2023 (0%), the frozen front lines (15%). See
    `POINT`."""
    assert_story(
        "full_2011_2025",
        {
            "iran_intervenes_before_russia": 0.9,  # 1.00
            "iran_spends_2013_2017": 0.9,  # 1.00
            "russia_rescues_regime_at_its_low": 0.9,  # 1.00
            "iran_russia_cooperation_rises": 0.85,  # 0.95
            "iran_russia_cooperation_falls": 0.8,  # 0.90
            "iran_russia_still_cooperate": 0.9,  # 1.00
            "russia_drawdown_2022": 0.7,  # 0.80
            "isis_territory_gone": 0.9,  # 1.00
            "sdf_holds_northeast": 0.9,  # 1.00
            "opposition_holds_idlib": 0.4,  # 0.50
            "regime_survives_to_2024": 0.9,  # 1.00
            "no_2015_scale_rescue": 0.85,  # 0.95
            "regime_collapse_2024": 0.85,  # 0.95
            "iran_withdraws_2024": 0.85,  # 0.95
            "iran_influence_gone_2025": 0.85,  # 0.95
            "russia_influence_down_2025": 0.45,  # 0.55
            "turkey_influence_up_2025": 0.8,  # 0.90
            "turkey_main_winner_2025": 0.5,  # 0.60
            "us_influence_up_2025": 0.5,  # 0.60
            "iran_russia_cooperation_ends": 0.55,  # 0.65
        },
    )


@pytest.mark.parametrize("name", ["cooperation_2011_2017", "full_2011_2025"])
def test_the_story_does_not_hang_on_one_seed(name):
    """Different seeds tell it differently: Russia's entry and the fall are spread over months."""
    summary = ensemble(name).summary
    entries = summary["intervention_date_russia"].replace("", np.nan).dropna()
    assert entries.nunique() >= 5
