"""What a sweep says: sensitivity indices, scenario discovery and heat maps, from its store.

- Sobol' first-order and total indices with confidence intervals (`sobol_table`, SALib) for a
  sobol sweep; Morris mu*, sigma (`morris_table`) for a morris sweep. Replicates are averaged
  per point, and points are put back in the sampler's order (`point_id`).
- PRIM boxes (`prim_boxes`, EMA Workbench) for runs meeting a condition such as
  `regime_fell == 0`: the parameter ranges where the condition mostly holds, with coverage
  (share of all such runs inside the box) and density (share of runs in the box that meet it).
- Mean outcome per cell of a two-parameter grid (`grid_means`, `plot_heatmap`).
- For a sweep across a posterior (`run.py sweep --posterior`), each point's spread split into
  what comes from the posterior's parameter sets and what from the seeds (`posterior_split`,
  `analysis.posterior.split_variance`). Every other analysis reads a point's mean over all its
  runs: the outcome averaged over the posterior.

Everything reads the store only; figures are drawn on matplotlib `Figure`s (Agg, no pyplot).
"""

from __future__ import annotations

import contextlib
import re
import sys
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.sweep.sampling import problem
from analysis.sweep.spec import SweepSpec
from analysis.sweep.store import SweepStore
from sim.errors import UserInputError


@dataclass(frozen=True)
class SweepRecord:
    """A sweep as stored: its spec, its planned points, and its finished runs."""

    db: Path
    spec: SweepSpec
    info: dict[str, Any]
    points: np.ndarray  # (points, parameters), row = point_id
    runs: pd.DataFrame  # one row per run, sorted by (point_id, replicate)
    posterior: dict[str, Any] | None = None  # the posterior it ran across (store.posterior)

    @property
    def complete(self) -> bool:
        return len(self.runs) == int(self.info["planned_runs"])


def load_record(db: str | Path) -> SweepRecord:
    with SweepStore.open(db, read_only=True) as store:
        return SweepRecord(
            db=Path(db),
            spec=store.spec(),
            info=store.info(),
            points=store.points(),
            runs=store.runs(),
            posterior=store.posterior(),
        )


def outcome_name(record: SweepRecord, outcome: str | None) -> str:
    """The outcome asked for (default: the spec's first), checked against the store."""
    outcomes = record.spec.outcomes
    name = outcome or next(iter(outcomes))
    if name not in outcomes:
        raise UserInputError(
            "--outcome", name, f"not an outcome of this sweep; it records: {', '.join(outcomes)}"
        )
    return name


def point_means(record: SweepRecord, outcome: str) -> np.ndarray:
    """The outcome averaged over replicates, one value per point in `point_id` order.

    Every point needs at least one run with a value (Sobol' and Morris use the whole sample).
    """
    if record.spec.outcomes[outcome] == "text":
        raise UserInputError("--outcome", outcome, "a text outcome; pick a numeric one")
    means = record.runs.groupby("point_id")[outcome].mean()
    means = means.reindex(np.arange(len(record.points)))
    if means.isna().any():
        missing = int(means.isna().sum())
        no_runs = len(record.points) - record.runs["point_id"].nunique()
        why = (
            f"{no_runs} points have no runs yet: finish the sweep with --resume"
            if no_runs
            else f"{missing} points have no value (e.g. a month for runs in "
            "which nothing happened); pick an outcome defined in every run, or give --fill "
            "VALUE for them (e.g. --fill 180 for a fall that never came: month 180 is "
            "January 2026)"
        )
        raise UserInputError(str(record.db), outcome, why)
    return means.to_numpy(dtype=float)


