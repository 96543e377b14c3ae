"""Sweep specs: the one loader for `params/sweeps/*.toml`.

A spec names a base scenario, the parameters to vary (a range, a distribution, or a list of
levels for a grid), the sampler, the replicates per point, the sweep seed and the outcomes to
record. Structure is checked by pydantic (unknown keys, wrong types); the rules that tie fields
together (low < high, levels only for grids, Sobol's power-of-two N) are checked here, and every
problem is a `UserInputError` naming the file and the key.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sim.errors import UserInputError
from sim.vocabulary import REPORTER_NAMES

ROOT = Path(__file__).resolve().parents[2]
SWEEP_DIR = ROOT / "params" / "sweeps"
DEFAULT_SCENARIO = "full_2011_2025"

SAMPLERS = ("grid", "lhs", "sobol", "morris")
DISTRIBUTIONS = ("uniform", "loguniform", "normal", "truncnormal")
OUTCOME_TYPES = ("number", "integer", "text")
# the model's monthly series a sweep may keep for every run (`timeseries`)
SERIES = REPORTER_NAMES
# Columns of the results store that are not parameters or outcomes.
RUN_KEYS = ("point_id", "replicate", "seed")

_PATH = re.compile(r"^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)+$")  # russia.resolve
_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")  # regime_fell
_RUN_FN = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")  # sim.batch:run_outcomes


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Parameter(Strict):
    """One varied parameter: bounds (`low`, `high`), a distribution, or `levels` for a grid."""

    low: float | None = None
    high: float | None = None
    dist: Literal[DISTRIBUTIONS] = "uniform"  # type: ignore[valid-type]
    mean: float | None = None
    sd: float | None = None
    levels: list[float] | None = None
    why: str = ""


class Sampler(Strict):
    """How points are drawn. `n`: LHS points, Sobol base N (a power of 2), Morris trajectories."""

    method: str
    n: Annotated[int, Field(ge=1, le=10_000_000)] | None = None
    second_order: bool = False  # sobol: also second-order indices (N(2D+2) points, not N(D+2))
    num_levels: Annotated[int, Field(ge=2, le=100)] = 4  # morris: grid levels per parameter


class SweepFile(Strict):
    """The keys a sweep spec file may have."""

    name: str | None = None
    description: str = ""
    scenario: str = DEFAULT_SCENARIO
    run_fn: str | None = None  # import path "module:function"; default: the runner's default
    seed: Annotated[int, Field(ge=0, lt=2**63)]
    replicates: Annotated[int, Field(ge=1, le=100_000)] = 1
    sampler: Sampler
    parameters: dict[str, Parameter]
    outcomes: list[str] | dict[str, Literal[OUTCOME_TYPES]]  # type: ignore[valid-type]
    timeseries: list[Literal[SERIES]] = []  # type: ignore[valid-type]


class SweepSpec(Strict):
    """A validated sweep spec; `outcomes` maps each outcome to its type."""

    name: str
    path: str
    text: str  # the file as written (kept in the results store)
    description: str
    scenario: str
    run_fn: str | None
    seed: int
    replicates: int
    sampler: Sampler
    parameters: dict[str, Parameter]
    outcomes: dict[str, str]
    timeseries: tuple[str, ...] = ()  # monthly series kept per run, in Parquet beside the store

    @property
    def names(self) -> tuple[str, ...]:
        """Parameter paths in spec order (the column order of the sample)."""
        return tuple(self.parameters)

    @property
    def method(self) -> str:
        return self.sampler.method

    def digest(self) -> str:
        """Hash of everything that decides which runs a sweep makes and what they record.

        Comments, `description`, `name` and `why` are left out: editing them does not change
        the runs, so it does not block `--resume`.
        """
        material = {
            "scenario": self.scenario,
            "run_fn": self.run_fn,
            "seed": self.seed,
            "replicates": self.replicates,
            "sampler": self.sampler.model_dump(),
            "parameters": {
                name: p.model_dump(exclude={"why"}) for name, p in self.parameters.items()
            },
            "outcomes": self.outcomes,
        }
        if self.timeseries:  # absent when empty: specs written before it keep their hash
            material["timeseries"] = list(self.timeseries)
        text = json.dumps(material, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


def spec_path(name_or_path: str | Path) -> Path:
    """A spec file: a path, or the name of a file in `params/sweeps/`."""
    text = str(name_or_path)
    if text.endswith(".toml") or "/" in text:
        path = Path(text)
        if not path.exists():
            raise UserInputError(text, None, "no such sweep spec file")
        return path
    path = SWEEP_DIR / f"{text}.toml"
    if not path.exists():
        known = sorted(p.stem for p in SWEEP_DIR.glob("*.toml"))
        guess = difflib.get_close_matches(text, known, n=1)
        hint = f"; did you mean {guess[0]!r}?" if guess else f"; known: {', '.join(known)}"
        raise UserInputError(text, None, f"no sweep spec of that name in params/sweeps/{hint}")
    return path


def load_spec(name_or_path: str | Path) -> SweepSpec:
    """Read and validate a sweep spec file."""
    path = spec_path(name_or_path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserInputError(path, None, f"cannot read ({exc})") from None
    return parse_spec(text, str(path))


def parse_spec(text: str, source: str) -> SweepSpec:
    """Validate a spec given as TOML text; `source` names it in errors."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UserInputError(source, None, f"malformed TOML ({exc})") from None
    if isinstance(raw.get("parameters"), dict):
        raw["parameters"] = _flatten_parameters(raw["parameters"], source)
    try:
        spec_file = SweepFile.model_validate(raw)
    except ValidationError as exc:
        raise _pydantic_error(exc, source) from None
    outcomes = spec_file.outcomes
    if isinstance(outcomes, list):
        outcomes = dict.fromkeys(outcomes, "number")
    spec = SweepSpec(
        name=spec_file.name or Path(source).stem,
        path=source,
        text=text,
        description=spec_file.description,
        scenario=spec_file.scenario,
        run_fn=spec_file.run_fn,
        seed=spec_file.seed,
        replicates=spec_file.replicates,
        sampler=spec_file.sampler,
        parameters=spec_file.parameters,
        outcomes=dict(outcomes),
        timeseries=tuple(dict.fromkeys(spec_file.timeseries)),
    )
    _check(spec, source)
    return spec


