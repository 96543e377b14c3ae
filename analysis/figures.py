"""Figures of an ensemble and of two ensembles side by side (PNG and SVG).

Every function takes the ensemble's tables and an output folder, writes `NAME.png` and
`NAME.svg`, and returns the paths it wrote. Bands are over runs: the median, the middle 50%
and the middle 90%. Figures are built on matplotlib's object API with the Agg canvas, so no
global pyplot state or display is involved.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from analysis.checks import EnsembleFrames
from analysis.stats import month_number
from sim.vocabulary import STATES, VARIABLE_SUBJECTS

DATA = Path(__file__).with_name("data")
CONTROL_RECORD = DATA / "control_record_2011_2017.csv"
VETO_RECORD = DATA / "unsc_vetoes_syria_2011_2017.csv"
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
TERMS = ("payoff_survival", "payoff_balancing", "payoff_influence", "payoff_cost", "utility")
COLOURS = {"a": "#1f5fa8", "b": "#d9661f", "record": "black", "event": "#666666"}
DPI = 110


# --- data of the record -----------------------------------------------------------------------


def load_control_record(path: str | Path = CONTROL_RECORD) -> pd.DataFrame:
    """The 2011–2017 control figures of the calibration record (§2a), one row per figure:
    `date, subject, share, bound, grade, source, note`."""
    return pd.read_csv(path, dtype={"date": str, "bound": str}, keep_default_na=False)


def load_vetoes(path: str | Path = VETO_RECORD) -> pd.DataFrame:
    """Russia's Security Council vetoes on Syria 2011–2017 (the UN-derived dataset)."""
    table = pd.read_csv(path, dtype={"date": str})
    return table[table["Russia"] == 1].reset_index(drop=True)


# --- helpers ----------------------------------------------------------------------------------


def year_of(dates: pd.Series | pd.Index | Sequence[str]) -> np.ndarray:
    """`YYYY-MM` (or `YYYY-MM-DD`) as decimal years: 2015-09 → 2015.667."""
    text = pd.Series(list(dates), dtype=str).str.slice(0, 7)
    return (month_number(text) / 12.0).to_numpy()


def bands(timeseries: pd.DataFrame, variable: str) -> pd.DataFrame:
    """Quantiles over runs of one variable: rows (subject, date), columns the `QUANTILES`."""
    rows = timeseries[timeseries["variable"] == variable]
    table = rows.groupby(["subject", "date"])["value"].quantile(list(QUANTILES)).unstack()
    table.columns = list(QUANTILES)
    return table


def key_event_dates(ensemble: EnsembleFrames) -> list[tuple[str, float, float]]:
    """(label, decimal year, share of runs) of the median month of each state's first
    military intervention and of the regime's collapse, over the runs in which it happened."""
    events = ensemble.events
    runs = max(len(ensemble.summary), 1)
    marks = []
    kinds = [("military_intervention", s, f"{s} enters") for s in STATES]
    kinds.append(("regime_collapse", "syria", "regime falls"))
    for event, actor, label in kinds:
        mine = events[(events["event"] == event) & (events["actor"] == actor)]
        first = mine.groupby("run")["date"].min()
        if len(first):
            month = float(np.median(month_number(first)))
            marks.append((label, month / 12.0, len(first) / runs))
    return sorted(marks, key=lambda m: m[1])


def _figure(rows: int, cols: int, width: float, height: float) -> tuple[Figure, np.ndarray]:
    figure = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots(rows, cols, squeeze=False)
    return figure, axes


def _save(figure: Figure, out_dir: str | Path, name: str) -> list[Path]:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / f"{name}.png", out_dir / f"{name}.svg"]
    engine = figure.get_layout_engine()
    if engine is not None:  # lay out once, not once per format
        engine.execute(figure)
        figure.set_layout_engine("none")
    for path in paths:
        figure.savefig(path, metadata={"Date": None} if path.suffix == ".svg" else None)
    return paths


