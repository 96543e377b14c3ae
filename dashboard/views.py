"""The dashboard's own Solara components; each takes the model and draws one view of it.

SolaraViz redraws them after every step (Mesa's `update_counter`); each reads the model's
public state and the DataCollector's tables only.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import solara
from mesa.visualization.utils import update_counter

from analysis.targets import load_targets
from dashboard.drawing import (
    FACTION_COLOURS,
    STATE_COLOURS,
    line_chart_svg,
    map_svg,
    network_svg,
    why_table_html,
)
from sim.vocabulary import FACTIONS, FOREIGN_STATES, STATES, month_index, month_label

EVENTS_SHOWN = 12
QUIET_EVENTS = ("action_start", "action_stop")  # every portfolio change: too many to list


@lru_cache(maxsize=1)
def record_bands() -> dict[str, list[tuple[int, int, float, float]]]:
    """The historical record's control bands (analysis/targets.toml, kind "band"), by faction."""
    bands: dict[str, list[tuple[int, int, float, float]]] = {}
    for target in load_targets():
        if target.kind == "band" and target.variable == "control":
            start, end = (month_index(m) for m in target.window)
            bands.setdefault(target.subject, []).append((start, end, target.lo, target.hi))
    return bands


def _history(model, name: str) -> np.ndarray:
    rows = model.datacollector.model_vars.get(name, [])
    return np.array(rows) if rows else np.zeros((0, len(STATES)))


@solara.component
def MonthView(model):
    update_counter.get()  # redrawn after every step (Mesa's SolaraViz bumps it)
    fallen = getattr(model, "fallen_at", None) is not None
    government = "successor government" if fallen else "Assad government"
    error = getattr(model, "input_error", None)
    with solara.Column():
        if error:
            solara.Error(f"{error} — showing the default scenario instead")
        heading = (month_label(model.month) if model.steps
                   else f"{month_label(model.month + 1)} (start)")
        solara.HTML(tag="div", classes=["syria-month"], unsafe_innerHTML=(
            f"<h2 style='margin:0'>{heading}</h2>"
            f"<div>{model.spec.name} · seed {getattr(model, 'seed_value', '')} · "
            f"{government} in Damascus</div>"))
        EventLog(model)


@solara.component
def MapView(model):
    update_counter.get()  # redrawn after every step (Mesa's SolaraViz bumps it)
    with solara.Card("Who holds Syria's governorates"):
        solara.HTML(tag="div", classes=["syria-map"],
                    unsafe_innerHTML=map_svg(model.control, model.geo.names))


@solara.component
def NetworkView(model):
    update_counter.get()  # redrawn after every step (Mesa's SolaraViz bumps it)
    with solara.Card("Cooperation (green) and rivalry (red)"):
        solara.HTML(tag="div", classes=["syria-network"],
                    unsafe_innerHTML=network_svg(model.relations))


@solara.component
def ChartsView(model):
    update_counter.get()  # redrawn after every step (Mesa's SolaraViz bumps it)
    window = (model.spec.start, model.spec.end)
    first = model.spec.start
    influence = _history(model, "influence")
    control = _history(model, "control")
    bands = record_bands()
    with solara.Card("Over time"):
        solara.HTML(tag="div", classes=["syria-influence"], unsafe_innerHTML=line_chart_svg(
            {s: influence[:, STATES.index(s)] if len(influence) else np.zeros(0)
             for s in FOREIGN_STATES}, STATE_COLOURS, first, window,
            "Influence over Damascus and the ground (no record series exists)"))
        solara.HTML(tag="div", classes=["syria-control"], unsafe_innerHTML=line_chart_svg(
            {f: control[:, i] if len(control) else np.zeros(0)
             for i, f in enumerate(FACTIONS[:4])}, FACTION_COLOURS, first, window,
            "Share of Syria held; shaded: the record's bands (analysis/targets.toml)",
            [(*band, FACTION_COLOURS[f]) for f in FACTIONS[:4] for band in bands.get(f, [])]))


@solara.component
def EventLog(model):
    update_counter.get()  # redrawn after every step (Mesa's SolaraViz bumps it)
    shown = [e for e in model.events if e[2] not in QUIET_EVENTS][-EVENTS_SHOWN:]
    first = model.spec.start
    lines = [f"{month_label(first + step - 1)} {actor} {event}"
             + (f" → {target}" if target else "") + (f" ({detail})" if detail else "")
             for step, actor, event, target, detail in reversed(shown)]
    with solara.Card("Latest events"):
        solara.HTML(tag="pre", classes=["syria-events"],
                    unsafe_innerHTML="\n".join(lines) or "nothing yet")


@solara.component
def WhyPanel(model):
    update_counter.get()  # redrawn after every step (Mesa's SolaraViz bumps it)
    state, set_state = solara.use_state("russia")
    actor = model.states[state]
    with solara.Card("Why: the options weighed this month"):
        solara.Select(label="State", value=state, values=list(STATES), on_value=set_state)
        solara.HTML(tag="div", classes=["syria-why"],
                    unsafe_innerHTML=why_table_html(actor.why()))