def _flatten_parameters(table: dict[str, Any], source: str, prefix: str = "") -> dict[str, Any]:
    """`[parameters] russia.resolve = {...}` is a nested table in TOML; treat it as the dotted
    key it was written as. A table holding any field of `Parameter` is a parameter."""
    flat: dict[str, Any] = {}
    for key, value in table.items():
        path = f"{prefix}{key}"
        leaf = not isinstance(value, dict) or any(k in Parameter.model_fields for k in value)
        if leaf:
            flat[path] = value
        else:
            flat.update(_flatten_parameters(value, source, f"{path}."))
    return flat


def check_against_model(spec: SweepSpec) -> None:
    """Set every parameter to each end of its range on the base scenario through the model's
    own loader (`sim.scenario.load_scenario`, as `--set` would), so that a misspelt path, an
    unknown scenario or a bound the model rejects fails before any run."""
    from sim.scenario import load_scenario

    for end in ("low", "high"):
        values = {name: _range_end(p, end) for name, p in spec.parameters.items()}
        try:
            load_scenario(spec.scenario, sets=[f"{n}={v!r}" for n, v in values.items()])
        except UserInputError as exc:
            if exc.key in spec.parameters:
                raise UserInputError(
                    spec.path,
                    f"parameters.{exc.key}",
                    f"{exc.expected} (the model's check, at {values[exc.key]})",
                ) from None
            if exc.source == "--set":
                raise UserInputError(spec.path, "parameters", str(exc)) from None
            raise UserInputError(spec.path, "scenario", str(exc)) from None


