"""The scenario loader (sim/scenario.py): shipped scenarios, `extends`, bad input as user
errors naming the file and key, `--set` overrides, and property tests of the loader on
generated files (written to tmp_path)."""

from __future__ import annotations

import json
import math
import tomllib
import uuid
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim import limits, params
from sim.errors import UserInputError
from sim.scenario import SCENARIO_DIR, list_scenarios, load_scenario, parse_set
from sim.shocks import Calendar
from sim.vocabulary import ACTIONS, STATES, month_index, month_label

HISTORY = tomllib.loads((SCENARIO_DIR / "_history.toml").read_text(encoding="utf-8"))
HISTORY_SHOCKS: dict[str, dict] = HISTORY["shocks"]
DEFAULTS = params.load_defaults()
MENUS = {s: DEFAULTS[s]["menu"] for s in STATES}


# --- writing TOML (no writer in the standard library) ----------------------------------------


def _key(k: str) -> str:
    return json.dumps(str(k), ensure_ascii=False)


def _value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        assert math.isfinite(v)
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(type(v))


def to_toml(data: dict) -> str:
    """A TOML document of dotted keys, one leaf a line (empty tables and lists inline)."""
    lines = []

    def walk(node: dict, prefix: str) -> None:
        for k, v in node.items():
            dotted = f"{prefix}{_key(k)}"
            if isinstance(v, dict) and v:
                walk(v, dotted + ".")
            else:
                lines.append(f"{dotted} = {_value(v)}")

    walk(data, "")
    return "\n".join(lines) + "\n"


def write(directory: Path, data: dict | str, name: str | None = None) -> Path:
    path = directory / (name or f"s_{uuid.uuid4().hex[:10]}.toml")
    path.write_text(data if isinstance(data, str) else to_toml(data), encoding="utf-8")
    return path


def minimal(**changes) -> dict:
    """A small valid standalone scenario."""
    return {"initial_state": "2011-03", "start": "2012-01", "end": "2012-06", **changes}


def user_error(target, sets=()) -> UserInputError:
    with pytest.raises(UserInputError) as info:
        load_scenario(str(target), sets=sets)
    return info.value


# --- shipped scenarios ----------------------------------------------------------------------


class TestShippedScenarios:
    def test_the_shipped_scenarios_are_listed_and_bases_are_not(self):
        names = list_scenarios()
        assert {"cooperation_2011_2017", "full_2011_2025"} <= set(names)
        assert not any(n.startswith("_") for n in names)

    @pytest.mark.parametrize("name", list_scenarios())
    def test_every_shipped_scenario_loads(self, name):
        scenario = load_scenario(name)
        assert scenario.start <= scenario.end
        assert scenario.months >= 1 and scenario.runs >= 1
        assert scenario.chain[0].endswith(f"{name}.toml")
        for shock_name, shock in scenario.shocks.items():
            assert shock["source"].strip(), f"shock {shock_name} names no source"
        for g, shares in scenario.initial["control"].items():
            assert sum(shares.values()) == pytest.approx(1.0), g
        params.validate(scenario.params, scenario.path)  # the resolved tree is itself valid

    def test_a_mistyped_name_gets_a_hint(self):
        error = user_error("full_2011_2024")
        assert "did you mean 'full_2011_2025'" in str(error)

    def test_a_missing_file(self, tmp_path):
        error = user_error(tmp_path / "nope.toml")
        assert "nope.toml" in str(error)


# --- extends --------------------------------------------------------------------------------


