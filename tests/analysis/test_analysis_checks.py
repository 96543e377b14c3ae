"""Each check on hand-made runs whose pass or fail is known, then `evaluate` and `score` on
synthetic ensembles."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from synthetic import synthetic_ensemble, tables

from analysis.checks import (
    EVALUATION_COLUMNS,
    applies,
    check,
    evaluate,
    matching,
    outcomes,
    runs_of,
    score,
)
from analysis.targets import EventMatch, load_targets, parse_targets
from sim.errors import UserInputError
from sim.vocabulary import month_index, month_label

BASE = {"set": "train", "description": "d", "source": "s"}


def target(**fields):
    (parsed,) = parse_targets({"target": [{"id": "t", **BASE, **fields}]}, "test")
    return parsed


def monthly(run: int, variable: str, subject: str, values: dict[str, float]) -> list[tuple]:
    return [(run, date, variable, subject, value) for date, value in values.items()]


def passes(result: pd.Series) -> list[int]:
    assert result.dtype == bool
    return [int(r) for r in result.index[result]]


# --- band ---------------------------------------------------------------------------------------

REGIME = {"variable": "control", "subject": "regime", "window": ["2015-06", "2015-08"]}


def test_band_mean_inside_and_outside():
    rows = monthly(0, "control", "regime", {"2015-06": 0.2, "2015-07": 0.25, "2015-08": 0.3})
    rows += monthly(1, "control", "regime", {"2015-06": 0.5, "2015-07": 0.5, "2015-08": 0.5})
    # run 2: in band, but only outside the window; run 3 has no rows at all
    rows += monthly(2, "control", "regime", {"2015-05": 0.2, "2015-09": 0.2})
    rows += monthly(1, "control", "isis", {"2015-06": 0.2, "2015-07": 0.2, "2015-08": 0.2})
    ensemble = tables(rows, runs=4)
    result = check(target(kind="band", lo=0.14, hi=0.35, **REGIME), ensemble)
    assert list(result.index) == [0, 1, 2, 3]
    assert passes(result) == [0]


def test_band_min_and_max():
    rows = monthly(0, "control", "regime", {"2015-06": 0.1, "2015-07": 0.3, "2015-08": 0.3})
    rows += monthly(1, "control", "regime", {"2015-06": 0.2, "2015-07": 0.2, "2015-08": 0.2})
    ensemble = tables(rows)
    mean = check(target(kind="band", lo=0.15, hi=0.3, **REGIME), ensemble)
    low = check(target(kind="band", lo=0.15, hi=0.3, stat="min", **REGIME), ensemble)
    high = check(target(kind="band", lo=0.25, hi=1.0, stat="max", **REGIME), ensemble)
    assert passes(mean) == [0, 1]
    assert passes(low) == [1]
    assert passes(high) == [0]


def test_band_bounds_are_inclusive():
    rows = monthly(0, "cooperation", "iran-russia", {"2019-01": 0.0, "2019-02": 0.0})
    band = target(
        kind="band",
        variable="cooperation",
        subject="iran-russia",
        window=["2019-01", "2019-02"],
        lo=0.0,
        hi=1.0,
    )
    assert passes(check(band, tables(rows))) == [0]


# --- change -------------------------------------------------------------------------------------

RUSSIA = {
    "variable": "commitment",
    "subject": "russia",
    "before": ["2021-01", "2021-02"],
    "after": ["2022-03", "2022-04"],
}


def change_rows() -> list[tuple]:
    rows = monthly(
        0, "commitment", "russia", {"2021-01": 2.0, "2021-02": 2.0, "2022-03": 1.0, "2022-04": 1.2}
    )
    rows += monthly(
        1, "commitment", "russia", {"2021-01": 1.0, "2021-02": 1.0, "2022-03": 1.5, "2022-04": 1.5}
    )
    rows += monthly(
        2, "commitment", "russia", {"2021-01": 1.0, "2021-02": 1.0, "2022-03": 1.02, "2022-04": 1.0}
    )
    return rows


def test_change_down_up_and_flat():
    ensemble = tables(change_rows())
    assert passes(check(target(kind="change", direction="down", **RUSSIA), ensemble)) == [0]
    assert passes(check(target(kind="change", direction="up", **RUSSIA), ensemble)) == [1, 2]
    flat = target(kind="change", direction="flat", margin=0.05, **RUSSIA)
    assert passes(check(flat, ensemble)) == [2]


def test_change_margin_demands_a_real_move():
    ensemble = tables(change_rows())
    up = target(kind="change", direction="up", margin=0.1, **RUSSIA)
    assert passes(check(up, ensemble)) == [1]


def test_change_fails_a_run_missing_one_window():
    rows = monthly(0, "commitment", "russia", {"2022-03": 1.0, "2022-04": 1.0})
    result = check(target(kind="change", direction="down", **RUSSIA), tables(rows))
    assert passes(result) == []


# --- largest ------------------------------------------------------------------------------------


def test_largest_needs_a_strict_lead():
    window = {"2025-03": None, "2025-04": None}
    levels = {
        0: {"turkey": 0.5, "us": 0.2, "russia": 0.1},
        1: {"turkey": 0.3, "us": 0.3, "russia": 0.1},  # a tie is no lead
        2: {"turkey": 0.1, "us": 0.2, "russia": 0.4},
    }
    rows = [
        (run, date, "influence", state, value)
        for run, states in levels.items()
        for state, value in states.items()
        for date in window
    ]
    largest = target(
        kind="largest", variable="influence", subject="turkey", window=["2025-03", "2025-04"]
    )
    assert passes(check(largest, tables(rows))) == [0]


# --- extremum_date ------------------------------------------------------------------------------


def test_extremum_date_finds_the_month_of_the_low_point():
    search = ["2013-01", "2017-12"]
    rows = monthly(0, "control", "regime", {"2013-01": 0.5, "2015-08": 0.2, "2017-12": 0.5})
    rows += monthly(1, "control", "regime", {"2013-01": 0.1, "2015-08": 0.2, "2017-12": 0.5})
    # a low outside the search period does not count
    rows += monthly(2, "control", "regime", {"2012-01": 0.0, "2015-08": 0.2, "2017-12": 0.5})
    # the first month of a repeated minimum counts
    rows += monthly(3, "control", "regime", {"2014-06": 0.2, "2015-08": 0.2, "2017-12": 0.5})
    low = target(
        kind="extremum_date",
        variable="control",
        subject="regime",
        stat="min",
        search=search,
        window=["2015-01", "2016-06"],
    )
    assert passes(check(low, tables(rows))) == [0, 2]
    high = target(
        kind="extremum_date",
        variable="control",
        subject="regime",
        stat="max",
        search=search,
        window=["2017-06", "2017-12"],
    )
    # run 0 reaches its maximum (0.5) first in 2013-01, the others only in 2017-12
    assert passes(check(high, tables(rows))) == [1, 2, 3]


ENTERS = {"actor": "russia", "event": "military_intervention"}


# --- rescue -------------------------------------------------------------------------------------


def course(run: int, anchors: dict[str, float], start="2013-01", end="2017-12") -> list[tuple]:
    """Every month of the regime's control from `start` to `end`, linear between anchors."""
    months = range(month_index(start), month_index(end) + 1)
    at = [month_index(d) for d in anchors]
    values = np.interp(list(months), at, list(anchors.values()))
    return [
        (run, month_label(m), "control", "regime", float(v))
        for m, v in zip(months, values, strict=True)
    ]