def noise_share(record: SweepRecord, outcome: str) -> float | None:
    """The share of the runs' variance that lies between replicates of the same point: the
    model's own noise (the seeds), which no parameter explains. Pooled within-point variance
    over total variance; None with one replicate a point (or no variance)."""
    # across a posterior, the replicates of a point under one parameter set
    keys = ["point_id"] + (["posterior_set"] if record.posterior is not None else [])
    values = record.runs[[*keys, outcome]].dropna().astype({outcome: float})
    within = values.groupby(keys)[outcome].var(ddof=1).dropna()
    total = values[outcome].var(ddof=1)
    if within.empty or not total > 0:
        return None
    return float(within.mean() / total)


def describe_noise(record: SweepRecord, outcome: str) -> str:
    share, replicates = noise_share(record, outcome), record.spec.replicates
    if share is None:
        return (
            f"the runs' own noise: not measured ({replicates} run a point); it is inside what "
            "any index apportions (Sobol': as interaction, ST above S1); replicates >= 2 "
            "measure it"
        )
    if record.posterior is not None:
        sets = int(record.posterior["sets"])
        return (
            f"the runs' own noise: {share:.0%} of the variance of {outcome} lies between "
            f"replicates of the same point under the same posterior set (seeds, not "
            f"parameters); what follows is of the means of {sets} sets x {replicates} "
            "replicates a point, over the posterior"
        )
    return (
        f"the runs' own noise: {share:.0%} of the variance of {outcome} lies between "
        f"replicates of the same point (seeds, not parameters); what follows is of the means "
        f"of {replicates} replicates, which keep about 1/{replicates} of it"
    )


def posterior_split(record: SweepRecord, outcome: str) -> pd.DataFrame:
    """For a sweep across a posterior: each point's K sets x R seeds of `outcome` through
    `analysis.posterior.split_variance` (its mean, the 5-95% interval of the sets' means, the
    variance from the parameter sets and from the seeds), one row a point with its parameter
    values. A point with a run missing, or a run without the outcome, is left out."""
    from analysis.posterior import split_variance

    if record.posterior is None:
        raise UserInputError(str(record.db), None, "not a sweep across a posterior "
                             "(run.py sweep --posterior)")
    if record.spec.outcomes[outcome] == "text":
        raise UserInputError("--outcome", outcome, "a text outcome; pick a numeric one")
    sets, replicates = int(record.posterior["sets"]), record.spec.replicates
    rows = []
    for point_id, runs in record.runs.groupby("point_id", sort=True):
        values = runs.sort_values(["posterior_set", "replicate"])[outcome]
        if len(values) != sets * replicates or values.isna().any():
            continue
        matrix = values.to_numpy(dtype=float).reshape(sets, replicates)
        point = dict(zip(record.spec.names, record.points[int(point_id)], strict=True))
        rows.append({"point_id": int(point_id), **point, **split_variance(matrix)})
    return pd.DataFrame(rows)


def describe_split(table: pd.DataFrame, outcome: str, points: int) -> str:
    """One line: the variance of `outcome` from the posterior's sets beside that from the
    seeds, pooled over the points `posterior_split` could split."""
    if table.empty:
        return (f"{outcome}: no point has all its runs with a value, so its spread is not "
                "split (a run missing: finish the sweep with --resume; runs without the "
                "outcome: give analyze --fill VALUE)")
    between, within = table["var_parameters"].mean(), table["var_seeds"].mean()
    share = between / (between + within) if between + within > 0 else float("nan")
    shown = "-" if share != share else f"{share:.0%}"
    width = (table["set_q95"] - table["set_q05"]).mean()
    left = "" if len(table) == points else f" ({points - len(table)} left out: runs missing or "\
        "without a value)"
    return (f"{outcome}: mean {table['mean'].mean():.4g}; variance within a point "
            f"{between + within:.4g}, from the posterior's parameter sets {between:.4g} "
            f"({shown}), from the seeds {within:.4g}; the sets' means span {width:.4g} "
            f"(5-95%) at a point, on average over {len(table)} points{left}")


