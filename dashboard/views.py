"""The dashboard's page: one model per browser session, its controls, the views of the run,
and ensembles with a counterfactual beside the baseline.

Every component below lives inside `Page`, so its state (`use_memo`, `use_reactive`,
`use_state`) belongs to one browser session: two visitors never share a model.
"""

from __future__ import annotations

import html
import time
import urllib.parse
from functools import lru_cache

import numpy as np
import solara

from analysis.targets import load_targets
from dashboard import model as M
from dashboard.drawing import (
    FACTION_COLOURS,
    STATE_COLOURS,
    Line,
    legend_html,
    line_chart_svg,
    map_svg,
    network_svg,
    why_table_html,
)
from dashboard.names import FACTION_NAMES, event_text, state_name
from dashboard.png import PngButton
from sim.errors import UserInputError
from sim.scenario import list_scenarios
from sim.vocabulary import FACTIONS, FOREIGN_STATES, STATES, month_index, month_label

EVENTS_SHOWN = 14
QUIET_EVENTS = ("action_start", "action_stop")  # every portfolio change: too many to list
SHOCK_LABELS = {"ukraine_war": "Ukraine war (2022)", "gaza_war": "Gaza war (2023)",
                "hezbollah_blows": "Blows to Hezbollah (2024)", "lebanon_war": "Lebanon war (2024)"}
CSS = """
.syria-page { display: grid; grid-template-columns: minmax(250px, 290px) minmax(0, 1fr);
  gap: 14px; align-items: start; padding: 4px; }
.syria-main { display: flex; flex-wrap: wrap; gap: 14px; align-items: flex-start;
  min-width: 0; }
.syria-col { flex: 1 1 430px; min-width: 0; display: flex; flex-direction: column; gap: 14px; }
.syria-main .v-card, .syria-col .v-card { margin: 0 !important; min-width: 0; }
.syria-ensemble-chart { flex: 1 1 430px; }
.syria-controls { min-width: 0; }
@media (max-width: 760px) { .syria-page { grid-template-columns: minmax(0, 1fr); } }
.syria-legend { display: flex; flex-wrap: wrap; gap: 4px 14px; font-size: 13px; margin-top: 6px; }
.syria-legend .legend-item i { display: inline-block; width: 12px; height: 12px;
  margin-right: 5px; vertical-align: -1px; border: 1px solid #888; }
.why-scroll { overflow-x: auto; }
.why-table { border-collapse: collapse; font-size: 12px; width: 100%; }
.why-table th, .why-table td { padding: 3px 5px; text-align: right; white-space: nowrap;
  border-bottom: 1px solid rgba(128,128,128,.3); }
.why-table th:first-child, .why-table td:first-child { text-align: left; white-space: normal; }
.why-table tr.chosen { background: rgba(230,159,0,.22); }
.why-table td.option { min-width: 120px; }
.why-table td.utility { font-weight: bold; }
.why-table .pick { font-size: 11px; margin-left: 4px; }
.why-table .pick.chance { color: #d55e00; }
.syria-events { font-size: 13px; margin: 0; padding-left: 0; list-style: none; }
.syria-events li { padding: 1px 0; }
.syria-events .when { opacity: .7; margin-right: 6px; font-variant-numeric: tabular-nums; }
.syria-pending { color: #d55e00; font-weight: bold; }
.syria-month h2 { margin: 0; }
.syria-slider-label { font-size: 13px; margin-top: 8px; }
.syria-header { padding: 4px 10px; }
"""


# --- settings: the widgets' values, also held in the page's link ------------------------------


def default_settings() -> dict:
    start = M.default_values()
    out: dict = {"scenario_name": M.DEFAULT_SCENARIO, "seed": "1",
                 "temperature": start["temperature"]}
    for state in FOREIGN_STATES:
        out[f"{state}_survival"] = round(start[f"{state}_survival"], 3)
        out[f"{state}_resolve"] = round(start[f"{state}_resolve"], 3)
    out.update(dict.fromkeys(M.SHOCK_SWITCHES, True))
    return out


def settings_from_query(query: str) -> dict:
    """The settings a link holds (unknown keys and unreadable values are ignored; the model
    checks the values themselves)."""
    settings = default_settings()
    for key, values in urllib.parse.parse_qs(query.lstrip("?")).items():
        if key not in settings or not values:
            continue
        text, default = values[-1], settings[key]
        try:
            if isinstance(default, bool):
                settings[key] = text not in ("0", "false", "off")
            elif isinstance(default, float):
                settings[key] = float(text)
            else:
                settings[key] = text
        except ValueError:
            continue
    return settings