class TestExtends:
    def test_child_overrides_a_parent_scalar_and_keeps_the_rest(self, tmp_path):
        write(tmp_path, minimal(runs=5, parameters={"theatre": {"mobility": 0.1, "spill": 0.3}}),
              "parent.toml")
        child = write(tmp_path, {"extends": "parent.toml", "end": "2013-01",
                                 "parameters": {"theatre": {"mobility": 0.2}}})
        scenario = load_scenario(str(child))
        assert scenario.end_label == "2013-01"
        assert scenario.start_label == "2012-01" and scenario.runs == 5
        assert scenario.params["theatre"]["mobility"] == 0.2
        assert scenario.params["theatre"]["spill"] == 0.3
        assert [Path(c).name for c in scenario.chain] == [child.name, "parent.toml"]

    def test_forbid_lists_add_up(self, tmp_path):
        write(tmp_path, minimal(forbid=[{"actor": "russia", "action": "air_campaign"}]),
              "parent.toml")
        child = write(tmp_path, {"extends": "parent.toml",
                                 "forbid": [{"actor": "iran", "action": "ground_deployment"}]})
        pairs = {(f["actor"], f["action"]) for f in load_scenario(str(child)).forbid}
        assert pairs == {("russia", "air_campaign"), ("iran", "ground_deployment")}

    def test_a_shock_is_switched_off_with_enabled_false(self, tmp_path):
        child = write(tmp_path, {"extends": "_history", "start": "2011-03", "end": "2012-03",
                                 "shocks": {"uprising": {"enabled": False}}})
        scenario = load_scenario(str(child))
        assert scenario.shocks["uprising"]["enabled"] is False
        assert scenario.shocks["uprising"]["kind"] == HISTORY_SHOCKS["uprising"]["kind"]
        calendar = Calendar(scenario.shocks)
        assert "uprising" not in calendar.shocks
        on_in_history = {name for name, shock in HISTORY_SHOCKS.items()
                         if shock.get("enabled", True)}  # iraq_war_draw is off there (D20)
        assert set(calendar.shocks) == on_in_history - {"uprising"}

    def test_a_child_changes_one_field_of_a_parent_shock(self, tmp_path):
        child = write(tmp_path, {"extends": "_history", "start": "2011-03", "end": "2012-03",
                                 "shocks": {"ukraine_war": {"magnitude": 0.5}}})
        shock = load_scenario(str(child)).shocks["ukraine_war"]
        assert shock["magnitude"] == 0.5
        assert shock["demand"] == HISTORY_SHOCKS["ukraine_war"]["demand"]

    def test_an_edited_file_is_read_again_and_a_loaded_one_is_not_shared(self, tmp_path):
        path = write(tmp_path, minimal(parameters={"theatre": {"mobility": 0.1}}))
        first = load_scenario(str(path))
        first.params["theatre"]["mobility"] = 0.9  # the caller's copy: the cache must not see it
        assert load_scenario(str(path)).params["theatre"]["mobility"] == 0.1
        write(tmp_path, minimal(runs=3, parameters={"theatre": {"mobility": 0.25}}), path.name)
        assert load_scenario(str(path)).params["theatre"]["mobility"] == 0.25

    @pytest.mark.parametrize("files", [
        {"a.toml": "b.toml", "b.toml": "a.toml"},
        {"a.toml": "a.toml"},
        {"a.toml": "b.toml", "b.toml": "c.toml", "c.toml": "b.toml"},
    ])
    def test_a_cycle_is_a_user_error(self, tmp_path, files):
        for name, parent in files.items():
            write(tmp_path, minimal(extends=parent), name)
        error = user_error(tmp_path / "a.toml")
        assert error.key == "extends"
        assert "extends" in str(error) and "cycle" in str(error)
        assert str(tmp_path) in str(error)

    def test_a_missing_parent_is_a_user_error(self, tmp_path):
        child = write(tmp_path, minimal(extends="no_such_parent"))
        error = user_error(child)
        assert error.key == "extends"
        assert str(child) in str(error) and "no_such_parent" in str(error)

    @pytest.mark.parametrize("key", ["start", "end", "initial_state"])
    def test_required_somewhere_in_the_chain(self, tmp_path, key):
        data = minimal()
        del data[key]
        error = user_error(write(tmp_path, data))
        assert error.key == key and "missing" in str(error)


# --- bad input ------------------------------------------------------------------------------


BAD_MONTHS = ["2011-13", "2011-00", "2011-3", "11-03", "March 2011", "2011/03", "2011-03-01"]


