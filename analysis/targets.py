"""Historical targets: the one loader for `analysis/targets.toml`.

A target is a dated check on the output contract with its source beside it (the row or table of
the calibration record and the record's grade), marked `train` (2011–2017 figures) or `test`
(the qualitative 2018–2025 course). Each kind is a pydantic model; `checks.py` holds the check
each kind names. Bad files end in one `UserInputError` naming the file, the key and what was
expected.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.errors import UserInputError
from sim.vocabulary import STATES, VARIABLE_SUBJECTS

DEFAULT_TARGETS = Path(__file__).with_name("targets.toml")

# Event names of the output contract (README, "Outputs").
EVENTS: tuple[str, ...] = (
    "military_intervention",
    "veto",
    "airstrike",
    "negotiation",
    "ceasefire",
    "deconfliction",
    "withdrawal",
    "sanctions",
    "offensive",
    "regime_collapse",
    "succession",
    "resolution",
    "shock",
    "action_start",
    "action_stop",
)
ACTORS: tuple[str, ...] = (*STATES, "world", "opposition")

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class _KeyedError(ValueError):
    """A problem found by a model-level check, with the key it concerns."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


def _month(text: str) -> str:
    if not _MONTH.match(text):
        raise ValueError(f"a month as YYYY-MM, got {text!r}")
    return text


def _ordered(window: tuple[str, str]) -> tuple[str, str]:
    if window[0] > window[1]:
        raise ValueError(f"[start, end] with start <= end, got {list(window)}")
    return window


