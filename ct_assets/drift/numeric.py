"""Numeric features: quantile bins, the quantile grid for Wasserstein, and column coercion.

Binning: ``N_BINS = 20`` reference quantile bins (ventiles). Inner edges are reference values
at the quantiles 0.05, 0.10, ..., 0.95 ("inverted CDF", so edges are observed values), tied edges
are collapsed (a poisson(3) count gets one bin per value; a constant column gets two bins), and
the outer bins are open, ``(-inf, e_1)`` and ``[e_last, +inf)``, so out-of-range current values
count. Bins are closed on the left: ``[e_i, e_{i+1})``. Missing values form their own bin
(appended by the caller). Non-finite values (NaN, +/-inf, pd.NA) count as missing.

Wasserstein: the profile stores, on a fixed grid of cumulative probabilities (200 uniform
intervals plus points at 10^(-k/4), k = 9..32, towards both tails), the reference quantiles and the
*mean of the reference inside each interval*. The current data is sorted once and integrated on
the same grid, so the reference is never rescanned.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .metrics import quantile_integrals

N_BINS = 20


def quantile_grid(n_uniform: int = 200) -> np.ndarray:
    """Cumulative probabilities 0..1: ``n_uniform`` equal intervals plus log-spaced tail points."""
    tails = 10.0 ** (-np.arange(9, 33) / 4.0)  # 5.6e-3 .. 1e-8
    return np.unique(np.concatenate([np.linspace(0.0, 1.0, n_uniform + 1), tails, 1.0 - tails]))


def is_numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype)


def to_float(series: pd.Series) -> tuple[np.ndarray, bool]:
    """Float64 values of a column (missing -> NaN) and whether its dtype was numeric.

    A non-numeric column (e.g. strings where numbers were expected) is coerced with
    ``pd.to_numeric(errors="coerce")``: unparsable values become missing.
    """
    if is_numeric(series):
        if isinstance(series.dtype, np.dtype):  # plain numpy column: a view or one cast
            return series.to_numpy().astype(np.float64, copy=False), True
        return series.to_numpy(dtype=np.float64, na_value=np.nan), True  # nullable, arrow
    try:
        coerced = pd.to_numeric(series, errors="coerce")
        values = pd.Series(coerced).to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError):
        values = np.full(len(series), np.nan)
    return values, False


def finite_sorted(values: np.ndarray) -> np.ndarray:
    """Sorted finite values (NaN and +/-inf dropped): a view into one new sorted copy.

    Sorting first and trimming the ends (NaN sorts last, -inf first) avoids a masked copy.
    """
    s = np.sort(values)
    lo = np.searchsorted(s, -np.inf, side="right")
    hi = np.searchsorted(s, np.inf, side="left")
    return s[lo:hi]


def bin_counts(sorted_values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Counts in ``(-inf, e_0), [e_0, e_1), ..., [e_last, +inf)``: ``len(edges) + 1`` bins."""
    below = np.searchsorted(sorted_values, edges, side="left")
    return np.diff(np.concatenate(([0], below, [sorted_values.size]))).astype(np.int64)


def is_constant(std: float, mean: float) -> bool:
    """Std within float rounding of 0 (below ``1e-14 * max(1, |mean|)``)."""
    return not std > 1e-14 * max(1.0, abs(mean))


def fit_numeric(series: pd.Series, n_bins: int, grid: np.ndarray) -> dict:
    """Reference statistics of one numeric column, as a JSON-able dict."""
    values, _ = to_float(series)
    s = finite_sorted(values)
    n = s.size
    spec: dict = {
        "kind": "numeric",
        "dtype": str(series.dtype),
        "n": int(values.size),
        "n_missing": int(values.size - n),
    }
    if n == 0:
        spec.update(
            edges=[], counts=[0], quantiles=None, means=None, mean=None, std=None, center=None
        )
        return spec
    j = np.arange(1, n_bins)
    idx = (j * n + n_bins - 1) // n_bins - 1  # inverted-CDF index of quantile j / n_bins
    edges = np.unique(s[idx])
    q_idx = np.clip(np.ceil(grid * n).astype(np.int64) - 1, 0, n - 1)
    center = float(s[n // 2])
    spec.update(edges=edges.tolist(), counts=bin_counts(s, edges).tolist(),
                quantiles=s[q_idx].tolist())
    s -= center  # in place: s is our own sorted copy, and bins are counted already
    mean = float(np.mean(s))  # of the centered values: var = E[x^2] - E[x]^2 is well conditioned
    spec.update(
        means=quantile_integrals(s, grid, center).tolist(),
        mean=center + mean,
        std=float(np.sqrt(max(np.einsum("i,i->", s, s) / n - mean * mean, 0.0))),
        center=center,
    )
    return spec


def wasserstein_scale(spec: dict, std_cur: float) -> float:
    """Denominator for Wasserstein in "reference std units", never 0.

    The reference std; if the reference is constant (:func:`is_constant`), the current std;
    if both are constant, 1 (the distance is then in the feature's own units).
    """
    for scale in (spec["std"], std_cur):
        if not is_constant(scale, spec["mean"]):
            return scale
    return 1.0


def current_numeric(values: np.ndarray, spec: dict, grid: np.ndarray) -> dict:
    """Current bin counts (value bins + missing bin), interval means if defined, and the std
    (only computed when the reference is constant, the one case where it is used)."""
    s = finite_sorted(values)
    counts = bin_counts(s, np.asarray(spec["edges"], dtype=np.float64))
    out = {"counts": np.append(counts, values.size - s.size), "means": None, "std": 0.0}
    if s.size and spec["means"] is not None:
        if is_constant(spec["std"], spec["mean"]):
            out["std"] = float(np.std(s))
        s -= spec["center"]
        out["means"] = quantile_integrals(s, grid, spec["center"])
    return out
