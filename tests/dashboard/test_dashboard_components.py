"""The dashboard's views and controls, rendered with `solara.render` (no browser)."""

from __future__ import annotations

import re

import ipyvuetify as v
import numpy as np
import pytest
import solara
from solara.widgets import HTML

import app
from dashboard.drawing import FACTION_COLOURS, TILES, map_svg, network_svg, why_table_html
from dashboard.model import DashboardModel, default_values, overrides
from sim.theatre import load_geography
from sim.vocabulary import FACTIONS, STATES


def html_of(rc, name: str) -> str:
    return rc.find(HTML, attributes={"class": name}).widget.unsafe_innerHTML


def month_of(rc) -> str:
    return re.search(r"<h2[^>]*>(\d{4}-\d{2})", html_of(rc, "syria-month")).group(1)


def click(rc, label: str) -> None:
    rc.find(v.Btn, children=[label]).widget.click()


@pytest.fixture
def page():
    """The whole page (inside an app layout, as `solara run` serves it) and its model."""
    model = solara.reactive(DashboardModel())

    @solara.component
    def Root():  # noqa: N802 (a Solara component)
        with solara.AppLayout():
            app.make_page(model)

    _, rc = solara.render(Root(), handle_error=False)
    yield model, rc
    rc.close()


class TestDrawing:
    def test_the_map_draws_all_fourteen_governorates(self):
        names = load_geography().names
        assert set(TILES) == set(names)
        control = np.zeros((len(names), len(FACTIONS)))
        control[:, 0] = 1.0
        svg = map_svg(control, names)
        drawn = re.findall(r'class="governorate" data-name="([a-z_]+)"', svg)
        assert sorted(drawn) == sorted(names)
        for faction, colour in FACTION_COLOURS.items():  # the legend
            assert colour in svg and faction in FACTIONS

    def test_bands_follow_control_shares(self):
        names = load_geography().names
        control = np.zeros((len(names), len(FACTIONS)))
        control[:, 0], control[:, 3] = 0.25, 0.75
        svg = map_svg(control, names)
        aleppo = svg[svg.index('data-name="aleppo"'):].split("</g>")[0]
        widths = {f: float(w) for w, f in re.findall(
            r'width="([\d.]+)" height="[\d.]+" fill="#\w+" data-faction="(\w+)"', aleppo)}
        assert widths["isis"] == pytest.approx(3 * widths["regime"], rel=0.02)

    def test_the_network_colours_cooperation_and_rivalry(self):
        relations = np.eye(len(STATES))
        i, r, us = STATES.index("iran"), STATES.index("russia"), STATES.index("us")
        relations[i, r] = relations[r, i] = 0.6
        relations[r, us] = relations[us, r] = -0.5
        svg = network_svg(relations)
        assert re.search(r'stroke="#27ae60"[^>]*data-pair="iran-russia"', svg)
        assert re.search(r'stroke="#c0392b"[^>]*data-pair="russia-us"', svg)
        assert 'data-pair="iran-israel"' not in svg  # no relation, no edge

    def test_the_why_table_marks_the_chosen_option(self):
        rows = [{"label": "keep", "survival": -0.2, "balancing": 0.1, "influence": 0.2,
                 "cost": 0.05, "utility": 0.01, "probability": 0.3, "chosen": False},
                {"label": "+air_campaign", "survival": -0.1, "balancing": 0.3, "influence": 0.3,
                 "cost": 0.2, "utility": 0.02, "probability": 0.7, "chosen": True}]
        table = why_table_html(rows)
        assert "+air_campaign (chosen)" in table
        assert table.index("+air_campaign") < table.index("keep")  # best first


class TestWidgetsBecomeScenarioSettings:
    def test_defaults_change_nothing(self):
        assert overrides(default_values(), {"ukraine_war": True}, {"ukraine_war"}) == []

    def test_a_survival_weight_keeps_the_weights_summing_to_one(self):
        values = {**default_values(), "russia_survival": 0.7}
        model = DashboardModel(russia_survival=0.7)
        weights = model.spec.params["russia"]["weights"]
        assert weights["survival"] == pytest.approx(0.7)
        assert sum(weights.values()) == pytest.approx(1.0)
        assert any(s.startswith("russia.weights.balancing=") for s in overrides(values, {}, set()))

    def test_a_shock_switched_off_is_disabled(self):
        model = DashboardModel(ukraine_war=False)
        assert model.spec.shocks["ukraine_war"]["enabled"] is False

    def test_a_bad_value_is_reported_and_the_page_keeps_working(self):
        model = DashboardModel(russia_resolve=7.0, seed="12")
        assert "russia.resolve" in model.input_error
        assert model.spec.params["russia"]["resolve"] != 7.0

    def test_only_scenarios_from_the_folder(self):
        model = DashboardModel(scenario_name="../../etc/passwd")
        assert "scenarios/" in model.input_error and model.spec.name == "full_2011_2025"


class TestPage:
    def test_step_advances_the_month_and_reset_returns(self, page):
        model, rc = page
        assert month_of(rc) == "2011-03"
        click(rc, "Step")
        assert month_of(rc) == "2011-03" and model.value.steps == 1
        click(rc, "Step")
        click(rc, "Step")
        assert month_of(rc) == "2011-05"
        assert "(chosen)" in html_of(rc, "syria-why")
        first = model.value
        click(rc, "Reset")
        assert model.value is not first and model.value.steps == 0
        assert month_of(rc) == "2011-03"

    def test_the_map_changes_as_the_war_goes_on(self, page):
        _, rc = page
        before = html_of(rc, "syria-map")
        for _ in range(8):
            click(rc, "Step")
        assert html_of(rc, "syria-map") != before
        assert "military_intervention" in html_of(rc, "syria-events") or html_of(
            rc, "syria-events") != "nothing yet"

    def test_moving_a_slider_rebuilds_the_model_with_the_new_value(self, page):
        model, rc = page
        slider = rc.find(v.Slider, label="russia: resolve (willingness to pay)").widget
        slider.v_model = 0.95
        click(rc, "Reset")
        assert model.value.spec.params["russia"]["resolve"] == pytest.approx(0.95)

    def test_switching_scenario_starts_from_its_own_month(self, page):
        model, rc = page
        rc.find(v.Select, label="Scenario").widget.v_model = "collapse_2024"
        click(rc, "Reset")
        assert model.value.spec.name == "collapse_2024"
        assert month_of(rc) == "2024-01"
        click(rc, "Step")
        assert month_of(rc) == "2024-01"

    def test_the_why_panel_follows_the_chosen_state(self, page):
        model, rc = page
        click(rc, "Step")
        rc.find(v.Select, label="State").widget.v_model = "iran"
        table = html_of(rc, "syria-why")
        chosen = next(r for r in model.value.states["iran"].why() if r["chosen"])
        assert f"{chosen['label']} (chosen)" in table