def settings_query(settings: dict) -> str:
    """The link's query for these settings: only what differs from the defaults."""
    start = default_settings()
    changed = {k: (int(v) if isinstance(v, bool) else v) for k, v in settings.items()
               if v != start[k]}
    return urllib.parse.urlencode({"scenario_name": settings["scenario_name"],
                                   "seed": settings["seed"], **changed})


def changed_settings(edited: dict, applied: dict) -> list[str]:
    return [k.replace("_", " ") for k in edited if edited[k] != applied[k]]


@lru_cache(maxsize=1)
def record_bands() -> dict[str, list[tuple[int, int, float, float]]]:
    """The historical record's control bands (analysis/targets.toml, kind "band"), by faction."""
    bands: dict[str, list[tuple[int, int, float, float]]] = {}
    for target in load_targets():
        if target.kind == "band" and target.variable == "control":
            start, end = (month_index(m) for m in target.window)
            bands.setdefault(target.subject, []).append((start, end, target.lo, target.hi))
    return bands


@lru_cache(maxsize=1)
def record_layers() -> tuple[list, list]:
    """The record's bands and point estimates of control, in the factions' colours."""
    bands = [(*band, FACTION_COLOURS[f]) for f in FACTIONS for band in record_bands().get(f, [])]
    points = [(month, share, bound, FACTION_COLOURS[f], f"{FACTION_NAMES[f]} {share:.0%}"
               f"{' at most' if bound == 'upper' else ' at least' if bound == 'lower' else ''}"
               f": {source}") for month, f, share, bound, source in M.record_points()
              if f in FACTION_COLOURS]
    return bands, points


# --- small pieces -----------------------------------------------------------------------------


@lru_cache(maxsize=1)
def scenario_names() -> dict[str, str]:
    """Each shipped scenario's id and its description (what the pickers show)."""
    return {name: f"{name}: {M.scenario_for(name, ()).description}" for name in list_scenarios()}


@solara.component
def Picker(label: str, value, options: dict[str, str], on_value=None):
    """A drop-down showing readable names for ids (`value` and `on_value` deal in ids)."""
    solara.v.Select(label=label, v_model=value.value if isinstance(value, solara.Reactive)
                    else value, items=[{"text": t, "value": k} for k, t in options.items()],
                    on_v_model=on_value or value.set, hide_details=True)


@solara.component
def Svg(svg: str, css_class: str, filename: str):
    """A chart and its SVG and PNG downloads."""
    stem = filename.removesuffix(".svg")
    solara.HTML(tag="div", classes=[css_class, f"chart-{stem}"], unsafe_innerHTML=svg)
    with solara.Row(gap="6px"):
        solara.FileDownload(svg, filename=filename, label=f"SVG: {filename}",
                            mime_type="image/svg+xml")
        PngButton(f".chart-{stem}", f"{stem}.png")


def _series(model, name: str, width: int) -> np.ndarray:
    rows = model.datacollector.model_vars.get(name) or []
    return np.array(rows) if rows else np.zeros((0, width))


def control_lines(control: np.ndarray) -> list[Line]:
    return [Line(FACTION_NAMES[f], control[:, i], FACTION_COLOURS[f])
            for i, f in enumerate(FACTIONS)]


def influence_lines(influence: np.ndarray) -> list[Line]:
    return [Line(state_name(s, True), influence[:, STATES.index(s)], STATE_COLOURS[s])
            for s in FOREIGN_STATES]


# --- the views of one run ---------------------------------------------------------------------


ALL_CHARTS = ("map", "control", "influence", "network")


def run_charts(model, names=("control", "influence")) -> dict[str, str]:
    """The run's charts as SVG, by name: the control chart with the record, influence, and
    (when asked for) the map and the network."""
    if "map" in names:
        return {"map": map_svg(model.control, model.geo.names),
                "network": network_svg(model.relations), **run_charts(model)}
    window = (model.spec.start, model.spec.end)
    bands, points = record_layers()
    control = _series(model, "control", len(FACTIONS))
    influence = _series(model, "influence", len(STATES))
    return {
        "control": line_chart_svg(control_lines(control), model.spec.start, window,
                                  "Share of Syria held (shaded and ▼▲◆: the record)", bands,
                                  points, css_class="control-chart"),
        "influence": line_chart_svg(influence_lines(influence), model.spec.start, window,
                                    "Influence over Damascus and the ground"),
    }


