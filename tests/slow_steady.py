"""An independent, deliberately naive steady state and scaling table, written from issue 11's
definitions: plain Python over (event id, minute) completions and (nodes, start, end) batch
jobs, fractions parsed from their decimal text by hand. Shares no code with `reportgen`."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction


def decimal_text(text: str) -> Fraction:
    """`"0.15"` -> 15/100, by hand (no Decimal, no float)."""
    whole, _, digits = text.partition(".")
    return Fraction(int(whole or "0") * 10 ** len(digits) + int(digits or "0"), 10 ** len(digits))


def ceil(value: Fraction) -> int:
    return -(-value.numerator // value.denominator)


@dataclass(frozen=True)
class Slow:
    n: int
    k1: int
    k2: int
    t1: Fraction | None
    t2: Fraction | None
    nodes: Fraction | None
    """Mean available nodes over [t1, t2]."""

    @property
    def rate(self) -> Fraction | None:
        """Jobs per minute."""
        if self.t1 is None or self.t2 is None or self.t1 == self.t2:
            return None
        return Fraction(self.k2 - self.k1) / (self.t2 - self.t1)

    @property
    def per_node(self) -> Fraction | None:
        rate = self.rate
        return None if rate is None or not self.nodes else rate / self.nodes


def held(batch_jobs: list[tuple[int, float, float]], t1: Fraction, t2: Fraction) -> Fraction:
    """Mean nodes held over [t1, t2]: each batch job's nodes times its overlap."""
    total = Fraction(0)
    for nodes, start, end in batch_jobs:
        overlap = min(Fraction(end), t2) - max(Fraction(start), t1)
        if overlap > 0:
            total += nodes * overlap
    return total / (t2 - t1)


def steady(
    completions: list[tuple[int, float]],
    batch_jobs: list[tuple[int, float, float]],
    lo: str,
    hi: str,
) -> Slow:
    """Completions as (event id, minute); `lo`, `hi` as written in the spec."""
    n = len(completions)
    k1 = max(1, ceil(decimal_text(lo) * n))
    k2 = ceil(decimal_text(hi) * n)
    if k2 <= k1:
        return Slow(n, k1, k2, None, None, None)
    ordered = sorted(completions, key=lambda c: (c[1], c[0]))
    t1, t2 = Fraction(ordered[k1 - 1][1]), Fraction(ordered[k2 - 1][1])
    if t1 == t2:
        return Slow(n, k1, k2, t1, t2, None)
    return Slow(n, k1, k2, t1, t2, held(batch_jobs, t1, t2))
