"""Statistics of the current data from a pandas frame: one pass per column, on threads.

What a feature's row needs from the current data (see :mod:`.compare`): a numeric column's fine
bin counts, mean positions and missing count (:func:`.numeric.current_numeric`), a categorical
column's level counts aligned to the reference's bins (:mod:`.categorical`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .binning import FineBins
from .categorical import current_categorical, tally
from .columns import check_frame, map_features, raw_values
from .numeric import current_numeric


def series_stats(spec: dict, series: pd.Series, bins: FineBins | None) -> tuple[dict, list[str]]:
    """Current statistics of one pandas column, and notes (a changed dtype)."""
    if spec["kind"] == "categorical":
        return current_categorical(*tally(series), spec), []
    values, dtype_ok = raw_values(series)
    notes = [] if dtype_ok else [f"dtype changed: {spec['dtype']} -> {series.dtype}"]
    return current_numeric(values, spec, bins), notes


def frame_stats(features: dict[str, dict], bins: dict[str, FineBins],
                df: pd.DataFrame) -> tuple[int, dict, list[str]]:
    """``(n_rows, {feature: (stats or None when absent, notes)}, extra columns)`` of a frame."""
    columns = check_frame(df, "current")

    def one(name: str, spec: dict) -> tuple[dict | None, list[str]]:
        if name not in columns:
            return None, []
        return series_stats(spec, df[columns[name]], bins.get(name))

    stats = map_features(one, features.items(), len(df),
                         first=lambda name, spec: spec["kind"] == "categorical")
    return (len(df), dict(zip(features, stats, strict=True)),
            [c for c in columns if c not in features])


def absent_stats(spec: dict, n_cur: int) -> dict:
    """Statistics of a feature missing from the current data: every row is missing."""
    if spec["kind"] == "categorical":
        return current_categorical(pd.Index([], dtype=object), np.zeros(0, np.int64), n_cur, spec)
    counts = np.zeros(len(spec["edges"]) + 2, dtype=np.int64)
    counts[-1] = n_cur
    return {"counts": counts, "fine": np.zeros(len(spec["fine"]["counts"]), np.int64),
            "means": None, "std": 0.0}