def describe_posterior_split(record: SweepRecord) -> str:
    """What `run.py sweep --posterior` prints when it is done: for each numeric outcome,
    the spread from the posterior's parameter sets apart from the spread from the seeds."""
    info = record.posterior
    assert info is not None
    lines = [f"across {info['sets']} sets of {info['file']} x {record.spec.replicates} "
             "common seeds, at each point of the design:"]
    for outcome, kind in record.spec.outcomes.items():
        if kind != "text":
            lines.append("  " + describe_split(posterior_split(record, outcome), outcome,
                                               len(record.points)))
    return "\n".join(lines)


def sobol_table(record: SweepRecord, outcome: str, num_resamples: int = 100) -> pd.DataFrame:
    """Sobol' first-order (S1) and total (ST) indices with 95% confidence half-widths."""
    from SALib.analyze import sobol

    spec = record.spec
    if spec.method != "sobol":
        raise UserInputError(
            str(record.db), "sampler", f"Sobol' indices need a sobol sweep, this is {spec.method}"
        )
    y = point_means(record, outcome)
    if np.ptp(y) == 0:
        raise UserInputError(
            str(record.db), outcome, "is the same in every run: no variance to apportion"
        )
    indices = sobol.analyze(
        problem(spec),
        y,
        calc_second_order=spec.sampler.second_order,
        num_resamples=num_resamples,
        conf_level=0.95,
        seed=spec.seed,
    )
    table = pd.DataFrame(
        {k: indices[k] for k in ("S1", "S1_conf", "ST", "ST_conf")},
        index=pd.Index(spec.names, name="parameter"),
    )
    return table.sort_values("ST", ascending=False)


def morris_table(record: SweepRecord, outcome: str) -> pd.DataFrame:
    """Morris elementary effects: mu, mu* (with its 95% confidence half-width) and sigma."""
    from SALib.analyze import morris

    spec = record.spec
    if spec.method != "morris":
        raise UserInputError(
            str(record.db), "sampler", f"Morris indices need a morris sweep, this is {spec.method}"
        )
    y = point_means(record, outcome)
    indices = morris.analyze(
        problem(spec),
        record.points,
        y,
        conf_level=0.95,
        num_levels=spec.sampler.num_levels,
        seed=spec.seed,
    )
    table = pd.DataFrame(
        {
            k: np.asarray(indices[k], dtype=float)
            for k in ("mu", "mu_star", "mu_star_conf", "sigma")
        },
        index=pd.Index(spec.names, name="parameter"),
    )
    return table.sort_values("mu_star", ascending=False)


