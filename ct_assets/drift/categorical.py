"""Categorical features: level frequencies with an "__other__" pool, unseen and missing buckets.

Levels are compared by their string form (integral floats are written as integers first, so a
level ``3`` stays ``"3"`` when a column picks up NaN and becomes float). The reference keeps the
``MAX_LEVELS = 1000`` most frequent levels with their counts (ties broken by name); the rest are
pooled into ``__other__``, whose level *names* are kept (up to ``MAX_KNOWN = 100_000``) so that
they are not mistaken for unseen levels later. The number of levels seen once
(``n_singletons``) estimates how often a stationary stream still brings levels the reference
never saw (Good-Turing: ``n_singletons / n``), which :mod:`.calibration` allows for.

At compare time the bins are: every kept level whose expected count
``share_ref * min(n_ref, n_cur)`` is at least ``MIN_EXPECTED = 5`` (the usual chi-square rule;
rarer levels join ``__other__``), then ``__other__``, ``__unseen__`` (current levels never seen
in the reference; reference share 0) and ``__missing__``.
"""

from __future__ import annotations

import ctypes

import numpy as np
import pandas as pd

MAX_LEVELS = 1000
MAX_KNOWN = 100_000
MIN_EXPECTED = 5.0
IDENTITY_SAMPLE = 4096  # rows looked at before counting objects by identity


def tally(values: pd.Series, weights: np.ndarray | None = None) -> tuple[pd.Index, np.ndarray, int]:
    """Distinct levels (as strings), their counts, and the number of missing values.

    A ``category`` column is counted from its codes (no hashing); any other column with
    ``value_counts``, which for strings is 2-3x faster than factorising them (one hash-table
    pass, no codes array). ``weights``: a count per value, when ``values`` are already distinct
    (the DuckDB path groups in SQL and brings back only distinct levels with their counts).
    """
    if weights is not None:
        keys, counts = pd.Index(values, dtype=object), np.rint(np.asarray(weights, np.float64))
    elif isinstance(values.dtype, pd.CategoricalDtype):
        codes = np.asarray(values.array.codes).astype(np.intp) + 1  # bin 0: missing
        counts = np.bincount(codes, minlength=len(values.cat.categories) + 1)
        keys = pd.Index(np.asarray(values.cat.categories, dtype=object))
        keys = keys.insert(0, None)
    else:
        found = _by_identity(values)
        if found is None:
            found = values.value_counts(dropna=False, sort=False)
        keys, counts = pd.Index(found.index, dtype=object), found.to_numpy()
    counts = np.asarray(counts).astype(np.int64)
    missing = np.asarray(keys.isna())
    n_missing = int(counts[missing].sum())
    present = ~missing & (counts > 0)  # unused categories of a Categorical
    counts, keys = counts[present], keys[present]
    if keys.inferred_type == "floating":
        finite = np.isfinite(keys.to_numpy(dtype=np.float64))
        as_float = keys.to_numpy(dtype=np.float64)
        if finite.all() and np.all(as_float == np.round(as_float)):
            keys = pd.Index(as_float.astype(np.int64))
    keys = pd.Index(keys.astype(str), dtype=object)
    if not keys.is_unique:  # e.g. 1 and "1" in one object column: merge them
        merged = pd.Series(counts, index=keys).groupby(level=0, sort=False).sum()
        keys, counts = pd.Index(merged.index, dtype=object), merged.to_numpy(dtype=np.int64)
    return keys, counts, n_missing


def _by_identity(values: pd.Series) -> pd.Series | None:
    """Level counts of a column of Python objects, counted by object identity first.

    Readers such as pandas' CSV parser give one object per distinct string (per chunk of the
    file), so sorting the objects' addresses (plain integers: no hashing, and without the GIL)
    and hashing only the few distinct objects replaces hashing every row, 3-5x faster. None
    when most objects are distinct (DuckDB's ``.df()`` makes one per row): hash the values.
    """
    arr = np.asarray(values.array) if isinstance(values.dtype, pd.StringDtype) else (
        values.to_numpy())
    if arr.dtype != object or arr.size < IDENTITY_SAMPLE or not arr.flags.c_contiguous:
        return None
    addresses = np.frombuffer(arr.data, dtype=np.intp)  # the array holds the objects alive
    if np.unique(addresses[:IDENTITY_SAMPLE]).size > IDENTITY_SAMPLE // 16:
        return None
    ordered = np.sort(addresses)
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    if starts.size > IDENTITY_SAMPLE:
        return None
    objects = [ctypes.cast(int(a), ctypes.py_object).value for a in ordered[starts]]
    counts = pd.Series(np.diff(np.append(starts, ordered.size)),
                       index=pd.Index(objects, dtype=object))
    return counts.groupby(level=0, dropna=False, sort=False).sum()


def fit_categorical(series: pd.Series, max_levels: int = MAX_LEVELS) -> dict:
    """Reference statistics of one categorical column, as a JSON-able dict."""
    keys, counts, n_missing = tally(series)
    order = np.lexsort((keys.to_numpy(dtype=object).astype(str), -counts))
    keys, counts = keys[order], counts[order]
    top, rest = slice(0, max_levels), slice(max_levels, None)
    other_levels = keys[rest][:MAX_KNOWN].tolist()
    return {
        "kind": "categorical",
        "dtype": str(series.dtype),
        "n": len(series),
        "n_missing": n_missing,
        "levels": keys[top].tolist(),
        "counts": counts[top].tolist(),
        "other_count": int(counts[rest].sum()),
        "other_levels": other_levels,
        "other_truncated": bool(len(keys) - max_levels > MAX_KNOWN),
        "n_singletons": int(np.count_nonzero(counts == 1)),
    }


def current_categorical(keys: pd.Index, counts: np.ndarray, n_missing: int, spec: dict) -> dict:
    """Aligned reference and current bin counts from the current :func:`tally`.

    Returns ``ref_counts``, ``cur_counts`` (bins: kept levels, __other__, __unseen__,
    __missing__), ``n_unseen`` and the bin ``labels``.
    """
    levels = pd.Index(spec["levels"], dtype=object)
    pos = levels.get_indexer(keys)
    known = pos >= 0
    in_other = ~known & keys.isin(spec["other_levels"])
    n_levels = len(levels)
    cur_levels = np.bincount(pos[known], weights=counts[known], minlength=n_levels).astype(np.int64)
    cur_other = int(counts[in_other].sum())
    n_unseen = int(counts[~known & ~in_other].sum())
    n_cur = int(counts.sum()) + n_missing
    ref_levels = np.asarray(spec["counts"], dtype=np.int64)
    n_ref = spec["n"]
    keep = ref_levels * min(n_ref, n_cur) >= MIN_EXPECTED * n_ref
    ref = np.concatenate(
        [ref_levels[keep], [spec["other_count"] + ref_levels[~keep].sum(), 0, spec["n_missing"]]]
    )
    cur = np.concatenate(
        [cur_levels[keep], [cur_other + cur_levels[~keep].sum(), n_unseen, n_missing]]
    )
    labels = [*levels[keep], "__other__", "__unseen__", "__missing__"]
    return {"ref_counts": ref, "cur_counts": cur, "n_unseen": n_unseen, "labels": labels}
