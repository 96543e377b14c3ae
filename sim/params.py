"""Model parameters: the files in `params/`, validated, with the source of every value.

One loader (`load_defaults`) reads params/actors.toml, forces.toml and model.toml into one tree
whose top-level keys are the states, the armed forces and the model sections; `validate` checks
a tree against the schema below (unknown keys, wrong types and out-of-range values are user
errors naming the file, the key and what was expected).
"""

from __future__ import annotations

import difflib
import re
import tomllib
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.errors import UserInputError
from sim.vocabulary import ACTIONS, FACTIONS, FORCES, STATES

PARAMS_DIR = Path(__file__).resolve().parent.parent / "params"
PARAM_FILES = ("actors.toml", "forces.toml", "model.toml")

Share = Annotated[float, Field(ge=0.0, le=1.0)]
NonNegative = Annotated[float, Field(ge=0.0)]
Positive = Annotated[float, Field(gt=0.0)]
ForceName = Literal[FORCES]  # type: ignore[valid-type]
FactionName = Literal[FACTIONS]  # type: ignore[valid-type]
ActionName = Literal[ACTIONS]  # type: ignore[valid-type]


@cache
def governorate_names() -> tuple[str, ...]:
    """Governorate ids from params/governorates.toml (read without the Mesa space)."""
    with open(PARAMS_DIR / "governorates.toml", "rb") as fh:
        return tuple(tomllib.load(fh))


def _check_governorates(table: dict[str, float], what: str) -> None:
    unknown = [g for g in table if g not in governorate_names()]
    if unknown:
        guess = difflib.get_close_matches(unknown[0], governorate_names(), n=1)
        hint = f" (did you mean {guess[0]!r}?)" if guess else ""
        raise ValueError(f"{what} has {unknown[0]!r}, not a governorate{hint}")


THREAT_KEYS = {
    "iran": {"regime", "corridor", "jihadists"},
    "israel": {"entrenchment", "golan"},
    "russia": {"jihadists", "bases", "regime"},
    "syria": set(),
    "turkey": {"kurds", "isis", "refugees"},
    "us": {"isis", "allies"},
}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False)


class Weights(Strict):
    survival: Share
    balancing: Share
    influence: Share

    @model_validator(mode="after")
    def _sum_to_one(self) -> Weights:
        total = self.survival + self.balancing + self.influence
        if abs(total - 1.0) > 1e-3:
            raise ValueError(f"weights must sum to 1 (they sum to {total:.3f})")
        return self


class Effect(Strict):
    """What one action does for one state (absent fields do nothing)."""

    cost: NonNegative = 0.0
    exposure: NonNegative = 0.0
    quality: dict[ForceName, NonNegative] = {}
    recruits: dict[ForceName, NonNegative] = {}
    air: dict[FactionName, NonNegative] = {}
    troops: dict[FactionName, NonNegative] = {}
    offensive: dict[FactionName, NonNegative] = {}
    attrition: dict[ForceName, Share] = {}
    economy: NonNegative = 0.0
    pressure: NonNegative = 0.0
    legitimacy: NonNegative = 0.0


class Actor(Strict):
    weights: Weights
    resolve: Annotated[float, Field(gt=0.0, le=1.0)]
    budget: Positive
    casualty_aversion: NonNegative
    clash_aversion: NonNegative
    entry_cost: NonNegative = 0.0
    deployment_lag: Annotated[int, Field(ge=0, le=12)] = 0
    alarm: Annotated[float, Field(ge=-0.5, le=0.5)] = 0.0
    clients: list[ForceName]
    focus: dict[str, NonNegative]
    strike_targets: dict[ForceName, NonNegative]
    threat: dict[str, NonNegative] = {}
    threat_after_fall: Share = 0.0
    menu: list[ActionName]
    actions: dict[ActionName, Effect]
    hts_share: Share = 0.0
    isis_scale: NonNegative = 1.0
    entrenchment_reference: Positive = 46.15
    entrenchment_cap: Positive = 1.5
    entrenchment_base: Share = 0.5
    entrenchment_corridor: Share = 0.5
    isis_share_weight: NonNegative = 0.5
    isis_area_weight: NonNegative = 0.5
    allies_cap: Positive = 1.0
    successor_isis: NonNegative = 0.5
    collapse_key: Share = 0.6
    collapse_morale: Share = 0.35
    collapse_steepness: Positive = 9.0
    collapse_morale_weight: NonNegative = 0.5

    @model_validator(mode="after")
    def _consistent(self) -> Actor:
        _check_governorates(self.focus, "focus")
        missing = [a for a in self.menu if a not in self.actions]
        if missing:
            raise ValueError(f"menu lists actions with no [actions.<name>] table: {missing}")
        return self


class Force(Strict):
    quality: Positive
    recruitment: Share
    pool_rate: NonNegative
    pool_base: NonNegative
    manpower_cap: Positive
    morale_base: Share = 1.0
    morale_recovery: Share = 0.0
    morale_sensitivity: NonNegative = 0.0
    backing_morale: NonNegative = 0.0
    economy_weight: Share = 0.0
    fall_key: Share = 0.0
    fall_morale: Share = 0.0
    rout_morale: Share = 0.0
    offensive_ratio: Positive = 1.0
    hts_share: Share = 0.0
    decay: Share = 0.0
    mobilisation: NonNegative = 0.0
    foreign_flow: NonNegative = 0.0


