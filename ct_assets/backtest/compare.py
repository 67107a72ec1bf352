"""How sure a backtest can be that one policy beat another: a paired, block bootstrap.

Two policies are scored on the same days, so their daily metrics are compared day by day; days
are not independent (a champion serves for weeks), so whole blocks of consecutive days are
resampled (weeks by default), which keeps that dependence inside each resample.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Gap:
    mean: float  #: mean of the daily differences (a minus b) over the days both scored
    low: float  #: lower bound of the confidence interval
    high: float  #: upper bound
    days: int

    @property
    def settled(self) -> bool:
        """Whether the interval excludes zero: one policy really did better."""
        return self.low > 0 or self.high < 0


def paired_gap(a: list[dict], b: list[dict], block: int = 7, confidence: float = 0.95,
               resamples: int = 2000, seed: int = 0) -> Gap | None:
    """The gap between two policies' `daily` rows ({day, value}); None without common days."""
    left = {row["day"]: row["value"] for row in a}
    right = {row["day"]: row["value"] for row in b}
    days = sorted(set(left) & set(right))
    if len(days) < 2:
        return None
    diff = np.array([left[d] - right[d] for d in days])
    starts = np.arange(0, len(diff), block)
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(starts), size=(resamples, len(starts)))
    sums = np.add.reduceat(diff, starts)  # each block's sum and length, resampled together
    sizes = np.diff(np.append(starts, len(diff)))
    means = sums[picks].sum(axis=1) / sizes[picks].sum(axis=1)
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(means, [tail, 100 - tail])
    return Gap(float(diff.mean()), float(low), float(high), len(days))
