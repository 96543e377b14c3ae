"""Structural targets: the causal facts a model of the war must reproduce, as paired checks.

A train or test target asks whether a run looks like the record. A structural target asks
whether the model gets a cause right. Example: without Russia's combat forces the regime falls
by 2017. Each target runs a variant of the baseline scenario on the baseline's seeds (common
random numbers). It compares the share of runs in which the regime has fallen by a month, variant
minus baseline, with a paired-bootstrap interval (`analysis.stats`). The targets live in
`analysis/structural.toml` and never enter the calibration.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from analysis.checks import EnsembleFrames
from analysis.stats import fall_probability_difference
from sim import params as P
from sim.errors import UserInputError
from sim.scenario import load_scenario, read_toml

DEFAULT_STRUCTURAL = Path(__file__).with_name("structural.toml")
VARIANTS_DIR = Path(__file__).with_name("structural")
Month = Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
Share = Annotated[float, Field(ge=0.0, le=1.0)]
Difference = Annotated[float, Field(ge=-1.0, le=1.0)]
COLUMNS = ("id", "description", "variant", "fallen_by", "baseline_share", "variant_share",
           "difference", "ci_low", "ci_high", "requirement", "passes", "interval_passes",
           "n_pairs", "evidence")


class StructuralTarget(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    description: str
    variant: str
    fallen_by: Month
    evidence: str = Field(min_length=1)
    variant_at_least: Share | None = None
    variant_at_most: Share | None = None
    difference_at_least: Difference | None = None
    difference_at_most: Difference | None = None

    @model_validator(mode="after")
    def _has_a_requirement(self) -> StructuralTarget:
        if not self.bounds():
            raise ValueError("a structural target needs at least one requirement "
                             "(variant_at_least/at_most, difference_at_least/at_most)")
        return self

    def bounds(self) -> list[tuple[str, str, float]]:
        """(quantity, 'at least' | 'at most', bound) for each requirement the target sets."""
        named = (("variant", "at least", self.variant_at_least),
                 ("variant", "at most", self.variant_at_most),
                 ("difference", "at least", self.difference_at_least),
                 ("difference", "at most", self.difference_at_most))
        return [(what, how, bound) for what, how, bound in named if bound is not None]

    def requirement(self) -> str:
        return "; ".join(f"{what} {how} {bound:+.2f}" if what == "difference"
                         else f"{what} {how} {bound:.2f}" for what, how, bound in self.bounds())

    def met(self, variant: float, difference: float) -> bool:
        value = {"variant": variant, "difference": difference}
        return all(value[what] >= bound if how == "at least" else value[what] <= bound
                   for what, how, bound in self.bounds())


class StructuralFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    baseline: str
    target: list[StructuralTarget] = Field(min_length=1)


def load_structural(path: str | Path = DEFAULT_STRUCTURAL) -> StructuralFile:
    """The structural targets of a TOML file, validated."""
    data = read_toml(Path(path))
    try:
        parsed = StructuralFile.model_validate(data)
    except ValidationError as exc:
        raise P.pydantic_error(exc, str(path), "") from None
    ids = [t.id for t in parsed.target]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise UserInputError(path, "target.id", f"unique ids; {repeated[0]!r} appears twice")
    return parsed


def variant_path(variant: str, folder: Path = VARIANTS_DIR) -> str | Path:
    """A shipped scenario's name as it is; a `.toml` path relative to analysis/."""
    return folder.parent / variant if variant.endswith(".toml") else variant


def evaluate(
    spec: StructuralFile,
    run: Callable[..., EnsembleFrames],
    *,
    n_boot: int = 2000,
    seed: int = 0,
    sets: tuple[str, ...] = (),
) -> pd.DataFrame:
    """Each target's paired comparison, one row a target (columns `COLUMNS`).

    `run(scenario)` runs an ensemble on the seeds the caller chose, the same for every call.
    The baseline runs once, and each distinct variant runs once however many targets read it.
    `sets` (`--set` overrides) apply to the baseline and every variant alike.
    """
    baseline = run(load_scenario(spec.baseline, sets))
    variants: dict[str, EnsembleFrames] = {}
    rows = []
    for target in spec.target:
        if target.variant not in variants:
            variants[target.variant] = run(load_scenario(variant_path(target.variant), sets))
        row = fall_probability_difference(baseline, variants[target.variant], n_boot=n_boot,
                                          seed=seed, by=target.fallen_by)
        interval = (row["ci_low"], row["ci_high"])
        rows.append({
            "id": target.id,
            "description": target.description,
            "variant": target.variant,
            "fallen_by": target.fallen_by,
            "baseline_share": row["a"],
            "variant_share": row["b"],
            "difference": row["difference"],
            "ci_low": row["ci_low"],
            "ci_high": row["ci_high"],
            "requirement": target.requirement(),
            "passes": target.met(row["b"], row["difference"]),
            # the whole interval meets the bound on the difference (the variant's share is
            # a point figure of the runs, so its requirement is read as it is)
            "interval_passes": all(target.met(row["b"], d) for d in interval),
            "n_pairs": row["n_pairs"],
            "evidence": target.evidence,
        })
    return pd.DataFrame(rows, columns=list(COLUMNS))


ACROSS_COLUMNS = ("id", "description", "variant", "fallen_by", "requirement", "baseline_share",
                  "variant_share", "difference", "set_q05", "set_q95", "sets_pass", "passes",
                  "sets", "n_pairs", "evidence")


def across_sets(spec: StructuralFile, per_set: list[pd.DataFrame]) -> pd.DataFrame:
    """The structural targets across parameter sets (`per_set`: `evaluate`'s table for each
    set, every set on the same seeds): each target's shares and difference averaged over the
    sets, the 5-95% range of the sets' own differences, the share of sets whose own estimate
    meets the target, and whether the average meets it (`passes`). One row a target
    (`ACROSS_COLUMNS`)."""
    import numpy as np

    rows = []
    for target in spec.target:
        mine = pd.DataFrame([table.set_index("id").loc[target.id] for table in per_set])
        difference = mine["difference"].to_numpy(dtype=float)
        variant = float(mine["variant_share"].mean())
        low, high = np.percentile(difference, [5, 95])
        rows.append({
            "id": target.id, "description": target.description, "variant": target.variant,
            "fallen_by": target.fallen_by, "requirement": target.requirement(),
            "baseline_share": float(mine["baseline_share"].mean()), "variant_share": variant,
            "difference": float(difference.mean()), "set_q05": float(low),
            "set_q95": float(high), "sets_pass": float(mine["passes"].astype(bool).mean()),
            "passes": target.met(variant, float(difference.mean())), "sets": len(per_set),
            "n_pairs": int(mine["n_pairs"].iloc[0]), "evidence": target.evidence,
        })
    return pd.DataFrame(rows, columns=list(ACROSS_COLUMNS))
