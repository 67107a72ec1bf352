"""The label column, checked against the task: two classes for binary, numbers for regression.

A task is inferred only when the label leaves no doubt: two values are binary, many numbers a
regression. A few whole numbers (0/1/2, ratings 1..5) may be classes or a count; guessing
would silently train the wrong model, so the user is asked to set `task`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.api import types

from ct_assets.errors import CTError

MAX_CLASSES = 10  # up to this many distinct whole numbers may be classes: ask, do not guess


def infer_task(label: pd.Series, column: str) -> tuple[str, str]:
    """`binary` for two distinct values, `regression` for many numbers, and the note that says
    so; a few whole numbers, or anything else, is an error naming the settings that decide."""
    values = _values(label, column)
    numbers = types.is_numeric_dtype(label) and not types.is_bool_dtype(label)
    if len(values) == 2:
        return "binary", f"label column {column!r} has two values ({_sample(values)}): task " \
            "binary (set `task` to override)"
    if numbers and 2 < len(values) <= MAX_CLASSES and (values % 1 == 0).all():
        raise CTError(f"label column {column!r} has {len(values)} distinct whole numbers "
                      f"({_sample(values)}): classes or a quantity? Set `task: "
                      "regression` to predict the number, or `task: binary` with "
                      f"`positive_label: {np.sort(values)[-1]:g}` to predict one class "
                      "against the rest")
    if numbers and len(values) > 2:
        return "regression", f"label column {column!r} has {len(values):,} distinct numbers: " \
            "task regression (set `task` to override)"
    raise CTError(f"label column {column!r} has {len(values)} distinct value(s) "
                  f"({_sample(values)}); set `task: binary` with two classes or "
                  "`task: regression` with numbers")


def prepare_label(label: pd.Series, task: str, column: str,
                  positive: str | None) -> tuple[pd.Series, list[str]]:
    """The label as the model learns it (0/1 for binary, float for regression), and notes."""
    values = _values(label, column)
    if task == "regression":
        if types.is_bool_dtype(label) or not types.is_numeric_dtype(label):
            raise CTError(f"label column {column!r} holds {label.dtype} values ({_sample(values)})"
                          "; task regression needs numbers")
        return label.astype("float64"), []
    if len(values) != 2 and positive is None:
        raise CTError(f"label column {column!r} has {len(values)} classes ({_sample(values)}) "
                      "but task is binary; map it to two classes, set `positive_label` to "
                      "predict one class against the rest, or use task: regression")
    if positive is None and set(map(str, values)) <= {"0", "1", "0.0", "1.0", "True", "False"}:
        if types.is_bool_dtype(label) or types.is_numeric_dtype(label):
            return label.astype("float64"), []
        text = label.astype(str).map({"True": 1.0, "False": 0.0, "1": 1.0, "0": 0.0,
                                      "1.0": 1.0, "0.0": 0.0})
        return text.where(label.notna()).astype("float64"), []
    if positive is None:
        positive = str(label.value_counts().idxmin())
        note = f"label column {column!r}: positive class {positive!r} (the rarer; set " \
               "`positive_label` to choose)"
    else:
        rest = [v for v in values if not _is(v, positive)]
        note = f"label column {column!r}: positive class {positive!r}" + \
            (f" against the other {len(rest)} ({_sample(rest)})" if len(values) > 2 else "")
        if len(rest) == len(values):
            raise CTError(f"positive_label {positive!r} is not a value of label column "
                          f"{column!r} ({_sample(values)})")
    mapped = label.map({v: float(_is(v, positive)) for v in values})
    return mapped.astype("float64"), [note]


def _values(label: pd.Series, column: str):
    values = label.dropna().unique()
    if not len(values):
        raise CTError(f"label column {column!r} has no values ({len(label):,} rows, all empty)")
    return values


def _is(value, positive: str) -> bool:
    """Whether a label value is the positive class as the settings spell it (`2` is 2.0)."""
    if str(value) == positive:
        return True
    try:
        return float(value) == float(positive)
    except (TypeError, ValueError):
        return False


def _sample(values) -> str:
    values = [v.item() if hasattr(v, "item") else v for v in values]
    try:
        values = sorted(values)
    except TypeError:  # mixed types: as they come
        pass
    shown = ", ".join(repr(v) for v in values[:5])
    return shown + (", ..." if len(values) > 5 else "")
