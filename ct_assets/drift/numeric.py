"""Numeric features: the reference's bins (fitted with one sort, or from a sample of a large
reference: :mod:`.sample`) and the current data's counts (one pass, no sort).

Two sets of bins, both closed on the left, with open outer bins (so out-of-range current values
count) and a separate missing bin (NaN, +/-inf, pd.NA):

- PSI bins: ``N_BINS = 20`` reference-quantile bins (ventiles). Tied edges collapse, so a
  poisson(3) count gets one bin per value and a constant column two bins.
- fine bins, for Wasserstein-1 and for the null distributions of :mod:`.calibration`: edges at
  the reference quantiles of :func:`quantile_grid` (200 equal steps, refined towards both tails
  down to 1e-8). The PSI edges are fine edges, so both come from one pass.

Edges inside the core of the column (its 0.1%-99.9% quantiles) are moved down to the first
double of their cell on the feature's :class:`.CellGrid`, at most 1/8192 of the core below the
reference quantile, so that the current data is binned by arithmetic (:mod:`.binning`). Edges
remain values a reader can use: ``np.searchsorted(edges, x, "right")`` bins exactly as we do.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .binning import FineBins, histogram
from .cells import fit_grid
from .columns import raw_values
from .sample import SAMPLE_ABOVE, finite_only, large, moments, sorted_sample

N_BINS = 20


def quantile_grid(n_uniform: int = 200) -> np.ndarray:
    """Cumulative probabilities 0..1: ``n_uniform`` equal intervals plus log-spaced tail points."""
    tails = 10.0 ** (-np.arange(9, 33) / 4.0)  # 5.6e-3 .. 1e-8
    return np.unique(np.concatenate([np.linspace(0.0, 1.0, n_uniform + 1), tails, 1.0 - tails]))


def finite_sorted(values: np.ndarray) -> np.ndarray:
    """Sorted finite values (NaN and +/-inf dropped): a view into one new sorted copy."""
    s = np.sort(values)
    return s[np.searchsorted(s, -np.inf, side="right"): np.searchsorted(s, np.inf, side="left")]


def is_constant(std: float, mean: float) -> bool:
    """Std within float rounding of 0 (below ``1e-14 * max(1, |mean|)``)."""
    return not std > 1e-14 * max(1.0, abs(mean))


def _snap(edges: np.ndarray, grid) -> np.ndarray:
    """Edges inside the grid's core moved down to the first double of their cell."""
    if grid is None:
        return edges
    cells = grid.cells_of(edges)
    core = grid.in_core(cells)
    out = edges.copy()
    out[core] = grid.cell_start(cells[core])
    return out


