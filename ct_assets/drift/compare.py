"""One row of the drift report: metrics of one feature against its reference statistics."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .categorical import current_categorical
from .metrics import divergences, wasserstein_from_integrals
from .numeric import current_numeric, to_float, wasserstein_scale
from .thresholds import breaches

COLUMNS = [
    "kind",
    "psi",
    "kl",
    "js",
    "wasserstein",
    "missing_ref",
    "missing_cur",
    "unseen_share",
    "drifted",
    "severity",
    "status",
    "reason",
    "importance",
    "psi_raw",
    "kl_raw",
]

# status values, most serious first
MISSING_COLUMN, DTYPE_CHANGED, ALL_MISSING, NO_REFERENCE, DRIFTED, OK = (
    "missing_column",
    "dtype_changed",
    "all_missing",
    "no_reference_values",
    "drifted",
    "ok",
)


def _numeric(
    spec: dict, series: pd.Series | None, n_cur: int, grid: np.ndarray
) -> tuple[dict, list[str]]:
    notes: list[str] = []
    if series is None:
        values = np.full(n_cur, np.nan)
    else:
        values, dtype_ok = to_float(series)
        if not dtype_ok:
            notes.append(f"dtype changed: {spec['dtype']} -> {series.dtype}")
    cur = current_numeric(values, spec, grid)
    ref_counts = np.append(np.asarray(spec["counts"], dtype=np.int64), spec["n_missing"])
    row = divergences(ref_counts, cur["counts"])
    row["wasserstein"] = math.nan
    if cur["means"] is not None:
        w1 = wasserstein_from_integrals(np.asarray(spec["means"]), cur["means"], grid)
        row["wasserstein"] = w1 / wasserstein_scale(spec, cur["std"])
    row["unseen_share"] = 0.0
    row["missing_cur"] = float(cur["counts"][-1]) / n_cur
    return row, notes


def _categorical(spec: dict, series: pd.Series | None, n_cur: int) -> tuple[dict, list[str]]:
    if series is None:
        series = pd.Series(np.full(n_cur, None, dtype=object))
    cat = current_categorical(series, spec)
    row = divergences(cat["ref_counts"], cat["cur_counts"])
    row["wasserstein"] = math.nan  # not defined for unordered levels
    row["unseen_share"] = cat["n_unseen"] / n_cur
    row["missing_cur"] = float(cat["cur_counts"][-1]) / n_cur
    return row, []


def feature_row(
    spec: dict, series: pd.Series | None, n_cur: int, grid: np.ndarray, limits: dict
) -> dict:
    """Metrics, decision, severity, status and reason of one feature (``series=None``: absent)."""
    if spec["kind"] == "numeric":
        row, notes = _numeric(spec, series, n_cur, grid)
    else:
        row, notes = _categorical(spec, series, n_cur)
    row["kind"] = spec["kind"]
    row["missing_ref"] = spec["n_missing"] / spec["n"] if spec["n"] else 0.0
    values = dict(
        row, missing=abs(row["missing_cur"] - row["missing_ref"]), unseen=row["unseen_share"]
    )
    hit, severity = breaches(values, limits)
    status = OK
    if series is None:
        status, notes = MISSING_COLUMN, ["missing from current data"]
    elif notes:
        status = DTYPE_CHANGED
    elif row["missing_cur"] >= 1.0:
        status, notes = ALL_MISSING, ["all values missing"]
    elif spec["n_missing"] >= spec["n"]:
        status, notes = NO_REFERENCE, ["reference has no values"]
    forced = status in (MISSING_COLUMN, DTYPE_CHANGED)
    drifted = bool(hit) or forced
    if status == OK and drifted:
        status = DRIFTED
    limit_text = [f"{m} {values[m]:.3g} > {limits[m]:.3g}" for m in hit]
    row.update(
        drifted=drifted,
        severity=max(severity, 1.0) if forced else severity,
        status=status,
        reason="; ".join(notes + limit_text),
    )
    row.pop("js_raw", None)
    row.pop("bias", None)
    return row
