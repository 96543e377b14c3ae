"""Posterior calibration: ABC-SMC over the free parameters, on the train targets only.

`calibrate.calibrate` returns one point. This module returns a weighted sample of every
parameter set the 2011-2017 record allows, by approximate Bayesian computation with sequential
Monte Carlo (pyabc; Toni et al. 2009, Klinger et al. 2018):
- **Priors**: uniform over each free parameter's declared bounds (`params/free_parameters.toml`).
- **Distance**: a candidate's distance is 1 − the train score of an ensemble of the calibration
  scenario. Every candidate runs on the same search seeds (common random numbers), so
  candidates differ by their parameters, not their luck. The structural and test targets never
  enter it.
- **Tolerances**: each generation accepts the candidates within a tolerance, the median
  distance of the one before (pyabc's default schedule).
- **Proposals**: a defensive mixture (Hesterberg 1995, "Weighted average importance sampling
  and defensive mixture distributions", Technometrics 37): a share `prior_share` of each
  generation's candidates comes from the prior, the rest from pyabc's kernel density of the
  last generation. A Gaussian kernel over 18 parameters alone makes the importance weights
  (prior / proposal) degenerate: measured on 1 December, 150 particles kept an effective
  sample of 12 after one generation and 4 after two. With the mixture no weight exceeds
  1 / `prior_share` times the prior's, so the posterior's spreads can be trusted.

ABC-SMC was chosen over history matching because it needs no emulator of a model whose outputs
jump (interventions and a fall are events). Its cost is many runs, which is the price the issue
accepts. Two choices keep a long inference honest:
- **Reproducible in parallel**: the seeds of each generation's particles are drawn in the
  parent, from the inference seed and the generation, so the same settings give the same
  posterior whatever the number of workers, and a resumed inference the same as an unbroken one.
- **Resumable**: pyabc stores every finished generation in its SQLite database; `resume` goes
  on from the last one, and loses only the generation in flight.
"""

from __future__ import annotations

import functools
import json
import logging
import random
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from analysis.calibrate import FreeParameter, Problem, loss
from sim.errors import UserInputError

POSTERIOR = Path(__file__).resolve().parent.parent / "params" / "posterior.parquet"
Distance = Callable[[dict[str, float]], float]


@dataclass(frozen=True)
class Settings:
    """What decides the posterior: the same settings give the same file."""

    scenario: str = "cooperation_2011_2017"
    runs: int = 8  # search seeds per candidate
    seed: int = 0  # the inference's seed; the search seeds are seed .. seed + runs - 1
    population: int = 100
    generations: int = 4
    workers: int = 1
    prior_share: float = 0.25  # of each generation's candidates drawn from the prior


def train_distance(values: dict[str, float], problem: Problem) -> float:
    """1 − the train score of the calibration ensemble under `values` (one free set)."""
    return loss(np.array([values[p] for p in problem.paths]), problem)


def _seeded_particle(pickled_simulate: bytes, seed: int):
    """One particle: simulate until accepted, with numpy's and Python's RNG seeded first."""
    import cloudpickle
    import pyabc

    # the caller's RNG states are put back after: run in the parent (map), a particle must
    # leave pyabc's own draws there as a worker process would
    saved = np.random.get_state(), random.getstate()
    np.random.seed(seed)
    random.seed(seed)
    simulate_one = cloudpickle.loads(pickled_simulate)
    sample = pyabc.Sample()
    evaluations = 0
    try:
        while True:
            particle = simulate_one()
            evaluations += 1
            sample.append(particle)
            if particle.accepted:
                return sample, evaluations
    finally:
        np.random.set_state(saved[0])
        random.setstate(saved[1])


def _sampler(map_: Callable):
    """pyabc's mapping sampler with each particle's seed drawn in the parent (pyabc's own
    reseeds every worker from the clock, which no seed can reproduce)."""
    import cloudpickle
    import pyabc

    class SeededMappingSampler(pyabc.sampler.MappingSampler):
        def sample_until_n_accepted(self, n, simulate_one, t, **_):
            seeds = np.random.randint(0, 2**31 - 1, size=n)  # from the parent's seeded RNG
            job = functools.partial(_seeded_particle, cloudpickle.dumps(simulate_one))
            results, candidates = [], 0
            # a generation takes minutes to hours: particles accepted and candidates run so
            # far, on a terminal (tqdm stays quiet when stderr is not one)
            with tqdm(total=n, desc=f"generation {t}", unit="particle", file=sys.stderr,
                      disable=None, leave=False) as bar:
                for result in self.map_(job, [int(s) for s in seeds]):
                    results.append(result)
                    candidates += result[1]
                    bar.update()
                    bar.set_postfix(candidates=candidates, refresh=False)
            self.nr_evaluations_ = candidates
            sample = self._create_empty_sample()
            for part, _ in results:
                sample += part
            return sample

    return SeededMappingSampler(map_=map_)


