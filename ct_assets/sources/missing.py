"""Missing-value markers: text such as `N/A` or `?` that stands for "no value".

A reader that takes eleven `N/A` in a column of 12,000 amounts at their word reads the whole
column as text, and the amounts are then left out as "an identifier or free text". A careful
analyst reads the markers as missing and the column as numbers. Markers (the `missing_values`
setting) are compared after trimming spaces, in every text column of a table whatever its
format; a column whose markers made it text (its other values all numbers, or all ISO dates) is
read as numbers (dates). Each column changed is one note with the count and the setting.
"""

from __future__ import annotations

import pandas as pd
from pandas.api import types

SAMPLE = 1000  # values tried as numbers before a whole column is
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
    """The column read anew (None: unchanged) and its notes."""
    if series.isna().all():
        return series.astype("float64"), []  # nothing but missing: numbers, no feature
    text = series.str.strip()
    hit = text.isin(markers) & series.notna()
    if not hit.any():
        return None, _mostly_numbers(text, name)
    rest = text.where(~hit)
    counts = text[hit].value_counts()
    shown = ", ".join(f"{m!r}" for m in counts.index[:4]) + (", ..." if len(counts) > 4 else "")
    read, kind = _as_numbers(rest)
    note = (f"column {name!r}: {int(hit.sum()):,} of {len(series):,} values are {shown}: read "
            f"as missing{kind} (the `missing_values` setting lists such markers)")
    return read, [note]


def _as_numbers(rest: pd.Series) -> tuple[pd.Series, str]:
    """The column as numbers or times when every value left is one, else as text."""
    present = rest.dropna()
    if not len(present):
        return rest.astype("float64"), ", and the column holds no value"
    numbers = pd.to_numeric(rest, errors="coerce")
    if numbers[present.index].notna().all():
        return numbers, ", the rest as numbers"
    if present.str.match(ISO_DATE).all():
        times = pd.to_datetime(rest, errors="coerce", utc=True, format="ISO8601")
        if times[present.index].notna().all():
            return times, ", the rest as times"
    return rest, ""


def _mostly_numbers(text: pd.Series, name: str) -> list[str]:
    """A hint for a text column of numbers with a few odd values that are no known marker."""
    present = text.dropna()
    sample = present.iloc[:SAMPLE]
    if not len(sample) or pd.to_numeric(sample, errors="coerce").notna().mean() < MOSTLY:
        return []
    numbers = pd.to_numeric(present, errors="coerce")
    odd = present[numbers.isna()]
    if numbers.notna().mean() < MOSTLY or odd.nunique() > 5:
        return []
    values = ", ".join(repr(v) for v in odd.unique()[:5])
    return [f"column {name!r}: {int(numbers.notna().sum()):,} of {len(text):,} values are "
            f"numbers and {len(odd):,} are not ({values}): read as text; to read them as "
            "missing and the column as numbers, add them to `missing_values`"]
