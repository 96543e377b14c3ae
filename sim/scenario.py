"""Scenario files: the one loader.

A scenario (TOML in `scenarios/`) sets dates, the initial state, parameter overrides, dated
outside shocks and forbidden actions; `extends = "other"` inherits from another scenario (tables
merge, `forbid` lists add up, a shock is switched off with `enabled = false`). Nothing in a
scenario can order a state to act: it can only change the world around the states or take an
action off their menu.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import stat as stat_kind
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim import limits
from sim import params as P
from sim.errors import UserInputError
from sim.vocabulary import ACTIONS, FACTIONS, FORCES, PAIR_NAMES, STATES, month_index

ROOT = Path(__file__).resolve().parent.parent
SCENARIO_DIR = ROOT / "scenarios"
INITIAL_DIR = ROOT / "params" / "initial"

StateName = Literal[STATES]  # type: ignore[valid-type]
ShockKind = Literal[
    "force_surge", "theatre_demand", "force_blow", "economic_pressure", "atrocity", "salience"
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Shock(Strict):
    """A dated outside shock. Fields a kind does not use must be left out."""

    kind: ShockKind
    start: str
    end: str | None = None
    enabled: bool = True
    magnitude: Annotated[float, Field(ge=0.0, le=5.0)] = 1.0
    source: str
    description: str = ""
    force: P.ForceName | None = None
    manpower: P.NonNegative = 0.0
    governorates: dict[str, P.Share] = {}
    actor: StateName | None = None
    demand: P.NonNegative = 0.0
    asset_draw: P.Share = 0.0
    loss: P.Share = 0.0
    quality_loss: P.Share = 0.0
    severity: P.NonNegative = 0.0
    term: Literal["survival", "balancing", "influence"] | None = None
    factor: P.NonNegative = 1.0

    @model_validator(mode="after")
    def _kind_fields(self) -> Shock:
        need = {
            "force_surge": ("force",),
            "theatre_demand": ("actor",),
            "force_blow": ("force",),
            "economic_pressure": (),
            "atrocity": (),
            "salience": ("actor", "term"),
        }[self.kind]
        for name in need:
            if getattr(self, name) is None:
                raise ValueError(f"a {self.kind} shock needs `{name}`")
        return self


class Forbid(Strict):
    actor: StateName
    action: P.ActionName
    start: str | None = None
    end: str | None = None
    why: str = ""


class ScenarioFile(Strict):
    """The keys a scenario file may have (all optional in a file; required once merged)."""

    name: str | None = None
    description: str | None = None
    extends: str | None = None
    start: str | None = None
    end: str | None = None
    runs: Annotated[int, Field(ge=1, le=100_000)] | None = None
    initial_state: str | None = None
    parameters: dict[str, Any] = {}
    shocks: dict[str, dict[str, Any]] = {}
    forbid: list[Forbid] = []


class InitialState(Strict):
    date: str
    government: Literal["regime", "successor"] = "regime"
    control: dict[str, dict[P.FactionName, P.Share]]
    manpower: dict[P.ForceName, P.NonNegative]
    morale: P.Share
    economy: P.Share
    portfolios: dict[StateName, list[P.ActionName]]
    # what each patron has shown it can send before this date (the portfolio at its height),
    # which the army's odds count as help it can call on (`theatre.shown_capacity`); a state
    # the file does not name has shown nothing yet
    shown: dict[StateName, list[P.ActionName]] = {}
    relations: dict[str, Annotated[float, Field(ge=-1.0, le=1.0)]]
    ceasefire: P.Share = 0.0
    vetoes: int = 0
    source: str

    @model_validator(mode="after")
    def _complete(self) -> InitialState:
        from sim.theatre import load_geography

        names = load_geography().names
        missing = [g for g in names if g not in self.control]
        unknown = [g for g in self.control if g not in names]
        if missing or unknown:
            raise ValueError(
                f"control must list every governorate; missing {missing}, unknown {unknown}"
            )
        for g, shares in self.control.items():
            if abs(sum(shares.values()) - 1.0) > 1e-3:
                raise ValueError(f"control.{g} shares must sum to 1")
        bad = [p for p in self.relations if p not in PAIR_NAMES]
        if bad or len(self.relations) != len(PAIR_NAMES):
            raise ValueError(f"relations must give all 15 pairs like 'iran-russia'; bad {bad}")
        if set(self.manpower) != set(FORCES):
            raise ValueError(f"manpower must give every force {FORCES}")
        return self


@dataclass
class ScenarioSpec:
    """A resolved scenario: everything a run needs, validated."""

    name: str
    path: str
    description: str
    start: int  # month index
    end: int
    runs: int
    initial: dict[str, Any]
    params: dict[str, Any]
    shocks: dict[str, dict[str, Any]]
    forbid: list[dict[str, Any]]
    chain: list[str] = field(default_factory=list)  # files it was built from, leaf first
    sets: list[str] = field(default_factory=list)

    @property
    def months(self) -> int:
        return self.end - self.start + 1

    def resolved(self) -> dict[str, Any]:
        """Everything that determines a run, as plain data (for the manifest)."""
        return {
            "name": self.name,
            "description": self.description,
            "files": self.chain,
            "start": self.start_label,
            "end": self.end_label,
            "initial_state": self.initial,
            "parameters": self.params,
            "shocks": self.shocks,
            "forbid": self.forbid,
            "sets": self.sets,
        }

    @property
    def start_label(self) -> str:
        from sim.vocabulary import month_label

        return month_label(self.start)

    @property
    def end_label(self) -> str:
        from sim.vocabulary import month_label

        return month_label(self.end)


def list_scenarios() -> list[str]:
    """Names of the scenarios shipped in `scenarios/` (files starting with `_` are bases)."""
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.toml") if not p.stem.startswith("_"))


def _runnable(names) -> list[str]:
    return sorted(n for n in names if not n.startswith("_"))


def scenario_path(name_or_path: str | Path, relative_to: Path | None = None) -> Path:
    text = str(name_or_path)
    if text.endswith(".toml") or "/" in text:
        path = Path(text)
        if not path.is_absolute() and relative_to is not None and (relative_to / path).exists():
            path = relative_to / path  # an `extends` path is relative to the file that says it
        if not path.exists():
            raise UserInputError(text, None, "no such scenario file")
        return path
    path = SCENARIO_DIR / f"{text}.toml"
    if not path.exists():
        known = _runnable(p.stem for p in SCENARIO_DIR.glob("*.toml"))
        guess = difflib.get_close_matches(text, known, n=1)
        hint = f"; did you mean {guess[0]!r}?" if guess else f"; known: {', '.join(sorted(known))}"
        raise UserInputError(text, None, f"no scenario of that name in scenarios/{hint}")
    return path


def _read(path: Path) -> dict[str, Any]:
    """A scenario file's checked contents (a fresh copy: the caller may change it)."""
    stat = _regular_file(path)
    return P.copy_tree(_read_checked(path.resolve(), stat.st_mtime_ns, stat.st_size))


