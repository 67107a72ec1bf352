"""Input checks shared by fit and compare (frames, feature lists, importances), numeric
columns as arrays, and the per-feature map that runs columns on threads."""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd


def is_numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype)


def to_float(series: pd.Series) -> tuple[np.ndarray, bool]:
    """Float64 values of a column (missing -> NaN) and whether its dtype was numeric.

    A non-numeric column (e.g. strings where numbers were expected) is coerced with
    ``pd.to_numeric(errors="coerce")``: unparsable values become missing.
    """
    if is_numeric(series):
        if isinstance(series.dtype, np.dtype):  # plain numpy column: a view or one cast
            return series.to_numpy().astype(np.float64, copy=False), True
        return series.to_numpy(dtype=np.float64, na_value=np.nan), True  # nullable, arrow
    try:
        coerced = pd.to_numeric(series, errors="coerce")
        values = pd.Series(coerced).to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError):
        values = np.full(len(series), np.nan)
    return values, False


def raw_values(series: pd.Series) -> tuple[np.ndarray, bool]:
    """Like :func:`to_float`, but a plain numpy int or bool column is returned as it is: the
    binning pass converts it chunk by chunk, in cache, instead of copying the column."""
    if is_numeric(series) and isinstance(series.dtype, np.dtype):
        return series.to_numpy(), True
    return to_float(series)


def check_frame(df: object, which: str) -> dict[str, object]:
    """Raise a clear error for a non-frame, an empty frame or duplicate column names.

    Returns ``{str(name): name}`` for the frame's columns (profiles key features by string).
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(
            f"{which} data must be a pandas DataFrame (or, to compare, a DuckDB connection with "
            f"a table name or a DuckDB relation), got {type(df).__name__}"
        )
    if len(df) == 0:
        raise ValueError(f"{which} data has 0 rows")
    names = pd.Index([str(c) for c in df.columns])
    if not names.is_unique:
        dupes = sorted(set(names[names.duplicated()]))
        raise ValueError(f"duplicate column names in {which} data: {dupes}")
    return {str(c): c for c in df.columns}


def select_features(
    df: pd.DataFrame, categorical: Iterable, numeric: Iterable | None
) -> tuple[list, list]:
    """Validated (categorical, numeric) column lists; ``numeric=None``: other numeric columns."""
    cats = list(categorical)
    if numeric is None:
        nums = [c for c in df.columns if c not in cats and is_numeric(df[c])]
    else:
        nums = list(numeric)
    absent = [c for c in cats + nums if c not in df.columns]
    if absent:
        raise ValueError(f"columns not in reference data: {absent}")
    both = set(cats) & set(nums)
    if both:
        raise ValueError(f"columns listed as both numeric and categorical: {sorted(both)}")
    wrong = [f"{c} ({df[c].dtype})" for c in nums if not is_numeric(df[c])]
    if wrong:
        raise ValueError(
            f"numeric columns with a non-numeric dtype (make them categorical): {wrong}"
        )
    if not cats and not nums:
        raise ValueError("no features to profile")
    return cats, nums


def check_importances(
    importances: Mapping[str, float] | None, features: Mapping[str, dict]
) -> dict[str, float]:
    """Weights of known features (unknown names are ignored); each finite and >= 0."""
    out = {}
    for name, weight in (importances or {}).items():
        weight = float(weight)
        if not (math.isfinite(weight) and weight >= 0):
            raise ValueError(f"importance of {name!r} must be finite and >= 0, got {weight}")
        if str(name) in features:
            out[str(name)] = weight
    return out


PARALLEL_ROWS = 50_000  # below this, thread start-up costs more than it saves


def map_features(fn: Callable, items: Iterable, n_rows: int,
                 first: Callable[..., bool] | None = None) -> list:
    """``[fn(*item) for item in items]``, on up to ``os.cpu_count()`` threads for large frames.

    The per-column work (sort, searchsorted, reduceat, bincount) is numpy that releases the GIL,
    so columns run in parallel; results keep the input order. Items for which ``first(*item)``
    holds start first: counting Python strings holds the GIL, so it goes while the numeric
    columns still have numpy work to overlap it, not at the end alone.
    """
    items = list(items)
    workers = min(len(items), os.cpu_count() or 1)
    if n_rows < PARALLEL_ROWS or workers < 2:
        return [fn(*item) for item in items]
    order = sorted(range(len(items)), key=lambda i: not first(*items[i])) if first else \
        range(len(items))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="drift") as pool:
        futures = {i: pool.submit(fn, *items[i]) for i in order}
        return [futures[i].result() for i in range(len(items))]
