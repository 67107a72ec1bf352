"""Reference vs current bin shares as a PNG, for people reading a drift report.

Drawn from the numbers the report already holds (the bins PSI and KL were computed on), so the
picture shows exactly what the metrics measured. Uses matplotlib's object API on the Agg canvas
(no pyplot): no global backend switch, no GUI, safe in worker threads and Dagster runs.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

MAX_BARS = 16  # categoricals with more bins show the most changed levels, pool the rest
REF_COLOR, CUR_COLOR = "#9aa5b1", "#e8590c"


def _shares(counts: list) -> np.ndarray:
    counts = np.asarray(counts, dtype=np.float64)
    return counts / counts.sum() if counts.sum() > 0 else counts


def _limit(labels: list[str], ref: np.ndarray, cur: np.ndarray) -> tuple[list, np.ndarray, ...]:
    """At most MAX_BARS bars for a categorical: the __other__/__unseen__/__missing__ buckets
    when not empty, then the levels whose share changed most; the remaining levels pooled."""
    special = np.array([s in ("__other__", "__unseen__", "__missing__") for s in labels])
    shown = special & ((ref > 0) | (cur > 0))
    levels = np.flatnonzero(~special)
    if levels.size + shown.sum() <= MAX_BARS:
        shown[levels] = True
        rest = np.array([], dtype=np.int64)
    else:
        room = MAX_BARS - 1 - int(shown.sum())
        top = levels[np.argsort(-np.abs(cur[levels] - ref[levels]), kind="stable")[:room]]
        shown[top] = True
        rest = np.setdiff1d(levels, top)
    keep = np.flatnonzero(shown)
    out = [labels[i] for i in keep], ref[keep], cur[keep]
    if rest.size:
        out = ([*out[0], f"({rest.size} more levels)"], np.append(out[1], ref[rest].sum()),
               np.append(out[2], cur[rest].sum()))
    return out


def _title(name: str, row: pd.Series | None) -> str:
    if row is None:
        return name
    parts = [f"{name} ({row['kind']})", f"PSI {row['psi']:.3g}"]
    if row["wasserstein"] == row["wasserstein"]:  # not NaN: numeric
        parts.append(f"W1/sd {row['wasserstein']:.3g}")
    status = row.get("status", "")
    parts.append(status.replace("_", " ") if status not in ("ok", "drifted", "") else
                 "DRIFTED" if row["drifted"] else "ok")
    return " · ".join(parts)


def bins_png(bins: dict[str, dict], features: pd.DataFrame | None = None, dpi: int = 72) -> bytes:
    """One panel per feature: grouped bars of reference and current share per bin."""
    n = max(len(bins), 1)
    # fixed margins: a constrained layout draws the figure twice, the cost of a whole report
    fig = Figure(figsize=(9, 2.9 * n), dpi=dpi)
    fig.subplots_adjust(left=0.08, right=0.99, top=1 - 0.3 / n, bottom=0.9 / (2.9 * n),
                        hspace=1.0)
    FigureCanvasAgg(fig)
    axes = fig.subplots(n, 1, squeeze=False)[:, 0]
    if not bins:
        axes[0].text(0.5, 0.5, "no features to plot", ha="center", va="center")
        axes[0].set_axis_off()
    for ax, (name, b) in zip(axes, bins.items(), strict=False):
        labels, ref, cur = list(b["labels"]), _shares(b["ref"]), _shares(b["cur"])
        if b.get("kind") == "categorical":
            labels, ref, cur = _limit(labels, ref, cur)
        elif ref[-1] == 0 and cur[-1] == 0:  # numeric: no missing bar when nothing is missing
            labels, ref, cur = labels[:-1], ref[:-1], cur[:-1]
        x = np.arange(len(labels))
        ax.bar(x - 0.2, ref, width=0.4, color=REF_COLOR, label="reference")
        ax.bar(x + 0.2, cur, width=0.4, color=CUR_COLOR, label="current")
        ax.set_xticks(x, [str(s)[:18] for s in labels], rotation=60, ha="right", fontsize=7)
        ax.set_ylabel("share of rows", fontsize=8)
        ax.tick_params(axis="y", labelsize=7)
        row = features.loc[name] if features is not None and name in features.index else None
        ax.set_title(_title(name, row), fontsize=9, loc="left")
        ax.legend(fontsize=7, frameon=False)
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()