@solara.component
def StatusCard(model, pending: list[str], summary: dict, version: int = 0):
    fallen = model.fallen_at is not None
    heading = (month_label(model.month) if model.steps
               else f"{month_label(model.month + 1)} (start)")
    with solara.Card(classes=["syria-status"]):
        if model.input_error:
            solara.Error(f"{model.input_error} — showing the default scenario instead")
        solara.HTML(tag="div", classes=["syria-month"], unsafe_innerHTML=(
            f"<h2>{heading}</h2><div>{model.spec.description} · seed {model.seed_value} · "
            f"{'successor government' if fallen else 'Assad government'} in Damascus</div>"))
        if pending:
            solara.HTML(tag="div", classes=["syria-pending"], unsafe_innerHTML=(
                f"Changed: {', '.join(pending)}. Press Reset to apply."))
        if summary["finished"]:
            interventions = ", ".join(f"{s} {d}" for s, d in summary["interventions"].items())
            winners = ", ".join(f"{s} ({v:.2f})" for s, v in summary["winners"])
            holders = ", ".join(f"{f} {v:.0%}" for f, v in summary["holders"][:3])
            solara.HTML(tag="div", classes=["syria-summary"], unsafe_innerHTML=(
                f"<b>End of the run.</b> Regime fell: {summary['fall'] or 'no'}. "
                f"Interventions: {interventions or 'none'}. Most influence at the end: "
                f"{winners}. Ground held: {holders}."))


@solara.component
def MapCard(model, version: int = 0):
    with solara.Card("Who holds Syria's governorates", classes=["syria-map-card"]):
        svg = map_svg(model.control, model.geo.names)
        solara.HTML(tag="div", classes=["syria-map"], unsafe_innerHTML=svg)
        solara.HTML(tag="div", classes=["syria-map-legend"], unsafe_innerHTML=legend_html(
            FACTION_COLOURS, FACTION_NAMES,
            '<span class="legend-item">★ capital · bands: shares held · hover for details'
            '</span>'))
        solara.HTML(tag="small", unsafe_innerHTML="Boundaries: OCHA (COD-AB), via HXL p-codes.")


@solara.component
def ChartsCard(model, version: int = 0):
    with solara.Card("Over time", classes=["syria-charts"]):
        for name, svg in run_charts(model).items():
            solara.HTML(tag="div", classes=[f"syria-{name}"], unsafe_innerHTML=svg)


@solara.component
def WhyCard(model, version: int = 0):
    state, set_state = solara.use_state("russia")
    rows, weights = M.why_rows(model, state)
    with solara.Card("Why: the options weighed this month", classes=["syria-why-card"]):
        Picker("State", state, {s: state_name(s, True) for s in STATES}, set_state)
        solara.HTML(tag="p", classes=["syria-reading"], unsafe_innerHTML=M.reading(state, rows))
        solara.HTML(tag="div", classes=["syria-why", "why-scroll"],
                    unsafe_innerHTML=why_table_html(rows, weights))
        solara.HTML(tag="small", unsafe_innerHTML=(
            "Each column is its term's part of the utility: weight × survival, balancing and "
            "influence; minus the cost, the one-off cost of entering the war and the cost of "
            "changing course. The chance is the logit's, on the utility."))


@solara.component
def NetworkCard(model, version: int = 0):
    with solara.Card("Cooperation (green) and rivalry (red)", classes=["syria-network-card"]):
        solara.HTML(tag="div", classes=["syria-network"],
                    unsafe_innerHTML=network_svg(model.relations))


@solara.component
def EventsCard(model, version: int = 0):
    shown = [e for e in model.events if e[2] not in QUIET_EVENTS][-EVENTS_SHOWN:]
    first = model.spec.start
    items = "".join(f'<li><span class="when">{month_label(first + step - 1)}</span>'
                    f"{html.escape(event_text(actor, event, target, detail))}</li>"
                    for step, actor, event, target, detail in reversed(shown))
    with solara.Card("Latest events", classes=["syria-events-card"]):
        solara.HTML(tag="ul", classes=["syria-events"], unsafe_innerHTML=items or "nothing yet")