class Choice(Strict):
    temperature: Positive
    switching_cost: NonNegative
    money_scale: Positive
    casualty_scale: Positive
    casualty_base: NonNegative
    horizon: Annotated[int, Field(ge=1, le=36)]
    threat_convexity: Annotated[float, Field(ge=0.0, le=5.0)] = 0.0
    # how far the projection foresees the month's morale model (`theatre._foreseen`)
    morale_foresight: Share = 0.0


class Theatre(Strict):
    decisiveness: Annotated[float, Field(ge=0.2, le=5.0)]
    mobility: Annotated[float, Field(gt=0.0, le=0.5)]
    defence: Annotated[float, Field(ge=0.0, lt=1.0)]  # the defender's edge (`theatre._headway`)
    # the contest share below which a side gives up its ground (`theatre._contest_batch`)
    cede: Annotated[float, Field(ge=0.0, lt=0.5)]
    spill: Share
    noise: Annotated[float, Field(ge=0.0, le=1.0)]
    attrition: Share
    offensive_boost: NonNegative
    rout_intensity: Annotated[float, Field(ge=1.0, le=10.0)]
    ceasefire_strength: Share
    capital_weight: Share
    capital_holds: Share
    dependence_floor: Share
    consolidation_months: NonNegative
    value_population: NonNegative
    value_area: NonNegative
    value_area_isis: NonNegative
    sdf_home: dict[str, Share]
    value_key: NonNegative
    economy_recovery: Share
    war_damage: Share
    oil_weight: Share
    hostility: dict[str, Share]

    @model_validator(mode="after")
    def _pairs(self) -> Theatre:
        _check_governorates(self.sdf_home, "sdf_home")
        for pair in self.hostility:
            parts = pair.split("-")
            if len(parts) != 2 or not all(p in FACTIONS for p in parts) or parts[0] == parts[1]:
                raise ValueError(f"hostility key {pair!r} must be two factions 'a-b' of {FACTIONS}")
        return self


class Relations(Strict):
    rate: Share
    joint_support: NonNegative
    opposing_support: NonNegative
    joint_talks: NonNegative
    deconfliction: NonNegative
    strikes: NonNegative
    tolerance: NonNegative
    competition: NonNegative
    common_rival: NonNegative
    sanctions: NonNegative
    memory: NonNegative
    clash_threshold: Annotated[float, Field(ge=-1.0, le=1.0)]
    reciprocity: Share
    danger_memory: Annotated[float, Field(ge=0.0, le=120.0)] = 0.0


DraftType = Literal["condemnation", "sanctions", "accountability", "chemical", "humanitarian"]


class Un(Strict):
    draft_rate: Share
    pressure_fade: Share
    resolution_pressure: NonNegative
    air_atrocity: NonNegative
    crackdown_scale: Positive
    accountability_toll: Positive
    draft_gain: NonNegative
    hostility_floor: Share
    novelty: Share
    draft_cost: NonNegative
    shame: NonNegative
    harm: dict[DraftType, Share]
    china: dict[DraftType, Share]
    veto_standing: NonNegative
    veto_repeat: NonNegative
    china_relief: Share
    own_forces: NonNegative
    cover_relief: Share

    @model_validator(mode="after")
    def every_draft_type(self) -> Un:
        for table in ("harm", "china"):
            missing = set(DraftType.__args__) - set(getattr(self, table))
            if missing:
                raise ValueError(f"un.{table} lacks {sorted(missing)}")
        return self


class Ceasefire(Strict):
    russia: NonNegative
    iran: NonNegative
    syria: NonNegative
    turkey: NonNegative
    us: NonNegative
    holds: Share


class Morale(Strict):
    key_base: NonNegative
    key_slope: NonNegative
    floor: Share


class Losses(Strict):
    base: NonNegative
    strike_floor: Share
    holds_ground: Share
    front_base: NonNegative
    foreseen_recruits: Share
    front_presence: Share
    blow_quality_cap: Share


class OtherWars(Strict):
    availability_floor: Share
    return_rate: Share


class Signals(Strict):
    safe_patron_weight: NonNegative
    backer_share: Share
    golan_buffer: Share


class Strikes(Strict):
    gain: NonNegative
    threshold: NonNegative
    air_defence: NonNegative
    arms: NonNegative


class Params(Strict):
    iran: Actor
    israel: Actor
    russia: Actor
    syria: Actor
    turkey: Actor
    us: Actor
    regime: Force
    opposition: Force
    sdf: Force
    isis: Force
    militias: Force
    hezbollah: Force
    choice: Choice
    theatre: Theatre
    relations: Relations
    un: Un
    ceasefire: Ceasefire
    morale: Morale
    losses: Losses
    other_wars: OtherWars
    signals: Signals
    strikes: Strikes

    @model_validator(mode="after")
    def _threat_keys(self) -> Params:
        for state in STATES:
            actor = getattr(self, state)
            expected = THREAT_KEYS[state]
            if set(actor.threat) != expected:
                raise ValueError(f"{state}.threat must have exactly the keys {sorted(expected)}")
        return self