def plot_indices(table: pd.DataFrame, title: str, path: Path) -> Path:
    """Bars with confidence intervals: S1 and ST (Sobol'), or mu* (Morris)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.5, 0.5 * len(table) + 1.5), layout="constrained")
    ax = fig.add_subplot()
    rows = np.arange(len(table))
    if "S1" in table:
        ax.barh(rows - 0.2, table["S1"], 0.4, xerr=table["S1_conf"], label="first order (S1)")
        ax.barh(rows + 0.2, table["ST"], 0.4, xerr=table["ST_conf"], label="total (ST)")
        ax.set_xlabel("share of the outcome's variance")
        ax.legend(loc="lower right")
    else:
        ax.barh(rows, table["mu_star"], 0.6, xerr=table["mu_star_conf"])
        ax.set_xlabel("mu* (mean absolute elementary effect)")
    ax.set_yticks(rows, table.index)
    ax.invert_yaxis()
    ax.set_title(title)
    fig.savefig(path, dpi=120)
    return path


def grid_means(record: SweepRecord, outcome: str, statistic: str = "mean") -> pd.DataFrame:
    """Mean outcome per cell of the first two grid parameters (rows: the first), over
    replicates and any other parameters; `statistic` "std" or "count" gives the spread of
    the runs in each cell or how many have the outcome."""
    spec = record.spec
    if spec.method != "grid" or len(spec.names) < 2:
        raise UserInputError(
            str(record.db), "sampler", "a heat map needs a grid over at least two parameters"
        )
    rows, cols = spec.names[:2]
    return record.runs.pivot_table(
        index=rows, columns=cols, values=outcome, aggfunc=statistic, dropna=False
    )


def grid_table(record: SweepRecord, outcome: str) -> pd.DataFrame:
    """Each cell of the grid as a row: its two parameter values, the mean outcome, the spread
    of the runs (sd), how many runs have the outcome (n) and the 95% interval of the mean
    (mean +- 1.96 sd / sqrt(n))."""
    stats = {s: grid_means(record, outcome, s).stack(future_stack=True)
             for s in ("mean", "std", "count")}
    table = pd.DataFrame({"mean": stats["mean"], "sd": stats["std"], "n": stats["count"]})
    table["n"] = table["n"].fillna(0).astype(int)
    half = 1.96 * table["sd"] / np.sqrt(table["n"].where(table["n"] > 0))
    table["ci_low"], table["ci_high"] = table["mean"] - half, table["mean"] + half
    return table.reset_index()


def plot_heatmap(grid: pd.DataFrame, outcome: str, path: Path,
                 spread: pd.DataFrame | None = None) -> Path:
    from matplotlib.figure import Figure

    fig = Figure(
        figsize=(1.0 * grid.shape[1] + 2.5, 0.7 * grid.shape[0] + 1.5), layout="constrained"
    )
    ax = fig.add_subplot()
    image = ax.imshow(grid.to_numpy(dtype=float), origin="lower", aspect="auto", cmap="viridis")
    sd = None if spread is None else spread.to_numpy(dtype=float)
    for (i, j), value in np.ndenumerate(grid.to_numpy(dtype=float)):
        if np.isfinite(value):
            text = f"{value:.3g}"
            if sd is not None and np.isfinite(sd[i, j]):
                text += f"\n± {sd[i, j]:.2g}"
            ax.text(j, i, text, ha="center", va="center", fontsize=8, color="w")
    ax.set_xticks(range(grid.shape[1]), [f"{v:g}" for v in grid.columns])
    ax.set_yticks(range(grid.shape[0]), [f"{v:g}" for v in grid.index])
    ax.set_xlabel(str(grid.columns.name))
    ax.set_ylabel(str(grid.index.name))
    ax.set_title(f"mean {outcome} per cell" + ("" if sd is None else " (± sd of the runs)"))
    fig.colorbar(image, ax=ax, label=outcome)
    fig.savefig(path, dpi=120)
    return path


# --- scenario discovery -----------------------------------------------------------------------


@dataclass(frozen=True)
class PrimBox:
    """A box of parameter space where the condition mostly holds."""

    limits: pd.DataFrame  # parameter → low, high, qp (only the restricted parameters)
    coverage: float  # share of the runs of interest inside the box
    density: float  # share of the runs inside the box that are of interest
    mass: float  # share of all runs inside the box
    runs: int

    @property
    def significant(self) -> pd.DataFrame:
        """The restrictions that matter: quasi-p value at most `QP_LIMIT`."""
        return self.limits[self.limits["qp"] <= QP_LIMIT]


def condition_mask(runs: pd.DataFrame, condition: str, names: tuple[str, ...]) -> np.ndarray:
    """Which runs meet a pandas expression over outcomes and parameters (dotted parameter
    names may be written bare: `russia.resolve > 0.5`)."""
    expr = condition
    for name in sorted(names, key=len, reverse=True):
        expr = re.sub(rf"(?<![`\w.]){re.escape(name)}(?![\w`])", f"`{name}`", expr)
    try:
        result = runs.eval(expr)
    except Exception as exc:  # pandas raises many kinds for a bad expression
        raise UserInputError(
            "--condition",
            condition,
            f"cannot evaluate it ({exc}); use outcome and parameter names, e.g. 'regime_fell == 0'",
        ) from None
    if not isinstance(result, pd.Series) or result.dtype != bool:
        raise UserInputError(
            "--condition", condition, "expected a true/false test such as 'regime_fell == 0'"
        )
    return result.to_numpy()


# a restriction is significant if its quasi-p value is at most this (Bryant & Lempert 2010)
QP_LIMIT = 0.05


def prim_boxes(
    record: SweepRecord, condition: str, threshold: float = 0.8, max_boxes: int = 2
) -> list[PrimBox]:
    """PRIM on every run: for each box, the point on its peeling trajectory with the most
    coverage among those with density >= `threshold` (for the first box, else the densest;
    a later box below the threshold is not reported).

    PRIM's peels also trim parameters that do not matter (a few runs off the edge of a range):
    each restriction carries its quasi-p value (EMA Workbench's one-sided binomial test of
    the box with it lifted; Bryant & Lempert 2010), the least over the ends it restricts, and
    `PrimBox.significant` keeps those at most `QP_LIMIT`."""
    names = list(record.spec.names)
    interest = condition_mask(record.runs, condition, record.spec.names)
    if interest.all() or not interest.any():
        return []
    x = record.runs[names].astype(float).reset_index(drop=True)
    with _quiet_workbench():
        from ema_workbench.analysis.prim import Prim

        prim = Prim(x, interest.astype(int), peel_alpha=0.05, paste_alpha=0.05, mass_min=0.05)
    base_density = float(interest.mean())
    boxes: list[PrimBox] = []
    for _ in range(max_boxes):
        with _quiet_workbench():
            box = prim.find_box()
        if box is None:
            break
        trajectory = box.peeling_trajectory
        dense = trajectory.index[trajectory["density"] >= threshold]
        i = (
            int(trajectory.loc[dense, "coverage"].idxmax())
            if len(dense)
            else int(trajectory["density"].idxmax())
        )
        box.select(i)
        stats = trajectory.iloc[i]
        if float(stats["density"]) <= base_density or (boxes and stats["density"] < threshold):
            break
        lims = box.box_lims[i]
        qps = box.p_values[i]
        restricted = [
            n
            for n in names
            if not np.allclose(
                lims[n].to_numpy(dtype=float), prim.box_init[n].to_numpy(dtype=float)
            )
        ]
        limits = pd.DataFrame(
            {
                "low": [float(lims[n].iloc[0]) for n in restricted],
                "high": [float(lims[n].iloc[1]) for n in restricted],
                "qp": [min(q for q in qps[n] if q >= 0) for n in restricted],
            },
            index=pd.Index(restricted, name="parameter"),
        )
        boxes.append(
            PrimBox(
                limits=limits,
                coverage=float(stats["coverage"]),
                density=float(stats["density"]),
                mass=float(stats["mass"]),
                runs=int(stats["n"]),
            )
        )
    return boxes


@contextlib.contextmanager
def _quiet_workbench() -> Iterator[None]:
    """EMA Workbench warns about optional extras (ipyparallel) and about its own use of
    pandas; neither concerns the user of a sweep."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", module="ema_workbench")
        yield