@solara.component
def ExportCard(box: dict, applied: dict):
    query = settings_query(applied)
    with solara.Card("Export and share", classes=["syria-export"]):
        solara.FileDownload(lambda: M.series_csv(box["model"]), filename="timeseries.csv",
                            label="Series (CSV)", mime_type="text/csv")
        solara.FileDownload(lambda: M.events_csv(box["model"]), filename="events.csv",
                            label="Events (CSV)", mime_type="text/csv")
        for name in ALL_CHARTS:
            # drawn when asked for, from the month shown then
            with solara.Row(gap="6px"):
                solara.FileDownload(lambda name=name: run_charts(box["model"], ALL_CHARTS)[name],
                                    filename=f"{name}.svg", label=f"{name} (SVG)",
                                    mime_type="image/svg+xml")
                PngButton(f".syria-{name}", f"{name}.png")
        solara.HTML(tag="div", classes=["syria-link"], unsafe_innerHTML=(
            f'<a href="?{query}">Link to this scenario, seed and settings</a><br>'
            f"<code style='word-break:break-all'>?{query}</code>"))


# --- controls ---------------------------------------------------------------------------------


@solara.component
def Slider(label: str, value, low: float, high: float, step: float, on_value=None):
    """A slider with its value in its label, above it (the narrow column has no room beside)."""
    solara.HTML(tag="div", classes=["syria-slider-label"], unsafe_innerHTML=html.escape(label))
    solara.v.Slider(v_model=value.value if isinstance(value, solara.Reactive) else value,
                    on_v_model=on_value or value.set, min=low, max=high, step=step,
                    hide_details=True, dense=True, class_="syria-slider")


@solara.component
def Controls(settings: solara.Reactive, ready: bool, busy: str, on_step, on_reset, on_jump,
             playing: solara.Reactive, speed: solara.Reactive, month_text: solara.Reactive):
    values = settings.value

    def setter(key):
        return lambda value: settings.set({**settings.value, key: value})

    with solara.Card("Run", classes=["syria-controls"]):
        if not ready:
            with solara.Row():
                solara.SpinnerSolara(size="40px")
                solara.HTML(tag="div", classes=["syria-busy"], unsafe_innerHTML=(
                    "Building the model's kernels (the first time after set-up, about a "
                    "minute)…"))
        elif busy:
            solara.HTML(tag="div", classes=["syria-busy"], unsafe_innerHTML=busy)
        with solara.Row(gap="6px", style={"flex-wrap": "wrap"}):
            solara.Button("Step", on_click=on_step, disabled=not ready or playing.value,
                          color="primary", small=True)
            solara.Button("Pause" if playing.value else "Play",
                          on_click=lambda: playing.set(not playing.value), disabled=not ready,
                          small=True)
            solara.Button("Reset", on_click=on_reset, disabled=playing.value, small=True)
        Slider(f"Play speed: {speed.value:.0f} months per second", speed, 1, 30, 1)
        with solara.Row(gap="6px", style={"align-items": "center"}):
            solara.InputText("Jump to month (YYYY-MM)", value=month_text, continuous_update=True)
            solara.Button("Go", on_click=on_jump, disabled=not ready or playing.value,
                          small=True)
        Picker("Scenario", values["scenario_name"], scenario_names(), setter("scenario_name"))
        solara.InputText("Seed", value=values["seed"], on_value=setter("seed"))
        Slider(f"Choice noise (logit temperature): {values['temperature']:.3f}",
               values["temperature"], 0.001, 0.05, 0.001, setter("temperature"))
        with solara.Details("States' weights and resolve"):
            for state in FOREIGN_STATES:
                name = state_name(state, True)
                key = f"{state}_survival"
                Slider(f"{name}: weight on survival {values[key]:.2f}", values[key], 0.05,
                       0.95, 0.05, setter(key))
                key = f"{state}_resolve"
                Slider(f"{name}: resolve (willingness to pay) {values[key]:.2f}",
                       values[key], 0.1, 1.0, 0.05, setter(key))
        with solara.Details("Outside wars"):
            for shock, label in SHOCK_LABELS.items():
                solara.Checkbox(label=label, value=values[shock], on_value=setter(shock))


# --- ensembles and a counterfactual -----------------------------------------------------------

NO_COUNTERFACTUAL = "(none)"
VIEWS = ["This run", "Ensemble and what-if"]