def test_rescue_needs_the_entry_at_the_low_point_and_a_recovery():
    low = {"2013-01": 0.5, "2015-08": 0.2, "2017-12": 0.5}
    rows = [*course(0, low), *course(1, low), *course(2, low), *course(3, low)]
    rows += course(4, {"2013-01": 0.5, "2015-08": 0.2, "2017-12": 0.21})  # no recovery
    rows += course(5, low)
    events = [
        (0, "2015-10", "russia", "military_intervention", "syria", ""),  # 2 months after
        (1, "2015-06", "russia", "military_intervention", "syria", ""),  # before the low
        (2, "2016-03", "russia", "military_intervention", "syria", ""),  # 7 months after
        (3, "2015-08", "russia", "military_intervention", "syria", ""),  # at the low
        (4, "2015-09", "russia", "military_intervention", "syria", ""),
        (5, "2015-09", "iran", "military_intervention", "syria", ""),  # not Russia
    ]
    rescue = target(
        kind="rescue",
        variable="control",
        subject="regime",
        match=ENTERS,
        search=["2013-01", "2017-12"],
        lag=6,
        after=24,
        margin=0.05,
    )
    ensemble = tables(rows, events, runs=7)  # run 6 has neither series nor event
    assert passes(check(rescue, ensemble)) == [0, 3]
    # a late entry is judged at the end of the search window, not on months it cannot see
    late = [*course(0, low), (0, "2017-06", "russia", "military_intervention", "syria", "")]
    ensemble = tables(late[:-1], late[-1:])
    assert passes(check(rescue.model_copy(update={"lag": 30}), ensemble)) == [0]
    assert not passes(check(rescue.model_copy(update={"lag": 30, "margin": 0.2}), ensemble))


