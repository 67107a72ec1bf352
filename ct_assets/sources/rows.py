"""Rows a careful analyst sets aside, and says so: exact repeats, and events with no label.

A row that repeats an earlier one in every column (time, key, label, features) is a double
export, not a second event: it would count twice in training and in every metric. An event
whose label is empty is kept as an event whose label never arrives: it is scored and monitored
like any other, and never trained or evaluated on.
"""

from __future__ import annotations

import pandas as pd


def drop_repeats(raw: pd.DataFrame, drop: bool) -> tuple[pd.DataFrame, list[str]]:
    """`raw` without rows that repeat an earlier row in every column (when `drop`), and a note.
    The index is kept, so later messages still name rows as the file numbers them."""
    if not drop:
        return raw, []
    try:
        repeat = raw.duplicated()
    except TypeError:  # nested values (lists, structs) cannot be compared: keep every row
        return raw, []
    if not repeat.any():
        return raw, []
    return raw[~repeat], [
        f"{int(repeat.sum()):,} of {len(raw):,} rows repeat an earlier row in every column "
        f"(first: row {int(repeat.idxmax()):,}): dropped (set `drop_duplicates: false` to "
        "keep them)"]


def unlabelled(label: pd.Series, column: str) -> list[str]:
    """A note on the events whose label is empty, if any."""
    empty = int(label.isna().sum())
    if not empty:
        return []
    return [f"label column {column!r} is empty in {empty:,} of {len(label):,} rows: those "
            "events are scored and monitored but never trained on (their label never arrives)"]