@cache
def _defaults_frozen() -> tuple[dict[str, Any], dict[str, str]]:
    tree: dict[str, Any] = {}
    origin: dict[str, str] = {}
    for name in PARAM_FILES:
        path = PARAMS_DIR / name
        try:
            with open(path, "rb") as fh:
                table = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise UserInputError(path, None, f"malformed TOML ({exc})") from None
        for key, value in table.items():
            if key in tree:
                raise UserInputError(path, key, f"defined twice (also in {origin[key]})")
            tree[key] = value
            origin[key] = str(path)
    validate(tree, "params/")
    return tree, origin


def copy_tree(value: Any) -> Any:
    """A copy of a tree of TOML data (dicts and lists copied, the immutable leaves shared):
    what `copy.deepcopy` gives for such data, several times faster (a sweep builds one
    scenario per point)."""
    if isinstance(value, dict):
        return {key: copy_tree(item) for key, item in value.items()}
    if isinstance(value, list):
        return [copy_tree(item) for item in value]
    return value


def load_defaults() -> dict[str, Any]:
    """The default parameter tree (a fresh copy the caller may change)."""
    return copy_tree(_defaults_frozen()[0])


def validate(tree: dict[str, Any], source: str, prefix: str = "") -> dict[str, Any]:
    """Check a parameter tree; return it as plain data with defaults filled in."""
    try:
        return Params.model_validate(tree).model_dump()
    except ValidationError as exc:
        raise pydantic_error(exc, source, prefix, tree) from None


def pydantic_error(
    exc: ValidationError, source: str, prefix: str, tree: dict[str, Any] | None = None
) -> UserInputError:
    """The first problem pydantic found, as one clear message naming the key."""
    err = exc.errors()[0]
    loc = [str(p) for p in err["loc"] if not str(p).startswith("function-after")]
    key = ".".join([prefix.rstrip("."), *loc] if prefix else loc) or None
    if err["type"] == "extra_forbidden":
        siblings = _siblings(tree, loc[:-1]) if tree is not None else []
        guess = difflib.get_close_matches(loc[-1], siblings, n=1)
        hint = f"; did you mean {guess[0]!r}?" if guess else ""
        return UserInputError(source, key, f"unknown key{hint}")
    if err["type"] == "missing":
        return UserInputError(source, key, "missing (required)")
    got = err.get("input")
    shown = "" if isinstance(got, dict) else f", got {got!r}"
    return UserInputError(source, key, f"{err['msg']}{shown}")


def _siblings(tree: Any, path: list[str]) -> list[str]:
    """Known keys at a place in the schema, for 'did you mean' hints."""
    model: Any = Params
    dict_values = False  # the previous part was a dict-typed field: this part is a key in it
    for part in path:
        if dict_values:
            dict_values = False
            continue
        fields = getattr(model, "model_fields", None)
        if fields is None or part not in fields:
            return []
        annotation = fields[part].annotation
        args = getattr(annotation, "__args__", ())
        if getattr(annotation, "__origin__", None) is dict and args:
            model, dict_values = args[-1], True
        elif isinstance(annotation, type):
            model = annotation
        else:
            return []
    return list(getattr(model, "model_fields", {}))


def get_path(tree: dict[str, Any], dotted: str) -> Any:
    node: Any = tree
    for part in dotted.split("."):
        node = node[part]
    return node


def set_path(tree: dict[str, Any], dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    node = tree
    for part in parts[:-1]:
        node = node[part]
    node[parts[-1]] = value


def has_path(tree: dict[str, Any], dotted: str) -> bool:
    node: Any = tree
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def leaf_paths(tree: dict[str, Any], prefix: str = "") -> list[str]:
    out = []
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            out.extend(leaf_paths(value, path + "."))
        else:
            out.append(path)
    return out


_TABLE = re.compile(r"^\s*\[([^\]]+)\]\s*(#.*)?$")
_VALUE = re.compile(r"^\s*([A-Za-z0-9_\-\"]+)\s*=\s*(.*?)\s*(?:#\s*(.*))?$")


@cache
def parameter_sources() -> dict[str, str]:
    """The source named in the comment beside each parameter line of params/*.toml.

    Keys are dotted paths as in the parameter tree (an inline table gives one key for the
    table, e.g. `iran.weights`). Used by `run.py describe` and the report.
    """
    sources: dict[str, str] = {}
    for name in PARAM_FILES:
        table = ""
        for line in (PARAMS_DIR / name).read_text(encoding="utf-8").splitlines():
            if line.lstrip().startswith("#") or not line.strip():
                continue
            header = _TABLE.match(line)
            if header:
                table = header.group(1).strip()
                continue
            match = _VALUE.match(line)
            if match and match.group(3):
                key = match.group(1).strip('"')
                sources[f"{table}.{key}" if table else key] = match.group(3).strip()
    return sources
