"""Exact arithmetic the analyses share: the simple fraction a float weight stands for, weights
over one common denominator, exact sums of integer products, and an exact value printed with
exactly 6 decimals."""

from __future__ import annotations

from fractions import Fraction
from math import lcm

import numpy as np

from reportgen.source.tables import Floats, Ints

MAX_DENOMINATOR = 1 << 20
SAFE = 1 << 62
"""Below this, a sum of int64 products cannot overflow."""


def simple_fraction(weight: float) -> Fraction:
    """The simple fraction a float weight stands for (1/3 rather than its binary neighbour),
    or the float itself when no fraction with a denominator up to 2**20 rounds to it."""
    simple = Fraction(weight).limit_denominator(MAX_DENOMINATOR)
    return simple if float(simple) == weight else Fraction(weight)


def six_decimals(value: Fraction) -> str:
    """`value` rounded to exactly 6 decimals, half to even, from the exact value."""
    millionths = round(value * 1_000_000)
    sign = "-" if millionths < 0 else ""
    whole, fraction = divmod(abs(millionths), 1_000_000)
    return f"{sign}{whole}.{fraction:06d}"


def exact_weights(weights: Floats) -> tuple[np.ndarray, int]:
    """Integer numerators over one common denominator for the weights (the simple
    fractions they stand for; a weight that is none is taken as its exact binary value);
    int64 when every sum of them fits, else Python integers."""
    distinct = np.unique(weights)
    fractions = []
    for w in distinct.tolist():
        fractions.append(simple_fraction(w))
    denominator = lcm(1, *(f.denominator for f in fractions))
    scaled = [f.numerator * (denominator // f.denominator) for f in fractions]
    largest = max((abs(s) for s in scaled), default=0)
    index = np.searchsorted(distinct, weights)
    if largest * max(weights.size, 1) < SAFE:
        return np.array(scaled, dtype=np.int64)[index], denominator
    return np.array(scaled, dtype=object)[index], denominator


def exact_dot(left: np.ndarray, right: Ints) -> int:
    """The exact sum of products of integers (`right` >= 0): one int64 dot product when it
    cannot overflow; else `right` summed per distinct `left` value (in two 31-bit halves,
    so no sum overflows), and those few products in Python."""
    if left.size == 0:
        return 0
    if left.dtype == object:
        return sum(int(a) * int(b) for a, b in zip(left.tolist(), right.tolist(), strict=True))
    bound = float(np.abs(left).max()) * (float(right.sum(dtype=np.float64)) + 1.0)
    if bound < SAFE:
        return int(np.dot(left, right))
    distinct, inverse = np.unique(left, return_inverse=True)
    high, low = np.zeros(distinct.size, np.int64), np.zeros(distinct.size, np.int64)
    np.add.at(high, inverse, right >> 31)
    np.add.at(low, inverse, right & (2**31 - 1))
    totals = zip(distinct.tolist(), high.tolist(), low.tolist(), strict=True)
    return sum(value * ((h << 31) + lo) for value, h, lo in totals)
