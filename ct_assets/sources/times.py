"""Event and label times of a user's table, as naive UTC timestamps."""

from __future__ import annotations

import pandas as pd
from pandas.api import types

from ct_assets.errors import CTError


def parse_times(values: pd.Series, setting: str, column: str) -> pd.Series:
    """`values` as naive UTC timestamps; an error naming the column, how many rows failed and
    one example when any value is not a time."""
    if types.is_numeric_dtype(values) or types.is_bool_dtype(values):
        raise CTError(f"{setting} {column!r} holds {values.dtype} numbers, not times; "
                      "give ISO dates or timestamps (e.g. 2024-05-01 13:45:00)")
    if types.is_datetime64_any_dtype(values):
        parsed = values
    else:
        parsed = pd.to_datetime(values, errors="coerce", utc=True, format="mixed")
    if getattr(parsed.dtype, "tz", None) is not None:
        parsed = parsed.dt.tz_convert("UTC").dt.tz_localize(None)
    bad = parsed.isna() & values.notna()
    if bad.any():
        raise CTError(f"{setting} {column!r}: {int(bad.sum()):,} of {len(values):,} values are "
                      f"not times (first: {values[bad].iloc[0]!r}, row {int(bad.idxmax()):,})")
    if parsed.isna().any():
        raise CTError(f"{setting} {column!r}: {int(parsed.isna().sum()):,} of {len(values):,} "
                      "rows have no time; drop them or fill them in")
    return parsed.astype("datetime64[us]")


UNITS = {"d": "days", "h": "hours", "m": "minutes"}


def duration(text: str) -> pd.Timedelta:
    """`7d`, `12h`, `30m`, `1.5d` as a Timedelta."""
    return pd.Timedelta(**{UNITS[text[-1]]: float(text[:-1])})


def label_times(raw: pd.DataFrame, event_ts: pd.Series, settings) -> pd.Series:
    """When each label became known: its own column (empty: never), or the event time plus
    `label_delay`."""
    if not settings.label_time_column:
        return event_ts + duration(settings.label_delay)
    column = settings.label_time_column
    known = raw[column]
    parsed = pd.Series(pd.NaT, index=known.index, dtype="datetime64[us]")
    present = known.notna()
    if present.any():
        parsed[present] = parse_times(known[present], "label_time_column", column)
    early = parsed < event_ts
    if early.any():
        raise CTError(f"label_time_column {column!r} is before time_column "
                      f"{settings.time_column!r} in {int(early.sum()):,} rows "
                      f"(first: row {int(early.idxmax()):,})")
    return parsed
