"""DriftReport: the per-feature table, the dataset decision, and its markdown / JSON forms."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .thresholds import DriftThresholds

_MD_COLUMNS = ["kind", "psi", "kl", "js", "wasserstein", "missing_ref", "missing_cur",
               "unseen_share"]
_LIMITED = {"psi": "psi", "kl": "kl", "js": "js", "wasserstein": "wasserstein",
            "missing_cur": "missing", "unseen_share": "unseen"}  # column -> its limit's metric


def _fmt(value: object) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (float, np.floating)):
        return "—" if math.isnan(value) else f"{value:.3g}" if abs(value) < 1e4 else f"{value:.3e}"
    return str(value).replace("|", "\\|")


def _cell(row: pd.Series, column: str) -> str:
    """A metric with its limit, e.g. ``0.031 (0.1)``; the value alone when it has none."""
    limit = row.get(f"{_LIMITED.get(column)}_limit", math.nan)
    text = _fmt(row[column])
    if column == "missing_cur":  # the limit bounds the change, not the share
        text = f"{text} (±{_fmt(limit)})" if limit == limit else text
    elif limit == limit and row[column] == row[column]:
        text = f"{text} ({_fmt(limit)})"
    return text


def _plain(value: object) -> object:
    """JSON-able scalar: numpy -> python, NaN -> None."""
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else float(value)
    return value


@dataclass
class DriftReport:
    """Result of :meth:`ReferenceProfile.compare`.

    ``features``: DataFrame indexed by feature (profile order) with columns ``kind``
    ('numeric' | 'categorical'), ``psi``, ``kl``, ``js`` (bias-corrected, always finite),
    ``wasserstein`` (W1 / reference std; NaN for categoricals, where it is not defined, and for
    numeric features with no non-missing value on one side: see ``status``), ``missing_ref``,
    ``missing_cur``, ``unseen_share`` (categoricals; 0 for numerics), ``drifted``, ``severity``
    (max metric / threshold: >= 1 means breached), ``status`` ('ok', 'drifted',
    'missing_column', 'dtype_changed', 'all_missing', 'no_reference_values'), ``reason``,
    ``importance`` (weight in ``share``), ``<metric>_limit`` for each metric of
    :data:`.METRICS` (the limit it was held to at this number of rows, NaN when disabled; the
    ``missing`` limit applies to ``|missing_cur - missing_ref|``), ``calibrated`` (the limits
    follow the sample size, see :mod:`.calibration`), ``psi_raw`` and ``kl_raw`` (before bias
    correction).
    ``share``: importance-weighted share of drifted features (plain share without importances);
    ``drifted``: ``share >= thresholds.share``. ``bins``: per feature, the bin ``labels`` and
    the reference and current counts (``ref``, ``cur``) the binned metrics were computed on.
    """

    features: pd.DataFrame
    share: float
    drifted: bool
    n_rows: int
    n_rows_ref: int
    thresholds: DriftThresholds
    extra_columns: list[str] = field(default_factory=list)
    bins: dict[str, dict] = field(default_factory=dict, repr=False)

    @property
    def n_drifted(self) -> int:
        return int(self.features["drifted"].sum())

    @property
    def drifted_features(self) -> list[str]:
        """Drifted feature names, most severe first."""
        return self._sorted().index[self._sorted()["drifted"]].tolist()

    def _sorted(self) -> pd.DataFrame:
        return self.features.sort_values(
            ["drifted", "severity"], ascending=[False, False], kind="stable"
        )

    def summary(self) -> str:
        verdict = "drifted" if self.drifted else "no dataset drift"
        return (
            f"{self.n_drifted} of {len(self.features)} features drifted; weighted share "
            f"{self.share:.3f} (threshold {self.thresholds.share:g}): {verdict}. "
            f"Rows: {self.n_rows:,} current vs {self.n_rows_ref:,} reference"
            + ("; limits calibrated to this sample size." if self.features["calibrated"].any()
               else ".")
        )

    def to_markdown(self, top: int | None = None, summary: bool = True) -> str:
        """Markdown table sorted by severity (drifted first); ``top`` limits the rows. A
        metric's cell shows its value and, in parentheses, its limit at this number of rows."""
        table = self._sorted()
        if top is not None:
            table = table.head(top)
        cols = ["feature", *(f"{c} (limit)" if c in _LIMITED else c for c in _MD_COLUMNS),
                "drifted", "reason"]
        lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
        for name, row in table.iterrows():
            cells = [_fmt(name)] + [_cell(row, c) for c in _MD_COLUMNS] + [
                _fmt(row["drifted"]), _fmt(row["reason"])]
            lines.append("| " + " | ".join(cells) + " |")
        if top is not None and top < len(self.features):
            lines.append(f"\n{len(self.features) - top} more features not shown.")
        head = [f"**{self.summary()}**", ""] if summary else []
        return "\n".join(head + lines)

    def plot_png(self, top: int = 3) -> bytes:
        """PNG of reference vs current bin shares of the ``top`` most severe features."""
        from .plot import bins_png  # matplotlib only when a plot is asked for

        names = self._sorted().index[:top]
        return bins_png({n: self.bins[n] for n in names if n in self.bins}, self.features)

    def to_dict(self) -> dict:
        """JSON-able dict (NaN -> None)."""
        feats = {
            str(name): {col: _plain(row[col]) for col in self.features.columns}
            for name, row in self.features.iterrows()
        }
        return {
            "share": float(self.share),
            "drifted": bool(self.drifted),
            "n_rows": int(self.n_rows),
            "n_rows_ref": int(self.n_rows_ref),
            "n_drifted": self.n_drifted,
            "thresholds": self.thresholds.model_dump(),
            "extra_columns": list(self.extra_columns),
            "features": feats,
        }