def _defensive(free: Sequence[FreeParameter], share: float):
    """pyabc's multivariate normal kernel in a mixture with the uniform prior (weight
    `share`): `pdf` is the mixture's density, so pyabc's weights prior / proposal stay
    bounded by 1 / `share`."""
    import pyabc
    from pyabc.transition import MultivariateNormalTransition

    low = {f.path: f.low for f in free}
    high = {f.path: f.high for f in free}
    density = float(np.prod([1.0 / (f.high - f.low) for f in free]))

    class DefensiveTransition(MultivariateNormalTransition):
        def rvs_single(self):
            # numpy's global RNG, as pyabc's own kernel: seeded per particle in the parent
            if np.random.random() < share:
                return pyabc.Parameter({c: np.random.uniform(low[c], high[c])
                                        for c in self.X.columns})
            return super().rvs_single()

        def pdf(self, x):
            kernel = super().pdf(x)
            columns = list(self.X.columns)
            if isinstance(x, pd.DataFrame):
                values = x[columns].to_numpy(dtype=float)
            else:
                values = np.array([x[c] for c in columns], dtype=float)
            lows = np.array([low[c] for c in columns])
            highs = np.array([high[c] for c in columns])
            inside = np.all((values >= lows) & (values <= highs), axis=-1)
            return share * density * inside + (1.0 - share) * kernel

    return DefensiveTransition()


def _model(distance: Distance):
    def simulate(parameter) -> dict[str, float]:
        return {"distance": float(distance(dict(parameter)))}

    return simulate


def infer(
    free: Sequence[FreeParameter],
    distance: Distance,
    settings: Settings,
    db: Path,
    *,
    map_: Callable = map,
    on_generation: Callable[[int, float, float], None] | None = None,
) -> pd.DataFrame:
    """Run (or go on with) the inference stored in `db`; the last generation's particles.

    The columns are the free parameters' paths, then `weight` and `distance`. `map_` runs the
    particles, e.g. a process pool's `map`. Each generation reseeds numpy from (seed,
    generation), so an inference broken off and resumed gives what an unbroken one gives.
    """
    import pyabc

    logging.getLogger("ABC").setLevel(logging.WARNING)  # progress comes from on_generation
    prior = pyabc.Distribution(**{
        f.path: pyabc.RV("uniform", f.low, f.high - f.low) for f in free})
    url = f"sqlite:///{db}"

    def generation_from_the_store():
        # a fresh ABCSMC loaded from the store for every generation: an unbroken inference
        # then does exactly what a resumed one does
        abc = pyabc.ABCSMC(_model(distance), prior, lambda x, _x0: x["distance"],
                           population_size=settings.population, sampler=_sampler(map_),
                           transitions=_defensive(free, settings.prior_share))
        if db.exists():
            return abc, abc.load(url, 1)
        db.parent.mkdir(parents=True, exist_ok=True)
        return abc, abc.new(url, {"distance": 0.0}, meta_info={"settings": asdict(settings)})

    _check_same_inference(db, settings)
    abc, history = generation_from_the_store()
    while history.max_t + 1 < settings.generations:
        t = history.max_t + 1
        np.random.seed([settings.seed, t])
        history = abc.run(max_nr_populations=1)
        if history.max_t < t:
            break  # pyabc stopped (no candidate within the tolerance)
        if on_generation is not None:
            epsilon = float(history.get_all_populations()["epsilon"].iloc[-1])
            on_generation(t, float(particles(history)["distance"].median()), epsilon)
        abc, history = generation_from_the_store()
    return particles(history)


# what may change when an inference is resumed: how long it goes on, and on how many workers
RESUMABLE = ("generations", "workers")


