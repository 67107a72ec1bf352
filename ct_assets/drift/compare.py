"""One row of the drift report per feature, from the current data's summary statistics.

The statistics (fine-bin counts with a missing bin, mean positions, level counts) come either
from pandas columns (:mod:`.current`) or from DuckDB SQL (:mod:`.duck`); both feed the same
:func:`feature_row`, so the two paths give the same report by construction.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .calibration import Calibrator
from .current import absent_stats
from .metrics import binned_wasserstein, divergences
from .numeric import wasserstein_scale
from .report import DriftReport
from .thresholds import METRICS, DriftThresholds, breaches

LIMITS = [f"{m}_limit" for m in METRICS]
COLUMNS = ["kind", "psi", "kl", "js", "wasserstein", "missing_ref", "missing_cur",
           "unseen_share", "drifted", "severity", "status", "reason", "importance",
           *LIMITS, "calibrated", "psi_raw", "kl_raw"]

# status values, most serious first
MISSING_COLUMN, DTYPE_CHANGED, ALL_MISSING, NO_REFERENCE, DRIFTED, OK = (
    "missing_column", "dtype_changed", "all_missing", "no_reference_values", "drifted", "ok")


def _edge_labels(edges: list[float]) -> list[str]:
    if not edges:
        return ["values", "missing"]
    e = [f"{v:.3g}" for v in edges]
    return [f"<{e[0]}", *(f"{a}–{b}" for a, b in zip(e[:-1], e[1:], strict=True)),
            f"≥{e[-1]}", "missing"]


def _wasserstein(spec: dict, stats: dict) -> float:
    """W1 / reference std over the fine bins; NaN when either side has no values."""
    fine = spec["fine"]
    if not fine["edges"] or stats["means"] is None or not stats["fine"].sum():
        return math.nan
    w1 = binned_wasserstein(fine["edges"], fine["counts"], fine["means"], stats["fine"],
                            stats["means"])
    return float(w1) / wasserstein_scale(spec, stats["std"])


def _metrics(spec: dict, stats: dict, n_cur: int) -> tuple[dict, dict]:
    """Metric values and the (labels, ref counts, cur counts) of the bins they came from."""
    if spec["kind"] == "categorical":
        row = divergences(stats["ref_counts"], stats["cur_counts"])
        row.update(wasserstein=math.nan, unseen_share=stats["n_unseen"] / n_cur)  # undefined
        bins = {"labels": stats["labels"], "ref": stats["ref_counts"], "cur": stats["cur_counts"]}
    else:
        ref_counts = np.append(np.asarray(spec["counts"], dtype=np.int64), spec["n_missing"])
        row = divergences(ref_counts, stats["counts"])
        row.update(wasserstein=_wasserstein(spec, stats), unseen_share=0.0)
        bins = {"labels": _edge_labels(spec["edges"]), "ref": ref_counts, "cur": stats["counts"]}
    row["missing_cur"] = float(bins["cur"][-1]) / n_cur
    bins = {k: list(v) if k == "labels" else np.asarray(v).tolist() for k, v in bins.items()}
    return row, {"kind": spec["kind"], **bins}


def feature_row(name: str, spec: dict, stats: dict | None, n_cur: int, calibrator: Calibrator,
                notes: list[str] = ()) -> tuple[dict, dict]:
    """Metrics, limits at this n, decision, severity, status and reason of one feature
    (``stats=None``: absent from the current data), and its bins for plotting."""
    absent = stats is None
    stats = absent_stats(spec, n_cur) if absent else stats
    row, bins = _metrics(spec, stats, n_cur)
    limits, calibrated = calibrator.limits(name, spec, n_cur, stats.get("ref_counts"))
    notes = list(notes)
    row["kind"] = spec["kind"]
    row["missing_ref"] = spec["n_missing"] / spec["n"] if spec["n"] else 0.0
    values = dict(
        row, missing=abs(row["missing_cur"] - row["missing_ref"]), unseen=row["unseen_share"]
    )
    hit, severity = breaches(values, limits)
    status = OK
    if absent:
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
        calibrated=calibrated,
        **{f"{m}_limit": math.nan if limits[m] is None else float(limits[m]) for m in METRICS},
    )
    row.pop("js_raw", None)
    row.pop("bias", None)
    return row, bins


def assemble(rows: dict[str, dict], bins: dict[str, dict], importances: dict[str, float],
             thresholds: DriftThresholds, n_rows: int, n_rows_ref: int,
             extra_columns: list[str]) -> DriftReport:
    """The report: rows in profile order, importance weights, the weighted drifted share."""
    table = pd.DataFrame.from_dict(rows, orient="index")
    weights = np.array([importances.get(f, 0.0) for f in table.index])
    if not weights.sum() > 0:
        weights = np.ones(len(table))
    table["importance"] = weights / weights.sum()
    table = table[COLUMNS]
    table.index.name = "feature"
    share = float(np.sum(table["importance"].to_numpy() * table["drifted"].to_numpy()))
    return DriftReport(features=table, share=share, drifted=bool(share >= thresholds.share),
                       n_rows=n_rows, n_rows_ref=n_rows_ref, thresholds=thresholds,
                       extra_columns=extra_columns, bins=bins)