def _regular_file(path: Path):
    """The file's status, if it is a regular file (reading a device or a pipe could block or
    never end)."""
    try:
        stat = path.stat()
    except OSError as exc:
        raise UserInputError(path, None, f"cannot read ({exc.strerror})") from None
    if not stat_kind.S_ISREG(stat.st_mode):
        what = "a folder" if stat_kind.S_ISDIR(stat.st_mode) else "a device, pipe or socket"
        raise UserInputError(path, None, f"expected a TOML file, got {what}")
    return stat


def read_toml(path: Path) -> dict[str, Any]:
    """A TOML file's contents, refusing what is not UTF-8 text (TOML is UTF-8 by definition)
    and non-finite numbers (`nan`, `inf`), which no quantity of the model can be."""
    _regular_file(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UserInputError(path, None, f"cannot read ({exc.strerror})") from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raise UserInputError(
            path, None, "starts with a byte-order mark; save it as UTF-8 without one"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise UserInputError(
            path, None, f"not UTF-8 text (byte {exc.start} on line {line}); save it as UTF-8"
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UserInputError(path, None, f"malformed TOML ({exc})") from None
    limits.check_finite(data, str(path))
    return data


@lru_cache(maxsize=128)  # a sweep loads the same files once per point: parse them once
def _read_checked(path: Path, mtime_ns: int, size: int) -> dict[str, Any]:
    """Parse and check a scenario file; cached by path, modification time and size, so an
    edited file is read again."""
    data = read_toml(path)
    try:
        ScenarioFile.model_validate(data)
    except ValidationError as exc:
        raise P.pydantic_error(exc, str(path), "") from None
    return data


def _merge(base: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    """`child` laid over a copy of `base`: tables merge key by key, `forbid` lists add up,
    anything else in `child` replaces what `base` has."""
    out = P.copy_tree(base)
    _merge_into(out, child)
    return out


def _merge_into(out: dict[str, Any], child: dict[str, Any]) -> None:
    for key, value in child.items():
        if key == "forbid":
            out["forbid"] = [*out.get("forbid", []), *P.copy_tree(value)]
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            _merge_into(out[key], value)
        else:
            out[key] = P.copy_tree(value)


def _chain(path: Path, seen: tuple[Path, ...] = ()) -> tuple[dict[str, Any], list[str]]:
    if path.resolve() in seen:
        raise UserInputError(path, "extends", "a cycle of scenarios extending each other")
    data = _read(path)
    parent = data.pop("extends", None)
    if parent is None:
        return data, [str(path)]
    try:
        parent_path = scenario_path(parent, path.parent)
    except UserInputError:
        raise UserInputError(path, "extends", f"no scenario {parent!r} to extend") from None
    base, files = _chain(parent_path, (*seen, path.resolve()))
    return _merge(base, data), [str(path), *files]


def load_scenario(name_or_path: str | Path,
                  sets: list[str] | tuple[str, ...] = ()) -> ScenarioSpec:
    """Read, merge (`extends`), apply `--set key.path=value` overrides, and validate."""
    path = scenario_path(name_or_path)
    data, chain = _chain(path)
    source = str(path)
    P.validate(_merge(P.load_defaults(), data.get("parameters", {})), source, "parameters")
    data = apply_sets(data, sets)
    if sets:  # values from --set get the same checks as values in a file
        try:
            ScenarioFile.model_validate(
                {k: v for k, v in data.items() if k in ("start", "end", "runs", "initial_state")}
            )
        except ValidationError as exc:
            raise P.pydantic_error(exc, "--set", "") from None
    for key in ("start", "end", "initial_state"):
        if not data.get(key):
            raise UserInputError(
                source, key, "missing (required, here or in a scenario it extends)"
            )
    given = {parse_set(item)[0] for item in sets}  # an error names --set if the value is its

    def where(key: str) -> str:
        return "--set" if key in given else source

    start = _month(data["start"], where("start"), "start")
    end = _month(data["end"], where("end"), "end")
    if end < start:
        raise UserInputError(where("end"), "end", f"must not be before start ({data['start']})")
    limits.check_parameters(data.get("parameters", {}), source)

    tree = P.load_defaults()
    tree = _merge(tree, data.get("parameters", {}))
    resolved_params = P.validate(tree, source, "parameters")

    shocks = {}
    for name, raw in data.get("shocks", {}).items():
        try:
            shock = Shock.model_validate(raw).model_dump()
        except ValidationError as exc:
            raise P.pydantic_error(exc, source, f"shocks.{name}") from None
        shock["start_index"] = _month(shock["start"], source, f"shocks.{name}.start")
        shock["end_index"] = (
            _month(shock["end"], source, f"shocks.{name}.end") if shock["end"] else None
        )
        limits.check_shock(shock, source, f"shocks.{name}")
        _check_governorates(shock["governorates"], source, f"shocks.{name}.governorates")
        shocks[name] = shock

    forbid = []
    for i, item in enumerate(data.get("forbid", [])):
        entry = Forbid.model_validate(item).model_dump()
        menu = resolved_params[entry["actor"]]["menu"]
        if entry["action"] not in menu:
            raise UserInputError(
                source,
                f"forbid[{i}].action",
                f"{entry['action']!r} is not on {entry['actor']}'s menu {menu}",
            )
        entry["start_index"] = (
            _month(entry["start"], source, f"forbid[{i}].start") if entry["start"] else None
        )
        entry["end_index"] = (
            _month(entry["end"], source, f"forbid[{i}].end") if entry["end"] else None
        )
        _check_window(entry, i, start, end, source)
        forbid.append(entry)

    initial = load_initial_state(data["initial_state"], source)
    for table in ("portfolios", "shown"):
        for state, actions in initial[table].items():
            off_menu = [a for a in actions if a not in resolved_params[state]["menu"]]
            if off_menu:
                raise UserInputError(
                    f"params/initial/{data['initial_state']}.toml",
                    f"{table}.{state}",
                    f"actions not on its menu: {off_menu}",
                )
    return ScenarioSpec(
        name=_safe_name(data.get("name") or path.stem, source),
        path=source,
        description=data.get("description", ""),
        start=start,
        end=end,
        runs=int(data["runs"]) if data.get("runs") is not None else 20,
        initial=initial,
        params=resolved_params,
        shocks=shocks,
        forbid=forbid,
        chain=[
            str(Path(c).relative_to(ROOT)) if Path(c).is_relative_to(ROOT) else c for c in chain
        ],
        sets=list(sets),
    )


def _month(text: str, source: str, key: str) -> int:
    index = month_index(text, source, key)
    limits.check_month(index, source, key)
    return index


def _check_window(entry: dict[str, Any], i: int, start: int, end: int, source: str) -> None:
    """A forbid rule must forbid something in this run: a window that is empty or lies wholly
    outside the run would make a counterfactual that silently changes nothing."""
    low = entry["start_index"] if entry["start_index"] is not None else start
    high = entry["end_index"] if entry["end_index"] is not None else end
    rule = f"forbid[{i}]"
    if entry["start_index"] is not None and entry["end_index"] is not None and high < low:
        raise UserInputError(
            source, f"{rule}.end", f"{entry['end']} is before its start {entry['start']}: "
            "the rule would forbid nothing"
        )
    if high < start or low > end:
        from sim.vocabulary import month_label

        raise UserInputError(
            source, rule, f"its window {month_label(low)} to {month_label(high)} lies outside "
            f"the run ({month_label(start)} to {month_label(end)}): it would forbid nothing"
        )


# A scenario's name becomes a folder under results/: one path component, no `..`, printable.
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]{0,99}$")


def _safe_name(name: Any, source: str) -> str:
    if not isinstance(name, str) or not _NAME.match(name) or ".." in name:
        raise UserInputError(
            source, "name", f"expected a plain name (letters, digits, _ . + -, at most 100, no "
            f"'..' or path separators: it names a folder under results/), got {name!r}"
        )
    return name


def check_start(scenario: ScenarioSpec) -> None:
    """The run must open in the month of the initial state it starts from: a later start would
    put that month's world (its forces, control and portfolios) at another date."""
    date = scenario.initial.get("date")
    if date and date != scenario.start_label:
        known = sorted(p.stem for p in INITIAL_DIR.glob("*.toml"))
        match = f"; initial_state = {scenario.start_label!r} exists" if (
            scenario.start_label in known) else f" (initial states: {', '.join(known)})"
        given = {item.split("=", 1)[0].strip() for item in scenario.sets}
        source = "--set" if given & {"start", "initial_state"} else scenario.path
        raise UserInputError(
            source, "start", f"{scenario.start_label} does not match its initial state "
            f"{scenario.initial.get('name')!r}, dated {date}{match}"
        )


def output_name(scenario: ScenarioSpec) -> str:
    """The results folder's name: the scenario's, and for a run with `--set` a short hash of
    the overrides, so that it never replaces the plain scenario's results."""
    if not scenario.sets:
        return scenario.name
    digest = hashlib.sha256("\n".join(scenario.sets).encode()).hexdigest()[:8]
    return f"{scenario.name}-set-{digest}"


def _check_governorates(table: dict[str, Any], source: str, key: str) -> None:
    from sim.theatre import load_geography

    names = load_geography().names
    for g in table:
        if g not in names:
            guess = difflib.get_close_matches(g, names, n=1)
            hint = f"; did you mean {guess[0]!r}?" if guess else ""
            raise UserInputError(source, f"{key}.{g}", f"not a governorate{hint}")


def load_initial_state(name: str, referenced_from: str) -> dict[str, Any]:
    path = INITIAL_DIR / f"{name}.toml"
    if not path.exists():
        known = sorted(p.stem for p in INITIAL_DIR.glob("*.toml"))
        raise UserInputError(
            referenced_from,
            "initial_state",
            f"no initial state {name!r} in params/initial/ (known: {known})",
        )
    raw = read_toml(path)
    try:
        state = InitialState.model_validate(raw).model_dump()
    except ValidationError as exc:
        raise P.pydantic_error(exc, str(path), "") from None
    limits.check_manpower(state["manpower"], str(path))
    state["name"] = name
    return state


def parse_set(item: str) -> tuple[str, Any]:
    """`key.path=value` with a TOML value (numbers, true/false, "strings", [lists])."""
    if "=" not in item:
        raise UserInputError("--set", item, "expected key.path=value")
    key, text = item.split("=", 1)
    key = key.strip()
    try:
        value = tomllib.loads(f"v = {text.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        value = text.strip()
    return key, value


def apply_sets(data: dict[str, Any], sets: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """Apply `--set` overrides: `shocks.NAME.FIELD`, `start`, `end`, `runs`, or a parameter path
    such as `russia.resolve`. A key that does not exist is an error, never a new key."""
    if not sets:
        return data
    data = P.copy_tree(data)
    defaults = P.load_defaults()
    for item in sets:
        key, value = parse_set(item)
        limits.check_finite(value, "--set", key)
        if key in ("start", "end", "runs", "initial_state"):
            data[key] = value
            continue
        if key.startswith("shocks."):
            parts = key.split(".")
            if len(parts) != 3 or parts[1] not in data.get("shocks", {}):
                known = sorted(data.get("shocks", {}))
                raise UserInputError("--set", key, f"no such shock; known shocks: {known}")
            if parts[2] not in Shock.model_fields:
                raise UserInputError(
                    "--set", key, f"no such shock field; expected one of {list(Shock.model_fields)}"
                )
            limits.check_shock({parts[2]: value}, "--set", f"shocks.{parts[1]}")
            data["shocks"][parts[1]][parts[2]] = value
            continue
        merged = _merge(defaults, data.get("parameters", {}))
        if not P.has_path(merged, key) or isinstance(P.get_path(merged, key), dict):
            guess = difflib.get_close_matches(key, P.leaf_paths(merged), n=1)
            hint = f"; did you mean {guess[0]!r}?" if guess else ""
            raise UserInputError("--set", key, f"no such parameter{hint}")
        params = data.setdefault("parameters", {})
        node = params
        parts = key.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
        limits.check_parameters({key: value}, "--set", "")
    try:
        P.validate(_merge(defaults, data.get("parameters", {})), "--set", "")
    except UserInputError as exc:
        raise UserInputError("--set", exc.key, exc.expected) from None
    return data


def _toml(value: Any) -> str:
    """A value as `--set` reads it (TOML): true/false and quoted strings; numbers as Python
    writes them, which TOML reads back exactly."""
    return json.dumps(value) if isinstance(value, (bool, str)) else repr(value)


def with_overrides(scenario: ScenarioSpec | str, overrides: dict[str, Any]) -> ScenarioSpec:
    """The scenario with the overrides applied (`key=value` items, as `--set` gives them)."""
    if not overrides and isinstance(scenario, ScenarioSpec):
        return scenario
    sets = [f"{key}={_toml(value)}" for key, value in sorted(overrides.items())]
    if isinstance(scenario, ScenarioSpec):
        return load_scenario(scenario.path, [*scenario.sets, *sets])
    return load_scenario(scenario, sets)


__all__ = [
    "ACTIONS",
    "FACTIONS",
    "ScenarioSpec",
    "check_start",
    "list_scenarios",
    "load_scenario",
    "output_name",
    "read_toml",
    "with_overrides",
]