def _check_same_inference(db: Path, settings: Settings) -> None:
    """A store holds one inference: resuming it with other settings would mix two."""
    sidecar = db.with_name(db.name + ".settings.json")
    wanted = {k: v for k, v in asdict(settings).items() if k not in RESUMABLE}
    if db.exists() and sidecar.exists():
        stored = json.loads(sidecar.read_text(encoding="utf-8"))
        changed = sorted(k for k in wanted if stored.get(k) != wanted[k])
        if changed:
            raise UserInputError(db, changed[0], f"the stored inference has {changed[0]} = "
                                 f"{stored.get(changed[0])!r}, not {wanted[changed[0]]!r}: "
                                 "resume with its settings, or name another --db")
    elif not db.exists():
        db.parent.mkdir(parents=True, exist_ok=True)
        sidecar.write_text(json.dumps(wanted, indent=2) + "\n", encoding="utf-8")


def particles(history) -> pd.DataFrame:
    """The last generation: one row a parameter set, its weight and its train distance."""
    population = history.get_population(t=history.max_t).particles
    frame = pd.DataFrame([dict(p.parameter) for p in population])
    frame = frame[sorted(frame.columns)]
    frame["weight"] = [float(p.weight) for p in population]
    frame["distance"] = [float(p.distance) for p in population]
    return frame


def write_posterior(table: pd.DataFrame, metadata: dict, path: Path = POSTERIOR) -> Path:
    """The posterior as Parquet, its settings and seeds in the file's metadata; written to a
    temporary file first, so an interrupted write leaves the old file whole."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrow = pa.Table.from_pandas(table, preserve_index=False)
    arrow = arrow.replace_schema_metadata({**(arrow.schema.metadata or {}),
                                           b"posterior": json.dumps(metadata).encode()})
    tmp = path.with_suffix(".parquet.tmp")
    pq.write_table(arrow, tmp)
    tmp.replace(path)
    return path


def read_posterior(path: Path = POSTERIOR) -> tuple[pd.DataFrame, dict]:
    import pyarrow.parquet as pq

    arrow = pq.read_table(path)
    return arrow.to_pandas(), json.loads(arrow.schema.metadata[b"posterior"])


def effective_sample_size(table: pd.DataFrame) -> float:
    """Kish's effective sample size of the weighted particles: below about a quarter of the
    population, a few particles carry the posterior and its spreads are not to be trusted."""
    weights = table["weight"].to_numpy(dtype=float)
    return float(weights.sum() ** 2 / np.sum(weights**2))


def summary(table: pd.DataFrame, free: Sequence[FreeParameter]) -> pd.DataFrame:
    """Each parameter's posterior against its prior. `sd_ratio` near 1 means the train window
    leaves the parameter where the prior had it: unidentified (above 0.8, say)."""
    weights = table["weight"].to_numpy() / table["weight"].sum()
    rows = []
    for f in free:
        values = table[f.path].to_numpy()
        mean = float(np.sum(weights * values))
        sd = float(np.sqrt(np.sum(weights * (values - mean) ** 2)))
        order = np.argsort(values)
        cumulative = np.cumsum(weights[order])
        low, high = (float(values[order][np.searchsorted(cumulative, q)]) for q in (0.05, 0.95))
        prior_sd = (f.high - f.low) / np.sqrt(12.0)
        rows.append({"parameter": f.path, "prior_low": f.low, "prior_high": f.high,
                     "mean": mean, "sd": sd, "q05": low, "q95": high,
                     "sd_ratio": sd / prior_sd, "identified": sd / prior_sd <= 0.8})
    return pd.DataFrame(rows)


def train_scores(table: pd.DataFrame, problem: Problem, map_: Callable = map) -> np.ndarray:
    """Each parameter set's train score on `problem`'s seeds (run again: e.g. fresh seeds)."""
    rows = [{p: float(row[p]) for p in problem.paths} for _, row in table.iterrows()]
    distances = map_(functools.partial(train_distance, problem=problem), rows)
    return 1.0 - np.fromiter(distances, dtype=float, count=len(rows))


# The point's confirmation: the shortlist of the sets that score best on the search and
# fresh seeds is run again on more seeds (`calibrate --confirm-runs`, 64), because the best of
# 150 noisy scores is the luckiest as much as the best (measured on 2 December 2026,
# decisions.md D25: the best set of a 4-generation posterior, 0.679 on its 32 seeds, scored
# 0.649 on 64 others).
CONFIRM_SETS = 10
CONFIRM_OFFSET = 200_000  # the confirmation's seeds start here past the inference's seed


def shortlist(table: pd.DataFrame, fresh_scores: np.ndarray,
              k: int = CONFIRM_SETS) -> np.ndarray:
    """The positions of the `k` sets with the best train score over the search and fresh
    seeds together (the mean of the two), best first: the candidates for the point."""
    scores = ((1.0 - table["distance"].to_numpy(dtype=float))
              + np.asarray(fresh_scores, dtype=float)) / 2.0
    return np.argsort(-scores, kind="stable")[:k]


def point_summary(table: pd.DataFrame, fresh_scores: np.ndarray, paths: Sequence[str],
                  candidates: np.ndarray, confirm_scores: np.ndarray, runs: int,
                  confirm_runs: int) -> tuple[dict[str, float], float]:
    """The point `params/` ships as the posterior's summary: of the `candidates`
    (`shortlist`), the set with the best train score over all its seeds, the search and
    fresh seeds (`runs` each) and the confirmation's (`confirm_runs`, scores
    `confirm_scores` in the candidates' order), each score weighted by its seeds; and that
    score. A particle, not the posterior mean: a mean of sets the train window scores alike
    need not behave like any of them, and over parameters it leaves unidentified it is only
    the middle of the prior."""
    candidates = np.asarray(candidates, dtype=int)
    search = 1.0 - table["distance"].to_numpy(dtype=float)[candidates]
    fresh = np.asarray(fresh_scores, dtype=float)[candidates]
    scores = ((search + fresh) * runs + np.asarray(confirm_scores, dtype=float) * confirm_runs
              ) / (2 * runs + confirm_runs)
    best = int(candidates[int(np.argmax(scores))])
    return {p: float(table[p].iloc[best]) for p in paths}, float(np.max(scores))


def weighted_mean(values: np.ndarray, table: pd.DataFrame) -> float:
    weights = table["weight"].to_numpy()
    return float(np.sum(weights * values) / np.sum(weights))


def plot_posterior(table: pd.DataFrame, free: Sequence[FreeParameter], folder: Path) -> list[Path]:
    """Each parameter's posterior against its (uniform) prior, and the pairs' scatter."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    weights = table["weight"].to_numpy()
    columns = 4
    rows = -(-len(free) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(3.2 * columns, 2.4 * rows), squeeze=False)
    for ax, f in zip(axes.flat, free, strict=False):
        ax.hist(table[f.path], bins=15, range=(f.low, f.high), weights=weights, density=True,
                color="#3b6ea8", alpha=0.8, label="posterior")
        ax.axhline(1.0 / (f.high - f.low), color="#999999", linestyle="--", label="prior")
        ax.set_title(f.path, fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(free):]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=7)
    fig.tight_layout()
    marginals = folder / "posterior_vs_prior.png"
    fig.savefig(marginals, dpi=120)
    plt.close(fig)

    paths = [f.path for f in free]
    fig, axes = plt.subplots(len(paths), len(paths), figsize=(1.6 * len(paths),) * 2,
                             squeeze=False)
    for i, y in enumerate(paths):
        for j, x in enumerate(paths):
            ax = axes[i][j]
            ax.set_xticks([])
            ax.set_yticks([])
            if i == j:
                ax.hist(table[x], bins=12, weights=weights, color="#3b6ea8")
            else:
                ax.scatter(table[x], table[y], s=4, c=weights, cmap="Blues")
            if i == len(paths) - 1:
                ax.set_xlabel(x, fontsize=5, rotation=45, ha="right")
            if j == 0:
                ax.set_ylabel(y, fontsize=5, rotation=0, ha="right")
    fig.tight_layout()
    pairs = folder / "posterior_pairs.png"
    fig.savefig(pairs, dpi=110)
    plt.close(fig)
    return [marginals, pairs]


