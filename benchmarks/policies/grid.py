"""The reference the policies are judged against: plain fixed policies, as a user would write
them without ct-assets.

Policy (k, w): at the end of every k-th period, train LightGBM (the project's own `TrainedModel`,
so the learner is the same) on the labelled events of the last w periods that have labels by
then (with labels 30 days late, the w periods before the newest labelled one), and always
deploy it. Each period's events are scored by the model deployed
when the period started, and the period's metric is computed against the eventual labels, as
the backtest's hindsight scoring does. No drift, no gates, no Dagster.
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd

from ct_assets.periods import Period
from ct_assets.settings import Settings
from ct_assets.sources import open_source
from ct_assets.training import TrainedModel, evaluate

MIN_ROWS = 30  # a plain policy trains as soon as it can (and has both classes)


def history(settings: Settings, starts: list[dt.date]) -> tuple[pd.DataFrame, dict]:
    """Every event with features, eventual label and label time; each period's row range."""
    source, period = open_source(settings), Period(settings.period)
    feature_set = source.feature_set
    frames, labels = [], []
    for start in starts:
        end = period.end(start)
        events = source.events(start, end)
        frames.append(feature_set.transform(events).assign(period=start))
        labels.append(source.labels(start, end)[["entity_id", "label", "label_ts"]])
    rows = pd.concat(frames, ignore_index=True)
    known = pd.concat(labels, ignore_index=True).drop_duplicates("entity_id", keep="last")
    rows = rows.merge(known, on="entity_id", how="left")
    return rows, {"schema": feature_set.schema, "task": settings.task,
                  "metric": settings.metric, "period": settings.period}


def replay(rows: pd.DataFrame, meta: dict, starts: list[dt.date], every: int,
           window: int) -> dict:
    """One fixed policy over the periods `starts`: per-period metric and number of fits."""
    period, model, fits, since, daily = Period(meta["period"]), None, 0, None, []
    for i, start in enumerate(starts):
        cutoff = pd.Timestamp(start)  # the end of the previous period
        if i > 0 and (since is None or i - since >= every):
            known = rows[(rows["event_ts"] < cutoff) & (rows["label_ts"] < cutoff)]
            if window and not known.empty:  # the last w periods of *labelled* data
                newest = starts.index(known["period"].max())
                known = known[known["period"] >= starts[max(0, newest + 1 - window)]]
            train = known.sort_values("event_ts")
            if len(train) >= MIN_ROWS and train["label"].nunique() > 1:
                model, fits = TrainedModel.fit(train, meta["schema"], meta["task"],
                                               threads=1), fits + 1
                since = i
        scored = rows[(rows["period"] == start) & rows["label"].notna()]
        if model is None or scored.empty:
            continue
        try:
            value = evaluate(scored["label"], model.predict(scored), meta["task"])[meta["metric"]]
        except ValueError:
            continue  # a period of one class
        daily.append({"day": str(start), "value": float(value)})
    del period
    return {"every": every, "window": window, "retrains": fits, "daily": daily,
            "mean": float(np.mean([d["value"] for d in daily])) if daily else None}


def run_grid(settings: Settings, every: list[int], windows: list[int], workers: int = 2,
             days: int | None = None) -> list[dict]:
    """Every (every, window) policy of the grid, `workers` at a time."""
    starts = settings.period_starts(days)
    rows, meta = history(settings, starts)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(replay, rows, meta, starts, k, w) for k in every for w in windows]
        return [f.result() for f in futures]