def ensemble_charts(base: list, other: list | None, other_name: str) -> list[tuple[str, str]]:
    """(svg, filename) of each ensemble chart: fans of control and influence (medians and
    10-90% of runs), the chance the regime has fallen, and with a counterfactual its
    difference from the baseline run by run on the same seeds."""
    start = base[0].start
    window = (start, start + base[0].steps - 1)
    bands, points = record_layers()

    def fans(runs, reporter, keys, colours, names, index, dashed=False):
        out = []
        for key in keys:
            low, mid, high = M.fan(runs, reporter, index(key))
            out.append(Line(names(key), mid, colours[key], low, high, dashed))
        return out

    charts = [
        (line_chart_svg(fans(base, "control", FACTIONS, FACTION_COLOURS, FACTION_NAMES.get,
                             FACTIONS.index), start, window,
                        f"Share held, {len(base)} runs: median and 10-90% (record shaded)",
                        bands, points, css_class="fan-chart"), "ensemble_control.svg"),
        (line_chart_svg(fans(base, "influence", FOREIGN_STATES, STATE_COLOURS,
                             lambda s: state_name(s, True), STATES.index), start, window,
                        "Influence: median and 10-90% of runs", css_class="fan-chart"),
         "ensemble_influence.svg")]
    fall = [Line("baseline", M.fallen_by(base), FACTION_COLOURS["regime"])]
    if other:
        fall.append(Line(other_name, M.fallen_by(other), "#0072b2", dashed=True))
        regime = FACTIONS.index("regime")
        low, mid, high = M.fan(base, "control", regime)
        olow, omid, ohigh = M.fan(other, "control", regime)
        charts.append((line_chart_svg(
            [Line("regime's share, baseline", mid, FACTION_COLOURS["regime"], low, high),
             Line(f"regime's share, {other_name}", omid, "#0072b2", olow, ohigh, True)],
            start, window, "Baseline and counterfactual on the same seeds",
            css_class="cf-chart"), "counterfactual_regime.svg"))
        dlow, dmid, dhigh = M.paired_difference(base, other, "control", regime)
        charts.append((line_chart_svg(
            [Line("regime's share: counterfactual − baseline (median, 10-90%)", dmid,
                  FACTION_COLOURS["regime"], dlow, dhigh),
             Line("chance fallen: counterfactual − baseline",
                  M.fallen_by(other) - M.fallen_by(base), "#0072b2")],
            start, window, "Difference, seed by seed", y_range=(-1.0, 1.0),
            css_class="diff-chart"), "counterfactual_difference.svg"))
    charts.insert(2, (line_chart_svg(fall, start, window,
                                     "Chance the regime has fallen by each month",
                                     css_class="fall-chart"), "ensemble_fallen.svg"))
    return charts


@solara.component
def EnsembleView(applied: dict):
    runs = solara.use_reactive(20)
    counterfactual = solara.use_reactive(NO_COUNTERFACTUAL)
    request, set_request = solara.use_state(0)
    progress = solara.use_reactive((0, 0))
    results = solara.use_reactive(None)
    options = [NO_COUNTERFACTUAL] + [s for s in list_scenarios() if s.startswith("cf_")]

    def work(cancel):
        if not request:
            return
        seeds = list(range(M.parse_seed(applied["seed"]),
                           M.parse_seed(applied["seed"]) + runs.value))
        other = counterfactual.value
        total = len(seeds) * (1 if other == NO_COUNTERFACTUAL else 2)
        progress.set((0, total))
        results.set(None)
        base = M.run_seeds(M.spec_of(applied), seeds, lambda k: progress.set((k, total)),
                           cancel.is_set)
        cf = None
        if other != NO_COUNTERFACTUAL and not cancel.is_set():
            cf = M.run_seeds(M.spec_of(applied, other), seeds,
                             lambda k: progress.set((len(seeds) + k, total)), cancel.is_set)
        if not cancel.is_set():
            results.set({"base": base, "other": cf, "name": other, "request": request,
                         "charts": ensemble_charts(base, cf, other)})

    solara.use_thread(work, dependencies=[request])
    done, total = progress.value
    running = total and done < total
    with solara.Div(classes=["syria-main"]):
        with solara.Card("Ensemble of seeds, and a what-if", classes=["syria-ensemble-controls"]):
            solara.SliderInt(f"Runs: {runs.value} seeds from the run's seed on", value=runs,
                             min=2, max=200, thumb_label=False)
            Picker("Counterfactual beside the baseline", counterfactual,
                   {k: scenario_names().get(k, k) for k in options})
            solara.Button("Run ensemble", on_click=lambda: set_request(request + 1),
                          color="primary", disabled=bool(running))
            if total:
                solara.ProgressLinear(100 * done / total)
                solara.HTML(tag="div", classes=["syria-progress"],
                            unsafe_innerHTML=f"{done} of {total} runs")
            solara.HTML(tag="small", unsafe_innerHTML=(
                "With the settings applied to this run (press Reset first to change them)."))
        if results.value:
            solara.HTML(tag="span", classes=["syria-ensemble-done"], unsafe_innerHTML="",
                        attributes={"data-request": str(results.value["request"])})
            for svg, filename in results.value["charts"]:
                with solara.Card(classes=["syria-ensemble-chart"]):
                    Svg(svg, "syria-ensemble", filename)


