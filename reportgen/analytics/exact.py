"""Exact arithmetic the analyses share: the simple fraction a float weight stands for, and
an exact value printed with exactly 6 decimals."""

from __future__ import annotations

from fractions import Fraction

MAX_DENOMINATOR = 1 << 20


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
