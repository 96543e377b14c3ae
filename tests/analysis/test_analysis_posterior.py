"""The posterior calibration on a small synthetic model whose true parameters are known."""

from __future__ import annotations

import multiprocessing
import subprocess
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd
import pytest
from posterior_files import run_py, two_set_posterior

from analysis.calibrate import FreeParameter
from analysis.posterior import Settings, infer, read_posterior, summary, write_posterior
from sim.errors import UserInputError

TRUTH = {"toy.a": 0.3, "toy.b": 0.7}
FREE = [FreeParameter(path="toy.a", low=0.0, high=1.0, why="a known value to recover"),
        FreeParameter(path="toy.b", low=0.0, high=1.0, why="a known value to recover"),
        FreeParameter(path="toy.c", low=0.0, high=1.0, why="a value the data do not see")]
SETTINGS = Settings(scenario="toy", runs=1, seed=5, population=60, generations=4)


def toy_distance(values: dict[str, float]) -> float:
    """A noisy distance to the truth (noise from numpy's global RNG, as a model's would be);
    `toy.c` does not enter it, so the data cannot identify it."""
    miss = abs(values["toy.a"] - TRUTH["toy.a"]) + abs(values["toy.b"] - TRUTH["toy.b"])
    return miss + abs(np.random.normal(0.0, 0.02))


@pytest.fixture(scope="module")
def posterior(tmp_path_factory) -> pd.DataFrame:
    db = tmp_path_factory.mktemp("abc") / "toy.db"
    return infer(FREE, toy_distance, SETTINGS, db)


def test_the_posterior_covers_the_true_values_and_leaves_the_blind_one_open(posterior):
    assert len(posterior) == SETTINGS.population
    assert posterior["weight"].gt(0).all() and posterior["distance"].ge(0).all()
    table = summary(posterior, FREE).set_index("parameter")
    for path, true in TRUTH.items():
        assert table.loc[path, "q05"] <= true <= table.loc[path, "q95"], table.loc[path]
        assert table.loc[path, "identified"]
    assert not table.loc["toy.c", "identified"]  # its spread stays near the prior's
    from analysis.posterior import effective_sample_size

    assert SETTINGS.population / 4 < effective_sample_size(posterior) <= SETTINGS.population
    assert effective_sample_size(pd.DataFrame({"weight": [1.0, 0.0, 0.0]})) == 1.0


def test_the_same_settings_give_the_same_posterior(posterior, tmp_path):
    again = infer(FREE, toy_distance, SETTINGS, tmp_path / "again.db")
    pd.testing.assert_frame_equal(again, posterior)
    other = infer(FREE, toy_distance, Settings(**{**SETTINGS.__dict__, "seed": 6}),
                  tmp_path / "other.db")
    assert not other.equals(posterior)
    # another seed's posterior means lie within the first's spread
    first, second = summary(posterior, FREE), summary(other, FREE)
    assert (abs(first["mean"] - second["mean"]) <= 2 * first["sd"]).all()


def test_an_interrupted_inference_resumes_to_the_same_posterior(posterior, tmp_path):
    db = tmp_path / "broken.db"
    infer(FREE, toy_distance, Settings(**{**SETTINGS.__dict__, "generations": 2}), db)
    seen = []
    resumed = infer(FREE, toy_distance, SETTINGS, db, on_generation=lambda t, *_: seen.append(t))
    assert seen == [2, 3]  # only the missing generations ran
    pd.testing.assert_frame_equal(resumed, posterior)
    with pytest.raises(UserInputError, match="population"):  # one store, one inference
        infer(FREE, toy_distance, Settings(**{**SETTINGS.__dict__, "population": 30}), db)


def test_workers_do_not_change_the_posterior(posterior, tmp_path):
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("forkserver")) as pool:
        parallel = infer(FREE, toy_distance, SETTINGS, tmp_path / "pool.db", map_=pool.map)
    pd.testing.assert_frame_equal(parallel, posterior)


