"""A training snapshot's recipe: rebuilding it, sizing its holdout, and refusing bad ones.

The recipe (cutoff, window, feature version, snapshot id, holdout start) is what the Dagster
assets pass along; the rows stay in the feature store and are rebuilt, and verified, from it.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from ct_assets.store import TrainingSnapshot, point_in_time

_RECENT: dict[tuple, TrainingSnapshot] = {}  # a retrain's steps read the same snapshot


def remember(snapshot: TrainingSnapshot, scope: str | None) -> TrainingSnapshot:
    """Keep the newest snapshot of a run (`scope`, its id): the contender, its evaluation and
    the refit of one retrain read the rows its training set just built instead of the store
    (nothing else writes the store during a run: it has one writer)."""
    if scope is not None:
        _RECENT.clear()
        _RECENT[(scope, snapshot.snapshot_id)] = snapshot
    return snapshot


def load_snapshot(con: duckdb.DuckDBPyConnection, recipe: dict,
                  scope: str | None = None) -> TrainingSnapshot:
    """The snapshot a recipe names; refuses to go on if the rows changed since it was taken.
    Within one run (`scope`) the snapshot its training set built is reused."""
    if (scope, recipe["snapshot_id"]) in _RECENT:
        return _RECENT[(scope, recipe["snapshot_id"])]
    snapshot = point_in_time(con, dt.date.fromisoformat(recipe["cutoff"]),
                             recipe["window_days"], recipe["feature_version"])
    if snapshot.snapshot_id != recipe["snapshot_id"]:
        raise ValueError(
            f"training snapshot {recipe['snapshot_id']} no longer matches the feature store "
            f"(rebuilt as {snapshot.snapshot_id}); re-materialize training_set")
    return remember(snapshot, scope)


def plan_holdout(frame: pd.DataFrame, cutoff: dt.date, holdout_days: int, min_rows: int,
                 min_positives: int = 0, min_train_rows: int = 0) -> pd.Timestamp:
    """Start of the holdout: the last `holdout_days` days, widened a day at a time until it has
    `min_rows` rows and `min_positives` positives (labels of recent events are still sparse),
    but never past half of the snapshot; then, while the rows before it are fewer than
    `min_train_rows`, narrowed a day at a time as far as those minimums allow (early in a
    stream the first model needs its training rows more than a whole week of holdout)."""
    start = pd.Timestamp(cutoff - dt.timedelta(days=holdout_days - 1))
    earliest = frame["event_ts"].quantile(0.5) if len(frame) else start

    def enough(begin) -> bool:
        recent = frame[frame["event_ts"] >= begin]
        return len(recent) >= min_rows and recent["label"].sum() >= min_positives

    while start > earliest and not enough(start):
        start -= pd.Timedelta(days=1)
    latest = pd.Timestamp(cutoff)
    while ((frame["event_ts"] < start).sum() < min_train_rows and start < latest
           and enough(start + pd.Timedelta(days=1))):
        start += pd.Timedelta(days=1)
    return start


def split_at(frame: pd.DataFrame, holdout_start) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows before the holdout, and the holdout itself.

    A champion trained at an earlier cutoff never saw these events either: its own training
    rows ended where its own (earlier) holdout began.
    """
    recent = frame["event_ts"] >= pd.Timestamp(holdout_start)
    return frame[~recent], frame[recent]


def problems(train: pd.DataFrame, holdout: pd.DataFrame, window: str, task: str,
             min_train_rows: int) -> str | None:
    """Why no contender can be trained from this split, in one sentence, or None."""
    if len(train) < min_train_rows:
        return (f"only {len(train)} labelled rows before the holdout in {window}; "
                f"min_train_rows is {min_train_rows}")
    if holdout.empty:
        return f"the holdout is empty ({window}): no labelled recent events to evaluate on"
    if task == "binary":
        for name, rows in (("training rows", train), ("holdout", holdout)):
            classes = rows["label"].unique()
            if len(classes) < 2:
                return f"the {name} hold one class only ({classes[0]:g}) in {window}"
    return None