def base_values(spec: SweepSpec) -> dict[str, Any]:
    """Each swept parameter's value in the base scenario, as a run without the sweep would
    have it (a parameter path in the scenario's parameters, or `shocks.NAME.FIELD`)."""
    from sim.params import get_path
    from sim.scenario import load_scenario

    scenario = load_scenario(spec.scenario)
    out: dict[str, Any] = {}
    for name in spec.names:
        if name.startswith("shocks."):
            _, shock, key = name.split(".")
            out[name] = scenario.shocks[shock][key]
        else:
            out[name] = get_path(scenario.params, name)
    return out


def covers(p: Parameter, value: float) -> bool:
    """Whether a parameter's range (its levels' span, its bounds, or for a normal distribution
    mean +- 3 sd) holds `value`."""
    if p.dist == "normal" and p.levels is None:
        assert p.mean is not None and p.sd is not None
        return p.mean - 3 * p.sd <= value <= p.mean + 3 * p.sd
    return _range_end(p, "low") <= value <= _range_end(p, "high")


def _range_end(p: Parameter, end: str) -> float:
    if p.levels is not None:
        return min(p.levels) if end == "low" else max(p.levels)
    if p.dist == "normal":
        assert p.mean is not None
        return p.mean
    value = p.low if end == "low" else p.high
    assert value is not None
    return value


def _check(spec: SweepSpec, source: str) -> None:
    """The rules pydantic cannot see: they tie fields together."""
    sampler = spec.sampler
    if sampler.method not in SAMPLERS:
        guess = difflib.get_close_matches(sampler.method, SAMPLERS, n=1)
        hint = f" (did you mean {guess[0]!r}?)" if guess else ""
        raise UserInputError(
            source,
            "sampler.method",
            f"unknown sampler {sampler.method!r}{hint}; expected one of {', '.join(SAMPLERS)}",
        )
    if sampler.method == "grid":
        if sampler.n is not None:
            raise UserInputError(
                source,
                "sampler.n",
                "a grid takes no n: its points are the product of the parameters' levels",
            )
    elif sampler.n is None:
        raise UserInputError(source, "sampler.n", f"missing (required for {sampler.method})")
    if sampler.method == "sobol" and sampler.n is not None and sampler.n & (sampler.n - 1):
        lower = 1 << (sampler.n.bit_length() - 1)
        raise UserInputError(
            source,
            "sampler.n",
            f"Sobol' sampling needs a power of 2 for N, "
            f"got {sampler.n} (try {lower} or {lower * 2})",
        )
    if sampler.method == "morris":
        if sampler.n is not None and sampler.n < 2:
            raise UserInputError(source, "sampler.n", "Morris needs at least 2 trajectories")
        if sampler.num_levels % 2:
            raise UserInputError(
                source, "sampler.num_levels", f"must be even (Morris), got {sampler.num_levels}"
            )
    if sampler.method != "sobol" and "second_order" in sampler.model_fields_set:
        raise UserInputError(source, "sampler.second_order", "only for the sobol sampler")
    if sampler.method != "morris" and "num_levels" in sampler.model_fields_set:
        raise UserInputError(source, "sampler.num_levels", "only for the morris sampler")

    if not spec.parameters:
        raise UserInputError(source, "parameters", "at least one parameter to vary")
    if sampler.method == "sobol" and len(spec.parameters) < 2:
        raise UserInputError(source, "parameters", "Sobol' analysis needs at least 2 parameters")
    for name, parameter in spec.parameters.items():
        _check_parameter(name, parameter, sampler.method, source)

    if spec.run_fn is not None and not _RUN_FN.match(spec.run_fn):
        raise UserInputError(
            source, "run_fn", f"expected an import path 'module:function', got {spec.run_fn!r}"
        )
    if not spec.outcomes:
        raise UserInputError(source, "outcomes", "at least one outcome to record")
    for outcome in spec.outcomes:
        if not _NAME.match(outcome):
            raise UserInputError(
                source, f"outcomes.{outcome}", "expected a lowercase name like 'regime_fell'"
            )
        if outcome in (*RUN_KEYS, "posterior_set"):
            raise UserInputError(source, f"outcomes.{outcome}",
                                 f"{(*RUN_KEYS, 'posterior_set')} are reserved")


