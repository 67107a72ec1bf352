"""Metrics for one task on one set of rows, from scikit-learn."""

from __future__ import annotations

import numpy as np
from sklearn import metrics

HIGHER_IS_BETTER = {"roc_auc": True, "pr_auc": True, "log_loss": False, "brier": False,
                    "rmse": False, "mae": False}


def evaluate(y_true, y_score, task: str = "binary") -> dict[str, float]:
    """Binary: ROC AUC, PR AUC, log loss, Brier. Regression: RMSE, MAE.

    Raises ValueError naming the problem when the rows cannot support the metrics (no rows, or
    a single class for a binary task).
    """
    y_true = np.asarray(y_true, dtype="float64")
    y_score = np.asarray(y_score, dtype="float64")
    if len(y_true) == 0:
        raise ValueError("no labelled rows to evaluate on")
    if task == "regression":
        return {"rmse": float(np.sqrt(metrics.mean_squared_error(y_true, y_score))),
                "mae": float(metrics.mean_absolute_error(y_true, y_score)), "rows": len(y_true)}
    classes = np.unique(y_true)
    if len(classes) < 2:
        raise ValueError(f"only one class ({classes[0]:g}) among {len(y_true)} labelled rows")
    return {
        "roc_auc": float(metrics.roc_auc_score(y_true, y_score)),
        "pr_auc": float(metrics.average_precision_score(y_true, y_score)),
        "log_loss": float(metrics.log_loss(y_true, np.clip(y_score, 1e-15, 1 - 1e-15))),
        "brier": float(metrics.brier_score_loss(y_true, y_score)),
        "rows": len(y_true),
        "positive_rate": float(y_true.mean()),
    }
