"""Refit after selection: the model that serves learns from every label known at the cutoff.

The holdout (the newest labelled days) chooses the window and judges the contender, so the
contender itself never learnt from the newest labels, which under drift are the most valuable
ones. Once the gates have passed it, the same recipe (features, window length, learner and its
number of boosting rounds, which early stopping chose for the contender) is trained again on
every labelled row of the snapshot up to the cutoff, holdout included. No slice is held back
for early stopping again: that slice would be the newest labels once more. The holdout scores
of the selected model stay in the lineage as the evidence the promotion rests on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from ct_assets.store.point_in_time import ALL_HISTORY, end_of
from ct_assets.training.fit_cache import cached_fit
from ct_assets.training.model import TrainedModel


@dataclass(frozen=True)
class Refit:
    model: TrainedModel
    rows: int
    window_start: dt.date


def refit_rows(frame: pd.DataFrame, cutoff: dt.date, window_days: int) -> pd.DataFrame:
    """The snapshot's rows in the last `window_days` days up to the cutoff (0: all of them)."""
    if window_days == ALL_HISTORY:
        return frame
    since = pd.Timestamp(end_of(cutoff)) - pd.Timedelta(days=window_days)
    return frame[frame["event_ts"] >= since]


def refit(frame: pd.DataFrame, cutoff: dt.date, window_days: int, schema: dict, task: str,
          rounds: int, threads: int = 0, cache: str | None = None) -> Refit:
    """The selected recipe, `rounds` boosting rounds, trained on every labelled row of its
    window up to `cutoff`."""
    rows = refit_rows(frame, cutoff, window_days)
    model = cached_fit(cache, rows, schema, task, valid_share=0, rounds=rounds, threads=threads)
    return Refit(model, len(rows), rows["event_ts"].min().date())
