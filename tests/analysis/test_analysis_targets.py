"""The targets file and its loader: the shipped file is valid and faithful to the record, and
every kind of bad input ends in one UserInputError naming the file, the key and the expectation."""

from __future__ import annotations

import copy
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from analysis.figures import load_vetoes
from analysis.targets import DEFAULT_TARGETS, KINDS, EventCount, load_targets, parse_targets
from sim.errors import UserInputError

BAND = {
    "id": "regime_dec_2017",
    "set": "train",
    "kind": "band",
    "description": "regime share, Dec 2017",
    "source": "record §2a [B]",
    "variable": "control",
    "subject": "regime",
    "window": ["2017-10", "2017-12"],
    "lo": 0.43,
    "hi": 0.63,
}
EVENT_WINDOW = {
    "id": "russia_enters",
    "set": "train",
    "kind": "event_window",
    "description": "Russia enters",
    "source": "record §1 row 16 [B]",
    "window": ["2015-06", "2016-03"],
    "match": {"actor": "russia", "event": "military_intervention"},
}
CHANGE = {
    "id": "drawdown",
    "set": "test",
    "kind": "change",
    "description": "Russia draws down",
    "source": "record §3",
    "variable": "commitment",
    "subject": "russia",
    "before": ["2021-01", "2021-12"],
    "after": ["2022-03", "2023-12"],
    "direction": "down",
}


def parse(*entries: dict) -> list:
    return parse_targets({"target": [copy.deepcopy(e) for e in entries]}, "targets.toml")


def error(*entries: dict, data: dict | None = None) -> UserInputError:
    with pytest.raises(UserInputError) as caught:
        if data is not None:
            parse_targets(data, "targets.toml")
        else:
            parse(*entries)
    assert caught.value.source == "targets.toml"
    return caught.value


# --- the shipped file ---------------------------------------------------------------------------


def test_shipped_targets_load_with_both_sets_and_every_kind():
    targets = load_targets()
    sets = Counter(t.set for t in targets)
    assert sets["train"] >= 15 and sets["test"] >= 12
    assert {t.kind for t in targets} == set(KINDS)
    assert len({t.id for t in targets}) == len(targets)
    assert all(t.source.strip() and t.description.strip() for t in targets)


def test_train_targets_are_about_2011_2017_and_test_targets_after():
    for target in load_targets():
        _, end = target.period()
        if target.set == "train":
            assert end <= "2017-12", target.id
        else:  # a test target may look back at a train-period level, but it judges 2018-2025
            assert end >= "2018-01", target.id


def test_veto_targets_use_the_dataset_not_the_papers_twelve():
    vetoes = load_vetoes()
    by = {t.id: t for t in load_targets() if isinstance(t, EventCount) and t.match.event == "veto"}
    for target in by.values():
        # the dataset's vetoes inside the target's window (both ends: no_veto_2013 starts in
        # 2013; the others start in 2011-03, before the first veto)
        month = vetoes["date"].str.slice(0, 7)
        count = int(((month >= target.window[0]) & (month <= target.window[1])).sum())
        assert target.lo <= count <= target.hi, target.id
    assert int((vetoes["date"] <= "2017-06-30").sum()) == 8
    assert len(vetoes) == 11
    assert by["vetoes_by_mid_2017"].window[1] == "2017-06"


def test_the_regime_collapse_test_window_brackets_december_2024():
    target = next(t for t in load_targets() if t.id == "regime_collapse_2024")
    assert target.set == "test"
    assert target.window[0] <= "2024-12" <= target.window[1]


# --- valid input ----------------------------------------------------------------------------------


def test_a_valid_file_parses_into_typed_targets(tmp_path: Path):
    path = tmp_path / "t.toml"
    path.write_text(
        '[[target]]\nid = "a"\nset = "train"\nkind = "event_count"\ndescription = "d"\n'
        'source = "s"\nwindow = ["2011-03", "2017-06"]\n'
        'match = { actor = "russia", event = "veto" }\nlo = 6\nhi = 10\n',
        encoding="utf-8",
    )
    (target,) = load_targets(path)
    assert isinstance(target, EventCount)
    assert (target.lo, target.hi, target.match.actor) == (6, 10, "russia")
    assert target.period() == ("2011-03", "2017-06")


def test_defaults_are_filled_in():
    band, change = parse(BAND, CHANGE)
    assert band.stat == "mean"
    assert change.margin == 0.0


def test_the_default_path_is_the_shipped_file():
    assert DEFAULT_TARGETS.name == "targets.toml" and DEFAULT_TARGETS.is_file()


# --- bad input ------------------------------------------------------------------------------------


def test_missing_file(tmp_path: Path):
    with pytest.raises(UserInputError, match="cannot read"):
        load_targets(tmp_path / "nope.toml")


def test_malformed_toml(tmp_path: Path):
    path = tmp_path / "bad.toml"
    path.write_text("[[target]\nid = ", encoding="utf-8")
    with pytest.raises(UserInputError, match="malformed TOML") as caught:
        load_targets(path)
    assert caught.value.source == str(path)


