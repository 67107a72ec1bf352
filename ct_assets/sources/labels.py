"""The label column, checked against the task: two classes for binary, numbers for regression."""

from __future__ import annotations

import pandas as pd
from pandas.api import types

from ct_assets.errors import CTError


def infer_task(label: pd.Series, column: str) -> str:
    """`binary` for two distinct values, `regression` for more numbers; anything else is an
    error (ct-assets trains binary classifiers and regressors)."""
    values = label.dropna().unique()
    if len(values) == 2:
        return "binary"
    if types.is_numeric_dtype(label) and not types.is_bool_dtype(label) and len(values) > 2:
        return "regression"
    raise CTError(f"label column {column!r} has {len(values)} distinct value(s) "
                  f"({_sample(values)}); set `task: binary` with two classes or "
                  "`task: regression` with numbers")


def prepare_label(label: pd.Series, task: str, column: str,
                  positive: str | None) -> tuple[pd.Series, list[str]]:
    """The label as the model learns it (0/1 for binary, float for regression), and notes."""
    values = label.dropna().unique()
    if not len(values):
        raise CTError(f"label column {column!r} has no values ({len(label):,} rows, all empty)")
    if task == "regression":
        if types.is_bool_dtype(label) or not types.is_numeric_dtype(label):
            raise CTError(f"label column {column!r} holds {label.dtype} values ({_sample(values)})"
                          "; task regression needs numbers")
        return label.astype("float64"), []
    if len(values) != 2:
        raise CTError(f"label column {column!r} has {len(values)} classes ({_sample(values)}) "
                      "but task is binary; map it to two classes or use task: regression")
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
        note = f"label column {column!r}: positive class {positive!r}"
        if positive not in set(map(str, values)):
            raise CTError(f"positive_label {positive!r} is not a value of label column "
                          f"{column!r} ({_sample(values)})")
    mapped = (label.astype(str) == positive).astype("float64").where(label.notna())
    return mapped, [note]


def _sample(values) -> str:
    shown = ", ".join(repr(v) for v in list(values)[:5])
    return shown + (", ..." if len(values) > 5 else "")
