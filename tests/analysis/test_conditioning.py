"""Conditioning a posterior on structural targets (analysis/conditioning.py, run.py condition)."""

from __future__ import annotations

import pandas as pd
import pytest
from posterior_files import run_py, two_set_posterior

from analysis import conditioning
from analysis.posterior import read_posterior
from sim.errors import UserInputError

# a structural file whose targets are judged by June 2011, so runs of six months decide them
QUICK = """baseline = "full_2011_2025"

[[target]]
id = "always"
description = "met by every set: no fall by June 2011 in any run is at most every run"
variant = "cf_no_russian_intervention"
fallen_by = "2011-06"
variant_at_most = 1.0
evidence = "a test's target"

[[target]]
id = "never"
description = "met by no set: the regime does not fall in the war's first months"
variant = "cf_no_russian_intervention"
fallen_by = "2011-06"
variant_at_least = 0.5
evidence = "a test's target"

[[target]]
id = "late"
description = "judged after the train window"
variant = "cf_no_ukraine_war"
fallen_by = "2025-12"
difference_at_most = -0.3
evidence = "a test's target"
"""


def quick_file(folder):
    path = folder / "quick.toml"
    path.write_text(QUICK, encoding="utf-8")
    return path


def test_only_known_targets_of_the_train_window_are_chosen(tmp_path):
    path = quick_file(tmp_path)
    chosen = conditioning.choose(["never", "always"], range(3), path)
    assert chosen.ids == ["never", "always"] and chosen.end == "2011-06"
    assert chosen.seeds == (0, 1, 2)
    with pytest.raises(UserInputError, match="one of the file's targets"):
        conditioning.choose(["nonesuch"], range(3), path)
    with pytest.raises(UserInputError, match="each target once"):
        conditioning.choose(["always", "always"], range(3), path)
    with pytest.raises(UserInputError, match="would fit the test window") as refused:
        conditioning.choose(["late"], range(3), path)
    assert "quick.toml" in str(refused.value) and "late" in str(refused.value)
    # the shipped file: the two targets of Russia's rescue are judged by 2017
    shipped = conditioning.choose(
        ["no_russia_regime_falls_by_2017", "russia_entry_saves_the_regime"], range(2))
    assert shipped.end == "2017-12"
    # the key names the conditions: other seeds or targets, another store
    assert chosen.key("abc") != conditioning.choose(["never", "always"], range(4), path).key("abc")
    assert chosen.key("abc") != chosen.key("abd")


def rows(*passes: bool) -> list[dict]:
    return [{"target": t, "baseline_share": 0.0, "variant_share": 0.6 if ok else 0.1,
             "difference": 0.6 if ok else 0.1, "passes": ok} for t, ok in zip("xy", passes,
                                                                              strict=True)]


def test_the_sets_meeting_every_target_keep_their_weights_renormalised():
    table = pd.DataFrame({"p.a": [1.0, 2.0, 3.0, 4.0], "weight": [0.1, 0.2, 0.3, 0.4]})
    measured = {0: rows(True, True), 1: rows(True, False), 2: rows(True, True),
                3: rows(True, True)[:1]}  # set 3 lacks a target's measurement: not kept
    kept, long, share = conditioning.conditioned(table, measured, ["x", "y"])
    assert list(kept["p.a"]) == [1.0, 3.0]
    assert kept["weight"].tolist() == pytest.approx([0.25, 0.75])
    assert share == pytest.approx(0.4)  # the parent's weight of the sets kept
    assert kept["given:x"].tolist() == [0.6, 0.6] and len(long) == 7
    with pytest.raises(UserInputError, match="no set of the posterior meets them"):
        conditioning.conditioned(table, {i: rows(False, True) for i in range(4)}, ["x", "y"])


def test_an_interrupted_conditioning_goes_on_where_it_stopped(tmp_path):
    store = conditioning.Store(tmp_path / "store.csv")
    store.add(0, rows(True, True))
    store.add(2, rows(False, True))
    with open(store.path, "a", encoding="utf-8") as handle:
        handle.write("1,x,0.0,0.6")  # a line cut short by a kill: set 1 runs again
    done = store.done()
    assert sorted(done) == [0, 2] and done[2][0]["passes"] is False
    assert done[0][1]["variant_share"] == 0.6
    store.add(1, rows(True, True))  # set 1 run again: its rows on a line of their own
    assert sorted(store.done()) == [0, 1, 2] and store.done()[1] == rows(True, True)
    path = quick_file(tmp_path)
    conditions = conditioning.choose(["always"], range(1), path)
    table = pd.DataFrame({"p.a": [1.0, 2.0, 3.0], "weight": [1.0, 1.0, 1.0]})
    asked = []

    def fake_map(function, items):
        items = list(items)
        asked.extend(items)
        return [[{"target": "always", "baseline_share": 0.0, "variant_share": 0.0,
                  "difference": 0.0, "passes": True}] for _ in items]

    store = conditioning.Store(tmp_path / "other.csv")
    store.add(1, [{"target": "always", "baseline_share": 0.0, "variant_share": 0.0,
                   "difference": 0.0, "passes": True}])
    ticks = []
    measured = conditioning.measure_all(table, ["p.a"], conditions, store, fake_map,
                                        on_sets=ticks.append)
    assert asked == [{"p.a": 1.0}, {"p.a": 3.0}]  # set 1 was read back, not run
    assert sorted(measured) == [0, 1, 2] and ticks == [1, 1, 1]  # read back, then each run
    assert sorted(conditioning.Store(store.path).done()) == [0, 1, 2]