def describe_boxes(boxes: list[PrimBox], condition: str, interest: int, total: int,
                   threshold: float = 0.8) -> str:
    lines = [
        f"PRIM: {condition!r} holds in {interest} of {total} runs ({interest / max(total, 1):.1%})"
    ]
    if not boxes:
        lines.append(
            "  no box: the condition holds everywhere or nowhere, or no box is "
            "denser than the whole sample"
        )
    for k, box in enumerate(boxes, 1):
        below = f" (density below the threshold {threshold:g})" if (
            box.density < threshold) else ""
        lines.append(
            f"  box {k}: coverage {box.coverage:.2f}, density {box.density:.2f}, "
            f"mass {box.mass:.2f} ({box.runs} runs){below}"
        )
        for name, row in box.significant.iterrows():
            lines.append(
                f"    {name:<32} {row['low']:.4g} .. {row['high']:.4g}   (qp {row['qp']:.2g})"
            )
        if box.significant.empty:
            lines.append("    (no parameter restricted significantly)")
        weak = box.limits.index.difference(box.significant.index, sort=False)
        if len(weak):
            names = ", ".join(weak)
            lines.append(f"    also trimmed, not significant (qp > {QP_LIMIT:g}): {names}")
    return "\n".join(lines)


# --- the report -------------------------------------------------------------------------------


