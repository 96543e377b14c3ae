"""The model as the dashboard drives it: every widget is a keyword argument with a default, and
every value goes through the one scenario loader (`sim.scenario.load_scenario`), so a value from
a widget is validated exactly like a value in a scenario file.

Scenarios come only from the project's `scenarios/` folder (`list_scenarios()`); the picker
never takes a path.
"""

from __future__ import annotations

from functools import lru_cache

from sim import params as P
from sim.errors import UserInputError
from sim.model import SyriaModel
from sim.scenario import ScenarioSpec, list_scenarios, load_scenario
from sim.vocabulary import FOREIGN_STATES

DEFAULT_SCENARIO = "full_2011_2025"
# the outside wars a user can switch off (each must be a shock of the scenario to apply)
SHOCK_SWITCHES = ("ukraine_war", "gaza_war", "hezbollah_blows", "lebanon_war")


def defaults() -> dict:
    return P.load_defaults()


def default_values() -> dict[str, float]:
    """The sliders' starting values: the shipped parameters."""
    tree = defaults()
    out = {"temperature": float(tree["choice"]["temperature"])}
    for state in FOREIGN_STATES:
        out[f"{state}_survival"] = float(tree[state]["weights"]["survival"])
        out[f"{state}_resolve"] = float(tree[state]["resolve"])
    return out


def overrides(values: dict[str, float], shocks_on: dict[str, bool],
              scenario_shocks: set[str]) -> list[str]:
    """`--set` items for the values that differ from the shipped parameters. A state's
    survival weight takes its share from balancing and influence in their shipped ratio, so
    the three still sum to 1."""
    tree, start = defaults(), default_values()
    sets = []
    if values["temperature"] != start["temperature"]:
        sets.append(f"choice.temperature={values['temperature']!r}")
    for state in FOREIGN_STATES:
        resolve = values[f"{state}_resolve"]
        if resolve != start[f"{state}_resolve"]:
            sets.append(f"{state}.resolve={resolve!r}")
        survival = values[f"{state}_survival"]
        if survival != start[f"{state}_survival"]:
            w = tree[state]["weights"]
            rest = w["balancing"] + w["influence"]
            balancing = (1.0 - survival) * (w["balancing"] / rest if rest else 0.5)
            sets += [f"{state}.weights.survival={survival!r}",
                     f"{state}.weights.balancing={balancing!r}",
                     f"{state}.weights.influence={1.0 - survival - balancing!r}"]
    for name, on in shocks_on.items():
        if not on and name in scenario_shocks:
            sets.append(f"shocks.{name}.enabled=false")
    return sets


@lru_cache(maxsize=32)  # Reset with the same settings rebuilds nothing it can reuse
def scenario_for(name: str, sets: tuple[str, ...]) -> ScenarioSpec:
    if name not in list_scenarios():
        raise UserInputError("scenario picker", "scenario",
                             f"one of the scenarios in scenarios/ ({', '.join(list_scenarios())})")
    return load_scenario(name, list(sets))


def parse_seed(text: str | int | None) -> int:
    try:
        seed = int(str(text).strip())
    except ValueError:
        raise UserInputError("seed box", "seed", f"a whole number >= 0, got {text!r}") from None
    if seed < 0:
        raise UserInputError("seed box", "seed", f"a whole number >= 0, got {seed}")
    return seed


_START = default_values()


class DashboardModel(SyriaModel):
    """`SyriaModel` with the dashboard's widgets as keyword arguments.

    A bad value does not stop the page: the model falls back to the shipped scenario and seed 0
    and keeps the message in `input_error`, which the page shows.
    """

    def __init__(self, scenario_name: str = DEFAULT_SCENARIO, seed: str = "1",
                 temperature: float = _START["temperature"],
                 iran_survival: float = _START["iran_survival"],
                 iran_resolve: float = _START["iran_resolve"],
                 israel_survival: float = _START["israel_survival"],
                 israel_resolve: float = _START["israel_resolve"],
                 russia_survival: float = _START["russia_survival"],
                 russia_resolve: float = _START["russia_resolve"],
                 turkey_survival: float = _START["turkey_survival"],
                 turkey_resolve: float = _START["turkey_resolve"],
                 us_survival: float = _START["us_survival"],
                 us_resolve: float = _START["us_resolve"],
                 ukraine_war: bool = True, gaza_war: bool = True, hezbollah_blows: bool = True,
                 lebanon_war: bool = True, rng=None, scenario=None) -> None:
        # `scenario` is Mesa's own scenario object, which SolaraViz passes back on Reset; the
        # Syrian scenario is `scenario_name`
        del scenario
        values = {k: v for k, v in locals().items() if k.endswith(("_survival", "_resolve"))}
        values["temperature"] = temperature
        switches = {"ukraine_war": ukraine_war, "gaza_war": gaza_war,
                    "hezbollah_blows": hezbollah_blows, "lebanon_war": lebanon_war}
        self.input_error: str | None = None
        try:
            base = scenario_for(scenario_name, ())
            sets = overrides(values, switches, set(base.shocks))
            spec = scenario_for(scenario_name, tuple(sets))
            seed_value = parse_seed(seed) if rng is None else int(rng)
        except UserInputError as exc:
            self.input_error = str(exc)
            spec, seed_value = scenario_for(DEFAULT_SCENARIO, ()), 0
        self.scenario_name = spec.name
        self.seed_value = seed_value
        super().__init__(spec, rng=seed_value)
