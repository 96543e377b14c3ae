"""Small compiled helpers shared by the kernels.

`pairwise_sum` adds up a 1-d array in the order numpy's `sum` does along a contiguous axis
(eight running sums, then the remainder: numpy's pairwise summation for up to 128 values), so
a compiled kernel rounds a sum exactly as the numpy code it replaced did. This matters where a
sum is compared with a threshold (is a portfolio affordable?), not for the arithmetic itself.
"""

from __future__ import annotations

from numba import njit


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