def test_the_defensive_proposal_bounds_the_weights_in_many_dimensions():
    """Over 12 parameters, pyabc's Gaussian kernel alone leaves a few particles with the whole
    weight; the mixture with the prior keeps each proposal density above `prior_share` of the
    prior's, so no weight (prior / proposal) exceeds 1 / `prior_share` of the prior's."""
    from analysis.posterior import _defensive

    free = [FreeParameter(path=f"toy.p{i}", low=0.0, high=2.0, why="a dimension of the test")
            for i in range(12)]
    rng = np.random.default_rng(0)
    cluster = pd.DataFrame(0.5 + 0.01 * rng.standard_normal((40, 12)),
                           columns=[f.path for f in free])
    proposal = _defensive(free, 0.25)
    proposal.fit(cluster, np.full(40, 1 / 40))
    prior = 0.5**12
    far = pd.Series({f.path: 1.9 for f in free})
    assert proposal.pdf(far) == pytest.approx(0.25 * prior)  # the kernel is nil out there
    assert proposal.pdf(cluster.iloc[0]) > 1e3 * prior  # and dominates near its particles
    assert proposal.pdf(pd.Series({f.path: 2.5 for f in free})) == 0.0  # outside the prior
    np.random.seed(1)
    draws = pd.DataFrame([dict(proposal.rvs_single()) for _ in range(400)])
    from_prior = (draws.sub(0.5).abs() > 0.1).any(axis=1).mean()
    assert 0.18 < from_prior < 0.32  # a quarter of the candidates come from the prior


def test_the_shipped_point_is_the_shortlisted_set_best_over_every_seed():
    from analysis.posterior import point_summary, shortlist

    table = pd.DataFrame({"toy.a": [0.1, 0.2, 0.3, 0.4], "toy.b": [1.0, 2.0, 3.0, 4.0],
                          "weight": [0.4, 0.3, 0.2, 0.1],
                          "distance": [0.30, 0.35, 0.40, 0.20]})
    fresh = np.array([0.55, 0.70, 0.62, 0.40])
    # over search and fresh seeds: the second (0.675), the first (0.625), the third (0.61);
    # the fourth, best on the search seeds alone (0.80), is fourth (0.60) and left out
    candidates = shortlist(table, fresh, k=3)
    assert list(candidates) == [1, 0, 2]
    # the confirmation finds the second lucky and the first not: the first is the point
    point, score = point_summary(table, fresh, ["toy.a", "toy.b"], candidates,
                                 np.array([0.50, 0.66, 0.60]), runs=16, confirm_runs=64)
    assert point == {"toy.a": 0.1, "toy.b": 1.0}
    assert score == pytest.approx((0.70 * 16 + 0.55 * 16 + 0.66 * 64) / 96)
    # without a confirmation that says otherwise, the best over both seed sets stays the point
    same, _ = point_summary(table, fresh, ["toy.a"], candidates, np.array([0.7, 0.6, 0.6]),
                            runs=16, confirm_runs=64)
    assert same == {"toy.a": 0.2}


def test_the_file_keeps_its_settings(posterior, tmp_path):
    path = write_posterior(posterior, {"settings": SETTINGS.__dict__}, tmp_path / "p.parquet")
    table, metadata = read_posterior(path)
    pd.testing.assert_frame_equal(table, posterior)
    assert metadata["settings"]["seed"] == 5 and not list(tmp_path.glob("*.tmp"))