def _years_axis(ax: Axes) -> None:
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def _fan(ax: Axes, table: pd.DataFrame, colour: str, label: str, wide: bool = True) -> None:
    x = year_of(table.index)
    if wide:
        ax.fill_between(
            x, table[0.05], table[0.95], color=colour, alpha=0.15, lw=0, label=f"{label} 90%"
        )
    ax.fill_between(
        x, table[0.25], table[0.75], color=colour, alpha=0.35, lw=0, label=f"{label} 50%"
    )
    ax.plot(x, table[0.5], color=colour, lw=1.6, label=f"{label} median")
    _years_axis(ax)


def _mark_events(ax: Axes, marks: list[tuple[str, float, float]], labelled: bool) -> None:
    top = ax.get_ylim()[1]
    for label, year, share in marks:
        ax.axvline(year, color=COLOURS["event"], lw=0.8, ls="--", alpha=0.8)
        if labelled:
            text = label if share >= 0.995 else f"{label} ({share:.0%})"
            ax.text(
                year,
                top,
                f" {text}",
                rotation=90,
                va="top",
                ha="right",
                fontsize=7,
                color=COLOURS["event"],
            )


def _overlay_record(ax: Axes, record: pd.DataFrame, subject: str) -> bool:
    mine = record[record["subject"] == subject]
    markers = {"": "o", "upper": "v", "lower": "^"}
    for bound, marker in markers.items():
        points = mine[mine["bound"] == bound]
        if len(points):
            name = {"": "record", "upper": "record: at most", "lower": "record: at least"}[bound]
            ax.scatter(
                year_of(points["date"]),
                points["share"],
                marker=marker,
                s=22,
                zorder=5,
                color=COLOURS["record"],
                label=name,
            )
    return len(mine) > 0


def _subjects(timeseries: pd.DataFrame, variable: str) -> list[str]:
    present = set(timeseries.loc[timeseries["variable"] == variable, "subject"].unique())
    known = [s for s in VARIABLE_SUBJECTS.get(variable, ()) if s in present]
    return known + sorted(present - set(known))


# --- one ensemble -----------------------------------------------------------------------------