def _check_parameter(name: str, p: Parameter, method: str, source: str) -> None:
    key = f"parameters.{name}"
    if not _PATH.match(name):
        raise UserInputError(
            source,
            key,
            "expected a dotted parameter path like "
            "'russia.resolve' (lowercase, at least two parts)",
        )
    given = p.model_fields_set - {"why"}
    if method == "grid":
        if p.levels is None:
            raise UserInputError(
                source, f"{key}.levels", "missing: a grid needs a list of levels for each parameter"
            )
        extra = sorted(given - {"levels"})
        if extra:
            raise UserInputError(
                source, f"{key}.{extra[0]}", "a grid parameter takes only `levels`"
            )
        if not p.levels:
            raise UserInputError(source, f"{key}.levels", "at least one level")
        if len(set(p.levels)) != len(p.levels):
            raise UserInputError(source, f"{key}.levels", f"levels repeat: {p.levels}")
        return
    if p.levels is not None:
        raise UserInputError(
            source,
            f"{key}.levels",
            f"levels are for the grid sampler; {method} takes `low` and `high` (or a distribution)",
        )
    need = {
        "uniform": ("low", "high"),
        "loguniform": ("low", "high"),
        "normal": ("mean", "sd"),
        "truncnormal": ("low", "high", "mean", "sd"),
    }[p.dist]
    for field in need:
        if getattr(p, field) is None:
            raise UserInputError(
                source, f"{key}.{field}", f"missing (required for dist = {p.dist!r})"
            )
    extra = sorted(given - {"dist", *need})
    if extra:
        raise UserInputError(
            source,
            f"{key}.{extra[0]}",
            f"not used by dist = {p.dist!r} (it takes {', '.join(need)})",
        )
    if p.low is not None and p.high is not None and not p.low < p.high:
        raise UserInputError(
            source, f"{key}.high", f"must be greater than low ({p.low}), got {p.high}"
        )
    if p.dist == "loguniform" and p.low is not None and p.low <= 0:
        raise UserInputError(source, f"{key}.low", f"must be > 0 for loguniform, got {p.low}")
    if p.sd is not None and p.sd <= 0:
        raise UserInputError(source, f"{key}.sd", f"must be > 0, got {p.sd}")
    if method == "morris" and p.dist == "normal":
        raise UserInputError(
            source,
            f"{key}.dist",
            "Morris needs bounded parameters: use uniform, loguniform or truncnormal",
        )


def _pydantic_error(exc: ValidationError, source: str) -> UserInputError:
    """The first problem pydantic found, naming the key (with a hint for a misspelt key)."""
    err = exc.errors()[0]
    loc = [str(p) for p in err["loc"]]
    # a union such as `outcomes` puts the member's type name in the path: drop it
    loc = [p for p in loc if not p.startswith(("list[", "dict[", "function-"))]
    key = ".".join(loc) or None
    if err["type"] == "extra_forbidden":
        known = _known_keys(loc[:-1])
        guess = difflib.get_close_matches(loc[-1], known, n=1)
        hint = f"; did you mean {guess[0]!r}?" if guess else ""
        return UserInputError(source, key, f"unknown key{hint}")
    if err["type"] == "missing":
        return UserInputError(source, key, "missing (required)")
    got = err.get("input")
    shown = "" if isinstance(got, dict | list) else f", got {got!r}"
    return UserInputError(source, key, f"{err['msg']}{shown}")


def _known_keys(path: list[str]) -> list[str]:
    if not path:
        return list(SweepFile.model_fields)
    if path == ["sampler"]:
        return list(Sampler.model_fields)
    if len(path) == 2 and path[0] == "parameters":
        return list(Parameter.model_fields)
    return []


__all__ = [
    "DISTRIBUTIONS",
    "OUTCOME_TYPES",
    "RUN_KEYS",
    "SAMPLERS",
    "SWEEP_DIR",
    "Parameter",
    "Sampler",
    "SweepSpec",
    "check_against_model",
    "load_spec",
    "parse_spec",
    "spec_path",
]
