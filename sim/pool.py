"""A process pool with its workers started at once (`started_pool`), for the ensembles
(`sim.ensemble.fork_pool`) and the sweeps (`analysis.sweep.runner.PoolExecutor`). It imports
no model, so a sweep of another run function does not pay for the model's import."""

from __future__ import annotations

import multiprocessing
import warnings
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor


def started_pool(workers: int, context: multiprocessing.context.BaseContext,
                 initializer: Callable[..., None], initargs: tuple) -> ProcessPoolExecutor:
    """A pool of `workers` processes of `context`, each set up by `initializer(*initargs)`,
    started before this returns (fork starts every worker at the first submit)."""
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context,
                               initializer=initializer, initargs=initargs)
    with warnings.catch_warnings():
        # Python warns of fork() in a process with threads; ours are the idle pools numpy
        # and pandas start at import, which the workers never use
        warnings.filterwarnings("ignore", message=r"This process .* is multi-threaded",
                                category=DeprecationWarning)
        pool.submit(int).result()
    return pool
