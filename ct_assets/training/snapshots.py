"""Rebuilding a training snapshot from its recipe, and splitting off its holdout."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from ct_assets.store import TrainingSnapshot, point_in_time


def load_snapshot(con: duckdb.DuckDBPyConnection, recipe: dict) -> TrainingSnapshot:
    """The snapshot a recipe names; refuses to go on if the rows changed since it was taken."""
    snapshot = point_in_time(con, dt.date.fromisoformat(recipe["cutoff"]),
                             recipe["window_days"], recipe["feature_version"])
    if snapshot.snapshot_id != recipe["snapshot_id"]:
        raise ValueError(
            f"training snapshot {recipe['snapshot_id']} no longer matches the feature store "
            f"(rebuilt as {snapshot.snapshot_id}); re-materialize training_set")
    return snapshot


def holdout_split(snapshot: TrainingSnapshot, holdout_days: int
                  ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows before the holdout, and the holdout: events of the last `holdout_days` days.

    A champion trained at an earlier cutoff never saw these events either, because its own
    training rows ended before its own (earlier) holdout began.
    """
    start = pd.Timestamp(snapshot.cutoff - dt.timedelta(days=holdout_days - 1))
    recent = snapshot.frame["event_ts"] >= start
    return snapshot.frame[~recent], snapshot.frame[recent]