def test_condition_end_to_end_on_the_real_model(tmp_path):
    """Each set runs the baseline and the variant on the same seeds to the targets' month;
    the kept sets make a posterior compare and validate read; a folder of the user's is never
    written into, and a condition no set meets writes nothing."""
    two_set_posterior(tmp_path, extra={"choice.morale_foresight": (0.0, 1.0)})
    quick_file(tmp_path)
    common = ["--posterior", "p.parquet", "--structural", "quick.toml", "--runs", "2"]
    done = run_py("condition", "always", *common, "--out", "given", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    # the summary is of the parameters the file was fit on, declared here or not
    summarised = pd.read_csv(tmp_path / "given" / "posterior_summary.csv")
    assert set(summarised["parameter"]) == set(read_posterior(tmp_path / "p.parquet")[1]["priors"])
    assert "choice.morale_foresight" in done.stdout
    kept, metadata = read_posterior(tmp_path / "given" / "posterior.parquet")
    assert len(kept) == 2 and kept["weight"].sum() == pytest.approx(1.0)
    assert metadata["conditioned_on"] == ["always"] and "priors" in metadata
    assert metadata["conditioning"]["kept"] == 2 and metadata["conditioning"]["runs_to"] == \
        "2011-06"
    measured = pd.read_csv(tmp_path / "given" / "conditioning.csv")
    assert len(measured) == 2 and measured["passes"].all()
    assert (measured["variant_share"] == 0.0).all()  # no fall in the first six months
    # the conditioned posterior is one compare --posterior reads
    answered = run_py("compare", "cooperation_2011_2017", "cooperation_2011_2017", "--runs",
                      "2", "--sets", "2", "--set", "end=2011-09", "--by", "2011-06",
                      "--posterior", "given/posterior.parquet", "--out", "cmp", cwd=tmp_path)
    assert answered.returncode == 0, answered.stderr
    table = pd.read_csv(tmp_path / "cmp" / "comparison_posterior.csv")
    assert "fallen by 2011-06" in set(table["quantity"])
    assert "is conditioned on always" in answered.stdout  # said, so no one cites it as evidence
    # nothing passes: one clear refusal, nothing written
    none = run_py("condition", "never", *common, "--out", "none", cwd=tmp_path)
    assert none.returncode == 2 and "no set of the posterior meets them" in none.stderr
    assert "Traceback" not in none.stderr and not (tmp_path / "none").exists()
    # a folder holding the user's files is refused before any run
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("mine", encoding="utf-8")
    refused = run_py("condition", "always", *common, "--out", "mine", cwd=tmp_path)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert (tmp_path / "mine" / "notes.txt").read_text(encoding="utf-8") == "mine"
    late = run_py("condition", "late", *common, cwd=tmp_path)
    assert late.returncode == 2 and "test window" in late.stderr
    bad_month = run_py("compare", "cooperation_2011_2017", "cooperation_2011_2017", "--runs",
                       "2", "--posterior", "p.parquet", "--by", "2011-13", "--out", "b",
                       cwd=tmp_path)
    assert bad_month.returncode == 2 and "--by" in bad_month.stderr


def test_the_shipped_conditioned_posterior_is_of_the_shipped_posterior():
    """params/posterior_conditioned.parquet keeps the sets of params/posterior.parquet that
    meet Russia's rescue: remaking the posterior without conditioning it again fails here."""
    from analysis.posterior import POSTERIOR, file_digest

    kept, metadata = read_posterior(POSTERIOR.with_name("posterior_conditioned.parquet"))
    parent, _ = read_posterior(POSTERIOR)
    assert metadata["conditioning"]["parent_sha256"] == file_digest(POSTERIOR)
    assert metadata["conditioned_on"] == ["no_russia_regime_falls_by_2017",
                                          "russia_entry_saves_the_regime"]
    assert metadata["conditioning"]["runs_to"] <= conditioning.TRAIN_END
    paths = sorted(metadata["priors"])
    # every kept set is one of the parent's, and showed the fall without Russia in most runs
    merged = kept.merge(parent, on=paths, suffixes=("", "_parent"))
    assert len(merged) == len(kept) == metadata["conditioning"]["kept"]
    assert (kept["given:no_russia_regime_falls_by_2017"] >= 0.5).all()
    ratio = merged["weight"] / merged["weight_parent"]
    assert ratio.to_numpy() == pytest.approx(ratio.iloc[0])  # the parent's weights, rescaled
