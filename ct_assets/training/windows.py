"""Choosing how much history to train on.

Every candidate window is trained and scored on the same most recent labelled holdout. More
history is the default: a shorter window wins only when it beats the best longer one by more
than the holdout's noise (a paired bootstrap lower bound above zero, resampling whole days: a
short window that suits one week's weather wins on all of that week's rows at once). On real
streams a naive "best score wins" on a small holdout lost several AUC points to simply keeping
all history.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from ct_assets.store.point_in_time import ALL_HISTORY
from ct_assets.training.bootstrap import event_days, paired_improvement
from ct_assets.training.fit_cache import cached_fit
from ct_assets.training.metrics import evaluate
from ct_assets.training.model import TrainedModel


@dataclass
class WindowChoice:
    days: int  # 0: all history
    model: TrainedModel
    scores: dict[int, float] = field(default_factory=dict)
    reason: str = ""

    def describe(self) -> str:
        return "all history" if self.days == ALL_HISTORY else f"{self.days} days"


def rows_in_window(train: pd.DataFrame, holdout_start: dt.datetime, days: int) -> pd.DataFrame:
    if days == ALL_HISTORY:
        return train
    return train[train["event_ts"] >= pd.Timestamp(holdout_start) - pd.Timedelta(days=days)]


def choose_window(train: pd.DataFrame, holdout: pd.DataFrame, candidates: list[int],
                  schema: dict, task: str, metric: str, min_rows: int,
                  resamples: int = 200, threads: int = 0,
                  cache: str | None = None) -> WindowChoice:
    """Train each candidate (longest first) and keep a shorter one only on clear evidence;
    `cache`: a folder of fits to reuse (`ct_assets.training.fit_cache`)."""
    holdout_start = holdout["event_ts"].min()
    longest_first = sorted(set(candidates), key=lambda d: -float("inf") if d == ALL_HISTORY else -d)
    models, preds, scores, skipped, seen = {}, {}, {}, [], set()
    for days in longest_first:
        rows = rows_in_window(train, holdout_start, days)
        if len(rows) in seen:
            continue  # the same rows as a longer window: history is shorter than the window
        seen.add(len(rows))
        if len(rows) < min_rows or rows["label"].nunique() < 2:
            skipped.append(days)
            continue
        models[days] = cached_fit(cache, rows, schema, task, threads=threads)
        preds[days] = models[days].predict(holdout)
        scores[days] = evaluate(holdout["label"], preds[days], task)[metric]
    if not models:
        raise ValueError(f"no candidate window has {min_rows} labelled rows of both classes")
    best = next(iter(models))
    reason = f"{_name(best)} is the longest usable window"
    for days in list(models)[1:]:
        gain = paired_improvement(metric, holdout["label"], preds[days], preds[best],
                                  resamples=resamples, blocks=event_days(holdout))
        if gain.low > 0:
            reason = f"{_name(days)} beats {_name(best)}: {gain.describe()}"
            best = days
    if skipped:
        reason += f"; too few rows for {', '.join(_name(d) for d in skipped)}"
    return WindowChoice(best, models[best], scores, reason)


def _name(days: int) -> str:
    return "all history" if days == ALL_HISTORY else f"{days}d"
