"""Sweep specs: good ones load, bad ones fail with the file, the key and what was expected."""

from __future__ import annotations

import pytest

from analysis.sweep.spec import (
    SWEEP_DIR,
    base_values,
    check_against_model,
    covers,
    load_spec,
    parse_spec,
)
from sim.errors import UserInputError

from .helpers import LHS_PARAMETERS, spec_text

LHS = "method = 'lhs'\nn = 8"


def test_a_good_spec_loads_with_its_parameters_in_order(write_spec):
    spec = load_spec(write_spec(spec_text(LHS, LHS_PARAMETERS)))
    assert spec.names == ("russia.resolve", "iran.resolve", "choice.temperature")
    assert spec.method == "lhs" and spec.sampler.n == 8 and spec.replicates == 2
    assert spec.outcomes["regime_fell"] == "number"


def test_bare_dotted_keys_mean_the_same_as_quoted_ones(write_spec):
    quoted = load_spec(write_spec(spec_text(LHS, LHS_PARAMETERS), "quoted"))
    bare = load_spec(write_spec(spec_text(LHS, LHS_PARAMETERS.replace('"', "")), "bare"))
    assert bare.names == quoted.names
    assert bare.digest() == quoted.digest()


def test_comments_and_descriptions_do_not_change_the_hash_but_ranges_do(write_spec):
    base = load_spec(write_spec(spec_text(LHS, LHS_PARAMETERS), "a")).digest()
    text = "# a comment\ndescription = 'why'\n" + spec_text(LHS, LHS_PARAMETERS)
    assert load_spec(write_spec(text, "b")).digest() == base
    wider = LHS_PARAMETERS.replace("high = 1.0 }", "high = 1.1 }", 1)
    assert load_spec(write_spec(spec_text(LHS, wider), "c")).digest() != base


def test_outcome_types_can_be_declared(write_spec):
    text = spec_text(LHS, LHS_PARAMETERS, outcomes='{ regime_fell = "integer", fall = "text" }')
    assert load_spec(write_spec(text)).outcomes == {"regime_fell": "integer", "fall": "text"}


@pytest.mark.parametrize("name", ["smoke", "russia_resolve_vs_ukraine", "sobol_core"])
def test_the_shipped_specs_load(name):
    spec = load_spec(name)
    assert spec.path == str(SWEEP_DIR / f"{name}.toml")
    assert all(p.why for p in spec.parameters.values())


def test_the_shipped_specs_pass_the_models_own_checks():
    for name in ("smoke", "russia_resolve_vs_ukraine", "sobol_core"):
        check_against_model(load_spec(name))


@pytest.mark.parametrize("name", ["smoke", "russia_resolve_vs_ukraine", "sobol_core"])
def test_the_shipped_specs_sweep_across_the_scenarios_own_values(name):
    """A sweep that leaves out the value the model runs with cannot say how the historical run
    sits among its neighbours (calibration moves the values: this catches a stale range)."""
    spec = load_spec(name)
    base = base_values(spec)
    outside = {n: base[n] for n, p in spec.parameters.items() if not covers(p, base[n])}
    assert not outside


def test_base_values_read_parameters_and_shocks_from_the_base_scenario(write_spec):
    from sim.scenario import load_scenario

    text = spec_text(LHS, '"russia.resolve" = { low = 0.3, high = 1.0 }\n'
                          '"shocks.ukraine_war.magnitude" = { low = 0.0, high = 2.0 }')
    base = base_values(load_spec(write_spec(text)))
    scenario = load_scenario("full_2011_2025")
    assert base == {"russia.resolve": scenario.params["russia"]["resolve"],
                    "shocks.ukraine_war.magnitude": scenario.shocks["ukraine_war"]["magnitude"]}


def test_covers_reads_bounds_levels_and_normal_spread():
    spec = parse_spec(spec_text(LHS, '"a.b" = { low = 0.3, high = 1.0 }\n'
                                     '"c.d" = { dist = "normal", mean = 1.0, sd = 0.1 }'), "x.toml")
    bounded, normal = spec.parameters["a.b"], spec.parameters["c.d"]
    assert covers(bounded, 0.3) and covers(bounded, 1.0) and not covers(bounded, 1.01)
    assert covers(normal, 1.29) and not covers(normal, 1.31)
    grid = parse_spec(spec_text("method = 'grid'", '"a.b" = { levels = [0.2, 0.6] }'), "g.toml")
    assert covers(grid.parameters["a.b"], 0.4) and not covers(grid.parameters["a.b"], 0.7)


