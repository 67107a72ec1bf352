"""Large references: bin edges from a sample, counts and moments from a pass over every value.

Sorting a column is most of what an exact fit costs (10-20 ms per million doubles, against
about 4 ms for the binned pass compare makes). But bins are a choice, not a statistic: PSI, KL
and JS are exact for whichever edges the profile stores, as long as the stored counts are the
reference's own, and Wasserstein-1 only needs fine bins, not bins at exact quantiles. So above
``SAMPLE_ABOVE`` finite values the edges are quantiles of a sample of ``SAMPLE_SIZE`` values
(sorted: about 1 ms), while counts and position sums come from the one pass of
:func:`.binning.histogram` over every value, and mean and std from a pass in cache-sized chunks.

The sample is stratified (one value at a seeded random offset in each of ``SAMPLE_SIZE`` equal
runs of the column), so the same data always gives the same profile and a column sorted by
time is sampled evenly. Its missing values are dropped (the threshold is judged on what is
left: no pass over the column first). At 2^17 values a ventile holds 5% +/- 0.06 points of the
reference. Below the threshold the fit stays exact (one sort): small references keep exact
quantile bins.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

SAMPLE_ABOVE = 1 << 18  # 262,144 finite values: below, a sort costs under ~3 ms
SAMPLE_SIZE = 1 << 17  # 131,072 values
SEED = 20240601
CHUNK = 1 << 15  # values per step of the moments pass (stays in L2 cache)


@lru_cache(maxsize=8)
def positions(n: int) -> np.ndarray:
    """Sorted sample positions in ``range(n)``: one at a seeded random offset in each of
    ``SAMPLE_SIZE`` equal runs (read-only: shared by the columns of a frame, across threads)."""
    u = np.random.default_rng(SEED).random(SAMPLE_SIZE)
    at = ((np.arange(SAMPLE_SIZE) + u) * (n / SAMPLE_SIZE)).astype(np.intp)
    at = np.minimum(at, n - 1)  # (k + u) * n / m rounds up to n at most
    at.flags.writeable = False
    return at


def sorted_sample(values: np.ndarray) -> np.ndarray:
    """The finite values of the sample of a large column, as sorted float64."""
    s = np.sort(values[positions(values.size)].astype(np.float64, copy=False))
    return s[np.searchsorted(s, -np.inf, side="right"): np.searchsorted(s, np.inf, side="left")]


def large(values: np.ndarray, sample: np.ndarray) -> bool:
    """Whether a column has over ``SAMPLE_ABOVE`` finite values, as estimated from its sample
    (exactly when all are finite): only such columns are fitted from their sample."""
    return sample.size * values.size > SAMPLE_ABOVE * SAMPLE_SIZE


def finite_only(values: np.ndarray, n_missing: int) -> np.ndarray:
    """``values`` without its ``n_missing`` non-finite ones (a copy only if there are any)."""
    return values[np.isfinite(values)] if n_missing else values


def moments(finite: np.ndarray, center: float) -> tuple[float, float]:
    """Mean and (population) std of finite values, from sums of the values less ``center`` (a
    sample median, for conditioning) and of their squares. Squares overflow beyond ~1e154
    (values of 1e300 are finite): then the sums are made again, of values scaled down."""
    with np.errstate(over="ignore", invalid="ignore"):
        s1, s2 = _sums(finite, center, 1.0)
    scale = 1.0
    if not np.isfinite(s2):
        scale = max(abs(float(finite.min())), abs(float(finite.max())))
        s1, s2 = _sums(finite, center / scale, scale)
    mean = s1 / finite.size
    std = float(np.sqrt(max(s2 / finite.size - mean * mean, 0.0)))
    return center + mean * scale, std * scale


def _sums(finite: np.ndarray, shift: float, scale: float) -> tuple[float, float]:
    """Sums of ``d = x / scale - shift`` and of ``d * d``, in cache-sized chunks."""
    s1 = s2 = 0.0
    d = np.empty(min(CHUNK, finite.size))
    for start in range(0, finite.size, CHUNK):
        chunk = finite[start: start + CHUNK]
        if chunk.size < d.size:
            d = d[: chunk.size]
        if scale != 1.0:
            np.divide(chunk, scale, out=d)
            d -= shift
        else:
            np.subtract(chunk, shift, out=d)
        s1 += float(d.sum())
        s2 += float(np.einsum("i,i", d, d))  # see numeric._sorted_moments: not d @ d
    return s1, s2