class TestBadInput:
    @pytest.mark.parametrize("month", BAD_MONTHS)
    def test_bad_start_date(self, tmp_path, month):
        path = write(tmp_path, minimal(start=month))
        error = user_error(path)
        assert error.key == "start" and str(path) in str(error)

    @pytest.mark.parametrize("month", BAD_MONTHS[:3])
    def test_bad_shock_and_forbid_dates(self, tmp_path, month):
        shock = {**HISTORY_SHOCKS["caesar_act"], "start": month}
        assert user_error(write(tmp_path, minimal(shocks={"c": shock}))).key == "shocks.c.start"
        shock = {**HISTORY_SHOCKS["caesar_act"], "end": month}
        assert user_error(write(tmp_path, minimal(shocks={"c": shock}))).key == "shocks.c.end"
        forbid = [{"actor": "us", "action": "sanctions", "start": month}]
        assert user_error(write(tmp_path, minimal(forbid=forbid))).key == "forbid[0].start"

    def test_a_date_must_be_text(self, tmp_path):
        assert user_error(write(tmp_path, minimal(end=2012))).key == "end"

    def test_end_before_start(self, tmp_path):
        path = write(tmp_path, minimal(start="2012-06", end="2012-05"))
        error = user_error(path)
        assert error.key == "end" and "before start" in str(error)

    def test_one_month_is_a_valid_run(self, tmp_path):
        scenario = load_scenario(str(write(tmp_path, minimal(start="2012-06", end="2012-06"))))
        assert scenario.months == 1

    def test_unknown_shock_kind(self, tmp_path):
        shock = {**HISTORY_SHOCKS["caesar_act"], "kind": "meteor"}
        error = user_error(write(tmp_path, minimal(shocks={"rock": shock})))
        assert error.key == "shocks.rock.kind" and "meteor" in str(error)

    @pytest.mark.parametrize(("kind", "needs", "extra"), [
        ("force_surge", "force", {}),
        ("force_blow", "force", {}),
        ("theatre_demand", "actor", {}),
        ("salience", "actor", {"term": "survival"}),
        ("salience", "term", {"actor": "iran"}),
    ])
    def test_a_shock_missing_a_field_its_kind_needs(self, tmp_path, kind, needs, extra):
        shock = {"kind": kind, "start": "2012-02", "source": "test", **extra}
        path = write(tmp_path, minimal(shocks={"x": shock}))
        error = user_error(path)
        assert error.key.startswith("shocks.x")
        assert f"`{needs}`" in str(error) and str(path) in str(error)

    def test_a_shock_must_name_its_source(self, tmp_path):
        shock = {k: v for k, v in HISTORY_SHOCKS["caesar_act"].items() if k != "source"}
        assert user_error(write(tmp_path, minimal(shocks={"c": shock}))).key == "shocks.c.source"

    def test_a_shock_on_an_unknown_governorate_gets_a_hint(self, tmp_path):
        shock = {**HISTORY_SHOCKS["uprising"], "governorates": {"alepo": 0.1}}
        error = user_error(write(tmp_path, minimal(shocks={"u": shock})))
        assert error.key == "shocks.u.governorates.alepo"
        assert "did you mean 'aleppo'" in str(error)

    def test_forbid_an_action_off_the_actors_menu(self, tmp_path):
        off_menu = next(a for a in ACTIONS if a not in MENUS["turkey"])
        path = write(tmp_path, minimal(forbid=[{"actor": "turkey", "action": off_menu}]))
        error = user_error(path)
        assert error.key == "forbid[0].action"
        assert off_menu in str(error) and str(path) in str(error)

    def test_forbid_an_unknown_action(self, tmp_path):
        path = write(tmp_path, minimal(forbid=[{"actor": "iran", "action": "nuke"}]))
        assert "forbid" in user_error(path).key

    def test_unknown_top_level_key(self, tmp_path):
        path = write(tmp_path, minimal(sart="2012-01"))
        error = user_error(path)
        assert error.key == "sart" and "unknown key" in str(error)

    def test_unknown_parameter_names_the_scenario_file(self, tmp_path):
        path = write(tmp_path, minimal(parameters={"iran": {"resolv": 0.5}}))
        error = user_error(path)
        assert error.key == "parameters.iran.resolv"
        assert str(path) in str(error) and "did you mean 'resolve'" in str(error)

    def test_out_of_range_parameter(self, tmp_path):
        error = user_error(write(tmp_path, minimal(parameters={"theatre": {"mobility": 0.9}})))
        assert error.key == "parameters.theatre.mobility"

    def test_malformed_toml(self, tmp_path):
        path = write(tmp_path, 'start = "2012-01\n')
        error = user_error(path)
        assert str(path) in str(error) and "malformed TOML" in str(error)

    def test_unknown_initial_state(self, tmp_path):
        error = user_error(write(tmp_path, minimal(initial_state="1999-01")))
        assert error.key == "initial_state" and "2011-03" in str(error)

    @pytest.mark.parametrize("runs", [0, -1, 100_001])
    def test_runs_out_of_range_in_a_file(self, tmp_path, runs):
        assert user_error(write(tmp_path, minimal(runs=runs))).key == "runs"


# --- --set ----------------------------------------------------------------------------------