def test_rescue_is_validated_like_the_other_kinds():
    bad = {
        "id": "t",
        **BASE,
        "kind": "rescue",
        "variable": "control",
        "subject": "regime",
        "match": ENTERS,
        "search": ["2013-01", "2017-12"],
        "lag": -1,
        "after": 24,
    }
    with pytest.raises(UserInputError) as error:
        parse_targets({"target": [bad]}, "targets.toml")
    assert "lag" in str(error.value)


# --- event_window -------------------------------------------------------------------------------


def test_event_window_uses_the_first_event():
    events = [
        (0, "2015-09", "russia", "military_intervention", "syria", "air_campaign"),
        (1, "2014-01", "russia", "military_intervention", "syria", ""),
        (1, "2015-09", "russia", "military_intervention", "syria", ""),  # too late to count
        (2, "2015-09", "iran", "military_intervention", "syria", ""),  # wrong actor
        (3, "2015-09", "russia", "airstrike", "isis", ""),  # wrong event
    ]
    window = target(kind="event_window", window=["2015-06", "2016-03"], match=ENTERS)
    result = check(window, tables(events=events, runs=5))
    assert list(result.index) == [0, 1, 2, 3, 4]
    assert passes(result) == [0]


def test_event_window_search_from_skips_earlier_events():
    events = [
        (0, "2018-05", "iran", "withdrawal", "syria", ""),
        (0, "2024-12", "iran", "withdrawal", "syria", ""),
        (1, "2024-07", "iran", "withdrawal", "syria", ""),
    ]
    match = {"actor": "iran", "event": "withdrawal"}
    plain = target(kind="event_window", window=["2024-09", "2025-06"], match=match)
    later = target(
        kind="event_window", window=["2024-09", "2025-06"], match=match, search_from="2024-06"
    )
    ensemble = tables(events=events)
    assert passes(check(plain, ensemble)) == []
    assert passes(check(later, ensemble)) == [0]


def test_event_match_on_either_party_and_detail():
    events = pd.DataFrame(
        [
            (0, "2015-09", "israel", "deconfliction", "russia", ""),
            (1, "2015-09", "russia", "deconfliction", "israel", ""),
            (2, "2015-09", "russia", "deconfliction", "us", ""),
            (3, "2017-01", "russia", "negotiation", "iran+turkey", "astana"),
            (4, "2017-01", "russia", "negotiation", "us", "geneva"),
        ],
        columns=["run", "date", "actor", "event", "target", "detail"],
    )
    pair = EventMatch(
        event="deconfliction", actor=["israel", "russia"], target=["israel", "russia"]
    )
    assert list(matching(events, pair)["run"]) == [0, 1]
    astana = EventMatch(event="negotiation", detail="astana")
    assert list(matching(events, astana)["run"]) == [3]


# --- event_order --------------------------------------------------------------------------------


def test_event_order_needs_both_and_a_strictly_earlier_month():
    iran = ("iran", "military_intervention", "syria", "")
    russia = ("russia", "military_intervention", "syria", "")
    events = [
        (0, "2012-05", *iran),
        (0, "2015-09", *russia),  # in order
        (1, "2015-09", *iran),
        (1, "2014-01", *russia),  # reversed
        (2, "2015-09", *iran),
        (2, "2015-09", *russia),  # same month
        (3, "2012-05", *iran),  # Russia never comes
        (4, "2010-01", *iran),
        (4, "2015-09", *russia),  # Iran's entry is outside the window
    ]
    order = target(
        kind="event_order",
        window=["2011-03", "2017-12"],
        first={"actor": "iran", "event": "military_intervention"},
        second=ENTERS,
    )
    assert passes(check(order, tables(events=events))) == [0]


