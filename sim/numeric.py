"""Small compiled helpers shared by the kernels.

`pairwise_sum` adds up a 1-d array in the order numpy's `sum` does along a contiguous axis
(eight running sums, then the remainder: numpy's pairwise summation for up to 128 values), so
a compiled kernel rounds a sum exactly as the numpy code it replaced did. This matters where a
sum is compared with a threshold (is a portfolio affordable?), not for the arithmetic itself.

`boundary` is how Python calls a kernel that takes named packs (NamedTuples of arrays and
scalars): it finds the kernel's compiled overload for the arguments' types once and calls its
entry point, skipping the dispatcher's work on every call. The key is the fingerprint numba's
dispatcher computes in C for its own type cache (`numba._dispatcher.compute_fingerprint`),
computed once per pack, so arguments of another type get another overload, through the
dispatcher, as ever.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from numba import njit
from numba._dispatcher import compute_fingerprint

# the fingerprints of the packs of the last calls of every kernel, by the pack's id (with the
# pack, so that its id is not reused): a month's `theatre.War` is fingerprinted once, not once
# per kernel that reads it
_PACK_PRINTS: dict[int, tuple[Any, Any]] = {}


def _pack_print(pack: Any) -> Any:
    seen = _PACK_PRINTS.get(id(pack))
    if seen is not None and seen[0] is pack:
        return seen[1]
    print_ = compute_fingerprint(pack)
    if isinstance(pack, tuple):  # immutable: its fingerprint holds
        if len(_PACK_PRINTS) >= 64:
            _PACK_PRINTS.clear()
        _PACK_PRINTS[id(pack)] = (pack, print_)
    return print_


def _picker(positions: tuple[int, ...]) -> Callable[[tuple], tuple]:
    """The arguments at `positions`, as a tuple (`operator.itemgetter`'s, in C, for two or
    more)."""
    if len(positions) > 1:
        return operator.itemgetter(*positions)
    return lambda args: tuple(args[n] for n in positions)


def boundary(kernel: Any) -> Callable[..., Any]:
    """`kernel` as Python calls it: through the entry point of its compiled overload for the
    arguments' types (found on the first call with those types), not through the dispatcher.
    A pack (an argument that was a tuple on the first call) that is the object of an earlier
    call keeps its fingerprint: packs are immutable and built once, and fingerprinting them is
    most of the dispatcher's cost (their arrays are never reshaped or retyped in place). The
    other arguments are fingerprinted together, in one call to C: the key is built without a
    Python loop over the arguments, which cost more than the fingerprints. Arguments numba
    cannot fingerprint in C go through the dispatcher."""
    entries: dict[tuple, Callable[..., Any]] = {}
    arity = -1
    packs_of = others_of = _picker(())
    seen: tuple = ()  # the packs of the last call and their fingerprints
    prints: tuple = ()

    def call(*args: Any) -> Any:
        nonlocal arity, packs_of, others_of, seen, prints
        if len(args) != arity:
            arity = len(args)
            positions = tuple(n for n, value in enumerate(args) if isinstance(value, tuple))
            packs_of = _picker(positions)
            others_of = _picker(tuple(n for n in range(arity) if n not in positions))
            seen = prints = ()
        try:
            packs = packs_of(args)
            if len(seen) != len(packs) or not all(map(operator.is_, packs, seen)):
                prints, seen = tuple(map(_pack_print, packs)), packs
            key = (arity, prints, compute_fingerprint(others_of(args)))
        except (TypeError, ValueError, NotImplementedError):
            seen = prints = ()
            return kernel(*args)
        entry = entries.get(key)
        if entry is not None:
            return entry(*args)
        result = kernel(*args)
        overload = kernel.overloads.get(tuple(map(kernel.typeof_pyval, args)))
        if overload is not None:
            entries[key] = overload.entry_point
        return result

    call.__wrapped__ = kernel
    call.__doc__ = kernel.__doc__
    return call


@njit(cache=True, error_model="numpy")
def pairwise_sum(values):
    """Sum of a 1-d float array in numpy's order (exact for up to 128 values)."""
    n = values.shape[0]
    if n < 8:
        total = 0.0
        for i in range(n):
            total += values[i]
        return total
    if n > 128:
        half = n // 2
        half -= half % 8
        return pairwise_sum(values[:half]) + pairwise_sum(values[half:])
    r0, r1, r2, r3 = values[0], values[1], values[2], values[3]
    r4, r5, r6, r7 = values[4], values[5], values[6], values[7]
    i = 8
    while i < n - n % 8:
        r0 += values[i]
        r1 += values[i + 1]
        r2 += values[i + 2]
        r3 += values[i + 3]
        r4 += values[i + 4]
        r5 += values[i + 5]
        r6 += values[i + 6]
        r7 += values[i + 7]
        i += 8
    total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        total += values[i]
        i += 1
    return total


@njit(cache=True, error_model="numpy")
def same_as_first(x, k, i):
    """Whether `x[k, i, :]` holds the values of `x[0, i, :]` (3-d `x`): the batch kernels reuse
    the work of row 0 (everyone keeping their portfolio) for a part an alternative leaves as
    it was."""
    for j in range(x.shape[2]):  # noqa: SIM110 (a loop numba compiles; all() of a generator it does not)
        if x[k, i, j] != x[0, i, j]:
            return False
    return True