def test_calibrate_posterior_end_to_end_on_the_real_model(tmp_path):
    """A tiny inference through the command line: the file, its metadata, the refusal to
    overwrite a stored inference, and --resume going on from the last generation."""
    from analysis.calibrate import load_free

    def calibrate(*extra: str) -> subprocess.CompletedProcess:
        return run_py("calibrate", "--posterior", "--population", "4", "--runs", "1",
                      "--confirm-runs", "2", *extra, cwd=tmp_path)

    done = calibrate("--generations", "1")
    assert done.returncode == 0, done.stderr
    report = tmp_path / "results" / "posterior" / "report_cooperation_2011_2017"
    table, metadata = read_posterior(report / "posterior.parquet")
    assert (report / "posterior_summary.csv").exists() and (report / "manifest.json").exists()
    assert len(table) == 4
    assert set(table.columns) == {f.path for f in load_free()} | {"weight", "distance",
                                                                   "train_fresh"}
    assert metadata["search_seeds"] == [0] and metadata["fresh_seeds"] == [100000]
    # the point's shortlist, run again on the confirmation seeds
    assert metadata["confirm_seeds"] == [200000, 200001]
    assert len(metadata["point_candidates"]) == 4  # the whole population, fewer than 10
    assert metadata["targets_used"] and "train score" in done.stdout
    assert table["train_fresh"].between(0, 1).all() and "point summary" in done.stdout
    refused = calibrate("--generations", "1")
    assert refused.returncode == 2 and "--resume" in refused.stderr
    resumed = calibrate("--generations", "2", "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert "generation 1:" in resumed.stdout and "generation 0:" not in resumed.stdout


def test_sets_are_drawn_by_weight_and_reproducibly():
    from analysis.posterior import draw_sets, overrides

    table = pd.DataFrame({"toy.a": [0.1, 0.2, 0.3], "weight": [0.0, 0.25, 0.75]})
    drawn = draw_sets(table, 8, seed=3)
    assert drawn["toy.a"].value_counts().to_dict() == {0.3: 6, 0.2: 2}  # never weight 0
    assert drawn.equals(draw_sets(table, 8, seed=3))
    assert overrides(drawn.iloc[0], ["toy.a"]) == [f"toy.a={float(drawn['toy.a'][0])!r}"]


def test_variance_splits_into_parameters_and_seeds():
    from analysis.posterior import split_variance

    # two sets whose effects differ (-0.5 and +0.1 on average), with seed noise inside each
    values = np.array([[-1.0, 0.0, -1.0, 0.0], [0.0, 0.0, 0.0, 0.4]])
    split = split_variance(values)
    assert split["mean"] == pytest.approx(-0.2)
    assert split["var_parameters"] == pytest.approx(0.09)  # means -0.5 and +0.1
    assert split["var_seeds"] == pytest.approx((0.25 + 0.03) / 2)
    assert split["sets_negative"] == 0.5 and split["sets_positive"] == 0.5
    assert split["share_parameters"] == pytest.approx(0.09 / (0.09 + 0.14))
    same = split_variance(np.array([[1.0, 0.0], [1.0, 0.0]]))
    assert same["var_parameters"] == 0.0 and same["share_parameters"] == 0.0


def test_drivers_rank_the_parameters_an_answer_follows():
    """An effect that rises with one parameter across the sets and ignores another ranks the
    first on top with a rank correlation of one; a constant effect has no ranking."""
    from analysis.posterior import drivers

    sets = pd.DataFrame({"a.x": [0.1, 0.5, 0.3, 0.9, 0.7], "b.y": [3.0, 1.0, 4.0, 1.0, 5.0]})
    effect = np.array([0.0, 0.2, 0.1, 0.6, 0.3])  # in the order of a.x
    table = drivers(effect, sets, ["b.y", "a.x"])
    assert list(table["parameter"]) == ["a.x", "b.y"]
    assert table.loc[0, "spearman"] == pytest.approx(1.0)
    assert table.loc[0, "p_value"] < 0.05 < table.loc[1, "p_value"]
    flat = drivers(np.zeros(5), sets, ["a.x", "b.y"])
    assert flat["spearman"].isna().all()


def test_compare_answers_across_a_posterior(tmp_path):
    """compare --posterior: every drawn set runs both scenarios on the same seeds; the table
    has each arm's mean and the variance split, and a missing file is one clear refusal."""
    two_set_posterior(tmp_path)
    command = ["compare", "cooperation_2011_2017", "cooperation_2011_2017", "--runs", "2",
               "--sets", "2", "--out", "out"]
    done = run_py(*command, "--posterior", "p.parquet", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    result = pd.read_csv(tmp_path / "out" / "comparison_posterior.csv")
    same = result[result["arm"] == "b - a"]
    assert (same["mean"] == 0).all() and (same["sets"] == 2).all() and (same["seeds"] == 2).all()
    assert (tmp_path / "out" / "comparison_posterior.png").stat().st_size > 0
    missing = run_py(*command, "--posterior", "none.parquet", cwd=tmp_path)
    assert missing.returncode == 2 and "none.parquet" in missing.stderr
    # several counterfactuals against one baseline: each B its rows, A run once a set
    several = run_py("compare", "cooperation_2011_2017", "cooperation_2011_2017",
                     "cf_no_russian_intervention", "--runs", "2", "--sets", "2", "--out", "two",
                     "--posterior", "p.parquet", "--set", "end=2016-06", cwd=tmp_path)
    assert several.returncode == 0, several.stderr
    table = pd.read_csv(tmp_path / "two" / "comparison_posterior.csv")
    assert set(table["b"]) == {"cooperation_2011_2017", "cf_no_russian_intervention"}
    same = table[(table["b"] == "cooperation_2011_2017") & (table["arm"] == "b - a")]
    assert (same["mean"] == 0).all()
    per_set = pd.read_csv(tmp_path / "two" / "comparison_posterior_sets.csv")
    effect = per_set[(per_set["b"] == "cf_no_russian_intervention") & (per_set["arm"] == "b - a")]
    assert len(effect) == 2 * 2  # two sets, two dates
    mean = table[(table["b"] == "cf_no_russian_intervention") & (table["arm"] == "b - a")]
    assert np.allclose(effect.groupby("quantity")["value"].mean().sort_index(),
                       mean.set_index("quantity")["mean"].sort_index())
    hangs_on = pd.read_csv(tmp_path / "two" / "comparison_posterior_drivers.csv")
    from analysis.calibrate import load_free

    # every free parameter and the sets' train distance, for each B and date
    assert len(hangs_on) == 2 * 2 * (len(load_free()) + 1)
    assert set(hangs_on["parameter"]) == {f.path for f in load_free()} | {"distance"}
    assert "what each effect hangs on" in several.stdout
    one_only = run_py("compare", "cooperation_2011_2017", "cooperation_2011_2017",
                      "cf_no_russian_intervention", "--runs", "2", cwd=tmp_path)
    assert one_only.returncode == 2 and "several only with --posterior" in one_only.stderr
    twice = run_py("compare", "cooperation_2011_2017", "cf_no_russian_intervention",
                   "cf_no_russian_intervention", "--runs", "2", "--sets", "2", "--out", "twice",
                   "--posterior", "p.parquet", cwd=tmp_path)
    assert twice.returncode == 2 and "named more than once" in twice.stderr
    assert "Traceback" not in twice.stderr and not (tmp_path / "twice").exists()


def test_validate_scores_across_a_posterior(tmp_path):
    two_set_posterior(tmp_path)
    done = run_py("validate", "cooperation_2011_2017", "--runs", "2", "--sets", "2",
                  "--posterior", "p.parquet", "--out", "v.csv", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    scores = pd.read_csv(tmp_path / "v.csv").set_index("set")
    assert list(scores.index) == ["train"]  # the scenario ends in 2017: no test targets
    assert 0 <= scores.loc["train", "mean"] <= 1 and scores.loc["train", "sets"] == 2
    assert 0 <= scores.loc["train", "share_parameters"] <= 1
    assert (tmp_path / "v.png").stat().st_size > 0 and (tmp_path / "v.svg").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary left
    # a figure of that name beside no table of ours is the user's: refused before any run
    (tmp_path / "mine.png").write_bytes(b"the user's picture")
    refused = run_py("validate", "cooperation_2011_2017", "--runs", "2", "--sets", "2",
                     "--posterior", "p.parquet", "--out", "mine.csv", cwd=tmp_path)
    assert refused.returncode == 2 and "mine.png" in refused.stderr
    assert (tmp_path / "mine.png").read_bytes() == b"the user's picture"
    assert not (tmp_path / "mine.csv").exists()


STRUCTURAL = """baseline = "full_2011_2025"

[[target]]
id = "same"
description = "the baseline against itself: no difference in any set"
variant = "full_2011_2025"
fallen_by = "2011-09"
difference_at_most = 0.0
evidence = "a test's target"

[[target]]
id = "no_russia"
description = "needs a fall by September 2011 without Russia, which no set gives"
variant = "cf_no_russian_intervention"
fallen_by = "2011-09"
variant_at_least = 0.5
evidence = "a test's target"
"""


def test_validate_runs_structural_targets_across_a_posterior(tmp_path):
    """Every set runs each variant on the same seeds; each target's row averages the sets'
    own comparisons and says in how many sets it is met."""
    two_set_posterior(tmp_path)
    (tmp_path / "s.toml").write_text(STRUCTURAL, encoding="utf-8")
    done = run_py("validate", "full_2011_2025", "--runs", "2", "--sets", "2", "--posterior",
                  "p.parquet", "--structural", "s.toml", "--set", "end=2011-09", "--out",
                  "v.csv", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    table = pd.read_csv(tmp_path / "structural_full_2011_2025_posterior.csv").set_index("id")
    assert list(table.index) == ["same", "no_russia"]
    assert table.loc["same", "difference"] == 0 and table.loc["same", "passes"]
    assert table.loc["same", "sets_pass"] == 1.0 and table.loc["same", "sets"] == 2
    assert table.loc["no_russia", "variant_share"] == 0 and not table.loc["no_russia", "passes"]
    assert table.loc["no_russia", "sets_pass"] == 0.0 and table.loc["no_russia", "n_pairs"] == 2
    assert "1 of 2 pass" in done.stdout
    # a table of that name that is not ours is refused before any run
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "structural_full_2011_2025_posterior.csv").write_text("my,own\n")
    refused = run_py("validate", "full_2011_2025", "--runs", "2", "--sets", "2",
                     "--posterior", "p.parquet", "--structural", "s.toml", "--out",
                     "mine/v.csv", cwd=tmp_path)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert (tmp_path / "mine" / "structural_full_2011_2025_posterior.csv").read_text() == \
        "my,own\n"
    assert not (tmp_path / "mine" / "v.csv").exists()


def test_load_sets_draws_from_the_file_and_refuses_what_is_not_a_posterior(tmp_path):
    from analysis.posterior import draw_sets, file_digest, load_sets
    from sim.errors import UserInputError

    two_set_posterior(tmp_path)
    path = tmp_path / "p.parquet"
    sets, paths, identity = load_sets(path, 3, seed=4)
    table, _ = read_posterior(path)
    pd.testing.assert_frame_equal(sets, draw_sets(table, 3, seed=4))
    assert paths == sorted(c for c in table.columns if c not in ("weight", "distance"))
    assert identity == {"file": str(path), "sha256": file_digest(path), "sets": 3,
                        "draw_seed": 4, "parameters": paths, "conditioned_on": []}
    garbage = tmp_path / "g.parquet"
    garbage.write_bytes(b"PAR1 but not really")
    with pytest.raises(UserInputError, match="cannot read it as Parquet") as err:
        load_sets(garbage, 3, seed=4)
    assert err.value.source == str(garbage)
    with pytest.raises(UserInputError, match="expected a number >= 1, got 0"):
        load_sets(path, 0, seed=4)


@pytest.mark.parametrize(("name", "path", "read", "high"), [
    # decisions.md D30: the fit with the brokered deals' threshold free
    ("posterior_deals.parquet", "theatre.cede", lambda model: model.theatre.cede, 0.3),
    # decisions.md D31: the fit with the projection's foresight of the month's morale free
    ("posterior_foresight.parquet", "choice.morale_foresight",
     lambda model: model.theatre.morale_foresight, 1.0),
])
def test_a_shipped_posterior_beside_the_posterior_turns_its_mechanism_on(name, path, read,
                                                                         high):
    """A posterior shipped beside params/posterior.parquet, fit with one more mechanism's
    parameter free (off at the shipped point), is the posterior of the shipped code: each set
    drawn from it builds a model with the mechanism on at the set's value, from the same
    2011-2017 fit (its metadata says which)."""
    from pathlib import Path

    from analysis.posterior import load_sets
    from sim.model import SyriaModel

    file = Path(__file__).resolve().parents[2] / "params" / name
    sets, paths, _ = load_sets(file, 3, seed=0)  # as compare and validate read it
    _, metadata = read_posterior(file)
    assert metadata["settings"]["scenario"] == "cooperation_2011_2017"
    assert path in paths  # fit free, from its prior
    for _, row in sets.iterrows():
        values = {p: float(row[p]) for p in paths}
        model = SyriaModel("cooperation_2011_2017", rng=0, overrides=values)
        assert 0.0 < read(model) == values[path] < high