# --- event_count --------------------------------------------------------------------------------


def test_event_count_counts_in_the_window_and_zero_for_runs_without_events():
    veto = ("russia", "veto", "us", "")
    events = [(0, f"201{k}-02", *veto) for k in range(1, 9)]  # 8 vetoes 2011-2018
    events += [(1, "2012-02", *veto), (1, "2013-02", *veto)]
    count = target(
        kind="event_count",
        window=["2011-03", "2017-06"],
        match={"actor": "russia", "event": "veto"},
        lo=6,
        hi=10,
    )
    none = target(
        kind="event_count",
        window=["2011-03", "2017-12"],
        match={"actor": "russia", "event": "veto"},
        lo=0,
        hi=0,
    )
    ensemble = tables(events=events, runs=3)
    assert passes(check(count, ensemble)) == [0]  # 6 by mid-2017 (2011-02 is before the window)
    assert passes(check(none, ensemble)) == [2]


def test_event_count_of_strikes_adds_the_counts_the_details_report():
    events = [(0, "2013-02", "israel", "airstrike", "iran", "12 strikes on militias"),
              (0, "2013-03", "israel", "airstrike", "iran", "1 strike on militias"),
              (1, "2013-02", "israel", "airstrike", "iran", "strikes on militias"),  # uncounted: 1
              (1, "2014-02", "israel", "airstrike", "iran", "20 strikes on militias")]  # outside
    match = {"actor": "israel", "event": "airstrike"}
    strikes = target(kind="event_count", window=["2013-01", "2013-12"], match=match,
                     count="strikes", lo=10, hi=20)
    events_only = target(kind="event_count", window=["2013-01", "2013-12"], match=match,
                         lo=2, hi=2)
    quiet = target(kind="event_count", window=["2015-01", "2015-12"], match=match,
                   count="strikes", lo=0, hi=0)
    ensemble = tables(events=events, runs=2)
    assert passes(check(strikes, ensemble)) == [0]  # 13 strikes; run 1 has 1
    assert passes(check(events_only, ensemble)) == [0]  # two events, whatever their counts
    assert passes(check(quiet, ensemble)) == [0, 1]  # no strike in the window: none counted


# --- event_rise ---------------------------------------------------------------------------------


def test_event_rise_compares_strikes_a_month_across_windows_of_different_lengths():
    def strike(run, date, n):
        return (run, date, "israel", "airstrike", "iran", f"{n} strikes on militias")

    # run 0: 12 in 12 months, then 14 in 2 months (7 a month): a rise
    events = [strike(0, "2022-06", 12), strike(0, "2023-10", 6), strike(0, "2023-11", 8)]
    # run 1: 24 in 2022 (2 a month), 3 in 2 months (1.5 a month): more strikes, a lower rate
    events += [strike(1, "2022-06", 24), strike(1, "2023-10", 3)]
    # run 2: strikes only before; run 3: none at all (0 is not above 0)
    events += [strike(2, "2022-06", 5)]
    rise = target(kind="event_rise", before=["2022-01", "2022-12"], after=["2023-10", "2023-11"],
                  match={"actor": "israel", "event": "airstrike"})
    ensemble = tables(events=events, runs=4)
    assert passes(check(rise, ensemble)) == [0]
    steep = target(kind="event_rise", before=["2022-01", "2022-12"],
                   after=["2023-10", "2023-11"], margin=6.5,
                   match={"actor": "israel", "event": "airstrike"})
    assert passes(check(steep, ensemble)) == []  # 7 is not above 1 + 6.5


def test_event_rise_needs_the_after_window_later():
    with pytest.raises(UserInputError, match="after"):
        target(kind="event_rise", before=["2022-01", "2022-12"], after=["2022-06", "2023-01"],
               match={"event": "airstrike"})


# --- event_each_year ----------------------------------------------------------------------------