class TestSet:
    def test_a_parameter(self):
        scenario = load_scenario("cooperation_2011_2017", sets=["theatre.mobility=0.3"])
        assert scenario.params["theatre"]["mobility"] == 0.3
        assert scenario.sets == ["theatre.mobility=0.3"]

    def test_a_missing_key_gets_a_hint(self):
        error = user_error("cooperation_2011_2017", sets=["russia.resolv=0.5"])
        assert error.source == "--set" and error.key == "russia.resolv"
        assert "did you mean 'russia.resolve'" in str(error)

    def test_a_table_is_not_a_parameter(self):
        error = user_error("cooperation_2011_2017", sets=["theatre=1"])
        assert error.source == "--set" and error.key == "theatre"

    def test_an_out_of_range_value_names_the_key(self):
        error = user_error("cooperation_2011_2017", sets=["iran.resolve=2"])
        assert error.source == "--set" and error.key == "iran.resolve"

    def test_without_an_equals_sign(self):
        assert user_error("cooperation_2011_2017", sets=["iran.resolve"]).source == "--set"

    def test_a_shock_field(self):
        scenario = load_scenario("cooperation_2011_2017",
                                 sets=["shocks.uprising.magnitude=0.5",
                                       "shocks.gulf_arms.enabled=false"])
        assert scenario.shocks["uprising"]["magnitude"] == 0.5
        assert scenario.shocks["gulf_arms"]["enabled"] is False

    def test_an_unknown_shock(self):
        error = user_error("cooperation_2011_2017", sets=["shocks.uprisin.magnitude=0.5"])
        assert error.key == "shocks.uprisin.magnitude" and "uprising" in str(error)

    def test_an_unknown_shock_field(self):
        error = user_error("cooperation_2011_2017", sets=["shocks.uprising.magnitud=0.5"])
        assert error.key == "shocks.uprising.magnitud" and "magnitude" in str(error)

    def test_the_end(self):
        assert load_scenario("cooperation_2011_2017", sets=["end=2012-06"]).end_label == "2012-06"

    def test_the_start_and_end_together(self):
        scenario = load_scenario("full_2011_2025", sets=["start=2024-01", "end=2024-03"])
        assert (scenario.start_label, scenario.end_label, scenario.months) == (
            "2024-01", "2024-03", 3)

    def test_an_end_before_the_start(self):
        assert user_error("cooperation_2011_2017", sets=["end=2010-01"]).key == "end"

    def test_a_bad_end(self):
        assert user_error("cooperation_2011_2017", sets=["end=2012-13"]).key == "end"

    def test_parse_set_reads_toml_values(self):
        assert parse_set("a.b=0.5") == ("a.b", 0.5)
        assert parse_set("a=true") == ("a", True)
        assert parse_set('a="x"') == ("a", "x")
        assert parse_set("end=2024-03") == ("end", "2024-03")  # not TOML: kept as text

    @pytest.mark.parametrize("value", ["0", "-5", "2.5", '"many"', "[1]"])
    def test_runs_out_of_range(self, value):
        with pytest.raises(UserInputError):
            load_scenario("cooperation_2011_2017", sets=[f"runs={value}"])

    def test_runs_in_range(self):
        assert load_scenario("cooperation_2011_2017", sets=["runs=7"]).runs == 7


# --- properties of the loader ---------------------------------------------------------------


SCHEMA = params.Params.model_json_schema()


