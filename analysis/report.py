"""One self-contained HTML report of an ensemble: the scenario, its parameters and their sources,
the key outcomes, the validation against the historical targets, and the figures (embedded as
base64 PNG, so the file needs nothing beside it)."""

from __future__ import annotations

import base64
import html
import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.checks import EnsembleFrames, evaluate, months_covered, score
from analysis.figures import plot_all
from analysis.stats import outcome_summary
from analysis.targets import Target, load_targets
from sim.errors import UserInputError
from sim.vocabulary import FOREIGN_STATES

CAPTIONS = {
    "control_fan": "Share of Syria's area held by each force: median over runs, middle 50% and "
    "90%; dots are the calibration record's figures (§2a; ▼ at most, ▲ at least); dashed lines "
    "are the median months of the key events.",
    "influence_fan": "Each outside state's influence in Syria (0–1), over runs.",
    "cooperation_heatmap": "Cooperation index of each pair of states by year (median over runs "
    "of each run's yearly mean).",
    "utility_terms": "Each state's utility and the payoff terms of the option it chose "
    "(median over runs); cost is drawn negative because it is subtracted.",
    "vetoes": "Russia's Security Council vetoes, cumulative, against the UN-derived dataset.",
    "compare_fall_dates": "When the regime falls, in each ensemble.",
    "compare_control": "Control in the two ensembles (median and middle 50%).",
    "compare_influence": "Influence in the two ensembles (median and middle 50%).",
}

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 72rem; margin: 2rem auto; padding: 0 1rem;
       color: #222; line-height: 1.45; }