# --- answers across the posterior -----------------------------------------------------------


def draw_sets(table: pd.DataFrame, k: int, seed: int = 0) -> pd.DataFrame:
    """`k` parameter sets drawn by weight (systematic resampling: the same seed, the same
    sets), each then standing for 1/k of the posterior."""
    weights = table["weight"].to_numpy(dtype=float)
    cumulative = np.cumsum(weights / weights.sum())
    start = np.random.default_rng(seed).random() / k
    picks = np.searchsorted(cumulative, start + np.arange(k) / k)
    return table.iloc[np.minimum(picks, len(table) - 1)].reset_index(drop=True)


def overrides(row: pd.Series, paths: Sequence[str]) -> list[str]:
    """One parameter set as `--set` overrides."""
    return [f"{path}={float(row[path])!r}" for path in paths]


def split_variance(values: np.ndarray) -> dict[str, float]:
    """A quantity measured on K parameter sets x R common seeds (shape K, R): its mean, the
    interval across the sets' means (5-95%), and its variance split into what comes from the
    parameters (between the sets' means) and what from the seeds (within a set)."""
    values = np.asarray(values, dtype=float)
    per_set = values.mean(axis=1)
    between = float(per_set.var())
    within = float(values.var(axis=1).mean())
    total = between + within
    low, high = np.percentile(per_set, [5, 95])
    return {"mean": float(values.mean()), "set_q05": float(low), "set_q95": float(high),
            "var_parameters": between, "var_seeds": within,
            "share_parameters": between / total if total > 0 else float("nan"),
            "sets_positive": float(np.mean(per_set > 0)),
            "sets_negative": float(np.mean(per_set < 0)), "sets": len(per_set),
            "seeds": values.shape[1]}


