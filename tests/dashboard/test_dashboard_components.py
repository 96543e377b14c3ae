"""The dashboard's drawing, its reading of the model and its page, rendered with
`solara.render` (no browser)."""

from __future__ import annotations

import re
import time

import ipyvuetify as v
import numpy as np
import pytest
import solara
from solara.widgets import HTML

from dashboard import model as M
from dashboard import views
from dashboard.drawing import (
    FACTION_COLOURS,
    Line,
    line_chart_svg,
    map_svg,
    network_svg,
    why_table_html,
)
from dashboard.model import DashboardModel, default_values, overrides
from dashboard.names import event_text, option_text
from sim.theatre import load_geography
from sim.vocabulary import FACTIONS, STATES, month_index

TERM_COLUMNS = ("survival", "balancing", "influence", "cost", "entry", "switching")


def widgets_html(rc, name: str) -> list[str]:
    return [w.unsafe_innerHTML for w in rc.find(HTML).widgets
            if name in w.attributes.get("class", "").split()]


def html_of(rc, name: str) -> str:
    (text,) = widgets_html(rc, name)
    return text


def month_of(rc) -> str:
    return re.search(r"<h2[^>]*>(\d{4}-\d{2})", html_of(rc, "syria-month")).group(1)


def click(rc, label: str) -> None:
    rc.find(v.Btn, children=[label]).widget.click()


def stepped(months: int, **settings) -> DashboardModel:
    model = DashboardModel(**settings)
    for _ in range(months):
        model.step()
    return model


@pytest.fixture(scope="module", autouse=True)
def kernels():
    M.warm_kernels()
    assert M.KERNELS_READY.wait(timeout=600)


def render_page():
    @solara.component
    def Root():  # noqa: N802 (a Solara component)
        with solara.AppLayout():
            views.Page()

    _, rc = solara.render(Root(), handle_error=False)
    return rc


@pytest.fixture
def page():
    rc = render_page()
    yield rc
    rc.close()


class TestDrawing:
    def test_the_map_draws_every_governorate_from_the_geojson(self):
        names = load_geography().names
        control = np.zeros((len(names), len(FACTIONS)))
        control[:, 0] = 1.0
        svg = map_svg(control, names)
        drawn = re.findall(r'class="governorate" data-name="([a-z_]+)"', svg)
        assert sorted(drawn) == sorted(names)
        assert len(re.findall(r'<path class="outline" id="outline-[a-z_]+" d="M', svg)) == 14
        assert 'class="capital"' in svg

    def test_bands_follow_control_shares(self):
        names = load_geography().names
        control = np.zeros((len(names), len(FACTIONS)))
        control[:, 0], control[:, 3] = 0.25, 0.75
        svg = map_svg(control, names)
        aleppo = svg[svg.index('data-name="aleppo"'):].split("</g></g>")[0]
        widths = {f: float(w) for w, f in re.findall(
            r'width="([\d.]+)" height="[\d.]+" fill="#\w+" data-faction="(\w+)"', aleppo)}
        assert widths["isis"] == pytest.approx(3 * widths["regime"], rel=0.02)
        assert "Assad government 25%, ISIS 75%" in aleppo  # the hover text

    def test_the_network_colours_cooperation_and_rivalry(self):
        relations = np.eye(len(STATES))
        i, r, us = STATES.index("iran"), STATES.index("russia"), STATES.index("us")
        relations[i, r] = relations[r, i] = 0.6
        relations[r, us] = relations[us, r] = -0.5
        svg = network_svg(relations)
        assert re.search(r'stroke="#2a9d5c"[^>]*data-pair="iran-russia"', svg)
        assert re.search(r'stroke="#d1495b"[^>]*data-pair="russia-us"', svg)
        assert 'data-pair="iran-israel"' not in svg  # no relation, no edge

    def test_a_fan_is_drawn_between_its_bounds(self):
        line = Line("regime", np.array([0.5, 0.5]), "#000", np.array([0.25, 0.25]),
                    np.array([0.75, 0.75]))
        svg = line_chart_svg([line], 0, (0, 1), "t")
        (fan,) = re.findall(r'class="fan" points="([^"]+)"', svg)
        ys = sorted({float(p.split(",")[1]) for p in fan.split()})
        mid = float(re.search(r'<polyline points="[\d.]+,([\d.]+)', svg).group(1))
        assert len(ys) == 2 and mid == pytest.approx(sum(ys) / 2)

    def test_the_why_table_marks_a_chance_pick_with_its_probability(self):
        base = dict.fromkeys(TERM_COLUMNS, 0.0)
        rows = [{**base, "text": "keep its portfolio", "utility": 0.02, "probability": 0.72,
                 "chosen": False},
                {**base, "text": "add an air campaign", "utility": 0.01, "probability": 0.28,
                 "chosen": True}]
        table = why_table_html(rows, {"survival": 0.5, "balancing": 0.3, "influence": 0.2})
        assert "chance pick, p = 0.28" in table
        assert table.index("keep its portfolio") < table.index("add an air campaign")
        assert "× 0.50" in table  # the weight under its term


