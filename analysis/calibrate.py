"""Calibration: fit the declared free parameters to the *train* targets only.

The free parameters, their bounds and why each is free are declared in
`params/free_parameters.toml`. The loss of a candidate is 1 - the train score of an ensemble of
the calibration scenario (2011-2017 by default), every candidate run on the same seeds (common
random numbers), so candidates differ by their parameters and not by their luck. The search is
scipy's differential evolution with a fixed seed and deferred updating: the same seed gives the
same fitted values whatever the number of workers. Test targets (2018-2025) never enter the fit;
`fit_record()` lists the target ids used so anyone can check.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from scipy.optimize import differential_evolution

from analysis.checks import evaluate, score
from analysis.targets import Target, load_targets
from sim import params as P
from sim.errors import UserInputError
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
FREE_PARAMETERS = ROOT / "params" / "free_parameters.toml"
RECORD = ROOT / "params" / "calibration.json"


class FreeParameter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    path: str
    low: float
    high: float
    why: Annotated[str, Field(min_length=10)]


class FreeFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    parameter: list[FreeParameter]


def load_free(path: str | Path = FREE_PARAMETERS) -> list[FreeParameter]:
    """The declared free parameters; each must be a scalar line in params/ within its bounds."""
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            raw = tomllib.load(fh)
        free = FreeFile.model_validate(raw).parameter
    except tomllib.TOMLDecodeError as exc:
        raise UserInputError(path, None, f"malformed TOML ({exc})") from None
    except ValidationError as exc:
        raise P.pydantic_error(exc, str(path), "") from None
    defaults = P.load_defaults()
    for i, item in enumerate(free):
        key = f"parameter[{i}].path"
        if not P.has_path(defaults, item.path) or isinstance(P.get_path(defaults, item.path), dict):
            raise UserInputError(path, key, f"{item.path!r} is not a parameter")
        if item.low >= item.high:
            raise UserInputError(path, f"parameter[{i}].low", "must be below `high`")
        if param_line(item.path) is None:
            raise UserInputError(
                path,
                key,
                f"{item.path!r} must be a `key = value` line in "
                "params/ (not inside an inline table)",
            )
        for bound in (item.low, item.high):  # the bounds themselves must be valid values
            tree = P.load_defaults()
            P.set_path(tree, item.path, bound)
            P.validate(tree, str(path), f"parameter[{i}]")
    return free


def train_targets(targets: Sequence[Target]) -> list[Target]:
    return [t for t in targets if t.set == "train"]


@dataclass(frozen=True)
class Problem:
    """Everything one loss evaluation needs (picklable, for worker processes)."""

    scenario: str
    paths: tuple[str, ...]
    seeds: tuple[int, ...]
    targets: tuple[Target, ...]

    def sets(self, values: Sequence[float]) -> list[str]:
        return [f"{p}={float(v)!r}" for p, v in zip(self.paths, values, strict=True)]


def loss(values: np.ndarray, problem: Problem) -> float:
    """1 - the train score of the calibration ensemble under these parameter values."""
    from sim.ensemble import run_ensemble

    scenario = load_scenario(problem.scenario, problem.sets(values))
    ensemble = run_ensemble(scenario, list(problem.seeds), workers=1, progress=False)
    table = evaluate(problem.targets, ensemble)
    return 1.0 - score(table, "train")


@dataclass
class Fit:
    values: dict[str, float]
    loss: float
    generations: int
    evaluations: int
    problem: Problem
    settings: dict


def calibrate(
    scenario: str = "cooperation_2011_2017",
    runs: int = 16,
    seed: int = 0,
    maxiter: int = 15,
    popsize: int = 6,
    workers: int = 1,
    free: Sequence[FreeParameter] | None = None,
    on_generation: Callable[[int, float], None] | None = None,
) -> Fit:
    """Differential evolution on the train loss (seeded; deferred updating)."""
    free = list(free if free is not None else load_free())
    targets = tuple(train_targets(load_targets()))
    problem = Problem(
        scenario=scenario,
        paths=tuple(f.path for f in free),
        seeds=tuple(range(seed, seed + runs)),
        targets=targets,
    )
    bounds = [(f.low, f.high) for f in free]
    # the search starts from the values in params/ (the last fit, or hand-set values), so a
    # new fit is never worse on its own seeds than where it began
    defaults = P.load_defaults()
    start = [min(max(float(P.get_path(defaults, f.path)), f.low), f.high) for f in free]
    generation = {"n": 0}

    def callback(intermediate_result) -> None:
        generation["n"] += 1
        if on_generation is not None:
            on_generation(generation["n"], float(intermediate_result.fun))

    settings = {
        "maxiter": maxiter,
        "popsize": popsize,
        "seed": seed,
        "runs": runs,
        "strategy": "best1bin",
        "updating": "deferred",
        "polish": False,
        "x0": "the values in params/ when the fit started",
    }
    search = dict(args=(problem,), maxiter=maxiter, popsize=popsize, seed=seed, x0=start,
                  updating="deferred", polish=False, callback=callback)
    from sim.ensemble import worker_pool

    with worker_pool(workers) as map_:
        result = differential_evolution(loss, bounds, workers=map_, **search)
    # DE's scaling to the unit cube and back leaves a start of 0 as about 1e-17: snap it
    values = {f.path: 0.0 if abs(v) < 1e-9 * (f.high - f.low) else float(v)
              for f, v in zip(free, result.x, strict=True)}
    return Fit(
        values=values,
        loss=float(result.fun),
        generations=int(result.nit),
        evaluations=int(result.nfev),
        problem=problem,
        settings=settings,
    )


def fit_record(fit: Fit, free: Sequence[FreeParameter]) -> dict:
    """What the fit did, for params/calibration.json: anyone can check no test target was used."""
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "scenario": fit.problem.scenario,
        "loss": round(fit.loss, 6),
        "train_score": round(1.0 - fit.loss, 6),
        "targets_used": [t.id for t in fit.problem.targets],
        "target_sets_used": sorted({t.set for t in fit.problem.targets}),
        "seeds": list(fit.problem.seeds),
        "generations": fit.generations,
        "evaluations": fit.evaluations,
        "settings": fit.settings,
        "values": {k: round(v, 6) for k, v in fit.values.items()},
        "bounds": {f.path: [f.low, f.high] for f in free},
    }


# --- writing the fitted values back into params/ ---------------------------------------------

_HEADER = re.compile(r"^\s*\[([^\]]+)\]")
_CLASS_PREFIX = re.compile(r"^(calibrated \([^)]*\)|hand-set \((?:train|test window)\)):\s*")


def param_line(path: str) -> tuple[Path, int] | None:
    """The file and line number of a parameter's `key = value` line in params/."""
    table, _, key = path.rpartition(".")
    for name in P.PARAM_FILES:
        file = P.PARAMS_DIR / name
        current = ""
        for number, line in enumerate(file.read_text(encoding="utf-8").splitlines()):
            header = _HEADER.match(line)
            if header:
                current = header.group(1).strip()
            elif current == table and re.match(rf"^\s*{re.escape(key)}\s*=\s*[^{{]", line):
                return file, number
    return None


def write_values(values: dict[str, float], record: dict) -> list[Path]:
    """Put fitted values on their lines in params/ (comments kept, marked calibrated), and
    write the fit's record. Each file is replaced whole, so nothing is left half-written."""
    changed: dict[Path, list[str]] = {}
    for path, value in values.items():
        located = param_line(path)
        if located is None:
            raise UserInputError("params/", path, "no `key = value` line to write to")
        file, number = located
        lines = changed.setdefault(file, file.read_text(encoding="utf-8").splitlines())
        key, _, rest = lines[number].partition("=")
        _, hash_, comment = rest.partition("#")
        # the source class leads the comment (docs/sources/README.md): the old class gives way
        note = _CLASS_PREFIX.sub("", comment.strip())
        text = f"{key.rstrip()} = {value:.4g}"
        marker = f"calibrated ({record['date']}, params/calibration.json)"
        lines[number] = f"{text}  # {marker}: {note}" if hash_ and note else f"{text}  # {marker}"
    for file, lines in changed.items():
        tmp = file.with_suffix(".toml.tmp")
        tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
        tmp.replace(file)
    RECORD.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    P._defaults_frozen.cache_clear()
    P.parameter_sources.cache_clear()
    return [*changed, RECORD]