def drivers(per_set: np.ndarray, sets: pd.DataFrame, paths: Sequence[str]) -> pd.DataFrame:
    """Which free parameters an answer measured across posterior sets hangs on: the Spearman
    rank correlation of each set's value (`per_set`, (K,): e.g. its mean effect over the
    common seeds) with each parameter's value in that set, strongest first, with scipy's
    two-sided p-value. With 20 sets only a correlation beyond about 0.45 is unlikely by chance
    (p < 0.05); a parameter the train window leaves unidentified and the answer follows is
    what a user should know before citing it."""
    from scipy.stats import spearmanr

    per_set = np.asarray(per_set, dtype=float)
    rows = []
    for path in paths:
        values = sets[path].to_numpy(dtype=float)
        if np.ptp(per_set) == 0.0 or np.ptp(values) == 0.0:
            rho, p_value = float("nan"), float("nan")  # a constant has no rank order
        else:
            rho, p_value = (float(x) for x in spearmanr(values, per_set))
        rows.append({"parameter": path, "spearman": rho, "p_value": p_value})
    table = pd.DataFrame(rows)
    order = table["spearman"].abs().fillna(-1.0).sort_values(ascending=False, kind="stable")
    return table.loc[order.index].reset_index(drop=True)


def file_digest(path: Path) -> str:
    """The SHA-256 of a file's bytes: what a posterior is, wherever it lies."""
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_sets(path: Path, k: int, seed: int) -> tuple[pd.DataFrame, list[str], dict]:
    """`k` parameter sets drawn by weight (`draw_sets`) from the posterior at `path`, the
    paths of the parameters they set, and the draw's identity (the file, its content hash, k
    and the seed). A bad count, a missing file or one that is not a posterior is refused
    (`UserInputError` naming the option or the file)."""
    import pyarrow as pa

    if k < 1:
        raise UserInputError("--sets", None, f"expected a number >= 1, got {k}")
    path = Path(path)
    if not path.is_file():
        raise UserInputError(path, None, "no posterior there (run.py calibrate --posterior "
                             "writes one)")
    expected = "expected a Parquet file written by run.py calibrate --posterior"
    try:
        table, metadata = read_posterior(path)
    except (OSError, pa.ArrowException) as exc:
        raise UserInputError(path, None, f"cannot read it as Parquet ({exc}); {expected}") \
            from None
    except (KeyError, TypeError, ValueError):
        raise UserInputError(path, None, f"no posterior metadata in the file; {expected}") \
            from None
    priors = metadata.get("priors") if isinstance(metadata, dict) else None
    if not isinstance(priors, dict) or not priors:
        raise UserInputError(path, "priors", f"missing from the file's metadata; {expected}")
    paths = sorted(priors)
    absent = [p for p in [*paths, "weight"] if p not in table.columns]
    if absent:
        raise UserInputError(path, absent[0], f"no such column; {expected}")
    if table.empty:
        raise UserInputError(path, None, "holds no parameter set")
    try:
        numbers = table[[*paths, "weight"]].to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise UserInputError(path, None, "holds values that are not numbers") from None
    if not np.isfinite(numbers).all():
        raise UserInputError(path, None, "holds a value that is not a finite number")
    weights = numbers[:, -1]
    if (weights < 0).any() or not weights.sum() > 0:
        raise UserInputError(path, "weight", "expected weights >= 0 that do not all vanish")
    identity = {"file": str(path), "sha256": file_digest(path), "sets": int(k),
                "draw_seed": int(seed), "parameters": paths,
                # structural targets it was conditioned on (analysis/conditioning.py), if any
                "conditioned_on": list(metadata.get("conditioned_on", []))}
    return draw_sets(table, k, seed=seed), paths, identity