h1 { font-size: 1.6rem; }
h2 { font-size: 1.25rem; margin-top: 2.2rem; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; font-size: 0.85rem; margin: 0.6rem 0; }
th, td { border: 1px solid #ddd; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1.2rem 0; } figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { font-size: 0.85rem; color: #555; }
.pass { background: #e3f2e1; } .fail { background: #f9e0dc; } .na { color: #888; }
.scores span { display: inline-block; margin-right: 2rem; font-size: 1.1rem; }
"""


_OUTCOME_LABELS = {"regime_fall": "regime falls"} | {
    f"intervention_{s}": f"{s}: own combat forces arrive" for s in FOREIGN_STATES
}


# --- pieces -----------------------------------------------------------------------------------


def parameter_rows(parameters: Mapping[str, Any], sources: Mapping[str, str]) -> pd.DataFrame:
    """The parameter tree as rows `key, value, source` (dotted keys). A table whose key has a
    source of its own (e.g. `iran.weights`, an inline table) stays one row; a key without a
    source gets an empty one."""
    rows: list[dict[str, str]] = []

    def walk(node: Any, prefix: str) -> None:
        if isinstance(node, Mapping) and node and prefix not in sources:
            for key, value in node.items():
                walk(value, f"{prefix}.{key}" if prefix else str(key))
            return
        rows.append({"key": prefix, "value": _compact(node), "source": sources.get(prefix, "")})

    walk(parameters, "")
    return pd.DataFrame(rows, columns=["key", "value", "source"])


def _compact(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, Mapping | list | tuple):
        return json.dumps(value, default=str, separators=(", ", ": "))
    return str(value)


def _table(
    frame: pd.DataFrame, numeric: Sequence[str] = (), row_class: Sequence[str] | None = None
) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = []
    for k, (_, row) in enumerate(frame.iterrows()):
        cells = []
        for column in frame.columns:
            value = row[column]
            text = "—" if value is None or (isinstance(value, float) and np.isnan(value)) else value
            css = ' class="num"' if column in numeric else ""
            cells.append(f"<td{css}>{html.escape(str(text))}</td>")
        css = f' class="{row_class[k]}"' if row_class is not None and row_class[k] else ""
        body.append(f"<tr{css}>{''.join(cells)}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _figure_html(path: Path) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    caption = CAPTIONS.get(path.stem, path.stem.replace("_", " "))
    return (
        f'<figure><img alt="{html.escape(path.stem)}" src="data:image/png;base64,{data}">'
        f"<figcaption>{html.escape(caption)}</figcaption></figure>"
    )


def validation_html(table: pd.DataFrame, pass_mark: float = 0.5) -> str:
    """The validation table (from `checks.evaluate`) with the train and test scores."""
    scores = []
    for name in ("train", "test"):
        value = score(table, name)
        shown = "not applicable" if np.isnan(value) else f"{value:.0%}"
        scores.append(f"<span><b>{name}</b> score: {shown}</span>")
    shown = table.assign(
        share_pass=[("—" if np.isnan(v) else f"{v:.0%}") for v in table["share_pass"]]
    )
    classes = [
        "na" if np.isnan(v) else "pass" if v >= pass_mark else "fail" for v in table["share_pass"]
    ]
    note = (
        "<p>Share of runs passing each target; a target whose months the ensemble does not cover "
        f"is not applicable (—). Rows shaded green where at least {pass_mark:.0%} of runs pass. "
        "Scores are the mean share over the applicable targets of each set.</p>"
    )
    rows = _table(shown, numeric=("share_pass", "n_runs"), row_class=classes)
    return f'<p class="scores">{"".join(scores)}</p>{note}<div id="validation">{rows}</div>'


# --- the report -------------------------------------------------------------------------------


def render_report(
    ensemble: EnsembleFrames,
    *,
    scenario: str,
    parameters: Mapping[str, Any],
    sources: Mapping[str, str],
    figures: Sequence[str | Path],
    targets: Sequence[Target] | None = None,
    manifest: Mapping[str, Any] | None = None,
    title: str | None = None,
) -> str:
    """The report as one HTML string (PNG figures among `figures` are embedded)."""
    targets = load_targets() if targets is None else targets
    manifest = manifest or {}
    runs = len(ensemble.summary)
    covered = months_covered(ensemble)
    period = f"{covered[0]} to {covered[1]}" if covered else "no months"
    git = manifest.get("git") or {}
    resolved = manifest.get("resolved") or {}
    facts = [
        ("scenario", scenario),
        ("description", str(resolved.get("description") or "")),
        ("runs", str(runs)),
        ("months", period),
        ("seeds", _seeds(ensemble)),
        ("model version", str(manifest.get("version", ""))),
        ("git commit", f"{git.get('commit') or ''}{' (modified)' if git.get('dirty') else ''}"),
        ("created", str(manifest.get("created", ""))),
    ]
    facts_table = _table(pd.DataFrame([f for f in facts if f[1]], columns=["", "value"]))
    outcomes = outcome_summary(ensemble)
    happened = [f"{round(share * n)} of {n}"
                for share, n in zip(outcomes["share"], outcomes["n_runs"], strict=True)]
    outcomes["share"] = [f"{v:.0%}" for v in outcomes["share"]]
    outcomes.insert(2, "runs it happened in", happened)
    outcomes.insert(3, "counts", [_OUTCOME_LABELS.get(o, "") for o in outcomes["outcome"]])
    validation = evaluate(targets, ensemble)
    pictures = "".join(_figure_html(Path(p)) for p in figures if Path(p).suffix == ".png")
    params = parameter_rows(parameters, sources)
    heading = html.escape(title or f"Scenario {scenario}")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{heading}</title>
<style>{STYLE}</style></head><body>
<h1>{heading}</h1>
{facts_table}
<h2>Key outcomes</h2>
<p>Share of runs in which each outcome happened (of how many), and the quantiles of its month
over those runs only (q50 is the median month). Own combat forces are advisers and militias, an
air campaign or ground troops; strikes alone do not count.</p>
{_table(outcomes, numeric=("share", "n_runs"))}
<h2>Validation against the historical record</h2>
{validation_html(validation)}
<h2>Figures</h2>
{pictures}
<h2>Parameters and their sources</h2>
<p>{len(params)} resolved parameters; each value's source as named beside it in the parameter
files.</p>
<div id="parameters">{_table(params)}</div>
</body></html>
"""


def _seeds(ensemble: EnsembleFrames) -> str:
    seeds = sorted(int(s) for s in ensemble.summary["seed"])
    if not seeds:
        return ""
    if seeds == list(range(seeds[0], seeds[0] + len(seeds))):
        return f"{seeds[0]}–{seeds[-1]}"
    return ", ".join(map(str, seeds))


def write_report(
    ensemble: EnsembleFrames,
    out_path: str | Path,
    *,
    scenario: str,
    parameters: Mapping[str, Any],
    sources: Mapping[str, str],
    targets: Sequence[Target] | None = None,
    figures: Sequence[str | Path] | None = None,
    manifest: Mapping[str, Any] | None = None,
    title: str | None = None,
) -> Path:
    """Write the HTML report to `out_path`; draws the figures (`figures.plot_all`) unless
    their paths are given. Returns the path written."""
    out_path = Path(out_path)
    with tempfile.TemporaryDirectory() as scratch:
        drawn = plot_all(ensemble, scratch) if figures is None else list(figures)
        text = render_report(
            ensemble,
            scenario=scenario,
            parameters=parameters,
            sources=sources,
            figures=drawn,
            targets=targets,
            manifest=manifest,
            title=title,
        )
    out_path.parent.mkdir(parents=True, exist_ok=True)
    partial = out_path.with_name(f".{out_path.name}.tmp-{os.getpid()}")
    try:  # whole or not at all: a Ctrl-C or a full disk leaves the previous report
        partial.write_text(text, encoding="utf-8")
        partial.replace(out_path)
    finally:
        partial.unlink(missing_ok=True)
    return out_path


def report_from_folder(
    results: str | Path,
    out_path: str | Path | None = None,
    *,
    sources: Mapping[str, str] | None = None,
    targets: Sequence[Target] | None = None,
    figures: Sequence[str | Path] | None = None,
) -> Path:
    """The report of a results folder (`run.py run --out DIR`), written to `DIR/report.html`
    unless `out_path` is given; parameters come from its manifest, sources from the parameter
    files."""
    from sim.output import read_outputs  # the one reader of results folders
    from sim.params import parameter_sources

    results = Path(results)
    ensemble = read_outputs(results)
    try:
        manifest = json.loads((results / "manifest.json").read_text(encoding="utf-8"))
    except OSError:
        raise UserInputError(
            results, "manifest.json", "a results folder with its manifest"
        ) from None
    except json.JSONDecodeError as exc:
        raise UserInputError(results / "manifest.json", None, f"valid JSON ({exc})") from None
    resolved = manifest.get("resolved") or {}
    return write_report(
        ensemble,
        results / "report.html" if out_path is None else out_path,
        scenario=str(manifest.get("scenario") or resolved.get("name") or results.name),
        parameters=resolved.get("parameters") or {},
        sources=parameter_sources() if sources is None else sources,
        targets=targets,
        figures=figures,
        manifest=manifest,
    )


__all__ = [
    "parameter_rows",
    "render_report",
    "report_from_folder",
    "validation_html",
    "write_report",
]