def fan_chart(
    ensemble: EnsembleFrames,
    variable: str,
    out_dir: str | Path,
    *,
    record: pd.DataFrame | None = None,
    name: str | None = None,
) -> list[Path]:
    """One panel per subject of `variable`: median, 50% and 90% bands over runs, the record's
    figures (if given) and the median dates of the key events."""
    table = bands(ensemble.timeseries, variable)
    subjects = _subjects(ensemble.timeseries, variable)
    cols = 2
    rows = max(1, -(-(len(subjects) + 1) // cols))
    figure, axes = _figure(rows, cols, 11, 2.6 * rows)
    marks = key_event_dates(ensemble)
    flat = axes.ravel()
    for k, subject in enumerate(subjects):
        ax = flat[k]
        _fan(ax, table.loc[subject], COLOURS["a"], "runs")
        if record is not None:
            _overlay_record(ax, record, subject)
        if variable == "control":
            ax.set_ylim(0, 1)
        _mark_events(ax, marks, labelled=k < cols)
        ax.set_title(f"{variable}: {subject}", fontsize=10, loc="left")
        ax.grid(alpha=0.3)
    legend = flat[len(subjects)]
    handles, labels = [], []
    for ax in flat[: len(subjects)]:
        for h, lab in zip(*ax.get_legend_handles_labels(), strict=True):
            if lab not in labels:
                handles.append(h)
                labels.append(lab)
    legend.legend(handles, labels, loc="center", frameon=False, fontsize=9)
    legend.set_axis_off()
    for ax in flat[len(subjects) + 1 :]:
        ax.set_axis_off()
    runs = ensemble.summary["run"].nunique()
    figure.suptitle(f"{variable} over {runs} runs (dashed: median month of key events)")
    return _save(figure, out_dir, name or f"{variable}_fan")


def cooperation_chart(ensemble: EnsembleFrames, out_dir: str | Path) -> list[Path]:
    """Heat map of the cooperation index of the 15 pairs by year (median over runs of each
    run's yearly mean)."""
    rows = ensemble.timeseries[ensemble.timeseries["variable"] == "cooperation"]
    yearly = (
        rows.assign(year=rows["date"].str.slice(0, 4).astype(int))
        .groupby(["subject", "year", "run"])["value"]
        .mean()
        .groupby(["subject", "year"])
        .median()
        .unstack("year")
    )
    pairs = _subjects(ensemble.timeseries, "cooperation")
    yearly = yearly.reindex(pairs)
    figure, axes = _figure(1, 1, 1.0 + 0.55 * yearly.shape[1] + 1.5, 0.4 * len(pairs) + 1.5)
    ax = axes[0, 0]
    image = ax.imshow(yearly.to_numpy(), cmap="RdBu", vmin=-1, vmax=1, aspect="auto")
    ax.set_xticks(range(yearly.shape[1]), [str(y) for y in yearly.columns], rotation=90)
    ax.set_yticks(range(len(pairs)), pairs)
    for (i, j), value in np.ndenumerate(yearly.to_numpy()):
        if np.isfinite(value):
            ax.text(
                j,
                i,
                f"{value:.1f}",
                ha="center",
                va="center",
                fontsize=6.5,
                color="white" if abs(value) > 0.6 else "black",
            )
    figure.colorbar(image, ax=ax, label="cooperation index (−1 rivalry … 1)")
    ax.set_title("Cooperation between the six states, by year (median over runs)", loc="left")
    return _save(figure, out_dir, "cooperation_heatmap")


def utility_chart(ensemble: EnsembleFrames, out_dir: str | Path) -> list[Path]:
    """One panel per state: its utility and the payoff terms it is built from, month by month
    (median over runs). Cost is drawn negative because it is subtracted."""
    ts = ensemble.timeseries
    rows = ts[ts["variable"].isin(TERMS)]
    median = rows.groupby(["variable", "subject", "date"])["value"].median()
    figure, axes = _figure(2, 3, 13, 6.5)
    styles = {
        "payoff_survival": ("survival", "#b2182b", 1.0),
        "payoff_balancing": ("balancing", "#2166ac", 1.0),
        "payoff_influence": ("influence", "#1b7837", 1.0),
        "payoff_cost": ("− cost", "#8c510a", 1.0),
        "utility": ("utility", "black", 2.0),
    }
    for ax, state in zip(axes.ravel(), STATES, strict=True):
        for term, (label, colour, width) in styles.items():
            key = (term, state)
            if key not in median.index.droplevel("date"):
                continue
            line = median.loc[key]
            sign = -1.0 if term == "payoff_cost" else 1.0
            ax.plot(
                year_of(line.index), sign * line.to_numpy(), color=colour, lw=width, label=label
            )
        ax.axhline(0, color="grey", lw=0.6)
        _years_axis(ax)
        ax.set_title(state, loc="left", fontsize=10)
        ax.grid(alpha=0.3)
    axes[0, 0].legend(fontsize=8, loc="best")
    figure.suptitle("Utility and its payoff terms, by state (median over runs)")
    return _save(figure, out_dir, "utility_terms")


def veto_chart(
    ensemble: EnsembleFrames, out_dir: str | Path, dataset: pd.DataFrame | None = None
) -> list[Path]:
    """Cumulative Russian vetoes over runs (fan) against the UN-derived dataset (steps)."""
    months = np.sort(ensemble.timeseries["date"].unique())
    runs = ensemble.summary["run"].to_numpy()
    vetoes = ensemble.events[
        (ensemble.events["event"] == "veto") & (ensemble.events["actor"] == "russia")
    ]
    counts = (
        vetoes.groupby(["date", "run"])
        .size()
        .unstack("run")
        .reindex(index=months, columns=runs)
        .fillna(0)
        .cumsum()
    )
    table = pd.DataFrame(
        np.quantile(counts.to_numpy(dtype=float), QUANTILES, axis=1).T,
        index=pd.Index(months, name="date"),
        columns=list(QUANTILES),
    )
    figure, axes = _figure(1, 1, 9, 4)
    ax = axes[0, 0]
    _fan(ax, table, COLOURS["a"], "runs")
    dataset = load_vetoes() if dataset is None else dataset
    if len(dataset):
        x = year_of(dataset["date"])
        until = np.floor(x.max()) + 1.0  # the dataset covers whole years
        ax.step(
            np.r_[year_of(months[:1]), x, until],
            np.r_[0, np.arange(1, len(x) + 1), len(x)],
            where="post",
            color=COLOURS["record"],
            lw=1.4,
            label=f"UN dataset (Russia), to {int(until) - 1}",
        )
    ax.set_ylabel("vetoes so far")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    ax.set_title("Russia's Security Council vetoes on Syria, cumulative", loc="left")
    return _save(figure, out_dir, "vetoes")


def plot_all(
    ensemble: EnsembleFrames, out_dir: str | Path, record: pd.DataFrame | None = None
) -> list[Path]:
    """Every figure of one ensemble: control and influence fans (with the record), the
    cooperation heat map, the utility terms and the vetoes."""
    record = load_control_record() if record is None else record
    paths = fan_chart(ensemble, "control", out_dir, record=record)
    paths += fan_chart(ensemble, "influence", out_dir)
    paths += cooperation_chart(ensemble, out_dir)
    paths += utility_chart(ensemble, out_dir)
    paths += veto_chart(ensemble, out_dir)
    return paths


# --- two ensembles ----------------------------------------------------------------------------


def fall_date_chart(
    a: EnsembleFrames,
    b: EnsembleFrames,
    out_dir: str | Path,
    labels: tuple[str, str] = ("A", "B"),
) -> list[Path]:
    """Distributions of the regime's fall date in two ensembles (quarterly bins), and beside
    them a "did not fall" bar of the runs in which the regime survived the window (a histogram
    of fall dates alone would leave them out)."""
    figure, axes = _figure(1, 1, 9, 3.8)
    ax = axes[0, 0]
    falls = []
    for ensemble in (a, b):
        summary = ensemble.summary
        fell = summary[summary["regime_fell"].astype(bool)]
        falls.append((year_of(fell["regime_fall_date"]), len(fell), len(summary)))
    everything = np.concatenate([f for f, _, _ in falls]) if falls else np.array([])
    if len(everything):
        edges = np.arange(np.floor(everything.min()), np.ceil(everything.max()) + 0.5, 0.25)
    else:  # no fall: only the survivors' bars, on the window's last year
        last = max((year_of(e.summary["peak_cooperation_date_iran_russia"]).max()
                    for e in (a, b) if len(e.summary)), default=0.0)
        edges = np.array([np.floor(last), np.floor(last) + 0.25])
    survivors_at = edges[-1] + 0.5  # past the last fall, a gap, then one bar per ensemble
    for k, ((years, n_fell, n), label, key) in enumerate(
        zip(falls, labels, ("a", "b"), strict=True)
    ):
        ax.hist(
            years,
            bins=edges,
            histtype="stepfilled",
            alpha=0.45,
            color=COLOURS[key],
            edgecolor=COLOURS[key],
            label=f"{label}: fell in {n_fell / max(n, 1):.0%} of runs ({n_fell} of {n})",
        )
        ax.bar(survivors_at + k * 0.25, n - n_fell, width=0.25, align="edge", alpha=0.45,
               color=COLOURS[key], edgecolor=COLOURS[key], hatch="//")
    ax.annotate("did not fall", (survivors_at + 0.25, 0), xytext=(0, -28),
                textcoords="offset points", ha="center", fontsize=9)
    ax.legend(fontsize=9)
    ax.set_xlabel("month of the regime's fall")
    _years_axis(ax)
    ax.set_ylabel("runs")
    ax.grid(alpha=0.3)
    ax.set_title("When the regime falls", loc="left")
    return _save(figure, out_dir, "compare_fall_dates")


def comparison_fan_chart(
    a: EnsembleFrames,
    b: EnsembleFrames,
    out_dir: str | Path,
    variable: str = "control",
    labels: tuple[str, str] = ("A", "B"),
) -> list[Path]:
    """One panel per subject of `variable`: the median and middle 50% of both ensembles."""
    tables = [bands(e.timeseries, variable) for e in (a, b)]
    subjects = _subjects(a.timeseries, variable)
    cols = 2
    rows = max(1, -(-len(subjects) // cols))
    figure, axes = _figure(rows, cols, 11, 2.6 * rows)
    flat = axes.ravel()
    for k, subject in enumerate(subjects):
        ax = flat[k]
        for table, label, key in zip(tables, labels, ("a", "b"), strict=True):
            if subject in table.index.get_level_values("subject"):
                _fan(ax, table.loc[subject], COLOURS[key], label, wide=False)
        if variable == "control":
            ax.set_ylim(0, 1)
        ax.set_title(f"{variable}: {subject}", fontsize=10, loc="left")
        ax.grid(alpha=0.3)
    flat[0].legend(fontsize=8, loc="best")
    for ax in flat[len(subjects) :]:
        ax.set_axis_off()
    figure.suptitle(f"{variable}: {labels[0]} against {labels[1]} (median and middle 50%)")
    return _save(figure, out_dir, f"compare_{variable}")


def plot_comparison(
    a: EnsembleFrames,
    b: EnsembleFrames,
    out_dir: str | Path,
    labels: tuple[str, str] = ("A", "B"),
) -> list[Path]:
    """Every comparison figure: fall dates, and control and influence overlaid."""
    paths = fall_date_chart(a, b, out_dir, labels)
    paths += comparison_fan_chart(a, b, out_dir, "control", labels)
    paths += comparison_fan_chart(a, b, out_dir, "influence", labels)
    return paths


__all__ = [
    "CONTROL_RECORD",
    "VETO_RECORD",
    "bands",
    "comparison_fan_chart",
    "cooperation_chart",
    "fall_date_chart",
    "fan_chart",
    "key_event_dates",
    "load_control_record",
    "load_vetoes",
    "plot_all",
    "plot_comparison",
    "utility_chart",
    "veto_chart",
    "year_of",
]


# --- answers across a posterior ---------------------------------------------------------------


def across_sets_chart(values: dict[str, np.ndarray], xlabel: str, title: str,
                      out_dir: str | Path, name: str) -> list[Path]:
    """One row a quantity measured on K parameter sets drawn from a posterior (each its mean
    over the common seeds): a dot a set, the sets' 5-95% range as a bar and their mean as a
    tick. What the spread shows is the parameters' part of the uncertainty; the seeds' part
    is averaged away within each dot."""
    labels = list(values)
    figure, axes = _figure(1, 1, 8.0, 1.0 + 0.45 * len(labels))
    ax = axes[0, 0]
    jitter = np.random.default_rng(0)  # the same dots on every draw of the figure
    for row, label in enumerate(labels):
        per_set = np.asarray(values[label], dtype=float)
        low, high = np.percentile(per_set, [5, 95])
        y = len(labels) - 1 - row
        ax.plot([low, high], [y, y], color=COLOURS["a"], linewidth=5, alpha=0.3,
                solid_capstyle="butt")
        ax.scatter(per_set, y + jitter.uniform(-0.15, 0.15, len(per_set)), s=9,
                   color=COLOURS["a"], alpha=0.7, linewidths=0)
        ax.plot([per_set.mean()] * 2, [y - 0.3, y + 0.3], color="black", linewidth=1.5)
    ax.set_yticks(range(len(labels)), labels[::-1], fontsize=8)
    if any(np.min(v) < 0 < np.max(v) for v in values.values()):
        ax.axvline(0.0, color="#999999", linewidth=0.8, linestyle="--")
    ax.set_xlabel(xlabel, fontsize=8)
    ax.set_title(title, fontsize=9)
    ax.tick_params(labelsize=8)
    return _save(figure, out_dir, name)