def _resolve(node: dict) -> dict:
    while "$ref" in node:
        node = SCHEMA["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def leaf_schema(path: str) -> dict:
    node = SCHEMA
    for part in path.split("."):
        node = _resolve(node)
        node = node.get("properties", {}).get(part) or node["additionalProperties"]
    return _resolve(node)


# numeric leaves, except the payoff weights (they must also sum to 1 together)
NUMERIC = [p for p in params.leaf_paths(DEFAULTS)
           if isinstance(params.get_path(DEFAULTS, p), int | float)
           and not isinstance(params.get_path(DEFAULTS, p), bool) and ".weights." not in p]


def in_range(path: str) -> st.SearchStrategy:
    schema = leaf_schema(path)
    if schema["type"] == "integer":
        return st.integers(schema.get("minimum"), schema.get("maximum"))
    default = float(params.get_path(DEFAULTS, path))
    lo = schema.get("minimum", schema.get("exclusiveMinimum"))
    hi = schema.get("maximum", schema.get("exclusiveMaximum", max(10.0, 3.0 * abs(default))))
    return st.floats(-10.0 if lo is None else lo, hi, exclude_min="exclusiveMinimum" in schema,
                     exclude_max="exclusiveMaximum" in schema, allow_nan=False,
                     allow_infinity=False)


@st.composite
def overrides(draw) -> dict[str, int | float]:
    paths = draw(st.lists(st.sampled_from(NUMERIC), unique=True, max_size=8))
    return {p: draw(in_range(p)) for p in paths}


# any month the model has data for (sim/limits.py; months outside it are refused)
months = st.integers(month_index(limits.DATA_FIRST), month_index(limits.DATA_LAST))
forbids = st.lists(st.sampled_from(STATES).flatmap(
    lambda s: st.sampled_from(MENUS[s]).map(lambda a: {"actor": s, "action": a})), max_size=3)


def nested(flat: dict[str, object]) -> dict:
    tree: dict = {}
    for path, value in flat.items():
        node = tree
        parts = path.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return tree


# Where a junk key can go: every table of a valid file, and every table of the parameter tree
# (as a new override). Tables keyed by governorate are pinned separately (below).
FREE_KEYS = ("focus", "sdf_home")
VALID = {
    "description": "valid", "initial_state": "2011-03", "start": "2011-03", "end": "2012-03",
    "runs": 3,
    "parameters": {"theatre": {"mobility": 0.1, "hostility": {"regime-isis": 0.4}},
                   "iran": {"resolve": 0.8,
                            "actions": {"financial_aid": {"recruits": {"regime": 0.5}}}}},
    "shocks": {"uprising": HISTORY_SHOCKS["uprising"],
               "ukraine_war": HISTORY_SHOCKS["ukraine_war"]},
    "forbid": [{"actor": "russia", "action": "air_campaign", "start": "2011-06"}],
}


def tables(node, path: tuple = ()):
    """Paths of every table (dict) in a nested structure, list items by index."""
    if isinstance(node, dict):
        yield path
        for k, v in node.items():
            yield from tables(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from tables(v, (*path, i))


PLACES = sorted(
    (p for p in {*tables(VALID), *(("parameters", *q) for q in tables(DEFAULTS))}
     if not (p and p[-1] in FREE_KEYS)), key=str)


class TestLoaderProperties:
    def test_the_schema_gives_every_numeric_parameter_a_range(self):
        assert len(NUMERIC) > 100
        for path in NUMERIC:
            assert leaf_schema(path)["type"] in ("number", "integer"), path

    @given(shocks=st.lists(st.sampled_from(sorted(HISTORY_SHOCKS)), unique=True),
           window=st.tuples(months, months).map(sorted), runs=st.integers(1, 100_000),
           values=overrides(), forbid=forbids)
    def test_a_file_built_from_valid_pieces_loads_and_round_trips(self, tmp_path, shocks, window,
                                                                  runs, values, forbid):
        start, end = (month_label(m) for m in window)
        data = {"description": "generated", "initial_state": "2011-03", "start": start,
                "end": end, "runs": runs, "parameters": nested(values),
                "shocks": {name: HISTORY_SHOCKS[name] for name in shocks}, "forbid": forbid}
        path = write(tmp_path, data)
        scenario = load_scenario(str(path))

        assert (scenario.start_label, scenario.end_label, scenario.runs) == (start, end, runs)
        assert set(scenario.shocks) == set(shocks)
        for name in shocks:
            for field, value in HISTORY_SHOCKS[name].items():
                assert scenario.shocks[name][field] == value, (name, field)
        for p, value in values.items():
            assert params.get_path(scenario.params, p) == value, p
        expected = params.load_defaults()
        for p, value in values.items():
            params.set_path(expected, p, value)
        assert scenario.params == params.validate(expected, "expected")
        assert [(f["actor"], f["action"]) for f in scenario.forbid] == [
            (f["actor"], f["action"]) for f in forbid]

    @given(place=st.sampled_from(PLACES), key=st.from_regex(r"zz[a-z_0-9]{0,8}", fullmatch=True),
           value=st.one_of(st.integers(-3, 3), st.floats(-5, 5), st.booleans(),
                           st.text(max_size=4), st.just({}), st.just({"a": 1})))
    def test_a_junk_key_anywhere_is_a_user_error_naming_the_file(self, tmp_path, place, key,
                                                                 value):
        data = json.loads(json.dumps(VALID))
        node = data
        for part in place:
            node = node[part] if isinstance(part, int) else node.setdefault(part, {})
        node[key] = value
        path = write(tmp_path, data)
        with pytest.raises(UserInputError) as info:
            load_scenario(str(path))
        assert str(path) in str(info.value)

    @pytest.mark.parametrize("place", [("iran", "focus"), ("theatre", "sdf_home")])
    def test_a_junk_governorate_in_a_parameter_table_is_a_user_error(self, tmp_path, place):
        data = minimal(parameters=nested({".".join((*place, "alepo")): 0.3}))
        with pytest.raises(UserInputError):
            load_scenario(str(write(tmp_path, data)))
