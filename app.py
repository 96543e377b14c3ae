"""The live dashboard: `solara run app.py` or `python run.py dashboard` (README.md).

Mesa's SolaraViz gives the parameter widgets, Step / Play / Reset and the page; the views in
dashboard/views.py draw the month, the map, the charts, the network, the events and "why".
"""

from __future__ import annotations

from mesa.visualization import SolaraViz

from dashboard.model import DEFAULT_SCENARIO, DashboardModel, default_values
from dashboard.views import ChartsView, MapView, MonthView, NetworkView, WhyPanel
from sim.scenario import list_scenarios
from sim.vocabulary import FOREIGN_STATES


def model_params() -> dict:
    """The widgets: scenario, seed, each outside state's survival weight and resolve, the
    rationality of choices, and the outside wars on or off."""
    start = default_values()
    out: dict = {
        "scenario_name": {"type": "Select", "value": DEFAULT_SCENARIO,
                          "values": list_scenarios(), "label": "Scenario"},
        "seed": {"type": "InputText", "value": "1", "label": "Seed"},
        "temperature": {"type": "SliderFloat", "value": start["temperature"], "min": 0.001,
                        "max": 0.05, "step": 0.001,
                        "label": "Choice noise (logit temperature)"},
    }
    for state in FOREIGN_STATES:
        out[f"{state}_survival"] = {
            "type": "SliderFloat", "value": round(start[f"{state}_survival"], 3), "min": 0.05,
            "max": 0.95, "step": 0.05, "label": f"{state}: weight on survival"}
        out[f"{state}_resolve"] = {
            "type": "SliderFloat", "value": round(start[f"{state}_resolve"], 3), "min": 0.1,
            "max": 1.0, "step": 0.05, "label": f"{state}: resolve (willingness to pay)"}
    for shock, label in (("ukraine_war", "Ukraine war (2022)"), ("gaza_war", "Gaza war (2023)"),
                         ("hezbollah_blows", "Blows to Hezbollah (2024)"),
                         ("lebanon_war", "Lebanon war (2024)")):
        out[shock] = {"type": "Checkbox", "value": True, "label": label}
    return out


def make_page(model: DashboardModel | None = None):
    return SolaraViz(
        model if model is not None else DashboardModel(),
        components=[(MonthView, 0), (MapView, 0), (ChartsView, 0), (NetworkView, 0),
                    (WhyPanel, 0)],
        model_params=model_params(),
        name="Iran, Russia and the Syrian war: a realist simulation",
        play_interval=150,
    )


page = make_page()
