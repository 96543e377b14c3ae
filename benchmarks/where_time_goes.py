#!/usr/bin/env python3
"""Where a full run's time goes: the month's phases, and the decision kernel's parts, in-run.

    .venv/bin/python benchmarks/where_time_goes.py [--runs 15] [--root DIR]

Phases: each of the model's monthly methods (`SyriaModel.decide`, `fight`, ...) and the
functions they call are timed with `perf_counter` around every call, summed over a run; the
run whose total is the median of `--runs` is printed (the timers add about 0.3 us a call, a
few per cent in all). The nesting is the reader's to subtract: `decide` includes
`decisions._decide_entry`, the compiled decision kernel.

Kernel parts: every month of one run, the decision kernel's parts are called on that month's
own arguments (the same types, so the same compiled code as in the run), four times, and
the last call is timed: warm figures, as in a loop of the kernel alone. A replay of pickled
arguments would measure other code: pickling makes some arrays C-contiguous, and numba
compiles another overload for them.

`--root` names the checkout whose `sim` runs (this one by default), to set two trees side by
side.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PHASES = ("decide", "strike", "fight", "update_regime", "diplomacy", "check_collapse",
          "update_relations")
CALLED = {"decisions": ("held", "decide", "take_up", "arrived", "_decide_entry"),
          "theatre": ("war_now", "fight"), "strikes": ("rate_now", "month"),
          "regime": ("update", "patrons_reserve", "backing_after"),
          "relations": ("month_end",), "foreign_fighters": ("after_the_month",)}


def _timer(totals: dict, key: str, function):
    def timed(*args, **kwargs):
        began = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            totals[key] = totals.get(key, 0.0) + time.perf_counter() - began
    return timed


def phases(scenario, runs: int) -> tuple[float, dict]:
    """The median run's total and its time by phase (ms)."""
    import importlib

    from sim.model import SyriaModel
    from sim.reporters import Collector

    totals: dict = {}
    for name in PHASES:
        setattr(SyriaModel, name, _timer(totals, f"model.{name}", getattr(SyriaModel, name)))
    Collector.collect = _timer(totals, "collector.collect", Collector.collect)
    for module_name, names in CALLED.items():
        module = importlib.import_module(f"sim.{module_name}")
        for name in names:
            if hasattr(module, name):  # an older tree may not have it
                setattr(module, name, _timer(totals, f"{module_name}.{name}",
                                             getattr(module, name)))

    def run(seed: int) -> float:
        began = time.perf_counter()
        model = SyriaModel(scenario, rng=seed)
        while model.running:
            model.step()
        return time.perf_counter() - began

    run(0)  # the kernels loaded from the cache
    measured = []
    for seed in range(1, runs + 1):
        totals.clear()
        measured.append((run(seed), dict(totals)))
    measured.sort(key=lambda pair: pair[0])
    total, by_phase = measured[len(measured) // 2]
    return total * 1000, {key: value * 1000 for key, value in by_phase.items()}


def kernel_parts(scenario) -> dict:
    """The decision kernel and its parts, warm, summed over one run's months (ms)."""
    import numpy as np

    from sim import decisions, payoffs, theatre
    from sim.model import SyriaModel
    from sim.numeric import boundary

    parts: dict = {}
    kernels = {name: boundary(getattr(theatre, name))
               for name in ("_situation", "_evaluate", "_intensity", "_clash_risk",
                            "_contest_batch")}
    alternatives, weigh = boundary(decisions._alternatives), boundary(decisions._weigh)
    entry = decisions._decide_entry
    weighs_own_rows = "owner" in decisions._weigh.py_func.__code__.co_varnames

    def warm(key, kernel, *args):
        for _ in range(3):
            kernel(*args)
        began = time.perf_counter()
        out = kernel(*args)
        parts[key] = parts.get(key, 0.0) + (time.perf_counter() - began) * 1000
        return out

    def decide(*args):
        result = entry(*args)
        joint, forbidden, _, menus, choice, war, fx, tp, pp, demand, weights = args
        warm("decide (whole)", entry, *args)
        cost = payoffs._as_paid(fx.cost, war.availability)
        _, portfolios, owner, _, _ = warm(
            "alternatives", alternatives, joint, forbidden, cost, pp.budget - demand,
            menus.state, menus.action, menus.deconfliction)
        rows = (portfolios, owner) if weighs_own_rows else (portfolios,)  # before d2ea149: all
        warm("weigh (situation + terms)", weigh, *rows, choice.months, choice.mobility, war,
             fx, tp, pp, demand, weights)
        warm("situation", kernels["_situation"], portfolios, choice.months, choice.mobility,
             war, fx, tp)
        deploy = theatre.deployment(war.control, tp.neighbour_mean, tp.value, tp.hostility,
                                    tp.spill, tp.front_base)
        local = warm("evaluate", kernels["_evaluate"], portfolios, war, fx, choice.months,
                     tp, deploy)[5]
        ceasefire = theatre._ceasefire_level(portfolios, war.government, tp.ceasefire)
        intensity = warm("intensity", kernels["_intensity"], portfolios, war, fx, tp,
                         ceasefire)
        warm("clash risk", kernels["_clash_risk"], portfolios, war.relations,
             tp.hostility_floor, tp.willing)
        powered = np.where(local > 0.0, np.maximum(local, 0.0) ** tp.decisiveness, 0.0)
        edge = (tp.defence,) if hasattr(tp, "defence") else ()  # a tree from before the edge
        if hasattr(tp, "cede"):  # a tree with the deals (D30): off at 0 unless set
            edge += (tp.cede, theatre._deals_if(portfolios, fx.patron, war.government,
                                                tp.cede))
        warm("contest", kernels["_contest_batch"], war.control, local, powered,
             intensity.reshape((len(local), 1, intensity.shape[1])), tp.first, tp.second,
             choice.mobility, *edge, np.empty_like(local))
        return result

    decisions._decide_entry = decide
    try:
        model = SyriaModel(scenario, rng=1)
        while model.running:
            model.step()
    finally:
        decisions._decide_entry = entry
    return parts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="timed runs (default 15)")
    parser.add_argument("--scenario", default="full_2011_2025")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to time")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_run import _one_core

    _one_core()  # one core, single-threaded libraries, as bench_run.py times a run
    sys.path.insert(0, str(args.root))

    from sim.scenario import load_scenario

    scenario = load_scenario(args.scenario)
    parts = kernel_parts(scenario)  # before `phases` puts its timers in
    total, by_phase = phases(scenario, args.runs)
    print(f"{args.scenario} from {args.root}: the median of {args.runs} runs, {total:.1f} ms "
          "(with the timers)")
    for key, value in sorted(by_phase.items(), key=lambda item: -item[1]):
        print(f"  {key:36s} {value:6.2f} ms")
    print("the decision kernel's parts, warm, over one run (ms):")
    for key, value in parts.items():
        print(f"  {key:36s} {value:6.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