class TestNames:
    def test_events_read_as_sentences(self):
        assert event_text("russia", "veto", "us", "draft 8") == "Russia vetoes draft 8"
        assert event_text("us", "sanctions", "syria", "") == "The US sanctions Syria"
        assert "air campaign" in event_text("russia", "military_intervention", "syria",
                                            "air_campaign")

    def test_options_read_as_actions(self):
        assert option_text("+air_campaign") == "add an air campaign"
        assert option_text("-advisers_militias") == "drop advisers and militias"
        assert option_text("keep") == "keep its portfolio"


class TestWhy:
    @pytest.mark.parametrize("months", [6, 40, 60])
    def test_the_columns_add_up_to_the_utility_the_choice_used(self, months):
        model = stepped(months)
        temperature = model.params["choice"]["temperature"]
        for state in STATES:
            rows, weights = M.why_rows(model, state)
            assert sum(weights.values()) == pytest.approx(1.0)
            for row in rows:
                assert sum(row[k] for k in TERM_COLUMNS) == pytest.approx(row["utility"])
            # the logit on the shown utility gives the model's own probabilities: nothing the
            # choice applied is left out
            u = np.array([r["utility"] for r in rows])
            p = np.exp((u - u.max()) / temperature)
            assert p / p.sum() == pytest.approx([r["probability"] for r in rows], abs=1e-9)

    def test_changing_course_costs_the_switching_cost_and_entering_the_entry_cost(self):
        model = stepped(40)
        switching = model.params["choice"]["switching_cost"]
        entries = []
        for state in STATES:
            rows, _ = M.why_rows(model, state)
            assert rows[0]["label"] == "keep" and rows[0]["switching"] == 0.0
            assert all(r["switching"] == pytest.approx(-switching) for r in rows[1:])
            entries += [r["entry"] for r in rows if r["entry"]]
        assert entries, "some state could enter the war in this month"

    def test_the_reading_names_the_pick_and_the_next_best(self):
        model = stepped(40)
        rows, _ = M.why_rows(model, "russia")
        line = M.reading("russia", rows)
        assert line.startswith("Russia ") and "in utility" in line


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

    def test_a_link_holds_the_settings(self):
        settings = {**views.default_settings(), "scenario_name": "collapse_2024", "seed": "7",
                    "russia_resolve": 0.9, "gaza_war": False}
        assert views.settings_from_query(views.settings_query(settings)) == settings
        assert views.settings_from_query("?seed=3&nonsense=1&temperature=x")["seed"] == "3"


class TestReplay:
    def test_a_month_passed_is_replayed_exactly(self):
        settings = views.default_settings()
        model = stepped(30)
        again = M.replay_to(model, settings, month_index("2011-12"))
        assert again is not model and again.month == month_index("2011-12")
        reference = stepped(10)
        assert np.array_equal(again.control, reference.control)
        assert M.replay_to(again, settings, month_index("2012-06")) is again


class TestPage:
    def test_step_jump_and_reset(self, page):
        assert month_of(page) == "2011-03"
        map_at_start = html_of(page, "syria-map")
        for _ in range(3):
            click(page, "Step")
        assert month_of(page) == "2011-05"
        assert "chosen" in html_of(page, "syria-why")
        page.find(v.TextField, label="Jump to month (YYYY-MM)").widget.v_model = "2015-09"
        click(page, "Go")
        assert month_of(page) == "2015-09"
        assert html_of(page, "syria-map") != map_at_start
        assert "nothing yet" not in html_of(page, "syria-events")
        click(page, "Reset")
        assert month_of(page) == "2011-03"

    def test_a_change_waits_for_reset_and_says_so(self, page):
        page.find(v.Select, label="Scenario").widget.v_model = "collapse_2024"
        assert "Press Reset to apply" in html_of(page, "syria-pending")
        assert month_of(page) == "2011-03"
        click(page, "Reset")
        assert month_of(page) == "2024-01" and not widgets_html(page, "syria-pending")

    def test_two_pages_have_their_own_models(self):
        first, second = render_page(), render_page()
        try:
            for _ in range(4):
                click(first, "Step")
            assert month_of(first) == "2011-06" and month_of(second) == "2011-03"
        finally:
            first.close()
            second.close()

    def test_an_ensemble_with_a_counterfactual(self, page):
        page.find(v.BtnToggle).widget.v_model = 1  # the ensemble view
        page.find(v.Select, label="Counterfactual beside the baseline").widget.v_model = (
            "cf_no_russian_intervention")
        page.find(v.Slider, label="Runs: 20 seeds from the run's seed on").widget.v_model = 3
        click(page, "Run ensemble")
        deadline = time.monotonic() + 120
        while not widgets_html(page, "syria-ensemble") and time.monotonic() < deadline:
            time.sleep(0.2)
        charts = widgets_html(page, "syria-ensemble")
        assert len(charts) == 5
        assert "fan" in charts[0] and "Difference, seed by seed" in charts[4]
        assert "6 of 6 runs" in html_of(page, "syria-progress")


def test_the_record_points_are_the_record_file():
    points = M.record_points()
    assert points and all(f in FACTION_COLOURS for _, f, *_ in points)