# Below these sizes an index or a box says more about the draw than about the model: Sobol'
# estimates from N base samples have errors of order 1/sqrt(N) (Saltelli et al. 2010 use
# N >= 500); Morris needs 10 or more trajectories (Campolongo et al. 2007); PRIM peels 5% at a
# time, so a box resting on fewer than 10 runs of interest is a handful of runs.
SMALL_SAMPLE = {"sobol": 128, "morris": 10}
SMALL_INTEREST = 10


def sample_warnings(record: SweepRecord, interest: np.ndarray | None = None) -> list[str]:
    """Why the analysis of this sweep may not be trusted, if it may not."""
    spec = record.spec
    notes = []
    least = SMALL_SAMPLE.get(spec.method)
    if least is not None and spec.sampler.n < least:
        what = "base samples N" if spec.method == "sobol" else "trajectories"
        notes.append(
            f"warning: {spec.sampler.n} {what} is too few for {spec.method} indices to be "
            f"reliable (use at least {least}); read them with their confidence intervals"
        )
    if interest is not None and 0 < min(interest.sum(), (~interest).sum()) < SMALL_INTEREST:
        notes.append(
            f"warning: the condition splits the runs {int(interest.sum())} to "
            f"{int((~interest).sum())}; a PRIM box on fewer than {SMALL_INTEREST} runs on one "
            "side is a handful of runs, not a finding"
        )
    return notes


