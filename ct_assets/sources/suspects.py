"""Columns that are no feature although their dtype says they could be one.

An empty or constant column tells a model nothing. Distinct whole numbers that rise with event
time (an event id, a sequence number, a Unix time) or count through a range (a row number) are
an identifier: as a feature such a column drifts out of its reference range every day by
construction, and every drift retrain it fires is wasted.
"""

from __future__ import annotations

import pandas as pd
from pandas.api import types

MIN_ROWS = 100  # fewer rows: distinct numbers are no evidence of an identifier
DISTINCT = 0.99  # share of distinct values from which whole numbers may be an identifier
RISING = 0.95  # rank correlation with event time from which they are a sequence
DENSE = 1.05  # a range at most this much wider than the count of values: a row number


def no_information(series: pd.Series) -> str | None:
    """Why `series` can tell a model nothing (empty, or one value in every row), or None."""
    present = series.dropna()
    if not len(present):
        return f"is empty in all {len(series):,} rows"
    if len(present) == len(series) and present.nunique() == 1:
        value = present.iloc[0]
        value = value.item() if hasattr(value, "item") else value
        return f"holds one value ({value!r}) in all {len(series):,} rows"
    return None


def identifier(series: pd.Series, event_ts: pd.Series | None) -> str | None:
    """Why `series` looks like an identifier rather than a measurement, or None."""
    if types.is_bool_dtype(series) or not types.is_numeric_dtype(series):
        return None
    present = series.dropna()
    distinct = present.nunique()
    if len(present) < MIN_ROWS or distinct < DISTINCT * len(present) or \
            not (present % 1 == 0).all():
        return None
    what = f"{distinct:,} distinct integers" + \
        (f" in {len(series):,} rows" if distinct < len(series) else "")
    if event_ts is not None and len(event_ts) == len(series):
        times = event_ts.loc[present.index].rank()
        if present.rank().corr(times) >= RISING:
            return f"{what} increasing with time"
    if present.max() - present.min() + 1 <= DENSE * len(present):
        return f"{what} counting through {present.min():,.0f}..{present.max():,.0f}"
    return None
