"""Which columns of a user's table are features, and of which kind.

Numbers and booleans are numeric features, text with a manageable number of values is
categorical; datetimes, identifier-like and free-text columns are left out with a note that
says why and how to keep them. Settings override every guess.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import pandas as pd
from pandas.api import types

from ct_assets.errors import CTError
from ct_assets.sources.suspects import identifier, no_information

# names the feature store gives its own columns: a feature called so is renamed with a `_`
RESERVED = {"day", "entity_id", "event_ts", "label", "label_ts", "feature_version",
            "day_of_week", "model_version", "score", "source"}
MAX_CATEGORIES = 500  # more distinct text values than this reads as an identifier or free text
# LightGBM refuses these characters in feature names (they break its JSON model dump)
FORBIDDEN = set('[]{}":,')


@dataclass(frozen=True)
class FeatureColumns:
    numeric: tuple[str, ...]
    categorical: tuple[str, ...]
    notes: tuple[str, ...]
    left_out: tuple[str, ...] = ()  # columns inference left out (recorded under `exclude`)


def check_present(frame: pd.DataFrame, names: list[str], setting: str, source: str) -> None:
    """Every name in `names` is a column of `frame`, or one error naming it (and its likely
    spelling) and the setting it came from."""
    for name in names:
        if name not in frame.columns:
            columns = [str(c) for c in frame.columns]
            near = difflib.get_close_matches(name, columns, n=1, cutoff=0.5)
            hint = f"; did you mean {near[0]!r}?" if near else ""
            more = "..." if len(columns) > 12 else ""
            raise CTError(f"{setting}: source {source} has no column {name!r}{hint} "
                          f"(columns: {', '.join(columns[:12])}{more})")


def renamed(name: str) -> str:
    """The feature name the store and the served model use for a user's column."""
    return f"{name}_" if name in RESERVED else name


def infer_features(frame: pd.DataFrame, reserved: set[str], numeric: list[str] | None,
                   categorical: list[str] | None, exclude: list[str],
                   event_ts: pd.Series | None = None) -> FeatureColumns:
    """Numeric and categorical features of `frame`, leaving out `reserved` and `exclude`;
    `event_ts` (per row) tells identifiers that rise with time."""
    forced_cat, forced_num = list(categorical or []), list(numeric or [])
    both = set(forced_cat) & set(forced_num)
    if both:
        raise CTError(f"column(s) {', '.join(sorted(both))} listed as numeric and categorical")
    num, cat, notes, out = [], [], [], []

    def leave_out(name: str, why: str, keep: str) -> None:
        notes.append(f"column {name!r} {why}; left out (list it under `{keep}` to keep it)")
        out.append(name)
    for col in frame.columns:
        name = str(col)
        if name in reserved or name in exclude:
            continue
        if FORBIDDEN & set(name):
            raise CTError(f"column {name!r}: LightGBM cannot use names with any of "
                          f"{''.join(sorted(FORBIDDEN))}; rename it or list it under `exclude`")
        series = frame[col]
        is_number = types.is_bool_dtype(series) or types.is_numeric_dtype(series)
        if name in forced_cat:
            cat.append(name)
        elif name in forced_num:
            if not is_number:
                raise CTError(f"numeric: column {name!r} holds {series.dtype} values, not numbers")
            num.append(name)
        elif categorical is not None and numeric is not None:
            notes.append(f"column {name!r} is not listed under numeric or categorical; left out")
            out.append(name)
        elif (numeric is None if is_number else categorical is None) and \
                (why := no_information(series)):
            leave_out(name, f"{why}: no feature", "numeric" if is_number else "categorical")
        elif is_number:
            if numeric is None and (why := identifier(series, event_ts)):
                leave_out(name, f"holds {why}: an identifier", "numeric")
            elif numeric is None:
                num.append(name)
        elif types.is_datetime64_any_dtype(series):
            notes.append(f"column {name!r} is a datetime; left out (derive numbers from it "
                         "in the source if they matter)")
            out.append(name)
        elif categorical is None:
            distinct = series.nunique()
            if distinct > MAX_CATEGORIES:
                leave_out(name, f"has {distinct:,} distinct values in {len(series):,} rows: "
                          "an identifier or free text", "categorical")
            else:
                cat.append(name)
    if not num and not cat:
        raise CTError("no feature columns are left after the time, label, entity and excluded "
                      f"columns (columns: {', '.join(map(str, frame.columns[:12]))})")
    return FeatureColumns(tuple(num), tuple(cat), tuple(notes), tuple(out))