def test_no_targets():
    assert error(data={"target": []}).key == "target"
    assert error(data={}).key == "target"


def test_misspelt_top_level_key_gets_a_hint():
    err = error(data={"targets": [BAND]})
    assert err.key == "targets" and "did you mean 'target'" in err.expected


def test_unknown_key_in_a_target_gets_a_hint():
    err = error(BAND, {**CHANGE, "directon": "up"})
    assert err.key == "target[1].directon"
    assert "did you mean 'direction'" in err.expected and "'drawdown'" in err.expected


def test_unknown_key_in_an_event_match():
    err = error({**EVENT_WINDOW, "match": {"actr": "russia", "event": "veto"}})
    assert err.key == "target[0].match.actr" and "'actor'" in err.expected


def test_missing_required_field():
    entry = {k: v for k, v in BAND.items() if k != "source"}
    err = error(entry)
    assert err.key == "target[0].source" and "missing" in err.expected


def test_unknown_kind():
    err = error({**BAND, "kind": "bandwidth"})
    assert err.key == "target[0].kind" and "band, change" in err.expected


def test_unknown_set():
    err = error({**BAND, "set": "validation"})
    assert err.key == "target[0].set" and "'train'" in err.expected


@pytest.mark.parametrize(
    ("window", "key"),
    [
        (["2017-13", "2017-12"], "target[0].window[0]"),
        (["2017", "2017-12"], "target[0].window[0]"),
        (["2017-12", "2017-10"], "target[0].window"),
    ],
)
def test_bad_window(window, key):
    err = error({**BAND, "window": window})
    assert err.key == key


def test_band_with_lo_above_hi():
    err = error({**BAND, "lo": 0.7})
    assert err.key == "target[0].hi" and "lo" in err.expected


def test_wrong_type():
    err = error({**BAND, "lo": "low"})
    assert err.key == "target[0].lo" and "'low'" in err.expected


def test_unknown_variable_and_subject():
    assert error({**BAND, "variable": "territory"}).key == "target[0].variable"
    err = error({**BAND, "subject": "hezbollah"})
    assert err.key == "target[0].subject" and "regime, opposition" in err.expected
    assert error({**CHANGE, "subject": "iran-russia"}).key == "target[0].subject"


def test_unknown_event_and_actor():
    assert error({**EVENT_WINDOW, "match": {"event": "invasion"}}).key == "target[0].match.event"
    err = error({**EVENT_WINDOW, "match": {"event": "veto", "actor": ["russia", "china"]}})
    assert err.key == "target[0].match.actor" and "'china'" in err.expected


def test_change_windows_must_not_overlap_and_flat_needs_a_margin():
    assert error({**CHANGE, "after": ["2021-06", "2022-06"]}).key == "target[0].after"
    assert error({**CHANGE, "direction": "flat"}).key == "target[0].margin"
    assert error({**CHANGE, "direction": "sideways"}).key == "target[0].direction"


def test_event_count_bounds():
    entry = {**EVENT_WINDOW, "kind": "event_count", "lo": -1, "hi": 3}
    assert error(entry).key == "target[0].lo"
    assert error({**entry, "lo": 4}).key == "target[0].hi"


def test_extremum_window_must_lie_inside_the_search():
    entry = {**BAND, "kind": "extremum_date", "stat": "min", "search": ["2016-01", "2017-12"]}
    del entry["lo"], entry["hi"]
    entry["window"] = ["2015-01", "2016-06"]
    assert error(entry).key == "target[0].window"


def test_search_from_after_the_window_start():
    err = error({**EVENT_WINDOW, "search_from": "2016-01"})
    assert err.key == "target[0].search_from"


def test_event_each_year_bad_years():
    entry = {**EVENT_WINDOW, "kind": "event_each_year", "years": [2024, 2018]}
    del entry["window"]
    assert error(entry).key == "target[0].years"


def test_duplicate_ids():
    err = error(BAND, {**CHANGE, "id": BAND["id"]})
    assert err.key == "target[1].id" and "target[0]" in err.expected


def test_bad_id():
    assert error({**BAND, "id": "Regime Dec 2017"}).key == "target[0].id"


def test_the_message_names_file_key_and_expectation():
    err = error(BAND, {**BAND, "id": "other", "subject": "kurds"})
    text = str(err)
    assert text.startswith("targets.toml: target[1].subject: ")
    assert "'kurds'" in text and "'other'" in text


def test_control_record_copy_has_sources_for_every_row():
    from analysis.figures import load_control_record

    record = load_control_record()
    assert set(record.columns) >= {"date", "subject", "share", "bound", "grade", "source"}
    assert record["source"].str.contains("http").all()
    assert record["share"].between(0, 1).all()
    assert set(record["grade"]) <= {"A", "B", "C"}
    dec = record[(record["date"] == "2017-12")].set_index("subject")["share"]
    assert dec["regime"] == pytest.approx(0.534)
    assert dec.sum() == pytest.approx(1.0, abs=0.01)
    assert pd.Series(record["date"]).str.match(r"^\d{4}-\d{2}$").all()
