"""Missing-value markers: text such as `N/A` or `?` that stands for "no value".

A reader that takes eleven `N/A` in a column of 12,000 amounts at their word reads the whole
column as text, and the amounts are then left out as "an identifier or free text". A careful
analyst reads the markers as missing and the column as numbers. Markers (the `missing_values`
setting) are compared after trimming spaces, in every text column of a table whatever its
format; a column whose markers made it text (its other values all numbers, or all ISO dates) is
read as numbers (dates). Each column changed is one note with the count and the setting.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
from pandas.api import types

MOSTLY = 0.9  # a text column with this share of numbers gets a hint that names the others
ISO_DATE = r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$"


def read_missing(frame: pd.DataFrame, markers: list[str],
                 keep: tuple[str, ...] = ()) -> tuple[pd.DataFrame, list[str]]:
    """`frame` with markers read as missing in its text columns (except `keep`), and notes."""
    changed, notes = {}, []
    for col in frame.columns:
        if col in keep or not _is_text(frame[col]):
            continue
        series, note = _column(frame[col], str(col), set(markers))
        if series is not None:
            changed[col] = series
        notes += note
    if not changed:
        return frame, notes
    return pd.DataFrame({c: changed.get(c, frame[c]) for c in frame.columns}), notes


def _is_text(series: pd.Series) -> bool:
    """Text, or nothing at all (an empty CSV column comes as objects that are all None)."""
    if types.is_string_dtype(series) or types.is_object_dtype(series):
        return types.infer_dtype(series, skipna=True) in ("string", "empty")
    return False


def _column(series: pd.Series, name: str, markers: set[str]) -> tuple[pd.Series | None, list]:
    """The column read anew (None: unchanged) and its notes. Each distinct text is looked at
    once (the column is codes into its distinct texts), and only texts that are no number are
    trimmed and compared with the markers: a wide table costs about what reading it costs."""
    codes, distinct = pd.factorize(series)
    if not len(distinct):
        return series.astype("float64"), []  # nothing but missing: numbers, no feature
    distinct = pd.Series(distinct, dtype=object)
    numbers = pd.to_numeric(distinct, errors="coerce")  # ignores surrounding spaces
    words = distinct[numbers.isna()].str.strip()
    marker = np.zeros(len(distinct), dtype=bool)
    marker[words.index] = words.isin(markers).to_numpy()
    counts = np.bincount(codes[codes >= 0], minlength=len(distinct))
    others = words[~marker[words.index]]  # texts that are neither numbers nor markers
    if not marker.any():
        return None, _mostly_numbers(others, counts, name, len(series))
    found = Counter()  # ' NA' and 'NA' are one marker
    for at in np.flatnonzero(marker):
        found[words[at]] += int(counts[at])
    shown = ", ".join(f"{m!r}" for m, _ in found.most_common(4)) + \
        (", ..." if len(found) > 4 else "")
    read, kind = _read_as(numbers, others, len(distinct))
    hit = (codes >= 0) & marker[codes]
    if read is None:  # still text: the values as they were, markers now missing
        column = series.where(~hit)
    else:
        column = read.iloc[np.maximum(codes, 0)].where((codes >= 0) & ~hit)
        column.index = series.index
    note = (f"column {name!r}: {found.total():,} of {len(series):,} values are {shown}: read "
            f"as missing{kind} (the `missing_values` setting lists such markers)")
    hint = _mostly_numbers(others, counts, name, len(series)) if read is None else []
    return column, [note, *hint]


def _read_as(numbers: pd.Series, words: pd.Series, distinct: int) -> tuple[pd.Series | None, str]:
    """The distinct values as numbers (every one but the markers is one), as times (every
    word left is an ISO date or time), or None (text)."""
    if numbers.isna().all() and not len(words):
        return numbers, ", and the column holds no value"
    if not len(words):
        return numbers, ", the rest as numbers"
    if numbers.isna().all() and words.str.match(ISO_DATE).all():
        times = pd.to_datetime(words, errors="coerce", utc=True, format="ISO8601")
        if times.notna().all():
            return times.reindex(range(distinct)), ", the rest as times"
    return None, ""


def _mostly_numbers(others: pd.Series, counts: np.ndarray, name: str, rows: int) -> list[str]:
    """A hint for a text column of numbers (and markers) with a few other texts."""
    odd = int(counts[others.index].sum())
    if not 0 < len(others) <= 5 or odd > (1 - MOSTLY) * counts.sum():
        return []
    values = ", ".join(repr(v) for v in others)
    return [f"column {name!r}: {odd:,} of {rows:,} values are neither numbers nor missing-value "
            f"markers ({values}): read as text; to read them as missing and the column as "
            "numbers, add them to `missing_values`"]