@pytest.mark.parametrize(
    ("parameters", "key", "expected"),
    [
        (
            '"russia.resolv" = { low = 0.3, high = 1.0 }',
            "parameters.russia.resolv",
            "did you mean 'russia.resolve'",
        ),
        (
            '"russia.resolve" = { low = 0.3, high = 1.2 }',
            "parameters.russia.resolve",
            "less than or equal to 1",
        ),
        (
            '"shocks.ukraine_war.magnitude" = { levels = [0.0, 9.0] }',
            "parameters.shocks.ukraine_war.magnitude",
            "at 9.0",
        ),
    ],
)
def test_the_models_check_names_the_parameter_it_rejects(parameters, key, expected, write_spec):
    sampler = "method = 'grid'" if "levels" in parameters else LHS
    path = write_spec(spec_text(sampler, parameters))
    with pytest.raises(UserInputError) as err:
        check_against_model(load_spec(path))
    assert (err.value.source, err.value.key) == (str(path), key)
    assert expected in str(err.value)


P = LHS_PARAMETERS
NORMAL = "'us.resolve' = { dist = 'normal', mean = 0.5, sd = 0.1 }"
BAD = {
    "unknown top-level key": (
        spec_text(LHS, P) + "",
        "replicate = 3",
        "replicate",
        "did you mean 'replicates'",
    ),
    "wrong type": (
        spec_text(LHS, P).replace("replicates = 2", 'replicates = "two"'),
        "",
        "replicates",
        "integer",
    ),
    "low >= high": (
        spec_text(LHS, P.replace("low = 0.3, high = 1.0", "low = 1.0, high = 0.3", 1)),
        "",
        "parameters.russia.resolve.high",
        "greater than low",
    ),
    "unknown sampler": (
        spec_text("method = 'halton'\nn = 8", P),
        "",
        "sampler.method",
        "unknown sampler 'halton'",
    ),
    "sobol N not a power of 2": (
        spec_text("method = 'sobol'\nn = 100", P),
        "",
        "sampler.n",
        "power of 2",
    ),
    "levels outside a grid": (
        spec_text(LHS, P + "\n'us.resolve' = { levels = [0.1, 0.2] }"),
        "",
        "parameters.us.resolve.levels",
        "grid",
    ),
    "grid without levels": (
        spec_text("method = 'grid'", P),
        "",
        "parameters.russia.resolve.levels",
        "list of levels",
    ),
    "unknown parameter field": (
        spec_text(LHS, P.replace("high = 1.0 }", "high = 1.0, hgh = 2 }", 1)),
        "",
        "parameters.russia.resolve.hgh",
        "unknown key",
    ),
    "missing sampler n": (spec_text("method = 'lhs'", P), "", "sampler.n", "missing"),
    "missing seed": (spec_text(LHS, P).replace("seed = 5\n", ""), "", "seed", "missing"),
    "not a parameter path": (
        spec_text(LHS, P + "\nresolve = { low = 0.1, high = 0.2 }"),
        "",
        "parameters.resolve",
        "dotted parameter path",
    ),
    "normal in morris": (
        spec_text("method = 'morris'\nn = 4", P + "\n" + NORMAL),
        "",
        "parameters.us.resolve.dist",
        "bounded",
    ),
    "reserved outcome": (spec_text(LHS, P, outcomes='["seed"]'), "", "outcomes.seed", "reserved"),
    "malformed toml": ("seed = = 3", "", None, "malformed TOML"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_spec_names_the_file_and_the_key(case, write_spec):
    text, extra_line, key, expected = BAD[case]
    if extra_line:
        text = extra_line + "\n" + text
    path = write_spec(text)
    with pytest.raises(UserInputError) as err:
        load_spec(path)
    assert err.value.source == str(path)
    assert err.value.key == key
    assert expected in str(err.value)
    assert str(path) in str(err.value)


def test_an_unknown_spec_name_suggests_a_known_one():
    with pytest.raises(UserInputError, match="did you mean 'smoke'"):
        load_spec("smoek")


def test_parse_spec_needs_no_file():
    spec = parse_spec(spec_text(LHS, LHS_PARAMETERS), "inline.toml")
    assert spec.name == "inline" and spec.path == "inline.toml"
