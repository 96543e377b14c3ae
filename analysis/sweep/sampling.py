"""From a spec to a plan: the SALib `problem`, the sample, and the seed of every run.

Point `i` of a sweep is row `i` of the sample, in the sampler's own order (Sobol' analysis
needs Saltelli's order back, so the order is never shuffled). Replicate `r` of point `i` is
seeded from the sweep seed, `i` and `r` alone (`run_seed`), so a run's result does not depend
on which executor ran it, in which batch, or on how many workers there were.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from analysis.sweep.spec import Parameter, SweepSpec

# SALib's names for our distributions, and which fields make up its `bounds` entry.
_SALIB_DIST = {
    "uniform": ("unif", ("low", "high")),
    "loguniform": ("logunif", ("low", "high")),
    "normal": ("norm", ("mean", "sd")),
    "truncnormal": ("truncnorm", ("low", "high", "mean", "sd")),
}


@dataclass(frozen=True)
class Posterior:
    """The parameter sets a sweep runs every point under (`run.py sweep --posterior`): row `k`
    of `values` is set `k`, over the posterior's parameter paths `names`; `identity` is the
    file, its content hash, the number of sets and the draw's seed (`posterior.load_sets`)."""

    names: tuple[str, ...]
    values: np.ndarray  # (sets, parameters), float64
    identity: dict

    @property
    def n_sets(self) -> int:
        return int(self.values.shape[0])

    def rows(self) -> tuple[tuple[float, ...], ...]:
        return tuple(tuple(float(v) for v in row) for row in self.values)


@dataclass(frozen=True, eq=False)
class Plan:
    """Every run of a sweep: `points[i]` holds the parameter values of point `i`; with a
    `posterior`, every point runs under each of its sets, on the same seeds."""

    spec: SweepSpec
    points: np.ndarray  # (points, parameters), float64, row = point_id
    posterior: Posterior | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return self.spec.names

    @property
    def replicates(self) -> int:
        return self.spec.replicates

    @property
    def n_points(self) -> int:
        return int(self.points.shape[0])

    @property
    def n_sets(self) -> int:
        """Posterior sets each point runs under (1 without a posterior)."""
        return 1 if self.posterior is None else self.posterior.n_sets

    @property
    def shape(self) -> tuple[int, ...]:
        """The shape of the finished-runs mask: (points, replicates), or (points, sets,
        replicates) with a posterior."""
        if self.posterior is None:
            return (self.n_points, self.replicates)
        return (self.n_points, self.n_sets, self.replicates)

    @property
    def n_runs(self) -> int:
        return self.n_points * self.n_sets * self.replicates

    def overrides(self, point_id: int) -> dict[str, float]:
        return dict(zip(self.names, (float(v) for v in self.points[point_id]), strict=True))


def problem(spec: SweepSpec) -> dict:
    """The SALib problem dict for a spec's parameters."""
    dists, bounds = [], []
    for parameter in spec.parameters.values():
        name, fields = _SALIB_DIST[parameter.dist]
        dists.append(name)
        bounds.append([float(getattr(parameter, f)) for f in fields])
    return {
        "num_vars": len(spec.parameters),
        "names": list(spec.names),
        "bounds": bounds,
        "dists": dists,
    }


def sample(spec: SweepSpec) -> np.ndarray:
    """The points of a sweep, one row each, in the sampler's order (deterministic in the seed)."""
    method, n = spec.sampler.method, spec.sampler.n
    if method == "grid":
        levels = [_levels(p) for p in spec.parameters.values()]
        return np.array(list(itertools.product(*levels)), dtype=float).reshape(-1, len(levels))
    if method == "lhs":
        from SALib.sample import latin

        return np.asarray(latin.sample(problem(spec), n, seed=spec.seed), dtype=float)
    if method == "sobol":
        from SALib.sample import sobol

        points = sobol.sample(
            problem(spec),
            n,
            calc_second_order=spec.sampler.second_order,
            scramble=True,
            seed=spec.seed,
        )
        return np.asarray(points, dtype=float)
    if method == "morris":
        from SALib.sample import morris

        points = morris.sample(problem(spec), n, num_levels=spec.sampler.num_levels, seed=spec.seed)
        return np.asarray(points, dtype=float)
    raise ValueError(f"unknown sampler {method!r}")  # the spec loader rules this out


def _levels(parameter: Parameter) -> list[float]:
    assert parameter.levels is not None
    return [float(v) for v in parameter.levels]


def point_count(spec: SweepSpec) -> int:
    """How many points a spec's sampler makes, without drawing them."""
    d, n = len(spec.parameters), spec.sampler.n or 0
    match spec.sampler.method:
        case "grid":
            return int(np.prod([len(_levels(p)) for p in spec.parameters.values()]))
        case "lhs":
            return n
        case "sobol":
            return n * (2 * d + 2 if spec.sampler.second_order else d + 2)
        case "morris":
            return n * (d + 1)
    raise ValueError(f"unknown sampler {spec.sampler.method!r}")


def make_plan(spec: SweepSpec, posterior: Posterior | None = None) -> Plan:
    points = sample(spec)
    assert points.shape == (point_count(spec), len(spec.parameters)), points.shape
    return Plan(spec=spec, points=points, posterior=posterior)


def run_seed(sweep_seed: int, point_id: int, replicate: int) -> int:
    """The seed of one run, from the sweep seed, the point and the replicate only."""
    state = np.random.SeedSequence([sweep_seed, point_id, replicate]).generate_state(1)
    return int(state[0])


# One run as it travels to a worker: (point_id, replicate, seed, parameter values), and with
# a posterior the index of its parameter set after them.
RunTask = tuple[int, int, int, tuple[float, ...]] | tuple[int, int, int, tuple[float, ...], int]


def tasks(plan: Plan, missing: np.ndarray | None = None) -> Iterator[RunTask]:
    """The runs still to do, in (point_id, replicate) order (with a posterior: (point_id,
    set, replicate)); `missing` is a boolean mask of `plan.shape` (default: every run). A
    run's seed never depends on its posterior set: the sets share the seeds."""
    seed = plan.spec.seed
    if missing is None:
        missing = np.ones(plan.shape, dtype=bool)
    if plan.posterior is None:
        for point_id, replicate in zip(*np.nonzero(missing), strict=True):
            p, r = int(point_id), int(replicate)
            yield p, r, run_seed(seed, p, r), tuple(float(v) for v in plan.points[p])
        return
    for point_id, k, replicate in zip(*np.nonzero(missing), strict=True):
        p, r = int(point_id), int(replicate)
        yield p, r, run_seed(seed, p, r), tuple(float(v) for v in plan.points[p]), int(k)


def batches(runs: Iterator[RunTask], size: int) -> Iterator[list[RunTask]]:
    """Consecutive runs grouped `size` at a time (one task per batch)."""
    while batch := list(itertools.islice(runs, size)):
        yield batch


__all__ = [
    "Plan",
    "Posterior",
    "RunTask",
    "batches",
    "make_plan",
    "point_count",
    "problem",
    "run_seed",
    "sample",
    "tasks",
]