def report(
    db: str | Path,
    outcome: str | None = None,
    condition: str | None = None,
    out: str | Path | None = None,
    threshold: float = 0.8,
    fill: float | None = None,
) -> list[Path]:
    """Print what the sweep says about one outcome and write tables and figures to `out`.
    `fill`: the value a run without the outcome counts as (a fall that never came, say, as
    the month after the scenario's end), for every analysis of it.

    Every argument is checked, and every table computed, before anything is printed or a
    folder made: a bad argument ends with its message alone."""
    if not 0.0 < threshold <= 1.0:
        raise UserInputError("--threshold", str(threshold), "expected a density in (0, 1]")
    if fill is not None and not np.isfinite(fill):
        raise UserInputError("--fill", str(fill), "expected a finite number")
    record = load_record(db)
    spec = record.spec
    name = outcome_name(record, outcome)
    out_dir = Path(out) if out else Path(db).with_name(Path(db).stem + "_analysis")
    blocker = next((p for p in (out_dir, *out_dir.parents) if p.exists()), None)
    if blocker is not None and not blocker.is_dir():
        raise UserInputError("--out", str(out_dir), f"{blocker} is a file, not a folder")
    if fill is not None:
        if spec.outcomes[name] == "text":
            raise UserInputError("--fill", str(fill), f"a number for a numeric outcome; {name} "
                                 "is text")
        missing = int(record.runs[name].isna().sum())
        record.runs[name] = record.runs[name].astype(float).fillna(fill)
    interest = condition_mask(record.runs, condition, spec.names) if condition else None

    lines: list[str] = []
    files: list[tuple[str, Any]] = []  # (file name, how to write it into the folder)
    planned = int(record.info["planned_runs"])
    lines.append(f"sweep {spec.name}: {spec.method}, {len(record.runs)} of {planned} runs in {db}")
    if fill is not None:
        lines.append(f"{name}: {missing} runs without a value count as {fill:g} (--fill)")
    if spec.outcomes[name] != "text":
        values = record.runs[name].astype(float)
        lines.append(
            f"{name}: mean {values.mean():.4g}, sd {values.std():.4g}, "
            f"range {values.min():.4g} .. {values.max():.4g}, "
            f"missing in {int(values.isna().sum())} runs"
        )
        lines.append(describe_noise(record, name))
        if record.posterior is not None:
            split = posterior_split(record, name)
            lines.append(f"across {record.posterior['sets']} posterior sets "
                         f"({record.posterior['file']}): "
                         + describe_split(split, name, len(record.points)))
            files.append((f"posterior_split_{name}.csv",
                          lambda p, t=split: t.to_csv(p, index=False, float_format="%.8g")))

    if spec.method in ("sobol", "morris"):
        table = sobol_table(record, name) if spec.method == "sobol" else morris_table(record, name)
        lines.append(f"\n{'Sobol' if spec.method == 'sobol' else 'Morris'} indices for {name}:")
        lines.append(table.to_string(float_format=lambda v: f"{v:.3f}"))
        files.append((f"{spec.method}_{name}.csv", lambda p, t=table: t.to_csv(p)))
        files.append((f"{spec.method}_{name}.png",
                      lambda p, t=table: plot_indices(t, f"{spec.name}: {name}", p)))
    elif spec.method == "grid" and len(spec.names) >= 2:
        table = grid_table(record, name)
        rows, cols = spec.names[:2]
        grid, spread = (table.pivot(index=rows, columns=cols, values=v) for v in ("mean", "sd"))
        counts = table["n"].to_numpy()
        where = f"({grid.index.name} down, {grid.columns.name} across)"
        lines.append(f"\nmean {name} per cell {where}:")
        lines.append(grid.to_string(float_format=lambda v: f"{v:.3f}"))
        runs = f"{counts.min()}" + ("" if counts.min() == counts.max() else f"-{counts.max()}")
        lines.append(f"\nsd of the runs in each cell ({runs} runs a cell):")
        lines.append(spread.to_string(float_format=lambda v: f"{v:.3f}"))
        files.append((f"grid_{name}.csv", lambda p, t=table: t.to_csv(p, index=False)))
        files.append((f"grid_{name}.png",
                      lambda p, g=grid, sd=spread: plot_heatmap(g, name, p, sd)))

    if condition:
        boxes = prim_boxes(record, condition, threshold=threshold)
        lines.append("")
        lines.append(describe_boxes(boxes, condition, int(interest.sum()), len(interest),
                                    threshold))
        rows = [
            {
                "box": k,
                "parameter": p,
                "low": r["low"],
                "high": r["high"],
                "qp": r["qp"],
                "coverage": b.coverage,
                "density": b.density,
                "mass": b.mass,
            }
            for k, b in enumerate(boxes, 1)
            for p, r in b.limits.iterrows()
        ]
        frame = pd.DataFrame(
            rows, columns=["box", "parameter", "low", "high", "qp", "coverage", "density", "mass"]
        )
        files.append(("prim_boxes.csv", lambda p, f=frame: f.to_csv(p, index=False)))

    for line in lines:
        print(line)
    for note in sample_warnings(record, interest):
        print(note, file=sys.stderr)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for file_name, write in files:
        written.append(out_dir / file_name)
        write(written[-1])
    return written


__all__ = [
    "PrimBox",
    "SweepRecord",
    "condition_mask",
    "describe_boxes",
    "describe_noise",
    "describe_posterior_split",
    "describe_split",
    "grid_means",
    "grid_table",
    "load_record",
    "morris_table",
    "noise_share",
    "outcome_name",
    "plot_heatmap",
    "plot_indices",
    "point_means",
    "posterior_split",
    "prim_boxes",
    "report",
    "sample_warnings",
    "sobol_table",
]
