"""Paired bootstrap of a metric's improvement, with scipy.stats.bootstrap.

Two models scored on the same rows are compared on resamples of those rows (paired), so the
noise of a small holdout shows up as a wide interval instead of a confident-looking difference.
Metrics are computed along the last axis so scipy can evaluate thousands of resamples at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats
from sklearn.metrics import average_precision_score

from ct_assets.training.blocks import block_bounds, contributions
from ct_assets.training.metrics import HIGHER_IS_BETTER


def _roc_auc(y, s):
    ranks = stats.rankdata(s, axis=-1)
    pos = y.sum(axis=-1)
    neg = y.shape[-1] - pos
    return ((ranks * y).sum(axis=-1) - pos * (pos + 1) / 2) / (pos * neg)


def _log_loss(y, p):
    p = np.clip(p, 1e-15, 1 - 1e-15)
    return -(y * np.log(p) + (1 - y) * np.log(1 - p)).mean(axis=-1)


VECTORISED = {
    "roc_auc": _roc_auc,
    "log_loss": _log_loss,
    "brier": lambda y, p: ((p - y) ** 2).mean(axis=-1),
    "rmse": lambda y, p: np.sqrt(((p - y) ** 2).mean(axis=-1)),
    "mae": lambda y, p: np.abs(p - y).mean(axis=-1),
}


MAX_ROWS = 50_000  # the bound of a bigger holdout is estimated on a seeded sample of this size


@dataclass(frozen=True)
class Improvement:
    """How much better `a` is than `b` (positive = better, whatever the metric's direction),
    with one-sided confidence bounds: below `low` and above `high` lie (1 - confidence) each."""

    metric: str
    value: float
    low: float  #: one-sided lower confidence bound: `a` is at least this much better
    rows: int
    high: float = float("inf")  #: one-sided upper bound: `a` is at most this much better

    def describe(self) -> str:
        return f"{self.metric} improvement {self.value:+.4f} (lower bound {self.low:+.4f})"


def paired_improvement(metric: str, y, a, b, *, confidence: float = 0.95,
                       resamples: int = 400, seed: int = 0, blocks=None) -> Improvement:
    """Improvement of scores `a` over scores `b` on labels `y`, with its one-sided bounds at
    `confidence` (the two tails of one percentile interval at 2 * confidence - 1). With
    `blocks` (a day per row) whole days are resampled (`ct_assets.training.blocks`)."""
    y, a, b = (np.asarray(v, dtype="float64") for v in (y, a, b))
    rows = len(y)
    if blocks is not None:
        by_day = _by_blocks(metric, y, a, b, np.asarray(blocks), confidence, resamples, seed)
        if by_day is not None:
            return by_day
    if rows > MAX_ROWS:  # resampling millions of rows hundreds of times buys no precision
        keep = np.sort(np.random.default_rng(seed).choice(rows, MAX_ROWS, replace=False))
        y_all, a_all, b_all = y, a, b
        y, a, b = y[keep], a[keep], b[keep]
    sign = 1.0 if HIGHER_IS_BETTER[metric] else -1.0
    if metric in VECTORISED:
        fn, vectorized = VECTORISED[metric], True
    else:  # pr_auc: scikit-learn's, one resample at a time
        fn, vectorized, resamples = average_precision_score, False, min(resamples, 200)

    def gain(y_, a_, b_, axis=-1):
        with np.errstate(divide="ignore", invalid="ignore"):
            return sign * (fn(y_, a_) - fn(y_, b_))

    value = float(gain(y_all, a_all, b_all)) if rows > MAX_ROWS else float(gain(y, a, b))
    result = stats.bootstrap((y, a, b), gain, paired=True, vectorized=vectorized,
                             n_resamples=resamples, confidence_level=2 * confidence - 1,
                             alternative="two-sided", method="percentile",
                             rng=np.random.default_rng(seed))
    low, high = (float(v) for v in result.confidence_interval)
    return Improvement(metric, value, low if np.isfinite(low) else value, rows,
                       high if np.isfinite(high) else value)


def event_days(rows) -> np.ndarray:
    """The day of each row's event: the block a paired bootstrap resamples."""
    return rows["event_ts"].to_numpy().astype("datetime64[D]")


def _by_blocks(metric: str, y, a, b, blocks, confidence: float, resamples: int,
               seed: int) -> Improvement | None:
    ours, theirs = contributions(metric, y, a), contributions(metric, y, b)
    if ours is None or theirs is None:
        return None
    offsets = block_bounds(ours - theirs, blocks, confidence, resamples * 5, seed)
    if offsets is None:
        return None
    sign = 1.0 if HIGHER_IS_BETTER[metric] else -1.0
    value = float(sign * (VECTORISED[metric](y, a) - VECTORISED[metric](y, b)))
    return Improvement(metric, value, value + offsets[0], len(y), value + offsets[1])