def test_event_each_year_fails_a_run_with_a_quiet_year():
    strike = ("israel", "airstrike", "iran", "")
    events = [(0, f"{y}-06", *strike) for y in range(2018, 2025)]
    events += [(1, f"{y}-06", *strike) for y in range(2018, 2025) if y != 2021]
    events += [(2, f"{y}-06", "us", "airstrike", "isis", "") for y in range(2018, 2025)]
    yearly = target(
        kind="event_each_year", years=[2018, 2024], match={"actor": "israel", "event": "airstrike"}
    )
    twice = target(
        kind="event_each_year",
        years=[2018, 2024],
        min_per_year=2,
        match={"actor": "israel", "event": "airstrike"},
    )
    ensemble = tables(events=events)
    assert passes(check(yearly, ensemble)) == [0]
    assert passes(check(twice, ensemble)) == []


# --- evaluate and score -------------------------------------------------------------------------


def test_evaluate_on_the_historical_course_passes_most_targets(ensemble):
    table = evaluate(load_targets(), ensemble)
    assert tuple(table.columns) == EVALUATION_COLUMNS
    assert len(table) == len(load_targets())
    assert (table["n_runs"] == 16).all()
    assert table["share_pass"].between(0, 1).all()
    assert score(table, "train") > 0.9
    assert score(table, "test") > 0.7
    # the synthetic fall is drawn in late 2024 in about 80% of runs
    fell = ensemble.summary["regime_fell"].mean()
    row = table.set_index("id").loc["regime_collapse_2024"]
    assert row["share_pass"] == pytest.approx(fell)
    assert row["set"] == "test" and "§3" in row["source"]


def test_evaluate_fails_an_ensemble_that_misses_the_record(ensemble):
    wrong = ensemble.timeseries.copy()
    regime = (wrong["variable"] == "control") & (wrong["subject"] == "regime")
    wrong.loc[regime, "value"] = 0.9  # the regime never loses ground
    events = ensemble.events[ensemble.events["event"] != "veto"]
    broken = type(ensemble)(timeseries=wrong, events=events, summary=ensemble.summary)
    table = evaluate(load_targets(), broken).set_index("id")["share_pass"]
    assert table["regime_control_dec_2017"] == 0.0
    assert table["regime_control_2015_low"] == 0.0
    assert table["vetoes_by_end_2017"] == 0.0
    assert table["isis_control_dec_2017"] > 0.5  # untouched series still pass


def test_targets_outside_the_ensemble_do_not_apply():
    late = synthetic_ensemble(runs=4, start="2017-12", end="2024-10")
    targets = load_targets()
    table = evaluate(targets, late).set_index("id")
    assert np.isnan(table.loc["regime_control_2015_low", "share_pass"])
    assert table.loc["regime_control_2015_low", "n_runs"] == 0
    assert np.isnan(table.loc["regime_collapse_2024", "share_pass"])  # ends before the window
    assert table.loc["russia_drawdown_2022", "n_runs"] == 4
    assert np.isnan(score(table.reset_index(), "train"))
    assert not np.isnan(score(table.reset_index(), "test"))
    by_id = {t.id: t for t in targets}
    assert not applies(by_id["iran_intervenes_before_russia"], late)
    assert applies(by_id["front_lines_freeze"], late)


def test_outcomes_give_one_column_per_target_and_na_where_not_applicable():
    late = synthetic_ensemble(runs=3, start="2017-12", end="2024-10")
    table = outcomes(load_targets(), late)
    assert list(table.index) == [0, 1, 2]
    assert table["regime_control_2015_low"].isna().all()
    assert table["russia_drawdown_2022"].notna().all()


def test_score_is_the_mean_share_over_a_set():
    table = pd.DataFrame(
        {
            "id": list("abcd"),
            "set": ["train", "train", "test", "test"],
            "share_pass": [1.0, 0.5, np.nan, 0.2],
        }
    )
    assert score(table, "train") == pytest.approx(0.75)
    assert score(table, "test") == pytest.approx(0.2)
    with pytest.raises(ValueError, match="train"):
        score(table, "validation")


def test_runs_of_includes_runs_without_any_events():
    ensemble = tables(events=[(1, "2015-01", "russia", "veto", "us", "")], runs=3)
    assert list(runs_of(ensemble)) == [0, 1, 2]