Month = Annotated[str, AfterValidator(_month)]
Window = Annotated[tuple[Month, Month], AfterValidator(_ordered)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EventMatch(Strict):
    """Which events count: an event name and, optionally, who, against whom, and the detail."""

    event: str
    actor: str | list[str] | None = None
    target: str | list[str] | None = None
    detail: str | None = None

    @model_validator(mode="after")
    def _known(self) -> EventMatch:
        if self.event not in EVENTS:
            raise _KeyedError("event", f"one of {', '.join(EVENTS)}, got {self.event!r}")
        actors = [self.actor] if isinstance(self.actor, str) else self.actor or []
        for actor in actors:
            if actor not in ACTORS:
                raise _KeyedError("actor", f"one of {', '.join(ACTORS)}, got {actor!r}")
        return self


class _Target(Strict):
    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    set: Literal["train", "test"]
    description: Annotated[str, Field(min_length=1)]
    source: Annotated[str, Field(min_length=1)]

    def period(self) -> tuple[str, str]:
        """The months an ensemble must cover for this target to apply."""
        raise NotImplementedError


class _OnSeries(_Target):
    """A target on one timeseries variable and subject."""

    variable: str
    subject: str

    @model_validator(mode="after")
    def _known(self) -> _OnSeries:
        subjects = VARIABLE_SUBJECTS.get(self.variable)
        if subjects is None:
            raise _KeyedError(
                "variable", f"one of {', '.join(VARIABLE_SUBJECTS)}, got {self.variable!r}"
            )
        if self.subject not in subjects:
            raise _KeyedError(
                "subject",
                f"a subject of {self.variable}: one of {', '.join(subjects)}, got {self.subject!r}",
            )
        return self


class Band(_OnSeries):
    """The variable's mean (or min, or max) over the window lies in [lo, hi]."""

    kind: Literal["band"]
    window: Window
    lo: float
    hi: float
    stat: Literal["mean", "min", "max"] = "mean"

    @model_validator(mode="after")
    def _band(self) -> Band:
        if self.lo > self.hi:
            raise _KeyedError("hi", f"a number >= lo ({self.lo}), got {self.hi}")
        return self

    def period(self) -> tuple[str, str]:
        return self.window


class Change(_OnSeries):
    """The variable's mean moves from the `before` window to the `after` window: `up` by more
    than `margin`, `down` by more than `margin`, or `flat` (within `margin`)."""

    kind: Literal["change"]
    before: Window
    after: Window
    direction: Literal["up", "down", "flat"]
    margin: Annotated[float, Field(ge=0.0)] = 0.0

    @model_validator(mode="after")
    def _windows(self) -> Change:
        if self.before[1] >= self.after[0]:
            raise _KeyedError("after", "a window starting after the `before` window ends")
        if self.direction == "flat" and self.margin <= 0:
            raise _KeyedError("margin", "a margin > 0 for a `flat` change")
        return self

    def period(self) -> tuple[str, str]:
        return (self.before[0], self.after[1])


class Largest(_OnSeries):
    """The subject's window mean is strictly the largest among its variable's subjects."""

    kind: Literal["largest"]
    window: Window

    def period(self) -> tuple[str, str]:
        return self.window


class ExtremumDate(_OnSeries):
    """The month of the variable's minimum (or maximum) within `search` falls in `window`."""

    kind: Literal["extremum_date"]
    stat: Literal["min", "max"]
    search: Window
    window: Window

    @model_validator(mode="after")
    def _inside(self) -> ExtremumDate:
        if not (self.search[0] <= self.window[0] and self.window[1] <= self.search[1]):
            raise _KeyedError("window", "a window inside `search`")
        return self

    def period(self) -> tuple[str, str]:
        return self.search


class Rescue(_OnSeries):
    """An outside power comes to the rescue at the low point, and it works: the first matching
    event within `search` comes in the month of the variable's minimum over `search` or at
    most `lag` months after it, and `after` months after the event (at the end of `search`,
    if that comes first) the variable is higher than at the event by more than `margin`."""

    kind: Literal["rescue"]
    match: EventMatch
    search: Window
    lag: Annotated[int, Field(ge=0)]
    after: Annotated[int, Field(ge=1)]
    margin: Annotated[float, Field(ge=0.0)] = 0.0

    def period(self) -> tuple[str, str]:
        return self.search


class EventWindow(_Target):
    """The first matching event (counting from `search_from`, if given) falls in `window`;
    a run without one fails."""

    kind: Literal["event_window"]
    match: EventMatch
    window: Window
    search_from: Month | None = None

    @model_validator(mode="after")
    def _from(self) -> EventWindow:
        if self.search_from is not None and self.search_from > self.window[0]:
            raise _KeyedError("search_from", "a month no later than the window's start")
        return self

    def period(self) -> tuple[str, str]:
        return (self.search_from or self.window[0], self.window[1])


class EventOrder(_Target):
    """Within `window`, the first `first` event comes in a strictly earlier month than the
    first `second` event; both must happen."""

    kind: Literal["event_order"]
    first: EventMatch
    second: EventMatch
    window: Window

    def period(self) -> tuple[str, str]:
        return self.window


# What a count of events counts: the events, or the strikes they report ("12 strikes on
# militias" is 12; an `airstrike` event without a count is one: `sim.strikes.count_of`).
Counted = Literal["events", "strikes"]


class EventCount(_Target):
    """The number of matching events (or of the strikes they report, `count`) in `window`
    lies in [lo, hi]."""

    kind: Literal["event_count"]
    match: EventMatch
    window: Window
    lo: Annotated[int, Field(ge=0)]
    hi: Annotated[int, Field(ge=0)]
    count: Counted = "events"

    @model_validator(mode="after")
    def _band(self) -> EventCount:
        if self.lo > self.hi:
            raise _KeyedError("hi", f"a number >= lo ({self.lo}), got {self.hi}")
        return self

    def period(self) -> tuple[str, str]:
        return self.window


class EventEachYear(_Target):
    """At least `min_per_year` matching events in every calendar year of `years` (inclusive)."""

    kind: Literal["event_each_year"]
    match: EventMatch
    years: tuple[int, int]
    min_per_year: Annotated[int, Field(ge=1)] = 1

    @model_validator(mode="after")
    def _years(self) -> EventEachYear:
        if not 1900 < self.years[0] <= self.years[1] < 2200:
            raise _KeyedError("years", f"[first, last] with first <= last, got {list(self.years)}")
        return self

    def period(self) -> tuple[str, str]:
        return (f"{self.years[0]:04d}-01", f"{self.years[1]:04d}-12")


class EventRise(_Target):
    """Matching events (or the strikes they report, `count`) come more often a month in the
    `after` window than in the `before` window, by more than `margin` a month."""

    kind: Literal["event_rise"]
    match: EventMatch
    before: Window
    after: Window
    count: Counted = "strikes"
    margin: Annotated[float, Field(ge=0.0)] = 0.0

    @model_validator(mode="after")
    def _windows(self) -> EventRise:
        if self.before[1] >= self.after[0]:
            raise _KeyedError("after", "a window starting after the `before` window ends")
        return self

    def period(self) -> tuple[str, str]:
        return (self.before[0], self.after[1])


Target = Annotated[
    Band
    | Change
    | Largest
    | ExtremumDate
    | Rescue
    | EventWindow
    | EventOrder
    | EventCount
    | EventEachYear
    | EventRise,
    Field(discriminator="kind"),
]
KINDS: dict[str, type[_Target]] = {
    "band": Band,
    "change": Change,
    "largest": Largest,
    "extremum_date": ExtremumDate,
    "rescue": Rescue,
    "event_window": EventWindow,
    "event_order": EventOrder,
    "event_count": EventCount,
    "event_each_year": EventEachYear,
    "event_rise": EventRise,
}


class TargetFile(Strict):
    description: str | None = None
    target: Annotated[list[Target], Field(min_length=1)]


def load_targets(path: str | Path = DEFAULT_TARGETS) -> list[Target]:
    """The targets of a TOML file, validated (default: `analysis/targets.toml`); read by the
    one reader of TOML input (not UTF-8, a device or a non-finite number: one clear error)."""
    from sim.scenario import read_toml

    return parse_targets(read_toml(Path(path)), str(path))


def parse_targets(data: dict[str, Any], source: str) -> list[Target]:
    """Validate the contents of a targets file; `source` names it in error messages."""
    try:
        parsed = TargetFile.model_validate(data)
    except ValidationError as exc:
        raise _user_error(exc, source, data) from None
    seen: dict[str, int] = {}
    for index, target in enumerate(parsed.target):
        if target.id in seen:
            raise UserInputError(
                source,
                f"target[{index}].id",
                f"unique ids; {target.id!r} is also target[{seen[target.id]}]",
            )
        seen[target.id] = index
    return list(parsed.target)


def _user_error(exc: ValidationError, source: str, data: dict[str, Any]) -> UserInputError:
    """The first problem pydantic found, as a key path like `target[3].lo`."""
    errors = exc.errors()
    # an unknown (misspelt) key explains a "missing" one better than the other way round
    err = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    loc = list(err["loc"])
    problem = (err.get("ctx") or {}).get("error")
    if isinstance(problem, _KeyedError):
        loc.append(problem.key)
    # drop the discriminator tag pydantic puts after the list index, and validator wrappers
    if len(loc) >= 3 and loc[0] == "target" and isinstance(loc[1], int) and loc[2] in KINDS:
        del loc[2]
    loc = [p for p in loc if not str(p).startswith("function-")]
    key = ""
    for part in loc:
        key += f"[{part}]" if isinstance(part, int) else f".{part}" if key else str(part)
    entry = _entry(data, loc)
    where = f" (in target {entry.get('id')!r})" if isinstance(entry.get("id"), str) else ""
    kind = err["type"]
    if kind == "extra_forbidden":
        known = _known_fields(entry, loc)
        guess = difflib.get_close_matches(str(loc[-1]), known, n=1)
        hint = f"; did you mean {guess[0]!r}?" if guess else ""
        return UserInputError(source, key or None, f"unknown key{hint}{where}")
    if kind == "missing":
        return UserInputError(source, key or None, f"missing (required){where}")
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        return UserInputError(
            source, f"{key}.kind", f"one of {', '.join(KINDS)}, got {entry.get('kind')!r}{where}"
        )
    if kind == "value_error":  # our own checks say what they expected and what they got
        message = str(err["msg"]).removeprefix("Value error, ")
        return UserInputError(source, key or None, f"{message}{where}")
    got = err.get("input")
    shown = "" if isinstance(got, dict | list) else f", got {got!r}"
    return UserInputError(source, key or None, f"{err['msg']}{shown}{where}")


def _entry(data: dict[str, Any], loc: list[Any]) -> dict[str, Any]:
    """The `[[target]]` table an error location points into (empty if none)."""
    if len(loc) >= 2 and loc[0] == "target" and isinstance(loc[1], int):
        targets = data.get("target")
        if (
            isinstance(targets, list)
            and loc[1] < len(targets)
            and isinstance(targets[loc[1]], dict)
        ):
            return targets[loc[1]]
    return {}


def _known_fields(entry: dict[str, Any], loc: list[Any]) -> list[str]:
    model: type[BaseModel] = KINDS.get(entry.get("kind", ""), TargetFile)
    if len(loc) == 4 and loc[2] in ("match", "first", "second"):
        model = EventMatch
    elif len(loc) < 3:
        model = TargetFile
    return list(model.model_fields)


__all__ = [
    "DEFAULT_TARGETS",
    "EVENTS",
    "KINDS",
    "Band",
    "Change",
    "EventCount",
    "EventEachYear",
    "EventMatch",
    "EventOrder",
    "EventRise",
    "EventWindow",
    "ExtremumDate",
    "Largest",
    "Target",
    "load_targets",
    "parse_targets",
]