def fit_numeric(series: pd.Series, n_bins: int, grid: np.ndarray) -> dict:
    """Reference statistics of one numeric column, as a JSON-able dict: edges from one sort,
    or from a sample of a large column (:mod:`.sample`); counts and moments of every value."""
    values, _ = raw_values(series)
    s = sorted_sample(values) if values.size > SAMPLE_ABOVE else None
    sampled = s is not None and large(values, s)
    if not sampled:
        s = finite_sorted(np.asarray(values, np.float64))
    spec: dict = {"kind": "numeric", "dtype": str(series.dtype), "n": int(values.size),
                  "n_missing": int(values.size - s.size)}
    if s.size == 0:
        return {**spec, "edges": [], "counts": [0], "mean": None, "std": None,
                "fine": {"edges": [], "counts": [0], "means": [0.0]}, "grid": None}
    psi, fine, cells = _edges(s, n_bins, grid)
    if sampled:
        counts, sums, spec["n_missing"] = histogram(values, FineBins.of(fine, cells))
        mean, std = moments(finite_only(values, spec["n_missing"]), float(s[s.size // 2]))
    else:
        counts, sums, _ = histogram(s, FineBins.of(fine, cells), ordered=True)
        mean, std = _sorted_moments(s)
    return {**spec, "edges": psi.tolist(), "counts": psi_counts(counts, fine, psi).tolist(),
            "mean": mean, "std": std,
            "fine": {"edges": fine.tolist(), "counts": counts.tolist(),
                     "means": bin_means(counts, sums, fine).tolist()},
            "grid": None if cells is None else cells.to_dict()}


def _edges(s: np.ndarray, n_bins: int, grid: np.ndarray) -> tuple:
    """PSI edges, fine edges and cell grid from sorted finite values (the column or a sample)."""
    n, j = s.size, np.arange(1, n_bins)
    psi = np.unique(s[(j * n + n_bins - 1) // n_bins - 1])  # inverted-CDF ventiles
    quantiles = s[np.clip(np.ceil(grid[1:-1] * n).astype(np.int64) - 1, 0, n - 1)]
    cells = fit_grid(s, psi)
    fine = np.unique(np.concatenate([psi, quantiles]))
    snapped = _snap(fine, cells)  # PSI edges are fine edges: snap once, look them up
    return np.unique(snapped[np.searchsorted(fine, psi)]), np.unique(snapped), cells


def _sorted_moments(s: np.ndarray) -> tuple[float, float]:
    """Mean and std of our own sorted copy (changed in place): centred on the median, which
    keeps the variance well conditioned, and scaled when squares would overflow."""
    n, center = s.size, float(s[s.size // 2])
    s -= center
    scale = max(abs(float(s[0])), abs(float(s[-1])))
    if scale > 1e150:  # values of 1e300 are finite
        s /= scale
    mean = float(np.mean(s))
    # einsum, not s @ s: OpenBLAS's dot wakes threads; on a busy machine it stalled for ms
    std = float(np.sqrt(max(float(np.einsum("i,i", s, s)) / n - mean * mean, 0.0)))
    if scale > 1e150:
        mean, std = mean * scale, std * scale
    return center + mean, std


def psi_counts(fine_counts: np.ndarray, fine_edges, psi_edges) -> np.ndarray:
    """Counts of the PSI bins, which are unions of fine bins (PSI edges are fine edges)."""
    at = np.searchsorted(np.asarray(fine_edges, dtype=np.float64), psi_edges)
    return np.add.reduceat(fine_counts, np.concatenate(([0], at + 1)), axis=-1)


def bin_means(counts: np.ndarray, sums: np.ndarray, edges) -> np.ndarray:
    """Mean position per fine bin; an empty bin gets its finite edge (any value would do)."""
    edges = np.asarray(edges, dtype=np.float64)
    empty = np.concatenate(([edges[0]], edges)) if edges.size else np.zeros(1)
    return np.where(counts > 0, sums / np.maximum(counts, 1), empty)


def wasserstein_scale(spec: dict, std_cur: float) -> float:
    """Denominator for Wasserstein in "reference std units", never 0.

    The reference std; if the reference is constant (:func:`is_constant`), the current std;
    if both are constant, 1 (the distance is then in the feature's own units).
    """
    for scale in (spec["std"], std_cur):
        if not is_constant(scale, spec["mean"]):
            return scale
    return 1.0


def current_numeric(values: np.ndarray, spec: dict, bins: FineBins) -> dict:
    """Current PSI counts (value bins + missing bin), fine counts and mean positions, and the
    std (only computed when the reference is constant, the one case where it is used)."""
    fine, sums, n_missing = histogram(values, bins)
    out = {"counts": np.append(psi_counts(fine, bins.edges, spec["edges"]), n_missing),
           "fine": fine, "means": bin_means(fine, sums, bins.edges), "std": 0.0}
    if spec["std"] is not None and is_constant(spec["std"], spec["mean"]) and fine.sum():
        x = np.asarray(values, dtype=np.float64)
        x = x[np.isfinite(x)]
        scale = max(float(np.max(np.abs(x))), 1e-300)  # squares of 1e300 overflow: rescale
        out["std"] = float(np.std(x / scale)) * scale
    return out