# --- the page ---------------------------------------------------------------------------------


@solara.component
def RunView(box: dict, tick: solara.Reactive, settings: solara.Reactive, applied: dict):
    """The views of this session's run. Only they read `tick`, so a Step redraws them and not
    the controls."""
    model = box["model"]
    version = tick.value  # the model moves in place: each view is told it did
    with solara.Div(classes=["syria-main"]):
        with solara.Div(classes=["syria-col"]):
            StatusCard(model, changed_settings(settings.value, applied),
                       M.run_summary(model), version=version)
            MapCard(model, version=version)
            ChartsCard(model, version=version)
        with solara.Div(classes=["syria-col"]):
            WhyCard(model, version=version)
            EventsCard(model, version=version)
            NetworkCard(model, version=version)
            ExportCard(box, applied)


@solara.component
def Page():
    router = solara.use_router()
    first = solara.use_memo(lambda: settings_from_query(router.search or ""), [])
    settings = solara.use_reactive(first)  # as the widgets show them
    applied, set_applied = solara.use_state(first)  # as the model runs them
    box = solara.use_memo(lambda: {"model": M.build(first)}, [])  # this session's model
    tick = solara.use_reactive(0)  # bumped whenever the model moves
    ready, set_ready = solara.use_state(M.KERNELS_READY.is_set())
    playing = solara.use_reactive(False)
    speed = solara.use_reactive(8.0)
    month_text = solara.use_reactive("")
    busy, set_busy = solara.use_state("")
    view = solara.use_reactive(VIEWS[0])

    def wait_for_kernels():
        M.warm_kernels()
        M.KERNELS_READY.wait()
        set_ready(True)

    solara.use_thread(wait_for_kernels, dependencies=[])

    def step():
        if box["model"].running:
            box["model"].step()
            tick.set(tick.value + 1)

    def reset():
        box["model"] = M.build(settings.value)
        set_applied(settings.value)
        tick.set(tick.value + 1)

    def jump():
        try:
            target = month_index(month_text.value.strip(), "jump to month")
        except UserInputError as exc:
            set_busy(str(exc))
            return
        spec = box["model"].spec
        if not spec.start <= target <= spec.end:
            set_busy(f"{month_text.value} is outside the run ({month_label(spec.start)} to "
                     f"{month_label(spec.end)})")
            return
        set_busy("")
        box["model"] = M.replay_to(box["model"], applied, target)
        tick.set(tick.value + 1)

    def play(cancel):
        while playing.value and not cancel.is_set():
            began = time.perf_counter()
            if not box["model"].running:
                playing.set(False)
                break
            step()
            time.sleep(max(1.0 / speed.value - (time.perf_counter() - began), 0.0))

    solara.use_thread(play, dependencies=[playing.value])

    solara.Title("Iran, Russia and the Syrian war: a realist simulation")
    solara.Style(CSS)
    with solara.Row(classes=["syria-header"],
                    style={"align-items": "center", "justify-content": "space-between"}):
        solara.HTML(tag="h1", unsafe_innerHTML=(
            "Iran, Russia and the Syrian war <small style='font-size:55%;opacity:.7'>"
            "a realist agent-based simulation</small>"), style={"margin": "0", "font-size": "24px"})
        solara.lab.ThemeToggle()
    with solara.Div(classes=["syria-page"]):
        Controls(settings, ready, busy, step, reset, jump, playing, speed, month_text)
        with solara.Div(style={"min-width": "0"}):
            solara.ToggleButtonsSingle(value=view, values=VIEWS, classes=["syria-views"])
            if view.value == VIEWS[0]:
                RunView(box, tick, settings, applied)
            else:
                EnsembleView(applied)
